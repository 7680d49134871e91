#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>

#include "core/timestamp.hpp"
#include "server/store/account_store.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// The management API's resources as docs/MANAGEMENT-API.md shows them.
boost::json::value time_or_null(std::optional<UnixMicros> time);
boost::json::object user_json(const User& user);
boost::json::object project_json(const Project& project);
boost::json::object key_json(const ApiKeyRecord& key);
boost::json::object token_json(const ManagementToken& token);

}  // namespace agentsudo::server::api

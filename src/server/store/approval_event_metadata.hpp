#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>

#include "server/model/approval.hpp"

namespace agentsudo::server {

// The metadata of an approval's audit events besides its id, the same
// whichever store writes them: what a verifier or an export reads back.
boost::json::object requested_metadata(const Approval& approval, std::int64_t policy_version);
boost::json::object decided_metadata(const Approval& approval,
                                     std::optional<std::int64_t> for_minutes);

}  // namespace agentsudo::server

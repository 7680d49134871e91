#pragma once

#include <boost/json/object.hpp>

#include "server/model/approval.hpp"

namespace agentsudo::server::api {

// A request as the management API shows it: every member, null when unset.
boost::json::object approval_item_json(const Approval& approval);

// A request as GET /v1/approvals/{id} shows it to the requester: what was
// decided, optional members left out while unset.
boost::json::object approval_status_json(const Approval& approval);

}  // namespace agentsudo::server::api

#pragma once

#include <tuple>
#include <vector>

#include "server/api/agents_handler.hpp"
#include "server/api/analytics_handler.hpp"
#include "server/api/approvals_handler.hpp"
#include "server/api/audit_handler.hpp"
#include "server/api/check_handler.hpp"
#include "server/api/events_handler.hpp"
#include "server/api/export_handler.hpp"
#include "server/api/ingest_handler.hpp"
#include "server/api/keys_handler.hpp"
#include "server/api/live_handler.hpp"
#include "server/api/members_handler.hpp"
#include "server/api/ops_handler.hpp"
#include "server/api/policy_handler.hpp"
#include "server/api/projects_handler.hpp"
#include "server/api/route.hpp"
#include "server/api/server_info_handler.hpp"
#include "server/api/session_handler.hpp"
#include "server/api/tokens_handler.hpp"
#include "server/api/users_handler.hpp"
#include "server/api/webhooks_handler.hpp"

namespace agentsudo::server::api {

// A list of resources: handler types that each declare their routes.
template <class... Handler>
struct ResourceList {
  // One instance of each, as the server mounts them.
  using Instances = std::tuple<Handler&...>;

  // Every route of every resource, in matching order, without instances:
  // what `agentsudo-server routes --json` prints and the tests check.
  static std::vector<RouteInfo> describe() {
    std::vector<RouteInfo> all;
    (append_info(all, Handler::routes()), ...);
    return all;
  }

 private:
  template <class Routes>
  static void append_info(std::vector<RouteInfo>& all, const Routes& routes) {
    for (const auto& route : routes)
      all.push_back(route.info);
  }
};

// Every resource the server serves. A new route is one entry in its
// resource's routes(); a new resource is one entry here.
using Resources =
    ResourceList<IngestHandler, PolicyHandler, CheckHandler, SessionHandler, UsersHandler,
                 TokensHandler, ServerInfoHandler, ProjectsHandler, MembersHandler, KeysHandler,
                 AgentsHandler, EventsHandler, OpsHandler, AnalyticsHandler, ExportHandler,
                 LiveHandler, ApprovalsHandler, WebhooksHandler, AuditHandler>;

}  // namespace agentsudo::server::api

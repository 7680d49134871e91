#pragma once

#include <functional>
#include <string>

#include "server/api/agents_handler.hpp"
#include "server/api/analytics_handler.hpp"
#include "server/api/dashboard_files.hpp"
#include "server/api/events_handler.hpp"
#include "server/api/export_handler.hpp"
#include "server/api/ingest_handler.hpp"
#include "server/api/keys_handler.hpp"
#include "server/api/live_handler.hpp"
#include "server/api/members_handler.hpp"
#include "server/api/ops_handler.hpp"
#include "server/api/projects_handler.hpp"
#include "server/api/server_info_handler.hpp"
#include "server/api/session_handler.hpp"
#include "server/api/users_handler.hpp"
#include "server/http/request_handler.hpp"
#include "server/http/router.hpp"
#include "server/metrics/metrics.hpp"

namespace agentsudo::server::api {

// Every handler the routes call; they outlive the Application.
struct Handlers {
  IngestHandler& ingest;
  EventsHandler& events;
  OpsHandler& ops;
  SessionHandler& session;
  UsersHandler& users;
  ServerInfoHandler& server_info;
  ProjectsHandler& projects;
  MembersHandler& members;
  KeysHandler& keys;
  AgentsHandler& agents;
  AnalyticsHandler& analytics;
  ExportHandler& exports;
  LiveHandler& live;
  const DashboardFiles& dashboard;
};

// The server's routes: which handler answers which (method, path), with
// which body limit, and the request metrics around every answer. A GET that
// no route matches outside /api/ goes to the dashboard's files.
// Thread-safe once constructed.
class Application final : public http::RequestHandler {
 public:
  Application(Handlers handlers, Metrics& metrics);

  std::size_t body_limit(const http::RequestHeader& header) override;
  boost::asio::awaitable<http::Reply> handle(http::Request request,
                                             http::RequestContext context) override;
  http::Response reject(const http::RequestHeader& header, const Error& error) override;

 private:
  using Answer = std::function<boost::asio::awaitable<http::Reply>(
      const http::Request&, const http::PathParams&, const http::RequestContext&)>;

  struct Route {
    std::string name;  // the metrics label: the pattern, never the raw path
    std::size_t body_limit;
    Answer answer;
  };

  void add(http::Verb method, const std::string& pattern, std::size_t body_limit, Answer answer);
  void add_ingest_routes(const Handlers& handlers);
  void add_account_routes(const Handlers& handlers);
  void add_project_routes(const Handlers& handlers);
  void add_ops_routes(const Handlers& handlers);
  void add_activity_routes(const Handlers& handlers);

  boost::asio::awaitable<http::Reply> dispatch(const http::Request& request,
                                               const http::RequestContext& context,
                                               std::string& route_name);

  http::Router<Route> router_;
  const DashboardFiles& dashboard_;
  Metrics& metrics_;
};

}  // namespace agentsudo::server::api

#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/service/agent_service.hpp"

namespace agentsudo::server::api {

// /api/v1/projects/{project_id}/agents: an agent's scopes, role and session
// TTL (the project's policy), its history, and a preview of a change.
// Deleting an agent removes its configuration; its events stay.
// Thread-safe.
class AgentsHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<AgentsHandler>> routes();

  AgentsHandler(AccessControl& access, AgentService& agents);

  Result<http::Response> list(const http::Request& request, std::string_view project_id);
  Result<http::Response> create(const http::Request& request, std::string_view project_id);
  Result<http::Response> get(const http::Request& request, std::string_view project_id,
                             std::string_view agent_id);
  Result<http::Response> update(const http::Request& request, std::string_view project_id,
                                std::string_view agent_id);
  Result<http::Response> remove(const http::Request& request, std::string_view project_id,
                                std::string_view agent_id);
  // The agent's policy changes, newest first.
  Result<http::Response> history(const http::Request& request, std::string_view project_id,
                                 std::string_view agent_id);
  // What a change of the agent's scopes would have decided differently over
  // its recorded calls; changes nothing.
  Result<http::Response> preview(const http::Request& request, std::string_view project_id,
                                 std::string_view agent_id);

 private:
  AccessControl& access_;
  AgentService& agents_;
};

}  // namespace agentsudo::server::api

#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// /api/v1/projects/{project_id}/keys: a project's ingest keys. A new key's
// plaintext is in the answer that creates it and nowhere else. Thread-safe.
class KeysHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<KeysHandler>> routes();

  KeysHandler(AccessControl& access, ProjectStore& projects);

  Result<http::Response> list(const http::Request& request, std::string_view project_id);
  Result<http::Response> create(const http::Request& request, std::string_view project_id);
  Result<http::Response> rotate(const http::Request& request, std::string_view project_id,
                                std::string_view key_id);
  Result<http::Response> revoke(const http::Request& request, std::string_view project_id,
                                std::string_view key_id);

 private:
  // The key if it belongs to the project; kNotFound otherwise.
  Result<ApiKeyRecord> key_of(const Project& project, std::string_view key_id);

  AccessControl& access_;
  ProjectStore& projects_;
};

}  // namespace agentsudo::server::api

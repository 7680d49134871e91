#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/service/key_service.hpp"

namespace agentsudo::server::api {

// /api/v1/projects/{project_id}/keys: a project's ingest keys. A new key's
// plaintext is in the answer that creates it and nowhere else. Thread-safe.
class KeysHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<KeysHandler>> routes();

  KeysHandler(AccessControl& access, KeyService& keys);

  Result<http::Response> list(const http::Request& request, std::string_view project_id);
  Result<http::Response> create(const http::Request& request, std::string_view project_id);
  Result<http::Response> rotate(const http::Request& request, std::string_view project_id,
                                std::string_view key_id);
  Result<http::Response> revoke(const http::Request& request, std::string_view project_id,
                                std::string_view key_id);

 private:
  AccessControl& access_;
  KeyService& keys_;
};

}  // namespace agentsudo::server::api

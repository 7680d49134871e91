#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/audit/signing_key.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/store/audit_log.hpp"

namespace agentsudo::server::api {

// The tamper evidence of the event log (docs/AUDIT.md):
// GET /api/v1/audit/public-key, public: the key checkpoints are signed with;
// GET /api/v1/projects/{id}/audit/verify: the project's chain checked
// against its checkpoints, naming the first event that does not hold.
// Thread-safe.
class AuditHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<AuditHandler>> routes();

  AuditHandler(AccessControl& access, AuditLog& audit, audit::PublicKey key);

  Result<http::Response> public_key(const http::Request& request);
  Result<http::Response> verify(const http::Request& request, std::string_view project_id);

 private:
  AccessControl& access_;
  AuditLog& audit_;
  audit::PublicKey key_;
};

}  // namespace agentsudo::server::api

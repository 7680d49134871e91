#include "server/api/audit_handler.hpp"

#include "server/api/request_credentials.hpp"
#include "server/api/responses.hpp"
#include "server/audit/chain_report_json.hpp"

namespace agentsudo::server::api {

std::vector<ResourceRoute<AuditHandler>> AuditHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/audit/public-key", kSmallBody, Access::kPublic,
            &AuditHandler::public_key),
      route(Verb::get, "/api/v1/projects/{project_id}/audit/verify", kSmallBody, Access::kProject,
            &AuditHandler::verify),
  };
}

AuditHandler::AuditHandler(AccessControl& access, AuditLog& audit, audit::PublicKey key)
    : access_(access), audit_(audit), key_(key) {}

Result<http::Response> AuditHandler::public_key(const http::Request& request) {
  return json_response(
      200,
      boost::json::object{{"algorithm", "ed25519"}, {"public_key", audit::public_key_text(key_)}},
      request.version());
}

Result<http::Response> AuditHandler::verify(const http::Request& request,
                                            std::string_view project_id) {
  ASSIGN_OR_RETURN(auto access, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto report, audit_.verify(access.project.rowid, key_));
  return json_response(200, audit::chain_report_json(report), request.version());
}

}  // namespace agentsudo::server::api

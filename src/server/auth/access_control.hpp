#pragma once

#include <string_view>
#include <vector>

#include "server/auth/principal.hpp"
#include "server/auth/sessions.hpp"
#include "server/model/error.hpp"
#include "server/store/account_store.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server {

// What a request presents to prove who it is, taken from its headers.
struct PresentedCredentials {
  std::string_view authorization;  // the Authorization header
  std::string_view api_key;        // the X-API-Key header
  std::string_view session_token;  // the agentsudo_session cookie
  std::string_view csrf_token;     // the X-CSRF-Token header
  bool changes_state = false;      // POST, PUT, PATCH or DELETE
  // Where a browser says the request comes from; empty from other clients.
  std::string_view fetch_site;  // the Sec-Fetch-Site header
  std::string_view origin;      // the Origin header
  std::string_view host;        // the Host header
};

// The one gate of the management and read API: who is asking, and which
// projects they may see. A project the caller may not see is kNotFound, the
// same answer as a project that does not exist. Thread-safe.
class AccessControl {
 public:
  AccessControl(ProjectStore& projects, AccountStore& accounts, Sessions& sessions);

  // kUnauthorized without a valid credential; kForbidden for an ingest key;
  // kCsrfFailed for a cookie-authenticated change without the session's
  // X-CSRF-Token, or one a browser says comes from another site. A Bearer
  // token wins over a cookie.
  Result<Principal> authenticate(const PresentedCredentials& credentials);

  // The project, if the principal may see it; kNotFound otherwise.
  Result<Project> visible_project(const Principal& principal, std::string_view project_id);
  Result<std::vector<Project>> visible_projects(const Principal& principal);
  // kForbidden unless the principal may manage users.
  Status require_admin(const Principal& principal);
  // Tiers and quotas are an admin's decision: anyone may start a project on
  // the free tier, other tiers are kForbidden naming "tier" for others.
  Status authorize_new_project(const Principal& principal, const Tier& tier);
  // Any member may rename a project; a tier in the change is kForbidden
  // naming "tier" unless the principal is an admin.
  Status authorize_project_change(const Principal& principal, const ProjectChanges& changes);

 private:
  Result<Principal> authenticate_bearer(std::string_view token);
  Result<Principal> authenticate_session(const PresentedCredentials& credentials);

  ProjectStore& projects_;
  AccountStore& accounts_;
  Sessions& sessions_;
};

}  // namespace agentsudo::server

#include "server/auth/access_control.hpp"

#include <sodium.h>

#include "core/uuid.hpp"
#include "server/auth/secret.hpp"

namespace agentsudo::server {
namespace {

// Longer than any token we mint; bounds the work an attacker can make us hash.
constexpr std::size_t kMaxSecretLength = 128;
constexpr std::string_view kBearer = "Bearer ";

Error project_not_found(std::string_view project_id) {
  return make_error(ErrorKind::kNotFound, "no project with id " + std::string(project_id));
}

Error ingest_key_refused() {
  return make_error(ErrorKind::kForbidden,
                    "API keys can write events but not read or manage anything; log in or use a "
                    "management token");
}

Error quota_is_admins() {
  return make_error(ErrorKind::kForbidden,
                    "only an admin can change quotas: a project's tier is set by an admin or an "
                    "operator (members start projects on the free tier)",
                    "tier");
}

// Compares in time independent of where the strings differ.
bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The first 8 bytes of a digest in hex: tells tokens apart, reveals nothing.
std::string digest_prefix(const SecretDigest& digest) {
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, digest.data(), 8);
  return hex;
}

}  // namespace

AccessControl::AccessControl(ProjectStore& projects, AccountStore& accounts, Sessions& sessions)
    : projects_(projects), accounts_(accounts), sessions_(sessions) {}

Result<Principal> AccessControl::authenticate(const PresentedCredentials& credentials) {
  if (!credentials.api_key.empty() && credentials.authorization.empty() &&
      credentials.session_token.empty()) {
    return ingest_key_refused();
  }
  if (!credentials.authorization.empty())
    return authenticate_bearer(credentials.authorization);
  if (!credentials.session_token.empty())
    return authenticate_session(credentials);
  return make_error(ErrorKind::kUnauthorized,
                    "log in, or send a management token as Authorization: Bearer asm_...");
}

Result<Principal> AccessControl::authenticate_bearer(std::string_view authorization) {
  if (!authorization.starts_with(kBearer))
    return make_error(ErrorKind::kUnauthorized, "the Authorization header must be Bearer asm_...");
  std::string_view token = authorization.substr(kBearer.size());
  if (token.starts_with(kApiKeyPrefix))
    return ingest_key_refused();
  if (!token.starts_with(kManagementTokenPrefix) || token.size() > kMaxSecretLength)
    return make_error(ErrorKind::kUnauthorized, "invalid management token");
  SecretDigest digest = digest_secret(token);
  ASSIGN_OR_RETURN(bool active, projects_.is_active_management_token(digest));
  if (!active)
    return make_error(ErrorKind::kUnauthorized, "invalid, revoked or expired management token");
  return Principal{Principal::Kind::kOperator, std::nullopt, {}, "token:" + digest_prefix(digest)};
}

namespace {

// "example.com" of "example.com:8443" or "[::1]:80": proxies often rewrite
// the port, so only the host name is compared.
std::string_view host_name(std::string_view authority) {
  if (authority.starts_with('['))
    return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

// Beside the CSRF token: a browser's own word that a change comes from
// another site (Sec-Fetch-Site, else Origin against Host) refuses it.
bool from_another_site(const PresentedCredentials& credentials) {
  if (!credentials.fetch_site.empty())
    return credentials.fetch_site != "same-origin" && credentials.fetch_site != "none";
  if (credentials.origin.empty())
    return false;
  std::string_view origin = credentials.origin;
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos)
    return true;  // "null" or garbage: an opaque origin is another site
  return host_name(origin.substr(scheme_end + 3)) != host_name(credentials.host);
}

}  // namespace

Result<Principal> AccessControl::authenticate_session(const PresentedCredentials& credentials) {
  ASSIGN_OR_RETURN(auto session, sessions_.resume(credentials.session_token));
  if (credentials.changes_state && !same_secret(credentials.csrf_token, session.csrf_token)) {
    return make_error(ErrorKind::kCsrfFailed,
                      "this change needs the X-CSRF-Token header of your session");
  }
  if (credentials.changes_state && from_another_site(credentials)) {
    return make_error(ErrorKind::kCsrfFailed,
                      "this change comes from another site (Sec-Fetch-Site or Origin)");
  }
  std::string subject = "user:" + session.user.id;
  return Principal{Principal::Kind::kUser, std::move(session.user), std::move(session.csrf_token),
                   std::move(subject)};
}

Result<Project> AccessControl::visible_project(const Principal& principal,
                                               std::string_view project_id) {
  if (!is_canonical_uuid(project_id))
    return project_not_found(project_id);
  auto project = projects_.find_project(project_id);
  if (!project || principal.is_operator())
    return project;
  ASSIGN_OR_RETURN(bool member, accounts_.is_member(project->rowid, principal.user->rowid));
  if (!member)
    return project_not_found(project_id);
  return project;
}

Result<std::vector<Project>> AccessControl::visible_projects(const Principal& principal) {
  if (principal.is_operator())
    return projects_.list_projects();
  return accounts_.projects_of(principal.user->rowid);
}

Status AccessControl::require_admin(const Principal& principal) {
  if (!principal.is_admin())
    return make_error(ErrorKind::kForbidden, "only an admin may do this");
  return {};
}

Status AccessControl::authorize_new_project(const Principal& principal, const Tier& tier) {
  if (tier.name != "free" && !principal.is_admin())
    return quota_is_admins();
  return {};
}

Status AccessControl::authorize_project_change(const Principal& principal,
                                               const ProjectChanges& changes) {
  if (changes.tier && !principal.is_admin())
    return quota_is_admins();
  return {};
}

}  // namespace agentsudo::server

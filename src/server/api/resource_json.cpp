#include "server/api/resource_json.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

json::value time_or_null(std::optional<UnixMicros> time) {
  return time ? json::value(format_rfc3339(*time)) : json::value(nullptr);
}

json::object user_json(const User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"is_admin", user.is_admin},
          {"created_at", format_rfc3339(user.created_at)}};
}

json::object project_json(const Project& project) {
  return {{"id", project.id},
          {"name", project.name},
          {"tier", {{"name", project.tier.name}, {"daily_quota", project.tier.daily_quota}}},
          {"created_at", format_rfc3339(project.created_at)},
          {"retention_days",
           project.retention_days ? json::value(*project.retention_days) : json::value(nullptr)},
          {"data_since", time_or_null(project.data_since)}};
}

json::object key_json(const ApiKeyRecord& key) {
  return {{"id", key.id},
          {"prefix", key.prefix},
          {"created_at", format_rfc3339(key.created_at)},
          {"last_used_at", time_or_null(key.last_used_at)},
          {"revoked_at", time_or_null(key.revoked_at)}};
}

json::object token_json(const ManagementToken& token) {
  return {{"id", token.id},
          {"name", token.name ? json::value(*token.name) : json::value(nullptr)},
          {"prefix", token.prefix},
          {"created_at", format_rfc3339(token.created_at)},
          {"expires_at", time_or_null(token.expires_at)},
          {"revoked_at", time_or_null(token.revoked_at)}};
}

}  // namespace agentsudo::server::api

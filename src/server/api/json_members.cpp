#include "server/api/json_members.hpp"

#include <algorithm>

namespace agentsudo::server::api {

Error invalid_member(std::string_view name, std::string message) {
  return make_error(ErrorKind::kInvalidPayload, std::move(message), std::string(name));
}

Result<JsonMembers> JsonMembers::of(const boost::json::value& body,
                                    std::initializer_list<std::string_view> allowed) {
  const auto* object = body.if_object();
  if (object == nullptr)
    return make_error(ErrorKind::kInvalidPayload, "the body must be a JSON object");
  for (const auto& member : *object) {
    std::string_view key = member.key();
    if (std::ranges::find(allowed, key) == allowed.end()) {
      // Echoed truncated, so a huge key does not come back whole.
      std::string shown = key.size() <= 64 ? std::string(key) : std::string(key.substr(0, 64));
      return invalid_member(shown, "unknown member " + shown);
    }
  }
  return JsonMembers(*object);
}

Result<std::string> JsonMembers::required_string(std::string_view name) const {
  const auto* value = find(name);
  if (value == nullptr)
    return invalid_member(name, std::string(name) + " is required");
  if (!value->is_string())
    return invalid_member(name, std::string(name) + " must be a string");
  return std::string(value->get_string());
}

Result<std::optional<std::string>> JsonMembers::optional_string(std::string_view name) const {
  const auto* value = find(name);
  if (value == nullptr || value->is_null())
    return std::optional<std::string>();
  if (!value->is_string())
    return invalid_member(name, std::string(name) + " must be a string");
  return std::optional<std::string>(std::string(value->get_string()));
}

Result<std::optional<bool>> JsonMembers::optional_bool(std::string_view name) const {
  const auto* value = find(name);
  if (value == nullptr || value->is_null())
    return std::optional<bool>();
  if (!value->is_bool())
    return invalid_member(name, std::string(name) + " must be true or false");
  return std::optional<bool>(value->get_bool());
}

Result<std::optional<std::int64_t>> JsonMembers::optional_whole_number(
    std::string_view name) const {
  const auto* value = find(name);
  if (value == nullptr || value->is_null())
    return std::optional<std::int64_t>();
  if (!value->is_int64())
    return invalid_member(name, std::string(name) + " must be a whole number");
  return std::optional<std::int64_t>(value->get_int64());
}

}  // namespace agentsudo::server::api

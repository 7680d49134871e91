#include "server/api/scope_list.hpp"

#include "core/event.hpp"
#include "core/text.hpp"

namespace agentsudo::server::api {
namespace {

// True when a `[` opens a set that never closes. fnmatch would read it as a
// literal `[`, which is almost always a typo in a scope list.
bool has_unclosed_bracket(std::string_view pattern) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '[')
      continue;
    std::size_t j = i + 1;
    if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^'))
      ++j;
    if (j < pattern.size() && pattern[j] == ']')
      ++j;  // a leading `]` is a member of the set
    while (j < pattern.size() && pattern[j] != ']') {
      if (pattern.compare(j, 2, "[:") == 0) {
        auto end = pattern.find(":]", j + 2);
        j = end == std::string_view::npos ? pattern.size() : end + 2;
        continue;
      }
      ++j;
    }
    if (j >= pattern.size())
      return true;
    i = j;
  }
  return false;
}

Error invalid_item(const std::string& field, std::size_t index, std::string message) {
  Error error = make_error(ErrorKind::kInvalidPayload,
                           field + "[" + std::to_string(index) + "] " + std::move(message), field);
  error.index = index;
  return error;
}

}  // namespace

Result<std::vector<std::string>> decode_scope_list(const boost::json::value& value,
                                                   const std::string& field) {
  if (!value.is_array())
    return make_error(ErrorKind::kInvalidPayload, field + " must be an array of strings", field);
  const auto& items = value.get_array();
  if (items.size() > kMaxScopesPerList) {
    return make_error(ErrorKind::kInvalidPayload,
                      field + " must hold at most " + std::to_string(kMaxScopesPerList) + " scopes",
                      field);
  }
  std::vector<std::string> scopes;
  scopes.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string())
      return invalid_item(field, i, "must be a string");
    std::string_view scope = items[i].get_string();
    if (scope.empty() || scope.size() > EventLimits::kMaxScope) {
      return invalid_item(field, i,
                          "must be 1 to " + std::to_string(EventLimits::kMaxScope) + " bytes long");
    }
    if (contains_control_characters(scope))
      return invalid_item(field, i, "must not contain control characters");
    if (has_unclosed_bracket(scope))
      return invalid_item(field, i, "has a [ that is never closed");
    scopes.emplace_back(scope);
  }
  return scopes;
}

}  // namespace agentsudo::server::api

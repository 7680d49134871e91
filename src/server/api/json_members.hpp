#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "server/model/error.hpp"

namespace agentsudo::server::api {

// The members of a management request's JSON object, read with errors
// (kInvalidPayload) that name the member at fault. Views `body`, which must
// outlive it.
class JsonMembers {
 public:
  // kInvalidPayload unless `body` is an object whose members are all in `allowed`.
  static Result<JsonMembers> of(const boost::json::value& body,
                                std::initializer_list<std::string_view> allowed);
  // Reads some members of an object that may hold others too.
  static JsonMembers some_of(const boost::json::object& object) { return JsonMembers(object); }

  bool has(std::string_view name) const { return object_->contains(name); }
  const boost::json::value* find(std::string_view name) const { return object_->if_contains(name); }

  Result<std::string> required_string(std::string_view name) const;
  Result<std::optional<std::string>> optional_string(std::string_view name) const;
  Result<std::optional<bool>> optional_bool(std::string_view name) const;
  Result<std::optional<std::int64_t>> optional_whole_number(std::string_view name) const;

 private:
  explicit JsonMembers(const boost::json::object& object) : object_(&object) {}

  const boost::json::object* object_;
};

Error invalid_member(std::string_view name, std::string message);

}  // namespace agentsudo::server::api

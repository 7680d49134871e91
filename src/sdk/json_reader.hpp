#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentsudo {

// A parsed JSON value: just enough of a document model for the SDK to read
// the server's policy and approval answers. Integers that fit in 64 bits stay exact.
//
// A plain value; not synchronized.
class JsonValue {
 public:
  enum class Kind { kNull, kBool, kInteger, kNumber, kString, kArray, kObject };
  using Member = std::pair<std::string, JsonValue>;

  Kind kind() const noexcept { return kind_; }
  bool is_bool() const noexcept { return kind_ == Kind::kBool; }
  bool is_string() const noexcept { return kind_ == Kind::kString; }
  bool is_integer() const noexcept { return kind_ == Kind::kInteger; }
  bool is_array() const noexcept { return kind_ == Kind::kArray; }
  bool is_object() const noexcept { return kind_ == Kind::kObject; }

  // Valid only for the matching kind.
  bool boolean() const noexcept { return boolean_; }
  const std::string& string() const noexcept { return string_; }
  std::int64_t integer() const noexcept { return integer_; }
  const std::vector<JsonValue>& array() const noexcept { return array_; }
  const std::vector<Member>& members() const noexcept { return members_; }

  // The object's member called `name` (the last one, if repeated), or null.
  const JsonValue* find(std::string_view name) const noexcept;

 private:
  friend class JsonParser;

  Kind kind_ = Kind::kNull;
  bool boolean_ = false;
  std::int64_t integer_ = 0;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::vector<Member> members_;
};

// Parses one JSON text (RFC 8259; surrounding whitespace allowed). Returns
// nullopt for anything else, including nesting deeper than 32 levels, with
// the reason in `error` when given. Strings are not checked for valid UTF-8:
// callers check the fields they use.
std::optional<JsonValue> parse_json(std::string_view text, std::string* error = nullptr);

}  // namespace agentsudo

#include "server/api/json_numbers.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <optional>
#include <string>
#include <vector>

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

// Shown in an error; a number can be thousands of digits long.
constexpr std::size_t kShownDigits = 40;

// A handler for json::basic_parser that sees each number's text beside the
// value the server would store, and remembers the first that differ.
class NumberAudit {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  const std::optional<Error>& finding() const { return finding_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return open(true); }
  bool on_array_end(std::size_t, json::error_code&) { return close(); }
  bool on_object_begin(json::error_code&) { return open(false); }
  bool on_object_end(std::size_t, json::error_code&) { return close(); }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return value(); }
  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view last, std::size_t, json::error_code&) {
    key_.append(last.data(), last.size());
    levels_.back().key = std::move(key_);
    key_.clear();
    return true;
  }
  bool on_number_part(json::string_view part, json::error_code&) {
    number_.append(part.data(), part.size());
    return true;
  }
  bool on_int64(std::int64_t parsed, json::string_view last, json::error_code&) {
    begin_number(last);
    if (parsed == 0 && number_.starts_with('-')) {
      refuse(" holds -0, which would be stored as 0: send 0, or -0.0 for a negative zero");
    }
    return end_number();
  }
  bool on_uint64(std::uint64_t, json::string_view last, json::error_code&) {
    begin_number(last);
    return end_number();
  }
  bool on_double(double, json::string_view last, json::error_code&) {
    begin_number(last);
    if (number_.find_first_of(".eE") == std::string::npos) {
      refuse(" holds the integer " + shown(number_) +
             ", beyond 64 bits: send it as a string to keep every digit");
    }
    return end_number();
  }
  bool on_bool(bool, json::error_code&) { return value(); }
  bool on_null(json::error_code&) { return value(); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  // One open array or object: its member being read, or its items so far.
  struct Level {
    bool is_array = false;
    std::size_t items = 0;
    std::string key;
  };

  static std::string shown(const std::string& digits) {
    if (digits.size() <= kShownDigits)
      return digits;
    return digits.substr(0, kShownDigits) + "... (" + std::to_string(digits.size()) + " digits)";
  }

  bool value() {
    if (!levels_.empty())
      ++levels_.back().items;
    return true;
  }
  bool open(bool is_array) {
    value();
    levels_.push_back(Level{is_array, 0, {}});
    return true;
  }
  bool close() {
    levels_.pop_back();
    return true;
  }
  // Completes the number's text and counts it as an item of its container.
  void begin_number(json::string_view last) {
    number_.append(last.data(), last.size());
    value();
  }
  bool end_number() {
    number_.clear();
    return true;
  }

  // Names where the number is: the body's member, or its item and that
  // item's member, as the decoders name fields.
  void refuse(const std::string& what) {
    if (finding_)
      return;
    Error error = make_error(ErrorKind::kInvalidPayload, "");
    std::size_t member_level = 0;
    if (!levels_.empty() && levels_[0].is_array) {
      error.index = levels_[0].items - 1;  // the item being read is already counted
      member_level = 1;
    }
    if (levels_.size() > member_level && !levels_[member_level].is_array)
      error.field = levels_[member_level].key;
    std::string where = error.field.empty() ? "the body" : error.field;
    error.message = where + what;
    if (error.index)
      error.message = "item " + std::to_string(*error.index) + ": " + error.message;
    finding_ = std::move(error);
  }

  std::vector<Level> levels_;
  std::string key_;
  std::string number_;
  std::optional<Error> finding_;
};

}  // namespace

Status check_numbers_kept_exactly(std::string_view text) {
  json::parse_options options;
  options.max_depth = static_cast<std::size_t>(-1);
  json::basic_parser<NumberAudit> parser(options);
  json::error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  if (const auto& finding = parser.handler().finding())
    return *finding;
  return {};
}

}  // namespace agentsudo::server::api

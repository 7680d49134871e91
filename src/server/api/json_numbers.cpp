#include "server/api/json_numbers.hpp"

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

// Shown in an error; a number can be thousands of digits long.
constexpr std::size_t kShownDigits = 40;

// A handler for json::basic_parser that builds the value as json::parse
// would, but from each number's text, and remembers the first number that
// cannot be kept.
class ExactValueBuilder {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack& stack() { return stack_; }
  const std::optional<Error>& refusal() const { return refusal_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return open(true); }
  bool on_array_end(std::size_t n, json::error_code&) {
    stack_.push_array(n);
    return close();
  }
  bool on_object_begin(json::error_code&) { return open(false); }
  bool on_object_end(std::size_t n, json::error_code&) {
    stack_.push_object(n);
    return close();
  }
  bool on_string_part(json::string_view part, std::size_t, json::error_code&) {
    stack_.push_chars(part);
    return true;
  }
  bool on_string(json::string_view last, std::size_t, json::error_code&) {
    stack_.push_string(last);
    return item();
  }
  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    stack_.push_chars(part);
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view last, std::size_t, json::error_code&) {
    stack_.push_key(last);
    key_.append(last.data(), last.size());
    levels_.back().key = std::move(key_);
    key_.clear();
    return true;
  }
  bool on_number_part(json::string_view part, json::error_code&) {
    number_.append(part.data(), part.size());
    return true;
  }
  bool on_int64(std::int64_t parsed, json::string_view last, json::error_code& ec) {
    number_.append(last.data(), last.size());
    item();
    if (parsed == 0 && number_.starts_with('-'))
      return refuse(" holds -0, which would be stored as 0: send 0, or -0.0 for a negative zero",
                    ec);
    stack_.push_int64(parsed);
    return end_number();
  }
  bool on_uint64(std::uint64_t parsed, json::string_view, json::error_code&) {
    item();
    stack_.push_uint64(parsed);
    return end_number();
  }
  bool on_double(double parsed, json::string_view last, json::error_code& ec) {
    number_.append(last.data(), last.size());
    item();
    if (number_.find_first_of(".eE") == std::string::npos) {
      return refuse(" holds the integer " + shown(number_) +
                        ", beyond 64 bits: send it as a string to keep every digit",
                    ec);
    }
    // Out of range, from_chars leaves `parsed` as Boost made it: an infinity.
    std::from_chars(number_.data(), number_.data() + number_.size(), parsed);
    stack_.push_double(parsed);
    return end_number();
  }
  bool on_bool(bool value, json::error_code&) {
    stack_.push_bool(value);
    return item();
  }
  bool on_null(json::error_code&) {
    stack_.push_null();
    return item();
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  // One open array or object: its items so far, and the member being read.
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

  bool item() {
    if (!levels_.empty())
      ++levels_.back().items;
    return true;
  }
  bool open(bool is_array) {
    item();
    levels_.push_back(Level{is_array, 0, {}});
    return true;
  }
  bool close() {
    levels_.pop_back();
    return true;
  }
  bool end_number() {
    number_.clear();
    return true;
  }

  // Stops the parse with an error that names where the number is: the
  // text's member, or its item and that item's member, as the decoders
  // name fields.
  bool refuse(const std::string& what, json::error_code& ec) {
    Error error = make_error(ErrorKind::kInvalidPayload, "");
    std::size_t member_level = 0;
    if (!levels_.empty() && levels_[0].is_array) {
      error.index = levels_[0].items - 1;  // the item being read is already counted
      member_level = 1;
    }
    if (levels_.size() > member_level && !levels_[member_level].is_array)
      error.field = levels_[member_level].key;
    error.message = (error.field.empty() ? "the body" : error.field) + what;
    if (error.index)
      error.message = "item " + std::to_string(*error.index) + ": " + error.message;
    refusal_ = std::move(error);
    ec = json::error::exception;  // any error stops the parser; refusal_ says which
    return false;
  }

  json::value_stack stack_;
  std::vector<Level> levels_;
  std::string key_;
  std::string number_;
  std::optional<Error> refusal_;
};

}  // namespace

Result<json::value> parse_json_exactly(std::string_view text, std::size_t max_depth) {
  json::parse_options options;
  options.max_depth = max_depth;
  json::basic_parser<ExactValueBuilder> parser(options);
  parser.handler().stack().reset();
  json::error_code ec;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (const auto& refusal = parser.handler().refusal())
    return *refusal;
  if (!ec && used < text.size())
    ec = json::error::extra_data;
  if (ec) {
    return make_error(ErrorKind::kInvalidPayload, "the body is not valid JSON: " + ec.message());
  }
  return parser.handler().stack().release();
}

}  // namespace agentsudo::server::api

#include "sdk/json_reader.hpp"

#include <charconv>
#include <cstdlib>

namespace agentsudo {

const JsonValue* JsonValue::find(std::string_view name) const noexcept {
  const JsonValue* found = nullptr;
  for (const Member& member : members_) {
    if (member.first == name)
      found = &member.second;
  }
  return found;
}

// A recursive-descent reader over one text; each method consumes what it
// reads from `pos_` and returns false (with error_ set) on malformed input.
class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  std::optional<JsonValue> parse_document() {
    JsonValue value;
    skip_whitespace();
    if (!parse_value(value, 0))
      return std::nullopt;
    skip_whitespace();
    if (pos_ != text_.size())
      return fail("trailing characters after the JSON value");
    return value;
  }

  const std::string& error() const noexcept { return error_; }

 private:
  static constexpr int kMaxDepth = 32;

  std::nullopt_t fail(std::string message) {
    if (error_.empty())
      error_ = std::move(message) + " at byte " + std::to_string(pos_);
    return std::nullopt;
  }

  void skip_whitespace() noexcept {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }

  bool parse_value(JsonValue& out, int depth) {
    if (depth > kMaxDepth) {
      fail("nesting deeper than 32 levels");
      return false;
    }
    if (pos_ >= text_.size()) {
      fail("unexpected end of input");
      return false;
    }
    char c = text_[pos_];
    if (c == '{')
      return parse_object(out, depth);
    if (c == '[')
      return parse_array(out, depth);
    if (c == '"') {
      out.kind_ = JsonValue::Kind::kString;
      return parse_string(out.string_);
    }
    if (consume("true") || consume("false")) {
      out.kind_ = JsonValue::Kind::kBool;
      out.boolean_ = c == 't';
      return true;
    }
    if (consume("null")) {
      out.kind_ = JsonValue::Kind::kNull;
      return true;
    }
    return parse_number(out);
  }

  bool parse_object(JsonValue& out, int depth) {
    out.kind_ = JsonValue::Kind::kObject;
    ++pos_;
    skip_whitespace();
    if (consume("}"))
      return true;
    while (true) {
      skip_whitespace();
      std::string name;
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        fail("expected a member name");
        return false;
      }
      if (!parse_string(name))
        return false;
      skip_whitespace();
      if (!consume(":")) {
        fail("expected ':'");
        return false;
      }
      skip_whitespace();
      JsonValue value;
      if (!parse_value(value, depth + 1))
        return false;
      out.members_.emplace_back(std::move(name), std::move(value));
      skip_whitespace();
      if (consume("}"))
        return true;
      if (!consume(",")) {
        fail("expected ',' or '}'");
        return false;
      }
    }
  }

  bool parse_array(JsonValue& out, int depth) {
    out.kind_ = JsonValue::Kind::kArray;
    ++pos_;
    skip_whitespace();
    if (consume("]"))
      return true;
    while (true) {
      skip_whitespace();
      JsonValue value;
      if (!parse_value(value, depth + 1))
        return false;
      out.array_.push_back(std::move(value));
      skip_whitespace();
      if (consume("]"))
        return true;
      if (!consume(",")) {
        fail("expected ',' or ']'");
        return false;
      }
    }
  }

  bool parse_hex4(std::uint32_t& out) {
    if (pos_ + 4 > text_.size())
      return false;
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, out, 16);
    if (ec != std::errc() || end != text_.data() + pos_ + 4)
      return false;
    pos_ += 4;
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
      out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
      out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
  }

  bool parse_escape(std::string& out) {
    if (pos_ >= text_.size()) {
      fail("unterminated escape");
      return false;
    }
    char c = text_[pos_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out.push_back(c);
        return true;
      case 'b':
        out.push_back('\b');
        return true;
      case 'f':
        out.push_back('\f');
        return true;
      case 'n':
        out.push_back('\n');
        return true;
      case 'r':
        out.push_back('\r');
        return true;
      case 't':
        out.push_back('\t');
        return true;
      case 'u':
        break;
      default:
        fail("invalid escape");
        return false;
    }
    std::uint32_t unit = 0;
    if (!parse_hex4(unit)) {
      fail("invalid \\u escape");
      return false;
    }
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      fail("lone low surrogate");
      return false;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      std::uint32_t low = 0;
      if (!consume("\\u") || !parse_hex4(low) || low < 0xDC00 || low > 0xDFFF) {
        fail("high surrogate without its low half");
        return false;
      }
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, unit);
    return true;
  }

  bool parse_string(std::string& out) {
    ++pos_;  // The opening quote.
    while (true) {
      if (pos_ >= text_.size()) {
        fail("unterminated string");
        return false;
      }
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        break;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        fail("control character in a string");
        return false;
      }
      ++pos_;
      if (c == '\\' && !parse_escape(out))
        return false;
      if (c != '\\')
        out.push_back(c);
    }
    return true;
  }

  bool parse_number(JsonValue& out) {
    std::size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-')
      ++pos_;
    auto digits = [&] {
      std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
        ++pos_;
      return pos_ - from;
    };
    std::size_t int_start = pos_;
    if (digits() == 0 || (text_[int_start] == '0' && pos_ - int_start > 1)) {
      pos_ = start;
      fail("invalid value");
      return false;
    }
    bool integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0) {
        fail("invalid number");
        return false;
      }
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
        ++pos_;
      if (digits() == 0) {
        fail("invalid number");
        return false;
      }
    }
    std::string_view literal = text_.substr(start, pos_ - start);
    if (integral) {
      auto [end, ec] =
          std::from_chars(literal.data(), literal.data() + literal.size(), out.integer_);
      if (ec == std::errc() && end == literal.data() + literal.size()) {
        out.kind_ = JsonValue::Kind::kInteger;
        return true;
      }
    }
    out.kind_ = JsonValue::Kind::kNumber;
    out.number_ = std::strtod(std::string(literal).c_str(), nullptr);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
};

std::optional<JsonValue> parse_json(std::string_view text, std::string* error) {
  JsonParser parser(text);
  std::optional<JsonValue> value = parser.parse_document();
  if (!value && error != nullptr)
    *error = parser.error();
  return value;
}

}  // namespace agentsudo

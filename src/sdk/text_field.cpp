#include "sdk/text_field.hpp"

#include <algorithm>

namespace agentsudo {
namespace {

// The length of the valid UTF-8 sequence starting `text`, or 0 if it is not
// one (overlong forms, surrogates and values past U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view text) noexcept {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80)
    return 1;
  std::size_t length = 0;
  unsigned min_second = 0x80, max_second = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0)
      min_second = 0xa0;
    if (lead == 0xed)
      max_second = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0)
      min_second = 0x90;
    if (lead == 0xf4)
      max_second = 0x8f;
  } else {
    return 0;
  }
  if (text.size() < length)
    return 0;
  if (byte(1) < min_second || byte(1) > max_second)
    return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf)
      return 0;
  }
  return length;
}

bool is_control(unsigned char c) noexcept {
  return c < 0x20 || c == 0x7f;
}

// Calls `emit` with the pieces of `text` made acceptable as a field (see
// to_field_text), stopping before the total would pass `max_bytes`.
template <class Emit>
void for_each_clean_piece(std::string_view text, std::size_t max_bytes, Emit emit) {
  static constexpr std::string_view kReplacement = "\xef\xbf\xbd";
  std::size_t written = 0;
  while (!text.empty()) {
    std::size_t length = utf8_sequence_length(text);
    bool valid = length > 0 && !(length == 1 && is_control(static_cast<unsigned char>(text[0])));
    std::string_view piece = valid ? text.substr(0, length) : kReplacement;
    if (written + piece.size() > max_bytes)
      break;
    emit(piece);
    written += piece.size();
    text.remove_prefix(valid ? length : 1);
  }
}

}  // namespace

bool is_clean_utf8(std::string_view text) noexcept {
  while (!text.empty()) {
    std::size_t length = utf8_sequence_length(text);
    if (length == 0 || (length == 1 && is_control(static_cast<unsigned char>(text[0])))) {
      return false;
    }
    text.remove_prefix(length);
  }
  return true;
}

std::string to_field_text(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for_each_clean_piece(text, max_bytes, [&](std::string_view piece) { out.append(piece); });
  return out;
}

void append_json_text(std::string& out, std::string_view text, std::size_t max_bytes) {
  out.push_back('"');
  // Control characters are already replaced, so only these two need escapes.
  for_each_clean_piece(text, max_bytes, [&](std::string_view piece) {
    if (piece.size() == 1 && (piece[0] == '"' || piece[0] == '\\'))
      out.push_back('\\');
    out.append(piece);
  });
  out.push_back('"');
}

}  // namespace agentsudo

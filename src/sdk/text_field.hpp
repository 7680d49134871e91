#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace agentsudo {

// True if `text` is valid UTF-8 without control characters (the server's rule
// for names and scopes).
bool is_clean_utf8(std::string_view text) noexcept;

// `text` made acceptable to the server as an event field: invalid UTF-8 and
// control characters become U+FFFD, and the result is cut at a character
// boundary to at most `max_bytes` bytes. One bad field must not get a whole
// batch refused.
std::string to_field_text(std::string_view text, std::size_t max_bytes);

// Appends to_field_text(text, max_bytes) to `out` as a JSON string literal.
void append_json_text(std::string& out, std::string_view text, std::size_t max_bytes);

}  // namespace agentsudo

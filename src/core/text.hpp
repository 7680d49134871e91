#pragma once

#include <string_view>

namespace agentsudo {

// True when UTF-8 `text` holds a C0 control, DEL, or a C1 control
// (U+0080-U+009F): characters that terminals and log viewers interpret, so
// names and scopes shown to people must not carry them.
bool contains_control_characters(std::string_view text);

}  // namespace agentsudo

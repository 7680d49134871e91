#include "core/text.hpp"

namespace agentsudo {

bool contains_control_characters(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F)
      return true;
    // C1 controls are encoded as C2 80 through C2 9F.
    if (c == 0xC2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F)
        return true;
    }
  }
  return false;
}

}  // namespace agentsudo

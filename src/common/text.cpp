#include "common/text.hpp"

namespace tabel {

std::string LowerRussian(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xD0 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x90 && next <= 0x9F) {  // А..П -> а..п
        out += '\xD0';
        out += static_cast<char>(next + 0x20);
      } else if (next >= 0xA0 && next <= 0xAF) {  // Р..Я -> р..я
        out += '\xD1';
        out += static_cast<char>(next - 0x20);
      } else if (next == 0x81) {  // Ё -> ё
        out += "\xD1\x91";
      } else {
        out += static_cast<char>(c);
        out += static_cast<char>(next);
      }
      ++i;
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c + 32);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool HasControlCharacters(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

}  // namespace tabel

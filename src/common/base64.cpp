#include "common/base64.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace tabel {
namespace {

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

int VariantOf(Base64 variant) {
  return variant == Base64::kStandard ? sodium_base64_VARIANT_ORIGINAL
                                      : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

}  // namespace

std::string Base64Encode(std::string_view bytes, Base64 variant) {
  EnsureSodium();
  const int sodium_variant = VariantOf(variant);
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), sodium_variant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_variant);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

std::optional<std::string> Base64Decode(std::string_view text, Base64 variant) {
  EnsureSodium();
  std::string bytes(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &length, &end, VariantOf(variant)) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  bytes.resize(length);
  return bytes;
}

}  // namespace tabel

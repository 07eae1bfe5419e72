#include "infra/curl.hpp"

#include "common/error.hpp"

namespace tabel::curl {

void Initialise() {
  static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (initialised != CURLE_OK) throw Error::Internal("curl_global_init failed");
}

std::string Describe(CURLcode result, const char* error_buffer) {
  std::string text = curl_easy_strerror(result);
  if (error_buffer != nullptr && error_buffer[0] != '\0') text.append(": ").append(error_buffer);
  return text;
}

}  // namespace tabel::curl

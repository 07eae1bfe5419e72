#pragma once
// libcurl, shared by what speaks to servers outside (the mail server, the
// language model): its one initialisation per process, handles with one
// owner each, and the text of a failed transfer.
//
// Thread-safety: Initialise from any thread; a handle belongs to one
// thread at a time.

#include <curl/curl.h>

#include <memory>
#include <string>

namespace tabel::curl {

// Initialises libcurl once per process, before the caller's first handle.
// Throws Error::Internal when it cannot.
void Initialise();

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using List = std::unique_ptr<curl_slist, ListDeleter>;

// "Couldn't connect to server: Failed to connect to 127.0.0.1 port 25"
// from a transfer's result and its CURLOPT_ERRORBUFFER.
std::string Describe(CURLcode result, const char* error_buffer);

}  // namespace tabel::curl

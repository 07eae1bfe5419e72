#pragma once
// Who does something, and from where: the caller's identity with the client
// address and request id that the audit log records with every write.
// Handlers build it (auth::ActorOf) and pass it to service methods.
// Thread-safety: a plain value.

#include <string>

#include "common/identity.hpp"

namespace tabel {

struct Actor {
  Identity identity;
  std::string client_address;
  std::string request_id;
};

}  // namespace tabel

#pragma once
// Random (version 4) UUIDs for message, task and entity ids.

#include <string>
#include <string_view>

namespace tabel {

// A version 4 UUID in canonical lowercase form
// ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", y in 8..b), 122 random bits read
// from the kernel's CSPRNG (getrandom), so it is safe from any thread, needs
// no seeding and never repeats across fork(). Throws std::system_error if the
// kernel refuses randomness (it does not block once the system has booted).
std::string NewUuid();

// True if `text` is a UUID in canonical form (any version, lowercase or
// uppercase hex).
bool IsUuid(std::string_view text);

}  // namespace tabel

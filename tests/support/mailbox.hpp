#pragma once
// The SMTP sink's Maildir (TABEL_TEST_SMTP_MAILBOX of scripts/test): which
// notifications' mails arrived, and how many times.

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

namespace tabel::testing {

struct Arrivals {
  int arrived = 0;     // of the notifications asked about
  int duplicates = 0;  // copies beyond the first
};

// Of the mails of notifications `ids` (Message-ID <id@`domain`>), how many
// are in `mailbox`/new, and how many copies beyond the first arrived.
Arrivals ArrivalsOf(const std::filesystem::path& mailbox, const std::string& domain,
                    const std::set<int64_t>& ids);

}  // namespace tabel::testing

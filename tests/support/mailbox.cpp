#include "support/mailbox.hpp"

#include <fstream>
#include <iterator>
#include <map>
#include <regex>

namespace tabel::testing {

Arrivals ArrivalsOf(const std::filesystem::path& mailbox, const std::string& domain,
                    const std::set<int64_t>& ids) {
  std::map<std::string, int> received;
  const std::regex message_id("Message-ID: <([0-9]+@" + std::regex_replace(domain, std::regex("\\."), "\\.") +
                              ")>");
  for (const auto& entry : std::filesystem::directory_iterator(mailbox / "new")) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::smatch match;
    if (std::regex_search(text, match, message_id)) ++received[match[1]];
  }
  Arrivals arrivals;
  for (const int64_t id : ids) {
    const auto found = received.find(std::to_string(id) + "@" + domain);
    if (found == received.end()) continue;
    ++arrivals.arrived;
    arrivals.duplicates += found->second - 1;
  }
  return arrivals;
}

}  // namespace tabel::testing

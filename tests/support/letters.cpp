#include "support/letters.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "support/tabel_process.hpp"

namespace tabel::testing {

std::string RenderLetter(const std::filesystem::path& dir, const LetterSpec& spec) {
  static int counter = 0;
  const std::filesystem::path base = dir / ("letter-" + std::to_string(++counter));
  {
    std::ofstream out(base.string() + ".spec.json");
    out << nlohmann::json{{"person", spec.person},
                          {"position", spec.position},
                          {"department", spec.department},
                          {"dismissal_date", FormatIsoDate(spec.dismissal_date)},
                          {"written_date", FormatIsoDate(spec.written_date)},
                          {"signature", spec.signature}}
               .dump();
  }
  const std::string png = base.string() + ".png";
  // Debian's python3 (python3-pil), not whichever python3 is first on PATH.
  const std::string command = "/usr/bin/python3 '" TABEL_SOURCE_DIR "/tests/agent/generate.py' --letter '" +
                              base.string() + ".spec.json' '" + png + "' 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot render a letter: " + command);
  std::ifstream in(png, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (bytes.str().empty()) throw std::runtime_error("the generator wrote no " + png);
  return bytes.str();
}

}  // namespace tabel::testing

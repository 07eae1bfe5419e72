#pragma once
// Reading back the files of the exports (analytics/t13_export.hpp,
// analytics/report_export.hpp) in tests: CSV records, the XML parts of an
// .xlsx (a zip, read with zlib, which libxlsxwriter links), and a private
// temporary folder to see the files an export leaves behind.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tabel::testing {

// RFC 4180 with ';' and CRLF: the records of `text` (after the BOM). A bare
// LF or a last line without CRLF fails the test.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text);

// A zip's parts: name and uncompressed content.
using ZipParts = std::vector<std::pair<std::string, std::string>>;

// The parts of a zip file without an archive comment whose parts are stored
// or deflated; nullopt if it is not one.
std::optional<ZipParts> Unzip(std::string_view zip);

// The content of part `name`; fails the test and returns "" if there is none.
std::string Part(const ZipParts& parts, std::string_view name);

// Expects the XML of a worksheet to print on landscape A4 scaled to one
// page wide.
void ExpectLandscapeA4OnePageWide(std::string_view sheet);

// Points TMPDIR at a fresh folder for the object's life, so that a test can
// see every temporary file an export leaves behind.
class TempDirScope {
 public:
  TempDirScope();
  ~TempDirScope();
  TempDirScope(const TempDirScope&) = delete;
  TempDirScope& operator=(const TempDirScope&) = delete;

  bool Empty() const { return std::filesystem::is_empty(path_); }

 private:
  std::filesystem::path path_;
  std::optional<std::string> old_;
};

}  // namespace tabel::testing

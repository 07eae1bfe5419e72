#include "support/spreadsheet_files.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>

namespace tabel::testing {

std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ';') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      ++i;
    } else {
      EXPECT_NE(c, '\n') << "a bare LF at " << i;
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && record.empty()) << "the last line has no CRLF";
  return records;
}

std::optional<ZipParts> Unzip(std::string_view zip) {
  const auto u16 = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<uint8_t>(zip[at])) |
           static_cast<uint32_t>(static_cast<uint8_t>(zip[at + 1])) << 8;
  };
  const auto u32 = [&](size_t at) { return u16(at) | u16(at + 2) << 16; };
  // The end of central directory record (no archive comment here).
  if (zip.size() < 22 || u32(zip.size() - 22) != 0x06054b50) return std::nullopt;
  const uint32_t entries = u16(zip.size() - 22 + 10);
  size_t at = u32(zip.size() - 22 + 16);
  ZipParts parts;
  for (uint32_t i = 0; i < entries; ++i) {
    if (at + 46 > zip.size() || u32(at) != 0x02014b50) return std::nullopt;
    const uint32_t method = u16(at + 10);
    const uint32_t compressed = u32(at + 20);
    const uint32_t size = u32(at + 24);
    const uint32_t name_length = u16(at + 28);
    const uint32_t local = u32(at + 42);
    std::string name(zip.substr(at + 46, name_length));
    at += 46 + name_length + u16(at + 30) + u16(at + 32);
    if (local + 30 > zip.size() || u32(local) != 0x04034b50) return std::nullopt;
    const size_t data = local + 30 + u16(local + 26) + u16(local + 28);
    if (data + compressed > zip.size()) return std::nullopt;
    std::string content(size, '\0');
    if (method == 0) {
      content = zip.substr(data, compressed);
    } else if (method == 8) {
      z_stream stream{};
      if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return std::nullopt;
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zip.data() + data));
      stream.avail_in = compressed;
      stream.next_out = reinterpret_cast<Bytef*>(content.data());
      stream.avail_out = size;
      const int result = inflate(&stream, Z_FINISH);
      inflateEnd(&stream);
      if (result != Z_STREAM_END || stream.total_out != size) return std::nullopt;
    } else {
      return std::nullopt;
    }
    parts.emplace_back(std::move(name), std::move(content));
  }
  return parts;
}

std::string Part(const ZipParts& parts, std::string_view name) {
  for (const auto& [part_name, content] : parts) {
    if (part_name == name) return content;
  }
  ADD_FAILURE() << "no part " << name;
  return {};
}

void ExpectLandscapeA4OnePageWide(std::string_view sheet) {
  EXPECT_NE(sheet.find("<pageSetup paperSize=\"9\""), std::string_view::npos);
  EXPECT_NE(sheet.find("orientation=\"landscape\""), std::string_view::npos);
  EXPECT_NE(sheet.find("fitToHeight=\"0\""), std::string_view::npos);
  EXPECT_NE(sheet.find("<pageSetUpPr fitToPage=\"1\"/>"), std::string_view::npos);
}

TempDirScope::TempDirScope() {
  const char* old = std::getenv("TMPDIR");
  if (old != nullptr) old_ = old;
  path_ = std::filesystem::temp_directory_path() /
          ("tabel-export-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + '-' +
           std::to_string(reinterpret_cast<uintptr_t>(this)));
  std::filesystem::create_directories(path_);
  setenv("TMPDIR", path_.c_str(), 1);
}

TempDirScope::~TempDirScope() {
  if (old_) {
    setenv("TMPDIR", old_->c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace tabel::testing

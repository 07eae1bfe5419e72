// OCR of the committed sample scans (tests/agent/samples, made by
// tests/agent/generate.py), file kinds and files that cannot be read.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <allheaders.h>

#include "agent/pipeline.hpp"
#include "agent/text.hpp"
#include "common/error.hpp"

namespace tabel::agent {
namespace {

std::string Sample(const std::string& name) {
  std::ifstream in(std::filesystem::path(TABEL_AGENT_SAMPLES) / name, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The words a reader of the letter sees, as the folded OCR text holds them.
void ExpectWords(const OcrText& ocr, const std::vector<std::u32string>& words) {
  const std::u32string text = Fold(ocr.text).chars;
  for (const auto& word : words) {
    EXPECT_TRUE(FindApprox(text, word, AllowedEdits(word.size()))) << ToUtf8(word) << " not in:\n"
                                                                   << ocr.text;
  }
}

Ocr& SharedOcr() {
  static const std::unique_ptr<Ocr> ocr = MakeTesseractOcr({});
  return *ocr;
}

std::string FieldOf(const Error& error) { return error.fields().empty() ? "" : error.fields().front().field; }

TEST(AgentFileKind, RecognisedByMagicBytesNotByName) {
  EXPECT_EQ(DetectFileKind("%PDF-1.7\n"), FileKind::kPdf);
  EXPECT_EQ(DetectFileKind("\x89PNG\r\n\x1a\n...."), FileKind::kPng);
  EXPECT_EQ(DetectFileKind("\xFF\xD8\xFF\xE0"), FileKind::kJpeg);
  EXPECT_EQ(DetectFileKind(std::string_view("II*\0\x08\0", 6)), FileKind::kTiff);
  EXPECT_EQ(DetectFileKind(std::string_view("MM\0*\0\0", 6)), FileKind::kTiff);
  EXPECT_EQ(DetectFileKind("PK\x03\x04"), std::nullopt);  // a .docx
  EXPECT_EQ(DetectFileKind("GIF89a"), std::nullopt);
  EXPECT_EQ(DetectFileKind(""), std::nullopt);
  EXPECT_EQ(MediaType(FileKind::kTiff), "image/tiff");
  EXPECT_EQ(DetectFileKind(Sample("signed.jpg")), FileKind::kJpeg);
  EXPECT_EQ(DetectFileKind(Sample("letter.pdf")), FileKind::kPdf);
}

TEST(AgentOcr, ReadsAPrintedScanWithWordConfidencesAndItsSignature) {
  const OcrText ocr = SharedOcr().Read(Sample("signed.jpg"), FileKind::kJpeg);
  EXPECT_EQ(ocr.pages, 1);
  ExpectWords(ocr,
              {U"заявление", U"прошу уволить меня", U"по собственному желанию", U"от", U"северный банк"});
  EXPECT_GT(ocr.words.size(), 20U);
  EXPECT_GT(ocr.mean_confidence, 70);
  for (const OcrWord& word : ocr.words) {
    EXPECT_GE(word.confidence, 0);
    EXPECT_LE(word.confidence, 100);
    EXPECT_GT(word.width, 0);
  }
  EXPECT_TRUE(ocr.signature_seen);
}

TEST(AgentOcr, AnUnsignedLetterHasNoSignature) {
  const OcrText ocr = SharedOcr().Read(Sample("unsigned.jpg"), FileKind::kJpeg);
  ExpectWords(ocr, {U"прошу уволить меня"});
  EXPECT_FALSE(ocr.signature_seen);
}

TEST(AgentOcr, RendersPdfPages) {
  const OcrText ocr = SharedOcr().Read(Sample("letter.pdf"), FileKind::kPdf);
  EXPECT_EQ(ocr.pages, 1);
  ExpectWords(ocr, {U"заявление", U"прошу уволить меня", U"по собственному желанию"});
  EXPECT_TRUE(ocr.signature_seen);
}

TEST(AgentOcr, ReadsAHandwritingLikeFont) {
  const OcrText ocr = SharedOcr().Read(Sample("handwritten.jpg"), FileKind::kJpeg);
  ExpectWords(ocr, {U"заявление", U"прошу уволить меня", U"по собственному желанию"});
  EXPECT_TRUE(ocr.signature_seen);
}

TEST(AgentOcr, ACorruptFileIsAnErrorOfTheFileField) {
  for (const auto& [bytes, kind] : std::vector<std::pair<std::string, FileKind>>{
           {"\x89PNG\r\n\x1a\n garbage", FileKind::kPng},
           {"\xFF\xD8\xFF\xE0 garbage", FileKind::kJpeg},
           {std::string("II*\0", 4) + "garbage", FileKind::kTiff},
           {"%PDF-1.4 garbage", FileKind::kPdf},
           {Sample("signed.jpg").substr(0, 3000), FileKind::kJpeg},
       }) {
    try {
      SharedOcr().Read(bytes, kind);
      ADD_FAILURE() << "read " << bytes.substr(0, 12);
    } catch (const Error& error) {
      EXPECT_EQ(FieldOf(error), "file");
    }
  }
}

// A PDF of `pages` empty A4 pages.
std::string EmptyPdf(int pages) {
  std::string pdf = "%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Count " +
                    std::to_string(pages) + "/Kids[";
  for (int p = 3; p < 3 + pages; ++p) pdf += std::to_string(p) + " 0 R ";
  pdf += "]>> endobj\n";
  for (int p = 3; p < 3 + pages; ++p) {
    pdf += std::to_string(p) + " 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n";
  }
  pdf += "trailer <</Root 1 0 R>>\n%%EOF\n";
  return pdf;
}

// A TIFF of `pages` small white pages, written by leptonica.
std::string Tiff(int pages) {
  Pixa* pixa = pixaCreate(pages);
  for (int p = 0; p < pages; ++p) {
    Pix* pix = pixCreate(64, 64, 1);
    pixaAddPix(pixa, pix, L_INSERT);
  }
  l_uint8* data = nullptr;
  size_t size = 0;
  const bool written = pixaWriteMemMultipageTiff(&data, &size, pixa) == 0;
  pixaDestroy(&pixa);
  std::string bytes = written ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
  lept_free(data);
  return bytes;
}

TEST(AgentOcr, CountsPagesWithoutRenderingThem) {
  EXPECT_EQ(CountPages(EmptyPdf(6), FileKind::kPdf), 6);
  EXPECT_EQ(CountPages(EmptyPdf(1), FileKind::kPdf), 1);
  EXPECT_EQ(CountPages(Sample("letter.pdf"), FileKind::kPdf), 1);
  EXPECT_EQ(CountPages(Sample("signed.jpg"), FileKind::kJpeg), 1);
  EXPECT_EQ(CountPages(Tiff(7), FileKind::kTiff), 7);
  for (const auto& [bytes, kind] : std::vector<std::pair<std::string, FileKind>>{
           {"%PDF-1.4 and nothing more", FileKind::kPdf}, {"II*\0 and nothing more", FileKind::kTiff}}) {
    try {
      CountPages(bytes, kind);
      ADD_FAILURE() << "counted " << bytes;
    } catch (const Error& error) {
      EXPECT_EQ(FieldOf(error), "file");
    }
  }
}

TEST(AgentOcr, AtMostFivePages) {
  const std::string pdf = EmptyPdf(6);
  try {
    SharedOcr().Read(pdf, FileKind::kPdf);
    ADD_FAILURE() << "a six-page PDF was read";
  } catch (const Error& error) {
    EXPECT_EQ(FieldOf(error), "file");
    EXPECT_NE(error.fields().front().message.find("5 pages"), std::string::npos);
  }
}

}  // namespace
}  // namespace tabel::agent

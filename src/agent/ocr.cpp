// OCR of a scanned letter: poppler-cpp renders PDF pages, leptonica decodes
// images and preprocesses every page (scaling to about 300 dpi, background
// normalisation, Otsu binarisation, deskew), tesseract reads it.
//
// Signature: the line of the signature is the lowest line holding
// «подпись», underscores or a «/Фамилия И. О./» decipherment (else the
// lowest line of text). Ink there — a connected component of the page that
// no word of the text's height covers, much taller than the text or wider
// than a word, and not a thin rule — is a handwritten mark.

#include <allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <poppler-document.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "agent/pipeline.hpp"
#include "agent/text.hpp"
#include "common/error.hpp"

namespace tabel::agent {
namespace {

constexpr double kTargetDpi = 300;
// A page is refused beyond this many pixels at 300 dpi (an A3 page is 17.4 M).
constexpr double kMaxPagePixels = 40e6;
// Words read at least this confidently hide the ink under them.
constexpr float kConfidentWord = 60;

struct PixDeleter {
  void operator()(Pix* pix) const { pixDestroy(&pix); }
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;
struct BoxaDeleter {
  void operator()(Boxa* boxa) const { boxaDestroy(&boxa); }
};
struct PixaDeleter {
  void operator()(Pixa* pixa) const { pixaDestroy(&pixa); }
};

Error BadFile(const std::string& message) { return Error::Validation({{"file", message}}); }

void Quiet(const std::string& /*message*/, void* /*closure*/) {}

// poppler and leptonica print their complaints on stderr: not in our log.
void Silence() {
  static const bool silenced = [] {
    setMsgSeverity(L_SEVERITY_NONE);
    poppler::set_debug_error_function(Quiet, nullptr);
    return true;
  }();
  (void)silenced;
}

std::unique_ptr<poppler::document> LoadPdf(std::string_view bytes) {
  std::unique_ptr<poppler::document> document(
      poppler::document::load_from_raw_data(bytes.data(), int(bytes.size())));
  if (!document || document->is_locked()) throw BadFile("is not a readable PDF document");
  if (document->pages() < 1) throw BadFile("has no pages");
  return document;
}

// An 8-bit grey page from a rendered PDF page (ARGB32 or grey).
PixPtr FromPoppler(const poppler::image& image) {
  const int width = image.width();
  const int height = image.height();
  PixPtr pix(pixCreate(width, height, 8));
  if (!pix) throw Error::Internal("pixCreate failed");
  const int stride = image.bytes_per_row();
  const char* data = image.const_data();
  l_uint32* lines = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < height; ++y) {
    const auto* row = reinterpret_cast<const unsigned char*>(data + ptrdiff_t(y) * stride);
    l_uint32* line = lines + ptrdiff_t(y) * wpl;
    for (int x = 0; x < width; ++x) {
      unsigned grey = row[x];
      if (image.format() == poppler::image::format_argb32 || image.format() == poppler::image::format_rgb24) {
        const unsigned char* p = row + ptrdiff_t(x) * 4;  // B, G, R, A in memory
        grey = (p[0] * 29U + p[1] * 150U + p[2] * 77U) >> 8U;
      }
      SET_DATA_BYTE(line, x, grey);
    }
  }
  pixSetResolution(pix.get(), int(kTargetDpi), int(kTargetDpi));
  return pix;
}

std::vector<PixPtr> RenderPdf(std::string_view bytes) {
  const std::unique_ptr<poppler::document> document = LoadPdf(bytes);
  const int pages = document->pages();
  if (pages > kMaxPages) throw BadFile("has more than " + std::to_string(kMaxPages) + " pages");
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing);
  std::vector<PixPtr> out;
  for (int p = 0; p < pages; ++p) {
    std::unique_ptr<poppler::page> page(document->create_page(p));
    if (!page) throw BadFile("is not a readable PDF document");
    const poppler::rectf box = page->page_rect();
    const double inches = (box.width() / 72.0) * (box.height() / 72.0);
    if (inches <= 0) throw BadFile("has an empty page");
    const double dpi = std::min(kTargetDpi, std::sqrt(kMaxPagePixels / inches));
    const poppler::image image = renderer.render_page(page.get(), dpi, dpi);
    if (!image.is_valid()) throw BadFile("has a page that cannot be rendered");
    out.push_back(FromPoppler(image));
  }
  return out;
}

std::vector<PixPtr> DecodeImage(std::string_view bytes, FileKind kind) {
  const auto* data = reinterpret_cast<const l_uint8*>(bytes.data());
  std::vector<PixPtr> out;
  if (kind == FileKind::kTiff) {
    std::unique_ptr<Pixa, PixaDeleter> pages(pixaReadMemMultipageTiff(data, bytes.size()));
    if (!pages || pixaGetCount(pages.get()) < 1) throw BadFile("is not a readable TIFF image");
    if (pixaGetCount(pages.get()) > kMaxPages) {
      throw BadFile("has more than " + std::to_string(kMaxPages) + " pages");
    }
    for (int p = 0; p < pixaGetCount(pages.get()); ++p) out.emplace_back(pixaGetPix(pages.get(), p, L_COPY));
  } else {
    l_int32 format = 0, width = 0, height = 0, bps = 0, spp = 0, colormap = 0;
    if (pixReadHeaderMem(data, bytes.size(), &format, &width, &height, &bps, &spp, &colormap) != 0) {
      throw BadFile(kind == FileKind::kPng ? "is not a readable PNG image" : "is not a readable JPEG image");
    }
    if (double(width) * double(height) > kMaxPagePixels) throw BadFile("is an image of too many pixels");
    out.emplace_back(pixReadMem(data, bytes.size()));
  }
  for (const PixPtr& page : out) {
    if (!page) throw BadFile("is not a readable image");
    if (double(pixGetWidth(page.get())) * double(pixGetHeight(page.get())) > kMaxPagePixels) {
      throw BadFile("is an image of too many pixels");
    }
  }
  return out;
}

// Grey, about 300 dpi, background flattened, binarised, deskewed.
PixPtr Preprocess(Pix* page) {
  PixPtr grey(pixConvertTo8(page, 0));
  if (!grey) throw BadFile("has a page of an unsupported pixel format");
  // The resolution the scanner wrote, else the one that makes the page's
  // shorter side an A4's width (8.27 inches).
  double dpi = pixGetXRes(grey.get());
  const int shorter = std::min(pixGetWidth(grey.get()), pixGetHeight(grey.get()));
  if (dpi < 70 || dpi > 1200) dpi = shorter / 8.27;
  const double scale = std::clamp(kTargetDpi / dpi, 0.25, 4.0);
  if (std::abs(scale - 1) > 0.15 &&
      double(pixGetWidth(grey.get())) * pixGetHeight(grey.get()) * scale * scale <= kMaxPagePixels) {
    grey.reset(scale > 1 ? pixScaleGrayLI(grey.get(), float(scale), float(scale))
                         : pixScaleAreaMap(grey.get(), float(scale), float(scale)));
    if (!grey) throw Error::Internal("leptonica: scaling failed");
  }
  PixPtr flat(pixBackgroundNormSimple(grey.get(), nullptr, nullptr));
  Pix* source = flat ? flat.get() : grey.get();
  Pix* binary_raw = nullptr;
  // One tile: a global Otsu threshold on the flattened page.
  if (pixOtsuAdaptiveThreshold(source, pixGetWidth(source), pixGetHeight(source), 0, 0, 0.0, nullptr,
                               &binary_raw) != 0 ||
      binary_raw == nullptr) {
    throw Error::Internal("leptonica: binarisation failed");
  }
  PixPtr binary(binary_raw);
  PixPtr straight(pixDeskew(binary.get(), 0));
  PixPtr out = straight ? std::move(straight) : std::move(binary);
  pixSetResolution(out.get(), int(kTargetDpi), int(kTargetDpi));
  return out;
}

struct Box {
  int left, top, right, bottom;
  bool Contains(int x, int y, int margin) const {
    return x >= left - margin && x <= right + margin && y >= top - margin && y <= bottom + margin;
  }
};

bool IsSignatureCue(const std::string& word) {
  const std::u32string folded = Fold(word).chars;
  return folded.find(U"__") != std::u32string::npos || folded.find(U"подпис") != std::u32string::npos ||
         (!folded.empty() && (folded.front() == U'/' || folded.back() == U'/' || folded.back() == U')'));
}

bool SignatureOnPage(Pix* binary, const std::vector<OcrWord>& words) {
  std::vector<int> heights;
  for (const OcrWord& word : words) {
    if (word.confidence >= kConfidentWord && word.text.size() >= 3) heights.push_back(word.height);
  }
  if (heights.empty()) return false;
  std::nth_element(heights.begin(), heights.begin() + ptrdiff_t(heights.size() / 2), heights.end());
  const int line = std::max(heights[heights.size() / 2], 8);
  // A word hides the ink under it, unless it is much taller than the text:
  // then it is a signature tesseract took for a word.
  std::vector<Box> printed;
  const OcrWord* anchor = nullptr;
  const OcrWord* lowest = nullptr;
  for (const OcrWord& word : words) {
    const Box box{word.left, word.top, word.left + word.width, word.top + word.height};
    if (word.height * 2 > line * 3) continue;
    printed.push_back(box);
    if (word.confidence >= kConfidentWord && (!lowest || box.bottom > lowest->top + lowest->height)) {
      lowest = &word;
    }
    if (IsSignatureCue(word.text) && (!anchor || word.top > anchor->top)) anchor = &word;
  }
  if (!anchor) anchor = lowest;
  if (!anchor) return false;
  const int top = anchor->top - 3 * line;
  const int bottom = anchor->top + anchor->height + 2 * line;

  std::unique_ptr<Boxa, BoxaDeleter> components(pixConnCompBB(binary, 8));
  if (!components) return false;
  for (int i = 0; i < boxaGetCount(components.get()); ++i) {
    l_int32 x = 0, y = 0, w = 0, h = 0;
    boxaGetBoxGeometry(components.get(), i, &x, &y, &w, &h);
    const int cx = x + w / 2;
    const int cy = y + h / 2;
    if (cy < top || cy > bottom) continue;
    if (h * 10 < line * 3) continue;  // a rule, an underscore, a speck
    const bool big = h * 10 >= line * 16 || (w >= 3 * line && h * 10 >= line * 8);
    if (!big) continue;
    const bool read = std::any_of(printed.begin(), printed.end(), [&](const Box& box) {
      return box.Contains(cx, cy, line / 4) && h <= 2 * (box.bottom - box.top);
    });
    if (!read) return true;
  }
  return false;
}

class TesseractOcr final : public Ocr {
 public:
  explicit TesseractOcr(const OcrOptions& options) {
    Silence();
    if (api_.Init(options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str(),
                  options.languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
      throw Error::Internal("tesseract cannot load the languages " + options.languages +
                            " (install tesseract-ocr-rus and tesseract-ocr-eng)");
    }
    api_.SetPageSegMode(tesseract::PSM_AUTO);
    api_.SetVariable("debug_file", "/dev/null");
  }
  ~TesseractOcr() override { api_.End(); }
  TesseractOcr(const TesseractOcr&) = delete;
  TesseractOcr& operator=(const TesseractOcr&) = delete;

  OcrText Read(std::string_view bytes, FileKind kind) override {
    if (bytes.size() > kMaxFileBytes) throw BadFile("is larger than 20 MiB");
    std::vector<PixPtr> pages = kind == FileKind::kPdf ? RenderPdf(bytes) : DecodeImage(bytes, kind);
    OcrText out;
    out.pages = int(pages.size());
    double confidence_sum = 0;
    for (size_t p = 0; p < pages.size(); ++p) {
      PixPtr page = Preprocess(pages[p].get());
      pages[p].reset();
      api_.SetImage(page.get());
      api_.SetSourceResolution(int(kTargetDpi));
      if (api_.Recognize(nullptr) != 0) throw BadFile("cannot be recognised");
      std::unique_ptr<char[]> text(api_.GetUTF8Text());
      if (p > 0) out.text += '\f';
      if (text) out.text += text.get();
      std::vector<OcrWord> words;
      std::unique_ptr<tesseract::ResultIterator> it(api_.GetIterator());
      if (it) {
        do {
          std::unique_ptr<char[]> word(it->GetUTF8Text(tesseract::RIL_WORD));
          if (!word) continue;
          OcrWord w;
          w.text = word.get();
          w.confidence = it->Confidence(tesseract::RIL_WORD);
          w.page = int(p);
          int right = 0, bottom = 0;
          it->BoundingBox(tesseract::RIL_WORD, &w.left, &w.top, &right, &bottom);
          w.width = right - w.left;
          w.height = bottom - w.top;
          confidence_sum += w.confidence;
          words.push_back(std::move(w));
        } while (it->Next(tesseract::RIL_WORD));
      }
      out.signature_seen = out.signature_seen || SignatureOnPage(page.get(), words);
      api_.Clear();
      out.words.insert(out.words.end(), std::make_move_iterator(words.begin()),
                       std::make_move_iterator(words.end()));
    }
    out.mean_confidence = out.words.empty() ? 0 : confidence_sum / double(out.words.size());
    return out;
  }

 private:
  tesseract::TessBaseAPI api_;
};

}  // namespace

int CountPages(std::string_view bytes, FileKind kind) {
  Silence();
  if (kind == FileKind::kPdf) return LoadPdf(bytes)->pages();
  if (kind != FileKind::kTiff) return 1;
  // leptonica counts a TIFF's directories from a FILE; this one is the bytes.
  const std::unique_ptr<FILE, decltype(&fclose)> file(
      fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "rb"), fclose);
  l_int32 count = 0;
  if (!file || tiffGetCount(file.get(), &count) != 0 || count < 1)
    throw BadFile("is not a readable TIFF image");
  return count;
}

std::unique_ptr<Ocr> MakeTesseractOcr(const OcrOptions& options) {
  return std::make_unique<TesseractOcr>(options);
}

}  // namespace tabel::agent

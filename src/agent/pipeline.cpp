#include "agent/pipeline.hpp"

namespace tabel::agent {

std::optional<FileKind> DetectFileKind(std::string_view bytes) {
  if (bytes.starts_with("%PDF-")) return FileKind::kPdf;
  if (bytes.starts_with("\x89PNG\r\n\x1a\n")) return FileKind::kPng;
  if (bytes.starts_with("\xFF\xD8\xFF")) return FileKind::kJpeg;
  if (bytes.starts_with(std::string_view("II*\0", 4)) || bytes.starts_with(std::string_view("MM\0*", 4))) {
    return FileKind::kTiff;
  }
  return std::nullopt;
}

std::string_view MediaType(FileKind kind) {
  switch (kind) {
    case FileKind::kPdf:
      return "application/pdf";
    case FileKind::kPng:
      return "image/png";
    case FileKind::kJpeg:
      return "image/jpeg";
    case FileKind::kTiff:
      return "image/tiff";
  }
  return "application/octet-stream";
}

Analysis Analyse(Ocr& ocr, Extractor& extractor, std::string_view bytes, FileKind kind,
                 const EmployeeRecord& employee, Date received_on) {
  Analysis analysis;
  analysis.ocr = ocr.Read(bytes, kind);
  analysis.extractor = std::string(extractor.name());
  analysis.extracted = extractor.Extract(analysis.ocr.text);
  analysis.grounded = Ground(analysis.extracted, analysis.ocr.text);
  analysis.decision = Validate(analysis.grounded, analysis.ocr.signature_seen, employee, received_on);
  return analysis;
}

}  // namespace tabel::agent

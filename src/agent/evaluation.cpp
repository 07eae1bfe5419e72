#include "agent/evaluation.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/text.hpp"
#include "common/error.hpp"

namespace tabel::agent {
namespace {

constexpr size_t kMaxLabelBytes = size_t{1} << 16;

std::string ReadFile(const std::filesystem::path& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read " + path.string());
  std::string bytes;
  bytes.resize(limit + 1);
  in.read(bytes.data(), std::streamsize(bytes.size()));
  bytes.resize(size_t(in.gcount()));
  if (bytes.size() > limit) throw std::invalid_argument(path.string() + " is too large");
  return bytes;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::optional<std::string> Text(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  return value.get<std::string>();
}

// A text field is right when both are missing, or both are there and the
// value read differs from the written one by at most one edit in five
// letters (OCR errors). The wording is only looked for (it may hold the date).
bool SameText(const std::optional<std::string>& expected, const std::optional<std::string>& got,
              bool presence) {
  if (!expected || !got) return !expected && !got;
  if (presence) return true;
  const std::u32string a = Fold(*expected).chars;
  const std::u32string b = Fold(*got).chars;
  return EditDistance(a, b) <= int(a.size() / 5);
}

std::string Percent(int part, int whole) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << (whole == 0 ? 0.0 : 100.0 * part / whole) << "% (" << part
      << "/" << whole << ")";
  return out.str();
}

}  // namespace

EvaluationSummary Evaluate(const std::filesystem::path& dir, Ocr& ocr, Extractor& extractor,
                           std::ostream& out) {
  std::vector<std::filesystem::path> labels;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") labels.push_back(entry.path());
  }
  std::sort(labels.begin(), labels.end());
  if (labels.empty()) throw std::invalid_argument("no labelled letters (*.json) in " + dir.string());

  static const std::vector<std::string> kFieldNames{"addressee",    "employee_name", "position",
                                                    "department",   "wording",       "dismissal_date",
                                                    "written_date", "signed"};
  std::map<std::string, int> right;
  EvaluationSummary summary;
  std::vector<double> seconds;
  const double cpu_start = CpuSeconds();
  for (const auto& label_path : labels) {
    const auto label = nlohmann::json::parse(ReadFile(label_path, kMaxLabelBytes), nullptr, false);
    if (!label.is_object() || !label.contains("file") || !label.contains("expected")) {
      throw std::invalid_argument(label_path.string() + " is not a letter's label");
    }
    const auto& person = label["employee"];
    EmployeeRecord employee{person.value("last_name", ""), person.value("first_name", ""),
                            person.value("middle_name", ""), person.value("position", ""), std::nullopt};
    if (auto ends = Text(person["probation_ends"])) employee.probation_ends = ParseIsoDate(*ends);
    const auto received = ParseIsoDate(label.value("received_on", ""));
    if (!received) throw std::invalid_argument(label_path.string() + ": received_on is not a date");
    const auto& expected = label["expected"];
    const auto& fields = expected["fields"];
    const std::string file = label["file"].get<std::string>();
    ++summary.letters;

    const auto started = std::chrono::steady_clock::now();
    std::optional<Analysis> analysis;
    std::string failure;
    try {
      const std::string bytes = ReadFile(dir / file, kMaxFileBytes);
      const auto kind = DetectFileKind(bytes);
      if (!kind) throw Error::Validation({{"file", "is not a PDF, PNG, JPEG or TIFF file"}});
      analysis = Analyse(ocr, extractor, bytes, *kind, employee, *received);
    } catch (const Error& error) {
      failure = error.detail() + (error.fields().empty() ? "" : " (" + error.fields().front().message + ")");
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (!analysis) {
      ++summary.failed;
      out << "  " << file << ": failed: " << failure << "\n";
      continue;
    }
    const Decision& decision = analysis->decision;
    const LetterFields& got = decision.fields;
    auto date = [](const std::optional<Date>& d) -> std::optional<std::string> {
      if (!d) return std::nullopt;
      return FormatIsoDate(*d);
    };
    const std::map<std::string, bool> correct{
        {"addressee", SameText(Text(fields["addressee"]), got.addressee, false)},
        {"employee_name", SameText(Text(fields["employee_name"]), got.employee_name, false)},
        {"position", SameText(Text(fields["position"]), got.position, false)},
        {"department", SameText(Text(fields["department"]), got.department, false)},
        {"wording", SameText(Text(fields["wording"]), got.wording, true)},
        {"dismissal_date", Text(fields["dismissal_date"]) == date(got.dismissal_date)},
        {"written_date", Text(fields["written_date"]) == date(got.written_date)},
        {"signed", fields.value("signed", false) == got.signed_},
    };
    std::string wrong;
    for (const auto& [name, ok] : correct) {
      right[name] += ok ? 1 : 0;
      if (!ok) wrong += " " + name;
    }
    // Invented: a value accepted for a field the letter does not have. (A
    // value misread by OCR is a wrong value: it counts in the field's
    // accuracy, and a wrong date is counted apart.)
    const std::vector<std::pair<const char*, bool>> accepted{
        {"addressee", got.addressee.has_value()},      {"employee_name", got.employee_name.has_value()},
        {"position", got.position.has_value()},        {"department", got.department.has_value()},
        {"wording", got.wording.has_value()},          {"dismissal_date", got.dismissal_date.has_value()},
        {"written_date", got.written_date.has_value()}};
    for (const auto& [name, present] : accepted) {
      if (!present) continue;
      if (fields[name].is_null()) {
        ++summary.invented_accepted;
        out << "  " << file << ": invented value accepted: " << name << "\n";
      } else if (std::string_view(name).ends_with("_date") && !correct.at(name)) {
        ++summary.wrong_dates_accepted;
      }
    }
    const bool accepted_letter = decision.problems.empty();
    const bool decision_right = accepted_letter == (expected.value("decision", "") == "accepted");
    summary.decisions_correct += decision_right ? 1 : 0;
    if (!decision_right || !wrong.empty()) {
      std::string problems;
      for (const Problem& problem : decision.problems) problems += " " + problem.code;
      out << "  " << file << " (" << label.value("kind", "") << "): decision "
          << (decision_right ? "right" : "WRONG") << ", problems:" << (problems.empty() ? " none" : problems)
          << (wrong.empty() ? "" : "; fields wrong:" + wrong) << "\n";
    }
  }
  const double cpu = CpuSeconds() - cpu_start;
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  const double p95 = seconds[std::min(seconds.size() - 1, size_t(double(seconds.size()) * 0.95))];

  out << "extractor: " << extractor.name() << "\n";
  out << "letters: " << summary.letters << " (failed to read: " << summary.failed << ")\n";
  out << "decision accuracy: " << Percent(summary.decisions_correct, summary.letters) << "\n";
  out << "field accuracy:\n";
  for (const std::string& name : kFieldNames) {
    out << "  " << std::left << std::setw(15) << name << " " << Percent(right[name], summary.letters) << "\n";
  }
  out << "invented values accepted: " << summary.invented_accepted << "\n";
  out << "dates accepted that differ from the letter's (misread): " << summary.wrong_dates_accepted << "\n";
  out << std::fixed << std::setprecision(2) << "time per letter: median " << median << " s, p95 " << p95
      << " s; CPU " << cpu / summary.letters << " s per letter, " << std::setprecision(1)
      << (cpu > 0 ? 60.0 * summary.letters / cpu : 0.0) << " letters per minute per core\n";
  out << (summary.Passed() ? "PASS" : "FAIL")
      << " (needs decision accuracy >= " << int(kRequiredDecisionAccuracy * 100)
      << "% and no invented value accepted)\n";
  return summary;
}

}  // namespace tabel::agent

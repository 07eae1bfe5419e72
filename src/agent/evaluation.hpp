#pragma once
// `tabel agent-eval DIR`: runs the pipeline over labelled letters (as
// tests/agent/generate.py writes them: letter-NNN.{png,jpg,tif,pdf} and
// letter-NNN.json) and reports per-field accuracy, decision accuracy, the
// values accepted that the letter does not hold, and the time per letter.
// Thread-safety: one thread.

#include <filesystem>
#include <ostream>

#include "agent/pipeline.hpp"

namespace tabel::agent {

// What a run must reach for the exit status 0.
inline constexpr double kRequiredDecisionAccuracy = 0.95;

struct EvaluationSummary {
  int letters = 0;
  int decisions_correct = 0;
  int invented_accepted = 0;     // a value accepted for a field the letter does not have
  int wrong_dates_accepted = 0;  // a date the letter has, misread
  int failed = 0;                // files the pipeline refused (counted as wrong decisions)
  bool Passed() const {
    return letters > 0 && invented_accepted == 0 && decisions_correct >= kRequiredDecisionAccuracy * letters;
  }
};

// Prints the report to `out` (and each wrong letter, for a look at it).
// Throws std::invalid_argument when DIR holds no labelled letter.
EvaluationSummary Evaluate(const std::filesystem::path& dir, Ocr& ocr, Extractor& extractor,
                           std::ostream& out);

}  // namespace tabel::agent

#pragma once
// Resignation letters rendered for a test, as a scanner would give them:
// tests/agent/generate.py draws one letter with the given fields (its dates
// relative to the day the test runs).
// Thread-safety: one test thread.

#include <filesystem>
#include <string>
#include <vector>

#include "common/date.hpp"

namespace tabel::testing {

struct LetterSpec {
  // Last, first and middle name in the nominative, then in the genitive:
  // {"Петров", "Иван", "Сергеевич", "Петрова", "Ивана", "Сергеевича"}.
  std::vector<std::string> person;
  std::vector<std::string> position;  // nominative, genitive: {"программист", "программиста"}
  std::string department;             // genitive: «отдела разработки»
  Date dismissal_date{};
  Date written_date{};
  bool signature = true;
};

// The PNG of the letter, drawn in `dir`. Throws std::runtime_error when the
// generator fails.
std::string RenderLetter(const std::filesystem::path& dir, const LetterSpec& spec);

}  // namespace tabel::testing

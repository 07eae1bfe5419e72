#pragma once
// The production calendar of the Russian Federation: for each year it has
// data for, the kind of every day and the norms of working time.
//
// A year is one JSON file (data/calendar/README.md describes the format):
// the public holidays of Labour Code art. 112, the transfers of days off
// (the Government's yearly decree, and art. 112's own move of a holiday that
// falls on a weekend), the weekend days made working, the pre-holiday days
// shortened by one hour (art. 95), and the totals the year was published
// with. Every year is checked against those totals when it is loaded, so a
// mistyped date cannot go unnoticed. The shipped years are compiled into the
// binary (data/calendar/ru/*.json); adding a year is adding a file.
//
// Norms follow the Ministry of Labour's method: a working day of a five-day
// week lasts week/5 hours (8, 7.2 and 4.8 h for 40, 36 and 24 h), one hour
// less on a pre-holiday day. Hours are kept in integer tenths.
//
// hr edits days through the API (calendar/service.hpp), stored in the
// table production_calendar_days, as overlays on the shipped data: a
// federal edit (region kFederalRegion) replaces the kind of its date for
// everyone (a new decree); a regional edit replaces it, on top of that, for
// the employees whose employees.region is exactly its region text (e.g.
// Tatarstan's Uraza Bayram). The norms of an edited year are recomputed;
// edits are not checked against the published totals, which describe the
// shipped decree only.
//
// Thread-safety: CalendarYear is immutable; ProductionCalendar's shipped
// years are immutable and its edits an immutable snapshot swapped
// atomically (SetEdits), so every method is safe from any thread and none
// reads the database.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/holidays.hpp"
#include "common/date.hpp"

namespace tabel::calendar {

enum class DayKind {
  kWorking,     // a full working day (a weekday, or a weekend day made working)
  kWeekend,     // a day off: Saturday, Sunday, or a day off transferred by decree
  kHoliday,     // a non-working public holiday (art. 112), whatever its weekday
  kPreholiday,  // a working day shortened by one hour (art. 95)
};

// "working", "weekend", "holiday", "preholiday".
std::string_view DayKindName(DayKind kind);
// The kind named `name` (as DayKindName gives it), or nullopt.
std::optional<DayKind> DayKindNamed(std::string_view name);

inline constexpr bool IsWorkingKind(DayKind kind) {
  return kind == DayKind::kWorking || kind == DayKind::kPreholiday;
}

// The week lengths norms are given for, in hours.
inline constexpr std::array<int, 3> kWeekHours = {40, 36, 24};

// The norm of one period for one week length.
struct Norm {
  int days = 0;
  int64_t hours_tenths = 0;  // 1972 h = 19720
  bool operator==(const Norm&) const = default;
};

// Norms of one period, indexed like kWeekHours.
struct Norms {
  std::array<Norm, kWeekHours.size()> by_week{};

  // The norm for `week_hours` (one of kWeekHours; anything else is a
  // programming error: std::out_of_range).
  const Norm& ForWeek(int week_hours) const;
  bool operator==(const Norms&) const = default;
};

// The totals a year was published with.
struct PublishedTotals {
  int working_days = 0;
  std::array<int64_t, kWeekHours.size()> hours_tenths{};  // indexed like kWeekHours
};

// A bad data file: the message names the file or year and what is wrong
// (for totals: the figure, the published and the computed value).
class CalendarDataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One year of the calendar.
class CalendarYear {
 public:
  int year() const { return year_; }
  // The decree and articles the year follows, as written in its file.
  const std::string& source() const { return source_; }

  // The first day of the year.
  Date first_day() const;
  // The kind of every day of the year, in order (365 or 366).
  const std::vector<DayKind>& days() const { return days_; }
  // The kind of `date`; `date` must fall in this year (std::out_of_range).
  DayKind KindOf(Date date) const;
  // Whether `date` is one of the year's art. 112 holidays.
  bool IsHoliday(Date date) const;

  const Norms& year_norms() const { return year_norms_; }
  // January at index 0.
  const std::array<Norms, 12>& month_norms() const { return month_norms_; }
  // The first quarter at index 0.
  const std::array<Norms, 4>& quarter_norms() const { return quarter_norms_; }

  // A copy with the kind of each of `kinds`' dates (all in this year:
  // std::out_of_range otherwise) replaced and the norms recomputed. Not
  // checked against the published totals.
  CalendarYear WithKinds(const std::map<Date, DayKind>& kinds) const;

 private:
  friend CalendarYear ParseCalendarYear(std::string_view text, std::string_view name);

  // Fills the norms of the months, quarters and the year from days_.
  void ComputeNorms();

  int year_ = 0;
  std::string source_;
  std::vector<DayKind> days_;
  std::array<Norms, 12> month_norms_{};
  std::array<Norms, 4> quarter_norms_{};
  Norms year_norms_;
};

// Parses and checks one year file; `name` (the file's path) is used in
// messages. Throws CalendarDataError when the text is not valid JSON, a
// member is missing, unknown or of the wrong type, a date is outside the
// year or contradicts another list (a transfer to a weekend, a working
// weekend that is a weekday, a pre-holiday day that is not working …), or
// when the computed working days or hours differ from the published ones.
CalendarYear ParseCalendarYear(std::string_view text, std::string_view name);

// The region of a federal edit: it applies to everyone.
inline constexpr std::string_view kFederalRegion = "";

// hr's edit of one day (a row of production_calendar_days).
struct DayEdit {
  // kFederalRegion, or the exact text of employees.region it applies to.
  std::string region;
  Date date;
  DayKind kind = DayKind::kWorking;
  std::string name;                   // e.g. "Ураза-байрам", or the decree
  std::optional<int64_t> account_id;  // who made it
  std::chrono::system_clock::time_point updated_at;
};

// Every edit at one revision of the table (a counter every write bumps).
struct CalendarEdits {
  int64_t revision = 0;
  std::vector<DayEdit> days;
};

// A year as an employee of one region sees it: the shipped data with the
// federal edits and then the region's applied, norms recomputed, and the
// edits in effect (one per date, ascending).
struct EffectiveYear {
  CalendarYear year;
  std::vector<DayEdit> edits;
};

// The years the product knows with hr's edits over them, answering
// HolidayCalendar for every date: from the year's data where there is
// some, else from the statutory list of art. 112 (StatutoryHolidays); an
// edit of the date (the employee's region first, then federal) wins over
// either.
// Not copyable or movable (the edits are swapped atomically in place).
class ProductionCalendar final : public HolidayCalendar {
 public:
  // Throws CalendarDataError when two of `years` are the same year.
  explicit ProductionCalendar(std::vector<CalendarYear> years);
  ~ProductionCalendar() override = default;
  ProductionCalendar(const ProductionCalendar&) = delete;
  ProductionCalendar& operator=(const ProductionCalendar&) = delete;

  // The years compiled into the binary (data/calendar/ru/*.json). Throws
  // CalendarDataError when one of them is bad.
  static ProductionCalendar Embedded();
  // The compiled-in years, then every `*.json` file of `directory` (empty:
  // none), each adding a year or replacing a compiled-in one (a decree newer
  // than the binary). Throws CalendarDataError when the directory cannot be
  // read, a file is bad, or two of its files give the same year.
  static ProductionCalendar Load(const std::string& directory);

  // The year, or nullptr without data for it.
  const CalendarYear* Find(int year) const;
  // The year; Error::NotFound without data for it.
  const CalendarYear& Year(int year) const;
  // The years with data, ascending.
  std::vector<int> Years() const;

  // A public holiday of art. 112. Days off transferred to a weekday are not
  // holidays: a vacation over them is charged (art. 120 excludes holidays
  // only), as with the statutory list.
  bool IsPublicHoliday(Date date, const std::optional<std::string>& region) const override;

  // The kind of any date for an employee of `region`: the kind of its
  // edit for `region`, else of its federal edit, else from the year's data
  // where there is some, else Saturday and Sunday off and the holidays of
  // art. 112 (no transfers, no shortened days).
  DayKind KindOf(Date date, const std::optional<std::string>& region) const;

  // The year with the edits of `region` (nullopt: federal ones only)
  // applied; Error::NotFound without data for it.
  EffectiveYear YearFor(int year, const std::optional<std::string>& region) const;
  // The edit in effect on `date` for an employee of `region` (its own,
  // else the federal one), if any.
  std::optional<DayEdit> EditOn(Date date, const std::optional<std::string>& region) const;
  // The edits of `year`: those of `region` only (kFederalRegion: the
  // federal ones), or every edit when nullopt; by region, then date.
  std::vector<DayEdit> EditsOf(int year, const std::optional<std::string>& region) const;

  // Puts `edits` in place unless those in place have the same or a newer
  // revision (a refresh that read before a newer write must not undo it);
  // returns whether it did.
  bool SetEdits(CalendarEdits edits);
  // The revision of the edits in place (0: none loaded yet).
  int64_t revision() const;

 private:
  // The edits by region (kFederalRegion first) and date, at one revision.
  struct EditIndex {
    int64_t revision = 0;
    std::map<std::string, std::map<Date, DayEdit>, std::less<>> by_region;
  };

  // The edit in effect on `date` for `region`, or nullptr.
  static const DayEdit* EditOf(const EditIndex& index, Date date, const std::optional<std::string>& region);
  // The edits in effect in `year` for `region`, one per date, ascending.
  static std::vector<DayEdit> EffectiveEdits(const EditIndex& index, int year,
                                             const std::optional<std::string>& region);

  std::map<int, CalendarYear> years_;
  StatutoryHolidays statutory_;
  std::atomic<std::shared_ptr<const EditIndex>> edits_;
};

}  // namespace tabel::calendar

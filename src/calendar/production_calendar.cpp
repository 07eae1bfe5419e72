#include "calendar/production_calendar.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/embedded.hpp"
#include "common/error.hpp"

namespace tabel::calendar {
namespace {

using nlohmann::json;

// Where the shipped years are embedded (common/embedded.hpp).
constexpr std::string_view kEmbeddedDirectory = "data/calendar/ru/";
constexpr std::string_view kDataExtension = ".json";

// A published figure larger than this many hours is a typo, not a year.
constexpr int64_t kMaxPublishedHours = 10000;

// The tenths of an hour a working day of a `week_hours` five-day week lasts,
// and the tenths a pre-holiday day is shorter by.
constexpr int64_t DayTenths(int week_hours) { return int64_t{week_hours} * 10 / 5; }
constexpr int64_t kPreholidayCutTenths = 10;

// "1972" or "1774.4".
std::string FormatTenths(int64_t tenths) {
  std::string text = std::to_string(tenths / 10);
  if (tenths % 10 != 0) text += "." + std::to_string(std::abs(tenths % 10));
  return text;
}

int YearOf(Date date) { return static_cast<int>(std::chrono::year_month_day(date).year()); }

bool IsWeekendDay(Date date) {
  const std::chrono::weekday day(date);
  return day == std::chrono::Saturday || day == std::chrono::Sunday;
}

// Reads one year file, naming the file in every complaint.
class YearReader {
 public:
  explicit YearReader(std::string_view name) : name_(name) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw CalendarDataError("production calendar " + name_ + ": " + what);
  }

  // Members of `object` other than `allowed` are typos: refused.
  void OnlyMembers(const json& object, std::string_view where,
                   std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        Fail("unknown member \"" + key + "\" in " + std::string(where));
      }
    }
  }

  const json& Member(const json& object, std::string_view where, const std::string& key) const {
    const auto found = object.find(key);
    if (found == object.end()) Fail("\"" + key + "\" is missing in " + std::string(where));
    return *found;
  }

  int Year(const json& value) const {
    if (!value.is_number_integer()) Fail("\"year\" must be an integer");
    const int64_t year = value.get<int64_t>();
    if (year < static_cast<int>(kMinYear) || year > static_cast<int>(kMaxYear)) {
      Fail("\"year\" " + std::to_string(year) + " is out of range");
    }
    return static_cast<int>(year);
  }

  // An ISO date inside `year`.
  Date DateIn(const json& value, std::string_view where, int year) const {
    if (!value.is_string()) Fail(std::string(where) + ": a date must be a string \"YYYY-MM-DD\"");
    const std::string& text = value.get_ref<const std::string&>();
    const std::optional<Date> date = ParseIsoDate(text);
    if (!date) Fail(std::string(where) + ": \"" + text + "\" is not a date \"YYYY-MM-DD\"");
    if (static_cast<int>(std::chrono::year_month_day(*date).year()) != year) {
      Fail(std::string(where) + ": " + text + " is not in " + std::to_string(year));
    }
    return *date;
  }

  // An array of distinct dates inside `year`.
  std::vector<Date> Dates(const json& value, std::string_view where, int year) const {
    if (!value.is_array()) Fail("\"" + std::string(where) + "\" must be an array of dates");
    std::vector<Date> dates;
    std::set<Date> seen;
    for (const json& item : value) {
      const Date date = DateIn(item, where, year);
      if (!seen.insert(date).second)
        Fail(std::string(where) + ": " + FormatIsoDate(date) + " is listed twice");
      dates.push_back(date);
    }
    return dates;
  }

  // Hours as a JSON number with at most one decimal, in tenths.
  int64_t HoursTenths(const json& value, std::string_view where) const {
    int64_t tenths = 0;
    if (value.is_number_integer()) {
      const int64_t hours = value.get<int64_t>();
      if (hours < 0 || hours > kMaxPublishedHours) Fail(std::string(where) + " is out of range");
      tenths = hours * 10;
    } else if (value.is_number_float()) {
      const double hours = value.get<double>();
      if (!(hours >= 0 && hours <= static_cast<double>(kMaxPublishedHours))) {
        Fail(std::string(where) + " is out of range");
      }
      tenths = std::llround(hours * 10);
      if (std::abs(hours * 10 - static_cast<double>(tenths)) > 1e-6) {
        Fail(std::string(where) + " must have at most one decimal");
      }
    } else {
      Fail(std::string(where) + " must be a number");
    }
    return tenths;
  }

  PublishedTotals Published(const json& value) const {
    if (!value.is_object()) Fail("\"published\" must be an object");
    OnlyMembers(value, "\"published\"", {"working_days", "hours"});
    PublishedTotals totals;
    const json& days = Member(value, "\"published\"", "working_days");
    if (!days.is_number_integer() || days.get<int64_t>() < 0 || days.get<int64_t>() > 366) {
      Fail("\"published\".\"working_days\" must be an integer from 0 to 366");
    }
    totals.working_days = days.get<int>();
    const json& hours = Member(value, "\"published\"", "hours");
    if (!hours.is_object()) Fail("\"published\".\"hours\" must be an object");
    OnlyMembers(hours, "\"published\".\"hours\"", {"40", "36", "24"});
    for (size_t i = 0; i < kWeekHours.size(); ++i) {
      const std::string week = std::to_string(kWeekHours[i]);
      totals.hours_tenths[i] = HoursTenths(Member(hours, "\"published\".\"hours\"", week),
                                           "published hours at " + week + " h/week");
    }
    return totals;
  }

 private:
  std::string name_;
};

// The norms of the days [from, to) of `days`.
Norms NormsOf(const std::vector<DayKind>& days, size_t from, size_t to) {
  Norms norms;
  for (size_t i = from; i < to; ++i) {
    if (!IsWorkingKind(days[i])) continue;
    for (size_t w = 0; w < kWeekHours.size(); ++w) {
      Norm& norm = norms.by_week[w];
      ++norm.days;
      norm.hours_tenths += DayTenths(kWeekHours[w]);
      if (days[i] == DayKind::kPreholiday) norm.hours_tenths -= kPreholidayCutTenths;
    }
  }
  return norms;
}

Norms Sum(const Norms& a, const Norms& b) {
  Norms sum;
  for (size_t w = 0; w < kWeekHours.size(); ++w) {
    sum.by_week[w].days = a.by_week[w].days + b.by_week[w].days;
    sum.by_week[w].hours_tenths = a.by_week[w].hours_tenths + b.by_week[w].hours_tenths;
  }
  return sum;
}

// Calls f(edit) for every edit of `days` dated in `year`, ascending.
template <class F>
void ForEachInYear(const std::map<Date, DayEdit>& days, int year, F f) {
  const Date next{std::chrono::year{year + 1} / std::chrono::January / 1};
  for (auto it = days.lower_bound(Date{std::chrono::year{year} / std::chrono::January / 1});
       it != days.end() && it->first < next; ++it) {
    f(it->second);
  }
}

// The years compiled into the binary, each parsed and checked.
std::vector<CalendarYear> EmbeddedYears() {
  std::vector<CalendarYear> years;
  for (const embedded::File& file : embedded::All()) {
    if (file.path.starts_with(kEmbeddedDirectory) && file.path.ends_with(kDataExtension)) {
      years.push_back(ParseCalendarYear(file.content, file.path));
    }
  }
  return years;
}

}  // namespace

std::optional<DayKind> DayKindNamed(std::string_view name) {
  for (const DayKind kind : {DayKind::kWorking, DayKind::kWeekend, DayKind::kHoliday, DayKind::kPreholiday}) {
    if (DayKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string_view DayKindName(DayKind kind) {
  switch (kind) {
    case DayKind::kWorking:
      return "working";
    case DayKind::kWeekend:
      return "weekend";
    case DayKind::kHoliday:
      return "holiday";
    case DayKind::kPreholiday:
      return "preholiday";
  }
  return "working";
}

const Norm& Norms::ForWeek(int week_hours) const {
  for (size_t w = 0; w < kWeekHours.size(); ++w) {
    if (kWeekHours[w] == week_hours) return by_week[w];
  }
  throw std::out_of_range("no norms for a " + std::to_string(week_hours) + "-hour week");
}

Date CalendarYear::first_day() const { return Date{std::chrono::year{year_} / std::chrono::January / 1}; }

DayKind CalendarYear::KindOf(Date date) const {
  const auto index = (date - first_day()).count();
  if (index < 0 || static_cast<size_t>(index) >= days_.size()) {
    throw std::out_of_range(FormatIsoDate(date) + " is not in " + std::to_string(year_));
  }
  return days_[static_cast<size_t>(index)];
}

bool CalendarYear::IsHoliday(Date date) const { return KindOf(date) == DayKind::kHoliday; }

CalendarYear CalendarYear::WithKinds(const std::map<Date, DayKind>& kinds) const {
  CalendarYear result = *this;
  for (const auto& [date, kind] : kinds) {
    const auto index = (date - first_day()).count();
    if (index < 0 || static_cast<size_t>(index) >= days_.size()) {
      throw std::out_of_range(FormatIsoDate(date) + " is not in " + std::to_string(year_));
    }
    result.days_[static_cast<size_t>(index)] = kind;
  }
  result.ComputeNorms();
  return result;
}

void CalendarYear::ComputeNorms() {
  size_t month_start = 0;
  for (unsigned month = 1; month <= 12; ++month) {
    const std::chrono::year_month month_of_year{std::chrono::year{year_}, std::chrono::month{month}};
    const auto length = static_cast<size_t>(
        static_cast<unsigned>(std::chrono::year_month_day_last(month_of_year / std::chrono::last).day()));
    month_norms_[month - 1] = NormsOf(days_, month_start, month_start + length);
    month_start += length;
  }
  year_norms_ = Norms{};
  for (size_t quarter = 0; quarter < 4; ++quarter) {
    quarter_norms_[quarter] = Norms{};
    for (size_t month = quarter * 3; month < quarter * 3 + 3; ++month) {
      quarter_norms_[quarter] = Sum(quarter_norms_[quarter], month_norms_[month]);
    }
    year_norms_ = Sum(year_norms_, quarter_norms_[quarter]);
  }
}

CalendarYear ParseCalendarYear(std::string_view text, std::string_view name) {
  const YearReader reader(name);
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) reader.Fail("is not valid JSON");
  if (!root.is_object()) reader.Fail("must be a JSON object");
  reader.OnlyMembers(
      root, "the file",
      {"year", "source", "holidays", "transfers", "working_weekends", "preholidays", "published"});

  CalendarYear result;
  const int year = reader.Year(reader.Member(root, "the file", "year"));
  result.year_ = year;
  const json& source = reader.Member(root, "the file", "source");
  if (!source.is_string() || source.get_ref<const std::string&>().empty()) {
    reader.Fail("\"source\" must be a non-empty string");
  }
  result.source_ = source.get<std::string>();

  const Date first = result.first_day();
  const Date next_year{std::chrono::year{year + 1} / std::chrono::January / 1};
  std::vector<DayKind>& days = result.days_;
  for (Date day = first; day < next_year; day += std::chrono::days{1}) {
    days.push_back(IsWeekendDay(day) ? DayKind::kWeekend : DayKind::kWorking);
  }
  const auto at = [&](Date date) -> DayKind& { return days[static_cast<size_t>((date - first).count())]; };

  for (const Date date : reader.Dates(reader.Member(root, "the file", "holidays"), "holidays", year)) {
    at(date) = DayKind::kHoliday;
  }

  // A transfer moves the rest of a weekend day (a holiday on a weekend, or a
  // weekend day made working) to a weekday, which becomes a day off.
  const json& transfers = reader.Member(root, "the file", "transfers");
  if (!transfers.is_array()) reader.Fail("\"transfers\" must be an array of {\"from\", \"to\"}");
  std::set<Date> transferred_from;
  for (const json& transfer : transfers) {
    if (!transfer.is_object()) reader.Fail("\"transfers\" must be an array of {\"from\", \"to\"}");
    reader.OnlyMembers(transfer, "a transfer", {"from", "to"});
    const Date from = reader.DateIn(reader.Member(transfer, "a transfer", "from"), "transfers", year);
    const Date to = reader.DateIn(reader.Member(transfer, "a transfer", "to"), "transfers", year);
    if (!IsWeekendDay(from)) {
      reader.Fail("transfers: " + FormatIsoDate(from) + " is a weekday; a day off moves from a weekend day");
    }
    if (!transferred_from.insert(from).second) {
      reader.Fail("transfers: " + FormatIsoDate(from) + " is transferred twice");
    }
    if (at(to) != DayKind::kWorking) {
      reader.Fail("transfers: " + FormatIsoDate(to) + " is already a day off");
    }
    at(to) = DayKind::kWeekend;
  }

  const std::vector<Date> working_weekends =
      reader.Dates(reader.Member(root, "the file", "working_weekends"), "working_weekends", year);
  for (const Date date : working_weekends) {
    if (!IsWeekendDay(date)) reader.Fail("working_weekends: " + FormatIsoDate(date) + " is a weekday");
    if (at(date) == DayKind::kHoliday)
      reader.Fail("working_weekends: " + FormatIsoDate(date) + " is a holiday");
    if (transferred_from.count(date) == 0) {
      reader.Fail("working_weekends: the day off of " + FormatIsoDate(date) + " is not transferred anywhere");
    }
    at(date) = DayKind::kWorking;
  }
  for (const Date from : transferred_from) {
    if (at(from) == DayKind::kWeekend) {
      reader.Fail("transfers: " + FormatIsoDate(from) + " is neither a holiday nor in working_weekends");
    }
  }

  for (const Date date : reader.Dates(reader.Member(root, "the file", "preholidays"), "preholidays", year)) {
    if (at(date) != DayKind::kWorking)
      reader.Fail("preholidays: " + FormatIsoDate(date) + " is not a working day");
    at(date) = DayKind::kPreholiday;
  }

  result.ComputeNorms();

  const PublishedTotals published = reader.Published(reader.Member(root, "the file", "published"));
  const Norm& forty = result.year_norms_.ForWeek(40);
  if (forty.days != published.working_days) {
    reader.Fail("working days of " + std::to_string(year) + ": published " +
                std::to_string(published.working_days) + ", computed " + std::to_string(forty.days));
  }
  for (size_t w = 0; w < kWeekHours.size(); ++w) {
    const int64_t computed = result.year_norms_.by_week[w].hours_tenths;
    if (computed != published.hours_tenths[w]) {
      reader.Fail("hours at " + std::to_string(kWeekHours[w]) + " h/week of " + std::to_string(year) +
                  ": published " + FormatTenths(published.hours_tenths[w]) + ", computed " +
                  FormatTenths(computed));
    }
  }
  return result;
}

ProductionCalendar::ProductionCalendar(std::vector<CalendarYear> years)
    : edits_(std::make_shared<const EditIndex>()) {
  for (CalendarYear& year : years) {
    const int number = year.year();
    if (!years_.emplace(number, std::move(year)).second) {
      throw CalendarDataError("production calendar: the year " + std::to_string(number) + " is given twice");
    }
  }
}

ProductionCalendar ProductionCalendar::Embedded() { return ProductionCalendar(EmbeddedYears()); }

ProductionCalendar ProductionCalendar::Load(const std::string& directory) {
  std::map<int, CalendarYear> by_number;
  for (CalendarYear& year : EmbeddedYears()) {
    const int number = year.year();
    by_number.insert_or_assign(number, std::move(year));
  }
  const auto calendar = [&by_number] {
    std::vector<CalendarYear> years;
    years.reserve(by_number.size());
    for (auto& [number, year] : by_number) years.push_back(std::move(year));
    return ProductionCalendar(std::move(years));
  };
  if (directory.empty()) return calendar();
  std::vector<std::filesystem::path> paths;
  std::error_code error;
  for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() == kDataExtension && it->is_regular_file()) paths.push_back(it->path());
  }
  if (error) {
    throw CalendarDataError("production calendar: cannot read the folder " + directory + ": " +
                            error.message());
  }
  std::sort(paths.begin(), paths.end());
  std::set<int> seen;
  for (const std::filesystem::path& path : paths) {
    std::ifstream file(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file) throw CalendarDataError("production calendar: cannot read " + path.string());
    CalendarYear year = ParseCalendarYear(text, path.string());
    const int number = year.year();
    if (!seen.insert(number).second) {
      throw CalendarDataError("production calendar: the year " + std::to_string(number) +
                              " is given twice in " + directory);
    }
    by_number.insert_or_assign(number, std::move(year));
  }
  return calendar();
}

const CalendarYear* ProductionCalendar::Find(int year) const {
  const auto found = years_.find(year);
  return found == years_.end() ? nullptr : &found->second;
}

const CalendarYear& ProductionCalendar::Year(int year) const {
  const CalendarYear* found = Find(year);
  if (found == nullptr) {
    throw Error::NotFound("There is no production calendar for " + std::to_string(year) + ".");
  }
  return *found;
}

std::vector<int> ProductionCalendar::Years() const {
  std::vector<int> years;
  years.reserve(years_.size());
  for (const auto& [year, data] : years_) years.push_back(year);
  return years;
}

bool ProductionCalendar::IsPublicHoliday(Date date, const std::optional<std::string>& region) const {
  const std::shared_ptr<const EditIndex> edits = edits_.load();
  if (const DayEdit* edit = EditOf(*edits, date, region)) return edit->kind == DayKind::kHoliday;
  const CalendarYear* year = Find(YearOf(date));
  if (year == nullptr) return statutory_.IsPublicHoliday(date, region);
  return year->IsHoliday(date);
}

DayKind ProductionCalendar::KindOf(Date date, const std::optional<std::string>& region) const {
  const std::shared_ptr<const EditIndex> edits = edits_.load();
  if (const DayEdit* edit = EditOf(*edits, date, region)) return edit->kind;
  const CalendarYear* year = Find(YearOf(date));
  if (year != nullptr) return year->KindOf(date);
  if (statutory_.IsPublicHoliday(date, region)) return DayKind::kHoliday;
  return IsWeekendDay(date) ? DayKind::kWeekend : DayKind::kWorking;
}

EffectiveYear ProductionCalendar::YearFor(int year, const std::optional<std::string>& region) const {
  const CalendarYear& shipped = Year(year);
  const std::shared_ptr<const EditIndex> edits = edits_.load();
  std::vector<DayEdit> effective = EffectiveEdits(*edits, year, region);
  if (effective.empty()) return {shipped, {}};
  std::map<Date, DayKind> kinds;
  for (const DayEdit& edit : effective) kinds.emplace(edit.date, edit.kind);
  return {shipped.WithKinds(kinds), std::move(effective)};
}

std::vector<DayEdit> ProductionCalendar::EditsOf(int year, const std::optional<std::string>& region) const {
  const std::shared_ptr<const EditIndex> edits = edits_.load();
  std::vector<DayEdit> result;
  for (const auto& [name, days] : edits->by_region) {
    if (!region || name == *region)
      ForEachInYear(days, year, [&](const DayEdit& edit) { result.push_back(edit); });
  }
  return result;
}

std::optional<DayEdit> ProductionCalendar::EditOn(Date date, const std::optional<std::string>& region) const {
  const std::shared_ptr<const EditIndex> edits = edits_.load();
  const DayEdit* edit = EditOf(*edits, date, region);
  if (edit == nullptr) return std::nullopt;
  return *edit;
}

bool ProductionCalendar::SetEdits(CalendarEdits edits) {
  auto index = std::make_shared<EditIndex>();
  index->revision = edits.revision;
  for (DayEdit& edit : edits.days) {
    const Date date = edit.date;
    std::string region = edit.region;
    index->by_region[std::move(region)].insert_or_assign(date, std::move(edit));
  }
  std::shared_ptr<const EditIndex> current = edits_.load();
  std::shared_ptr<const EditIndex> next = std::move(index);
  while (current->revision < next->revision) {
    if (edits_.compare_exchange_weak(current, next)) return true;
  }
  return false;
}

int64_t ProductionCalendar::revision() const { return edits_.load()->revision; }

const DayEdit* ProductionCalendar::EditOf(const EditIndex& index, Date date,
                                          const std::optional<std::string>& region) {
  if (index.by_region.empty()) return nullptr;
  const auto find = [&](std::string_view name) -> const DayEdit* {
    const auto days = index.by_region.find(name);
    if (days == index.by_region.end()) return nullptr;
    const auto edit = days->second.find(date);
    return edit == days->second.end() ? nullptr : &edit->second;
  };
  if (region && *region != kFederalRegion) {
    if (const DayEdit* edit = find(*region)) return edit;
  }
  return find(kFederalRegion);
}

std::vector<DayEdit> ProductionCalendar::EffectiveEdits(const EditIndex& index, int year,
                                                        const std::optional<std::string>& region) {
  std::map<Date, const DayEdit*> effective;
  const auto take = [&](std::string_view name) {
    const auto days = index.by_region.find(name);
    if (days == index.by_region.end()) return;
    ForEachInYear(days->second, year,
                  [&](const DayEdit& edit) { effective.insert_or_assign(edit.date, &edit); });
  };
  take(kFederalRegion);
  if (region && *region != kFederalRegion) take(*region);
  std::vector<DayEdit> result;
  result.reserve(effective.size());
  for (const auto& [date, edit] : effective) result.push_back(*edit);
  return result;
}

}  // namespace tabel::calendar

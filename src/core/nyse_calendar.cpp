#include "core/nyse_calendar.h"

#include <array>
#include <cassert>
#include <cstdint>
#include <vector>

namespace itrade::core {
namespace {

constexpr DayNumber kFirstDay = days_from_civil(NyseCalendar::kFirstYear, 1, 1);
constexpr DayNumber kLastDay = days_from_civil(NyseCalendar::kLastYear, 12, 31);
constexpr int kDayCount = kLastDay - kFirstDay + 1;

constexpr int kSunday = 0;
constexpr int kMonday = 1;
constexpr int kTuesday = 2;
constexpr int kWednesday = 3;
constexpr int kThursday = 4;
constexpr int kSaturday = 6;

constexpr std::int64_t kRegularOpen = 9 * kNanosPerHour + 30 * kNanosPerMinute;  // New York wall clock
constexpr std::int64_t kRegularClose = 16 * kNanosPerHour;
constexpr std::int64_t kEarlyClose = 13 * kNanosPerHour;

// Weekday-based holidays: the n-th (1-based) `wday` of a month, or the last one
// (n = -1).
DayNumber nth_weekday(int year, int month, int wday, int n) {
  if (n > 0) {
    const DayNumber first = days_from_civil(year, month, 1);
    return first + (wday - weekday(first) + 7) % 7 + 7 * (n - 1);
  }
  const DayNumber last = days_from_civil(year, month + 1, 1) - 1;  // month < 12 for our uses
  return last - (weekday(last) - wday + 7) % 7;
}

// Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" computus).
DayNumber easter_sunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return days_from_civil(year, month, day);
}

// A fixed-date holiday observed on Friday when it falls on Saturday, Monday
// when on Sunday.
DayNumber nearest_weekday(DayNumber day) {
  switch (weekday(day)) {
    case kSaturday:
      return day - 1;
    case kSunday:
      return day + 1;
    default:
      return day;
  }
}

// Closures that no rule produces (docs/calendar.md lists why).
constexpr std::array<CivilDate, 10> kOneOffClosures{{
    {2001, 9, 11},
    {2001, 9, 12},
    {2001, 9, 13},
    {2001, 9, 14},  // September 11 attacks
    {2004, 6, 11},  // President Reagan's funeral
    {2007, 1, 2},   // President Ford's day of mourning
    {2012, 10, 29},
    {2012, 10, 30},  // Hurricane Sandy
    {2018, 12, 5},   // President G.H.W. Bush's day of mourning
    {2025, 1, 9},    // President Carter's day of mourning
}};

// Early closes that no rule produces: the Friday after Christmas 2003.
constexpr std::array<CivilDate, 1> kOneOffEarlyCloses{{{2003, 12, 26}}};

enum class DayKind : std::uint8_t { weekend, holiday, regular, early_close };

}  // namespace

struct NyseCalendar::Impl {
  std::vector<DayKind> kind;               // per day since kFirstDay
  std::vector<Session> sessions;           // every session, in order
  std::vector<std::int32_t> at_or_after;   // per day (+1 sentinel): first session index with day >= it
  std::vector<std::int32_t> at_or_before;  // per day: last session index with day <= it, or -1
  std::vector<Timestamp> midnight_utc;     // per day (+1): the UTC instant of New York midnight

  Impl();

  static int index(DayNumber day) { return day - kFirstDay; }
  void mark(DayNumber day, DayKind k) {
    if (day < kFirstDay || day > kLastDay) return;
    DayKind& slot = kind[static_cast<std::size_t>(index(day))];
    if (slot == DayKind::weekend) return;  // e.g. an observance that lands on a weekend
    // A full-day closure wins over an early close on the same day.
    if (slot == DayKind::holiday && k == DayKind::early_close) return;
    slot = k;
  }
};

NyseCalendar::Impl::Impl() : kind(kDayCount, DayKind::regular) {
  for (DayNumber day = kFirstDay; day <= kLastDay; ++day) {
    const int wd = weekday(day);
    if (wd == kSaturday || wd == kSunday) kind[static_cast<std::size_t>(index(day))] = DayKind::weekend;
  }

  for (int year = NyseCalendar::kFirstYear; year <= NyseCalendar::kLastYear; ++year) {
    // New Year's Day: Sunday -> Monday; Saturday -> not observed (NYSE
    // Rule 7.2).
    const DayNumber new_year = days_from_civil(year, 1, 1);
    mark(weekday(new_year) == kSunday ? new_year + 1 : new_year, DayKind::holiday);
    mark(nth_weekday(year, 1, kMonday, 3),
         DayKind::holiday);  // Martin Luther King Jr. Day
    mark(nth_weekday(year, 2, kMonday, 3),
         DayKind::holiday);                                     // Washington's Birthday
    mark(easter_sunday(year) - 2, DayKind::holiday);            // Good Friday
    mark(nth_weekday(year, 5, kMonday, -1), DayKind::holiday);  // Memorial Day
    if (year >= 2022) mark(nearest_weekday(days_from_civil(year, 6, 19)),
                           DayKind::holiday);  // Juneteenth
    const DayNumber july4 = days_from_civil(year, 7, 4);
    mark(nearest_weekday(july4), DayKind::holiday);            // Independence Day
    mark(nth_weekday(year, 9, kMonday, 1), DayKind::holiday);  // Labor Day
    const DayNumber thanksgiving = nth_weekday(year, 11, kThursday, 4);
    mark(thanksgiving, DayKind::holiday);
    const DayNumber christmas = days_from_civil(year, 12, 25);
    mark(nearest_weekday(christmas), DayKind::holiday);

    // Early closes (13:00). July 3 when it is a Monday, Tuesday or Thursday;
    // when July 4 is a Thursday, the Friday after before 2013 and the Wednesday
    // before from 2013 on.
    const DayNumber july3 = july4 - 1;
    const int july3_wd = weekday(july3);
    if (july3_wd == kMonday || july3_wd == kTuesday || july3_wd == kThursday) {
      mark(july3, DayKind::early_close);
    } else if (july3_wd == kWednesday) {
      mark(year < 2013 ? july4 + 1 : july3, DayKind::early_close);
    }
    mark(thanksgiving + 1, DayKind::early_close);  // the day after Thanksgiving
    const DayNumber christmas_eve = christmas - 1;
    const int eve_wd = weekday(christmas_eve);
    if (eve_wd >= kMonday && eve_wd <= kThursday) mark(christmas_eve, DayKind::early_close);
  }
  for (const CivilDate& d : kOneOffClosures) mark(days_from_civil(d.year, d.month, d.day), DayKind::holiday);
  for (const CivilDate& d : kOneOffEarlyCloses) {
    mark(days_from_civil(d.year, d.month, d.day), DayKind::early_close);
  }

  // Sessions and the UTC instant of each New York midnight. New York's DST
  // switches happen at 02:00, so midnight and the session hours are never in a
  // gap or an overlap.
  TimeZone new_york = TimeZone::new_york();  // a copy: its cache is not shared between threads
  const auto utc_of = [&](DayNumber day, std::int64_t wall_clock) {
    auto utc = new_york.to_utc(start_of_day(day) + wall_clock);
    assert(utc.ok());
    return utc.ok() ? *utc : start_of_day(day) + wall_clock;
  };
  midnight_utc.reserve(static_cast<std::size_t>(kDayCount) + 1);
  at_or_after.resize(static_cast<std::size_t>(kDayCount) + 1);
  at_or_before.resize(static_cast<std::size_t>(kDayCount));
  for (DayNumber day = kFirstDay; day <= kLastDay + 1; ++day) midnight_utc.push_back(utc_of(day, 0));
  for (DayNumber day = kFirstDay; day <= kLastDay; ++day) {
    const auto i = static_cast<std::size_t>(index(day));
    if (kind[i] == DayKind::regular || kind[i] == DayKind::early_close) {
      const bool early = kind[i] == DayKind::early_close;
      sessions.push_back(
          Session{day, utc_of(day, kRegularOpen), utc_of(day, early ? kEarlyClose : kRegularClose), early});
    }
    at_or_before[i] = static_cast<std::int32_t>(sessions.size()) - 1;
  }
  std::int32_t next = static_cast<std::int32_t>(sessions.size());
  at_or_after[static_cast<std::size_t>(kDayCount)] = next;
  for (int i = kDayCount - 1; i >= 0; --i) {
    const DayKind k = kind[static_cast<std::size_t>(i)];
    if (k == DayKind::regular || k == DayKind::early_close) next = at_or_before[static_cast<std::size_t>(i)];
    at_or_after[static_cast<std::size_t>(i)] = next;
  }
}

NyseCalendar::NyseCalendar() = default;

const NyseCalendar& NyseCalendar::instance() {
  static const NyseCalendar calendar;
  return calendar;
}

const NyseCalendar::Impl& NyseCalendar::impl() const {
  static const Impl tables;  // built once, thread-safe (C++11 magic static)
  return tables;
}

bool NyseCalendar::covers(DayNumber day) const { return day >= kFirstDay && day <= kLastDay; }

bool NyseCalendar::is_trading_day(DayNumber day) const {
  if (!covers(day)) return false;
  const DayKind k = impl().kind[static_cast<std::size_t>(Impl::index(day))];
  return k == DayKind::regular || k == DayKind::early_close;
}

bool NyseCalendar::is_holiday(DayNumber day) const {
  return covers(day) && impl().kind[static_cast<std::size_t>(Impl::index(day))] == DayKind::holiday;
}

std::optional<Session> NyseCalendar::session(DayNumber day) const {
  if (!is_trading_day(day)) return std::nullopt;
  const Impl& t = impl();
  return t.sessions[static_cast<std::size_t>(t.at_or_after[static_cast<std::size_t>(Impl::index(day))])];
}

std::optional<Session> NyseCalendar::next_session(DayNumber day) const {
  if (!covers(day)) return std::nullopt;
  const Impl& t = impl();
  const auto i = static_cast<std::size_t>(t.at_or_after[static_cast<std::size_t>(Impl::index(day) + 1)]);
  if (i >= t.sessions.size()) return std::nullopt;
  return t.sessions[i];
}

std::optional<Session> NyseCalendar::previous_session(DayNumber day) const {
  if (!covers(day) || day == kFirstDay) return std::nullopt;
  const Impl& t = impl();
  const std::int32_t i = t.at_or_before[static_cast<std::size_t>(Impl::index(day) - 1)];
  if (i < 0) return std::nullopt;
  return t.sessions[static_cast<std::size_t>(i)];
}

std::span<const Session> NyseCalendar::sessions_between(DayNumber first, DayNumber last) const {
  if (first < kFirstDay) first = kFirstDay;
  if (last > kLastDay) last = kLastDay;
  if (first > last) return {};
  const Impl& t = impl();
  const std::int32_t begin = t.at_or_after[static_cast<std::size_t>(Impl::index(first))];
  const std::int32_t end = t.at_or_before[static_cast<std::size_t>(Impl::index(last))] + 1;
  if (begin >= end) return {};
  return std::span<const Session>(t.sessions)
      .subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin));
}

DayNumber NyseCalendar::new_york_day(Timestamp ts) const {
  // New York is 4 or 5 hours behind UTC: the date at UTC-5 is the New York date
  // or the day before it; one comparison with the next New York midnight
  // settles which.
  const DayNumber estimate = day_of(ts - 5 * kNanosPerHour);
  if (estimate >= kFirstDay && estimate <= kLastDay) {
    const Impl& t = impl();
    return ts >= t.midnight_utc[static_cast<std::size_t>(Impl::index(estimate) + 1)] ? estimate + 1 : estimate;
  }
  TimeZone new_york = TimeZone::new_york();  // outside the table: ask the tz database
  return day_of(new_york.to_local(ts));
}

std::optional<Session> NyseCalendar::session_containing(Timestamp ts) const {
  auto s = session(new_york_day(ts));
  if (!s || ts < s->open || ts >= s->close) return std::nullopt;
  return s;
}

std::optional<double> NyseCalendar::minutes_since_open(Timestamp ts) const {
  const auto s = session(new_york_day(ts));
  if (!s) return std::nullopt;
  return static_cast<double>(ts - s->open) / static_cast<double>(kNanosPerMinute);
}

std::pair<std::size_t, std::size_t> rows_in_days(std::span<const Timestamp> ts, DayNumber first_day,
                                                 DayNumber last_day) {
  const NyseCalendar& calendar = NyseCalendar::instance();
  std::size_t first = 0;
  while (first < ts.size() && calendar.new_york_day(ts[first]) < first_day) ++first;
  std::size_t last = first;
  while (last < ts.size() && calendar.new_york_day(ts[last]) <= last_day) ++last;
  return {first, last};
}

}  // namespace itrade::core

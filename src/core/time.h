#pragma once
// Time in itrade: a Timestamp is int64 nanoseconds since the Unix epoch, UTC. Calendar days
// are DayNumbers (days since 1970-01-01). Wall-clock times of a zone ("local ns") are the
// same count of nanoseconds as if the wall clock were UTC; TimeZone converts both ways with
// the system tz database, so DST switches come from the data, not from rules of thumb.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace date {
class time_zone;
}

namespace itrade::core {

using Timestamp = std::int64_t;  // ns since 1970-01-01T00:00:00Z
using DayNumber = std::int32_t;  // days since 1970-01-01

inline constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr std::int64_t kNanosPerMinute = 60 * kNanosPerSecond;
inline constexpr std::int64_t kNanosPerHour = 60 * kNanosPerMinute;
inline constexpr std::int64_t kNanosPerDay = 24 * kNanosPerHour;

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

// Proleptic Gregorian conversions (H. Hinnant's algorithms); valid for any int32 day.
constexpr DayNumber days_from_civil(int year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

constexpr CivilDate civil_from_days(DayNumber days) {
  const int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int day_of_era = z - era * 146097;
  const int year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int mp = (5 * day_of_year + 2) / 153;
  const int day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int month = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// 0 = Sunday .. 6 = Saturday.
constexpr int weekday(DayNumber days) { return days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6; }

// Floor division of a timestamp (or local ns) into its day.
constexpr DayNumber day_of(std::int64_t ns) {
  return static_cast<DayNumber>(ns >= 0 ? ns / kNanosPerDay : (ns - kNanosPerDay + 1) / kNanosPerDay);
}

constexpr std::int64_t start_of_day(DayNumber days) { return static_cast<std::int64_t>(days) * kNanosPerDay; }

// "YYYY-MM-DD" -> DayNumber; anything else is an input error naming the text.
Result<DayNumber> parse_date(std::string_view text);
std::string format_date(DayNumber days);
// "YYYY-MM-DDTHH:MM:SSZ" (fraction of a second appended when non-zero).
std::string format_utc(Timestamp ts);
// The inverse of format_utc: "YYYY-MM-DDTHH:MM:SSZ" with an optional fraction of up to nine
// digits; anything else (another zone, a missing Z, 24:00) is an input error naming the text.
Result<Timestamp> parse_utc(std::string_view text);
// "2026-11-25T00:09:36Z" without separators ("20261125T000936Z"): for file and directory names.
std::string format_utc_compact(Timestamp ts);
// The wall clock, truncated to whole seconds (records and ids are stamped to the second).
Timestamp now_to_the_second();
// Wall clock of local ns: "YYYY-MM-DD HH:MM:SS".
std::string format_wall_clock(std::int64_t local_ns);

// A zone of the tz database. Cheap to copy. Keeps a one-entry cache of the last offset
// interval so that converting long runs of nearby times costs a comparison, not a lookup;
// because of that cache an instance must not be shared between threads (copy it instead).
class TimeZone {
 public:
  enum class Ambiguity { earliest, latest };

  // "UTC" or an IANA name such as "America/New_York". Unknown names are input errors.
  static Result<TimeZone> find(std::string_view name);
  static TimeZone utc();
  // America/New_York, which every exchange time in itrade is expressed in.
  static const TimeZone& new_york();

  const std::string& name() const { return name_; }
  bool is_utc() const { return zone_ == nullptr; }

  // Offset of the zone's wall clock from UTC at the instant `utc` (local = utc + offset).
  std::int64_t utc_offset(Timestamp utc) const;
  std::int64_t to_local(Timestamp utc) const { return utc + utc_offset(utc); }

  // Wall-clock time -> UTC. A time inside a spring-forward gap does not exist: input error.
  // A time inside a fall-back overlap happens twice: `ambiguity` picks the occurrence.
  Result<Timestamp> to_utc(std::int64_t local_ns, Ambiguity ambiguity = Ambiguity::earliest) const;

 private:
  TimeZone(std::string name, const date::time_zone* zone) : name_(std::move(name)), zone_(zone) {}
  void refresh_cache(Timestamp utc) const;

  std::string name_;
  const date::time_zone* zone_ = nullptr;  // nullptr means UTC
  // Cached offset interval [begin, end) in UTC and its offset.
  mutable Timestamp cache_begin_ = 0;
  mutable Timestamp cache_end_ = 0;
  mutable std::int64_t cache_offset_ = 0;
};

}  // namespace itrade::core

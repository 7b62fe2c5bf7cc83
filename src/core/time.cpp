#include "core/time.h"

#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <limits>

namespace itrade::core {
namespace {

using std::chrono::duration_cast;
using std::chrono::nanoseconds;

// Transitions move the wall clock by at most a few hours; farther from an interval's edges
// than this, a wall-clock time can neither be skipped nor repeated.
constexpr std::int64_t kTransitionMargin = 4 * kNanosPerHour;

bool parse_int(std::string_view text, int& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::int64_t floor_seconds(std::int64_t ns) {
  return ns >= 0 ? ns / kNanosPerSecond : (ns - kNanosPerSecond + 1) / kNanosPerSecond;
}

Timestamp to_ns(date::sys_seconds t) { return duration_cast<nanoseconds>(t.time_since_epoch()).count(); }

Timestamp clamp_to_ns(date::sys_seconds t) {
  // tz database intervals extend to +-infinity in seconds, which overflows int64 ns.
  constexpr std::int64_t kLimitSeconds = std::numeric_limits<std::int64_t>::max() / kNanosPerSecond - 1;
  const auto s = t.time_since_epoch().count();
  if (s > kLimitSeconds) return kLimitSeconds * kNanosPerSecond;
  if (s < -kLimitSeconds) return -kLimitSeconds * kNanosPerSecond;
  return to_ns(t);
}

}  // namespace

Result<DayNumber> parse_date(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !parse_int(text.substr(0, 4), year) ||
      !parse_int(text.substr(5, 2), month) || !parse_int(text.substr(8, 2), day) || month < 1 || month > 12 ||
      day < 1 || day > 31) {
    return input_error("'{}' is not a date: expected YYYY-MM-DD", text);
  }
  const DayNumber days = days_from_civil(year, month, day);
  if (civil_from_days(days) != CivilDate{year, month, day}) {
    return input_error("'{}' is not a date: {}-{:02} has no day {}", text, year, month, day);
  }
  return days;
}

std::string format_date(DayNumber days) {
  const CivilDate d = civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

std::string format_wall_clock(std::int64_t local_ns) {
  const DayNumber days = day_of(local_ns);
  const std::int64_t in_day = local_ns - start_of_day(days);
  const std::int64_t seconds = in_day / kNanosPerSecond;
  const std::int64_t fraction = in_day % kNanosPerSecond;
  std::string out =
      fmt::format("{} {:02}:{:02}:{:02}", format_date(days), seconds / 3600, seconds / 60 % 60, seconds % 60);
  if (fraction != 0) out += fmt::format(".{:09}", fraction);
  return out;
}

std::string format_utc(Timestamp ts) {
  std::string out = format_wall_clock(ts);
  out[10] = 'T';
  out += 'Z';
  return out;
}

Result<Timestamp> parse_utc(std::string_view text) {
  const auto bad = [&] {
    return input_error(
        "'{}' is not a UTC time: expected YYYY-MM-DDTHH:MM:SSZ (optionally with a fraction of a "
        "second, e.g. 2024-08-12T13:30:00Z)",
        text);
  };
  if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text.back() != 'Z') return bad();
  auto day = parse_date(text.substr(0, 10));
  if (!day) return bad();
  int hour = 0, minute = 0, second = 0;
  if (!parse_int(text.substr(11, 2), hour) || !parse_int(text.substr(14, 2), minute) ||
      !parse_int(text.substr(17, 2), second) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 59) {
    return bad();
  }
  std::int64_t fraction = 0;
  const std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest.size() < 2 || rest.size() > 10 || rest[0] != '.') return bad();
    std::int64_t scale = kNanosPerSecond;
    for (const char c : rest.substr(1)) {
      if (c < '0' || c > '9') return bad();
      scale /= 10;
      fraction += (c - '0') * scale;
    }
  }
  return start_of_day(*day) + ((hour * 60 + minute) * 60 + second) * kNanosPerSecond + fraction;
}

std::string format_utc_compact(Timestamp ts) {
  std::string out = format_utc(ts);
  std::erase(out, '-');
  std::erase(out, ':');
  return out;
}

Timestamp now_to_the_second() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<Timestamp>(std::chrono::duration_cast<std::chrono::seconds>(now).count()) * kNanosPerSecond;
}

Result<TimeZone> TimeZone::find(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Z") return utc();
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(std::string(name), zone);
  } catch (const std::exception& e) {
    return input_error("unknown time zone '{}' ({}); use an IANA name such as America/New_York or UTC", name, e.what());
  }
}

TimeZone TimeZone::utc() { return TimeZone("UTC", nullptr); }

const TimeZone& TimeZone::new_york() {
  static const TimeZone zone = [] {
    auto found = find("America/New_York");
    if (!found) {
      fmt::print(stderr, "itrade: fatal: {}; install the tzdata package\n", found.error().message);
      std::abort();
    }
    return *found;
  }();
  return zone;
}

void TimeZone::refresh_cache(Timestamp utc) const {
  const date::sys_info info = zone_->get_info(date::sys_seconds{std::chrono::seconds{floor_seconds(utc)}});
  cache_begin_ = clamp_to_ns(info.begin);
  cache_end_ = clamp_to_ns(info.end);
  cache_offset_ = info.offset.count() * kNanosPerSecond;
}

std::int64_t TimeZone::utc_offset(Timestamp utc) const {
  if (zone_ == nullptr) return 0;
  if (utc < cache_begin_ || utc >= cache_end_) refresh_cache(utc);
  return cache_offset_;
}

Result<Timestamp> TimeZone::to_utc(std::int64_t local_ns, Ambiguity ambiguity) const {
  if (zone_ == nullptr) return local_ns;
  // Fast path: the cached interval maps this wall-clock time and it is far from any transition.
  const Timestamp guess = local_ns - cache_offset_;
  if (guess >= cache_begin_ + kTransitionMargin && guess < cache_end_ - kTransitionMargin) return guess;

  const date::local_info info = zone_->get_info(date::local_seconds{std::chrono::seconds{floor_seconds(local_ns)}});
  switch (info.result) {
    case date::local_info::unique: {
      const Timestamp utc = local_ns - info.first.offset.count() * kNanosPerSecond;
      refresh_cache(utc);
      return utc;
    }
    case date::local_info::nonexistent:
      return input_error("{} does not exist in {} (clocks skip it at the DST switch)", format_wall_clock(local_ns),
                         name_);
    case date::local_info::ambiguous: {
      const auto& chosen = ambiguity == Ambiguity::earliest ? info.first : info.second;
      return local_ns - chosen.offset.count() * kNanosPerSecond;
    }
  }
  return runtime_error("time zone lookup failed for {}", format_wall_clock(local_ns));
}

}  // namespace itrade::core

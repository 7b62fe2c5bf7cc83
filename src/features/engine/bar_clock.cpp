#include "features/engine/bar_clock.h"

namespace itrade::features {
namespace {

using core::kNanosPerHour;
using core::kNanosPerMinute;

constexpr std::int64_t kPreMarketStart = 4 * kNanosPerHour;  // New York wall clock, since midnight
constexpr std::int64_t kAfterHoursEnd = 20 * kNanosPerHour;
constexpr std::int64_t kNominalOpen = 9 * kNanosPerHour + 30 * kNanosPerMinute;

}  // namespace

ClockReader::ClockReader() : new_york_(core::TimeZone::new_york()), calendar_(&core::NyseCalendar::instance()) {
  // The calendar builds its tables, and the tz library loads its data, on first use: pay that
  // here so that the first read() does not allocate either.
  (void)calendar_->is_trading_day(core::days_from_civil(core::NyseCalendar::kFirstYear, 1, 1));
  (void)new_york_.to_local(0);
}

BarClock ClockReader::read(core::Timestamp bar_start) {
  // The zone's one-entry offset cache makes this a comparison and an add except at the two
  // offset changes a year; even then the tz lookup does not allocate (its sys_info's "EST"/"EDT"
  // fits std::string's inline buffer; NoAllocationInRead crosses a switch).
  const std::int64_t local = new_york_.to_local(bar_start);
  const core::DayNumber day = core::day_of(local);
  // Any other day reloads, earlier or later: a reader fed bars out of order (or reused for
  // another ticker's history) must never answer with a neighbouring day's session.
  if (day != cached_.day) load_day(day, bar_start);

  // Wall-clock time since local midnight. Taken from the local time rather than from
  // bar_start - midnight_utc, so that on the DST switch days 10:00 is still hour 10.
  const std::int64_t time_of_day = local - core::start_of_day(day);

  BarClock clock;
  clock.year = cached_.year;
  clock.month = cached_.month;
  clock.day_of_month = cached_.day_of_month;
  clock.day_of_week = cached_.day_of_week;
  clock.hour = static_cast<int>(time_of_day / kNanosPerHour);
  clock.minute = static_cast<int>(time_of_day / kNanosPerMinute % 60);
  // Elapsed time (a UTC difference), not a wall-clock difference: they differ only before the
  // switch on DST Sundays (01:55 EST is 395 minutes before 09:30 EDT, not 455), and elapsed
  // time is what separates bars.
  clock.market_open_minutes = static_cast<double>(bar_start - cached_.open) / static_cast<double>(kNanosPerMinute);
  if (cached_.trading) {
    // The session bounds come from the calendar in UTC (early closes included); the 04:00 and
    // 20:00 extended-hours bounds are wall-clock by definition, and are unambiguous on trading
    // days because offset changes happen at 02:00 on Sundays.
    clock.market_open = bar_start >= cached_.open && bar_start < cached_.close;
    clock.pre_market = time_of_day >= kPreMarketStart && bar_start < cached_.open;
    clock.after_hours = bar_start >= cached_.close && time_of_day < kAfterHoursEnd;
  }
  return clock;
}

void ClockReader::load_day(core::DayNumber day, core::Timestamp bar_start) {
  Day d;
  d.day = day;
  const core::CivilDate civil = core::civil_from_days(day);
  d.year = civil.year;
  d.month = civil.month;
  d.day_of_month = civil.day;
  d.day_of_week = (core::weekday(day) + 6) % 7;  // core::weekday counts from Sunday; BarClock from Monday
  // A table read, not a search; days outside 2000..2030 have no session, so they fall through
  // to the non-trading branch with no special case.
  if (const auto session = calendar_->session(day)) {
    d.trading = true;
    d.open = session->open;
    d.close = session->close;
  } else {
    // No session to measure from: use where the open would have been (09:30 New York that
    // day), converted through the tz database so that a winter holiday is 5 hours and a summer
    // weekend 4 hours after 09:30 UTC, like the sessions around them.
    const std::int64_t nominal_open_local = core::start_of_day(day) + kNominalOpen;
    const auto open = new_york_.to_utc(nominal_open_local);
    // to_utc fails only for a wall-clock time skipped by a DST switch; New York switches at
    // 02:00, never at 09:30. Should a future tz rule do so, the bar's own offset is the
    // nearest sensible answer (and building the error's message is the only allocation).
    d.open = open.ok() ? *open : nominal_open_local - new_york_.utc_offset(bar_start);
  }
  cached_ = d;
}

}  // namespace itrade::features

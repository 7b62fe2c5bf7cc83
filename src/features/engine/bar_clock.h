#pragma once
// ClockReader: fills the BarClock (features/operator.h) of each bar from its start time, for the
// engine to pass to operators that declared `needs_clock` (docs/features.md, "Time features").
//
// Conventions:
// - The instant read is the bar START (UTC ns), as everywhere in itrade: a 1-minute bar stamped
//   15:59 New York is open, one stamped 16:00 is after hours.
// - Every field is New York wall clock (America/New_York from the tz database, DST included).
// - Sessions come from NyseCalendar (early closes at 13:00 included). A day without a session
//   (weekend, holiday, or a date outside the calendar's 2000..2030) has all three session flags
//   false and market_open_minutes measured from 09:30 New York of that day, so the feature stays
//   defined (and on the same scale) instead of turning NaN on days a model should rarely see.

#include <cstdint>
#include <limits>

#include "core/nyse_calendar.h"
#include "core/time.h"
#include "features/operator.h"

namespace itrade::features {

// Not thread-safe: it caches the last New York day it saw and owns a TimeZone whose offset cache
// mutates on reads. Use one per thread (or per ticker stream); copies are independent.
class ClockReader {
 public:
  ClockReader();

  // The BarClock of the bar starting at `bar_start`. Any order of calls is allowed; bars of the
  // same New York day as the previous call reuse the cached day (a few integer operations), a new
  // day costs O(1) calendar table reads. Does not allocate (the calendar's tables and the tz data
  // are loaded by the constructor).
  BarClock read(core::Timestamp bar_start);

 private:
  // Everything about one New York day that does not depend on the time within it.
  struct Day {
    core::DayNumber day = std::numeric_limits<core::DayNumber>::min();  // no day cached yet
    int year = 0;
    int month = 0;
    int day_of_month = 0;
    int day_of_week = 0;  // 0 = Monday
    bool trading = false;
    core::Timestamp open = 0;   // regular open (09:30 New York on days without a session), UTC
    core::Timestamp close = 0;  // regular close, UTC; trading days only
  };

  void load_day(core::DayNumber day, core::Timestamp bar_start);

  core::TimeZone new_york_;  // our own copy: its offset cache must not be shared
  const core::NyseCalendar* calendar_;
  Day cached_;
};

}  // namespace itrade::features

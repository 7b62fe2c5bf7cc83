#pragma once
// The NYSE trading calendar, 2000-01-01 .. 2030-12-31: trading days, the regular session
// (09:30-16:00 New York time, 13:00 on early-close days), full-day holidays including the
// one-off closures, in UTC so that DST is already applied. Rules and sources: docs/calendar.md.
// All lookups are O(1) table reads with no allocation; the tables are built once.

#include <optional>
#include <span>
#include <utility>

#include "core/time.h"

namespace itrade::core {

struct Session {
  DayNumber day = 0;    // the New York calendar date of the session
  Timestamp open = 0;   // regular open, UTC
  Timestamp close = 0;  // regular close, UTC (13:00 New York on early-close days)
  bool early_close = false;
};

class NyseCalendar {
 public:
  static constexpr int kFirstYear = 2000;
  static constexpr int kLastYear = 2030;

  static const NyseCalendar& instance();

  // Whether `day` (a New York date) lies in 2000..2030. Outside it every query below says
  // "not a trading day" / nullopt; callers that care check covers() and report it.
  bool covers(DayNumber day) const;
  bool is_trading_day(DayNumber day) const;
  bool is_holiday(DayNumber day) const;  // a weekday with no session
  std::optional<Session> session(DayNumber day) const;
  // First trading day strictly after / before `day` (nullopt past the covered range).
  std::optional<Session> next_session(DayNumber day) const;
  std::optional<Session> previous_session(DayNumber day) const;
  // All sessions with first <= day <= last, in order (a view into the calendar's table).
  std::span<const Session> sessions_between(DayNumber first, DayNumber last) const;

  // The New York calendar date of an instant.
  DayNumber new_york_day(Timestamp ts) const;
  // The session whose regular hours [open, close) contain ts, if any.
  std::optional<Session> session_containing(Timestamp ts) const;
  // Minutes since the regular open of ts's New York day (negative before the open); nullopt
  // when that day is not a trading day.
  std::optional<double> minutes_since_open(Timestamp ts) const;

 private:
  NyseCalendar();
  struct Impl;
  const Impl& impl() const;
};

// The rows [first, last) of ascending bar starts `ts` whose New York day lies in [first_day,
// last_day] (an empty range when none does).
std::pair<std::size_t, std::size_t> rows_in_days(std::span<const Timestamp> ts, DayNumber first_day,
                                                 DayNumber last_day);

}  // namespace itrade::core

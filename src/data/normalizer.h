#pragma once
// Normalizer: parsed CSV rows of one ticker -> the unified bar schema (core/bars.h), plus a
// DataQualityReport that says what was wrong with them. Nothing is repaired silently: every
// row that is dropped, merged or changed is counted, and the first few are named by file:line.
// Rules: docs/data.md, "Normalization and quality".

#include <cstddef>
#include <string>
#include <vector>

#include "core/bars.h"
#include "core/interval.h"
#include "core/result.h"
#include "core/system_config.h"
#include "data/csv_parser.h"

namespace itrade::data {

// start: a row's timestamp is the bar's start (IBKR, Polygon); end: the bar's end, and the
// normalizer subtracts one interval.
using core::BarLabel;

struct NormalizeOptions {
  BarLabel bar_label = BarLabel::start;
  core::Interval interval;                        // the interval the files hold
  bool regular_session_only = false;              // drop pre-market, after-hours and non-session bars
  bool repair_ohlc = false;                       // widen high/low to hold open/close instead of rejecting
  BadRowPolicy on_bad_row = BadRowPolicy::error;  // applies to OHLC violations
  std::size_t max_examples = 10;                  // examples kept in all, and sessions listed per kind
};

// What the data of one ticker looks like. Counts are over the rows read; "missing" and
// "sessions" refer to NYSE regular sessions between the first and last bar.
struct DataQualityReport {
  std::string ticker;
  std::vector<std::string> files;
  std::size_t rows_read = 0;      // rows parsed, bad rows excluded
  std::size_t bad_rows = 0;       // rows the parser rejected (skip policy)
  std::size_t rows_kept = 0;      // bars in the normalized series
  core::Timestamp first_bar = 0;  // bar start, UTC (when rows_kept > 0)
  core::Timestamp last_bar = 0;
  std::size_t duplicates = 0;              // rows with a ts seen before; the last one is kept
  std::size_t conflicting_duplicates = 0;  // ... of which the values differed
  std::size_t out_of_order = 0;            // rows earlier than the row before them
  std::size_t ohlc_violations = 0;         // open or close outside [low, high]
  std::size_t ohlc_repaired = 0;           // ... widened (repair_ohlc)
  std::size_t ohlc_dropped = 0;            // ... dropped (skip policy)
  std::size_t zero_volume_bars = 0;
  std::size_t misaligned_bars = 0;          // start not on the interval grid of the day
  std::size_t non_trading_day_bars = 0;     // bars on weekends, holidays
  std::size_t extended_hours_bars = 0;      // trading-day bars outside the regular session
  std::size_t outside_calendar_bars = 0;    // bars outside the calendar's 2000..2030
  std::size_t dropped_outside_session = 0;  // removed by regular_session_only
  std::size_t sessions_covered = 0;         // trading days from the first to the last bar
  std::size_t sessions_with_data = 0;
  std::size_t expected_session_bars = 0;               // regular-session bars those days should have
  std::size_t missing_session_bars = 0;                // ... absent in sessions that have some data
  std::vector<core::DayNumber> sessions_without_data;  // first max_examples of them
  struct SessionGap {
    core::DayNumber day = 0;
    std::size_t missing = 0;  // regular-session bars absent that day
  };
  std::vector<SessionGap> sessions_missing_bars;  // first max_examples sessions with gaps
  std::vector<RowProblem> examples;               // "file:line: what" examples of the findings above

  // Findings that make the data untrustworthy as it is (validate exits non-zero).
  std::size_t error_count() const;
  // Findings a user should know about but that real feeds routinely have.
  std::size_t warning_count() const;
};

struct NormalizedBars {
  core::BarSeries bars;
  DataQualityReport report;
};

// Normalizes the rows of `ticker` found in `parts` (several files may hold one ticker; on
// equal timestamps the row read last wins). Fails only under BadRowPolicy::error for an OHLC
// violation that is not repaired; the message names file:line.
core::Result<NormalizedBars> normalize_ticker(const std::string& ticker, const std::vector<const ParsedCsv*>& parts,
                                              const NormalizeOptions& options);

// The bars whose start lies inside an NYSE regular session.
core::BarSeries keep_regular_session(const core::BarSeries& bars);

// Aggregates bars to a coarser interval that is a multiple of the source's: buckets are
// aligned to the session open inside regular hours and to New York midnight outside them;
// open = first, high = max, low = min, close = last, volume = sum (-1 if any is absent).
core::Result<core::BarSeries> resample(const core::BarSeries& bars, core::Interval from, core::Interval to);

}  // namespace itrade::data

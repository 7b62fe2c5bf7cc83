#pragma once
// A synthetic intraday market for tests, demos and benchmarks: bars only inside
// NYSE regular sessions (early closes are shorter), overnight gaps, a U-shaped
// intraday volume profile, GARCH(1,1) volatility clustering, Poisson jumps, and
// a different price level, volatility and volume level per ticker. The model
// and its parameters are in docs/cache-and-synth.md.

#include <cstdint>
#include <filesystem>

#include "core/bars.h"
#include "core/interval.h"
#include "core/result.h"
#include "core/time.h"

namespace itrade::data {

struct SynthOptions {
  int tickers = 10;                                               // named SYN0001, SYN0002, ...
  core::DayNumber first_day = core::days_from_civil(2024, 1, 2);  // first session on or after it
  int days = 20;                                                  // trading days (sessions)
  core::Interval interval;                                        // bar length, 5m by default
  std::uint64_t seed = 42;
  // Also 04:00-09:30 and close-to-close+4h New York (thin volume, lower
  // volatility).
  bool extended_hours = false;
};

// Deterministic for a given SynthOptions on one platform: the same options give
// the same bars bit for bit (the generator is std::mt19937_64 with our own
// uniform and normal draws). Each ticker has its own stream derived from (seed,
// ticker index), so adding tickers does not change the existing ones. Bars
// start at open + k * interval while before the close (an interval that does
// not divide the session gives a last bar that runs past the close). Sessions
// past the calendar's range (2030) are simply missing: fewer days come back.
// Prices are rounded to cents (at least 0.01); volume is a whole number of
// shares.
core::BarFrame generate_synthetic_market(const SynthOptions& options);

// Writes <dir>/<ticker>.csv for every series, with the header
// `timestamp,open,high,low,close,volume` and timestamps as ISO 8601 UTC
// ("...Z", bar start). Creates `dir` when missing. Errors (runtime kind) name
// the file that could not be written.
core::Status write_synthetic_csv(const std::filesystem::path& dir, const core::BarFrame& frame);

}  // namespace itrade::data

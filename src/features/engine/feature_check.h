#pragma once
// Checks a feature set against real bars, so that a leaky or dishonest feature fails CI
// (`itrade features check`, docs/features.md, "Guarantees"):
// - look-ahead: values at bar t computed on the data truncated at t equal the values at t
//   computed on all the data (bit for bit), at session ends and random bars;
// - lookback: each feature's first value is exactly at the bar its registry lookback says;
// - finiteness: after its lookback no value is NaN or infinite;
// - streaming parity: feeding the bars one at a time through FeatureEngine::update() gives the
//   batch values bit for bit;
// - warm-up: an engine started warmup_bars() before a bar matches the full-history value there
//   within 1e-9 relative (of max(1, |value|)).
// Bars the features cannot be computed on at all (a feature reads volume the data lacks) are
// reported as an "input" problem of the ticker.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/bars.h"
#include "features/registry/feature_registry.h"

namespace itrade::features {

struct CheckOptions {
  int truncations = 24;      // truncation points per ticker, session ends first, then random bars
  int warmup_starts = 3;     // start points per ticker for the warm-up check
  std::uint64_t seed = 7;    // for the random truncation points
  int threads = 0;           // across tickers; 0 = hardware
  double warmup_tolerance = 1e-9;
};

struct CheckProblem {
  std::string check;    // "look-ahead", "lookback", "finite", "streaming", "warm-up", "input"
  std::string feature;  // empty when it concerns the whole ticker
  std::string ticker;
  std::string detail;   // what differed, with the bar time
};

struct CheckReport {
  std::size_t tickers = 0;
  std::size_t bars = 0;
  std::size_t truncations = 0;         // truncated recomputations done
  double max_warmup_error = 0.0;       // largest relative warm-up difference seen
  std::vector<CheckProblem> problems;  // at most one per (check, feature, ticker)
  bool ok() const { return problems.empty(); }
};

// Runs every check for every feature of `set` on each series.
CheckReport check_features(const FeatureSet& set, std::span<const core::BarSeries> series,
                           const CheckOptions& options = {});

}  // namespace itrade::features

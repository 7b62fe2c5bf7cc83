#pragma once
// Backtesting given signals (docs/experiments.md, "Backtesting given signals"): the second half of
// the hypothesis loop without a model. The signals of a file (signal_file.h) drive the same
// backtester and analytics as a model's out-of-sample predictions, and the result is an
// Experiment with no folds, recorded and reported like any run.

#include <limits>
#include <span>
#include <string>

#include "core/bars.h"
#include "core/result.h"
#include "core/time.h"
#include "evaluation/backtest_config.h"
#include "evaluation/experiment.h"
#include "evaluation/signal_file.h"

namespace itrade::evaluation {

struct SignalBacktestSpec {
  // New York days to evaluate; the backtest starts at the first bar of these days that has a signal.
  core::DayNumber first_day = std::numeric_limits<core::DayNumber>::min();
  core::DayNumber last_day = std::numeric_limits<core::DayNumber>::max();
  BacktestConfig backtest;
  std::optional<RiskSettings> risk;  // the limits the backtest obeys; empty: none but cash
};

// Input errors: those of align_signals() (a signal for a ticker without bars or a time that is not
// a bar start), a bad backtest configuration, no bar inside the days, no signal inside the days.
// The Experiment has tickers, the days used, evaluated_from, the data fingerprint (of the bars of
// the days, as a model run's), the backtest and its analytics; plan.description says where the
// signals came from; no features, target, folds, predictions or importance.
core::Result<Experiment> run_signal_backtest(std::span<const core::BarSeries> bars, const SignalFile& file,
                                             const SignalBacktestSpec& spec);

}  // namespace itrade::evaluation

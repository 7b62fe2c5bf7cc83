#include "evaluation/signal_backtest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/nyse_calendar.h"
#include "evaluation/backtester.h"
#include "evaluation/data_fingerprint.h"

namespace itrade::evaluation {

core::Result<Experiment> run_signal_backtest(std::span<const core::BarSeries> bars, const SignalFile& file,
                                             const SignalBacktestSpec& spec) {
  if (auto ok = spec.backtest.check(); !ok) return ok.error();
  auto aligned = align_signals(file, bars);
  if (!aligned) return aligned.error();

  Experiment run;
  std::vector<core::BarSeries> kept(bars.begin(), bars.end());
  std::vector<TickerSignals> signals = std::move(aligned).value();
  core::Timestamp first_bar = std::numeric_limits<core::Timestamp>::max();
  core::Timestamp last_bar = std::numeric_limits<core::Timestamp>::min();
  run.evaluated_from = std::numeric_limits<core::Timestamp>::max();
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const auto [first, last] = core::rows_in_days(kept[i].ts, spec.first_day, spec.last_day);
    kept[i].keep_range(first, last);
    const auto keep = [&](std::vector<double>& column) {
      column = std::vector<double>(column.begin() + static_cast<std::ptrdiff_t>(first),
                                   column.begin() + static_cast<std::ptrdiff_t>(last));
    };
    keep(signals[i].signal);
    keep(signals[i].confidence);
    run.tickers.push_back(kept[i].ticker);
    if (kept[i].size() == 0) continue;
    first_bar = std::min(first_bar, kept[i].ts.front());
    last_bar = std::max(last_bar, kept[i].ts.back());
    const auto given =
        std::find_if(signals[i].signal.begin(), signals[i].signal.end(), [](double s) { return !std::isnan(s); });
    if (given != signals[i].signal.end()) {
      run.evaluated_from =
          std::min(run.evaluated_from, kept[i].ts[static_cast<std::size_t>(given - signals[i].signal.begin())]);
    }
  }
  if (first_bar > last_bar)
    return core::input_error("no bars of the requested tickers fall between the requested days");
  if (run.evaluated_from == std::numeric_limits<core::Timestamp>::max()) {
    return core::input_error("{}: no signal falls on a bar of the requested tickers and days", file.path.string());
  }
  const auto& calendar = core::NyseCalendar::instance();
  run.data_first_day = calendar.new_york_day(first_bar);
  run.data_last_day = calendar.new_york_day(last_bar);
  run.fingerprint = data_fingerprint(kept);
  run.plan.description = fmt::format("none: signals given in {}", file.path.string());

  // The backtest starts at the first signal, as a model run's starts at its first prediction.
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const auto first = static_cast<std::size_t>(
        std::lower_bound(kept[i].ts.begin(), kept[i].ts.end(), run.evaluated_from) - kept[i].ts.begin());
    kept[i].keep_range(first, kept[i].size());
    signals[i].signal.erase(signals[i].signal.begin(), signals[i].signal.begin() + static_cast<std::ptrdiff_t>(first));
    signals[i].confidence.erase(signals[i].confidence.begin(),
                                signals[i].confidence.begin() + static_cast<std::ptrdiff_t>(first));
  }
  auto backtest = run_backtest_with_limits(kept, signals, spec.backtest, spec.risk);
  if (!backtest) return backtest.error();
  run.backtest = std::move(backtest).value();
  if (auto ok = analyse_backtest(run); !ok) return ok.error();
  return run;
}

}  // namespace itrade::evaluation

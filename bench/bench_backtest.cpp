// The event-driven backtester on a year of 5-minute bars: 100 tickers x 19,656 bars (252 NYSE
// sessions from 2024-01-02 x 78 bars, every ticker on the same times), random-walk prices and a
// slow AR(1) signal per ticker (each bar's return carries a little of the previous signal) so that
// positions last several bars, trade a realistic amount, and the account stays solvent.
// One thread. The counter bar_steps is (ticker, bar) pairs simulated per second; the goal is at
// least 50 million per second on one core (docs/backtesting.md, "Performance").
//
//   scripts/build.sh bench
//   build/bench/bench/bench_backtest --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// Arguments: 0 = the default config (next_open fills, flatten at the close), 1 = close fills,
// 2 = next_open without flattening, 3 = signals that never cross the entry threshold (the cost of
// the replay alone), 4 = the default config through the risk manager (risk.yaml's defaults, every
// ticker in one "unmapped" sector).

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

#include "core/bars.h"
#include "core/nyse_calendar.h"
#include "evaluation/backtester.h"

namespace itrade::evaluation {
namespace {

constexpr int kTickers = 100;
constexpr int kSessions = 252;
constexpr int kBarsPerSession = 78;
constexpr core::Timestamp kFiveMinutes = 5 * core::kNanosPerMinute;

struct Market {
  std::vector<core::BarSeries> bars;
  std::vector<TickerSignals> signals;  // slow AR(1) signals
  std::vector<TickerSignals> quiet;    // |signal| < the entry threshold everywhere
};

const Market& market() {
  static const Market m = [] {
    Market out;
    std::vector<core::Timestamp> times;
    const auto& calendar = core::NyseCalendar::instance();
    auto session = calendar.session(core::days_from_civil(2024, 1, 2));
    for (int d = 0; d < kSessions && session; ++d, session = calendar.next_session(session->day)) {
      for (int b = 0; b < kBarsPerSession; ++b) times.push_back(session->open + b * kFiveMinutes);
    }
    std::mt19937_64 rng(20240812);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> uniform(0.5, 1.0);
    for (int t = 0; t < kTickers; ++t) {
      core::BarSeries series;
      series.ticker = fmt::format("T{:03d}", t);
      series.reserve(times.size());
      TickerSignals signals;
      TickerSignals quiet;
      double price = 20.0 + 5.0 * t;
      double signal = 0.0;
      for (const core::Timestamp ts : times) {
        // The signal of the previous bar carries a little of this bar's return, so that the
        // account neither goes broke nor skips most entries for lack of cash.
        const double open = price * (1.0 + 0.0005 * normal(rng));
        const double close = open * (1.0 + 0.0003 * signal + 0.002 * normal(rng));
        series.push_back(ts, open, std::max(open, close) * 1.001, std::min(open, close) * 0.999, close, 1000.0);
        price = close;
        // AR(1), phi 0.97, stationary sd ~0.33: a position lasts about 10-20 bars.
        signal = std::clamp(0.97 * signal + 0.08 * normal(rng), -1.0, 1.0);
        signals.signal.push_back(signal);
        signals.confidence.push_back(uniform(rng));
        quiet.signal.push_back(0.05 * signal);
        quiet.confidence.push_back(1.0);
      }
      out.bars.push_back(std::move(series));
      out.signals.push_back(std::move(signals));
      out.quiet.push_back(std::move(quiet));
    }
    return out;
  }();
  return m;
}

void BM_Backtest(benchmark::State& state) {
  const Market& m = market();
  BacktestConfig config;
  const auto* signals = &m.signals;
  bool with_risk = false;
  switch (state.range(0)) {
    case 1:
      config.fill = FillMode::close;
      break;
    case 2:
      config.flatten_at_close = false;
      break;
    case 3:
      signals = &m.quiet;
      break;
    case 4:
      with_risk = true;  // through the risk manager at config/risk.yaml's defaults
      break;
    default:
      break;
  }
  std::size_t steps = 0;
  std::size_t trades = 0;
  std::size_t skipped = 0;
  double final_equity = 0.0;
  for (auto _ : state) {
    std::optional<RiskSettings> risk;
    if (with_risk) risk = RiskSettings{};
    auto result = run_backtest_with_limits(m.bars, *signals, config, risk);
    if (!result) {
      state.SkipWithError(result.error().message.c_str());
      return;
    }
    steps += result->bar_steps;
    trades = result->trades.size();
    skipped = result->skipped_entries;
    final_equity = result->equity.back();
    benchmark::DoNotOptimize(result->equity.data());
  }
  state.counters["bar_steps"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["trades"] = static_cast<double>(trades);
  state.counters["skipped"] = static_cast<double>(skipped);
  state.counters["final_equity"] = final_equity;
}
BENCHMARK(BM_Backtest)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Arg(4)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace itrade::evaluation

BENCHMARK_MAIN();

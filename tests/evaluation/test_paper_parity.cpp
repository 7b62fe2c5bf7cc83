// Parity between paper trading and the backtester on the real sample (data/sample/ibkr): the same
// bars and predictions, replayed through the simulated broker and the trading engine, give the same
// fills and the same final equity (to the cent) as run_backtest with the same policy, costs and
// risk limits (issue 6, "Parity with the backtest").

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/interval.h"
#include "core/nyse_calendar.h"
#include "data/csv_source.h"
#include "evaluation/backtester.h"
#include "execution/replay.h"
#include "execution/risk_manager.h"
#include "execution/simulated_broker.h"
#include "execution/trading_engine.h"

namespace itrade::evaluation {
namespace {

constexpr core::Timestamp kBar = 5 * core::kNanosPerMinute;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<core::BarSeries> sample_bars(const std::vector<std::string>& tickers) {
  data::CsvSourceOptions options;  // naive New York time, regular session, ticker from the file name
  options.naive_timezone = core::TimeZone::new_york();
  options.interval = *core::Interval::parse("5m");
  auto source = data::CsvSource::open({ITRADE_SOURCE_DIR "/data/sample/ibkr"}, options);
  EXPECT_TRUE(source.ok()) << source.error().message;
  if (!source.ok()) return {};
  auto loaded = source->load(tickers);
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  if (!loaded.ok()) return {};
  // The sample ends inside the session of 2026-03-09 (AAPL's last bar starts 15:35). A backtest
  // closes positions at the end of its data; a paper account cannot know the data ends, so the
  // comparison runs over complete sessions only.
  const core::DayNumber last_day = core::days_from_civil(2026, 3, 9);
  std::vector<core::BarSeries> series;
  for (auto& one : *loaded) {
    core::BarSeries& b = one.bars;
    std::size_t keep = 0;
    while (keep < b.size() && core::NyseCalendar::instance().new_york_day(b.ts[keep]) < last_day) ++keep;
    b.keep_range(0, keep);
    series.push_back(std::move(b));
  }
  return series;
}

// A causal momentum signal: tanh of 40 x the 6-bar return, confidence 0.8 (NaN for the first 6
// bars). What matters here is only that it trades often, both ways, and sometimes strongly.
execution::Predictions momentum(const core::BarSeries& bars) {
  execution::Predictions p;
  for (std::size_t k = 0; k < bars.size(); ++k) {
    p.signal.push_back(k < 6 ? kNaN : std::tanh(40.0 * (bars.close[k] / bars.close[k - 6] - 1.0)));
    p.confidence.push_back(0.8);
  }
  return p;
}

// A fill as (ticker, ts, buy, quantity, price); commissions are compared in total.
using FillKey = std::tuple<std::string, core::Timestamp, bool, double, double>;

TEST(PaperParityTest, ReplayedPaperRunTradesExactlyAsTheBacktest) {
  const std::vector<std::string> tickers = {"AAPL", "JPM", "MSFT", "NVDA"};
  const std::vector<core::BarSeries> bars = sample_bars(tickers);
  ASSERT_EQ(bars.size(), tickers.size());
  std::vector<execution::Predictions> predictions;
  std::vector<TickerSignals> signals;
  for (const core::BarSeries& b : bars) {
    predictions.push_back(momentum(b));
    signals.push_back({predictions.back().signal, predictions.back().confidence});
  }

  BacktestConfig config;  // next_open, flatten at the close, IBKR commission, 1 bp slippage
  config.entry_threshold = 0.3;
  config.exit_threshold = 0.05;
  config.position_fraction = 0.1;
  const execution::RiskConfig limits;  // config/risk.yaml's defaults
  execution::RiskManager backtest_risk(limits, {});
  auto backtest = run_backtest(bars, signals, config, BacktestRisk{&backtest_risk, kBar});
  ASSERT_TRUE(backtest.ok()) << backtest.error().message;
  ASSERT_GT(backtest->trades.size(), 200u);
  ASSERT_FALSE(backtest->risk_blocks.empty());  // the limits took part

  execution::RiskManager paper_risk(limits, {});
  auto broker = execution::SimulatedBroker::create({config.cost_model(), config.initial_cash, 0.0, 0});
  ASSERT_TRUE(broker.ok()) << broker.error().message;
  auto engine = execution::TradingEngine::create(
      tickers, {config.policy(), config.cost_model(), config.initial_cash, kBar}, paper_risk, *broker);
  ASSERT_TRUE(engine.ok()) << engine.error().message;
  auto replayed = execution::replay_bars(bars, execution::recorded_predictions(predictions), *broker, *engine,
                                         {.bar_length = kBar});
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;

  std::vector<FillKey> expected;
  double expected_fees = 0.0;
  for (const Trade& t : backtest->trades) {
    const std::string& ticker = backtest->tickers[static_cast<std::size_t>(t.ticker)];
    const bool long_side = t.side == Side::long_position;
    expected.emplace_back(ticker, t.entry_ts, long_side, t.quantity, t.entry_price);
    expected.emplace_back(ticker, t.exit_ts, !long_side, t.quantity, t.exit_price);
    expected_fees += t.fees;
  }
  std::vector<FillKey> paper;
  double paper_fees = 0.0;
  for (const execution::Fill& f : engine->fills()) {
    paper.emplace_back(f.ticker, f.ts, f.side == execution::OrderSide::buy, f.quantity, f.price);
    paper_fees += f.commission;
  }
  std::sort(expected.begin(), expected.end());
  std::sort(paper.begin(), paper.end());
  for (std::size_t n = 0; n < std::min(paper.size(), expected.size()); ++n) {
    ASSERT_EQ(paper[n], expected[n]) << "fill " << n << ": " << std::get<0>(expected[n]) << " at "
                                     << core::format_utc(std::get<1>(expected[n])) << " paper " << std::get<0>(paper[n])
                                     << " at " << core::format_utc(std::get<1>(paper[n])) << " qty "
                                     << std::get<3>(paper[n]) << " vs " << std::get<3>(expected[n]);
  }
  ASSERT_EQ(paper.size(), expected.size());
  EXPECT_NEAR(paper_fees, expected_fees, 1e-6);

  // The same equity at every instant, and the final equity to the cent.
  ASSERT_EQ(engine->equity().size(), backtest->equity.size());
  EXPECT_EQ(engine->equity_ts(), backtest->ts);
  for (std::size_t k = 0; k < backtest->equity.size(); ++k) {
    ASSERT_NEAR(engine->equity()[k], backtest->equity[k], 1e-6) << core::format_utc(backtest->ts[k]);
  }
  EXPECT_NEAR(engine->book().equity(), backtest->equity.back(), 0.005);
  EXPECT_TRUE(engine->book().open_positions().empty());

  // The risk manager decided the same in both: the same trips and the same entries cut.
  EXPECT_EQ(paper_risk.trips().size(), backtest_risk.trips().size());
  std::map<execution::RiskLimit, std::pair<std::size_t, std::size_t>> cut;
  for (const execution::EngineDecision& d : engine->decisions()) {
    if (d.sized_quantity <= 0.0) continue;
    if (d.risk.verdict == execution::Verdict::reject) ++cut[d.risk.limit].first;
    if (d.risk.verdict == execution::Verdict::reduce) ++cut[d.risk.limit].second;
  }
  std::map<execution::RiskLimit, std::pair<std::size_t, std::size_t>> backtest_cut;
  for (const RiskBlocks& b : backtest->risk_blocks) backtest_cut[b.limit] = {b.rejected, b.reduced};
  EXPECT_EQ(cut, backtest_cut);
  EXPECT_EQ(engine->skipped_entries(), backtest->skipped_entries);
}

}  // namespace
}  // namespace itrade::evaluation

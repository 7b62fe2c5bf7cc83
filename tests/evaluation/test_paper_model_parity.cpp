// Paper trading with a model against the backtest of that model's signals, on the real sample
// (data/sample/ibkr): the model stage computes the features bar by bar and predicts per instant;
// its predictions equal the batch computation's bit for bit, and the replayed paper account then
// makes exactly the backtest's fills.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/interval.h"
#include "core/nyse_calendar.h"
#include "data/csv_source.h"
#include "evaluation/backtester.h"
#include "execution/model_stage.h"
#include "execution/replay.h"
#include "execution/simulated_broker.h"
#include "execution/trading_engine.h"
#include "features/engine/batch.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/dataset.h"
#include "models/gbdt_model.h"

namespace itrade::evaluation {
namespace {

constexpr core::Timestamp kBar = 5 * core::kNanosPerMinute;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(PaperModelParityTest, StreamingPredictionsEqualBatchOnesAndPaperTradesAsTheBacktest) {
  data::CsvSourceOptions options;
  options.naive_timezone = core::TimeZone::new_york();
  options.interval = *core::Interval::parse("5m");
  auto source = data::CsvSource::open({ITRADE_SOURCE_DIR "/data/sample/ibkr"}, options);
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto loaded = source->load({"AAPL", "MSFT"});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  // Complete sessions only (the sample's last day stops at 15:35): from 2025-05-12 to 2026-03-06.
  const core::DayNumber last_day = core::days_from_civil(2026, 3, 6);
  std::vector<core::BarSeries> bars;
  std::vector<std::string> tickers;
  for (auto& one : *loaded) {
    core::BarSeries& b = one.bars;
    std::size_t keep = 0;
    while (keep < b.size() && core::NyseCalendar::instance().new_york_day(b.ts[keep]) <= last_day) ++keep;
    b.keep_range(0, keep);
    tickers.push_back(b.ticker);
    bars.push_back(std::move(b));
  }

  // A small model trained on the months before 2026; traded on 2026's bars.
  auto set = features::FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml");
  auto targets = features::TargetSet::load(ITRADE_SOURCE_DIR "/config/targets.yaml");
  ASSERT_TRUE(set.ok() && targets.ok());
  const std::vector<std::string> names = {"sma_5", "sma_20", "rsi_14", "volume_ratio", "atr_14", "macd"};
  auto plan = set->plan(names);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const features::TargetDef* target = targets->find("direction_5");
  ASSERT_NE(target, nullptr);
  const core::Timestamp trade_from = core::start_of_day(core::days_from_civil(2026, 1, 2)) + 4 * core::kNanosPerHour;
  std::vector<features::FeatureMatrix> matrices;
  for (const core::BarSeries& b : bars) {
    auto matrix = features::compute_features(*plan, b);
    ASSERT_TRUE(matrix.ok()) << matrix.error().message;
    const features::TargetDef* one_target[] = {target};
    ASSERT_TRUE(features::append_targets(*matrix, one_target, b).ok());
    matrices.push_back(std::move(*matrix));
  }
  auto all = models::make_dataset(matrices, names, "direction_5");
  ASSERT_TRUE(all.ok()) << all.error().message;
  models::Dataset train;
  models::Dataset validation;
  train.feature_names = validation.feature_names = names;
  train.tickers = validation.tickers = all->tickers;
  for (std::size_t r = 0; r < all->rows(); ++r) {
    if (all->ts[r] >= trade_from - 10 * core::kNanosPerHour * 24) continue;  // no label reaches into 2026
    models::append_row(r % 5 == 0 ? validation : train, *all, r);
  }
  models::GbdtParams params;
  params.task = models::Task::multiclass;
  params.max_rounds = 40;
  params.early_stopping_rounds = 10;
  auto model = std::make_shared<models::GbdtModel>(params, "parity", "direction_5");
  ASSERT_TRUE(model->train(train, validation).ok());

  // Batch: every bar's features, predicted where all are warm (as the model stage does).
  std::vector<execution::Predictions> batch(bars.size());
  std::vector<TickerSignals> signals(bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const features::FeatureMatrix& m = matrices[i];
    models::Dataset rows;
    rows.feature_names = names;
    std::vector<std::size_t> warm;
    for (std::size_t r = 0; r < m.rows(); ++r) {
      bool ready = true;
      for (std::size_t c = 0; c < names.size(); ++c) ready = ready && std::isfinite(m.at(r, c));
      if (!ready) continue;
      for (std::size_t c = 0; c < names.size(); ++c) rows.features.push_back(static_cast<float>(m.at(r, c)));
      warm.push_back(r);
    }
    auto predicted = model->predict(rows);
    ASSERT_TRUE(predicted.ok()) << predicted.error().message;
    batch[i].signal.assign(m.rows(), kNaN);
    batch[i].confidence.assign(m.rows(), kNaN);
    for (std::size_t w = 0; w < warm.size(); ++w) {
      batch[i].signal[warm[w]] = (*predicted)[w].signal;
      batch[i].confidence[warm[w]] = (*predicted)[w].confidence;
    }
    // The backtest trades only from trade_from on: no signal before.
    signals[i] = {batch[i].signal, batch[i].confidence};
    for (std::size_t r = 0; r < m.rows(); ++r) {
      if (bars[i].ts[r] < trade_from) signals[i].signal[r] = kNaN;
    }
  }

  BacktestConfig config;
  config.position_fraction = 1.0;  // the model is cautious: full fractions buy a few shares
  config.entry_threshold = 0.1;
  const execution::RiskConfig limits;
  execution::RiskManager backtest_risk(limits, {});
  auto backtest = run_backtest(bars, signals, config, BacktestRisk{&backtest_risk, kBar});
  ASSERT_TRUE(backtest.ok()) << backtest.error().message;
  ASSERT_GT(backtest->trades.size(), 20u);

  // Paper: the model stage in front of the engine; every prediction it makes is checked against
  // the batch one of the same bar.
  auto stage = execution::ModelStage::create(*set, model, bars.size());
  ASSERT_TRUE(stage.ok()) << stage.error().message;
  std::vector<std::size_t> cursor(bars.size(), 0);
  std::size_t compared = 0;
  auto predictor = [&](std::span<execution::EngineBar> instant, bool) -> core::Status {
    if (auto ok = stage->on_bars(instant, true); !ok) return ok;
    for (execution::EngineBar& e : instant) {
      const std::size_t k = cursor[e.ticker]++;
      const double want = batch[e.ticker].signal[k];
      EXPECT_TRUE(std::isnan(want) ? std::isnan(e.signal) : e.signal == want)
          << tickers[e.ticker] << " bar " << core::format_utc(e.bar.ts) << ": " << e.signal << " vs " << want;
      compared += std::isnan(want) ? 0 : 1;
      if (e.bar.ts < trade_from) e.signal = kNaN;  // as the backtest's signals
    }
    return {};
  };
  execution::RiskManager paper_risk(limits, {});
  auto broker = execution::SimulatedBroker::create({config.cost_model(), config.initial_cash, 0.0, 0});
  ASSERT_TRUE(broker.ok());
  auto engine = execution::TradingEngine::create(
      tickers, {config.policy(), config.cost_model(), config.initial_cash, kBar}, paper_risk, *broker);
  ASSERT_TRUE(engine.ok());
  // The engine sees every bar (trade_from is the backtest's first signal, not its first bar), so
  // that both timelines and equity curves start together.
  auto replayed = execution::replay_bars(bars, predictor, *broker, *engine, {.bar_length = kBar});
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;
  EXPECT_GT(compared, 10'000u);

  ASSERT_EQ(engine->fills().size(), 2 * backtest->trades.size());
  EXPECT_NEAR(engine->book().equity(), backtest->equity.back(), 0.005);
  ASSERT_EQ(engine->equity().size(), backtest->equity.size());
  for (std::size_t k = 0; k < backtest->equity.size(); ++k) {
    ASSERT_NEAR(engine->equity()[k], backtest->equity[k], 1e-6) << core::format_utc(backtest->ts[k]);
  }
}

}  // namespace
}  // namespace itrade::evaluation

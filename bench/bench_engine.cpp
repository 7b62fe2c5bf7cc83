// Bar-to-decision latency of paper and live trading, in process: for one instant, the model
// stage (streaming features of the blueprint's 5 features, one XGBoost predict over the tickers
// with a bar) and the trading engine (booking the broker's events, marks, the policy's decisions,
// sizing, the risk manager, orders to the simulated broker). The simulated market (the broker's
// on_bar) is outside the measured span: it stands for the exchange.
//
// Market: synthetic 5-minute bars (data/synthetic_market.h), 2 sessions of warm-up, then every
// instant of 8 sessions measured (624 instants). Model: multiclass direction_5, 100 rounds of
// 31-leaf trees (300 trees), trained on 2 synthetic ticker-years, 1 XGBoost thread. Goals (issue
// 6): p99 <= 50 us for one ticker, <= 5 ms for one bar across 500 tickers.
//
//   scripts/build.sh bench
//   build/bench/bench/bench_engine
//
// Counters: p50_us, p99_us, max_us over the measured instants; orders and fills over the run.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "bench_support.h"
#include "core/nyse_calendar.h"
#include "execution/model_stage.h"
#include "execution/risk_manager.h"
#include "execution/simulated_broker.h"
#include "execution/trading_engine.h"
#include "models/gbdt_model.h"

namespace itrade::execution {
namespace {

const std::vector<std::string> kFeatures = {"sma_5", "sma_20", "rsi_14", "volume_ratio", "atr_14"};

// Trained afresh for each benchmark: a model kept in a static would be freed after XGBoost's own
// globals at exit.
std::shared_ptr<const models::SignalModel> trained_model() {
  return [] {
    data::SynthOptions options;
    options.tickers = 2;
    options.days = 252;
    options.seed = 7;
    const core::BarFrame frame = data::generate_synthetic_market(options);
    const auto set = bench::or_die(features::FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml"));
    const auto targets = bench::or_die(features::TargetSet::load(ITRADE_SOURCE_DIR "/config/targets.yaml"));
    const features::TargetDef* target[] = {targets.find("direction_5")};
    const auto plan = bench::or_die(set.plan(kFeatures));
    std::vector<features::FeatureMatrix> matrices;
    for (const core::BarSeries& bars : frame.series) {
      auto matrix = bench::or_die(features::compute_features(plan, bars));
      bench::or_die(features::append_targets(matrix, target, bars));
      matrices.push_back(std::move(matrix));
    }
    const auto all = bench::or_die(models::make_dataset(matrices, kFeatures, "direction_5"));
    models::Dataset train;
    models::Dataset validation;
    train.feature_names = validation.feature_names = kFeatures;
    train.tickers = validation.tickers = all.tickers;
    for (std::size_t r = 0; r < all.rows(); ++r) models::append_row(r % 5 == 0 ? validation : train, all, r);
    models::GbdtParams params;
    params.max_rounds = 100;
    params.early_stopping_rounds = 100;  // keep all 100 rounds: the latency of a full-size model
    params.threads = 1;
    params.booster = {{"eta", "0.05"}, {"grow_policy", "lossguide"}, {"max_leaves", "31"}, {"max_depth", "0"}};
    auto model = std::make_shared<models::GbdtModel>(params, "latency", "direction_5");
    bench::or_die(model->train(train, validation));
    return std::shared_ptr<const models::SignalModel>(std::move(model));
  }();
}

void BM_BarToDecision(benchmark::State& state) {
  const int tickers = static_cast<int>(state.range(0));
  data::SynthOptions options;
  options.tickers = tickers;
  options.days = 10;
  options.seed = 11;
  const core::BarFrame frame = data::generate_synthetic_market(options);
  const auto set = bench::or_die(features::FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml"));
  std::vector<std::string> names;
  for (const core::BarSeries& s : frame.series) names.push_back(s.ticker);
  const std::size_t instants = frame.series.front().size();  // every ticker has every bar
  const std::size_t warm_up = 2 * 78;

  const std::shared_ptr<const models::SignalModel> model = trained_model();
  std::vector<double> latencies;
  std::size_t orders = 0;
  std::size_t fills = 0;
  for (auto _ : state) {
    RiskManager risk(RiskConfig{}, {});
    EngineConfig config;
    config.policy.position_fraction = 0.5;  // the model is cautious: bigger bases make it trade
    auto broker = bench::or_die(SimulatedBroker::create({config.cost, config.initial_cash, 0.0, 0}));
    auto engine = bench::or_die(TradingEngine::create(names, config, risk, broker));
    auto stage = bench::or_die(ModelStage::create(set, model, names.size()));
    std::vector<EngineBar> batch(names.size());
    latencies.clear();
    for (std::size_t k = 0; k < instants; ++k) {
      const core::Timestamp ts = frame.series.front().ts[k];
      for (std::size_t i = 0; i < names.size(); ++i) batch[i] = {i, features::bar_point(frame.series[i], k), 0.0, 0.0};
      if (k < warm_up) {
        bench::or_die(stage.on_bars(batch, false));
        engine.catch_up(ts, batch);
        continue;
      }
      for (std::size_t i = 0; i < names.size(); ++i) {
        bench::or_die(broker.on_bar(names[i], batch[i].bar));
      }
      const auto start = std::chrono::steady_clock::now();
      const core::Status predicted = stage.on_bars(batch, true);
      const core::Status decided = engine.on_bars(ts, batch);
      const auto stop = std::chrono::steady_clock::now();
      bench::or_die(predicted);
      bench::or_die(decided);
      latencies.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
      const auto session = core::NyseCalendar::instance().session_containing(ts);
      if (session && ts + config.bar_length >= session->close) broker.end_of_day(session->close);
    }
    orders = engine.orders().size();
    fills = engine.fills().size();
  }
  std::sort(latencies.begin(), latencies.end());
  const auto at = [&](double q) {
    return latencies[static_cast<std::size_t>(q * static_cast<double>(latencies.size() - 1))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = latencies.back();
  state.counters["instants"] = static_cast<double>(latencies.size());
  state.counters["orders"] = static_cast<double>(orders);
  state.counters["fills"] = static_cast<double>(fills);
}
BENCHMARK(BM_BarToDecision)->Arg(1)->Arg(500)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace itrade::execution

BENCHMARK_MAIN();

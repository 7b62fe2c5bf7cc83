// Gradient-boosted-tree training and prediction on 44 features of a synthetic market: 3 tickers x
// 1 year of 5-minute bars for training (about 58,000 labelled rows), one more ticker-year for
// validation; 3-class direction_5 target; leaf-wise growth (LightGBM's algorithm on XGBoost).
// The target: up to 500 rounds with early stopping in <= 5 s on 2 cores.
//
//   build/bench/bench/bench_models --benchmark_filter=Train
//   build/bench/bench/bench_models --benchmark_filter=Predict

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "data/synthetic_market.h"
#include "features/engine/batch.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/dataset.h"
#include "models/gbdt_model.h"

namespace itrade::models {
namespace {

template <typename T>
T or_die(core::Result<T> result) {
  if (!result) {
    std::fprintf(stderr, "%s\n", result.error().message.c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

// Features + direction_5 of `tickers` synthetic ticker-years (seed picks the market).
Dataset market_dataset(int tickers, std::uint64_t seed) {
  data::SynthOptions options;
  options.tickers = tickers;
  options.days = 252;
  options.seed = seed;
  const auto frame = data::generate_synthetic_market(options);
  const auto set = or_die(features::FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml"));
  const auto targets = or_die(features::TargetSet::load(ITRADE_SOURCE_DIR "/config/targets.yaml"));
  const features::TargetDef* target = targets.find("direction_5");
  std::vector<features::FeatureMatrix> matrices;
  for (const auto& bars : frame.series) {
    auto matrix = or_die(features::compute_features(set.plan_all(), bars));
    const features::TargetDef* const wanted[] = {target};
    if (!features::append_targets(matrix, wanted, bars)) std::exit(1);
    matrices.push_back(std::move(matrix));
  }
  return or_die(make_dataset(matrices, set.names(), "direction_5"));
}

const Dataset& train_set() {
  static const Dataset data = market_dataset(3, 101);
  return data;
}
const Dataset& validation_set() {
  static const Dataset data = market_dataset(1, 202);
  return data;
}

GbdtParams leaf_wise(int max_rounds, int early_stopping) {
  GbdtParams params;
  params.task = Task::multiclass;
  params.max_rounds = max_rounds;
  params.early_stopping_rounds = early_stopping;
  params.threads = 2;
  params.booster = {{"grow_policy", "lossguide"}, {"max_leaves", "31"}, {"max_depth", "0"}, {"eta", "0.05"},
                    {"subsample", "0.8"},         {"colsample_bytree", "0.8"}, {"min_child_weight", "2"}};
  return params;
}

void BM_Train(benchmark::State& state) {
  const int max_rounds = static_cast<int>(state.range(0));
  const int early = static_cast<int>(state.range(1));
  int rounds = 0;
  for (auto _ : state) {
    GbdtModel model(leaf_wise(max_rounds, early), "bench", "direction_5");
    auto result = model.train(train_set(), validation_set());
    if (!result) state.SkipWithError(result.error().message.c_str());
    rounds = static_cast<int>(result->rounds.size());
  }
  state.counters["rows"] = static_cast<double>(train_set().rows());
  state.counters["features"] = static_cast<double>(train_set().cols());
  state.counters["rounds"] = rounds;
}
// (500, 50): the configured early stopping; (500, 500): all 500 rounds, the worst case.
BENCHMARK(BM_Train)->Args({500, 50})->Args({500, 500})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

void BM_PredictBatch(benchmark::State& state) {
  static GbdtModel* model = [] {
    auto* trained = new GbdtModel(leaf_wise(200, 200), "bench", "direction_5");
    if (!trained->train(train_set(), validation_set())) std::exit(1);
    return trained;
  }();
  for (auto _ : state) {
    auto outputs = model->predict(train_set());
    benchmark::DoNotOptimize(outputs);
  }
  state.counters["rows_per_s"] = benchmark::Counter(static_cast<double>(train_set().rows()),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PredictBatch)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace itrade::models

BENCHMARK_MAIN();

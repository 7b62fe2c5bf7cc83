// Gradient-boosted-tree training and prediction on 44 features of a synthetic market: 3 tickers x
// 1 year of 5-minute bars for training (about 58,000 labelled rows), one more ticker-year for
// validation; 3-class direction_5 target; leaf-wise growth (LightGBM's algorithm on XGBoost).
// The target: up to 500 rounds with early stopping in <= 5 s on 2 cores.
//
//   build/bench/bench/bench_models --benchmark_filter=Train
//   build/bench/bench/bench_models --benchmark_filter=Predict
//
// BM_TrainOption/<option>: the (500, 50) training with one option changed, each run once (repeat
// with --benchmark_repetitions=3), reporting the training's own seconds, the rounds it ran and the
// test log loss (multiclass log loss on a third synthetic ticker-year, seed 303) of the
// early-stopped model:
//
//   build/bench/bench/bench_models --benchmark_filter=TrainOption --benchmark_repetitions=3
//
// BM_PredictModel: batch prediction, Forest against XGBoost (see the function).

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_support.h"
#include "data/synthetic_market.h"
#include "features/engine/batch.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/dataset.h"
#include "models/forest.h"
#include "models/gbdt_model.h"

namespace itrade::models {
namespace {

using bench::or_die;

using bench::market_dataset;

const Dataset& train_set() {
  static const Dataset data = market_dataset(3, 101);
  return data;
}
const Dataset& validation_set() {
  static const Dataset data = market_dataset(1, 202);
  return data;
}
const Dataset& test_set() {
  static const Dataset data = market_dataset(1, 303);
  return data;
}

// Multiclass log loss of class probabilities (rows x 3) against labels, clipped at 1e-15 as
// XGBoost's mlogloss is.
double log_loss(const std::vector<float>& probabilities, const std::vector<float>& labels) {
  double sum = 0.0;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    const double p = probabilities[r * 3 + static_cast<std::size_t>(labels[r])];
    sum -= std::log(std::max(p, 1e-15));
  }
  return sum / static_cast<double>(labels.size());
}

GbdtParams leaf_wise(int max_rounds, int early_stopping) {
  GbdtParams params;
  params.task = Task::multiclass;
  params.max_rounds = max_rounds;
  params.early_stopping_rounds = early_stopping;
  params.threads = 2;
  params.booster = {
      {"grow_policy", "lossguide"}, {"max_leaves", "31"},        {"max_depth", "0"},       {"eta", "0.05"},
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

// One training option changed from leaf_wise(500, 50) with a plain DMatrix (XGDMatrixCreateFromMat_omp).
struct TrainOption {
  const char* name;
  std::function<void(GbdtParams&)> change;
};

void set_booster(GbdtParams& params, const std::string& name, const std::string& value) {
  auto& booster = params.booster;
  const auto it = std::find_if(booster.begin(), booster.end(), [&](const auto& p) { return p.first == name; });
  if (it != booster.end()) {
    it->second = value;
  } else {
    booster.emplace_back(name, value);
  }
}

const std::vector<TrainOption>& train_options() {
  static const std::vector<TrainOption> options = {
      {"baseline", [](GbdtParams&) {}},
      {"max_bin_127", [](GbdtParams& p) { set_booster(p, "max_bin", "127"); }},
      {"max_bin_63", [](GbdtParams& p) { set_booster(p, "max_bin", "63"); }},
      {"threads_1", [](GbdtParams& p) { p.threads = 1; }},
      {"depthwise_5",
       [](GbdtParams& p) {
         std::erase_if(p.booster, [](const auto& s) { return s.first == "max_leaves"; });
         set_booster(p, "grow_policy", "depthwise");
         set_booster(p, "max_depth", "5");
       }},
      {"no_train_metric", [](GbdtParams& p) { p.evaluate_training = false; }},
      {"quantile_dmatrix", [](GbdtParams& p) { p.quantile_dmatrix = true; }},
      {"max_bin_127_no_train_metric",
       [](GbdtParams& p) {
         set_booster(p, "max_bin", "127");
         p.evaluate_training = false;
       }},
      {"max_bin_63_no_train_metric",
       [](GbdtParams& p) {
         set_booster(p, "max_bin", "63");
         p.evaluate_training = false;
       }},
      {"max_bin_63_no_train_metric_quantile",
       [](GbdtParams& p) {
         set_booster(p, "max_bin", "63");
         p.evaluate_training = false;
         p.quantile_dmatrix = true;
       }},
  };
  return options;
}

void BM_TrainOption(benchmark::State& state, const TrainOption* option) {
  GbdtParams params = leaf_wise(500, 50);
  params.quantile_dmatrix = false;  // the baseline is the setting before QuantileDMatrix became the default
  option->change(params);
  TrainResult result;
  double test_loss = 0.0;
  for (auto _ : state) {
    GbdtModel model(params, "bench", "direction_5");
    auto trained = model.train(train_set(), validation_set());
    if (!trained) {
      state.SkipWithError(trained.error().message.c_str());
      return;
    }
    result = std::move(trained).value();
    state.PauseTiming();
    test_loss = log_loss(or_die(model.predict_raw(test_set())), test_set().labels);
    state.ResumeTiming();
  }
  state.counters["train_s"] = result.seconds;
  state.counters["rounds"] = static_cast<double>(result.rounds.size());
  state.counters["best_round"] = result.best_iteration;
  state.counters["valid_logloss"] = result.rounds[static_cast<std::size_t>(result.best_iteration)].validation;
  state.counters["test_logloss"] = test_loss;
  state.counters["test_rows"] = static_cast<double>(test_set().rows());
}

const bool registered_train_options = [] {
  for (const TrainOption& option : train_options()) {
    benchmark::RegisterBenchmark(fmt::format("BM_TrainOption/{}", option.name).c_str(), BM_TrainOption, &option)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
  }
  return true;
}();

// Batch prediction of the training rows by a model of the size BM_Train/500/50 gives: range(0) =
// 0, the early-stopped model itself (126 rounds run, sliced to the best: 76 rounds, 228 trees on
// this data), or 1, all 126 rounds kept (378 trees; validated on its own training set, whose loss
// falls every round, so that the slice keeps them all). range(1) = 0: GbdtModel::predict (Forest,
// 2 threads, to SignalOutputs); 1: predict_raw (XGBoost, 2 threads); 2 and 3: Forest::predict_rows
// alone on 1 and 2 threads.
void BM_PredictModel(benchmark::State& state) {
  static GbdtModel* early_stopped = [] {
    auto* trained = new GbdtModel(leaf_wise(500, 50), "bench", "direction_5");
    if (!trained->train(train_set(), validation_set())) std::exit(1);
    return trained;
  }();
  static GbdtModel* all_rounds = [] {
    auto* trained = new GbdtModel(leaf_wise(126, 126), "bench", "direction_5");
    if (!trained->train(train_set(), train_set())) std::exit(1);
    return trained;
  }();
  const GbdtModel* model = state.range(0) == 0 ? early_stopped : all_rounds;
  const Dataset& rows = train_set();
  std::vector<float> out(rows.rows() * 3);
  for (auto _ : state) {
    switch (state.range(1)) {
      case 0:
        benchmark::DoNotOptimize(model->predict(rows));
        break;
      case 1:
        benchmark::DoNotOptimize(model->predict_raw(rows));
        break;
      default:
        model->forest()->predict_rows(rows.features.data(), rows.rows(), out.data(),
                                      static_cast<int>(state.range(1)) - 1);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows.rows()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["trees"] = static_cast<double>(model->forest()->num_trees());
  state.counters["ns_per_tree_row"] =
      benchmark::Counter(static_cast<double>(rows.rows() * model->forest()->num_trees()) * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_PredictModel)
    ->ArgsProduct({{0, 1}, {0, 1, 2, 3}})
    ->ArgNames({"model", "mode"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

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
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(train_set().rows()), benchmark::Counter::kIsIterationInvariantRate);
  // The model is sliced to its best validation round: fewer than 200 rounds' trees.
  state.counters["trees"] = model->forest() != nullptr ? static_cast<double>(model->forest()->num_trees()) : 0.0;
}
BENCHMARK(BM_PredictBatch)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace itrade::models

BENCHMARK_MAIN();

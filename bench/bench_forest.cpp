// One-row and batch prediction of a 3-class leaf-wise model (31 leaves, 150 rounds: 450 trees) on
// 44 features: Forest (our walk of the trees) against XGBoost's C API. The live engine's budget is
// 20 us (median) from one bar's features to a SignalOutput; XGBoost takes tens of microseconds
// whatever the model's size. Synthetic data: random normal features with a label learnable from a
// few of them. The fixture first checks that the forest equals XGBoost on all 50,000 rows.
//
//   build/bench/bench/bench_forest
//   build/bench/bench/bench_forest --benchmark_filter=OneRow
//
// OneRow cycles through 1,000 different rows, so that the branch predictor cannot learn one path,
// with the forest in cache as in a loop; OneRowCold first evicts it (a bar every few minutes may
// find it gone); Batch reports rows/s over 50,000 rows on one thread, predict() row by row;
// Rows/<threads> the same through Forest::predict_rows (blocks of rows, bit masks) on 1 or 2
// threads, with ns_per_tree_row = wall time / (rows x trees).
//
//   build/bench/bench/bench_forest --benchmark_filter='Rows|Batch'

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "bench_support.h"
#include "models/forest.h"
#include "models/gbdt_model.h"
#include "models/signal_mapping.h"
#include "support/allocation_counter.h"

namespace itrade::models {
namespace {

constexpr std::size_t kFeatures = 44;
constexpr std::size_t kPoolRows = 1000;  // rows the one-row benchmarks cycle through
constexpr std::size_t kBatchRows = 50000;

using bench::or_die;

// Classes from a noisy score of 6 of the 44 features (one interaction, one step); the rest is noise.
Dataset synthetic(std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Dataset data;
  for (std::size_t c = 0; c < kFeatures; ++c)
    data.feature_names.push_back(fmt::format("f{}", c));  // not "f" + to_string: GCC 12 -O3 -Wrestrict
  data.features.resize(rows * kFeatures);
  data.labels.resize(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    float* x = data.features.data() + r * kFeatures;
    for (std::size_t c = 0; c < kFeatures; ++c) x[c] = normal(rng);
    const float score = 0.6f * x[0] - 0.4f * x[1] + 0.5f * x[2] * x[3] + (x[4] > 0.3f ? 0.5f : -0.2f) +
                        0.3f * std::tanh(x[5]) + 0.8f * normal(rng);
    data.labels[r] = score < -0.4f ? 0.0f : (score > 0.4f ? 2.0f : 1.0f);
  }
  return data;
}

struct Fixture {
  std::unique_ptr<GbdtModel> model;
  Forest forest;
  Dataset rows;  // kBatchRows rows; the one-row benchmarks use the first kPoolRows
  int rounds = 0;
};

const Fixture& fixture() {
  static const Fixture* made = [] {
    GbdtParams params;
    params.task = Task::multiclass;
    params.max_rounds = 150;
    params.early_stopping_rounds = 150;  // train every round: the benchmark wants a 450-tree model
    params.threads = 2;
    params.booster = {
        {"grow_policy", "lossguide"}, {"max_leaves", "31"},        {"max_depth", "0"},       {"eta", "0.05"},
        {"subsample", "0.8"},         {"colsample_bytree", "0.8"}, {"min_child_weight", "2"}};
    auto model = std::make_unique<GbdtModel>(params, "bench", "direction");
    const TrainResult trained = or_die(model->train(synthetic(20000, 1), synthetic(5000, 2)));
    Forest forest = or_die(Forest::from_xgboost_json(or_die(model->booster_json())));
    auto* made = new Fixture{std::move(model), std::move(forest), synthetic(kBatchRows, 3), trained.best_iteration + 1};
    // The figures mean something only if the forest is XGBoost: check every row once.
    const std::vector<float> expected = or_die(made->model->predict_raw(made->rows));
    float out[3];
    std::vector<float> batch(kBatchRows * 3);
    made->forest.predict_rows(made->rows.features.data(), kBatchRows, batch.data(), 2);
    for (std::size_t r = 0; r < kBatchRows; ++r) {
      made->forest.predict(made->rows.features.data() + r * kFeatures, out);
      for (std::size_t k = 0; k < 3; ++k) {
        if (out[k] != expected[r * 3 + k] || batch[r * 3 + k] != expected[r * 3 + k]) {
          std::fprintf(stderr, "row %zu class %zu: forest %.9g, batch %.9g, XGBoost %.9g\n", r, k, out[k],
                       batch[r * 3 + k], expected[r * 3 + k]);
          std::exit(1);
        }
      }
    }
    return made;
  }();
  return *made;
}

void report_model(benchmark::State& state) {
  state.counters["trees"] = static_cast<double>(fixture().forest.num_trees());
  state.counters["nodes"] = static_cast<double>(fixture().forest.num_nodes());
  state.counters["rounds"] = fixture().rounds;
}

const float* pool_row(std::size_t i) { return fixture().rows.features.data() + (i % kPoolRows) * kFeatures; }

void BM_ForestOneRow(benchmark::State& state) {
  const Forest& forest = fixture().forest;
  float out[3];
  std::size_t i = 0;
  const long allocations = allocation_counter::count();
  for (auto _ : state) {
    forest.predict(pool_row(i++), out);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  state.counters["allocs_per_row"] =
      static_cast<double>(allocation_counter::count() - allocations) / static_cast<double>(state.iterations());
  report_model(state);
}
BENCHMARK(BM_ForestOneRow)->Unit(benchmark::kNanosecond)->Repetitions(10)->ReportAggregatesOnly(true);

// Features to SignalOutput: what the live engine does per bar.
void BM_ForestOneRowSignal(benchmark::State& state) {
  const Forest& forest = fixture().forest;
  float out[3];
  std::size_t i = 0;
  for (auto _ : state) {
    forest.predict(pool_row(i++), out);
    SignalOutput signal = from_class_probabilities(std::span<const float>(out, 3));
    benchmark::DoNotOptimize(signal);
  }
  report_model(state);
}
BENCHMARK(BM_ForestOneRowSignal)->Unit(benchmark::kNanosecond)->Repetitions(10)->ReportAggregatesOnly(true);

// Before each row, touches state.range(0) MiB: 2 evicts L1 and L2 (the forest is 550 KB) but not
// L3, 64 evicts everything.
void BM_ForestOneRowCold(benchmark::State& state) {
  const Forest& forest = fixture().forest;
  std::vector<char> evict(static_cast<std::size_t>(state.range(0)) << 20, 1);
  float out[3];
  std::size_t i = 0;
  long sum = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (std::size_t k = 0; k < evict.size(); k += 64) sum += ++evict[k];
    state.ResumeTiming();
    forest.predict(pool_row(i++), out);
    benchmark::DoNotOptimize(out);
  }
  benchmark::DoNotOptimize(sum);
  report_model(state);
}
BENCHMARK(BM_ForestOneRowCold)
    ->Arg(2)
    ->Arg(64)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(300)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_XgboostOneRow(benchmark::State& state) {
  const Fixture& f = fixture();
  Dataset one;
  one.feature_names = f.rows.feature_names;
  one.features.resize(kFeatures);
  std::size_t i = 0;
  for (auto _ : state) {
    const float* row = pool_row(i++);
    std::copy(row, row + kFeatures, one.features.begin());
    auto out = f.model->predict_raw(one);
    benchmark::DoNotOptimize(out);
  }
  report_model(state);
}
BENCHMARK(BM_XgboostOneRow)->Unit(benchmark::kMicrosecond)->Repetitions(10)->ReportAggregatesOnly(true);

void BM_ForestBatch(benchmark::State& state) {
  const Fixture& f = fixture();
  std::vector<float> out(kBatchRows * 3);
  for (auto _ : state) {
    for (std::size_t r = 0; r < kBatchRows; ++r) f.forest.predict(f.rows.features.data() + r * kFeatures, &out[r * 3]);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(kBatchRows), benchmark::Counter::kIsIterationInvariantRate);
  report_model(state);
}
BENCHMARK(BM_ForestBatch)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ForestRows(benchmark::State& state) {
  const Fixture& f = fixture();
  const int threads = static_cast<int>(state.range(0));
  std::vector<float> out(kBatchRows * 3);
  for (auto _ : state) {
    f.forest.predict_rows(f.rows.features.data(), kBatchRows, out.data(), threads);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(kBatchRows), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ns_per_tree_row"] =
      benchmark::Counter(static_cast<double>(kBatchRows * f.forest.num_trees()) * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["mask_trees"] = static_cast<double>(f.forest.num_mask_trees());
  report_model(state);
}
BENCHMARK(BM_ForestRows)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// GbdtModel::predict (now through the Forest, 2 threads) against predict_raw (XGBoost's C API, 2
// threads): the whole way from a Dataset to SignalOutputs.
void BM_ModelPredict(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    auto out = f.model->predict(f.rows);
    benchmark::DoNotOptimize(out);
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(kBatchRows), benchmark::Counter::kIsIterationInvariantRate);
  report_model(state);
}
BENCHMARK(BM_ModelPredict)->Unit(benchmark::kMillisecond)->UseRealTime();

// XGBoost's batch prediction on its 2 threads, for comparison.
void BM_XgboostBatch(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    auto out = f.model->predict_raw(f.rows);
    benchmark::DoNotOptimize(out);
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(kBatchRows), benchmark::Counter::kIsIterationInvariantRate);
  report_model(state);
}
BENCHMARK(BM_XgboostBatch)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace itrade::models

BENCHMARK_MAIN();

// The model layer at scale (issue 4, target c): the 3-class leaf-wise model of bench_models (44
// features, direction_5, 31 leaves, eta 0.05, up to 500 rounds, early stopping 50, 2 threads)
// trained on about 2,000,000 rows of a synthetic market: 110 ticker-years (11 markets of 10 tickers
// x 252 sessions of 5-minute bars, seeds 1000..1010), validated on 6 more ticker-years (seed 2000)
// and scored on 2 more (seed 3000, test log loss). Prints the rows, the seconds of each stage, the
// rounds and the memory: VmRSS now and VmHWM (the peak so far) from /proc/self/status. Run it
// under /usr/bin/time -v for the whole process's "Maximum resident set size":
//
//   /usr/bin/time -v build/bench/bench/bench_models_scale [options]
//
// Options (each changes one thing from the above):
//   --groups N          markets of 10 ticker-years for training (default 11: about 2.0 M rows)
//   --threads N         XGBoost nthread (default 2)
//   --max-bin N         booster max_bin (default XGBoost's 256)
//   --no-train-metric   evaluate only the validation set each round
//   --plain-dmatrix     train from a DMatrix made by XGDMatrixCreateFromMat_omp (the former
//                       default) rather than a QuantileDMatrix (GbdtParams' default; --quantile
//                       asks for it explicitly)
//   --max-rounds N      (default 500)
//   --dmatrix KIND      only make the training matrix, KIND = mat_omp (XGDMatrixCreateFromMat_omp,
//                       what GbdtModel uses), dense (XGDMatrixCreateFromDense, an
//                       __array_interface__ of the same float32 rows) or quantile (QuantileDMatrix),
//                       and report its seconds and how much resident memory it added.

#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.h"
#include "data/synthetic_market.h"
#include "features/engine/batch.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/dataset.h"
#include "models/gbdt_model.h"

namespace itrade::models {
namespace {

using bench::or_die;

// A field of /proc/self/status in MiB ("VmRSS", "VmHWM").
double status_mib(std::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':') {
      return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024.0;  // kB
    }
  }
  return std::nan("");
}

void memory(const char* when) {
  std::printf("memory %-28s VmRSS %8.1f MiB  VmHWM %8.1f MiB\n", when, status_mib("VmRSS"), status_mib("VmHWM"));
  std::fflush(stdout);
}

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Features and direction_5 of `groups` markets of 10 ticker-years, seeds first_seed.., appended
// one market at a time so that only one market's bars and feature matrices are alive at once.
Dataset market_rows(int groups, std::uint64_t first_seed, int tickers = 10) {
  Dataset all;
  for (int g = 0; g < groups; ++g) {
    const Dataset part = bench::market_dataset(tickers, first_seed + static_cast<std::uint64_t>(g));
    all.feature_names = part.feature_names;
    all.features.insert(all.features.end(), part.features.begin(), part.features.end());
    all.labels.insert(all.labels.end(), part.labels.begin(), part.labels.end());
  }
  all.features.shrink_to_fit();
  all.labels.shrink_to_fit();
  return all;
}

struct RowBatches {
  DMatrixHandle proxy = nullptr;
  std::string rows;
  bool given = false;
};
extern "C" void reset_batches(DataIterHandle handle) { static_cast<RowBatches*>(handle)->given = false; }
extern "C" int next_batch(DataIterHandle handle) {
  auto* batches = static_cast<RowBatches*>(handle);
  if (batches->given) return 0;
  batches->given = true;
  XGProxyDMatrixSetDataDense(batches->proxy, batches->rows.c_str());
  return 1;
}

void check(int status, const char* what) {
  if (status != 0) {
    std::fprintf(stderr, "%s failed: %s\n", what, XGBGetLastError());
    std::exit(1);
  }
}

// Makes the training matrix one way and reports its time and the resident memory it added.
void make_matrix_only(const Dataset& train, const std::string& kind, int threads, const std::string& max_bin) {
  const double before = status_mib("VmRSS");
  const auto start = std::chrono::steady_clock::now();
  DMatrixHandle matrix = nullptr;
  const std::string rows =
      fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                  reinterpret_cast<std::uintptr_t>(train.features.data()), train.rows(), train.cols());
  if (kind == "mat_omp") {
    check(XGDMatrixCreateFromMat_omp(train.features.data(), train.rows(), train.cols(),
                                     std::numeric_limits<float>::quiet_NaN(), &matrix, threads),
          "XGDMatrixCreateFromMat_omp");
  } else if (kind == "dense") {
    const std::string config = fmt::format(R"({{"missing": NaN, "nthread": {}}})", threads);
    check(XGDMatrixCreateFromDense(rows.c_str(), config.c_str(), &matrix), "XGDMatrixCreateFromDense");
  } else if (kind == "quantile") {
    DMatrixHandle proxy = nullptr;
    check(XGProxyDMatrixCreate(&proxy), "XGProxyDMatrixCreate");
    RowBatches batches{proxy, rows, false};
    const std::string config = fmt::format(R"({{"missing": NaN, "nthread": {}, "max_bin": {}}})", threads, max_bin);
    check(XGQuantileDMatrixCreateFromCallback(&batches, proxy, nullptr, reset_batches, next_batch, config.c_str(),
                                              &matrix),
          "XGQuantileDMatrixCreateFromCallback");
    XGDMatrixFree(proxy);
  } else {
    std::fprintf(stderr, "--dmatrix %s: give mat_omp, dense or quantile\n", kind.c_str());
    std::exit(2);
  }
  const double seconds = since(start);
  bst_ulong rows_in = 0;
  check(XGDMatrixNumRow(matrix, &rows_in), "XGDMatrixNumRow");
  std::printf("dmatrix %s: %.2f s, %llu rows, resident memory +%.1f MiB (the float32 rows are %.1f MiB)\n",
              kind.c_str(), seconds, static_cast<unsigned long long>(rows_in), status_mib("VmRSS") - before,
              static_cast<double>(train.features.size() * sizeof(float)) / (1024.0 * 1024.0));
  memory("after the matrix");
  XGDMatrixFree(matrix);
}

int run(int argc, char** argv) {
  int groups = 11;
  int threads = 2;
  int max_rounds = 500;
  std::string max_bin;
  std::string dmatrix;
  bool train_metric = true;
  bool quantile = GbdtParams{}.quantile_dmatrix;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return std::string(argv[++i]);
    };
    if (arg == "--groups") {
      groups = std::stoi(value());
    } else if (arg == "--threads") {
      threads = std::stoi(value());
    } else if (arg == "--max-bin") {
      max_bin = value();
    } else if (arg == "--max-rounds") {
      max_rounds = std::stoi(value());
    } else if (arg == "--dmatrix") {
      dmatrix = value();
    } else if (arg == "--no-train-metric") {
      train_metric = false;
    } else if (arg == "--quantile") {
      quantile = true;
    } else if (arg == "--plain-dmatrix") {
      quantile = false;
    } else {
      std::fprintf(stderr, "unknown option %s (see the top of bench/bench_models_scale.cpp)\n", argv[i]);
      return 2;
    }
  }

  auto start = std::chrono::steady_clock::now();
  const Dataset train = market_rows(groups, 1000);
  const Dataset validation = market_rows(1, 2000, 6);
  const Dataset test = market_rows(1, 3000, 2);
  std::printf(
      "data: %zu training rows x %zu features (%.1f MiB of float32), %zu validation rows, %zu test rows, "
      "%.1f s to make\n",
      train.rows(), train.cols(), static_cast<double>(train.features.size() * 4) / (1024.0 * 1024.0), validation.rows(),
      test.rows(), since(start));
  memory("after the data");

  if (!dmatrix.empty()) {
    make_matrix_only(train, dmatrix, threads, max_bin.empty() ? "256" : max_bin);
    return 0;
  }

  GbdtParams params;
  params.task = Task::multiclass;
  params.max_rounds = max_rounds;
  params.early_stopping_rounds = 50;
  params.threads = threads;
  params.evaluate_training = train_metric;
  params.quantile_dmatrix = quantile;
  params.booster = {
      {"grow_policy", "lossguide"}, {"max_leaves", "31"},        {"max_depth", "0"},       {"eta", "0.05"},
      {"subsample", "0.8"},         {"colsample_bytree", "0.8"}, {"min_child_weight", "2"}};
  if (!max_bin.empty()) params.booster.emplace_back("max_bin", max_bin);
  std::printf("training: threads %d, max_bin %s, train metric %s, %s\n", threads,
              max_bin.empty() ? "256" : max_bin.c_str(), train_metric ? "yes" : "no",
              quantile ? "QuantileDMatrix" : "DMatrix (XGDMatrixCreateFromMat_omp)");
  std::fflush(stdout);
  GbdtModel model(params, "scale", "direction_5");
  const TrainResult result = or_die(model.train(train, validation));
  const auto& best = result.rounds[static_cast<std::size_t>(result.best_iteration)];
  std::printf("trained: %.1f s, %zu rounds (%.0f ms/round), best round %d, validation mlogloss %.5f\n", result.seconds,
              result.rounds.size(), 1000.0 * result.seconds / static_cast<double>(result.rounds.size()),
              result.best_iteration, best.validation);
  memory("after training");

  const std::vector<float> probabilities = or_die(model.predict_raw(test));
  double loss = 0.0;
  for (std::size_t r = 0; r < test.rows(); ++r) {
    const double p = probabilities[r * 3 + static_cast<std::size_t>(test.labels[r])];
    loss -= std::log(std::max(p, 1e-15));
  }
  std::printf("test mlogloss %.5f on %zu rows\n", loss / static_cast<double>(test.rows()), test.rows());
  start = std::chrono::steady_clock::now();
  const auto outputs = or_die(model.predict(train));
  const double predict_seconds = since(start);
  std::printf("predict (Forest, %d threads) of the %zu training rows: %.2f s, %.0f rows/s\n", threads, outputs.size(),
              predict_seconds, static_cast<double>(outputs.size()) / predict_seconds);
  memory("at the end");
  return 0;
}

}  // namespace
}  // namespace itrade::models

int main(int argc, char** argv) { return itrade::models::run(argc, argv); }

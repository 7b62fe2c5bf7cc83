#include "features/engine/batch.h"

#include <algorithm>
#include <atomic>
#include <optional>

#include "core/memory.h"
#include "core/parallel.h"

namespace itrade::features {

namespace {

core::Status check_series(const FeaturePlan& plan, const core::BarSeries& bars) {
  for (std::size_t i = 1; i < bars.size(); ++i) {
    if (bars.ts[i] <= bars.ts[i - 1]) {
      return core::input_error("{}: bar at {} is not after the previous bar at {}; features need bars in time "
                               "order, once each (itrade data validate finds such rows)",
                               bars.ticker, core::format_utc(bars.ts[i]), core::format_utc(bars.ts[i - 1]));
    }
  }
  if (!plan.reads_volume) return {};
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (!(bars.volume[i] >= 0.0)) {
      return core::input_error("{}: bar at {} has no volume, but a requested feature reads volume; use a source "
                               "with volume or drop the volume features",
                               bars.ticker, core::format_utc(bars.ts[i]));
    }
  }
  return {};
}

}  // namespace

core::Result<FeatureMatrix> compute_features(const std::shared_ptr<const FeaturePlan>& plan,
                                             const core::BarSeries& bars) {
  if (auto status = check_series(*plan, bars); !status) return status.error();
  FeatureMatrix matrix;
  matrix.ticker = bars.ticker;
  matrix.columns = plan->output_names;
  matrix.ts = bars.ts;
  // Huge pages, faulted in by the writes: on the project's VM, pre-populating the 3.4 GB output
  // of a 500-ticker year from two threads at once took twice as long as letting the writes fault
  // (docs/PERFORMANCE.md).
  matrix.values = core::reserve_populated<double>(bars.size() * matrix.cols(), core::Populate::on_first_write);
  matrix.values.resize(bars.size() * matrix.cols());
  FeatureEngine engine(plan);
  double* row = matrix.values.data();
  for (std::size_t i = 0; i < bars.size(); ++i, row += matrix.cols()) {
    engine.step(bar_point(bars, i), row);
  }
  return matrix;
}

core::Result<std::vector<FeatureMatrix>> compute_features(const std::shared_ptr<const FeaturePlan>& plan,
                                                          std::span<const core::BarSeries> series,
                                                          const BatchOptions& options) {
  std::vector<std::optional<core::Result<FeatureMatrix>>> results(series.size());
  std::atomic<std::size_t> done{0};
  core::parallel_for(series.size(), options.threads, [&](std::size_t i) {
    results[i].emplace(compute_features(plan, series[i]));
    const std::size_t finished = done.fetch_add(1) + 1;
    if (options.progress) options.progress(finished, series.size());
  });
  std::vector<FeatureMatrix> matrices;
  matrices.reserve(series.size());
  for (auto& result : results) {
    if (!result->ok()) return result->error();
    matrices.push_back(std::move(*result).value());
  }
  return matrices;
}

core::Status append_targets(FeatureMatrix& matrix, std::span<const TargetDef* const> targets,
                            const core::BarSeries& bars) {
  if (targets.empty()) return {};
  std::vector<std::vector<double>> labels;
  for (const TargetDef* target : targets) {
    auto label = compute_target(*target, bars);
    if (!label) return label.error();
    labels.push_back(std::move(*label));
  }
  const std::size_t old_cols = matrix.cols();
  const std::size_t new_cols = old_cols + targets.size();
  std::vector<double> widened(matrix.rows() * new_cols);
  for (std::size_t r = 0; r < matrix.rows(); ++r) {
    std::copy_n(matrix.values.begin() + static_cast<std::ptrdiff_t>(r * old_cols), old_cols,
                widened.begin() + static_cast<std::ptrdiff_t>(r * new_cols));
    for (std::size_t t = 0; t < targets.size(); ++t) widened[r * new_cols + old_cols + t] = labels[t][r];
  }
  matrix.values = std::move(widened);
  for (const TargetDef* target : targets) matrix.columns.push_back(target->name);
  return {};
}

}  // namespace itrade::features

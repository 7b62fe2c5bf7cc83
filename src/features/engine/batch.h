#pragma once
// Batch feature computation over history: each ticker's bars run through a FeatureEngine, the
// same step live trading uses, in parallel across tickers (docs/features.md, "Engine").

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/bars.h"
#include "core/result.h"
#include "features/engine/feature_engine.h"
#include "features/engine/feature_matrix.h"
#include "features/registry/target_registry.h"

namespace itrade::features {

// Features of one ticker, one row per bar. Input error when the plan reads volume and a bar has
// none, naming the ticker and the bar.
core::Result<FeatureMatrix> compute_features(const std::shared_ptr<const FeaturePlan>& plan,
                                             const core::BarSeries& bars);

struct BatchOptions {
  int threads = 0;  // 0: one per hardware thread
  // Called from worker threads after each ticker with (done, total); must be thread-safe.
  std::function<void(std::size_t, std::size_t)> progress;
};

// Features of several tickers, in their order. On errors, the first ticker's (in input order).
core::Result<std::vector<FeatureMatrix>> compute_features(const std::shared_ptr<const FeaturePlan>& plan,
                                                          std::span<const core::BarSeries> series,
                                                          const BatchOptions& options = {});

// Appends one column per target (labels computed on `bars`, the series `matrix` was computed
// from) after the features.
core::Status append_targets(FeatureMatrix& matrix, std::span<const TargetDef* const> targets,
                            const core::BarSeries& bars);

}  // namespace itrade::features

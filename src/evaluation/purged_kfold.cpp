#include "evaluation/purged_kfold.h"

#include <algorithm>

namespace itrade::evaluation {

core::Result<KFoldPlan> plan_purged_kfold(std::size_t bars, int k, int horizon, int purge, int embargo) {
  if (k < 2) return core::input_error("purged k-fold needs k >= 2 folds, got {}", k);
  if (purge < 0 || embargo < 0)
    return core::input_error("purge ({}) and embargo ({}) must be >= 0 bars", purge, embargo);
  const auto folds = static_cast<std::size_t>(k);
  if (bars < folds)
    return core::input_error("purged k-fold: {} bars cannot make {} test blocks; use more data", bars, k);
  KFoldPlan plan;
  plan.purge = std::max(purge, std::max(horizon, 0));
  plan.embargo = std::max(embargo, std::max(horizon, 0));
  for (std::size_t i = 0; i < folds; ++i) {
    KFold fold;
    fold.index = static_cast<int>(i);
    // Blocks differ in length by at most one bar.
    fold.test_first = i * bars / folds;
    fold.test_last = (i + 1) * bars / folds;
    fold.before_last = fold.test_first - std::min<std::size_t>(fold.test_first, static_cast<std::size_t>(plan.purge));
    fold.after_first = std::min(bars, fold.test_last + static_cast<std::size_t>(plan.embargo));
    if (fold.before_last == 0 && fold.after_first == bars) {
      return core::input_error(
          "purged k-fold fold {}: the purge ({}) and embargo ({}) leave no bar to train on; use more data or fewer "
          "folds",
          i + 1, plan.purge, plan.embargo);
    }
    plan.folds.push_back(fold);
  }
  return plan;
}

}  // namespace itrade::evaluation

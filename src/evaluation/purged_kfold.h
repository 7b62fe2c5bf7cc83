#pragma once
// Purged k-fold cross-validation with an embargo (López de Prado, Advances in Financial Machine
// Learning, ch. 7), for choosing between models or settings (docs/walk_forward.md). The timeline
// is cut into k contiguous test blocks; each fold trains on everything else except:
// - the purge: the `purge` bars before the test block, whose labels (reading up to `horizon` bars
//   ahead) would read test bars;
// - the embargo: the `embargo` bars after the test block, whose features and labels are serially
//   close to the test period's.
// Unlike walk-forward, training data may come after the test block: that is what the embargo is for.

#include <cstddef>
#include <vector>

#include "core/result.h"

namespace itrade::evaluation {

struct KFold {
  int index = 0;
  std::size_t test_first = 0;  // timeline indexes, [test_first, test_last)
  std::size_t test_last = 0;
  // Training ranges, half-open: [0, before_last) and [after_first, bars); either may be empty.
  std::size_t before_last = 0;
  std::size_t after_first = 0;
};

struct KFoldPlan {
  std::vector<KFold> folds;
  int purge = 0;    // bars before each test block left out, >= horizon
  int embargo = 0;  // bars after each test block left out, >= horizon
};

// k folds over `bars` bars; purge and embargo are raised to `horizon` when smaller. Input error
// for k < 2, or when a test block would be shorter than 1 bar or a fold would have no training bar.
core::Result<KFoldPlan> plan_purged_kfold(std::size_t bars, int k, int horizon, int purge = 0, int embargo = 0);

}  // namespace itrade::evaluation

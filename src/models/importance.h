#pragma once
// Model-agnostic feature importance on held-out data: permutation importance (docs/models.md).
// A feature matters as much as the validation loss grows when its column is shuffled, which
// breaks its link to the target while keeping its distribution.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "models/dataset.h"
#include "models/signal_model.h"

namespace itrade::models {

// The loss a model's outputs score on labelled data: multiclass and binary log loss (natural
// log, probabilities clipped to [1e-15, 1]) from SignalOutput::probabilities, regression RMSE
// from SignalOutput::raw.
double validation_loss(const std::vector<SignalOutput>& outputs, const std::vector<float>& labels, Task task);

struct PermutationImportance {
  std::string feature;
  double mean_increase = 0.0;  // mean over repeats of (loss with the column shuffled - base loss)
  double std_increase = 0.0;   // sample std over repeats (0 with one repeat)
};

// For each column of `data` (labelled), `repeats` shuffles with seeds derived from `seed`;
// sorted by mean_increase, largest first. Deterministic for a seed.
core::Result<std::vector<PermutationImportance>> permutation_importance(const SignalModel& model, const Dataset& data,
                                                                        int repeats, std::uint64_t seed);

}  // namespace itrade::models

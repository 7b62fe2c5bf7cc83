#pragma once
// Out-of-sample scores of a model's outputs against labels (docs/models.md, "Metrics"): a quick
// look at a model before any backtest.

#include <vector>

#include "models/signal_model.h"

namespace itrade::models {

struct Scores {
  double loss = 0.0;      // log loss (classification) or RMSE (regression): validation_loss()
  double accuracy = 0.0;  // classification: share of rows whose most probable class is the label
  double macro_f1 = 0.0;  // classification: unweighted mean over classes of F1
  double auc = 0.0;       // classification: ROC AUC (binary), mean one-vs-rest AUC (multiclass); NaN if undefined
  double ic = 0.0;        // Spearman rank correlation of signal with the label (information coefficient)
  std::size_t rows = 0;
};

Scores score(const std::vector<SignalOutput>& outputs, const std::vector<float>& labels, Task task);

// Spearman rank correlation (average ranks for ties); NaN when either side is constant.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

// Area under the ROC curve of `score` for `positive` labels (Mann-Whitney with average ranks);
// NaN without both classes.
double roc_auc(const std::vector<double>& score, const std::vector<bool>& positive);

}  // namespace itrade::models

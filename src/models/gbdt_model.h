#pragma once
// Gradient-boosted trees through XGBoost's C API (tree_method = hist), behind SignalModel
// (docs/models.md). XGBoost 1.7's C API has no early stopping: training loops one round at a
// time, evaluates train and validation after each, keeps the best validation round and slices
// the booster to it.
//
// predict() walks the trees itself (models/forest.h, bit for bit XGBoost's outputs, several times
// faster); predict_raw(), predict_margin() and predict_contributions() are XGBoost's own.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/signal_model.h"

namespace itrade::models {

class Forest;

struct GbdtParams {
  Task task = Task::multiclass;
  int max_rounds = 500;
  int early_stopping_rounds = 50;  // stop after this many rounds without a better validation metric
  int threads = 2;                 // XGBoost nthread; set explicitly (see DESIGN.md on OpenMP)
  std::uint64_t seed = 42;
  // Evaluate the training set after every round (TrainResult::rounds[i].train) as well as the
  // validation set; false leaves the training metric NaN and saves its evaluation.
  bool evaluate_training = true;
  // Give XGBoost the training rows as a QuantileDMatrix (XGQuantileDMatrixCreateFromCallback):
  // quantised straight from our float32 rows, without the CSR copy (8 bytes per value) that a
  // DMatrix made by XGDMatrixCreateFromMat_omp keeps for the whole training: 40 % less peak memory
  // at 2 M rows, the same rounds and losses (docs/PERFORMANCE.md). false: the plain DMatrix. The
  // validation set is a plain DMatrix either way.
  bool quantile_dmatrix = true;
  // XGBoost booster parameters passed through as name/value (eta, max_depth, grow_policy,
  // max_leaves, subsample, ...). objective, num_class, eval_metric, tree_method, nthread and
  // seed are set from the fields above and may not appear here.
  std::vector<std::pair<std::string, std::string>> booster;
};

class GbdtModel final : public SignalModel {
 public:
  // `name` and `target` go into info() and the saved metadata; `framework` is what the
  // configuration asked for ("xgboost", or "lightgbm" trained by XGBoost's leaf-wise growth).
  GbdtModel(GbdtParams params, std::string name, std::string target, std::string framework = "xgboost");
  ~GbdtModel() override;
  GbdtModel(const GbdtModel&) = delete;
  GbdtModel& operator=(const GbdtModel&) = delete;

  core::Result<TrainResult> train(const Dataset& train, const Dataset& validation) override;
  // Through the model's Forest (params().threads threads for batches of more than
  // Forest::kChunkRows rows), or XGBoost when the trees are not ones a Forest evaluates; the
  // probabilities are XGBoost's (predict_raw()) bit for bit either way.
  core::Result<std::vector<SignalOutput>> predict(const Dataset& data) const override;
  core::Status save(const std::filesystem::path& dir) const override;
  ModelInfo info() const override;
  // From predict_contributions(), per row and feature: multiclass, contribution to the long
  // class's margin minus that to the short class's (signal = p_long - p_short rises with
  // margin_long - margin_short); binary and regression, the contribution itself (the signal rises
  // with the margin). Per row, the values plus the bias difference sum to that margin difference.
  core::Result<std::vector<float>> direction_contributions(const Dataset& data) const override;

  // XGBoost's own output per row: class probabilities (rows x 3, row-major) for multiclass,
  // p(1) for binary, the prediction for regression.
  core::Result<std::vector<float>> predict_raw(const Dataset& data) const;

  // Per-row feature contributions (XGBoost's pred_contribs, TreeSHAP) in margin units, for P&L
  // attribution by feature: rows x outputs x (cols + 1), row-major, where outputs is 3 for
  // multiclass (by class code) and 1 otherwise, and the last entry of each group is the bias.
  // Each group sums to the model's margin (log-odds, or the prediction for regression).
  core::Result<std::vector<float>> predict_contributions(const Dataset& data) const;
  // The margin (untransformed output): rows x outputs.
  core::Result<std::vector<float>> predict_margin(const Dataset& data) const;

  // XGBoost's JSON model (what save() writes as booster.json), for evaluating the trees without
  // XGBoost (models/forest.h).
  core::Result<std::string> booster_json() const;

  // Reads a directory written by save().
  static core::Result<std::unique_ptr<GbdtModel>> load(const std::filesystem::path& dir);

  const GbdtParams& params() const { return params_; }
  // The trees as a Forest (what predict() uses), or null before training or loading, or when the
  // model is not one a Forest evaluates.
  const Forest* forest() const { return forest_.get(); }
  // Sample standard deviation of the training target (regression signal scale).
  double label_spread() const { return label_spread_; }

 private:
  struct Booster;

  core::Status check_columns(const Dataset& data, const char* what) const;
  // XGBoost's prediction with `option_mask` (0 values, 1 margin, 4 contributions), checked to hold
  // `per_row` values per row.
  core::Result<std::vector<float>> predict_with(const Dataset& data, int option_mask, std::size_t per_row) const;

  GbdtParams params_;
  ModelInfo info_;
  double label_spread_ = 0.0;
  int best_iteration_ = -1;
  std::unique_ptr<Booster> booster_;  // null until trained or loaded
  std::unique_ptr<Forest> forest_;    // the booster's trees; null when booster_ is or they are unsupported
};

// "xgboost 1.7.4": the library version linked at run time.
std::string xgboost_version();

}  // namespace itrade::models

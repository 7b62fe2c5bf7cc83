#pragma once
// The SignalModel contract (docs/models.md): the backtester, the risk manager and the live engine
// see a model only through SignalOutput, never its internals, so that swapping a model is a
// configuration change.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "models/dataset.h"

namespace itrade::models {

enum class Task {
  multiclass,  // 3 classes coded 0 = short, 1 = hold, 2 = long (the direction targets' codes)
  binary,      // 0 / 1
  regression,  // a real-valued target such as a forward return
};

const char* task_name(Task task);

// What a model says about one row: direction and strength in `signal` (-1 = full short, +1 =
// full long), how sure it is in `confidence` (0..1). Position size = base size x |signal| x
// confidence, direction = sign(signal) (DESIGN.md). Metadata: the class probabilities (classes
// entries; 0 for regression) and the model's raw output.
struct SignalOutput {
  double signal = 0.0;
  double confidence = 0.0;
  std::array<double, 3> probabilities{};  // by class code; only the first `classes` are used
  int classes = 0;
  double raw = 0.0;  // regression: the prediction; binary: p(1); multiclass: p(long) - p(short)
};

struct RoundMetrics {
  int round = 0;  // 0-based boosting round
  double train = 0.0;
  double validation = 0.0;
};

struct FeatureImportance {
  std::string feature;
  double value = 0.0;
};

struct TrainResult {
  std::string metric;                     // "mlogloss", "logloss" or "rmse"
  std::vector<RoundMetrics> rounds;       // every round trained, including those after the best
  int best_iteration = 0;                 // 0-based; the model keeps rounds 0..best_iteration
  std::vector<FeatureImportance> gain;    // total split gain per feature, largest first
  double seconds = 0.0;                   // wall time of training
};

struct ModelInfo {
  std::string name;
  std::string version;    // of the saved format
  std::string framework;  // as configured ("xgboost", or "lightgbm" mapped onto XGBoost)
  std::string backend;    // the library that really trains and predicts, with its version
  Task task = Task::multiclass;
  long parameter_count = 0;  // tree nodes
  std::string training_date;  // UTC, ISO-8601
  std::vector<std::string> feature_names;
  std::string target;
};

class SignalModel {
 public:
  virtual ~SignalModel() = default;

  // Trains on `train`, early-stopping on `validation` (same feature columns). Input errors: empty
  // data, mismatched columns, labels that do not fit the task.
  virtual core::Result<TrainResult> train(const Dataset& train, const Dataset& validation) = 0;
  // One SignalOutput per row. Input error when the columns differ from the training columns
  // (names or order): never a silent misalignment.
  virtual core::Result<std::vector<SignalOutput>> predict(const Dataset& data) const = 0;
  // Writes the model and its metadata into a new directory `dir` (error if it exists).
  virtual core::Status save(const std::filesystem::path& dir) const = 0;
  virtual ModelInfo info() const = 0;

  // How much each feature pushed each row's signal towards long (> 0) or short (< 0), in the
  // model's margin units (log-odds for classifiers, the prediction's units for regression):
  // rows x cols, row-major (data.cols() values per row), without the bias. For P&L attribution
  // (docs/analytics.md, "P&L attribution"). Errors: those of predict(); an input error
  // "model '<name>' gives no feature contributions" for a model that cannot say (the default).
  virtual core::Result<std::vector<float>> direction_contributions(const Dataset& data) const {
    (void)data;
    return core::input_error("model '{}' gives no feature contributions", info().name);
  }
};

}  // namespace itrade::models

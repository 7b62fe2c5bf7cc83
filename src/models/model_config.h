#pragma once
// Reads config/models.yaml (docs/models.md, "config/models.yaml") into one ModelSpec per model
// and the ensemble's settings.
//
//     models:
//       lgbm_direction:
//         framework: lightgbm        # xgboost | lightgbm | pytorch | stable_baselines3
//         class: LightGBMSignal
//         task: classification       # classification | binary | regression | rl
//         target: direction_5        # a targets.yaml name; null only for task: rl
//         features: all              # or a list of feature names
//         hyperparameters: { num_leaves: 31, learning_rate: 0.05, n_estimators: 500 }
//         enabled: true
//     ensemble: { enabled: false, models: [lgbm_direction], weights: [1.0] }
//     meta_labeling:
//       primary: lgbm_direction
//       secondary: { framework: lightgbm, hyperparameters: { num_leaves: 15, n_estimators: 200 } }
//
// xgboost and lightgbm entries are both trained by GbdtModel: their hyperparameters are checked
// here, by name and range, and translated into GbdtParams, so that a typo fails when the file
// is read rather than deep inside a training run. pytorch and stable_baselines3 entries are kept
// for the plan but are not built: they must stay disabled and cannot be trained.
// Errors name the file, line and key, like features.yaml and targets.yaml. Cross-file references
// (the target in targets.yaml, the features in features.yaml) are checked by the caller, which
// has those files.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "models/gbdt_model.h"

namespace itrade::models {

struct ModelSpec {
  std::string name;
  std::string framework;              // xgboost | lightgbm | pytorch | stable_baselines3
  std::string class_name;             // `class`
  std::string task_text;              // as written: classification | binary | regression | rl
  std::string target;                 // empty only for task rl with `target: null`
  std::vector<std::string> features;  // empty = all
  bool enabled = false;
  int line = 0;     // of the model's name in the file
  GbdtParams gbdt;  // filled for framework xgboost / lightgbm

  // xgboost and lightgbm: the frameworks itrade can train.
  bool built() const;
};

// The names `itrade models train --model` takes besides the entries of `models`.
inline constexpr const char* kEnsembleName = "ensemble";
inline constexpr const char* kMetaLabelingName = "meta_labeling";

struct EnsembleSpec {
  bool enabled = false;
  std::vector<std::string> models;
  std::vector<double> weights;  // one per model, >= 0, sum > 0; relative (divide by the sum)
};

// The `meta_labeling` block: the primary model (an entry of `models`) gives the side; a secondary
// binary model (framework xgboost or lightgbm, its own hyperparameters) gives the confidence.
struct MetaLabelSpec {
  bool present = false;  // the block is in the file
  std::string primary;
  std::string secondary_framework;
  GbdtParams secondary;  // task binary
};

class ModelsConfig {
 public:
  static core::Result<ModelsConfig> load(const std::filesystem::path& file);
  static core::Result<ModelsConfig> parse(std::string_view text, std::string file);

  const std::string& file() const { return file_; }
  const std::vector<ModelSpec>& models() const { return models_; }
  const ModelSpec* find(std::string_view name) const;
  std::vector<std::string> names() const;
  const EnsembleSpec& ensemble() const { return ensemble_; }
  const MetaLabelSpec& meta_labeling() const { return meta_labeling_; }

  // The model to train by name. Input errors: an unknown name (with the nearest names), a model
  // whose framework is not built yet (pytorch, stable_baselines3; naming the file and line).
  // A disabled model can be trained: `enabled` only decides membership of the ensemble.
  core::Result<const ModelSpec*> trainable(std::string_view name) const;

 private:
  std::string file_;
  std::vector<ModelSpec> models_;
  EnsembleSpec ensemble_;
  MetaLabelSpec meta_labeling_;
};

}  // namespace itrade::models

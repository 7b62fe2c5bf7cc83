#pragma once
// Every model itrade can train, by the name `--model` takes (docs/models.md, "Training by name"):
// an entry of config/models.yaml (a GbdtModel), `ensemble` (the enabled entries listed in the
// ensemble block, averaged) or `meta_labeling` (the block's primary model for the side and a
// secondary model for the confidence). The commands and the walk-forward ask here for a fresh
// model per training run and never construct a model class themselves: swapping models is a change
// in models.yaml.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "features/registry/target_registry.h"
#include "models/model_config.h"
#include "models/signal_model.h"

namespace itrade::models {

struct ModelRecipe {
  std::string name;                   // as asked: an entry's name, "ensemble" or "meta_labeling"
  std::string framework;              // the entry's framework, or "ensemble" / "meta_labeling"
  Task task = Task::multiclass;       // what the model's outputs mean (ensemble: its members')
  std::string target;                 // the targets.yaml name every part learns by default
  std::vector<std::string> features;  // the configured feature list; empty = all features
  bool needs_outcomes = false;        // meta-labeling also learns from realised forward returns
};

// The recipe for `name`. Input errors: an unknown name (with the nearest names), a model whose
// framework is not built yet, `ensemble` when the ensemble block is disabled or its members
// disagree on target, task or features (they train on one data set), `meta_labeling` when
// models.yaml has no meta_labeling block.
core::Result<ModelRecipe> model_recipe(const ModelsConfig& config, std::string_view name);

// The model a command uses when none is named: the enabled ensemble, else the first enabled entry
// that is built. Input error when models.yaml enables none.
core::Result<std::string> default_model_name(const ModelsConfig& config);

// Input error unless a model of `recipe` can learn `target`: a classification model a
// classification target, a regression model a regression target.
core::Status check_learnable(const ModelRecipe& recipe, const features::TargetDef& target);

// The realised forward return over `target`'s horizon (same session rule), which meta-labeling
// needs next to the label: Dataset::outcomes.
features::TargetDef outcome_target(const features::TargetDef& target);

// A new, untrained model of `recipe`, learning `target` (the recipe's or an override).
std::unique_ptr<SignalModel> make_model(const ModelsConfig& config, const ModelRecipe& recipe,
                                        const std::string& target);

// Reads any directory a model's save() wrote: a tree model (meta.json), an ensemble
// (ensemble.json) or a meta-labeling model (meta_label.json). Input error when it is none of them.
core::Result<std::unique_ptr<SignalModel>> load_model(const std::filesystem::path& dir);

}  // namespace itrade::models

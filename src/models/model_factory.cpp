#include "models/model_factory.h"

#include <fmt/format.h>

#include <utility>

#include "core/strings.h"
#include "models/ensemble_model.h"
#include "models/gbdt_model.h"
#include "models/meta_label_model.h"

namespace itrade::models {
namespace {

namespace fs = std::filesystem;

ModelRecipe entry_recipe(const ModelSpec& spec) {
  return {.name = spec.name,
          .framework = spec.framework,
          .task = spec.gbdt.task,
          .target = spec.target,
          .features = spec.features};
}

std::string features_text(const std::vector<std::string>& features) {
  return features.empty() ? std::string("all") : fmt::format("[{}]", core::join(features, ", "));
}

core::Result<ModelRecipe> ensemble_recipe(const ModelsConfig& config) {
  const EnsembleSpec& ensemble = config.ensemble();
  if (!ensemble.enabled) {
    return core::input_error("{}: ensemble.enabled is false; set it to true to train the ensemble of {}", config.file(),
                             ensemble.models.empty() ? "its models" : core::join(ensemble.models));
  }
  ModelRecipe recipe;
  for (std::size_t i = 0; i < ensemble.models.size(); ++i) {
    auto member = config.trainable(ensemble.models[i]);
    if (!member) return member.error();
    const ModelRecipe m = entry_recipe(**member);
    if (i == 0) {
      recipe = m;
      continue;
    }
    // Members train on one data set: one label column and one set of feature columns.
    const std::string& first = ensemble.models.front();
    if (m.target != recipe.target) {
      return core::input_error("{}: ensemble: {} learns {} but {} learns {}; ensemble members learn one target",
                               config.file(), m.name, m.target, first, recipe.target);
    }
    if (m.task != recipe.task) {
      return core::input_error("{}: ensemble: {} is a {} model but {} a {} model; give the members one task",
                               config.file(), m.name, task_name(m.task), first, task_name(recipe.task));
    }
    if (m.features != recipe.features) {
      return core::input_error(
          "{}: ensemble: {} uses features {} but {} uses {}; ensemble members use the same features (or pass "
          "--features)",
          config.file(), m.name, features_text(m.features), first, features_text(recipe.features));
    }
  }
  recipe.name = kEnsembleName;
  recipe.framework = kEnsembleName;
  return recipe;
}

core::Result<ModelRecipe> meta_labeling_recipe(const ModelsConfig& config) {
  const MetaLabelSpec& meta = config.meta_labeling();
  if (!meta.present) {
    return core::input_error(
        "{} has no meta_labeling block; add one naming the primary model (docs/models.md, \"Meta-labeling\")",
        config.file());
  }
  auto primary = config.trainable(meta.primary);
  if (!primary) return primary.error();
  ModelRecipe recipe = entry_recipe(**primary);
  recipe.name = kMetaLabelingName;
  recipe.framework = kMetaLabelingName;
  recipe.needs_outcomes = true;
  return recipe;
}

std::unique_ptr<SignalModel> make_entry(const ModelSpec& spec, const std::string& target) {
  return std::make_unique<GbdtModel>(spec.gbdt, spec.name, target, spec.framework);
}

}  // namespace

core::Result<std::string> default_model_name(const ModelsConfig& config) {
  if (config.ensemble().enabled) return std::string(kEnsembleName);
  for (const auto& spec : config.models()) {
    if (spec.enabled && spec.built()) return spec.name;
  }
  return core::input_error("{} enables no model; pass --model NAME or set enabled: true on one", config.file());
}

core::Result<ModelRecipe> model_recipe(const ModelsConfig& config, std::string_view name) {
  if (name == kEnsembleName) return ensemble_recipe(config);
  if (name == kMetaLabelingName) return meta_labeling_recipe(config);
  auto spec = config.trainable(name);
  if (!spec) return spec.error();
  return entry_recipe(**spec);
}

core::Status check_learnable(const ModelRecipe& recipe, const features::TargetDef& target) {
  const bool regression_target = target.type == features::TargetType::regression;
  if ((recipe.task == Task::regression) == regression_target && recipe.task != Task::binary) return {};
  return core::input_error(
      "model '{}' ({}) cannot learn target '{}' ({}); pick a {} target or a model whose task matches", recipe.name,
      task_name(recipe.task), target.name, regression_target ? "regression" : "3-class classification",
      recipe.task == Task::regression ? "regression" : "classification");
}

features::TargetDef outcome_target(const features::TargetDef& target) {
  features::TargetDef outcome;
  outcome.name = fmt::format("outcome_return_{}", target.horizon());
  outcome.function = "targets.forward_return";
  outcome.type = features::TargetType::regression;
  outcome.cross_session = target.cross_session;
  outcome.bars = target.horizon();
  outcome.description = fmt::format("realised forward return over {}'s horizon", target.name);
  return outcome;
}

std::unique_ptr<SignalModel> make_model(const ModelsConfig& config, const ModelRecipe& recipe,
                                        const std::string& target) {
  if (recipe.name == kEnsembleName) {
    std::vector<std::unique_ptr<SignalModel>> members;
    for (const std::string& member : config.ensemble().models)
      members.push_back(make_entry(*config.find(member), target));
    return std::make_unique<EnsembleModel>(std::move(members), config.ensemble().weights, kEnsembleName);
  }
  if (recipe.name == kMetaLabelingName) {
    const MetaLabelSpec& meta = config.meta_labeling();
    return std::make_unique<MetaLabelModel>(make_entry(*config.find(meta.primary), target), meta.secondary,
                                            kMetaLabelingName);
  }
  return make_entry(*config.find(recipe.name), target);
}

core::Result<std::unique_ptr<SignalModel>> load_model(const fs::path& dir) {
  std::error_code ec;
  auto widen = [](auto loaded) -> core::Result<std::unique_ptr<SignalModel>> {
    if (!loaded) return loaded.error();
    return std::unique_ptr<SignalModel>(std::move(loaded).value());
  };
  if (fs::exists(dir / "ensemble.json", ec)) return widen(EnsembleModel::load(dir));
  if (fs::exists(dir / "meta_label.json", ec)) return widen(MetaLabelModel::load(dir));
  if (fs::exists(dir / "meta.json", ec)) return widen(GbdtModel::load(dir));
  return core::input_error(
      "{} is not a saved model (no meta.json, ensemble.json or meta_label.json); itrade models "
      "list shows the saved ones",
      dir.string());
}

}  // namespace itrade::models

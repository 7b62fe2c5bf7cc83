// Training by name: `--model` resolves an entry of models.yaml, `ensemble` or `meta_labeling` into
// a recipe and a fresh model of the right kind; the blocks' mistakes are errors naming the key;
// load_model reads back every kind with identical predictions.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "models/ensemble_model.h"
#include "models/gbdt_model.h"
#include "models/meta_label_model.h"
#include "models/model_factory.h"

namespace itrade::models {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const char* const kModels = R"(models:
  fast:
    framework: lightgbm
    task: classification
    target: direction_5
    hyperparameters: { num_leaves: 7, n_estimators: 15, min_child_samples: 5 }
    enabled: true
  deep:
    framework: xgboost
    task: classification
    target: direction_5
    hyperparameters: { max_depth: 4, n_estimators: 10 }
    enabled: true
  returns:
    framework: xgboost
    task: regression
    target: forward_return_5
    features: [rsi_14, atr_14]
    hyperparameters: { max_depth: 3, n_estimators: 10 }
    enabled: true
ensemble:
  enabled: true
  models: [fast, deep]
  weights: [3, 1]
meta_labeling:
  primary: fast
  secondary:
    framework: xgboost
    hyperparameters: { max_depth: 2, n_estimators: 10 }
)";

ModelsConfig config_of(const std::string& text) {
  auto config = ModelsConfig::parse(text, "models.yaml");
  if (!config) ADD_FAILURE() << config.error().message;
  return std::move(config).value();
}

std::string error_of(const std::string& text) {
  auto config = ModelsConfig::parse(text, "models.yaml");
  return config ? std::string("(no error)") : config.error().message;
}

std::string recipe_error(const std::string& text, const char* name) {
  auto recipe = model_recipe(config_of(text), name);
  return recipe ? std::string("(no error)") : recipe.error().message;
}

// 3-class labels driven by x0, outcomes that agree with the label's direction most of the time.
Dataset factory_data(std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Dataset data;
  data.feature_names = {"x0", "x1", "x2"};
  for (std::size_t r = 0; r < rows; ++r) {
    const float x0 = normal(rng);
    const float x1 = normal(rng);
    const float x2 = normal(rng);
    const float score = x0 + 0.5f * normal(rng);
    data.features.insert(data.features.end(), {x0, x1, x2});
    data.labels.push_back(score < -0.4f ? 0.0f : (score > 0.4f ? 2.0f : 1.0f));
    data.outcomes.push_back(0.001f * score);
    data.ts.push_back(1'700'000'000'000'000'000LL + static_cast<core::Timestamp>(seed * rows + r) * 300'000'000'000LL);
    data.ticker_of_row.push_back(0);
  }
  data.tickers = {"T"};
  return data;
}

TEST(ModelFactoryTest, EntryRecipeCarriesTheEntrysTargetTaskAndFeatures) {
  const ModelsConfig config = config_of(kModels);
  auto recipe = model_recipe(config, "returns");
  ASSERT_TRUE(recipe) << recipe.error().message;
  EXPECT_EQ(recipe->framework, "xgboost");
  EXPECT_EQ(recipe->task, Task::regression);
  EXPECT_EQ(recipe->target, "forward_return_5");
  EXPECT_EQ(recipe->features, (std::vector<std::string>{"rsi_14", "atr_14"}));
  EXPECT_FALSE(recipe->needs_outcomes);
}

TEST(ModelFactoryTest, EnsembleRecipeTakesTheMembersCommonTarget) {
  auto recipe = model_recipe(config_of(kModels), "ensemble");
  ASSERT_TRUE(recipe) << recipe.error().message;
  EXPECT_EQ(recipe->name, "ensemble");
  EXPECT_EQ(recipe->framework, "ensemble");
  EXPECT_EQ(recipe->target, "direction_5");
  EXPECT_EQ(recipe->task, Task::multiclass);
  EXPECT_TRUE(recipe->features.empty());
}

TEST(ModelFactoryTest, MetaLabelingRecipeIsThePrimarysAndNeedsOutcomes) {
  const ModelsConfig config = config_of(kModels);
  auto recipe = model_recipe(config, "meta_labeling");
  ASSERT_TRUE(recipe) << recipe.error().message;
  EXPECT_EQ(recipe->target, "direction_5");
  EXPECT_TRUE(recipe->needs_outcomes);
  EXPECT_EQ(config.meta_labeling().secondary.task, Task::binary);
  EXPECT_EQ(config.meta_labeling().secondary_framework, "xgboost");
  EXPECT_EQ(config.meta_labeling().secondary.max_rounds, 10);
}

TEST(ModelFactoryTest, LightgbmSecondaryIsTheDefaultFramework) {
  std::string text = kModels;
  text = text.substr(0, text.find("meta_labeling:")) + "meta_labeling: { primary: deep }\n";
  const ModelsConfig config = config_of(text);
  EXPECT_EQ(config.meta_labeling().secondary_framework, "lightgbm");
  EXPECT_EQ(config.meta_labeling().primary, "deep");
}

TEST(ModelFactoryTest, DisabledEnsembleIsAnErrorSayingHowToEnableIt) {
  std::string text = kModels;
  text.replace(text.find("enabled: true\n  models"), 13, "enabled: false");
  EXPECT_THAT(recipe_error(text, "ensemble"), HasSubstr("ensemble.enabled is false"));
}

TEST(ModelFactoryTest, EnsembleMembersMustShareTargetTaskAndFeatures) {
  std::string text = kModels;
  text.replace(text.find("models: [fast, deep]"), 20, "models: [fast, returns]");
  text.replace(text.find("weights: [3, 1]"), 15, "weights: [1, 1]");
  EXPECT_THAT(recipe_error(text, "ensemble"), HasSubstr("returns learns forward_return_5 but fast learns direction_5"));
}

TEST(ModelFactoryTest, MissingMetaLabelingBlockIsAnError) {
  std::string text = kModels;
  text = text.substr(0, text.find("meta_labeling:"));
  EXPECT_THAT(recipe_error(text, "meta_labeling"), HasSubstr("has no meta_labeling block"));
}

TEST(ModelFactoryTest, MetaLabelingBlockErrorsNameTheKey) {
  const std::string head = std::string(kModels).substr(0, std::string(kModels).find("meta_labeling:"));
  EXPECT_THAT(error_of(head + "meta_labeling: { primary: fats }\n"),
              HasSubstr("meta_labeling.primary: fats is not a model of this file; did you mean fast"));
  EXPECT_THAT(error_of(head + "meta_labeling: { primary: fast, second: {} }\n"), HasSubstr("meta_labeling.second"));
  EXPECT_THAT(error_of(head + "meta_labeling: { primary: fast, secondary: { framework: pytorch } }\n"),
              HasSubstr("meta_labeling.secondary.framework"));
  EXPECT_THAT(
      error_of(head +
               "meta_labeling:\n  primary: fast\n  secondary:\n    hyperparameters: { grow_policy: depthwise }\n"),
      HasSubstr("models.yaml:28: meta_labeling.secondary.hyperparameters.grow_policy: unknown LightGBM parameter"));
  EXPECT_THAT(error_of(head + "meta_labeling: {}\n"), HasSubstr("meta_labeling.primary"));
}

TEST(ModelFactoryTest, ReservedNamesCannotNameAModel) {
  EXPECT_THAT(
      error_of("models:\n  ensemble:\n    framework: xgboost\n    task: classification\n    target: direction_5\n"),
      HasSubstr("models.ensemble: is a reserved name"));
  EXPECT_THAT(error_of("models:\n  meta_labeling:\n    framework: xgboost\n    task: binary\n    target: x\n"),
              HasSubstr("models.meta_labeling: is a reserved name"));
}

TEST(ModelFactoryTest, CheckLearnableMatchesTaskAndTargetType) {
  const ModelsConfig config = config_of(kModels);
  features::TargetDef direction;
  direction.name = "direction_5";
  direction.type = features::TargetType::classification;
  features::TargetDef returns;
  returns.name = "forward_return_5";
  returns.type = features::TargetType::regression;
  const ModelRecipe classifier = *model_recipe(config, "fast");
  const ModelRecipe regressor = *model_recipe(config, "returns");
  EXPECT_TRUE(check_learnable(classifier, direction));
  EXPECT_TRUE(check_learnable(regressor, returns));
  const auto wrong = check_learnable(classifier, returns);
  ASSERT_FALSE(wrong);
  EXPECT_THAT(wrong.error().message, HasSubstr("model 'fast' (multiclass) cannot learn target 'forward_return_5'"));
  EXPECT_FALSE(check_learnable(regressor, direction));
}

TEST(ModelFactoryTest, OutcomeTargetIsTheForwardReturnOverTheSameHorizon) {
  features::TargetDef barrier;
  barrier.name = "triple_barrier_5";
  barrier.function = "targets.triple_barrier";
  barrier.type = features::TargetType::classification;
  barrier.bars = 5;
  barrier.cross_session = true;
  const features::TargetDef outcome = outcome_target(barrier);
  EXPECT_EQ(outcome.function, "targets.forward_return");
  EXPECT_EQ(outcome.type, features::TargetType::regression);
  EXPECT_EQ(outcome.horizon(), 5);
  EXPECT_TRUE(outcome.cross_session);
  EXPECT_NE(outcome.name, barrier.name);
}

// Trains each kind through the factory, saves it, loads it back with load_model and compares.
class ModelFactoryRoundTrip : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("itrade-factory-" + std::to_string(::getpid()) + "-" + GetParam());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_P(ModelFactoryRoundTrip, MakeTrainSaveLoadGivesIdenticalPredictions) {
  const ModelsConfig config = config_of(kModels);
  auto recipe = model_recipe(config, GetParam());
  ASSERT_TRUE(recipe) << recipe.error().message;
  const auto model = make_model(config, *recipe, "direction_5");
  const Dataset train = factory_data(3000, 1);
  const Dataset validation = factory_data(1000, 2);
  const Dataset test = factory_data(500, 3);
  auto trained = model->train(train, validation);
  ASSERT_TRUE(trained) << trained.error().message;
  EXPECT_EQ(model->info().target, "direction_5");
  auto before = model->predict(test);
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_TRUE(model->save(dir_));
  auto loaded = load_model(dir_);
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto after = (*loaded)->predict(test);
  ASSERT_TRUE(after) << after.error().message;
  ASSERT_EQ(after->size(), before->size());
  for (std::size_t r = 0; r < before->size(); ++r) {
    ASSERT_EQ((*after)[r].signal, (*before)[r].signal) << r;
    ASSERT_EQ((*after)[r].confidence, (*before)[r].confidence) << r;
  }
  // The kind is what the name asked for.
  const std::string name = GetParam();
  if (name == "ensemble") {
    const auto* ensemble = dynamic_cast<const EnsembleModel*>(loaded->get());
    ASSERT_NE(ensemble, nullptr);
    EXPECT_EQ(ensemble->size(), 2u);
    EXPECT_DOUBLE_EQ(ensemble->weights()[0], 0.75);
  } else if (name == "meta_labeling") {
    EXPECT_NE(dynamic_cast<const MetaLabelModel*>(loaded->get()), nullptr);
  } else {
    EXPECT_NE(dynamic_cast<const GbdtModel*>(loaded->get()), nullptr);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, ModelFactoryRoundTrip, ::testing::Values("fast", "ensemble", "meta_labeling"));

TEST(ModelFactoryTest, LoadModelRejectsADirectoryThatIsNoModel) {
  const fs::path dir = fs::temp_directory_path() / ("itrade-factory-empty-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto loaded = load_model(dir);
  ASSERT_FALSE(loaded);
  EXPECT_THAT(loaded.error().message, HasSubstr("is not a saved model"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace itrade::models

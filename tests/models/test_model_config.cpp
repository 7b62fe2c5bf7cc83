// models.yaml: the shipped file loads, both frameworks' names map onto XGBoost's parameters, and
// every mistake is an input error naming the file, line and key.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "models/model_config.h"

namespace itrade::models {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::string& yaml) {
  auto config = ModelsConfig::parse(yaml, "models.yaml");
  EXPECT_FALSE(config.ok()) << yaml;
  return config.ok() ? std::string() : config.error().message;
}

// A one-model file: `m` with `framework`, `task` and the hyperparameter lines given (each already
// indented by 6 spaces). The hyperparameters start on line 7.
std::string one_model(const std::string& framework, const std::string& hyperparameters,
                      const std::string& task = "classification") {
  return "models:\n  m:\n    framework: " + framework + "\n    task: " + task +
         "\n    target: direction_5\n    hyperparameters:\n" + hyperparameters;
}

ModelSpec parsed(const std::string& yaml) {
  auto config = ModelsConfig::parse(yaml, "models.yaml");
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
  if (!config.ok() || config->models().empty()) return {};
  return config->models().front();
}

// The booster value of `name`, or "(unset)".
std::string param(const GbdtParams& params, const std::string& name) {
  for (const auto& [n, v] : params.booster) {
    if (n == name) return v;
  }
  return "(unset)";
}

// x0 drives the label (3 classes, or 0/1 when `binary`); x1..x4 are noise.
Dataset synthetic(bool binary, std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Dataset data;
  data.feature_names = {"x0", "x1", "x2", "x3", "x4"};
  for (std::size_t r = 0; r < rows; ++r) {
    for (int c = 0; c < 5; ++c) data.features.push_back(normal(rng));
    const float score = data.features[r * 5] + 0.3f * normal(rng);
    data.labels.push_back(binary ? (score > 0.0f ? 1.0f : 0.0f)
                                 : (score < -0.5f ? 0.0f : (score > 0.5f ? 2.0f : 1.0f)));
  }
  return data;
}

// XGBoost itself accepts what the translation produces: a model trains with it.
void expect_trains(const ModelSpec& spec, bool binary) {
  GbdtParams params = spec.gbdt;
  params.max_rounds = 20;
  GbdtModel model(params, spec.name, spec.target, spec.framework);
  auto result = model.train(synthetic(binary, 400, 1), synthetic(binary, 200, 2));
  ASSERT_TRUE(result.ok()) << spec.name << ": " << result.error().message;
  EXPECT_GT(result->rounds.size(), 0u);
}

TEST(ModelConfigTest, ShippedModelsLoad) {
  auto config = ModelsConfig::load(ITRADE_SOURCE_DIR "/config/models.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->names(),
            (std::vector<std::string>{"lgbm_direction", "xgboost_direction", "temporal_transformer", "ppo_agent"}));

  const ModelSpec* lgbm = config->find("lgbm_direction");
  ASSERT_NE(lgbm, nullptr);
  EXPECT_EQ(lgbm->framework, "lightgbm");
  EXPECT_EQ(lgbm->class_name, "LightGBMSignal");
  EXPECT_EQ(lgbm->task_text, "classification");
  EXPECT_EQ(lgbm->target, "direction_5");
  EXPECT_TRUE(lgbm->features.empty());  // all
  EXPECT_TRUE(lgbm->enabled);
  EXPECT_TRUE(lgbm->built());
  const GbdtParams& p = lgbm->gbdt;
  EXPECT_EQ(p.task, Task::multiclass);
  EXPECT_EQ(param(p, "grow_policy"), "lossguide");
  EXPECT_EQ(param(p, "max_depth"), "0");
  EXPECT_EQ(param(p, "max_leaves"), "31");
  EXPECT_EQ(param(p, "eta"), "0.05");
  EXPECT_EQ(param(p, "subsample"), "0.8");
  EXPECT_EQ(param(p, "colsample_bytree"), "0.8");
  EXPECT_EQ(param(p, "min_child_weight"), "2");  // 20 rows x 0.1 hessian per row (classification)
  EXPECT_EQ(param(p, "lambda"), "0");            // LightGBM's default, not XGBoost's 1
  EXPECT_EQ(p.max_rounds, 500);
  EXPECT_EQ(p.early_stopping_rounds, 50);
  EXPECT_EQ(p.threads, 2);
  EXPECT_EQ(p.seed, 42u);

  const ModelSpec* xgb = config->find("xgboost_direction");
  ASSERT_NE(xgb, nullptr);
  EXPECT_FALSE(xgb->enabled);
  EXPECT_EQ(param(xgb->gbdt, "max_depth"), "6");
  EXPECT_EQ(param(xgb->gbdt, "eta"), "0.05");
  EXPECT_EQ(param(xgb->gbdt, "subsample"), "0.8");
  EXPECT_EQ(param(xgb->gbdt, "grow_policy"), "(unset)");  // XGBoost's own default
  EXPECT_EQ(xgb->gbdt.max_rounds, 500);

  const ModelSpec* transformer = config->find("temporal_transformer");
  ASSERT_NE(transformer, nullptr);
  EXPECT_FALSE(transformer->built());
  EXPECT_EQ(transformer->target, "direction_12");
  const ModelSpec* agent = config->find("ppo_agent");
  ASSERT_NE(agent, nullptr);
  EXPECT_EQ(agent->task_text, "rl");
  EXPECT_EQ(agent->target, "");

  EXPECT_FALSE(config->ensemble().enabled);
  EXPECT_EQ(config->ensemble().models, (std::vector<std::string>{"lgbm_direction", "xgboost_direction"}));
  EXPECT_EQ(config->ensemble().weights, (std::vector<double>{0.5, 0.5}));
}

TEST(ModelConfigTest, TrainableByName) {
  auto config = ModelsConfig::load(ITRADE_SOURCE_DIR "/config/models.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto lgbm = config->trainable("lgbm_direction");
  ASSERT_TRUE(lgbm.ok());
  EXPECT_EQ((*lgbm)->name, "lgbm_direction");
  // Disabled only keeps a model out of the ensemble; it can still be trained by name.
  EXPECT_TRUE(config->trainable("xgboost_direction").ok());

  auto transformer = config->trainable("temporal_transformer");
  ASSERT_FALSE(transformer.ok());
  EXPECT_EQ(transformer.error().kind, core::ErrorKind::input);
  EXPECT_THAT(transformer.error().message,
              HasSubstr("/config/models.yaml:" + std::to_string(config->find("temporal_transformer")->line) +
                        ": model 'temporal_transformer' (framework pytorch) is not built yet"));
  EXPECT_THAT(config->trainable("ppo_agent").error().message, HasSubstr("(framework stable_baselines3) is not built"));
  auto unknown = config->trainable("lgbm_directon");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error().message, HasSubstr("unknown model 'lgbm_directon'"));
  EXPECT_THAT(unknown.error().message, HasSubstr("did you mean lgbm_direction?"));
}

TEST(ModelConfigTest, KeysAndNamesAreChecked) {
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    task: binary\n    target: t\nensembel: {}\n"),
              HasSubstr("models.yaml:6: ensembel: unknown key; did you mean ensemble?"));
  EXPECT_THAT(error_of("ensemble: {}\n"), HasSubstr("models.yaml:1: models: missing"));
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    task: binary\n    target: t\n    enable: true\n"),
              HasSubstr("models.yaml:6: models.m.enable: unknown key; did you mean enabled?"));
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    task: binary\n    target: t\n"
                       "  m:\n    framework: xgboost\n    task: binary\n    target: t\n"),
              HasSubstr("models.yaml:6: models.m: duplicate key"));
  EXPECT_THAT(error_of("models:\n  my model:\n    framework: xgboost\n    task: binary\n    target: t\n"),
              HasSubstr("models.yaml:2: models.my model: a model name must be letters, digits, _ and -"));
  EXPECT_THAT(
      error_of("models:\n  m:\n    framework: lightgmb\n    task: binary\n    target: t\n"),
      HasSubstr("models.yaml:3: models.m.framework: \"lightgmb\" is not a valid value; did you mean lightgbm?"));
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    task: clasification\n    target: t\n"),
              HasSubstr("models.yaml:4: models.m.task: \"clasification\" is not a valid value; did you mean "
                        "classification?"));
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    class: LightGBMSignal\n    task: binary\n"
                       "    target: t\n"),
              HasSubstr("models.yaml:4: models.m.class: xgboost entries are trained by XGBoostSignal"));
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    task: binary\n    target: t\n    enabled: maybe\n"),
              HasSubstr("models.yaml:6: models.m.enabled: expected a boolean"));
}

TEST(ModelConfigTest, NotBuiltFrameworksMustStayDisabled) {
  const std::string transformer =
      "models:\n  t:\n    framework: pytorch\n    class: TemporalTransformerSignal\n    task: classification\n"
      "    target: direction_12\n    hyperparameters: { d_model: 64, anything: goes }\n";
  auto config = ModelsConfig::parse(transformer + "    enabled: false\n", "models.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;  // its hyperparameters are not checked
  EXPECT_THAT(error_of(transformer + "    enabled: true\n"),
              HasSubstr("models.yaml:8: models.t.enabled: framework pytorch is not built yet; set enabled: false"));
  EXPECT_THAT(error_of("models:\n  t:\n    framework: pytorch\n    task: classification\n    target: d\n"
                       "    hyperparameters: [1, 2]\n"),
              HasSubstr("models.yaml:6: models.t.hyperparameters: expected a mapping"));
}

TEST(ModelConfigTest, TargetsFeaturesAndEnvironment) {
  // target: null only for task rl.
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    task: binary\n    target: null\n"),
              HasSubstr("models.yaml:5: models.m.target: task binary learns a target; null is only for task rl"));
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    task: binary\n"),
              HasSubstr("models.m.target: missing required key"));
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    task: rl\n    target: null\n"),
              HasSubstr("models.yaml:4: models.m.task: framework xgboost does not do reinforcement learning"));
  auto agent = ModelsConfig::parse(
      "models:\n  a:\n    framework: stable_baselines3\n    task: rl\n    target: ~\n"
      "    environment: { reward: sharpe }\n",
      "models.yaml");
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  EXPECT_EQ(agent->models().front().target, "");
  EXPECT_THAT(error_of("models:\n  m:\n    framework: xgboost\n    task: binary\n    target: t\n"
                       "    environment: { reward: sharpe }\n"),
              HasSubstr("models.yaml:6: models.m.environment: only task rl entries have an environment"));

  // features: all or a list.
  const std::string head = "models:\n  m:\n    framework: xgboost\n    task: regression\n    target: t\n";
  EXPECT_TRUE(parsed(head + "    features: all\n").features.empty());
  EXPECT_EQ(parsed(head + "    features: [rsi_14, atr_14]\n").features, (std::vector<std::string>{"rsi_14", "atr_14"}));
  EXPECT_THAT(error_of(head + "    features: some\n"),
              HasSubstr("models.yaml:6: models.m.features: expected `all` or a list of feature names"));
  EXPECT_THAT(error_of(head + "    features: []\n"), HasSubstr("models.yaml:6: models.m.features: the list is empty"));
  EXPECT_THAT(error_of(head + "    features: [rsi_14, rsi_14]\n"),
              HasSubstr("models.yaml:6: models.m.features: rsi_14 is listed twice"));
  EXPECT_THAT(error_of(head + "    features: [all, rsi_14]\n"), HasSubstr("item 1 is \"all\", not a feature name"));
}

TEST(ModelConfigTest, XgboostParametersPassThrough) {
  const ModelSpec spec = parsed(one_model("xgboost",
                                          "      max_depth: 4\n      learning_rate: 0.1\n      reg_lambda: 2\n"
                                          "      reg_alpha: 0.5\n      n_estimators: 300\n      n_jobs: 1\n"
                                          "      random_state: 7\n      early_stopping_rounds: 20\n"
                                          "      min_child_weight: 1.5\n      grow_policy: lossguide\n"
                                          "      max_leaves: 16\n      monotone_constraints: [1, 0, -1]\n"
                                          "      interaction_constraints: [[0, 1], [2]]\n",
                                          "binary"));
  const GbdtParams& p = spec.gbdt;
  EXPECT_EQ(p.task, Task::binary);
  EXPECT_EQ(param(p, "max_depth"), "4");
  EXPECT_EQ(param(p, "eta"), "0.1");
  EXPECT_EQ(param(p, "lambda"), "2");
  EXPECT_EQ(param(p, "alpha"), "0.5");
  EXPECT_EQ(param(p, "min_child_weight"), "1.5");
  EXPECT_EQ(param(p, "grow_policy"), "lossguide");
  EXPECT_EQ(param(p, "max_leaves"), "16");
  EXPECT_EQ(param(p, "monotone_constraints"), "(1,0,-1)");
  EXPECT_EQ(param(p, "interaction_constraints"), "[[0,1],[2]]");
  EXPECT_EQ(param(p, "n_estimators"), "(unset)");
  EXPECT_EQ(p.max_rounds, 300);
  EXPECT_EQ(p.threads, 1);
  EXPECT_EQ(p.seed, 7u);
  EXPECT_EQ(p.early_stopping_rounds, 20);
  EXPECT_EQ(p.booster.size(), 9u);  // nothing but the parameters written
  EXPECT_EQ(parsed(one_model("xgboost", "      monotone_constraints: \"(1,-1)\"\n")).gbdt.booster.front().second,
            "(1,-1)");
  EXPECT_EQ(parsed(one_model("xgboost", "      nthread: 3\n      seed: 9\n")).gbdt.threads, 3);
  EXPECT_TRUE(parsed(one_model("xgboost", "      {}\n")).gbdt.booster.empty());
}

TEST(ModelConfigTest, XgboostParametersAreChecked) {
  EXPECT_THAT(error_of(one_model("xgboost", "      max_depth: 4\n      objective: multi:softmax\n")),
              HasSubstr("models.yaml:8: models.m.hyperparameters.objective: is set by itrade"));
  for (const char* reserved : {"num_class: 3", "eval_metric: auc", "tree_method: exact"}) {
    EXPECT_THAT(error_of(one_model("xgboost", std::string("      ") + reserved + "\n")),
                HasSubstr("models.yaml:7: models.m.hyperparameters." +
                          std::string(reserved).substr(0, std::string(reserved).find(':')) + ": is set by itrade"));
  }
  EXPECT_THAT(error_of(one_model("xgboost", "      max_dept: 4\n")),
              HasSubstr("models.yaml:7: models.m.hyperparameters.max_dept: unknown XGBoost parameter; did you mean "
                        "max_depth"));
  // A LightGBM name under framework xgboost is unknown; its XGBoost name is suggested when close.
  EXPECT_THAT(error_of(one_model("xgboost", "      num_leaves: 31\n")),
              HasSubstr("hyperparameters.num_leaves: unknown XGBoost parameter"));
  EXPECT_THAT(error_of(one_model("xgboost", "      eta: 0.1\n      learning_rate: 0.2\n")),
              HasSubstr("models.yaml:8: models.m.hyperparameters.learning_rate: sets eta like eta above; keep one"));
  EXPECT_THAT(error_of(one_model("xgboost", "      eta: 0.1\n      eta: 0.2\n")),
              HasSubstr("models.yaml:8: models.m.hyperparameters.eta: duplicate key"));
  EXPECT_THAT(error_of(one_model("xgboost", "      subsample: 1.5\n")),
              HasSubstr("models.yaml:7: models.m.hyperparameters.subsample: 1.5 is out of range (0, 1]"));
  EXPECT_THAT(error_of(one_model("xgboost", "      learning_rate: 0\n")),
              HasSubstr("hyperparameters.learning_rate: 0 is out of range (0, 1]"));
  EXPECT_THAT(error_of(one_model("xgboost", "      gamma: -1\n")), HasSubstr("hyperparameters.gamma: -1 is negative"));
  EXPECT_THAT(error_of(one_model("xgboost", "      scale_pos_weight: 0\n")),
              HasSubstr("hyperparameters.scale_pos_weight: 0 is not above 0"));
  EXPECT_THAT(error_of(one_model("xgboost", "      max_depth: -1\n")),
              HasSubstr("hyperparameters.max_depth: -1 is out of range [0, 1000]"));
  EXPECT_THAT(error_of(one_model("xgboost", "      n_estimators: 0\n")),
              HasSubstr("hyperparameters.n_estimators: 0 is out of range [1, 1000000]"));
  EXPECT_THAT(error_of(one_model("xgboost", "      n_jobs: -1\n")),
              HasSubstr("hyperparameters.n_jobs: -1 is out of range [1, 1024]"));
  EXPECT_THAT(error_of(one_model("xgboost", "      n_estimators: 10.5\n")),
              HasSubstr("hyperparameters.n_estimators: expected an integer"));
  EXPECT_THAT(error_of(one_model("xgboost", "      grow_policy: leafwise\n")),
              HasSubstr("hyperparameters.grow_policy: \"leafwise\" is not a valid value"));
  EXPECT_THAT(error_of(one_model("xgboost", "      sampling_method: gradient_based\n")),
              HasSubstr("hyperparameters.sampling_method: gradient_based sampling needs XGBoost's GPU tree method"));
  EXPECT_THAT(error_of(one_model("xgboost", "      monotone_constraints: [1, 2]\n")),
              HasSubstr("hyperparameters.monotone_constraints: item 2 is not -1, 0 or 1"));
  EXPECT_THAT(error_of(one_model("xgboost", "      max_depth: 0\n")),
              HasSubstr("hyperparameters.max_depth: 0 (no depth limit) with no max_leaves"));
  EXPECT_TRUE(
      ModelsConfig::parse(one_model("xgboost", "      max_depth: 0\n      max_leaves: 8\n"), "models.yaml").ok());
}

TEST(ModelConfigTest, LightgbmNamesMapOntoLeafWiseGrowth) {
  // Defaults: LightGBM's where XGBoost's differ.
  const GbdtParams defaults = parsed(one_model("lightgbm", "      {}\n")).gbdt;
  EXPECT_EQ(param(defaults, "grow_policy"), "lossguide");
  EXPECT_EQ(param(defaults, "max_depth"), "0");
  EXPECT_EQ(param(defaults, "max_leaves"), "31");
  EXPECT_EQ(param(defaults, "eta"), "0.1");
  EXPECT_EQ(param(defaults, "lambda"), "0");
  EXPECT_EQ(param(defaults, "max_bin"), "255");
  EXPECT_EQ(param(defaults, "min_child_weight"), "2");
  EXPECT_EQ(defaults.max_rounds, 500);

  const GbdtParams p = parsed(one_model("lightgbm",
                                        "      num_leaves: 63\n      num_iterations: 200\n      min_data_in_leaf: 3\n"
                                        "      bagging_fraction: 0.7\n      feature_fraction: 0.6\n"
                                        "      lambda_l2: 1.5\n      lambda_l1: 0.25\n      max_bin: 63\n"
                                        "      min_split_gain: 0.01\n      num_threads: 1\n      seed: 5\n"
                                        "      max_depth: 8\n      early_stopping_rounds: 10\n"))
                           .gbdt;
  EXPECT_EQ(param(p, "max_leaves"), "63");
  EXPECT_EQ(param(p, "subsample"), "0.7");
  EXPECT_EQ(param(p, "colsample_bytree"), "0.6");
  EXPECT_EQ(param(p, "lambda"), "1.5");
  EXPECT_EQ(param(p, "alpha"), "0.25");
  EXPECT_EQ(param(p, "max_bin"), "63");
  EXPECT_EQ(param(p, "gamma"), "0.01");
  EXPECT_EQ(param(p, "max_depth"), "8");
  EXPECT_EQ(param(p, "min_child_weight"), "0.3");  // 3 rows x 0.1
  EXPECT_EQ(p.max_rounds, 200);
  EXPECT_EQ(p.threads, 1);
  EXPECT_EQ(p.seed, 5u);
  EXPECT_EQ(p.early_stopping_rounds, 10);

  EXPECT_EQ(param(parsed(one_model("lightgbm", "      max_depth: -1\n")).gbdt, "max_depth"), "0");
  // Regression: hessian 1 per row, so min_child_samples maps one to one.
  const GbdtParams regression = parsed(one_model("lightgbm", "      min_child_samples: 50\n", "regression")).gbdt;
  EXPECT_EQ(regression.task, Task::regression);
  EXPECT_EQ(param(regression, "min_child_weight"), "50");
  // The stricter of min_child_samples and min_sum_hessian_in_leaf.
  EXPECT_EQ(param(parsed(one_model("lightgbm", "      min_child_samples: 20\n      min_sum_hessian_in_leaf: 5\n")).gbdt,
                  "min_child_weight"),
            "5");
}

TEST(ModelConfigTest, XgboostAcceptsTheTranslatedParameters) {
  auto config = ModelsConfig::load(ITRADE_SOURCE_DIR "/config/models.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  expect_trains(*config->find("lgbm_direction"), false);
  expect_trains(*config->find("xgboost_direction"), false);
  // Every allow-listed XGBoost parameter at once, and every LightGBM name.
  expect_trains(
      parsed(one_model("xgboost",
                       "      eta: 0.3\n      gamma: 0.1\n      max_depth: 4\n      min_child_weight: 1\n"
                       "      max_delta_step: 1\n      subsample: 0.9\n      sampling_method: uniform\n"
                       "      colsample_bytree: 0.9\n      colsample_bylevel: 0.9\n"
                       "      colsample_bynode: 0.9\n      lambda: 1\n      alpha: 0.1\n"
                       "      grow_policy: lossguide\n      max_leaves: 8\n      max_bin: 64\n"
                       "      max_cat_to_onehot: 4\n      num_parallel_tree: 2\n      scale_pos_weight: 1.5\n"
                       "      monotone_constraints: [1, 0, 0, 0, 0]\n"
                       "      interaction_constraints: [[0, 1], [2, 3, 4]]\n      nthread: 1\n      seed: 3\n",
                       "binary")),
      true);
  expect_trains(parsed(one_model("lightgbm",
                                 "      num_leaves: 15\n      learning_rate: 0.2\n      min_child_samples: 10\n"
                                 "      subsample: 0.9\n      colsample_bytree: 0.9\n      reg_lambda: 1\n"
                                 "      reg_alpha: 0.1\n      max_bin: 63\n      min_split_gain: 0.01\n"
                                 "      min_child_weight: 0.5\n      max_depth: 6\n      n_jobs: 1\n"
                                 "      random_state: 4\n      early_stopping_rounds: 5\n",
                                 "regression")),
                false);
}

TEST(ModelConfigTest, LightgbmParametersAreChecked) {
  EXPECT_THAT(error_of(one_model("lightgbm", "      num_leafs: 31\n")),
              HasSubstr("models.yaml:7: models.m.hyperparameters.num_leafs: unknown LightGBM parameter; did you mean "
                        "num_leaves?"));
  EXPECT_THAT(error_of(one_model("lightgbm", "      colsample_by_tree: 0.8\n")),
              HasSubstr("did you mean colsample_bytree"));
  EXPECT_THAT(error_of(one_model("lightgbm", "      eta: 0.1\n")),
              HasSubstr("hyperparameters.eta: unknown LightGBM parameter"));
  EXPECT_THAT(error_of(one_model("lightgbm", "      objective: multiclass\n")),
              HasSubstr("models.yaml:7: models.m.hyperparameters.objective: is set by itrade"));
  EXPECT_THAT(error_of(one_model("lightgbm", "      min_child_samples: 20\n      min_data_in_leaf: 10\n")),
              HasSubstr("models.yaml:8: models.m.hyperparameters.min_data_in_leaf: sets min_child_samples like "
                        "min_child_samples above"));
  EXPECT_THAT(error_of(one_model("lightgbm", "      num_leaves: 1\n")),
              HasSubstr("hyperparameters.num_leaves: 1 is out of range [2, 131072]"));
  EXPECT_THAT(error_of(one_model("lightgbm", "      feature_fraction: 0\n")),
              HasSubstr("hyperparameters.feature_fraction: 0 is out of range (0, 1]"));
  EXPECT_THAT(error_of(one_model("lightgbm", "      max_depth: -2\n")),
              HasSubstr("hyperparameters.max_depth: -2 is out of range [-1, 1000]"));
}

TEST(ModelConfigTest, Ensemble) {
  const std::string models =
      "models:\n  a:\n    framework: xgboost\n    task: binary\n    target: t\n    enabled: true\n"
      "  b:\n    framework: lightgbm\n    task: binary\n    target: t\n    enabled: false\n"
      "  c:\n    framework: pytorch\n    task: binary\n    target: t\n";
  // The ensemble block starts on line 16.
  auto equal = ModelsConfig::parse(models + "ensemble:\n  enabled: true\n  models: [a]\n", "models.yaml");
  ASSERT_TRUE(equal.ok()) << equal.error().message;
  EXPECT_EQ(equal->ensemble().weights, (std::vector<double>{1.0}));
  EXPECT_TRUE(ModelsConfig::parse(models, "models.yaml").ok());  // no ensemble block: disabled
  EXPECT_TRUE(ModelsConfig::parse(models + "ensemble:\n  models: [a, b, c]\n", "models.yaml").ok());

  EXPECT_THAT(error_of(models + "ensemble:\n  models: [a, bb]\n"),
              HasSubstr("models.yaml:17: ensemble.models: 'bb' is not a model of this file"));
  EXPECT_THAT(error_of(models + "ensemble:\n  models: [a, a]\n"), HasSubstr("ensemble.models: 'a' is listed twice"));
  EXPECT_THAT(error_of(models + "ensemble:\n  models: [a, b]\n  weights: [1]\n"),
              HasSubstr("models.yaml:18: ensemble.weights: 1 weights for 2 models"));
  EXPECT_THAT(error_of(models + "ensemble:\n  models: [a, b]\n  weights: [1, -0.5]\n"),
              HasSubstr("ensemble.weights: item 2 is \"-0.5\", not a number >= 0"));
  EXPECT_THAT(error_of(models + "ensemble:\n  models: [a, b]\n  weights: [1, x]\n"),
              HasSubstr("ensemble.weights: item 2 is \"x\""));
  EXPECT_THAT(error_of(models + "ensemble:\n  models: [a, b]\n  weights: [0, 0]\n"),
              HasSubstr("ensemble.weights: the weights sum to 0"));
  EXPECT_THAT(error_of(models + "ensemble:\n  enabled: true\n  models: [a, b]\n"),
              HasSubstr("models.yaml:18: ensemble.models: 'b' is enabled: false (line 7)"));
  EXPECT_THAT(error_of(models + "ensemble:\n  enabled: true\n  models: [a, c]\n"),
              HasSubstr("ensemble.models: 'c' (framework pytorch) is not built yet"));
  EXPECT_THAT(error_of(models + "ensemble:\n  enabled: true\n"), HasSubstr("ensemble.models: an enabled ensemble"));
  EXPECT_THAT(error_of(models + "ensemble:\n  enabled: true\n  model: [a]\n"),
              HasSubstr("models.yaml:18: ensemble.model: unknown key; did you mean models?"));
}

}  // namespace
}  // namespace itrade::models

// End-to-end tests of `itrade models train` on the real sample.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using cli_runner::CliTest;
using cli_runner::CommandRun;
using cli_runner::itrade;

using cli_runner::contains;

class ModelsCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    models_ = dir_ / "models.yaml";
    std::ofstream(models_)
        << "models:\n"
           "  quick:\n"
           "    framework: lightgbm\n"
           "    task: classification\n"
           "    target: direction_5\n"
           "    hyperparameters: { num_leaves: 15, learning_rate: 0.1, n_estimators: 20 }\n"
           "    enabled: true\n"
           "  quick_small:\n"
           "    framework: xgboost\n"
           "    task: classification\n"
           "    target: direction_5\n"
           "    hyperparameters: { max_depth: 2, n_estimators: 10 }\n"
           "    enabled: true\n"
           "  quick_regression:\n"
           "    framework: xgboost\n"
           "    task: regression\n"
           "    target: forward_return_5\n"
           "    features: [rsi_14, atr_14, volatility_20, returns]\n"
           "    hyperparameters: { max_depth: 3, n_estimators: 20 }\n"
           "    enabled: false\n"
           "  transformer:\n"
           "    framework: pytorch\n"
           "    task: classification\n"
           "    target: direction_12\n"
           "    enabled: false\n"
           "ensemble: { enabled: true, models: [quick, quick_small], weights: [2, 1] }\n"
           "meta_labeling:\n"
           "  primary: quick\n"
           "  secondary: { framework: xgboost, hyperparameters: { max_depth: 2, n_estimators: 10 } }\n";
  }
  std::string base() const {
    return "models train --models-config " + models_.string() + " --data data/sample/ibkr --tickers SPY ";
  }
  fs::path models_;
};

TEST_F(ModelsCliTest, TrainPrintsScoresAndSavesTheModel) {
  const fs::path out = dir_ / "model";
  const CommandRun run = itrade(base() + "--model quick --importance-repeats 1 --out " + out.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* part : {"learning direction_5 from 44 features", "validation", "test", "log loss", "macro-F1",
                           "top features by split gain", "saved to"}) {
    EXPECT_TRUE(contains(run.output, part)) << part << "\n" << run.output;
  }
  EXPECT_TRUE(fs::exists(out / "booster.json"));
  EXPECT_TRUE(fs::exists(out / "meta.json"));
  EXPECT_TRUE(fs::exists(out / "training.json"));
}

TEST_F(ModelsCliTest, RegistryListsAndShowsTrainedModels) {
  const fs::path registry = dir_ / "registry";
  CommandRun run = itrade("models list --registry " + registry.string());
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_TRUE(contains(run.output, "no trained models")) << run.output;
  run = itrade(base() + "--model quick --importance-repeats 0 --out " + (registry / "quick-1").string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  run = itrade("models list --registry " + registry.string());
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_TRUE(contains(run.output, "quick-1")) << run.output;
  EXPECT_TRUE(contains(run.output, "direction_5")) << run.output;
  run = itrade("models show quick-1 --registry " + registry.string());
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_TRUE(contains(run.output, "\"feature_names\"")) << run.output;
  EXPECT_TRUE(contains(run.output, "\"test_first_day\"")) << run.output;
  run = itrade("models show quick-2 --registry " + registry.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "did you mean quick-1")) << run.output;
}

TEST_F(ModelsCliTest, RegressionWithTheModelsFeatureList) {
  const CommandRun run =
      itrade(base() + "--model quick_regression --importance-repeats 0 --out " + (dir_ / "r").string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "learning forward_return_5 from 4 features")) << run.output;
  EXPECT_TRUE(contains(run.output, "rmse")) << run.output;
}

TEST_F(ModelsCliTest, TrainsTheEnsembleAndListsIt) {
  const fs::path registry = dir_ / "registry";
  CommandRun run = itrade(base() + "--model ensemble --importance-repeats 1 --out " + (registry / "ens").string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "model ensemble (ensemble on ")) << run.output;
  EXPECT_TRUE(contains(run.output, "log loss")) << run.output;
  EXPECT_TRUE(fs::exists(registry / "ens" / "ensemble.json"));
  EXPECT_TRUE(fs::exists(registry / "ens" / "member_1" / "booster.json"));
  run = itrade("models list --registry " + registry.string());
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_TRUE(contains(run.output, "ens ")) << run.output;
  EXPECT_TRUE(contains(run.output, "multiclass")) << run.output;
  run = itrade("models show ens --registry " + registry.string());
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_TRUE(contains(run.output, "ensemble.json:")) << run.output;
  EXPECT_TRUE(contains(run.output, "training.json:")) << run.output;
}

TEST_F(ModelsCliTest, TrainsMetaLabelingOutOfSample) {
  const fs::path out = dir_ / "meta";
  const CommandRun run = itrade(base() + "--model meta_labeling --importance-repeats 0 --out " + out.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "model meta_labeling (meta_labeling on ")) << run.output;
  EXPECT_TRUE(contains(run.output, "test")) << run.output;
  EXPECT_TRUE(fs::exists(out / "meta_label.json"));
  EXPECT_TRUE(fs::exists(out / "primary" / "booster.json"));
  EXPECT_TRUE(fs::exists(out / "secondary" / "booster.json"));
}

TEST_F(ModelsCliTest, ErrorsNameTheProblem) {
  CommandRun run = itrade(base() + "--model quik --out " + (dir_ / "x").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "quick")) << run.output;
  run = itrade(base() + "--model transformer --out " + (dir_ / "x").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "not built yet")) << run.output;
  run = itrade(base() + "--model quick --target forward_return_5 --out " + (dir_ / "x").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "cannot learn target 'forward_return_5'")) << run.output;
  run = itrade(base() + "--model quick --split 0.5,0.5 --out " + (dir_ / "x").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.output, "three fractions")) << run.output;
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

}  // namespace

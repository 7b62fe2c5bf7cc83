// Purged walk-forward and purged k-fold: the fold boundaries (no training label reads a test bar),
// the fallback for short data, and a run that trains one model per fold and predicts only its
// test window.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "evaluation/purged_kfold.h"
#include "evaluation/walk_forward.h"
#include "models/gbdt_model.h"

namespace itrade::evaluation {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kTwoYears = 2 * 252 * 78;

WalkForwardConfig small_config() {
  WalkForwardConfig config;
  config.train_window = 1000;
  config.test_window = 200;
  config.step = 200;
  config.purge_window = 12;
  return config;
}

// Every label of a row the model fits or early-stops on reads bars strictly before the next
// window it must not see.
void expect_purged(const FoldPlan& plan, int horizon) {
  for (const Fold& f : plan.folds) {
    ASSERT_LT(f.train_first, f.fit_last) << f.index;
    ASSERT_LE(f.fit_last + static_cast<std::size_t>(horizon), f.validation_first) << f.index;
    ASSERT_LT(f.validation_first, f.train_last) << f.index;
    ASSERT_LE(f.train_last + static_cast<std::size_t>(horizon), f.test_first) << f.index;
    ASSERT_LT(f.test_first, f.test_last) << f.index;
  }
}

TEST(WalkForwardPlanTest, BlueprintDefaultsTileTheTestWindows) {
  auto plan = plan_walk_forward(kTwoYears, WalkForwardConfig{}, 5, false);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(plan->fallback);
  EXPECT_EQ(plan->purge, 12);
  ASSERT_FALSE(plan->folds.empty());
  const Fold& first = plan->folds.front();
  EXPECT_EQ(first.train_first, 0u);
  EXPECT_EQ(first.train_last, 252u * 78u);
  EXPECT_EQ(first.test_first, 252u * 78u + 12u);
  EXPECT_EQ(first.test_last, first.test_first + 20u * 78u);
  for (std::size_t i = 1; i < plan->folds.size(); ++i) {
    const Fold& f = plan->folds[i];
    EXPECT_EQ(f.test_first, plan->folds[i - 1].test_last) << "test windows tile when step == test_window";
    EXPECT_EQ(f.train_last - f.train_first, 252u * 78u) << "rolling window keeps its length";
  }
  EXPECT_EQ(plan->folds.back().test_last, kTwoYears) << "the last, shorter window ends at the data's end";
  expect_purged(*plan, 5);
  // 20% of the training window early-stops the model.
  EXPECT_EQ(first.train_last - first.validation_first, static_cast<std::size_t>(std::ceil(0.2 * 252 * 78)));
  EXPECT_EQ(first.validation_first - first.fit_last, 12u);
}

TEST(WalkForwardPlanTest, PurgeIsRaisedToTheHorizonButNeverLowered) {
  WalkForwardConfig config = small_config();
  auto plan = plan_walk_forward(5000, config, 40, false);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->purge, 40);
  expect_purged(*plan, 40);
  config.purge_window = 60;
  plan = plan_walk_forward(5000, config, 40, false);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->purge, 60);
  expect_purged(*plan, 60);
}

TEST(WalkForwardPlanTest, RandomConfigurationsNeverLetALabelReadATestBar) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    WalkForwardConfig config;
    config.train_window = std::uniform_int_distribution<int>(200, 3000)(rng);
    config.test_window = std::uniform_int_distribution<int>(1, 800)(rng);
    config.step = std::uniform_int_distribution<int>(1, 900)(rng);
    config.purge_window = std::uniform_int_distribution<int>(0, 30)(rng);
    config.expanding = trial % 2 == 0;
    const int horizon = std::uniform_int_distribution<int>(1, 40)(rng);
    const std::size_t bars = std::uniform_int_distribution<std::size_t>(100, 8000)(rng);
    auto plan = plan_walk_forward(bars, config, horizon, true);
    if (!plan) continue;  // too short even for the fallback: covered below
    ASSERT_FALSE(plan->folds.empty());
    expect_purged(*plan, horizon);
    for (const Fold& f : plan->folds) {
      ASSERT_LE(f.test_last, bars);
      if (config.expanding || plan->fallback) {
        ASSERT_EQ(f.train_first, 0u);
      }
    }
  }
}

TEST(WalkForwardPlanTest, ExpandingWindowsAllStartAtTheFirstBar) {
  WalkForwardConfig config = small_config();
  config.expanding = true;
  auto plan = plan_walk_forward(3000, config, 5, false);
  ASSERT_TRUE(plan);
  ASSERT_GE(plan->folds.size(), 2u);
  for (const Fold& f : plan->folds) EXPECT_EQ(f.train_first, 0u);
  EXPECT_GT(plan->folds.back().train_last, plan->folds.front().train_last);
  EXPECT_THAT(plan->description, HasSubstr("expanding"));
}

TEST(WalkForwardPlanTest, TooShortWithoutFallbackSaysHowManyBarsAreNeeded) {
  auto plan = plan_walk_forward(1100, small_config(), 5, false);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().kind, core::ErrorKind::input);
  EXPECT_THAT(plan.error().message, HasSubstr("needs at least 1212 bars for one fold"));
  EXPECT_THAT(plan.error().message, HasSubstr("the data has 1100"));
}

TEST(WalkForwardPlanTest, ShortDataFallsBackToAnExpandingWindowFromTheMiddle) {
  const std::size_t bars = 150 * 78;  // the bundled sample's length, well under a blueprint fold
  auto plan = plan_walk_forward(bars, WalkForwardConfig{}, 5, true);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->fallback);
  EXPECT_EQ(plan->folds.front().test_first, bars / 2);
  // Monthly test windows: 150 days, the second half of which is 75 days = 4 windows of 20 days.
  EXPECT_EQ(plan->folds.size(), 4u);
  EXPECT_EQ(plan->folds.front().test_last - plan->folds.front().test_first, 20u * 78u);
  EXPECT_EQ(plan->folds.back().test_last, bars);
  for (std::size_t i = 1; i < plan->folds.size(); ++i) {
    EXPECT_EQ(plan->folds[i].test_first, plan->folds[i - 1].test_last);
  }
  expect_purged(*plan, 5);
  EXPECT_THAT(plan->description, HasSubstr("shorter than one blueprint fold"));
}

TEST(WalkForwardPlanTest, FallbackAlwaysRetrainsAtLeastOnce) {
  auto plan = plan_walk_forward(1000, WalkForwardConfig{}, 5, true);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->folds.size(), 2u);
  EXPECT_EQ(plan->folds[0].test_first, 500u);
  EXPECT_EQ(plan->folds[1].test_first, 750u);
  EXPECT_EQ(plan->folds[1].test_last, 1000u);
}

TEST(WalkForwardPlanTest, FallbackNeedsAWeekOfTraining) {
  auto plan = plan_walk_forward(500, WalkForwardConfig{}, 5, true);
  ASSERT_FALSE(plan);
  EXPECT_THAT(plan.error().message, HasSubstr("walk-forward needs at least 804 bars"));
}

TEST(WalkForwardPlanTest, BadConfigurationNamesTheField) {
  WalkForwardConfig config;
  config.test_window = 0;
  EXPECT_THAT(plan_walk_forward(kTwoYears, config, 5, false).error().message, HasSubstr("walk_forward.test_window"));
  config = {};
  config.validation_fraction = 0.7;
  EXPECT_THAT(plan_walk_forward(kTwoYears, config, 5, false).error().message,
              HasSubstr("walk_forward.validation_fraction"));
  config = {};
  config.purge_window = -1;
  EXPECT_THAT(plan_walk_forward(kTwoYears, config, 5, false).error().message, HasSubstr("walk_forward.purge_window"));
}

// A model that remembers the last bar it learnt from and predicts a constant per fold, so the test
// can check which fold predicted which row and that no fold learnt from its test window.
struct Memory {
  std::vector<core::Timestamp> last_trained;                // per fold: the latest ts of fit or validation rows
  std::vector<std::vector<core::Timestamp>> fit_ts;         // per fold: the rows fitted on
  std::vector<std::vector<core::Timestamp>> validation_ts;  // per fold: the early-stopping rows
};

class RecordingModel final : public models::SignalModel {
 public:
  RecordingModel(Memory& memory, int fold) : memory_(memory), fold_(fold) {}
  core::Result<models::TrainResult> train(const models::Dataset& train, const models::Dataset& validation) override {
    core::Timestamp last = 0;
    for (auto ts : train.ts) last = std::max(last, ts);
    for (auto ts : validation.ts) last = std::max(last, ts);
    memory_.last_trained.push_back(last);
    memory_.fit_ts.push_back(train.ts);
    memory_.validation_ts.push_back(validation.ts);
    return models::TrainResult{};
  }
  core::Result<std::vector<models::SignalOutput>> predict(const models::Dataset& data) const override {
    std::vector<models::SignalOutput> out(data.rows());
    for (auto& o : out) o.signal = 0.01 * fold_;
    return out;
  }
  core::Status save(const std::filesystem::path&) const override { return {}; }
  models::ModelInfo info() const override { return {}; }

 private:
  Memory& memory_;
  int fold_;
};

// One ticker, `bars` 5-minute bars; x0 predicts the label.
models::Dataset bar_data(std::size_t bars, std::vector<core::Timestamp>& timeline, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  models::Dataset data;
  data.feature_names = {"x0", "x1"};
  data.tickers = {"T"};
  timeline.clear();
  for (std::size_t i = 0; i < bars; ++i) {
    const core::Timestamp ts = 1'700'000'000'000'000'000LL + static_cast<core::Timestamp>(i) * 300'000'000'000LL;
    timeline.push_back(ts);
    const float x0 = normal(rng);
    const float x1 = normal(rng);
    const float score = x0 + 0.5f * normal(rng);
    data.features.insert(data.features.end(), {x0, x1});
    data.labels.push_back(score < -0.4f ? 0.0f : (score > 0.4f ? 2.0f : 1.0f));
    data.ticker_of_row.push_back(0);
    data.ts.push_back(ts);
  }
  return data;
}

TEST(WalkForwardRunTest, EachFoldPredictsOnlyItsTestWindowFromThePast) {
  std::vector<core::Timestamp> timeline;
  const models::Dataset data = bar_data(3000, timeline, 3);
  auto plan = plan_walk_forward(timeline.size(), small_config(), 5, false);
  ASSERT_TRUE(plan);
  Memory memory;
  int made = 0;
  auto result =
      run_walk_forward(*plan, timeline, data, data, [&] { return std::make_unique<RecordingModel>(memory, made++); });
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(made, static_cast<int>(plan->folds.size())) << "a fresh model per fold";
  for (std::size_t k = 0; k < plan->folds.size(); ++k) {
    const Fold& f = plan->folds[k];
    EXPECT_LT(memory.last_trained[k] + 5 * 300'000'000'000LL, timeline[f.test_first])
        << "fold " << k << " learnt from a bar whose label reads its test window";
  }
  std::size_t predicted = 0;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const int fold = result->fold_of_row[r];
    if (fold < 0) {
      EXPECT_TRUE(std::isnan(result->predictions[r].signal)) << r;
      EXPECT_LT(r, plan->folds.front().test_first);
      continue;
    }
    ++predicted;
    const Fold& f = plan->folds[static_cast<std::size_t>(fold)];
    EXPECT_GE(r, f.test_first);
    EXPECT_LT(r, f.test_last);
    EXPECT_DOUBLE_EQ(result->predictions[r].signal, 0.01 * fold);
  }
  EXPECT_EQ(predicted, 3000u - plan->folds.front().test_first);
}

// A fold whose window holds more rows than max_train_rows trains on exactly that many, drawn from
// across its whole fit and validation ranges (not only the recent end), in time order, the same
// rows on every run; the cap never widens what a fold may see.
TEST(WalkForwardRunTest, TrainingRowCapSamplesUniformlyInsideTheWindow) {
  std::vector<core::Timestamp> timeline;
  const models::Dataset data = bar_data(6000, timeline, 3);
  WalkForwardConfig config = small_config();
  config.expanding = true;
  config.max_train_rows = 600;
  auto plan = plan_walk_forward(timeline.size(), config, 5, false);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->max_train_rows, 600u);
  const auto run = [&](Memory& memory) {
    return run_walk_forward(*plan, timeline, data, data, [&] { return std::make_unique<RecordingModel>(memory, 0); });
  };
  Memory memory;
  auto result = run(memory);
  ASSERT_TRUE(result) << result.error().message;
  const auto bar = [&](std::size_t i) { return timeline[i]; };
  for (std::size_t k = 0; k < plan->folds.size(); ++k) {
    const Fold& f = plan->folds[k];
    const FoldOutcome& outcome = result->folds[k];
    const std::size_t window = (f.fit_last - f.train_first) + (f.train_last - f.validation_first);
    EXPECT_EQ(outcome.available_rows, window) << k;
    const auto& fit = memory.fit_ts[k];
    const auto& validation = memory.validation_ts[k];
    if (window <= 600) {
      EXPECT_EQ(fit.size() + validation.size(), window) << "fold " << k << " is under the cap: every row";
      continue;
    }
    EXPECT_EQ(fit.size() + validation.size(), 600u) << k;
    EXPECT_EQ(outcome.fit_rows, fit.size());
    EXPECT_EQ(outcome.validation_rows, validation.size());
    // The same share of each part as the window has.
    const double validation_share =
        static_cast<double>(f.train_last - f.validation_first) / static_cast<double>(window);
    EXPECT_NEAR(static_cast<double>(validation.size()) / 600.0, validation_share, 0.01) << k;
    EXPECT_TRUE(std::is_sorted(fit.begin(), fit.end()));
    EXPECT_EQ(std::adjacent_find(fit.begin(), fit.end()), fit.end()) << "no row twice";
    for (auto ts : fit) {
      EXPECT_GE(ts, bar(f.train_first));
      EXPECT_LT(ts, bar(f.fit_last));
    }
    for (auto ts : validation) {
      EXPECT_GE(ts, bar(f.validation_first));
      EXPECT_LT(ts, bar(f.train_last));
    }
    // Uniform over the window: each half of the fit range gives about half the fitted rows.
    const core::Timestamp middle = bar((f.train_first + f.fit_last) / 2);
    const auto early = std::count_if(fit.begin(), fit.end(), [&](auto ts) { return ts < middle; });
    EXPECT_NEAR(static_cast<double>(early) / static_cast<double>(fit.size()), 0.5, 0.1) << k;
  }
  Memory again;
  ASSERT_TRUE(run(again));
  EXPECT_EQ(again.fit_ts, memory.fit_ts) << "the sample is the same on every run";
  EXPECT_EQ(again.validation_ts, memory.validation_ts);

  config.max_train_rows = 0;
  plan = plan_walk_forward(timeline.size(), config, 5, false);
  ASSERT_TRUE(plan);
  Memory all;
  auto uncapped =
      run_walk_forward(*plan, timeline, data, data, [&] { return std::make_unique<RecordingModel>(all, 0); });
  ASSERT_TRUE(uncapped);
  const Fold& last = plan->folds.back();
  EXPECT_EQ(all.fit_ts.back().size(), last.fit_last - last.train_first) << "0 means every row";
}

TEST(WalkForwardRunTest, RealModelsPredictOutOfSampleBetterThanChance) {
  std::vector<core::Timestamp> timeline;
  const models::Dataset data = bar_data(3000, timeline, 5);
  auto plan = plan_walk_forward(timeline.size(), small_config(), 5, false);
  ASSERT_TRUE(plan);
  models::GbdtParams params;
  params.max_rounds = 30;
  params.early_stopping_rounds = 10;
  params.booster = {{"max_depth", "3"}, {"eta", "0.3"}};
  int progress_calls = 0;
  auto result = run_walk_forward(
      *plan, timeline, data, data, [&] { return std::make_unique<models::GbdtModel>(params, "wf", "label"); },
      [&](const FoldOutcome& outcome, std::size_t count) {
        ++progress_calls;
        EXPECT_EQ(count, plan->folds.size());
        EXPECT_GT(outcome.fit_rows, 0u);
      });
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(progress_calls, static_cast<int>(plan->folds.size()));
  std::size_t right = 0;
  std::size_t total = 0;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    if (result->fold_of_row[r] < 0) continue;
    const auto& p = result->predictions[r].probabilities;
    const int guess = static_cast<int>(std::max_element(p.begin(), p.begin() + 3) - p.begin());
    right += guess == static_cast<int>(data.labels[r]) ? 1 : 0;
    ++total;
  }
  EXPECT_GT(static_cast<double>(right) / static_cast<double>(total), 0.5);
}

TEST(WalkForwardRunTest, RowsOffTheTimelineAreAnInputError) {
  std::vector<core::Timestamp> timeline;
  models::Dataset data = bar_data(1500, timeline, 3);
  auto plan = plan_walk_forward(timeline.size(), small_config(), 5, false);
  ASSERT_TRUE(plan);
  data.ts[7] += 1;
  Memory memory;
  auto result =
      run_walk_forward(*plan, timeline, data, data, [&] { return std::make_unique<RecordingModel>(memory, 0); });
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("row 7"));
}

TEST(PurgedKFoldTest, BlocksCoverEveryBarOnceAndTrainingAvoidsPurgeAndEmbargo) {
  auto plan = plan_purged_kfold(1003, 5, 6, 0, 20);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->purge, 6);
  EXPECT_EQ(plan->embargo, 20);
  std::size_t covered = 0;
  for (const KFold& f : plan->folds) {
    EXPECT_EQ(f.test_first, covered);
    covered = f.test_last;
    // No training bar's label (reading horizon bars ahead) reaches the test block.
    if (f.before_last > 0) {
      EXPECT_LT(f.before_last - 1 + 6, f.test_first);
    }
    EXPECT_EQ(f.test_first - f.before_last, std::min<std::size_t>(f.test_first, 6));
    EXPECT_EQ(f.after_first, std::min<std::size_t>(1003, f.test_last + 20));
  }
  EXPECT_EQ(covered, 1003u);
  EXPECT_EQ(plan->folds.front().before_last, 0u);
  EXPECT_EQ(plan->folds.back().after_first, 1003u);
}

TEST(PurgedKFoldTest, EmbargoDefaultsToTheHorizon) {
  auto plan = plan_purged_kfold(1000, 4, 12);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->purge, 12);
  EXPECT_EQ(plan->embargo, 12);
}

TEST(PurgedKFoldTest, Errors) {
  EXPECT_THAT(plan_purged_kfold(100, 1, 5).error().message, HasSubstr("k >= 2"));
  EXPECT_THAT(plan_purged_kfold(3, 5, 5).error().message, HasSubstr("cannot make 5 test blocks"));
  EXPECT_THAT(plan_purged_kfold(20, 2, 5, 0, 15).error().message, HasSubstr("leave no bar to train on"));
}

}  // namespace
}  // namespace itrade::evaluation

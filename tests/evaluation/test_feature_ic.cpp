// Information coefficients of features with targets (docs/importance.md): Spearman with ties and
// missing rows, the overlap-corrected t-statistic, pooled vs per ticker, alignment of feature[t]
// with label[t], and input errors.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "evaluation/feature_ic.h"
#include "models/metrics.h"

namespace itrade::evaluation {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One ticker's matrix from columns given column by column.
features::FeatureMatrix matrix(const std::string& ticker, const std::vector<std::string>& names,
                               const std::vector<std::vector<double>>& columns) {
  features::FeatureMatrix m;
  m.ticker = ticker;
  m.columns = names;
  const std::size_t rows = columns.empty() ? 0 : columns.front().size();
  for (std::size_t r = 0; r < rows; ++r) {
    m.ts.push_back(static_cast<core::Timestamp>(r) * 300 * core::kNanosPerSecond);
    for (const auto& column : columns) m.values.push_back(column[r]);
  }
  return m;
}

features::TargetDef target(const std::string& name, int horizon) {
  features::TargetDef def;
  def.name = name;
  def.bars = horizon;
  return def;
}

// The single cell of one feature x one target.
FeatureIc single(const std::vector<features::FeatureMatrix>& matrices, const std::string& feature,
                 const features::TargetDef& label) {
  auto result = feature_ic(matrices, {feature}, {&label});
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok() || result->size() != 1) return {};
  return result->front();
}

TEST(FeatureIc, SpearmanWithTiesMatchesTheHandComputedValue) {
  // f ranks {1, 2.5, 2.5, 4}, label ranks {1, 2, 3, 4}: centred products 2.25 + 0 + 0 + 2.25 = 4.5,
  // squares 4.5 and 5, so IC = 4.5 / sqrt(22.5) = 3 / sqrt(10).
  const features::TargetDef label = target("label", 1);
  const FeatureIc c = single({matrix("AAA", {"f", "label"}, {{1, 2, 2, 4}, {10, 20, 30, 40}})}, "f", label);
  EXPECT_NEAR(c.pooled.ic, 3.0 / std::sqrt(10.0), 1e-12);
  EXPECT_EQ(c.pooled.n, 4u);
  ASSERT_EQ(c.per_ticker.size(), 1u);
  EXPECT_NEAR(c.per_ticker[0].ic, 3.0 / std::sqrt(10.0), 1e-12);
  EXPECT_EQ(c.feature, "f");
  EXPECT_EQ(c.target, "label");
}

TEST(FeatureIc, TiesOnBothSidesAgreeWithTheReferenceSpearman) {
  // Few distinct values: many ties on both sides, as with a class label and a discrete feature.
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> small(0, 4);
  std::vector<double> f(500);
  std::vector<double> l(500);
  for (std::size_t i = 0; i < f.size(); ++i) {
    f[i] = small(rng);
    l[i] = std::min(2, static_cast<int>(f[i] / 2.0 + small(rng) / 3.0));
  }
  std::size_t n = 0;
  const double ic = spearman_complete(f, l, &n);
  EXPECT_EQ(n, f.size());
  EXPECT_NEAR(ic, models::spearman(f, l), 1e-12);
  EXPECT_GT(ic, 0.3);  // constructed to be clearly positive
}

TEST(FeatureIc, TStatisticUsesNonOverlappingObservations) {
  // ic 0.1, n 1000, horizon 5: n_eff 200, t = 0.1 sqrt(198) / sqrt(0.99) = 0.1 sqrt(200) = sqrt(2).
  EXPECT_NEAR(ic_t_statistic(0.1, 1000, 5), std::sqrt(2.0), 1e-12);
  // ic -0.5, n 12, horizon 1: t = -0.5 sqrt(10) / sqrt(0.75) = -sqrt(10 / 3).
  EXPECT_NEAR(ic_t_statistic(-0.5, 12, 1), -std::sqrt(10.0 / 3.0), 1e-12);
  // A horizon below 1 reads as 1.
  EXPECT_NEAR(ic_t_statistic(-0.5, 12, 0), -std::sqrt(10.0 / 3.0), 1e-12);
  // Undefined: n_eff <= 2, |ic| = 1, NaN ic.
  EXPECT_TRUE(std::isnan(ic_t_statistic(0.3, 10, 5)));  // n_eff = 2
  EXPECT_TRUE(std::isnan(ic_t_statistic(0.3, 2, 1)));
  EXPECT_TRUE(std::isnan(ic_t_statistic(1.0, 1000, 1)));
  EXPECT_TRUE(std::isnan(ic_t_statistic(-1.0, 1000, 1)));
  EXPECT_TRUE(std::isnan(ic_t_statistic(kNaN, 1000, 1)));
  // n_eff just above 2: finite.
  EXPECT_TRUE(std::isfinite(ic_t_statistic(0.3, 11, 5)));
}

TEST(FeatureIc, TStatisticOfACellUsesTheTargetsHorizon) {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise;
  std::vector<double> f(400);
  std::vector<double> l(400);
  for (std::size_t i = 0; i < f.size(); ++i) {
    f[i] = noise(rng);
    l[i] = 0.3 * f[i] + noise(rng);
  }
  const features::TargetDef one = target("one", 1);
  const features::TargetDef five = target("five", 5);
  const std::vector<features::FeatureMatrix> matrices = {matrix("AAA", {"f", "one", "five"}, {f, l, l})};
  auto result = feature_ic(matrices, {"f"}, {&one, &five});
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->size(), 2u);
  const FeatureIc& a = (*result)[0];
  const FeatureIc& b = (*result)[1];
  EXPECT_EQ(a.target, "one");
  EXPECT_EQ(b.target, "five");
  EXPECT_EQ(b.horizon, 5);
  EXPECT_DOUBLE_EQ(a.pooled.ic, b.pooled.ic);
  EXPECT_NEAR(a.pooled.t, ic_t_statistic(a.pooled.ic, 400, 1), 1e-12);
  EXPECT_NEAR(b.pooled.t, ic_t_statistic(b.pooled.ic, 400, 5), 1e-12);
  // Five times fewer independent observations: about sqrt(5) times smaller.
  EXPECT_NEAR(a.pooled.t / b.pooled.t, std::sqrt(398.0 / 78.0), 1e-9);
}

TEST(FeatureIc, RowsWhereEitherSideIsNaNAreDroppedAndTheRestReranked) {
  // Complete rows 1, 2, 4: f {1, 5, 4} ranks {1, 3, 2}, label {2, 3, 5} ranks {1, 2, 3}; centred
  // products 1 + 0 + 0, squares 2 and 2: IC 0.5 on n = 3.
  const features::TargetDef label = target("label", 1);
  const FeatureIc c = single({matrix("AAA", {"f", "label"}, {{kNaN, 1, 5, 3, 4}, {1, 2, 3, kNaN, 5}})}, "f", label);
  EXPECT_NEAR(c.pooled.ic, 0.5, 1e-12);
  EXPECT_EQ(c.pooled.n, 3u);
  // n_eff = 3 > 2: t = 0.5 sqrt(1) / sqrt(0.75).
  EXPECT_NEAR(c.pooled.t, 0.5 / std::sqrt(0.75), 1e-12);

  // Against the reference on random data with scattered NaNs on both sides.
  std::mt19937 rng(5);
  std::normal_distribution<double> noise;
  std::bernoulli_distribution missing(0.2);
  std::vector<double> f(300);
  std::vector<double> l(300);
  std::vector<double> kept_f;
  std::vector<double> kept_l;
  for (std::size_t i = 0; i < f.size(); ++i) {
    f[i] = missing(rng) ? kNaN : std::round(noise(rng) * 3.0);  // rounded: ties too
    l[i] = missing(rng) ? kNaN : 0.5 * (std::isnan(f[i]) ? 0.0 : f[i]) + noise(rng);
    if (!std::isnan(f[i]) && !std::isnan(l[i])) {
      kept_f.push_back(f[i]);
      kept_l.push_back(l[i]);
    }
  }
  const FeatureIc r = single({matrix("AAA", {"f", "label"}, {f, l})}, "f", label);
  EXPECT_EQ(r.pooled.n, kept_f.size());
  EXPECT_NEAR(r.pooled.ic, models::spearman(kept_f, kept_l), 1e-12);
}

TEST(FeatureIc, PooledRanksAllTickersTogetherAndPerTickerEachAlone) {
  // AAA: f = label, IC 1. BBB: f {4, 5, 6}, label {4, 6, 5}: IC 0.5. Pooled: f ranks 1..6, label
  // ranks {1, 2, 3, 4, 6, 5}: 16.5 / 17.5 = 33 / 35.
  const features::TargetDef label = target("label", 1);
  const std::vector<features::FeatureMatrix> matrices = {
      matrix("AAA", {"f", "label"}, {{1, 2, 3}, {1, 2, 3}}),
      matrix("BBB", {"label", "f"}, {{4, 6, 5}, {4, 5, 6}}),  // other column order: found by name
  };
  const FeatureIc c = single(matrices, "f", label);
  ASSERT_EQ(c.per_ticker.size(), 2u);
  EXPECT_DOUBLE_EQ(c.per_ticker[0].ic, 1.0);
  EXPECT_EQ(c.per_ticker[0].n, 3u);
  EXPECT_TRUE(std::isnan(c.per_ticker[0].t));  // |IC| = 1
  EXPECT_NEAR(c.per_ticker[1].ic, 0.5, 1e-12);
  EXPECT_EQ(c.per_ticker[1].n, 3u);
  EXPECT_NEAR(c.pooled.ic, 33.0 / 35.0, 1e-12);
  EXPECT_EQ(c.pooled.n, 6u);
  // n_eff = 6: t = IC sqrt(4) / sqrt(1 - IC^2).
  const double ic = 33.0 / 35.0;
  EXPECT_NEAR(c.pooled.t, ic * 2.0 / std::sqrt(1.0 - ic * ic), 1e-9);
}

TEST(FeatureIc, AFeatureEqualToTheLabelHasIcOneAndNoT) {
  std::mt19937 rng(17);
  std::normal_distribution<double> noise;
  std::vector<double> l(2000);
  for (double& v : l) v = noise(rng);
  const features::TargetDef label = target("label", 5);
  const FeatureIc c = single({matrix("AAA", {"f", "label"}, {l, l})}, "f", label);
  EXPECT_EQ(c.pooled.ic, 1.0);
  EXPECT_TRUE(std::isnan(c.pooled.t));
  EXPECT_EQ(c.pooled.n, 2000u);
}

TEST(FeatureIc, AShuffledFeatureHasASmallIc) {
  std::mt19937 rng(23);
  std::normal_distribution<double> noise;
  std::vector<double> l(20000);
  for (double& v : l) v = noise(rng);
  std::vector<double> shuffled = l;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const features::TargetDef label = target("label", 1);
  const FeatureIc c = single({matrix("AAA", {"f", "label"}, {shuffled, l})}, "f", label);
  // Standard error about 1 / sqrt(20000) = 0.007; 4 of them.
  EXPECT_LT(std::fabs(c.pooled.ic), 0.028);
  EXPECT_LT(std::fabs(c.pooled.t), 4.0);
}

TEST(FeatureIc, PairsFeatureAtBarTWithTheLabelAtBarT) {
  // The label at bar t looks forward already. A feature that equals label[t] on the same row must
  // score IC 1; the same values moved one row later (label[t-1], what a feature may legitimately
  // know) or one row earlier (label[t+1]) must not. An implementation that shifted either column
  // would swap these results.
  std::mt19937 rng(29);
  std::normal_distribution<double> noise;
  const std::size_t rows = 3000;
  std::vector<double> l(rows);
  for (double& v : l) v = noise(rng);
  std::vector<double> same = l;
  std::vector<double> past(rows, kNaN);    // past[t] = label[t - 1]
  std::vector<double> future(rows, kNaN);  // future[t] = label[t + 1]
  for (std::size_t t = 1; t < rows; ++t) past[t] = l[t - 1];
  for (std::size_t t = 0; t + 1 < rows; ++t) future[t] = l[t + 1];
  const features::TargetDef label = target("label", 1);
  const std::vector<features::FeatureMatrix> matrices = {
      matrix("AAA", {"same", "past", "future", "label"}, {same, past, future, l})};
  auto result = feature_ic(matrices, {"same", "past", "future"}, {&label});
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0].pooled.ic, 1.0);
  EXPECT_LT(std::fabs((*result)[1].pooled.ic), 0.1);
  EXPECT_EQ((*result)[1].pooled.n, rows - 1);
  EXPECT_LT(std::fabs((*result)[2].pooled.ic), 0.1);
}

TEST(FeatureIc, CellsAreFeatureMajorAndAConstantSideHasNoIc) {
  const features::TargetDef up = target("up", 1);
  const features::TargetDef flat = target("flat", 1);
  const std::vector<features::FeatureMatrix> matrices = {
      matrix("AAA", {"a", "b", "up", "flat"}, {{1, 2, 3, 4}, {4, 3, 2, 1}, {1, 2, 3, 4}, {7, 7, 7, 7}})};
  auto result = feature_ic(matrices, {"a", "b"}, {&up, &flat});
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->size(), 4u);
  EXPECT_EQ((*result)[0].feature, "a");
  EXPECT_EQ((*result)[0].target, "up");
  EXPECT_EQ((*result)[1].feature, "a");
  EXPECT_EQ((*result)[1].target, "flat");
  EXPECT_EQ((*result)[2].feature, "b");
  EXPECT_EQ((*result)[2].target, "up");
  EXPECT_DOUBLE_EQ((*result)[0].pooled.ic, 1.0);
  EXPECT_DOUBLE_EQ((*result)[2].pooled.ic, -1.0);
  EXPECT_TRUE(std::isnan((*result)[1].pooled.ic));
  EXPECT_EQ((*result)[1].pooled.n, 4u);
  EXPECT_TRUE(std::isnan((*result)[1].pooled.t));
}

TEST(FeatureIc, FewerThanTwoRowsOrNoTickersGiveNaN) {
  const features::TargetDef label = target("label", 1);
  const FeatureIc one = single({matrix("AAA", {"f", "label"}, {{1, kNaN}, {kNaN, 2}})}, "f", label);
  EXPECT_EQ(one.pooled.n, 0u);
  EXPECT_TRUE(std::isnan(one.pooled.ic));
  auto none = feature_ic({}, {"f"}, {&label});
  ASSERT_TRUE(none.ok());
  ASSERT_EQ(none->size(), 1u);
  EXPECT_TRUE((*none)[0].per_ticker.empty());
  EXPECT_TRUE(std::isnan((*none)[0].pooled.ic));
  EXPECT_EQ((*none)[0].pooled.n, 0u);
}

TEST(FeatureIc, AMissingColumnIsAnInputErrorNamingItAndTheTicker) {
  const features::TargetDef label = target("label", 1);
  const features::TargetDef absent = target("direction_9", 9);
  const std::vector<features::FeatureMatrix> matrices = {
      matrix("AAA", {"f", "label"}, {{1, 2}, {1, 2}}),
      matrix("BBB", {"label"}, {{1, 2}}),
  };
  auto missing_feature = feature_ic(matrices, {"f"}, {&label});
  ASSERT_FALSE(missing_feature.ok());
  EXPECT_EQ(missing_feature.error().kind, core::ErrorKind::input);
  EXPECT_NE(missing_feature.error().message.find("BBB"), std::string::npos) << missing_feature.error().message;
  EXPECT_NE(missing_feature.error().message.find("'f'"), std::string::npos) << missing_feature.error().message;
  EXPECT_NE(missing_feature.error().message.find("feature"), std::string::npos) << missing_feature.error().message;

  auto missing_target = feature_ic({matrices.data(), 1}, {"f"}, {&absent});
  ASSERT_FALSE(missing_target.ok());
  EXPECT_NE(missing_target.error().message.find("'direction_9'"), std::string::npos) << missing_target.error().message;
  EXPECT_NE(missing_target.error().message.find("target"), std::string::npos) << missing_target.error().message;

  auto null_target = feature_ic(matrices, {"f"}, {nullptr});
  ASSERT_FALSE(null_target.ok());
  EXPECT_EQ(null_target.error().kind, core::ErrorKind::input);
}

}  // namespace
}  // namespace itrade::evaluation

// Scores against hand-computed values.

#include <gtest/gtest.h>

#include <cmath>

#include "models/metrics.h"

namespace itrade::models {
namespace {

SignalOutput three(double p0, double p1, double p2) {
  SignalOutput out;
  out.classes = 3;
  out.probabilities = {p0, p1, p2};
  out.signal = p2 - p0;
  return out;
}

TEST(Metrics, RocAucMatchesPairCounting) {
  // Positives score 0.9, 0.4; negatives 0.5, 0.1: pairs (0.9>0.5, 0.9>0.1, 0.4<0.5, 0.4>0.1) = 3/4.
  EXPECT_DOUBLE_EQ(roc_auc({0.9, 0.5, 0.4, 0.1}, {true, false, true, false}), 0.75);
  EXPECT_DOUBLE_EQ(roc_auc({0.5, 0.5}, {true, false}), 0.5);  // a tie counts half
  EXPECT_TRUE(std::isnan(roc_auc({0.1, 0.2}, {true, true})));
}

TEST(Metrics, SpearmanUsesRanks) {
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {10, 20, 30, 1000}), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
}

TEST(Metrics, ClassificationScores) {
  // Labels 2, 0, 1, 2; predictions argmax 2, 0, 2, 2.
  const std::vector<SignalOutput> outputs = {three(0.1, 0.2, 0.7), three(0.6, 0.3, 0.1), three(0.2, 0.3, 0.5),
                                             three(0.3, 0.3, 0.4)};
  const Scores s = score(outputs, {2, 0, 1, 2}, Task::multiclass);
  EXPECT_EQ(s.rows, 4u);
  EXPECT_DOUBLE_EQ(s.accuracy, 0.75);
  // F1: class 0: tp 1 -> 1; class 1: tp 0, fn 1 -> 0; class 2: tp 2, fp 1 -> 4/5. Mean 0.6.
  EXPECT_NEAR(s.macro_f1, 0.6, 1e-12);
  EXPECT_NEAR(s.loss, -(std::log(0.7) + std::log(0.6) + std::log(0.3) + std::log(0.4)) / 4.0, 1e-12);
  EXPECT_GT(s.auc, 0.5);
  EXPECT_GT(s.ic, 0.0);
}

}  // namespace
}  // namespace itrade::models

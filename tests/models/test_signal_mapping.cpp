// The documented mapping from each task's model output to SignalOutput.

#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "models/signal_mapping.h"

namespace itrade::models {
namespace {

TEST(SignalMapping, MulticlassSignalIsLongMinusShortAndConfidenceIsPeakedness) {
  const std::array<float, 3> uniform = {1.0f / 3, 1.0f / 3, 1.0f / 3};
  SignalOutput out = from_class_probabilities(uniform);
  EXPECT_NEAR(out.signal, 0.0, 1e-7);
  EXPECT_NEAR(out.confidence, 0.0, 1e-6);  // knows nothing
  EXPECT_EQ(out.classes, 3);

  const std::array<float, 3> sure_long = {0.0f, 0.0f, 1.0f};
  out = from_class_probabilities(sure_long);
  EXPECT_DOUBLE_EQ(out.signal, 1.0);
  EXPECT_DOUBLE_EQ(out.confidence, 1.0);

  const std::array<float, 3> sure_hold = {0.0f, 1.0f, 0.0f};
  out = from_class_probabilities(sure_hold);
  EXPECT_DOUBLE_EQ(out.signal, 0.0);  // sure there is no trade
  EXPECT_DOUBLE_EQ(out.confidence, 1.0);

  // Split between short and long: no direction, half a bit of certainty out of log2(3).
  const std::array<float, 3> split = {0.5f, 0.0f, 0.5f};
  out = from_class_probabilities(split);
  EXPECT_DOUBLE_EQ(out.signal, 0.0);
  EXPECT_NEAR(out.confidence, 1.0 - std::log(2.0) / std::log(3.0), 1e-12);

  const std::array<float, 3> leaning = {0.1f, 0.3f, 0.6f};
  out = from_class_probabilities(leaning);
  EXPECT_NEAR(out.signal, 0.5, 1e-7);
  const double h = -(0.1 * std::log(0.1) + 0.3 * std::log(0.3) + 0.6 * std::log(0.6));
  EXPECT_NEAR(out.confidence, 1.0 - h / std::log(3.0), 1e-7);
  EXPECT_NEAR(out.probabilities[2], 0.6, 1e-7);
}

TEST(SignalMapping, BinarySignalIsTwoPMinusOne) {
  SignalOutput out = from_binary_probability(0.5);
  EXPECT_DOUBLE_EQ(out.signal, 0.0);
  EXPECT_NEAR(out.confidence, 0.0, 1e-12);
  out = from_binary_probability(1.0);
  EXPECT_DOUBLE_EQ(out.signal, 1.0);
  EXPECT_DOUBLE_EQ(out.confidence, 1.0);
  out = from_binary_probability(0.0);
  EXPECT_DOUBLE_EQ(out.signal, -1.0);
  EXPECT_DOUBLE_EQ(out.confidence, 1.0);
  out = from_binary_probability(0.8);
  EXPECT_NEAR(out.signal, 0.6, 1e-12);
  const double h = -(0.8 * std::log(0.8) + 0.2 * std::log(0.2));
  EXPECT_NEAR(out.confidence, 1.0 - h / std::log(2.0), 1e-12);
  EXPECT_EQ(out.classes, 2);
}

TEST(SignalMapping, RegressionIsScaledBySpreadAndClipped) {
  SignalOutput out = from_regression(0.002, 0.004);
  EXPECT_DOUBLE_EQ(out.signal, 0.5);
  EXPECT_DOUBLE_EQ(out.confidence, 1.0);
  EXPECT_DOUBLE_EQ(out.raw, 0.002);
  EXPECT_DOUBLE_EQ(from_regression(-0.02, 0.004).signal, -1.0);
  EXPECT_DOUBLE_EQ(from_regression(0.02, 0.004).signal, 1.0);
  EXPECT_DOUBLE_EQ(from_regression(0.02, 0.0).signal, 0.0);  // constant training target
}

}  // namespace
}  // namespace itrade::models

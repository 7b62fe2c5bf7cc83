// Targets (labels): hand-computed values on tiny 5-minute series inside the NYSE sessions of
// 2024-07-10/11 (EDT: regular session 13:30Z .. 20:00Z), NaN tails, session rules, no look-ahead,
// parameter validation.

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

#include "core/time.h"
#include "features/targets.h"

namespace itrade::features {
namespace {

using core::BarSeries;
using core::kNanosPerHour;
using core::kNanosPerMinute;
using core::Timestamp;

// UTC instant on a July 2024 day, hh:mm.
Timestamp at(int day, int hour, int minute) {
  return core::days_from_civil(2024, 7, day) * core::kNanosPerDay + hour * kNanosPerHour + minute * kNanosPerMinute;
}

// 5-minute bars from `start` with high = low = open = close unless overridden afterwards.
BarSeries series_from(Timestamp start, const std::vector<double>& closes) {
  BarSeries bars;
  bars.ticker = "TEST";
  for (std::size_t i = 0; i < closes.size(); ++i) {
    bars.push_back(start + static_cast<Timestamp>(i) * 5 * kNanosPerMinute, closes[i], closes[i], closes[i], closes[i],
                   1000.0);
  }
  return bars;
}

// Bars starting 2024-07-10 13:30Z, the session open.
BarSeries session_series(const std::vector<double>& closes) { return series_from(at(10, 13, 30), closes); }

std::vector<double> ok_value(const core::Result<std::vector<double>>& result) {
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? result.value() : std::vector<double>{};
}

bool same_label(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

TEST(TargetForwardReturn, ValuesAndNaNTail) {
  const auto bars = session_series({100.0, 101.0, 99.0, 102.0});
  const auto h1 = ok_value(forward_return(bars, 1, false));
  ASSERT_EQ(h1.size(), 4u);
  EXPECT_DOUBLE_EQ(h1[0], 101.0 / 100.0 - 1.0);
  EXPECT_DOUBLE_EQ(h1[1], 99.0 / 101.0 - 1.0);
  EXPECT_DOUBLE_EQ(h1[2], 102.0 / 99.0 - 1.0);
  EXPECT_TRUE(std::isnan(h1[3]));

  const auto h2 = ok_value(forward_return(bars, 2, false));
  EXPECT_DOUBLE_EQ(h2[0], 99.0 / 100.0 - 1.0);
  EXPECT_DOUBLE_EQ(h2[1], 102.0 / 101.0 - 1.0);
  EXPECT_TRUE(std::isnan(h2[2]));
  EXPECT_TRUE(std::isnan(h2[3]));
  EXPECT_EQ(forward_return_horizon(2), 2);
}

TEST(TargetForwardReturn, EmptySeries) {
  const auto out = ok_value(forward_return(BarSeries{}, 1, false));
  EXPECT_TRUE(out.empty());
}

TEST(TargetDirection, DeadZoneAndExactBoundary) {
  // Threshold 1/64 and closes that are multiples of 1/64 of each other, so r == +-threshold holds
  // exactly in floating point: 64 -> 65 is +1/64, 64 -> 63 is -1/64.
  const auto bars = session_series({64.0, 65.0, 65.0, 60.0, 64.0, 63.0, 70.0});
  const auto out = ok_value(direction(bars, 1, 0.015625, false));
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0], kDirectionHold);   // r = +1/64 == threshold -> hold
  EXPECT_EQ(out[1], kDirectionHold);   // r = 0
  EXPECT_EQ(out[2], kDirectionShort);  // r = 60/65 - 1 < -1/64
  EXPECT_EQ(out[3], kDirectionLong);   // r = 64/60 - 1 > 1/64
  EXPECT_EQ(out[4], kDirectionHold);   // r = -1/64 == -threshold -> hold
  EXPECT_EQ(out[5], kDirectionLong);   // r = 70/63 - 1
  EXPECT_TRUE(std::isnan(out[6]));     // no bar after the last

  const auto zero = ok_value(direction(bars, 1, 0.0, false));
  EXPECT_EQ(zero[0], kDirectionLong);
  EXPECT_EQ(zero[1], kDirectionHold);  // r == 0 == threshold
  EXPECT_EQ(zero[4], kDirectionShort);
  EXPECT_EQ(direction_horizon(1), 1);
}

TEST(TargetSession, CrossingTheCloseIsNaNUnlessAllowed) {
  // 2024-07-10 bars at 19:45, 19:50, 19:55 (last bar of the session), then 2024-07-11 13:30, 13:35.
  BarSeries bars = series_from(at(10, 19, 45), {100.0, 101.0, 102.0});
  bars.push_back(at(11, 13, 30), 104.0, 104.0, 104.0, 104.0, 1000.0);
  bars.push_back(at(11, 13, 35), 105.0, 105.0, 105.0, 105.0, 1000.0);

  const auto within = ok_value(forward_return(bars, 1, false));
  EXPECT_DOUBLE_EQ(within[0], 101.0 / 100.0 - 1.0);
  EXPECT_DOUBLE_EQ(within[1], 102.0 / 101.0 - 1.0);
  EXPECT_TRUE(std::isnan(within[2]));  // 19:55 -> next day's 13:30 crosses the close
  EXPECT_DOUBLE_EQ(within[3], 105.0 / 104.0 - 1.0);
  EXPECT_TRUE(std::isnan(within[4]));

  const auto across = ok_value(forward_return(bars, 1, true));
  EXPECT_DOUBLE_EQ(across[2], 104.0 / 102.0 - 1.0);
  const auto across2 = ok_value(forward_return(bars, 2, true));
  EXPECT_DOUBLE_EQ(across2[1], 104.0 / 101.0 - 1.0);
  const auto within2 = ok_value(forward_return(bars, 2, false));
  EXPECT_TRUE(std::isnan(within2[1]));

  const auto dir = ok_value(direction(bars, 1, 0.001, false));
  EXPECT_TRUE(std::isnan(dir[2]));
  EXPECT_EQ(ok_value(direction(bars, 1, 0.001, true))[2], kDirectionLong);

  // Triple barrier from 19:50 (close 101): 19:55 touches neither, then the session ends.
  const auto tb = ok_value(triple_barrier(bars, 0.02, 0.02, 2, false));
  EXPECT_TRUE(std::isnan(tb[1]));
  EXPECT_EQ(ok_value(triple_barrier(bars, 0.02, 0.02, 2, true))[1], kBarrierProfitTake);  // 104 >= 103.02
}

TEST(TargetSession, BarOutsideSessionIsNaN) {
  // 13:20Z is 09:20 New York, pre-market.
  const auto bars = series_from(at(10, 13, 20), {100.0, 101.0, 102.0, 103.0});
  const auto out = ok_value(forward_return(bars, 1, false));
  EXPECT_TRUE(std::isnan(out[0]));  // pre-market bar
  EXPECT_TRUE(std::isnan(out[1]));  // 13:25 is also pre-market
  EXPECT_DOUBLE_EQ(out[2], 103.0 / 102.0 - 1.0);
  EXPECT_DOUBLE_EQ(ok_value(forward_return(bars, 1, true))[0], 101.0 / 100.0 - 1.0);
  EXPECT_TRUE(std::isnan(ok_value(triple_barrier(bars, 0.001, 0.001, 1, false))[0]));
}

// Entry 100: profit barrier 100.5 (0.5 %), stop barrier 99.7 (0.3 %).
TEST(TargetTripleBarrier, ProfitStopBothTimeoutAndCut) {
  auto bars = session_series({100.0, 100.0, 100.0, 100.0, 100.0, 100.0});
  auto set = [&bars](std::size_t i, double high, double low) {
    bars.high[i] = high;
    bars.low[i] = low;
  };
  set(1, 100.2, 99.8);   // neither
  set(2, 100.6, 99.9);   // profit from t = 0, 1
  set(3, 100.1, 99.6);   // stop from t = 2
  set(4, 100.7, 99.5);   // both from t = 3 -> stop
  set(5, 100.1, 99.95);  // neither
  const auto out = ok_value(triple_barrier(bars, 0.005, 0.003, 2, false));
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0], kBarrierProfitTake);  // bar 1 neither, bar 2 high 100.6
  EXPECT_EQ(out[1], kBarrierProfitTake);
  EXPECT_EQ(out[2], kBarrierStopLoss);  // bar 3 low 99.6
  EXPECT_EQ(out[3], kBarrierStopLoss);  // bar 4 touches both
  EXPECT_TRUE(std::isnan(out[4]));      // bar 5 neither, then the data ends before t + 2
  EXPECT_TRUE(std::isnan(out[5]));

  // Stop touched before the data ends is kept even though the horizon is cut.
  const auto cut = ok_value(triple_barrier(bars, 0.005, 0.003, 3, false));
  EXPECT_EQ(cut[3], kBarrierStopLoss);
  EXPECT_TRUE(std::isnan(cut[4]));

  // Timeout: nothing touched within h = 1 from t = 0 (bar 1 stays inside 99.7 .. 100.5).
  const auto one = ok_value(triple_barrier(bars, 0.005, 0.003, 1, false));
  EXPECT_EQ(one[0], kBarrierTimeout);
  EXPECT_EQ(one[4], kBarrierTimeout);  // bar 5 only
  EXPECT_TRUE(std::isnan(one[5]));
}

TEST(TargetVolatilityRegime, HighNormalAndNaN) {
  const double a = 0.01;
  // w = 2. Around t = 2: trailing log returns {+a, -a}; forward {+3a, -3a} -> ratio 3.
  const auto high = session_series({100.0, 100.0 * std::exp(a), 100.0, 100.0 * std::exp(3 * a), 100.0});
  const auto out = ok_value(volatility_regime(high, 2, 0.5, 2.0, false));
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));  // trailing window incomplete
  EXPECT_EQ(out[2], kVolHigh);
  EXPECT_TRUE(std::isnan(out[3]));  // forward window incomplete
  EXPECT_TRUE(std::isnan(out[4]));

  // Forward {+a, -a}, same as trailing -> ratio 1.
  const auto equal = session_series({100.0, 100.0 * std::exp(a), 100.0, 100.0 * std::exp(a), 100.0});
  EXPECT_EQ(ok_value(volatility_regime(equal, 2, 0.5, 2.0, false))[2], kVolNormal);
  // Ratio 1/3 with the roles swapped -> low.
  const auto low = session_series({100.0, 100.0 * std::exp(3 * a), 100.0, 100.0 * std::exp(a), 100.0});
  EXPECT_EQ(ok_value(volatility_regime(low, 2, 0.5, 2.0, false))[2], kVolLow);

  // Flat trailing window: std 0 -> NaN.
  const auto flat = session_series({100.0, 100.0, 100.0, 101.0, 100.0});
  EXPECT_TRUE(std::isnan(ok_value(volatility_regime(flat, 2, 0.5, 2.0, false))[2]));

  // The same shape starting at 13:20Z: bar t - 2 is pre-market -> NaN unless crossing is allowed.
  const auto early = series_from(at(10, 13, 20), {100.0, 100.0 * std::exp(a), 100.0, 100.0 * std::exp(3 * a), 100.0});
  EXPECT_TRUE(std::isnan(ok_value(volatility_regime(early, 2, 0.5, 2.0, false))[2]));
  EXPECT_EQ(ok_value(volatility_regime(early, 2, 0.5, 2.0, true))[2], kVolHigh);

  EXPECT_EQ(volatility_regime_horizon(5), 5);
  EXPECT_EQ(volatility_regime_lookback(5), 6);
}

// Labels at t must not move when every bar after t + horizon changes.
TEST(TargetNoLookAhead, LabelsIgnoreBarsBeyondHorizon) {
  std::vector<double> closes;
  for (int i = 0; i < 30; ++i) closes.push_back(100.0 + 2.0 * std::sin(0.7 * i) + 0.3 * i);
  auto base = session_series(closes);
  for (std::size_t i = 0; i < base.size(); ++i) {
    base.high[i] = base.close[i] * 1.004;
    base.low[i] = base.close[i] * 0.997;
  }
  using Labeler = std::function<core::Result<std::vector<double>>(const BarSeries&)>;
  struct Case {
    const char* name;
    Labeler labeler;
    int horizon;
  };
  const std::vector<Case> cases = {
      {"forward_return", [](const BarSeries& b) { return forward_return(b, 3, false); }, forward_return_horizon(3)},
      {"direction", [](const BarSeries& b) { return direction(b, 3, 0.002, false); }, direction_horizon(3)},
      {"volatility_regime", [](const BarSeries& b) { return volatility_regime(b, 4, 0.8, 1.25, false); },
       volatility_regime_horizon(4)},
      {"triple_barrier", [](const BarSeries& b) { return triple_barrier(b, 0.01, 0.006, 4, false); },
       triple_barrier_horizon(4)},
  };
  for (const auto& c : cases) {
    const auto reference = ok_value(c.labeler(base));
    ASSERT_EQ(reference.size(), base.size()) << c.name;
    int defined = 0;
    for (std::size_t t = 0; t < base.size(); ++t) {
      BarSeries changed = base;
      for (std::size_t i = t + static_cast<std::size_t>(c.horizon) + 1; i < changed.size(); ++i) {
        changed.open[i] *= 1.5;
        changed.high[i] *= 3.0;
        changed.low[i] *= 0.2;
        changed.close[i] *= 0.5 + 0.1 * static_cast<double>(i % 7);
      }
      const auto labels = ok_value(c.labeler(changed));
      EXPECT_TRUE(same_label(labels[t], reference[t])) << c.name << " t=" << t;
      if (!std::isnan(reference[t])) ++defined;
    }
    EXPECT_GT(defined, 10) << c.name;  // the check above must have bitten on real labels
  }
}

TEST(TargetNoLookAhead, NextCloseDoesMoveForwardReturn) {
  auto bars = session_series({100.0, 101.0, 102.0});
  const double before = ok_value(forward_return(bars, 1, false))[0];
  bars.close[1] = 103.0;
  const double after = ok_value(forward_return(bars, 1, false))[0];
  EXPECT_DOUBLE_EQ(before, 101.0 / 100.0 - 1.0);
  EXPECT_DOUBLE_EQ(after, 103.0 / 100.0 - 1.0);
  EXPECT_NE(before, after);
}

TEST(TargetValidation, BadParametersAreInputErrors) {
  const auto bars = session_series({100.0, 101.0, 102.0});
  auto expect_input_error = [](const core::Result<std::vector<double>>& r, const char* what) {
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().kind, core::ErrorKind::input) << what;
    EXPECT_FALSE(r.error().message.empty()) << what;
  };
  expect_input_error(forward_return(bars, 0, false), "forward_return h=0");
  expect_input_error(direction(bars, 0, 0.001, false), "direction h=0");
  expect_input_error(direction(bars, 1, -0.001, false), "direction threshold<0");
  expect_input_error(direction(bars, 1, std::nan(""), false), "direction threshold NaN");
  expect_input_error(volatility_regime(bars, 1, 0.5, 2.0, false), "volatility w=1");
  expect_input_error(volatility_regime(bars, 3, 2.0, 0.5, false), "volatility low>high");
  expect_input_error(volatility_regime(bars, 3, -0.1, 0.5, false), "volatility low<0");
  expect_input_error(triple_barrier(bars, 0.0, 0.003, 2, false), "triple profit=0");
  expect_input_error(triple_barrier(bars, 0.005, -0.003, 2, false), "triple stop<0");
  expect_input_error(triple_barrier(bars, 0.005, 0.003, 0, false), "triple h=0");
  EXPECT_TRUE(volatility_regime(bars, 2, 1.0, 1.0, false).ok());  // equal thresholds are allowed
}

}  // namespace
}  // namespace itrade::features

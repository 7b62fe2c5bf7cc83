// volume.volume_ratio, volume.price_volume and volume.vwap, built through the catalog, against
// windows recomputed from scratch in the test: zero-volume windows, warm-up NaNs, reset(), and the
// cross-parameter check.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "features/bar_fixture.h"
#include "features/indicators/volume.h"

namespace itrade::features {
namespace {

using bar_fixture::bar;
using bar_fixture::expect_matches;
using bar_fixture::expect_reset_replays;
using bar_fixture::expect_warmup;
using bar_fixture::make_operator;
using bar_fixture::random_bars;
using bar_fixture::run;
using bar_fixture::Volumes;

OperatorPtr volume_ratio(std::int64_t short_window, std::int64_t long_window) {
  return make_operator("volume.volume_ratio", {{"short_window", short_window}, {"long_window", long_window}});
}

OperatorPtr vwap(std::int64_t window) { return make_operator("volume.vwap", {{"window", window}}); }

std::vector<double> textbook_volume_ratio(const std::vector<BarPoint>& bars, int short_window, int long_window) {
  std::vector<double> out(bars.size(), NAN);
  for (size_t t = static_cast<size_t>(long_window - 1); t < bars.size(); ++t) {
    double short_sum = 0.0;
    double long_sum = 0.0;
    for (size_t j = t + 1 - static_cast<size_t>(short_window); j <= t; ++j) short_sum += bars[j].volume;
    for (size_t j = t + 1 - static_cast<size_t>(long_window); j <= t; ++j) long_sum += bars[j].volume;
    out[t] = long_sum == 0.0 ? 1.0 : (short_sum / short_window) / (long_sum / long_window);
  }
  return out;
}

std::vector<double> textbook_vwap(const std::vector<BarPoint>& bars, int window) {
  std::vector<double> out(bars.size(), NAN);
  for (size_t t = static_cast<size_t>(window - 1); t < bars.size(); ++t) {
    double weighted = 0.0;
    double volume = 0.0;
    double typical_sum = 0.0;
    for (size_t j = t + 1 - static_cast<size_t>(window); j <= t; ++j) {
      const double typical = (bars[j].high + bars[j].low + bars[j].close) / 3.0;
      weighted += typical * bars[j].volume;
      volume += bars[j].volume;
      typical_sum += typical;
    }
    out[t] = volume == 0.0 ? typical_sum / window : weighted / volume;
  }
  return out;
}

// ---- volume.volume_ratio ----

TEST(VolumeRatio, Schema) {
  const OperatorSpec* spec = builtin_catalog().find("volume.volume_ratio");
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(spec->needs_volume);
  ASSERT_EQ(spec->params.size(), 2u);
  EXPECT_EQ(spec->params[0].name, "short_window");
  EXPECT_EQ(std::get<std::int64_t>(*spec->params[0].default_value), 5);
  EXPECT_EQ(spec->params[0].min, 1.0);
  EXPECT_EQ(spec->params[1].name, "long_window");
  EXPECT_EQ(std::get<std::int64_t>(*spec->params[1].default_value), 20);
  EXPECT_EQ(spec->params[1].min, 1.0);
  EXPECT_EQ(volume_ratio(5, 20)->lookback(), 19);
  EXPECT_EQ(volume_ratio(5, 20)->settle(), 19);
  EXPECT_EQ(volume_ratio(3, 3)->lookback(), 2);
}

TEST(VolumeRatio, HandValues) {
  // short 2, long 3 over volumes 10, 20, 30, 0, 0, 0, 6:
  //   bar 2: ((20+30)/2) / ((10+20+30)/3) = 25 / 20      = 1.25
  //   bar 3: ((30+0)/2)  / ((20+30+0)/3)  = 15 / (50/3)  = 0.9
  //   bar 4: ((0+0)/2)   / ((30+0+0)/3)   = 0 / 10       = 0
  //   bar 5: long window (0, 0, 0) has no volume          = 1 (neutral)
  //   bar 6: ((0+6)/2)   / ((0+0+6)/3)    = 3 / 2        = 1.5
  const auto op = volume_ratio(2, 3);
  ASSERT_NE(op, nullptr);
  std::vector<BarPoint> bars;
  for (double v : {10.0, 20.0, 30.0, 0.0, 0.0, 0.0, 6.0}) bars.push_back(bar(100, 101, 99, 100, v));
  expect_matches(run(*op, bars), {NAN, NAN, 1.25, 0.9, 0.0, 1.0, 1.5}, 2);
}

TEST(VolumeRatio, MatchesTextbookOnRandomBars) {
  for (const Volumes volumes : {Volumes::shares, Volumes::fractional}) {
    const std::vector<BarPoint> bars = random_bars(600, 11, volumes);
    const std::pair<int, int> windows[] = {{1, 1}, {1, 5}, {2, 7}, {3, 3}, {5, 20}, {10, 60}};
    for (const auto& [short_window, long_window] : windows) {
      SCOPED_TRACE(::testing::Message() << short_window << "/" << long_window);
      const auto op = volume_ratio(short_window, long_window);
      ASSERT_NE(op, nullptr);
      EXPECT_EQ(op->lookback(), long_window - 1);
      expect_matches(run(*op, bars), textbook_volume_ratio(bars, short_window, long_window), op->lookback());
    }
  }
}

TEST(VolumeRatio, NeutralWithoutVolumeFromTheFirstBar) {
  const auto op = volume_ratio(5, 20);
  ASSERT_NE(op, nullptr);
  const std::vector<BarPoint> bars(50, bar(100, 100, 100, 100, 0.0));
  const std::vector<double> out = run(*op, bars);
  expect_warmup(out, op->lookback());
  for (size_t i = 19; i < out.size(); ++i) EXPECT_EQ(out[i], 1.0) << "index " << i;
}

TEST(VolumeRatio, ZeroShortWindowGivesExactlyZero) {
  // Fractional volumes leave running-sum residuals when they leave a window; the ratio must still
  // be exactly 0 once the short window is quiet and exactly 1 once the long one is.
  const auto op = volume_ratio(3, 6);
  ASSERT_NE(op, nullptr);
  std::vector<BarPoint> bars;
  for (double v : {0.1, 0.7, 1e5 / 3.0, 0.3, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}) bars.push_back(bar(1, 1, 1, 1, v));
  const std::vector<double> out = run(*op, bars);
  expect_warmup(out, 5);
  for (size_t i = 7; i <= 9; ++i) EXPECT_EQ(out[i], 0.0) << "index " << i;
  EXPECT_EQ(out[10], 1.0);
}

TEST(VolumeRatio, ResetReplaysBitIdentical) {
  const auto op = volume_ratio(5, 20);
  ASSERT_NE(op, nullptr);
  expect_reset_replays(*op, random_bars(300, 12, Volumes::fractional));
}

TEST(VolumeRatio, CheckRejectsShortAboveLong) {
  const OperatorSpec* spec = builtin_catalog().find("volume.volume_ratio");
  ASSERT_NE(spec, nullptr);
  ASSERT_TRUE(spec->check);
  const auto check = [spec](std::int64_t short_window, std::int64_t long_window) {
    Params params;
    params.set("short_window", short_window);
    params.set("long_window", long_window);
    return spec->check(params);
  };
  EXPECT_EQ(check(20, 5), "short_window (20) must not exceed long_window (5)");
  EXPECT_FALSE(check(6, 5).empty());
  EXPECT_EQ(check(5, 5), "");
  EXPECT_EQ(check(5, 20), "");
  EXPECT_EQ(check(1, 1), "");
}

// ---- volume.price_volume ----

TEST(PriceVolume, HandValuesAndColumn) {
  // close 10.5 * 200 = 2100; open 10 * 200 = 2000; no volume gives 0.
  const auto on_close = make_operator("volume.price_volume", {{"column", std::string("close")}});
  const auto on_open = make_operator("volume.price_volume", {{"column", std::string("open")}});
  ASSERT_NE(on_close, nullptr);
  ASSERT_NE(on_open, nullptr);
  EXPECT_EQ(on_close->lookback(), 0);
  EXPECT_EQ(on_close->settle(), 0);
  EXPECT_EQ(on_close->update(bar(10, 11, 9.5, 10.5, 200), BarClock{}, nullptr), 2100.0);
  EXPECT_EQ(on_open->update(bar(10, 11, 9.5, 10.5, 200), BarClock{}, nullptr), 2000.0);
  EXPECT_EQ(on_close->update(bar(10, 11, 9.5, 10.5, 0), BarClock{}, nullptr), 0.0);
  EXPECT_TRUE(builtin_catalog().find("volume.price_volume")->needs_volume);
}

TEST(PriceVolume, MatchesTextbookOnRandomBars) {
  const std::vector<BarPoint> bars = random_bars(400, 13, Volumes::fractional);
  const auto op = make_operator("volume.price_volume", {{"column", std::string("high")}});
  ASSERT_NE(op, nullptr);
  std::vector<double> expected;
  for (const BarPoint& b : bars) expected.push_back(b.high * b.volume);
  expect_matches(run(*op, bars), expected, 0);
  const auto fresh = make_operator("volume.price_volume", {{"column", std::string("high")}});
  ASSERT_NE(fresh, nullptr);
  expect_reset_replays(*fresh, bars);
}

// ---- volume.vwap ----

TEST(Vwap, Schema) {
  const OperatorSpec* spec = builtin_catalog().find("volume.vwap");
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(spec->needs_volume);
  ASSERT_EQ(spec->params.size(), 1u);
  EXPECT_EQ(spec->params[0].name, "window");
  EXPECT_EQ(std::get<std::int64_t>(*spec->params[0].default_value), 5);
  EXPECT_EQ(spec->params[0].min, 1.0);
  const auto op = vwap(5);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->lookback(), 4);
  EXPECT_EQ(op->settle(), 4);
}

TEST(Vwap, HandValues) {
  // window 2; typical prices (h+l+c)/3 and volumes:
  //   bar 0: (11+9+10)/3  = 10, v 100
  //   bar 1: (12+10+11)/3 = 11, v 300   -> (10*100 + 11*300) / 400 = 4300 / 400 = 10.75
  //   bar 2: (13+11+12)/3 = 12, v 0     -> (11*300 + 12*0) / 300            = 11
  //   bar 3: (10+10+10)/3 = 10, v 0     -> no volume: (12 + 10) / 2         = 11
  //   bar 4: (14+12+13)/3 = 13, v 50    -> (10*0 + 13*50) / 50              = 13
  const auto op = vwap(2);
  ASSERT_NE(op, nullptr);
  const std::vector<BarPoint> bars = {bar(10, 11, 9, 10, 100), bar(11, 12, 10, 11, 300), bar(12, 13, 11, 12, 0),
                                      bar(10, 10, 10, 10, 0), bar(13, 14, 12, 13, 50)};
  expect_matches(run(*op, bars), {NAN, 10.75, 11.0, 11.0, 13.0}, 1);
}

TEST(Vwap, MatchesTextbookOnRandomBars) {
  for (const Volumes volumes : {Volumes::shares, Volumes::fractional}) {
    const std::vector<BarPoint> bars = random_bars(600, 14, volumes);
    for (int window : {1, 2, 5, 20, 37}) {
      SCOPED_TRACE(::testing::Message() << "window " << window);
      const auto op = vwap(window);
      ASSERT_NE(op, nullptr);
      expect_matches(run(*op, bars), textbook_vwap(bars, window), window - 1);
    }
  }
}

TEST(Vwap, HeavyBarLeavingALightWindowStaysExact) {
  // A 1e9 bar followed by single shares: once it leaves the window, what remains is ~1e-9 of what
  // the running sums held. Bars 3 and 4 are between exact recomputes (every 3 bars).
  const auto op = vwap(3);
  ASSERT_NE(op, nullptr);
  std::vector<BarPoint> bars = {bar(100.37, 100.41, 100.29, 100.33, 1e9)};
  for (int i = 1; i < 12; ++i) {
    const double p = 100.0 + 0.07 * i;
    bars.push_back(bar(p, p + 0.13, p - 0.11, p + 0.01, 1.0 + 0.1 * i));
  }
  expect_matches(run(*op, bars), textbook_vwap(bars, 3), 2);
}

TEST(Vwap, LongRunStaysExactAfterRecompute) {
  const std::vector<BarPoint> bars = random_bars(5000, 15, Volumes::fractional);
  const auto op = vwap(7);
  ASSERT_NE(op, nullptr);
  expect_matches(run(*op, bars), textbook_vwap(bars, 7), 6);
}

TEST(Vwap, FiniteWithoutVolumeAndOnFlatBars) {
  const auto op = vwap(4);
  ASSERT_NE(op, nullptr);
  const std::vector<BarPoint> bars(30, bar(50.25, 50.25, 50.25, 50.25, 0.0));
  const std::vector<double> out = run(*op, bars);
  expect_warmup(out, 3);
  for (size_t i = 3; i < out.size(); ++i) EXPECT_EQ(out[i], 50.25) << "index " << i;
}

TEST(Vwap, ResetReplaysBitIdentical) {
  const auto op = vwap(20);
  ASSERT_NE(op, nullptr);
  expect_reset_replays(*op, random_bars(300, 16, Volumes::fractional));
}

TEST(RollingVwap, KernelMatchesOperator) {
  const std::vector<BarPoint> bars = random_bars(200, 17);
  RollingVwap kernel(5);
  const auto op = vwap(5);
  ASSERT_NE(op, nullptr);
  for (const BarPoint& b : bars) {
    const double k = kernel.update(b.high, b.low, b.close, b.volume);
    const double o = op->update(b, BarClock{}, nullptr);
    EXPECT_TRUE(k == o || (std::isnan(k) && std::isnan(o)));
  }
}

}  // namespace
}  // namespace itrade::features

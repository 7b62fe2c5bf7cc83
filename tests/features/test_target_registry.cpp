// targets.yaml: validation and computation through the target functions.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "features/registry/target_registry.h"
#include "features/targets.h"

namespace itrade::features {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::string& yaml) {
  auto set = TargetSet::parse(yaml, "targets.yaml");
  EXPECT_FALSE(set.ok()) << yaml;
  return set.ok() ? std::string() : set.error().message;
}

TEST(TargetRegistryTest, ShippedTargetsLoad) {
  auto set = TargetSet::load(ITRADE_SOURCE_DIR "/config/targets.yaml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->names(), (std::vector<std::string>{"forward_return_5", "direction_5", "direction_12",
                                                    "volatility_regime", "triple_barrier_5"}));
  const TargetDef* barrier = set->find("triple_barrier_5");
  ASSERT_NE(barrier, nullptr);
  EXPECT_DOUBLE_EQ(barrier->profit_take, 0.005);
  EXPECT_DOUBLE_EQ(barrier->stop_loss, 0.003);
  EXPECT_EQ(barrier->horizon(), 5);
  EXPECT_EQ(set->find("direction_12")->horizon(), 12);
  EXPECT_FALSE(set->find("direction_5")->cross_session);
}

TEST(TargetRegistryTest, BadEntriesNameTheKey) {
  EXPECT_THAT(error_of("targets:\n  d:\n    type: classification\n    function: targets.directon\n"
                       "    params: { bars_ahead: 5, threshold: 0.001 }\n"),
              HasSubstr("targets.yaml:4: targets.d.function"));
  EXPECT_THAT(error_of("targets:\n  d:\n    type: regression\n    function: targets.direction\n"
                       "    params: { bars_ahead: 5, threshold: 0.001 }\n"),
              HasSubstr("targets.d.type: targets.direction is a classification target"));
  EXPECT_THAT(error_of("targets:\n  d:\n    type: classification\n    function: targets.direction\n"
                       "    params: { bars_ahead: 0, threshold: 0.001 }\n"),
              HasSubstr("targets.d.params.bars_ahead"));
  EXPECT_THAT(error_of("targets:\n  d:\n    type: classification\n    function: targets.direction\n"
                       "    params: { bars_ahead: 5, treshold: 0.001 }\n"),
              HasSubstr("targets.d.params.treshold: unknown key; did you mean threshold?"));
  EXPECT_THAT(error_of("targets:\n  d:\n    type: classification\n    function: targets.direction\n"
                       "    params: { bars_ahead: 5, threshold: 0.001 }\n    classes: [down, flat, up]\n"),
              HasSubstr("targets.d.classes: targets.direction labels [short, hold, long]"));
  EXPECT_THAT(error_of("targets:\n  v:\n    type: classification\n    function: targets.volatility_regime\n"
                       "    params: { window: 20, threshold_low: 2, threshold_high: 1 }\n"),
              HasSubstr("targets.v.params.threshold_low: is above threshold_high"));
}

TEST(TargetRegistryTest, NamesMustBeUsableColumnNamesAndUnique) {
  EXPECT_THAT(error_of("targets:\n  ts:\n    type: regression\n    function: targets.forward_return\n"
                       "    params: { bars_ahead: 5 }\n"),
              HasSubstr("targets.ts: a target name must be"));
  EXPECT_THAT(error_of("targets:\n  f:\n    type: regression\n    function: targets.forward_return\n"
                       "    params: { bars_ahead: 5 }\n"
                       "  f:\n    type: regression\n    function: targets.forward_return\n"
                       "    params: { bars_ahead: 6 }\n"),
              HasSubstr("targets.yaml:6: targets.f"));
}

TEST(TargetRegistryTest, SelectAndCompute) {
  auto set = TargetSet::load(ITRADE_SOURCE_DIR "/config/targets.yaml");
  ASSERT_TRUE(set.ok());
  auto none = set->select("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto unknown = set->select("direction_5,directon_12");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error().message, HasSubstr("did you mean direction_12"));
  auto all = set->select("all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);

  // Same labels as calling the function directly.
  core::BarSeries bars;
  bars.ticker = "T";
  const core::Timestamp open = 1736519400LL * 1'000'000'000LL;  // 2025-01-10 14:30 UTC = 09:30 New York
  for (int i = 0; i < 60; ++i) {
    const double c = 100.0 + std::sin(i * 0.7) * 0.5 + i * 0.01;
    bars.push_back(open + i * 300'000'000'000LL, c, c + 0.2, c - 0.2, c, 1000.0);
  }
  const TargetDef* direction_5 = set->find("direction_5");
  auto via_registry = compute_target(*direction_5, bars);
  auto direct = direction(bars, 5, 0.001, false);
  ASSERT_TRUE(via_registry.ok());
  ASSERT_TRUE(direct.ok());
  ASSERT_EQ(via_registry->size(), direct->size());
  for (std::size_t i = 0; i < direct->size(); ++i) {
    EXPECT_TRUE(((*via_registry)[i] == (*direct)[i]) || (std::isnan((*via_registry)[i]) && std::isnan((*direct)[i])));
  }
}

}  // namespace
}  // namespace itrade::features

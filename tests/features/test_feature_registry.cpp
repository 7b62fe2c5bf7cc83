// The feature registry: validation messages name the file, line and key; the dependency graph
// is sorted, closed over and its lookbacks derived.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "features/indicators/moving_averages.h"
#include "features/registry/feature_registry.h"

namespace itrade::features {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::string& yaml) {
  auto set = FeatureSet::parse(yaml, "features.yaml");
  EXPECT_FALSE(set.ok()) << "expected an error for:\n" << yaml;
  return set.ok() ? std::string() : set.error().message;
}

constexpr const char* kAtr = R"(features:
  true_range:
    function: volatility.true_range
    lookback: 2
    category: volatility
  atr_14:
    function: volatility.atr
    params: { window: 14 }
    lookback: 15
    category: volatility
    dependencies: [true_range]
)";

TEST(FeatureRegistryTest, ResolvesTheBlueprintAtrExample) {
  auto set = FeatureSet::parse(kAtr, "features.yaml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  const FeatureDef* atr = set->find("atr_14");
  ASSERT_NE(atr, nullptr);
  EXPECT_EQ(atr->function(), "volatility.atr");
  EXPECT_EQ(atr->params.integer("window"), 14);
  EXPECT_EQ(atr->lookback_bars(), 15);  // TA-Lib ATR(14): first value at bar 14
  EXPECT_EQ(atr->line, 6);
  // Wilder smoothing forgets its start after 14 + ceil(ln(kSettleWeight) / ln(13/14)) bars.
  EXPECT_EQ(atr->settle, 14 + bars_to_forget(1.0 / 14.0));
  EXPECT_EQ(bars_to_forget(1.0 / 14.0), 373);
  EXPECT_EQ(atr->warmup_bars(), atr->settle + 1);
  EXPECT_EQ(set->names(), (std::vector<std::string>{"true_range", "atr_14"}));
}

TEST(FeatureRegistryTest, PlanSortsDependenciesFirstAndKeepsTheAskedOrder) {
  const std::string yaml = R"(features:
  ratio:
    function: moving_averages.ratio
    lookback: 20
    category: trend
    dependencies: [sma_5, sma_20]
  sma_20:
    function: moving_averages.sma
    params: { window: 20 }
    lookback: 20
    category: trend
  sma_5:
    function: moving_averages.sma
    params: { window: 5 }
    lookback: 5
    category: trend
  unrelated:
    function: momentum.returns
    lookback: 2
    category: momentum
)";
  auto set = FeatureSet::parse(yaml, "features.yaml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  const std::vector<std::string> wanted = {"ratio"};
  auto plan = set->plan(wanted);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const auto& nodes = (*plan)->nodes;
  ASSERT_EQ(nodes.size(), 3u);  // closed over dependencies, without `unrelated`
  EXPECT_EQ(nodes[2].def.name, "ratio");
  EXPECT_EQ(nodes[2].inputs.size(), 2u);
  EXPECT_EQ(nodes[static_cast<std::size_t>(nodes[2].inputs[0])].def.name, "sma_5");
  EXPECT_EQ(nodes[static_cast<std::size_t>(nodes[2].inputs[1])].def.name, "sma_20");
  EXPECT_EQ(nodes[2].ready_at, 19);
  EXPECT_EQ((*plan)->output_names, wanted);
  EXPECT_EQ((*plan)->lookback_bars(), 20);

  const std::vector<std::string> two = {"unrelated", "sma_5"};
  auto second = set->plan(two);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->output_names, two);
}

TEST(FeatureRegistryTest, LookbackFlowsThroughDependencies) {
  auto set = FeatureSet::parse(R"(features:
  returns:
    function: momentum.returns
    lookback: 2
    category: momentum
  volatility_5:
    function: volatility.rolling_std
    params: { window: 5 }
    lookback: 6
    category: volatility
    dependencies: [returns]
)",
                               "f.yaml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->find("volatility_5")->lookback_bars(), 6);  // 1 bar for the first return + 5 returns
}

TEST(FeatureRegistryTest, UnknownFunctionNamesTheLineAndTheNearestFunctions) {
  const std::string message = error_of(R"(features:
  sma_5:
    function: moving_averages.smaa
    params: { window: 5 }
    lookback: 5
    category: trend
)");
  EXPECT_THAT(message, HasSubstr("features.yaml:3: features.sma_5.function: unknown function 'moving_averages.smaa'"));
  EXPECT_THAT(message, HasSubstr("did you mean moving_averages.sma"));
}

TEST(FeatureRegistryTest, UnknownAndIllTypedParamsAreRejected) {
  EXPECT_THAT(error_of(R"(features:
  sma_5:
    function: moving_averages.sma
    params: { windw: 5 }
    lookback: 5
    category: trend
)"),
              HasSubstr("features.sma_5.params.windw: unknown key; did you mean window?"));
  EXPECT_THAT(error_of(R"(features:
  sma_5:
    function: moving_averages.sma
    params: { window: five }
    lookback: 5
    category: trend
)"),
              HasSubstr("features.yaml:4: features.sma_5.params.window"));
  EXPECT_THAT(error_of(R"(features:
  sma_0:
    function: moving_averages.sma
    params: { window: 0 }
    lookback: 5
    category: trend
)"),
              HasSubstr("features.sma_0.params.window"));
  EXPECT_THAT(error_of(R"(features:
  sma_5:
    function: moving_averages.sma
    params: { window: 5, column: adj_close }
    lookback: 5
    category: trend
)"),
              HasSubstr("features.sma_5.params.column"));
  EXPECT_THAT(error_of(R"(features:
  tr:
    function: volatility.true_range
    params: { window: 3 }
    lookback: 2
    category: volatility
)"),
              HasSubstr("features.tr.params: volatility.true_range takes no parameters"));
  EXPECT_THAT(error_of(R"(features:
  sma:
    function: moving_averages.sma
    lookback: 5
    category: trend
)"),
              HasSubstr("features.sma.params.window: missing required key"));
}

TEST(FeatureRegistryTest, ShortLookbackIsRejectedWithTheTrueOne) {
  // The blueprint's `rsi_14: lookback 14` is one bar short: RSI(14) needs 14 changes, 15 closes.
  const std::string message = error_of(R"(features:
  rsi_14:
    function: momentum.rsi
    params: { window: 14 }
    lookback: 14
    category: momentum
)");
  EXPECT_THAT(message, HasSubstr("features.yaml:5: features.rsi_14.lookback: 14 is shorter than the 15 bars"));
  EXPECT_THAT(message, HasSubstr("set lookback: 15 or more"));
}

TEST(FeatureRegistryTest, ShortLookbackOverDependenciesIsRejected) {
  EXPECT_THAT(error_of(R"(features:
  true_range:
    function: volatility.true_range
    lookback: 2
    category: volatility
  atr_14:
    function: volatility.atr
    params: { window: 14 }
    lookback: 14
    category: volatility
    dependencies: [true_range]
)"),
              HasSubstr("features.atr_14.lookback: 14 is shorter than the 15 bars"));
}

TEST(FeatureRegistryTest, MissingWrongAndMiscountedDependencies) {
  EXPECT_THAT(error_of(R"(features:
  atr_14:
    function: volatility.atr
    params: { window: 14 }
    lookback: 15
    category: volatility
    dependencies: [true_rnge]
  true_range:
    function: volatility.true_range
    lookback: 2
    category: volatility
)"),
              HasSubstr("features.yaml:7: features.atr_14.dependencies: 'true_rnge' is not a feature in this file; "
                        "did you mean true_range?"));
  EXPECT_THAT(error_of(R"(features:
  returns:
    function: momentum.returns
    lookback: 2
    category: momentum
  atr_14:
    function: volatility.atr
    params: { window: 14 }
    lookback: 15
    category: volatility
    dependencies: [returns]
)"),
              HasSubstr("'returns' is computed by momentum.returns, but volatility.atr needs its true range from "
                        "volatility.true_range"));
  EXPECT_THAT(error_of(R"(features:
  atr_14:
    function: volatility.atr
    params: { window: 14 }
    lookback: 15
    category: volatility
)"),
              HasSubstr("features.atr_14.dependencies: volatility.atr needs 1 dependency (true range), got 0"));
}

TEST(FeatureRegistryTest, CyclesAreRejectedWithThePath) {
  const std::string message = error_of(R"(features:
  a:
    function: moving_averages.ratio
    lookback: 1
    category: x
    dependencies: [b, c]
  b:
    function: moving_averages.ratio
    lookback: 1
    category: x
    dependencies: [c, a]
  c:
    function: momentum.returns
    lookback: 2
    category: x
)");
  EXPECT_THAT(message, HasSubstr("features.a.dependencies: dependency cycle a -> b -> a"));
}

TEST(FeatureRegistryTest, MissingKeysAndBadNames) {
  EXPECT_THAT(error_of("features:\n  sma:\n    function: moving_averages.sma\n    params: { window: 5 }\n"
                       "    category: trend\n"),
              HasSubstr("features.sma.lookback: missing required key"));
  EXPECT_THAT(error_of("features:\n  ts:\n    function: momentum.returns\n    lookback: 2\n    category: x\n"),
              HasSubstr("features.ts: a feature name must be"));
  EXPECT_THAT(error_of("feature:\n  x: 1\n"), HasSubstr("feature: unknown key"));
  EXPECT_THAT(error_of("features:\n  sma:\n    function: moving_averages.sma\n    params: { window: 5 }\n"
                       "    lookback: 5\n    category: trend\n    dependency: [x]\n"),
              HasSubstr("features.sma.dependency: unknown key; did you mean dependencies?"));
}

TEST(FeatureRegistryTest, AFeatureDefinedTwiceIsRejectedAtItsSecondLine) {
  EXPECT_THAT(error_of("features:\n  sma:\n    function: moving_averages.sma\n    params: { window: 5 }\n"
                       "    lookback: 5\n    category: trend\n"
                       "  sma:\n    function: moving_averages.sma\n    params: { window: 6 }\n"
                       "    lookback: 6\n    category: trend\n"),
              HasSubstr("features.yaml:7: features.sma"));
}

TEST(FeatureRegistryTest, PlanRejectsUnknownAndDuplicateNames) {
  auto set = FeatureSet::parse(kAtr, "features.yaml");
  ASSERT_TRUE(set.ok());
  const std::vector<std::string> unknown = {"atr_41"};
  auto plan = set->plan(unknown);
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(plan.error().message, HasSubstr("unknown feature 'atr_41'"));
  EXPECT_THAT(plan.error().message, HasSubstr("did you mean atr_14"));
  const std::vector<std::string> twice = {"atr_14", "atr_14"};
  EXPECT_FALSE(set->plan(twice).ok());
  auto list = parse_feature_list(" atr_14 , true_range", *set);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<std::string>{"atr_14", "true_range"}));
  EXPECT_FALSE(parse_feature_list("atr_14,,true_range", *set).ok());
  EXPECT_EQ(*parse_feature_list("all", *set), set->names());
}

}  // namespace
}  // namespace itrade::features

#pragma once
// What several benchmarks share: stopping on a setup error, and the model benchmarks' data set
// (the 44 features and direction_5 of a synthetic market).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "core/result.h"
#include "data/synthetic_market.h"
#include "features/engine/batch.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/dataset.h"

namespace itrade::bench {

// The value, or the error on stderr and exit 1: a benchmark cannot run on a failed setup.
template <typename T>
T or_die(core::Result<T> result) {
  if (!result) {
    std::fprintf(stderr, "%s\n", result.error().message.c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

// The same for a Status.
inline void or_die(const core::Status& status) {
  if (!status) {
    std::fprintf(stderr, "%s\n", status.error().message.c_str());
    std::exit(1);
  }
}

// Features + direction_5 of `tickers` synthetic ticker-years of the market `seed`.
inline models::Dataset market_dataset(int tickers, std::uint64_t seed) {
  data::SynthOptions options;
  options.tickers = tickers;
  options.days = 252;
  options.seed = seed;
  const auto frame = data::generate_synthetic_market(options);
  const auto set = or_die(features::FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml"));
  const auto targets = or_die(features::TargetSet::load(ITRADE_SOURCE_DIR "/config/targets.yaml"));
  const features::TargetDef* target = targets.find("direction_5");
  std::vector<features::FeatureMatrix> matrices;
  for (const auto& bars : frame.series) {
    auto matrix = or_die(features::compute_features(set.plan_all(), bars));
    const features::TargetDef* const wanted[] = {target};
    if (!features::append_targets(matrix, wanted, bars)) std::exit(1);
    matrices.push_back(std::move(matrix));
  }
  return or_die(models::make_dataset(matrices, set.names(), "direction_5"));
}

}  // namespace itrade::bench

#include "evaluation/data_fingerprint.h"

#include <fmt/format.h>
#include <xxhash.h>

namespace itrade::evaluation {

std::string data_fingerprint(std::span<const core::BarSeries> bars) {
  XXH64_state_t* state = XXH64_createState();
  XXH64_reset(state, 0);
  for (const auto& series : bars) {
    XXH64_update(state, series.ticker.data(), series.ticker.size() + 1);  // with the terminator
    XXH64_update(state, series.ts.data(), series.ts.size() * sizeof(core::Timestamp));
    for (const auto* column : {&series.open, &series.high, &series.low, &series.close, &series.volume}) {
      XXH64_update(state, column->data(), column->size() * sizeof(double));
    }
  }
  const XXH64_hash_t hash = XXH64_digest(state);
  XXH64_freeState(state);
  return fmt::format("{:016x}", hash);
}

}  // namespace itrade::evaluation

#pragma once
// FeatureEngine: one ticker's feature state. Live trading feeds it one bar at a time through
// update(); batch computation over history (batch.h) runs the very same step over the arrays,
// so the two agree bit for bit (docs/features.md, "Engine").

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/result.h"
#include "features/engine/bar_clock.h"
#include "features/operator.h"
#include "features/registry/feature_registry.h"

namespace itrade::features {

class FeatureEngine {
 public:
  explicit FeatureEngine(std::shared_ptr<const FeaturePlan> plan);

  const FeaturePlan& plan() const { return *plan_; }
  // Number of output columns (the features asked for, in that order).
  std::size_t width() const { return plan_->outputs.size(); }

  // Consumes the next bar and writes the features at that bar to `out` (width() values, NaN
  // while a feature warms up). Input errors: a bar not after the previous one; a bar without
  // volume (volume < 0) when a feature reads volume. After an error the state is unchanged.
  core::Status update(const BarPoint& bar, std::span<double> out);

  // The unchecked step behind update(), for callers that validated the whole series up front.
  void step(const BarPoint& bar, double* out);

  void reset();
  std::int64_t bars_seen() const { return bars_seen_; }

 private:
  struct Slot {
    Operator* op;
    int ready_at;
    int input_count;
    int inputs[4];
  };

  std::shared_ptr<const FeaturePlan> plan_;
  std::vector<OperatorPtr> operators_;
  std::vector<Slot> slots_;     // one per plan node, topological order
  std::vector<double> values_;  // current value of every node
  ClockReader clock_reader_;
  BarClock clock_;
  std::int64_t bars_seen_ = 0;
  core::Timestamp last_ts_ = 0;
};

}  // namespace itrade::features

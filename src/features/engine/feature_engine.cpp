#include "features/engine/feature_engine.h"

#include <cassert>
#include <limits>

namespace itrade::features {

FeatureEngine::FeatureEngine(std::shared_ptr<const FeaturePlan> plan) : plan_(std::move(plan)) {
  operators_.reserve(plan_->nodes.size());
  slots_.reserve(plan_->nodes.size());
  for (const auto& node : plan_->nodes) {
    operators_.push_back(node.def.spec->make(node.def.params));
    Slot slot{operators_.back().get(), node.ready_at, static_cast<int>(node.inputs.size()), {0, 0, 0, 0}};
    assert(node.inputs.size() <= 4);
    for (std::size_t i = 0; i < node.inputs.size(); ++i) slot.inputs[i] = node.inputs[i];
    slots_.push_back(slot);
  }
  values_.assign(plan_->nodes.size(), std::numeric_limits<double>::quiet_NaN());
}

core::Status FeatureEngine::update(const BarPoint& bar, std::span<double> out) {
  assert(out.size() >= width());
  if (bars_seen_ > 0 && bar.ts <= last_ts_) {
    return core::input_error("bar at {} is not after the previous bar at {}; feed bars in time order, once each",
                             core::format_utc(bar.ts), core::format_utc(last_ts_));
  }
  if (plan_->reads_volume && !(bar.volume >= 0.0)) {
    return core::input_error("bar at {} has no volume, but a requested feature reads volume; use a source with "
                             "volume or drop the volume features",
                             core::format_utc(bar.ts));
  }
  step(bar, out.data());
  return {};
}

void FeatureEngine::step(const BarPoint& bar, double* out) {
  if (plan_->needs_clock) clock_ = clock_reader_.read(bar.ts);
  double inputs[4];
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& slot = slots_[i];
    if (bars_seen_ < slot.ready_at) {
      values_[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    for (int k = 0; k < slot.input_count; ++k) inputs[k] = values_[static_cast<std::size_t>(slot.inputs[k])];
    values_[i] = slot.op->update(bar, clock_, inputs);
  }
  const auto& outputs = plan_->outputs;
  for (std::size_t c = 0; c < outputs.size(); ++c) out[c] = values_[static_cast<std::size_t>(outputs[c])];
  ++bars_seen_;
  last_ts_ = bar.ts;
}

void FeatureEngine::reset() {
  for (auto& op : operators_) op->reset();
  std::fill(values_.begin(), values_.end(), std::numeric_limits<double>::quiet_NaN());
  bars_seen_ = 0;
  last_ts_ = 0;
}

}  // namespace itrade::features

#include "execution/model_stage.h"

#include <cmath>
#include <limits>

namespace itrade::execution {

core::Result<std::shared_ptr<const features::FeaturePlan>> model_feature_plan(const features::FeatureSet& features,
                                                                              const models::SignalModel& model) {
  const models::ModelInfo info = model.info();
  if (info.feature_names.empty()) return core::input_error("model {} lists no features", info.name);
  auto plan = features.plan(info.feature_names);
  if (!plan) {
    return core::input_error("model {}: its features are not all in the feature registry: {}", info.name,
                             plan.error().message);
  }
  return plan;
}

bool features_warm(std::span<const double> row) {
  bool warm = true;
  for (const double v : row) warm = warm && std::isfinite(v);
  return warm;
}

core::Result<ModelStage> ModelStage::create(const features::FeatureSet& features,
                                            std::shared_ptr<const models::SignalModel> model, std::size_t tickers) {
  if (model == nullptr) return core::input_error("the model stage needs a model");
  auto plan = model_feature_plan(features, *model);
  if (!plan) return plan.error();
  std::vector<std::string> names = model->info().feature_names;
  std::vector<features::FeatureEngine> engines;
  engines.reserve(tickers);
  for (std::size_t i = 0; i < tickers; ++i) engines.emplace_back(*plan);
  return ModelStage(std::move(names), std::move(engines), std::move(model));
}

ModelStage::ModelStage(std::vector<std::string> names, std::vector<features::FeatureEngine> engines,
                       std::shared_ptr<const models::SignalModel> model)
    : names_(std::move(names)),
      engines_(std::move(engines)),
      values_(engines_.size() * names_.size(), std::numeric_limits<double>::quiet_NaN()),
      model_(std::move(model)) {
  rows_.feature_names = names_;
}

std::span<const double> ModelStage::latest(std::size_t ticker) const {
  return std::span<const double>(values_).subspan(ticker * names_.size(), names_.size());
}

core::Status ModelStage::on_bars(std::span<EngineBar> batch, bool predict) {
  const std::size_t width = names_.size();
  for (EngineBar& e : batch) {
    if (e.ticker >= engines_.size()) {
      return core::input_error("bar for ticker index {}, of {}", e.ticker, engines_.size());
    }
    std::span<double> out = std::span<double>(values_).subspan(e.ticker * width, width);
    if (auto ok = engines_[e.ticker].update(e.bar, out); !ok) return ok;
    e.signal = std::numeric_limits<double>::quiet_NaN();
    e.confidence = std::numeric_limits<double>::quiet_NaN();
  }
  if (!predict) return {};
  rows_.features.clear();
  ready_.clear();
  for (std::size_t b = 0; b < batch.size(); ++b) {
    const std::span<const double> row = latest(batch[b].ticker);
    if (!features_warm(row)) continue;
    for (const double v : row) rows_.features.push_back(static_cast<float>(v));
    ready_.push_back(b);
  }
  if (ready_.empty()) return {};
  auto predicted = model_->predict(rows_);
  if (!predicted) return predicted.error();
  for (std::size_t r = 0; r < ready_.size(); ++r) {
    batch[ready_[r]].signal = (*predicted)[r].signal;
    batch[ready_[r]].confidence = (*predicted)[r].confidence;
  }
  return {};
}

}  // namespace itrade::execution

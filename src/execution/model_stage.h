#pragma once
// ModelStage: the model in front of the trading engine (docs/execution.md, "Model stage"). Per
// ticker a streaming FeatureEngine with the model's features (the operators research used, bit for
// bit the batch values), and per instant one predict() over the tickers that have a bar. A ticker
// whose features are still warming up (any of them NaN) gets no prediction (signal NaN), so the
// engine neither enters nor exits on it by signal.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "execution/trading_engine.h"
#include "features/engine/feature_engine.h"
#include "features/registry/feature_registry.h"
#include "models/signal_model.h"

namespace itrade::execution {

// The plan of the model's features (ModelInfo::feature_names) in `features`: input error when the
// model lists none or names one `features` does not have. The model stage streams this plan; the
// research-side signals of a saved model (evaluation/model_signals.h) compute it in one batch.
core::Result<std::shared_ptr<const features::FeaturePlan>> model_feature_plan(const features::FeatureSet& features,
                                                                              const models::SignalModel& model);

// Whether every value of a row of features is finite: a model predicts only rows whose features are
// all warm.
bool features_warm(std::span<const double> row);

class ModelStage {
 public:
  // The model's features (ModelInfo::feature_names) must all be in `features`: input error naming
  // the first that is not.
  static core::Result<ModelStage> create(const features::FeatureSet& features,
                                         std::shared_ptr<const models::SignalModel> model, std::size_t tickers);

  // Feeds each bar of the batch to its ticker's features and, when `predict`, sets the batch's
  // signal and confidence from one predict() call (NaN for tickers still warming up). Input error
  // for a bar the features refuse (out of order, no volume where a feature needs it).
  core::Status on_bars(std::span<EngineBar> batch, bool predict);

  const std::vector<std::string>& feature_names() const { return names_; }
  // Ticker i's latest feature values (NaN while warming up), in feature_names() order.
  std::span<const double> latest(std::size_t ticker) const;

 private:
  ModelStage(std::vector<std::string> names, std::vector<features::FeatureEngine> engines,
             std::shared_ptr<const models::SignalModel> model);

  std::vector<std::string> names_;
  std::vector<features::FeatureEngine> engines_;  // one per ticker
  std::vector<double> values_;                    // tickers x features, the latest values
  std::shared_ptr<const models::SignalModel> model_;
  models::Dataset rows_;  // the batch's ready rows, reused
  std::vector<std::size_t> ready_;
};

}  // namespace itrade::execution

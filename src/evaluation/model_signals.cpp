#include "evaluation/model_signals.h"

#include <cmath>
#include <limits>

#include "features/engine/batch.h"

namespace itrade::evaluation {

core::Result<std::vector<TickerSignals>> model_signals(const features::FeatureSet& features,
                                                       const models::SignalModel& model,
                                                       std::span<const core::BarSeries> bars,
                                                       core::Timestamp trade_from) {
  const std::vector<std::string>& names = model.info().feature_names;
  if (names.empty()) return core::input_error("model {} lists no features", model.info().name);
  auto plan = features.plan(names);
  if (!plan) {
    return core::input_error("model {}: its features are not all in the feature registry: {}", model.info().name,
                             plan.error().message);
  }
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<TickerSignals> out(bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const core::BarSeries& series = bars[i];
    auto matrix = features::compute_features(*plan, series);
    if (!matrix) return matrix.error();
    // The rows to predict: tradable bars whose features are all warm, as floats like the model
    // stage's (the model trains and predicts on float features).
    models::Dataset rows;
    rows.feature_names = names;
    std::vector<std::size_t> ready;
    for (std::size_t r = 0; r < matrix->rows(); ++r) {
      if (series.ts[r] < trade_from) continue;
      bool warm = true;
      for (std::size_t c = 0; c < names.size(); ++c) warm = warm && std::isfinite(matrix->at(r, c));
      if (!warm) continue;
      for (std::size_t c = 0; c < names.size(); ++c) rows.features.push_back(static_cast<float>(matrix->at(r, c)));
      ready.push_back(r);
    }
    out[i].signal.assign(series.size(), kNaN);
    out[i].confidence.assign(series.size(), kNaN);
    if (ready.empty()) continue;
    auto predicted = model.predict(rows);
    if (!predicted) return predicted.error();
    for (std::size_t w = 0; w < ready.size(); ++w) {
      out[i].signal[ready[w]] = (*predicted)[w].signal;
      out[i].confidence[ready[w]] = (*predicted)[w].confidence;
    }
  }
  return out;
}

}  // namespace itrade::evaluation

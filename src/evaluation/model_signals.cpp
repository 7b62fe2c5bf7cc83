#include "evaluation/model_signals.h"

#include <limits>
#include <span>

#include "execution/model_stage.h"
#include "features/engine/batch.h"

namespace itrade::evaluation {

core::Result<std::vector<TickerSignals>> model_signals(const features::FeatureSet& features,
                                                       const models::SignalModel& model,
                                                       std::span<const core::BarSeries> bars,
                                                       core::Timestamp trade_from) {
  auto plan = execution::model_feature_plan(features, model);
  if (!plan) return plan.error();
  const std::vector<std::string> names = model.info().feature_names;
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
      const auto row = std::span<const double>(matrix->values).subspan(r * matrix->cols(), matrix->cols());
      if (!execution::features_warm(row)) continue;
      for (const double v : row) rows.features.push_back(static_cast<float>(v));
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

#pragma once
// A saved model's signals over bars, computed the research way (docs/execution.md, "Promotion"):
// every feature of a ticker's bars in one batch, one predict() over the rows whose features are
// all warm. These are the bars' signals the backtest of a paper account trades; the model stage
// (execution/model_stage.h) computes the same values bar by bar.

#include <span>
#include <vector>

#include "core/bars.h"
#include "core/result.h"
#include "evaluation/backtester.h"
#include "features/registry/feature_registry.h"
#include "models/signal_model.h"

namespace itrade::evaluation {

// One TickerSignals per series of `bars`: NaN where a feature is still warming up and for bars
// that start before `trade_from` (they only warm the features up). Input error when the model's
// features are not all in `features`.
core::Result<std::vector<TickerSignals>> model_signals(const features::FeatureSet& features,
                                                       const models::SignalModel& model,
                                                       std::span<const core::BarSeries> bars,
                                                       core::Timestamp trade_from);

}  // namespace itrade::evaluation

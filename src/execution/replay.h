#pragma once
// Replays recorded bars through the simulated market and the trading engine, one instant at a
// time, as a live feed would deliver them (docs/execution.md, "Replay"): at each instant the
// simulated broker sees every bar first (fills at the open, market-on-close at the close), then the
// engine gets the batch with each bar's prediction; after the session's last bar the broker ends
// the day (unfilled day orders expire).

#include <span>
#include <vector>

#include "core/bars.h"
#include "core/result.h"
#include "execution/simulated_broker.h"
#include "execution/trading_engine.h"

namespace itrade::execution {

// A ticker's predictions, aligned with its bars: signal in [-1, 1] (NaN: none), confidence in [0, 1].
struct Predictions {
  std::vector<double> signal;
  std::vector<double> confidence;
};

// `bars[i]` is the engine's ticker i. Input error for mismatched lengths or a ticker the engine does
// not list at that index; the broker's and the engine's errors as they come.
core::Status replay_bars(std::span<const core::BarSeries> bars, std::span<const Predictions> predictions,
                         SimulatedBroker& broker, TradingEngine& engine, core::Timestamp bar_length);

}  // namespace itrade::execution

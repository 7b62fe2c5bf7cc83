#pragma once
// Replays recorded bars through the simulated market and the trading engine, one instant at a
// time, as a live feed would deliver them (docs/execution.md, "Replay"): at each instant the
// predictor sees the bars (features warm up on every bar, also before the first trading day, and
// the risk manager gets the closes), then, from the first trading instant on, the simulated broker sees every bar
// (fills at the open, market-on-close at the close) and the engine gets the batch; after the session's last bar the
// broker ends the day (unfilled day orders expire) and the caller hears of it.

#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "core/bars.h"
#include "core/result.h"
#include "core/time.h"
#include "execution/simulated_broker.h"
#include "execution/trading_engine.h"

namespace itrade::execution {

// Sets each bar's signal and confidence of one instant's batch (bars in ascending ticker order);
// `trading` false: a warm-up instant the engine will not see.
using Predictor = std::function<core::Status(std::span<EngineBar> batch, bool trading)>;

// A ticker's recorded predictions, aligned with its bars: signal in [-1, 1] (NaN: none),
// confidence in [0, 1].
struct Predictions {
  std::vector<double> signal;
  std::vector<double> confidence;
};

// A predictor reading `predictions[i]` for ticker i, bar after bar. It keeps a reference.
Predictor recorded_predictions(std::span<const Predictions> predictions);

struct ReplayOptions {
  core::Timestamp bar_length = 5 * core::kNanosPerMinute;
  // The first bar start the engine and broker see; earlier bars only warm the predictor up.
  core::Timestamp trade_from = std::numeric_limits<core::Timestamp>::min();
  // Wall-clock pace: 0 = as fast as possible; otherwise instants are `bar_length / speed` apart
  // (1 = real time, 100 = a 5-minute bar every 3 s).
  double speed = 0.0;
  // After the session's last trading instant (and the broker's end of day): its New York day.
  std::function<void(core::DayNumber day)> on_session_end;
  // After every trading instant, once the broker's day has ended if it did: the place for a state
  // snapshot. An error stops the replay and is returned.
  std::function<core::Status(core::Timestamp ts)> after_batch;
  // A restart from a snapshot taken after the instant `resume_after`: instants up to it warm the
  // predictor up and catch the engine's market data up (TradingEngine::catch_up), without the
  // broker or trading; the replay trades from the next instant on.
  std::optional<core::Timestamp> resume_after;
};

// `bars[i]` is the engine's ticker i. Input error for a ticker the engine does not list at that
// index or predictions that do not fit; the predictor's, broker's and engine's errors as they come.
core::Status replay_bars(std::span<const core::BarSeries> bars, const Predictor& predictor, SimulatedBroker& broker,
                         TradingEngine& engine, const ReplayOptions& options);

}  // namespace itrade::execution

#include "execution/replay.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/nyse_calendar.h"

namespace itrade::execution {

Predictor recorded_predictions(std::span<const Predictions> predictions) {
  auto cursor = std::make_shared<std::vector<std::size_t>>(predictions.size(), 0);
  return [predictions, cursor](std::span<EngineBar> batch, bool) -> core::Status {
    for (EngineBar& e : batch) {
      if (e.ticker >= predictions.size()) {
        return core::input_error("no predictions for ticker index {} ({} series)", e.ticker, predictions.size());
      }
      const Predictions& p = predictions[e.ticker];
      std::size_t& k = (*cursor)[e.ticker];
      if (k >= p.signal.size() || k >= p.confidence.size()) {
        return core::input_error("ticker index {}: more bars than its {} predictions", e.ticker, p.signal.size());
      }
      e.signal = p.signal[k];
      e.confidence = p.confidence[k];
      ++k;
    }
    return {};
  };
}

core::Status replay_bars(std::span<const core::BarSeries> bars, const Predictor& predictor, SimulatedBroker& broker,
                         TradingEngine& engine, const ReplayOptions& options) {
  if (bars.size() != engine.tickers().size()) {
    return core::input_error("{} bar series for {} engine tickers; give one per ticker", bars.size(),
                             engine.tickers().size());
  }
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (bars[i].ticker != engine.tickers()[i]) {
      return core::input_error("bar series {} is {}, the engine's ticker {} is {}", i, bars[i].ticker, i,
                               engine.tickers()[i]);
    }
  }
  constexpr core::Timestamp kNever = std::numeric_limits<core::Timestamp>::max();
  const core::NyseCalendar& calendar = core::NyseCalendar::instance();
  const auto pace =
      options.speed > 0.0
          ? std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(options.bar_length) / options.speed))
          : std::chrono::nanoseconds(0);
  auto next_wake = std::chrono::steady_clock::now();
  std::vector<std::size_t> cursor(bars.size(), 0);
  std::vector<EngineBar> batch;
  for (;;) {
    core::Timestamp now = kNever;
    for (std::size_t i = 0; i < bars.size(); ++i) {
      if (cursor[i] < bars[i].size()) now = std::min(now, bars[i].ts[cursor[i]]);
    }
    if (now == kNever) break;
    batch.clear();
    for (std::size_t i = 0; i < bars.size(); ++i) {
      const std::size_t k = cursor[i];
      if (k >= bars[i].size() || bars[i].ts[k] != now) continue;
      batch.push_back({i, features::bar_point(bars[i], k), 0.0, 0.0});
      ++cursor[i];
    }
    const bool resumed = options.resume_after && now <= *options.resume_after;
    const bool trading = now >= options.trade_from && !resumed;
    if (auto ok = predictor(batch, trading); !ok) return ok;
    // Warm-up and resumed instants give the risk manager its market data (last prices, return
    // windows) as a live engine would have it, the same whether or not the run was restarted.
    if (!trading) engine.catch_up(now, batch);
    if (!trading) continue;
    if (pace.count() > 0) {
      // A live feed delivers a bar when it closes; the replay keeps that rhythm, sped up.
      next_wake += pace;
      std::this_thread::sleep_until(next_wake);
    }
    for (const EngineBar& e : batch) {
      if (auto fed = broker.on_bar(bars[e.ticker].ticker, e.bar); !fed) return fed;
    }
    if (auto ok = engine.on_bars(now, batch); !ok) return ok;
    const auto session = calendar.session_containing(now);
    if (session && now + options.bar_length >= session->close) {
      broker.end_of_day(session->close);
      if (options.on_session_end) options.on_session_end(session->day);
    }
    if (options.after_batch) {
      if (auto ok = options.after_batch(now); !ok) return ok;
    }
  }
  return {};
}

}  // namespace itrade::execution

#include "execution/replay.h"

#include <algorithm>
#include <limits>

#include "core/nyse_calendar.h"

namespace itrade::execution {

core::Status replay_bars(std::span<const core::BarSeries> bars, std::span<const Predictions> predictions,
                         SimulatedBroker& broker, TradingEngine& engine, core::Timestamp bar_length) {
  if (bars.size() != predictions.size() || bars.size() != engine.tickers().size()) {
    return core::input_error("{} bar series, {} prediction series and {} engine tickers; give one of each per ticker",
                             bars.size(), predictions.size(), engine.tickers().size());
  }
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (bars[i].ticker != engine.tickers()[i]) {
      return core::input_error("bar series {} is {}, the engine's ticker {} is {}", i, bars[i].ticker, i,
                               engine.tickers()[i]);
    }
    if (predictions[i].signal.size() != bars[i].size() || predictions[i].confidence.size() != bars[i].size()) {
      return core::input_error("{}: {} bars but {} signals and {} confidences", bars[i].ticker, bars[i].size(),
                               predictions[i].signal.size(), predictions[i].confidence.size());
    }
  }
  constexpr core::Timestamp kNever = std::numeric_limits<core::Timestamp>::max();
  const core::NyseCalendar& calendar = core::NyseCalendar::instance();
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
      const features::BarPoint bar = features::bar_point(bars[i], k);
      if (auto fed = broker.on_bar(bars[i].ticker, bar); !fed) return fed;
      batch.push_back({i, bar, predictions[i].signal[k], predictions[i].confidence[k]});
      ++cursor[i];
    }
    if (auto ok = engine.on_bars(now, batch); !ok) return ok;
    const auto session = calendar.session_containing(now);
    if (session && now + bar_length >= session->close) broker.end_of_day(session->close);
  }
  return {};
}

}  // namespace itrade::execution

#include "features/targets.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/nyse_calendar.h"

namespace itrade::features {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Session key for a bar outside every regular session; never equal to a real DayNumber key.
constexpr std::int64_t kNoSession = std::numeric_limits<std::int64_t>::min();

// The regular session (its New York day) containing each bar's start, or kNoSession. Sessions are
// contiguous time intervals and ts is strictly increasing, so bars i and j (i < j) with equal keys
// imply every bar between them lies in the same session too: checking the two ends is enough.
std::vector<std::int64_t> session_keys(const core::BarSeries& bars) {
  const auto& calendar = core::NyseCalendar::instance();
  std::vector<std::int64_t> keys(bars.size(), kNoSession);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (auto session = calendar.session_containing(bars.ts[i])) keys[i] = session->day;
  }
  return keys;
}

// Whether rows first .. last (inclusive, both in range) may be used together for a label at t.
bool same_session(const std::vector<std::int64_t>& keys, std::size_t t, std::size_t first, std::size_t last) {
  return keys[t] != kNoSession && keys[first] == keys[t] && keys[last] == keys[t];
}

// Sample standard deviation (ddof = 1) of the n one-bar log returns ln(close[i] / close[i - 1]) for
// i = end - n + 1 .. end.
double log_return_std(const std::vector<double>& close, std::size_t end, int n) {
  double sum = 0.0;
  for (int k = 0; k < n; ++k) sum += std::log(close[end - k] / close[end - k - 1]);
  const double mean = sum / n;
  double squares = 0.0;
  for (int k = 0; k < n; ++k) {
    const double d = std::log(close[end - k] / close[end - k - 1]) - mean;
    squares += d * d;
  }
  return std::sqrt(squares / (n - 1));
}

std::vector<double> forward_return_unchecked(const core::BarSeries& bars, int h, bool cross_session) {
  const std::size_t n = bars.size();
  std::vector<double> out(n, kNaN);
  const auto keys = cross_session ? std::vector<std::int64_t>() : session_keys(bars);
  const auto step = static_cast<std::size_t>(h);
  for (std::size_t t = 0; t + step < n; ++t) {
    if (!cross_session && !same_session(keys, t, t, t + step)) continue;
    out[t] = bars.close[t + step] / bars.close[t] - 1.0;
  }
  return out;
}

}  // namespace

core::Result<std::vector<double>> forward_return(const core::BarSeries& bars, int bars_ahead, bool cross_session) {
  if (bars_ahead < 1) return core::input_error("forward_return: bars_ahead must be >= 1, got {}", bars_ahead);
  return forward_return_unchecked(bars, bars_ahead, cross_session);
}

core::Result<std::vector<double>> direction(const core::BarSeries& bars, int bars_ahead, double threshold,
                                            bool cross_session) {
  if (bars_ahead < 1) return core::input_error("direction: bars_ahead must be >= 1, got {}", bars_ahead);
  // Written as !(x >= 0) so that a NaN threshold is rejected too.
  if (!(threshold >= 0.0)) return core::input_error("direction: threshold must be >= 0, got {}", threshold);
  std::vector<double> out = forward_return_unchecked(bars, bars_ahead, cross_session);
  for (double& r : out) {
    if (std::isnan(r)) continue;
    r = r < -threshold ? kDirectionShort : (r > threshold ? kDirectionLong : kDirectionHold);
  }
  return out;
}

core::Result<std::vector<double>> volatility_regime(const core::BarSeries& bars, int window, double threshold_low,
                                                    double threshold_high, bool cross_session) {
  if (window < 2) return core::input_error("volatility_regime: window must be >= 2, got {}", window);
  if (!(threshold_low >= 0.0) || !(threshold_high >= 0.0)) {
    return core::input_error("volatility_regime: thresholds must be >= 0, got {} and {}", threshold_low,
                             threshold_high);
  }
  if (threshold_low > threshold_high) {
    return core::input_error("volatility_regime: threshold_low {} exceeds threshold_high {}", threshold_low,
                             threshold_high);
  }
  const std::size_t n = bars.size();
  std::vector<double> out(n, kNaN);
  const auto keys = cross_session ? std::vector<std::int64_t>() : session_keys(bars);
  const auto w = static_cast<std::size_t>(window);
  for (std::size_t t = w; t + w < n; ++t) {
    if (!cross_session && !same_session(keys, t, t - w, t + w)) continue;
    const double trailing = log_return_std(bars.close, t, window);
    const double forward = log_return_std(bars.close, t + w, window);
    // A flat trailing window has no scale to compare against; NaN rather than an infinite ratio.
    if (!(trailing > 0.0) || std::isnan(forward)) continue;
    const double ratio = forward / trailing;
    out[t] = ratio < threshold_low ? kVolLow : (ratio > threshold_high ? kVolHigh : kVolNormal);
  }
  return out;
}

core::Result<std::vector<double>> triple_barrier(const core::BarSeries& bars, double profit_take, double stop_loss,
                                                 int max_bars, bool cross_session) {
  if (max_bars < 1) return core::input_error("triple_barrier: max_bars must be >= 1, got {}", max_bars);
  if (!(profit_take > 0.0)) return core::input_error("triple_barrier: profit_take must be > 0, got {}", profit_take);
  if (!(stop_loss > 0.0)) return core::input_error("triple_barrier: stop_loss must be > 0, got {}", stop_loss);
  const std::size_t n = bars.size();
  std::vector<double> out(n, kNaN);
  const auto keys = cross_session ? std::vector<std::int64_t>() : session_keys(bars);
  const auto h = static_cast<std::size_t>(max_bars);
  for (std::size_t t = 0; t < n; ++t) {
    if (!cross_session && keys[t] == kNoSession) continue;
    const double entry = bars.close[t];
    const double lower = entry * (1.0 - stop_loss);
    const double upper = entry * (1.0 + profit_take);
    double label = kBarrierTimeout;
    for (std::size_t k = 1; k <= h; ++k) {
      const std::size_t i = t + k;
      // Horizon cut (end of data or of the session) before any touch: the outcome is unknown.
      if (i >= n || (!cross_session && keys[i] != keys[t])) {
        label = kNaN;
        break;
      }
      if (bars.low[i] <= lower) {  // checked first: a bar touching both counts as a stop
        label = kBarrierStopLoss;
        break;
      }
      if (bars.high[i] >= upper) {
        label = kBarrierProfitTake;
        break;
      }
    }
    out[t] = label;
  }
  return out;
}

}  // namespace itrade::features

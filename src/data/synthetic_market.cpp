#include "data/synthetic_market.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "core/nyse_calendar.h"

namespace itrade::data {
namespace {

namespace fs = std::filesystem;

// ---- Model parameters (docs/cache-and-synth.md explains each)
// ----------------------------

constexpr double kFullSessionBars5m = 78.0;  // bars of 5 minutes in 09:30-16:00
constexpr double kTradingDaysPerYear = 252.0;
constexpr double kOvernightVarianceShare = 0.2;                    // fraction of daily variance in the overnight gap
constexpr double kGarchAlpha = 0.08;                               // weight of the last squared shock
constexpr double kGarchBeta = 0.90;                                // persistence of the conditional variance
constexpr double kJumpsPerDay = 0.05;                              // intraday jumps, per ticker per day (Poisson)
constexpr double kJumpSizeInBarSigmas = 8.0;                       // jump std in units of the baseline bar std
constexpr double kEarningsGapsPerDay = 1.0 / 63.0;                 // large overnight gaps, about one a quarter
constexpr double kEarningsGapSigma = 0.05;                         // log-return std of such a gap
constexpr double kWickInBarSigmas = 0.6;                           // high/low excursion beyond open/close, in bar stds
constexpr double kVolumeNoiseSigma = 0.35;                         // lognormal noise of bar volume
constexpr double kVolumePerAbsShock = 0.25;                        // extra volume per unit |standardised return|
constexpr double kExtendedVolumeShare = 0.04;                      // extended-hours bar volume vs a midday bar
constexpr double kExtendedSigmaShare = 0.5;                        // extended-hours volatility vs a midday bar
constexpr std::int64_t kPreMarket = 330 * core::kNanosPerMinute;   // 04:00 to 09:30
constexpr std::int64_t kAfterHours = 240 * core::kNanosPerMinute;  // close to close + 4 h

// Uniform and normal draws whose output is fixed by the 64-bit engine alone.
class Draws {
 public:
  explicit Draws(std::uint64_t seed) : engine_(seed) {}

  // Uniform in (0, 1]: never 0, so that log() is finite.
  double uniform() { return (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53; }

  // Standard normal by Box-Muller; the second value of each pair is kept for
  // the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  // Poisson count with a small mean, by inversion (a handful of steps at most).
  int poisson(double mean) {
    double u = uniform();
    double p = std::exp(-mean);
    int k = 0;
    while (u > p && k < 20) {
      u -= p;
      ++k;
      p *= mean / k;
    }
    return k;
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// splitmix64: spreads (seed, ticker) into well-separated engine seeds.
std::uint64_t mix_seed(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

double to_cents(double price) { return std::max(0.01, std::round(price * 100.0) / 100.0); }

// u = position in the regular session, 0 at the open and 1 at the close.
// Variance seasonality: mean 1 over the session, 3x the midday level at the
// ends.
double variance_shape(double u) {
  const double centred = 2.0 * u - 1.0;
  return 0.6 + 1.2 * centred * centred;
}
// Volume seasonality: the U shape, about 4x the midday level at the open and
// close.
double volume_shape(double u) {
  const double centred = 2.0 * u - 1.0;
  return 0.5 + 1.5 * centred * centred;
}

struct TickerProfile {
  double start_price;
  double annual_sigma;
  double bar_volume;  // mean shares per bar at midday
};

TickerProfile draw_profile(Draws& draws) {
  TickerProfile profile{};
  profile.start_price = std::exp(std::log(10.0) + (std::log(500.0) - std::log(10.0)) * draws.uniform());
  profile.annual_sigma = 0.15 + 0.45 * draws.uniform();
  profile.bar_volume = std::exp(std::log(2e3) + (std::log(2e5) - std::log(2e3)) * draws.uniform());
  return profile;
}

core::BarSeries generate_ticker(int index, const SynthOptions& options, std::span<const core::Session> sessions) {
  Draws draws(mix_seed(options.seed ^ mix_seed(static_cast<std::uint64_t>(index) + 1)));
  const TickerProfile profile = draw_profile(draws);

  core::BarSeries bars;
  bars.ticker = fmt::format("SYN{:04d}", index + 1);
  const double bar_minutes = static_cast<double>(options.interval.minutes());
  const double daily_variance = profile.annual_sigma * profile.annual_sigma / kTradingDaysPerYear;
  // Baseline variance of one regular bar: the intraday share of the day spread
  // over 6.5 h.
  const double bar_variance =
      (1.0 - kOvernightVarianceShare) * daily_variance * bar_minutes / (5.0 * kFullSessionBars5m);
  const double bar_sigma = std::sqrt(bar_variance);
  const double overnight_sigma = std::sqrt(kOvernightVarianceShare * daily_variance);
  const double jump_rate = kJumpsPerDay * bar_minutes / (5.0 * kFullSessionBars5m);  // per regular bar
  const double garch_omega = (1.0 - kGarchAlpha - kGarchBeta) * bar_variance;

  double log_price = std::log(profile.start_price);
  double conditional_variance = bar_variance;  // GARCH h_t of the deseasonalised shock
  double last_close = to_cents(profile.start_price);
  bool first_bar = true;

  for (const core::Session& session : sessions) {
    const core::Timestamp first = options.extended_hours ? session.open - kPreMarket : session.open;
    const core::Timestamp end = options.extended_hours ? session.close + kAfterHours : session.close;
    const double session_ns = static_cast<double>(session.close - session.open);
    // Overnight gap, applied to the first bar's open: normal part plus a rare
    // earnings jump.
    if (!first_bar) {
      double gap = overnight_sigma * draws.normal();
      if (draws.uniform() < kEarningsGapsPerDay) gap += kEarningsGapSigma * draws.normal();
      log_price += gap;
    }
    bool session_start = true;
    for (core::Timestamp t = first; t < end; t += options.interval.ns) {
      const bool regular = t >= session.open && t < session.close;
      const double u = std::clamp(
          (static_cast<double>(t - session.open) + 0.5 * static_cast<double>(options.interval.ns)) / session_ns, 0.0,
          1.0);
      const double shape = regular ? variance_shape(u) : kExtendedSigmaShare * kExtendedSigmaShare;

      // The shock: GARCH(1,1) on the deseasonalised return, plus Poisson jumps.
      double shock = std::sqrt(conditional_variance) * draws.normal();
      if (regular) {
        const int jumps = draws.poisson(jump_rate);
        for (int j = 0; j < jumps; ++j) shock += kJumpSizeInBarSigmas * bar_sigma * draws.normal();
      }
      conditional_variance = garch_omega + kGarchAlpha * shock * shock + kGarchBeta * conditional_variance;
      // Keep the variance within a sane band so that a jump cannot blow it up
      // for days.
      conditional_variance = std::min(conditional_variance, 25.0 * bar_variance);
      const double bar_return = std::sqrt(shape) * shock;

      const double open = session_start ? to_cents(std::exp(log_price)) : last_close;
      log_price += bar_return;
      const double close = to_cents(std::exp(log_price));
      const double wick = kWickInBarSigmas * bar_sigma * std::sqrt(shape);
      const double high = to_cents(std::max(open, close) * std::exp(wick * std::abs(draws.normal())));
      const double low = to_cents(std::min(open, close) * std::exp(-wick * std::abs(draws.normal())));

      const double level = regular ? volume_shape(u) : kExtendedVolumeShare;
      const double activity = 1.0 + kVolumePerAbsShock * std::abs(shock) / bar_sigma;
      const double volume =
          std::round(profile.bar_volume * (bar_minutes / 5.0) * level * activity *
                     std::exp(kVolumeNoiseSigma * draws.normal() - 0.5 * kVolumeNoiseSigma * kVolumeNoiseSigma));

      bars.push_back(t, open, high, low, close, std::max(volume, 1.0));
      last_close = close;
      session_start = false;
      first_bar = false;
    }
  }
  return bars;
}

}  // namespace

core::BarFrame generate_synthetic_market(const SynthOptions& options) {
  core::BarFrame frame;
  if (options.tickers <= 0 || options.days <= 0 || options.interval.ns <= 0) return frame;
  const auto& calendar = core::NyseCalendar::instance();
  // About 1.45 calendar days per session, plus room for holiday clusters.
  const core::DayNumber last_covered = core::days_from_civil(core::NyseCalendar::kLastYear, 12, 31);
  const core::DayNumber last = std::min<core::DayNumber>(last_covered, options.first_day + options.days * 3 / 2 + 15);
  std::span<const core::Session> sessions;
  if (options.first_day <= last) sessions = calendar.sessions_between(options.first_day, last);
  if (sessions.size() > static_cast<std::size_t>(options.days))
    sessions = sessions.first(static_cast<std::size_t>(options.days));

  frame.series.reserve(static_cast<std::size_t>(options.tickers));
  for (int i = 0; i < options.tickers; ++i) frame.series.push_back(generate_ticker(i, options, sessions));
  return frame;
}

core::Status write_synthetic_csv(const fs::path& dir, const core::BarFrame& frame) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return core::runtime_error("cannot create the directory {}: {}", dir.string(), error.message());
  std::string text;
  for (const core::BarSeries& bars : frame.series) {
    text.clear();
    text += "timestamp,open,high,low,close,volume\n";
    auto out = std::back_inserter(text);
    for (std::size_t i = 0; i < bars.size(); ++i) {
      fmt::format_to(out, "{},{},{},{},{},{:.0f}\n", core::format_utc(bars.ts[i]), bars.open[i], bars.high[i],
                     bars.low[i], bars.close[i], bars.volume[i]);
    }
    const fs::path path = dir / (bars.ticker + ".csv");
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(text.data(), static_cast<std::streamsize>(text.size()));
    file.close();
    if (!file) return core::runtime_error("cannot write {} (disk full or not writable?)", path.string());
  }
  return {};
}

}  // namespace itrade::data

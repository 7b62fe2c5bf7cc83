#include "evaluation/analytics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/nyse_calendar.h"

namespace itrade::evaluation {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The one rule for every ratio (analytics.h): x / 0 is +inf, -inf or NaN by the sign of x.
double ratio(double numerator, double denominator) {
  if (std::isnan(numerator) || std::isnan(denominator)) return kNaN;
  if (denominator != 0.0) return numerator / denominator;
  if (numerator > 0.0) return kInf;
  if (numerator < 0.0) return -kInf;
  return kNaN;
}

double mean(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// Sample standard deviation (ddof 1). Exactly 0 when all values are equal, so that a flat series
// meets the zero-denominator rule instead of a rounding residue of 1e-18.
double sample_std(const std::vector<double>& values) {
  if (values.size() < 2) return kNaN;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  if (*lo == *hi) return 0.0;
  const double m = mean(values);
  double sum = 0.0;
  for (double v : values) sum += (v - m) * (v - m);
  return std::sqrt(sum / static_cast<double>(values.size() - 1));
}

struct TradeStats {
  std::size_t trades = 0;
  std::size_t wins = 0;
  std::size_t losses = 0;
  double gross_profit = 0.0;  // sum of pnl > 0
  double gross_loss = 0.0;    // sum of pnl < 0 (negative)
  double pnl = 0.0;
  double fees = 0.0;
  double holding_bars = 0.0;

  void add(const Trade& trade) {
    ++trades;
    pnl += trade.pnl;
    fees += trade.fees;
    holding_bars += trade.holding_bars;
    if (trade.pnl > 0.0) {
      ++wins;
      gross_profit += trade.pnl;
    } else if (trade.pnl < 0.0) {
      ++losses;
      gross_loss += trade.pnl;
    }
  }
  double win_rate() const { return trades == 0 ? kNaN : static_cast<double>(wins) / static_cast<double>(trades); }
  double profit_factor() const { return ratio(gross_profit, -gross_loss); }
};

struct DrawdownStats {
  double max_drawdown = 0.0;
  std::size_t longest_days = 0;
  std::size_t longest_bars = 0;
};

// The per-bar curve is point 0 = initial cash (bar -1, day ordinal -1), then point k + 1 =
// equity[k] on the day ordinal of ts[k] among the timeline's New York days.
DrawdownStats drawdowns(const BacktestResult& result, const std::vector<long>& day_ordinal) {
  DrawdownStats out;
  double peak = result.initial_cash;
  long peak_bar = -1;
  long peak_day = -1;
  bool underwater = false;
  const auto close_period = [&](long bar, long day) {
    out.longest_bars = std::max(out.longest_bars, static_cast<std::size_t>(bar - peak_bar));
    out.longest_days = std::max(out.longest_days, static_cast<std::size_t>(day - peak_day));
  };
  for (std::size_t k = 0; k < result.equity.size(); ++k) {
    const double equity = result.equity[k];
    const auto bar = static_cast<long>(k);
    if (equity >= peak) {
      if (underwater) close_period(bar, day_ordinal[k]);  // recovered: back at or above the peak
      underwater = false;
      peak = equity;
      peak_bar = bar;
      peak_day = day_ordinal[k];
    } else {
      underwater = true;
      out.max_drawdown = std::max(out.max_drawdown, 1.0 - equity / peak);
    }
  }
  if (underwater) close_period(static_cast<long>(result.equity.size()) - 1, day_ordinal.back());  // never recovered
  return out;
}

core::Status check_timeline(const BacktestResult& result) {
  if (result.ts.empty()) return core::input_error("the backtest result has no timeline (no bars were simulated)");
  if (result.ts.size() != result.equity.size()) {
    return core::input_error("the backtest result has {} timestamps but {} equity values", result.ts.size(),
                             result.equity.size());
  }
  if (!(result.initial_cash > 0.0) || !std::isfinite(result.initial_cash)) {
    return core::input_error("initial cash must be positive and finite, got {}", result.initial_cash);
  }
  for (std::size_t k = 0; k < result.ts.size(); ++k) {
    if (!std::isfinite(result.equity[k])) {
      return core::input_error("equity at {} (point {}) is not finite ({})", core::format_utc(result.ts[k]), k,
                               result.equity[k]);
    }
    if (k > 0 && result.ts[k] <= result.ts[k - 1]) {
      return core::input_error("timeline timestamps are not strictly ascending at point {} ({} after {})", k,
                               core::format_utc(result.ts[k]), core::format_utc(result.ts[k - 1]));
    }
  }
  return {};
}

}  // namespace

double sharpe_ratio(const std::vector<double>& returns, double risk_free) {
  if (returns.size() < 2) return kNaN;
  return ratio(mean(returns) - risk_free, sample_std(returns));
}

core::Result<std::vector<DailyReturn>> daily_returns(const BacktestResult& result) {
  if (auto status = check_timeline(result); !status) return status.error();
  const auto& calendar = core::NyseCalendar::instance();
  std::vector<DailyReturn> days;
  for (std::size_t k = 0; k < result.ts.size(); ++k) {
    const core::DayNumber day = calendar.new_york_day(result.ts[k]);
    if (days.empty() || days.back().day != day) {
      days.push_back(DailyReturn{day, result.equity[k], 0.0});
    } else {
      days.back().equity = result.equity[k];  // a later point of the same day
    }
  }
  double base = result.initial_cash;
  for (std::size_t d = 0; d < days.size(); ++d) {
    if (d > 0 && !(base > 0.0)) {
      return core::input_error("equity on {} is {}: a non-positive equity cannot be the base of the next day's return",
                               core::format_date(days[d - 1].day), base);
    }
    days[d].ret = days[d].equity / base - 1.0;
    base = days[d].equity;
  }
  return days;
}

core::Result<Performance> compute_performance(const BacktestResult& result, const PerformanceOptions& options) {
  auto daily = daily_returns(result);
  if (!daily) return daily.error();
  if (result.gross_exposure.size() != result.ts.size()) {
    return core::input_error("the backtest result has {} timestamps but {} gross exposure values", result.ts.size(),
                             result.gross_exposure.size());
  }
  Performance p;
  p.days = daily->size();
  p.bars = result.ts.size();
  const double days = static_cast<double>(p.days);

  std::vector<double> returns;
  returns.reserve(daily->size());
  for (const DailyReturn& d : *daily) returns.push_back(d.ret);
  const double sqrt_year = std::sqrt(kTradingDaysPerYear);

  // Returns.
  const double growth = result.equity.back() / result.initial_cash;
  p.total_return = growth - 1.0;
  p.annual_return = growth > 0.0 ? std::pow(growth, kTradingDaysPerYear / days) - 1.0 : -1.0;
  const double volatility = sample_std(returns);
  p.annual_volatility = volatility * sqrt_year;
  p.sharpe = sharpe_ratio(returns, options.risk_free_daily) * sqrt_year;
  if (returns.size() < 2) {
    p.sortino = kNaN;
  } else {
    double downside = 0.0;
    for (double r : returns) {
      const double shortfall = std::min(r - options.risk_free_daily, 0.0);
      downside += shortfall * shortfall;
    }
    const double downside_deviation = std::sqrt(downside / days);
    p.sortino = ratio(mean(returns) - options.risk_free_daily, downside_deviation) * sqrt_year;
  }

  // Drawdowns on the per-bar curve.
  std::vector<long> day_ordinal(result.ts.size());
  {
    const auto& calendar = core::NyseCalendar::instance();
    long ordinal = -1;
    core::DayNumber last = 0;
    for (std::size_t k = 0; k < result.ts.size(); ++k) {
      const core::DayNumber day = calendar.new_york_day(result.ts[k]);
      if (k == 0 || day != last) ++ordinal;
      last = day;
      day_ordinal[k] = ordinal;
    }
  }
  const DrawdownStats dd = drawdowns(result, day_ordinal);
  p.max_drawdown = dd.max_drawdown;
  p.max_drawdown_days = dd.longest_days;
  p.max_drawdown_bars = dd.longest_bars;
  p.calmar = ratio(p.annual_return, p.max_drawdown);

  // Trades.
  TradeStats trades;
  for (const Trade& trade : result.trades) trades.add(trade);
  const double count = static_cast<double>(trades.trades);
  p.trades = trades.trades;
  p.win_rate = trades.win_rate();
  p.profit_factor = trades.profit_factor();
  p.average_win = trades.wins == 0 ? kNaN : trades.gross_profit / static_cast<double>(trades.wins);
  p.average_loss = trades.losses == 0 ? kNaN : trades.gross_loss / static_cast<double>(trades.losses);
  p.expectancy = trades.trades == 0 ? kNaN : trades.pnl / count;
  p.average_holding_bars = trades.trades == 0 ? kNaN : trades.holding_bars / count;

  // Activity.
  std::size_t exposed = 0;
  for (double g : result.gross_exposure) exposed += g > 0.0 ? 1 : 0;
  p.exposure = static_cast<double>(exposed) / static_cast<double>(p.bars);
  const double mean_equity = mean(result.equity);
  p.turnover = mean_equity > 0.0 ? result.traded_value / mean_equity / days : kNaN;
  p.trades_per_day = count / days;
  p.total_fees = result.total_fees;
  return p;
}

core::Result<std::vector<TickerPerformance>> per_ticker(const BacktestResult& result) {
  std::vector<TradeStats> stats(result.tickers.size());
  for (std::size_t i = 0; i < result.trades.size(); ++i) {
    const int ticker = result.trades[i].ticker;
    if (ticker < 0 || static_cast<std::size_t>(ticker) >= result.tickers.size()) {
      return core::input_error("trade {} names ticker index {} but the result has {} tickers", i, ticker,
                               result.tickers.size());
    }
    stats[static_cast<std::size_t>(ticker)].add(result.trades[i]);
  }
  std::vector<TickerPerformance> out(result.tickers.size());
  for (std::size_t t = 0; t < out.size(); ++t) {
    out[t].ticker = result.tickers[t];
    out[t].trades = stats[t].trades;
    out[t].win_rate = stats[t].win_rate();
    out[t].profit_factor = stats[t].profit_factor();
    out[t].total_pnl = stats[t].pnl;
    out[t].fees = stats[t].fees;
  }
  return out;
}

std::vector<MonthlyReturn> monthly_returns(const std::vector<DailyReturn>& daily) {
  std::vector<MonthlyReturn> months;
  double growth = 1.0;
  for (const DailyReturn& d : daily) {
    const core::CivilDate date = core::civil_from_days(d.day);
    if (months.empty() || months.back().year != date.year || months.back().month != date.month) {
      if (!months.empty()) months.back().ret = growth - 1.0;
      months.push_back(MonthlyReturn{date.year, date.month, 0.0, 0});
      growth = 1.0;
    }
    growth *= 1.0 + d.ret;
    ++months.back().days;
  }
  if (!months.empty()) months.back().ret = growth - 1.0;
  return months;
}

}  // namespace itrade::evaluation

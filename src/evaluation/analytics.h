#pragma once
// Performance analytics of a backtest (docs/analytics.md): daily returns, the headline risk and
// return figures, the trade statistics, a per-ticker breakdown and monthly returns. Everything is
// computed from a BacktestResult alone (backtest_result.h), so a model backtest, a signals file
// and a paper account's records are scored by the same code.
//
// Conventions shared by every function here (docs/analytics.md gives each formula):
// - Returns and drawdowns are fractions (0.01 = 1 %), never percent. Money is in the account
//   currency. Annualised figures use 252 trading days a year.
// - Returns are aggregated to New York days before anything is annualised: a day's equity is the
//   equity at its last timeline point (NyseCalendar::new_york_day of the timestamp).
// - A ratio whose denominator is zero is +inf when its numerator is positive, -inf when negative
//   and NaN when zero; a statistic with too few observations (a mean of no trades, a standard
//   deviation of one day) is NaN. Nothing is ever replaced by 0 to look tidy.

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "evaluation/backtest_result.h"

namespace itrade::evaluation {

inline constexpr double kTradingDaysPerYear = 252.0;

struct DailyReturn {
  core::DayNumber day = 0;  // New York calendar date
  double equity = 0.0;      // equity at the day's last timeline point (account currency)
  double ret = 0.0;         // equity / previous day's equity - 1 (the first day: / initial_cash)
};

// One entry per New York day that has at least one timeline point, ascending.
// Input errors: an empty timeline; ts and equity of different lengths; timestamps not strictly
// ascending; initial_cash or a day's equity that serves as the base of the next return not
// positive (or not finite).
core::Result<std::vector<DailyReturn>> daily_returns(const BacktestResult& result);

struct PerformanceOptions {
  // Daily risk-free rate (a fraction per trading day, e.g. 0.04 / 252) subtracted from every
  // daily return in the Sharpe ratio, and the minimum acceptable return of the Sortino ratio.
  double risk_free_daily = 0.0;
};

struct Performance {
  // Returns (fractions).
  double total_return = 0.0;       // final equity / initial cash - 1
  double annual_return = 0.0;      // CAGR: (final / initial)^(252 / days) - 1; -1 once equity <= 0
  double annual_volatility = 0.0;  // sample std (ddof 1) of daily returns x sqrt(252); NaN under 2 days
  double sharpe = 0.0;             // mean(daily - rf) / std(daily) x sqrt(252)
  double sortino = 0.0;            // mean(daily - rf) / downside deviation x sqrt(252)
  double max_drawdown = 0.0;       // max over bars of 1 - equity / running peak (positive fraction)
  // Longest stretch from a peak of the per-bar equity curve to the first point back at or above
  // it (or to the last point if never recovered), counted in New York trading days of the
  // timeline and in timeline bars. Initial cash is the first peak, one bar and one day before
  // the first timeline point. Each is the maximum over all drawdowns, independently.
  std::size_t max_drawdown_days = 0;
  std::size_t max_drawdown_bars = 0;
  double calmar = 0.0;  // annual_return / max_drawdown

  // Trades (money in the account currency).
  std::size_t trades = 0;
  double win_rate = 0.0;              // share of trades with pnl > 0; NaN without trades
  double profit_factor = 0.0;         // sum of positive pnl / |sum of negative pnl|
  double average_win = 0.0;           // mean pnl of trades with pnl > 0; NaN without any
  double average_loss = 0.0;          // mean pnl of trades with pnl < 0 (negative); NaN without any
  double expectancy = 0.0;            // mean pnl per trade; NaN without trades
  double average_holding_bars = 0.0;  // mean Trade::holding_bars; NaN without trades

  // Activity.
  double exposure = 0.0;        // share of timeline points with gross_exposure > 0
  double turnover = 0.0;        // traded_value / mean per-bar equity / days (a fraction per day)
  double trades_per_day = 0.0;  // trades / days
  double total_fees = 0.0;      // BacktestResult::total_fees
  std::size_t days = 0;         // New York days in the timeline
  std::size_t bars = 0;         // timeline points
};

// Input errors: those of daily_returns(), and a gross_exposure series whose length differs from
// the timeline's.
core::Result<Performance> compute_performance(const BacktestResult& result, const PerformanceOptions& options = {});

// The Sharpe ratio of per-period returns, not annualised: mean(returns - risk_free) /
// std(returns, ddof 1). NaN under 2 returns; the zero-denominator rule above when all returns
// are equal.
double sharpe_ratio(const std::vector<double>& returns, double risk_free = 0.0);

struct TickerPerformance {
  std::string ticker;
  std::size_t trades = 0;
  double win_rate = 0.0;       // as in Performance; NaN without trades
  double profit_factor = 0.0;  // as in Performance
  double total_pnl = 0.0;      // sum of Trade::pnl (fees already deducted)
  double fees = 0.0;           // sum of Trade::fees
};

// One entry per BacktestResult::tickers, in that order, tickers without trades included.
// Input error: a trade whose ticker index is outside tickers.
core::Result<std::vector<TickerPerformance>> per_ticker(const BacktestResult& result);

struct MonthlyReturn {
  int year = 0;
  int month = 0;     // 1..12
  double ret = 0.0;  // product of (1 + daily return) over the month's days - 1
  std::size_t days = 0;
};

// Calendar months (New York dates) that contain at least one day, ascending; months without
// days are absent, not zero.
std::vector<MonthlyReturn> monthly_returns(const std::vector<DailyReturn>& daily);

}  // namespace itrade::evaluation

#pragma once
// The event-driven backtester (docs/backtesting.md): replays the bars of several tickers on one
// merged timeline, turns each ticker's signal into orders with a per-ticker state machine, fills
// them with slippage and commission, and keeps the accounts in one Portfolio (one cash balance
// shared by every ticker).
//
// Timeline: every distinct bar start of any ticker, ascending. At each instant:
//   1. next_open mode: the orders decided at each ticker's previous bar fill at this bar's OPEN,
//      in ticker order, with the quantities sized at their decision (before any price of this
//      instant's closes is looked at);
//   2. for each ticker with a bar at this instant, in ticker order: its close becomes its mark;
//      then the decision at the close (flatten / end of data / max holding / signal exit,
//      reversal, entry) and the entry's size, on the equity at this instant's closes (the rules
//      are execution's trading policy, shared with the live engine); close mode fills it at this
//      close, next_open mode keeps it pending for the ticker's next bar's open;
//   3. equity, cash and gross exposure are recorded (and reported to the risk manager, if any).
// A signal computed at bar t's close therefore trades at bar t+1's open (DESIGN.md, "Backtest
// semantics"); nothing after bar t can change a fill decided at t, and the signal of bar t+1
// cannot change any fill at or before t+1's open.
//
// Sizing, commission, the cash limit of longs and every rule of the state machine are in the
// doc, with their formulas. Cost: O(bars of all tickers) plus O(open positions) per instant and
// per fill; no allocation per bar.

#include <optional>
#include <span>
#include <vector>

#include "core/bars.h"
#include "core/result.h"
#include "evaluation/backtest_config.h"
#include "evaluation/backtest_result.h"
#include "execution/risk_config.h"
#include "execution/sector_map.h"

namespace itrade::execution {
class RiskManager;
}

namespace itrade::evaluation {

// One ticker's predictions, aligned with its bars (same length): signal in [-1, 1] (> 0 long,
// < 0 short; NaN = no prediction for that bar), confidence in [0, 1] (ignored, and may be NaN,
// where the signal is NaN).
struct TickerSignals {
  std::vector<double> signal;
  std::vector<double> confidence;
};

// The risk manager a backtest sends its entries through, as paper and live trading do
// (docs/backtesting.md, "Risk limits"). The backtester feeds it every close and the equity after
// every instant and asks it about every entry, at the decision time: the bar's start plus
// `bar_length`. Exits never ask: they are always allowed. The manager keeps its state (trips,
// halts) after the run; give each run a fresh one.
struct BacktestRisk {
  execution::RiskManager* manager = nullptr;  // nullptr: no limits but cash
  core::Timestamp bar_length = 5 * core::kNanosPerMinute;
};

// A run's risk settings (config/risk.yaml and the sector map): each backtest builds a fresh
// RiskManager from them, so that no run inherits another's halts.
struct RiskSettings {
  execution::RiskConfig limits;
  execution::SectorMap sectors;
  core::Timestamp bar_length = 5 * core::kNanosPerMinute;
};

// Runs the backtest of `bars[i]` driven by `signals[i]` (one entry per ticker, same order).
// Input errors: config.check() fails; signals.size() != bars.size(); a ticker's signal or
// confidence length differs from its bar count (naming the ticker); a signal outside [-1, 1] or a
// confidence outside [0, 1] (NaN included) where the signal is not NaN, an open or close that is
// not a finite positive price, timestamps not strictly increasing (naming ticker and bar time).
// Tickers with no bars take part in nothing. Zero tickers give an empty result.
core::Result<BacktestResult> run_backtest(std::span<const core::BarSeries> bars, std::span<const TickerSignals> signals,
                                          const BacktestConfig& config, const BacktestRisk& risk = {});
// The same with a fresh risk manager built from `risk`, or none when it is empty.
core::Result<BacktestResult> run_backtest_with_limits(std::span<const core::BarSeries> bars,
                                                      std::span<const TickerSignals> signals,
                                                      const BacktestConfig& config,
                                                      const std::optional<RiskSettings>& risk);

// The number of shares an entry gets (0 = no entry): execution::entry_quantity with the config's
// policy and commission (trading_policy.h; docs/backtesting.md "Sizing"). `fill_price` is the
// expected fill price, slippage included.
double entry_quantity(const BacktestConfig& config, Side side, double strength, double equity, double cash,
                      double fill_price);

}  // namespace itrade::evaluation

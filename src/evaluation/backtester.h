#pragma once
// The event-driven backtester (docs/backtesting.md): replays the bars of several tickers on one
// merged timeline, turns each ticker's signal into orders with a per-ticker state machine, fills
// them with slippage and commission, and keeps the accounts in one Portfolio (one cash balance
// shared by every ticker).
//
// Timeline: every distinct bar start of any ticker, ascending. At each instant:
//   1. next_open mode: the orders decided at each ticker's previous bar fill at this bar's OPEN,
//      in ticker order (before any price of this instant's closes is looked at);
//   2. for each ticker with a bar at this instant, in ticker order: its close becomes its mark;
//      then the decision at the close (flatten / end of data / max holding / signal exit,
//      reversal, entry); close mode fills it at this close, next_open mode keeps it pending for
//      the ticker's next bar's open;
//   3. equity, cash and gross exposure are recorded.
// A signal computed at bar t's close therefore trades at bar t+1's open (DESIGN.md, "Backtest
// semantics"); nothing after bar t can change a fill decided at t, and the signal of bar t+1
// cannot change any fill at or before t+1's open.
//
// Sizing, commission, the cash limit of longs and every rule of the state machine are in the
// doc, with their formulas. Cost: O(bars of all tickers) plus O(open positions) per instant and
// per fill; no allocation per bar.

#include <span>
#include <vector>

#include "core/bars.h"
#include "core/result.h"
#include "evaluation/backtest_config.h"
#include "evaluation/backtest_result.h"

namespace itrade::evaluation {

// One ticker's predictions, aligned with its bars (same length): signal in [-1, 1] (> 0 long,
// < 0 short; NaN = no prediction for that bar), confidence in [0, 1] (ignored, and may be NaN,
// where the signal is NaN).
struct TickerSignals {
  std::vector<double> signal;
  std::vector<double> confidence;
};

// Runs the backtest of `bars[i]` driven by `signals[i]` (one entry per ticker, same order).
// Input errors: config.check() fails; signals.size() != bars.size(); a ticker's signal or
// confidence length differs from its bar count (naming the ticker); a signal outside [-1, 1] or a
// confidence outside [0, 1] (NaN included) where the signal is not NaN, an open or close that is
// not a finite positive price, timestamps not strictly increasing (naming ticker and bar time).
// Tickers with no bars take part in nothing. Zero tickers give an empty result.
core::Result<BacktestResult> run_backtest(std::span<const core::BarSeries> bars, std::span<const TickerSignals> signals,
                                          const BacktestConfig& config);

// The number of shares an entry fills (0 = no entry), docs/backtesting.md "Sizing":
//   value = position_fraction x strength x equity, strength = |signal| x confidence;
//   quantity = value / fill_price, floored to whole shares when config.whole_shares;
//   a long is then reduced to the largest quantity with quantity x fill_price + commission <= cash;
//   a quantity below one share (whole shares) or <= 0 (fractional) gives 0.
// `fill_price` includes slippage. A short is not limited by cash (no margin model).
double entry_quantity(const BacktestConfig& config, Side side, double strength, double equity, double cash,
                      double fill_price);

}  // namespace itrade::evaluation

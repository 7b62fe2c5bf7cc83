#pragma once
// What a backtest produces (docs/backtesting.md): every round-trip trade, and the portfolio's
// equity at every instant of the merged bar timeline. The analytics (analytics.h) read only this,
// so that a backtest from a model, from a signals file or from a live paper account's records is
// scored the same way.

#include <cstddef>
#include <string>
#include <vector>

#include "core/time.h"
#include "execution/risk_limit.h"
#include "execution/trading_policy.h"

namespace itrade::evaluation {

enum class Side { long_position = 1, short_position = -1 };

// Why a position was closed: the trading policy's reasons, shared with the live engine.
using ExitReason = execution::ExitReason;
using execution::exit_reason_name;

// One round trip: a position opened by one fill and closed by one fill. Prices are fill prices,
// slippage included; fees are the commissions of both fills in the account currency.
struct Trade {
  int ticker = 0;  // index into BacktestResult::tickers
  Side side = Side::long_position;
  core::Timestamp entry_ts = 0;  // start of the bar whose open (or close, in close mode) filled
  core::Timestamp exit_ts = 0;
  // Start of the bar at whose close the entry was decided: its signal opened the trade. next_open
  // mode: the ticker's bar before the entry bar; close mode: the entry bar itself.
  core::Timestamp decision_ts = 0;
  double entry_price = 0.0;
  double exit_price = 0.0;
  double quantity = 0.0;  // shares, > 0 (the side says long or short)
  double fees = 0.0;      // entry + exit commissions
  double pnl = 0.0;       // side x quantity x (exit - entry) - fees
  int holding_bars = 0;   // bars of the ticker from the entry bar to the exit bar, both included
  ExitReason reason = ExitReason::signal;

  double entry_value() const { return quantity * entry_price; }
  // pnl as a fraction of the entry value.
  double return_fraction() const { return entry_value() > 0.0 ? pnl / entry_value() : 0.0; }
};

// How often one risk limit cut the entries of a backtest.
struct RiskBlocks {
  execution::RiskLimit limit = execution::RiskLimit::none;
  std::size_t rejected = 0;  // entries not taken
  std::size_t reduced = 0;   // entries taken with fewer shares
};

struct BacktestResult {
  std::vector<std::string> tickers;
  std::vector<Trade> trades;  // in exit order
  double initial_cash = 0.0;

  // The merged timeline: every distinct bar start of any ticker, ascending. After all bars at
  // ts[k] are processed: equity[k] = cash[k] + the signed value of the open positions at their
  // last close; gross_exposure[k] = sum of |position value| (the account currency).
  std::vector<core::Timestamp> ts;
  std::vector<double> equity;
  std::vector<double> cash;
  std::vector<double> gross_exposure;

  double total_fees = 0.0;
  double traded_value = 0.0;        // sum of |quantity x fill price| over every fill
  std::size_t bar_steps = 0;        // (ticker, bar) pairs simulated
  std::size_t skipped_entries = 0;  // entries sized to nothing: no cash, or under one share

  // With a risk manager (backtester.h, BacktestRisk): the loss limits that tripped during the
  // run, in order, and per limit the entries it rejected or reduced (limits that never acted are
  // left out), in the order of execution::RiskLimit.
  bool risk_managed = false;
  std::vector<execution::Trip> risk_trips;
  std::vector<RiskBlocks> risk_blocks;
};

// The risk manager's part in a result, in words for the terminal and the report: "off" when the
// backtest ran without limits; else the trips ("none", or "daily_loss at 2024-08-12 14:10 UTC, ...")
// and the entries the limits cut ("none", or "session_close rejected 12, position_size reduced 3").
std::string risk_trips_text(const BacktestResult& result);
std::string risk_blocks_text(const BacktestResult& result);

}  // namespace itrade::evaluation

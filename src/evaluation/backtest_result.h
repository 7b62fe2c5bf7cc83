#pragma once
// What a backtest produces (docs/backtesting.md): every round-trip trade, and the portfolio's
// equity at every instant of the merged bar timeline. The analytics (analytics.h) read only this,
// so that a backtest from a model, from a signals file or from a live paper account's records is
// scored the same way.

#include <cstddef>
#include <string>
#include <vector>

#include "core/time.h"

namespace itrade::evaluation {

enum class Side { long_position = 1, short_position = -1 };

// Why a position was closed.
enum class ExitReason {
  signal,       // the signal no longer supported the side (|signal| fell to the exit threshold)
  reversal,     // the signal crossed to the other side's entry threshold: closed, then re-opened
  flatten,      // the last bar of the New York day: intraday positions are closed at its close
  max_holding,  // held for max_holding_bars
  end_of_data,  // the ticker's bars ended with the position open: closed at the last close
};

const char* exit_reason_name(ExitReason reason);

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
  std::size_t skipped_entries = 0;  // entries not taken for lack of cash (fewer than 1 share)
};

}  // namespace itrade::evaluation

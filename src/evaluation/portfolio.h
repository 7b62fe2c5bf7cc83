#pragma once
// Portfolio: the accounting of one account trading several tickers (docs/backtesting.md,
// "Portfolio accounting"). One cash balance is shared by every ticker; each ticker holds at most
// one position (long or short, no pyramiding); every fill moves cash by its value and its
// commission; closing a position records a Trade. The Portfolio decides nothing: the caller
// (the Backtester, later the paper-trading engine) chooses what to fill, at which price, with
// which commission, and feeds the marks.
//
// Cash flows, for a fill of q > 0 shares at fill price p (slippage included) with commission f:
//   buy  (open long, close short): cash -= q x p + f
//   sell (open short, close long): cash += q x p - f
// Shorts need no margin and pay no borrow fee (a simplification; see the doc). Cash may therefore
// go negative only if the caller lets it (the Backtester limits longs to the cash it has).
//
// equity = cash + sum over open positions of signed quantity x mark, where a mark is the latest
// price the caller gave for the ticker (a close in the Backtester). gross_exposure = sum of
// |quantity| x mark. Both cost O(open positions).
//
// Per-ticker state is one contiguous array indexed by the ticker number [0, tickers); no call
// allocates except the growth of the trade list. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/time.h"
#include "evaluation/backtest_result.h"

namespace itrade::evaluation {

struct Position {
  double quantity = 0.0;     // signed shares: > 0 long, < 0 short, 0 flat
  double entry_price = 0.0;  // fill price of the opening fill
  double entry_fees = 0.0;   // commission of the opening fill
  core::Timestamp entry_ts = 0;
  std::int64_t entry_bar = 0;  // the ticker's bar index of the opening fill
  double mark = 0.0;           // latest price given by set_mark (0 before the first)

  bool open() const { return quantity != 0.0; }
  Side side() const { return quantity > 0.0 ? Side::long_position : Side::short_position; }
};

class Portfolio {
 public:
  // `tickers` positions, all flat, marks 0; cash = initial_cash.
  Portfolio(std::size_t tickers, double initial_cash);

  std::size_t tickers() const { return positions_.size(); }
  double initial_cash() const { return initial_cash_; }
  double cash() const { return cash_; }
  const Position& position(int ticker) const { return positions_[static_cast<std::size_t>(ticker)]; }
  bool is_open(int ticker) const { return position(ticker).open(); }
  // The tickers with an open position, in no particular order.
  std::span<const int> open_tickers() const { return open_; }

  // The latest market price of `ticker` (> 0), used to value its position.
  void set_mark(int ticker, double price) { positions_[static_cast<std::size_t>(ticker)].mark = price; }

  double equity() const;
  double gross_exposure() const;

  // Opens a position on a flat ticker: `quantity` > 0 shares on `side` at `fill_price` (> 0),
  // paying `commission` (>= 0); `ts` and `bar` (the ticker's bar index) are those of the fill's
  // bar. Does not change the mark. Opening a ticker that is already open is a programming error.
  void open(int ticker, Side side, double quantity, double fill_price, double commission, core::Timestamp ts,
            std::int64_t bar);

  // Closes the open position of `ticker` with one fill at `fill_price` paying `commission`, and
  // records the round trip: fees = both commissions, pnl = side x quantity x (exit - entry) - fees,
  // holding_bars = bar - entry_bar + 1. Returns the recorded Trade (valid until the next close).
  // Closing a flat ticker is a programming error.
  const Trade& close(int ticker, double fill_price, double commission, core::Timestamp ts, std::int64_t bar,
                     ExitReason reason);

  // Room for `trades` round trips without reallocation (a hint; the list grows past it).
  void reserve_trades(std::size_t trades) { trades_.reserve(trades); }

  // Round trips in the order they were closed.
  const std::vector<Trade>& trades() const { return trades_; }
  std::vector<Trade> take_trades() { return std::move(trades_); }
  double total_fees() const { return total_fees_; }      // every commission paid
  double traded_value() const { return traded_value_; }  // sum of quantity x fill price over fills

 private:
  std::vector<Position> positions_;
  std::vector<int> open_;                // tickers with an open position
  std::vector<std::int32_t> open_slot_;  // per ticker: its index in open_, -1 when flat
  std::vector<Trade> trades_;
  double initial_cash_ = 0.0;
  double cash_ = 0.0;
  double total_fees_ = 0.0;
  double traded_value_ = 0.0;
};

}  // namespace itrade::evaluation

#pragma once
// PositionTracker: the account's book in paper and live trading (docs/execution.md, "Position
// tracker"). It holds one cash balance and, per ticker, a signed quantity at an average cost; it
// values the book at the latest marks, keeps realised P&L and commissions per ticker, anchors the
// equity at the start of each New York day and week for the risk limits, and compares itself with
// the broker's positions. It decides nothing and never talks to a broker.
//
// Cash moves exactly as in evaluation::Portfolio. For a fill of q > 0 shares at price p with
// commission f:
//   buy:  cash -= q x p + f
//   sell: cash += q x p - f
// Shorts need no margin and pay no borrow fee.
//
// Average cost is the average entry price of the open quantity: a fill in the position's direction
// averages in; a fill against it closes shares at the unchanged average and realises
// (p - average) x closed x (+1 long, -1 short); a fill larger than the position closes it and opens
// the rest the other way at p (a flip). Commissions are kept apart from realised P&L. A position
// whose |quantity| < 1e-9 shares is flat (quantity and average exactly 0). Hence, always:
//   equity = initial cash + realised P&L - commissions + unrealised P&L
// where unrealised = sum of quantity x (mark - average cost).
//
// A ticker's mark is the latest price given by set_mark (fills do not move it, as in Portfolio);
// before its first mark the average cost stands in, so its unrealised P&L is 0.
//
// Time: every fill and mark_time carries a UTC timestamp; they must come in non-decreasing order.
// The first event of a new New York calendar date (core::NyseCalendar::new_york_day) records the
// equity just before it as the day's start equity; likewise for the week (Monday to Sunday of the
// New York date). daily_pnl() and weekly_pnl() measure from those anchors. The peak equity is the
// highest equity seen after any event (including the initial cash); drawdown is measured from it.
//
// Every mutating call validates its input first: on error it returns an input error and the book
// is unchanged. Tickers are stored in a sorted map, so iteration order (and therefore every sum)
// is the same after a to_json / from_json round trip. Not thread-safe.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "execution/order.h"

namespace itrade::execution {

// One ticker of the book as the risk manager and reports see it.
struct TrackedPosition {
  std::string ticker;
  double quantity = 0.0;        // signed shares: > 0 long, < 0 short, 0 flat
  double average_cost = 0.0;    // average entry price of the open quantity (0 when flat)
  double mark = 0.0;            // latest mark; the average cost before the first mark
  bool marked = false;          // whether set_mark has given this ticker a price
  double unrealised_pnl = 0.0;  // quantity x (mark - average_cost)
  double realised_pnl = 0.0;    // closed shares x (exit - average) x side, commissions excluded
  double commissions = 0.0;     // every commission paid on this ticker

  bool open() const { return quantity != 0.0; }
  friend bool operator==(const TrackedPosition&, const TrackedPosition&) = default;
};

// One disagreement between the book and the broker.
struct PositionDifference {
  enum class Kind {
    missing_here,       // the broker holds shares the book does not know about
    missing_at_broker,  // the book holds shares the broker does not report
    quantity_differs,   // both hold the ticker, in quantities more than the tolerance apart
  };
  std::string ticker;
  Kind kind = Kind::quantity_differs;
  double ours = 0.0;    // the book's signed quantity (0 when missing here)
  double theirs = 0.0;  // the broker's signed quantity (0 when missing at the broker)
  double our_average_cost = 0.0;
  std::optional<double> their_average_cost;

  friend bool operator==(const PositionDifference&, const PositionDifference&) = default;
};

std::string_view difference_kind_name(PositionDifference::Kind kind);  // "missing_here", ...

class PositionTracker {
 public:
  // |quantity| below this many shares is flat.
  static constexpr double kFlatQuantity = 1e-9;
  // reconcile() ignores quantity differences up to this many shares.
  static constexpr double kReconcileTolerance = 1e-6;

  // An empty book holding `initial_cash` (finite; asserted). No time seen yet: the day and week
  // anchors are the initial cash until the first timed event.
  explicit PositionTracker(double initial_cash);

  // Books one execution: `quantity` > 0 shares of `ticker` (non-empty) on `side` at `price` > 0,
  // paying `commission` >= 0, at `ts`. All numbers must be finite. Input error, book unchanged,
  // for a bad argument or a ts earlier than the latest event's.
  core::Status apply_fill(std::string_view ticker, OrderSide side, double quantity, double price, double commission,
                          core::Timestamp ts);

  // Sets the latest price of `ticker` (finite, > 0). The ticker need not be held. Without a ts the
  // mark belongs to the current day; with one it is mark_time(ts) first. Input error, book
  // unchanged, for a bad price, an empty ticker or an out-of-order ts.
  core::Status set_mark(std::string_view ticker, double price);
  core::Status set_mark(std::string_view ticker, double price, core::Timestamp ts);
  // Advances the clock to `ts` (rolling the day and week anchors when a new one starts) without
  // changing the book. Call it before a batch of set_mark calls of a new bar so that the new day's
  // start equity is valued at the previous marks. Input error for a ts earlier than the latest.
  core::Status mark_time(core::Timestamp ts);
  // One instant's closes together: mark_time(ts), then every mark, then the peak once (the equity
  // between two marks of one instant is no equity the account ever had). O(marks x log tickers +
  // tickers), where one set_mark per ticker costs O(tickers) each. Input error, book unchanged,
  // for any bad mark or an out-of-order ts.
  struct Mark {
    std::string_view ticker;
    double price = 0.0;
  };
  core::Status set_marks(core::Timestamp ts, std::span<const Mark> marks);

  // --- Account ---
  double initial_cash() const { return initial_cash_; }
  double cash() const { return cash_; }
  double equity() const;                                 // cash + sum of quantity x mark
  double gross_exposure() const;                         // sum of |quantity| x mark
  double net_exposure() const;                           // sum of quantity x mark
  double realised_pnl() const { return realised_pnl_; }  // every ticker, commissions excluded
  double commissions() const { return commissions_; }    // every commission paid
  double realised_pnl_net() const { return realised_pnl_ - commissions_; }
  double unrealised_pnl() const;  // sum of quantity x (mark - average cost)

  // --- Per ticker ---
  // The ticker's line; a default line (flat, no history) for a ticker never seen.
  TrackedPosition position(std::string_view ticker) const;
  // The open positions, sorted by ticker.
  std::vector<TrackedPosition> open_positions() const;
  // Every ticker ever filled or marked, open or flat, sorted by ticker.
  std::vector<TrackedPosition> all_positions() const;

  // --- Periods (for the risk limits) ---
  // Whether a timed event (fill or mark_time) has been seen, and the latest one's ts.
  bool has_time() const { return last_ts_.has_value(); }
  std::optional<core::Timestamp> last_ts() const { return last_ts_; }
  // The New York date and the Monday of its week of the latest timed event (nullopt before one).
  std::optional<core::DayNumber> current_day() const;
  std::optional<core::DayNumber> current_week() const;
  double day_start_equity() const { return day_start_equity_; }
  double week_start_equity() const { return week_start_equity_; }
  double daily_pnl() const { return equity() - day_start_equity_; }
  double weekly_pnl() const { return equity() - week_start_equity_; }
  double peak_equity() const { return peak_equity_; }
  double drawdown() const { return peak_equity_ - equity(); }  // currency, >= 0
  // drawdown() / peak_equity() (a fraction, not percent); 0 when the peak is not positive.
  double drawdown_fraction() const;

  // --- Reconciliation ---
  // Compares the book's quantities with the broker's. Quantities of one ticker listed several
  // times are summed (lots); a broker quantity within the tolerance of 0 counts as not held.
  // Returns the differences sorted by ticker, empty when the two agree. Average costs are carried
  // for the reader but not compared. Never changes the book.
  std::vector<PositionDifference> reconcile(std::span<const BrokerPosition> broker_positions) const;
  std::vector<PositionDifference> reconcile(const std::map<std::string, double>& broker_quantities) const;

  // --- Persistence ---
  // The whole state, for a restart; from_json(to_json()) compares equal and continues identically
  // (doubles round-trip bit for bit). A malformed document is an input error naming the key.
  nlohmann::json to_json() const;
  static core::Result<PositionTracker> from_json(const nlohmann::json& state);

  friend bool operator==(const PositionTracker&, const PositionTracker&) = default;

 private:
  struct Book {
    double quantity = 0.0;
    double average_cost = 0.0;
    std::optional<double> mark;
    double realised_pnl = 0.0;
    double commissions = 0.0;

    double valuation_price() const { return mark ? *mark : average_cost; }
    friend bool operator==(const Book&, const Book&) = default;
  };

  // Checks `ts` against the clock; on success rolls the anchors if `ts` starts a new day or week.
  core::Status advance_clock(core::Timestamp ts);
  void update_peak();
  static TrackedPosition line(const std::string& ticker, const Book& book);

  std::map<std::string, Book, std::less<>> books_;
  double initial_cash_ = 0.0;
  double cash_ = 0.0;
  double realised_pnl_ = 0.0;
  double commissions_ = 0.0;
  std::optional<core::Timestamp> last_ts_;
  double day_start_equity_ = 0.0;
  double week_start_equity_ = 0.0;
  double peak_equity_ = 0.0;
};

}  // namespace itrade::execution

#pragma once
// The trading policy: how one ticker's signal becomes a target position and an order size. The
// backtester and the live engine both call these functions, so that a paper run and a backtest of
// the same signals decide the same trades (docs/execution.md, "Decision policy"; the rules and
// formulas are in docs/backtesting.md, "The state machine" and "Sizing").
//
// Decisions happen at a bar's close and see only that bar's signal and the position; sizing
// happens at the same moment, on the equity and cash known then, so that an order's quantity is
// fixed before it is sent (it fills at the next bar's open).

#include <cstdint>
#include <optional>

#include "execution/cost_model.h"

namespace itrade::execution {

struct PolicyConfig {
  double position_fraction = 0.10;  // base position value / equity, (0, 1]
  double entry_threshold = 0.10;    // |signal| >= this opens a position, (0, 1]
  double exit_threshold = 0.0;      // a long exits at signal <= this, [0, entry_threshold)
  bool long_only = false;
  int max_holding_bars = 0;  // >= 0; 0 = no limit
  bool whole_shares = true;
};

// The ranges every policy keeps (the same for backtests and the live engine): position_fraction
// (0, 1], entry_threshold (0, 1], exit_threshold [0, 1) and below entry_threshold,
// max_holding_bars [0, 1e9]. The first one broken, or nullopt. NaN breaks every range.
std::optional<ConfigProblem> policy_problem(const PolicyConfig& policy);

// Why a position was closed.
enum class ExitReason {
  signal,       // the signal no longer supported the side (|signal| fell to the exit threshold)
  reversal,     // the signal crossed to the other side's entry threshold: closed, then re-opened
  flatten,      // the last bar of the New York day: intraday positions are closed at its close
  max_holding,  // held for max_holding_bars
  end_of_data,  // the ticker's bars ended with the position open: closed at the last close
};

const char* exit_reason_name(ExitReason reason);

// What to do at a bar's close. `act` false: nothing (keep the position, stay flat). Otherwise
// move to `target` (-1 short, 0 flat, +1 long): a position on another side closes for `reason`
// first, and a new one opens with `strength` = |signal| x confidence.
struct Decision {
  bool act = false;
  int target = 0;
  ExitReason reason = ExitReason::signal;
  double strength = 0.0;
};

// The state machine at a bar that is not the ticker's closing bar (docs/backtesting.md):
//   flat:  signal >= entry -> long; signal <= -entry (not long_only) -> short;
//   held:  max_holding_bars > 0 and bars_held >= it -> flat (max_holding);
//   long:  signal <= exit -> flat (signal), or short when signal <= -entry (reversal);
//   short: signal >= -exit -> flat (signal), or long when signal >= entry (reversal).
// `side` is -1, 0 or +1; `bars_held` counts the position's bars, the entry bar and this one
// included. A NaN signal (no prediction) acts only through max_holding.
inline Decision decide(const PolicyConfig& policy, int side, std::int64_t bars_held, double signal, double confidence) {
  const double entry = policy.entry_threshold;
  const double exit = policy.exit_threshold;
  Decision d;
  if (side == 0) {
    if (signal >= entry) {
      d.target = 1;
    } else if (!policy.long_only && signal <= -entry) {
      d.target = -1;
    } else {
      return d;
    }
  } else if (policy.max_holding_bars > 0 && bars_held >= policy.max_holding_bars) {
    d.reason = ExitReason::max_holding;
  } else if (side > 0) {
    if (!(signal <= exit)) return d;
    if (!policy.long_only && signal <= -entry) {
      d.target = -1;
      d.reason = ExitReason::reversal;
    }
  } else {
    if (!(signal >= -exit)) return d;
    if (signal >= entry) {
      d.target = 1;
      d.reason = ExitReason::reversal;
    }
  }
  d.act = true;
  d.strength = d.target != 0 ? (signal < 0.0 ? -signal : signal) * confidence : 0.0;
  return d;
}

// The number of shares an entry gets (0 = no entry), docs/backtesting.md "Sizing":
//   value = position_fraction x strength x equity;
//   quantity = value / price, floored to whole shares when policy.whole_shares;
//   a long (direction > 0) is then reduced to the largest quantity with
//   quantity x price + commission <= cash;
//   a quantity below one share (whole shares) or <= 0 (fractional) gives 0.
// `price` is the price the order is expected to fill at (slippage included). A short is not
// limited by cash (no margin model).
double entry_quantity(const PolicyConfig& policy, const CommissionConfig& commission, int direction, double strength,
                      double equity, double cash, double price);

}  // namespace itrade::execution

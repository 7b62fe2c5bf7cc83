#include "evaluation/backtester.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/nyse_calendar.h"
#include "evaluation/portfolio.h"
#include "execution/risk_manager.h"
#include "execution/trading_policy.h"

namespace itrade::evaluation {

namespace {

using core::Timestamp;

constexpr Timestamp kNever = std::numeric_limits<Timestamp>::max();

// The UTC instant of the New York midnight that ends the New York day containing `ts`. New York
// midnight is 04:00 UTC under daylight time and 05:00 UTC under standard time (DST switches at
// 02:00 local, never at midnight), so one calendar lookup at 04:00 UTC settles which.
Timestamp next_new_york_midnight(Timestamp ts) {
  const core::NyseCalendar& calendar = core::NyseCalendar::instance();
  const core::DayNumber next = calendar.new_york_day(ts) + 1;
  const Timestamp daylight = core::start_of_day(next) + 4 * core::kNanosPerHour;
  return calendar.new_york_day(daylight) == next ? daylight : daylight + core::kNanosPerHour;
}

// Where a ticker's first bad value is, once the fast check below found one.
core::Error locate_bad_value(const core::BarSeries& bars, const TickerSignals& signals) {
  for (std::size_t k = 0; k < bars.size(); ++k) {
    const std::string when = core::format_utc(bars.ts[k]);
    if (k > 0 && bars.ts[k] <= bars.ts[k - 1]) {
      return core::input_error("{}: bar {}: timestamps are not strictly increasing (previous bar {}); sort the bars",
                               bars.ticker, when, core::format_utc(bars.ts[k - 1]));
    }
    for (const auto& [name, price] : {std::pair{"open", bars.open[k]}, std::pair{"close", bars.close[k]}}) {
      if (!(price > 0.0 && std::isfinite(price))) {
        return core::input_error("{}: bar {}: {} price {} is not a positive finite number; clean the bars", bars.ticker,
                                 when, name, price);
      }
    }
    const double s = signals.signal[k];
    if (std::isnan(s)) continue;
    if (!(s >= -1.0 && s <= 1.0)) {
      return core::input_error("{}: bar {}: signal {} is outside [-1, 1]; use NaN for no prediction", bars.ticker, when,
                               s);
    }
    const double c = signals.confidence[k];
    if (!(c >= 0.0 && c <= 1.0)) {
      return core::input_error("{}: bar {}: confidence {} is outside [0, 1]", bars.ticker, when, c);
    }
  }
  return core::input_error("{}: bad input", bars.ticker);  // unreachable when the fast check is right
}

// The shapes: one signal series per ticker, every column as long as the ticker's bars. The
// values are checked chunk by chunk during the replay (Simulation::stage).
core::Status check_shapes(std::span<const core::BarSeries> bars, std::span<const TickerSignals> signals) {
  if (signals.size() != bars.size()) {
    return core::input_error("{} signal series for {} tickers; give one per ticker, in the same order", signals.size(),
                             bars.size());
  }
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const core::BarSeries& b = bars[i];
    const TickerSignals& s = signals[i];
    const std::size_t n = b.size();
    if (b.open.size() != n || b.close.size() != n) {
      return core::input_error("{}: {} timestamps but {} opens and {} closes; the bar columns must have one length",
                               b.ticker, n, b.open.size(), b.close.size());
    }
    if (s.signal.size() != n || s.confidence.size() != n) {
      return core::input_error("{}: {} signals and {} confidences for {} bars; give one of each per bar", b.ticker,
                               s.signal.size(), s.confidence.size(), n);
    }
  }
  return {};
}

// One bar of one ticker as the replay reads it: copied from the columns by Simulation::stage()
// into a small per-ticker buffer, so that the time-major replay reads one short record per
// (ticker, bar) from a buffer it just wrote instead of columns spread over the heap (whose
// equal page offsets made every ticker's bar k fall into the same L1 cache set). Only what every
// bar needs: the open (a fill) and the confidence (a decision) are read from their columns by the
// few bars that use them, which keeps the record at 32 bytes, two per cache line.
struct BarRecord {
  Timestamp ts = 0;
  double close = 0.0;
  double signal = 0.0;
  bool closing = false;  // the ticker's last bar, or (flatten_at_close) its last of the New York day
};

// Where a lane's `current` points once its bars are exhausted: a bar at no instant, so that the
// replay loop needs no separate end-of-bars test for it.
constexpr BarRecord kNoMoreBars{kNever};

// One ticker's replay state. The fields the replay reads at every bar come first: one cache line.
struct alignas(64) Lane {
  const BarRecord* current = &kNoMoreBars;  // the record of bar `cursor`
  std::int64_t cursor = 0;                  // the next bar to process
  std::int64_t staged_end = 0;
  // The decision triggers, set by Simulation::arm() whenever the side changes, so that a bar with
  // nothing to do costs one well-predicted branch whatever the side: something happens at the
  // close iff signal >= act_at_or_above, signal <= act_at_or_below or bar >= act_from_bar.
  double act_at_or_above = 0.0;
  double act_at_or_below = 0.0;
  std::int64_t act_from_bar = 0;
  std::int8_t side = 0;            // +1 long, -1 short, 0 flat (mirrors the Portfolio)
  std::int8_t pending_target = 0;  // next_open: the side the pending order leaves (0 = flat)
  ExitReason pending_reason = ExitReason::signal;
  const Timestamp* ts = nullptr;  // the columns
  const double* open = nullptr;
  const double* close = nullptr;
  const double* signal = nullptr;
  const double* confidence = nullptr;
  BarRecord* staged = nullptr;  // room for kStageBars records; holds bars [.., staged_end)
  std::int64_t size = 0;
  Timestamp day_end = std::numeric_limits<Timestamp>::min();  // end of the staged bars' last NY day
  std::int64_t entry_bar = 0;
  Timestamp entry_decision_ts = 0;    // the bar whose close decided the open position
  double pending_quantity = 0.0;      // shares of the pending entry, sized at the decision
  double pending_buy_cost = 0.0;      // what the pending order's buys were expected to cost
  double pending_reference = 0.0;     // the decision bar's close
  Timestamp pending_decision_ts = 0;  // start of the pending order's decision bar
  execution::RiskManager::TickerId risk_id = 0;
};

// A bar at whose close something happens (a decision or a closing), as the replay saw it.
struct Actor {
  int ticker = 0;
  std::int64_t bar = 0;  // the ticker's bar index
  double close = 0.0;
  double signal = 0.0;
  bool closing = false;
};

static_assert(sizeof(BarRecord) == 32);
static_assert(offsetof(Lane, side) < 64, "the replay's per-bar fields share one cache line");

class Simulation {
 public:
  Simulation(std::span<const core::BarSeries> bars, std::span<const TickerSignals> signals,
             const BacktestConfig& config, const BacktestRisk& risk)
      : config_(config),
        risk_(risk.manager),
        bar_length_(risk.bar_length),
        bars_(bars),
        signals_(signals),
        portfolio_(bars.size(), config.initial_cash),
        lanes_(bars.size()),
        records_(bars.size() * kStageBars),
        upcoming_(risk.manager != nullptr ? bars.size() : 0),
        actors_(bars.size()) {
    std::int64_t longest = 0;
    for (std::size_t i = 0; i < bars.size(); ++i) {
      Lane& lane = lanes_[i];
      lane.ts = bars[i].ts.data();
      lane.open = bars[i].open.data();
      lane.close = bars[i].close.data();
      lane.signal = signals[i].signal.data();
      lane.confidence = signals[i].confidence.data();
      lane.staged = records_.data() + i * kStageBars;
      if (risk_ != nullptr) lane.risk_id = risk_->ticker_id(bars[i].ticker);
      arm(lane);
      lane.size = static_cast<std::int64_t>(bars[i].size());
      longest = std::max(longest, lane.size);
      bar_steps_ += bars[i].size();
    }
    pending_.reserve(bars.size());
    if (risk_ != nullptr) trips_before_ = risk_->trips().size();
    // Room for one round trip per 8 bar-steps (more than intraday strategies trade), capped: only
    // the pages the trades use are touched, and growing by doubling would copy them all again.
    portfolio_.reserve_trades(std::min<std::size_t>(bar_steps_ / 8, kMaxReservedTrades));
    decision_ts_.reserve(std::min<std::size_t>(bar_steps_ / 8, kMaxReservedTrades));
    // The timeline has at least as many instants as the longest ticker has bars, and exactly as
    // many when the tickers share their bar times (the usual case).
    const auto reserve = static_cast<std::size_t>(longest);
    result_.ts.reserve(reserve);
    result_.equity.reserve(reserve);
    result_.cash.reserve(reserve);
    result_.gross_exposure.reserve(reserve);
  }

  core::Result<BacktestResult> run() && {
    if (risk_ != nullptr) {
      run_loop<true>();
    } else {
      run_loop<false>();
    }
    if (error_) return std::move(*error_);
    result_.tickers.reserve(bars_.size());
    for (const core::BarSeries& b : bars_) result_.tickers.push_back(b.ticker);
    result_.initial_cash = config_.initial_cash;
    result_.total_fees = portfolio_.total_fees();
    result_.traded_value = portfolio_.traded_value();
    result_.bar_steps = bar_steps_;
    result_.skipped_entries = skipped_entries_;
    result_.trades = portfolio_.take_trades();
    // The Portfolio records the fills; the decision bar is the backtester's, kept in close order.
    for (std::size_t t = 0; t < result_.trades.size(); ++t) result_.trades[t].decision_ts = decision_ts_[t];
    if (risk_ != nullptr) {
      result_.risk_managed = true;
      const auto& trips = risk_->trips();
      result_.risk_trips.assign(trips.begin() + static_cast<std::ptrdiff_t>(trips_before_), trips.end());
      for (const RiskBlocks& b : risk_blocks_) {
        if (b.rejected + b.reduced > 0) result_.risk_blocks.push_back(b);
      }
    }
    return std::move(result_);
  }

 private:
  template <bool kRisk>
  void run_loop() {
    if (config_.fill == FillMode::next_open) {
      config_.flatten_at_close ? loop<true, true, kRisk>() : loop<true, false, kRisk>();
    } else {
      config_.flatten_at_close ? loop<false, true, kRisk>() : loop<false, false, kRisk>();
    }
  }

  // The replay. Without a risk manager an instant has two phases: every ticker with a bar at `now`
  // is marked at its close, then the bars that trigger something act, in ticker order. Marking
  // first makes the valuation at a decision (all of the instant's closes, whichever ticker decides
  // first) a plain sum over the open positions' marks. The risk manager sees each close and each
  // entry interleaved in ticker order, with the marks of the tickers not yet reached still at their
  // previous close, as it always has: with one, each bar acts as soon as it is marked.
  template <bool kNextOpen, bool kFlatten, bool kRisk>
  void loop() {
    Timestamp now = kNever;
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      Lane& lane = lanes_[i];
      if (lane.size == 0) continue;
      if (!stage<kFlatten>(static_cast<int>(i), lane)) return;
      now = std::min(now, lane.current->ts);
      if constexpr (kRisk) upcoming_[i] = {lane.current->ts, lane.current->close};
    }
    const int tickers = static_cast<int>(lanes_.size());
    while (now != kNever) {
      valuation_ready_ = false;
      sums_current_ = false;
      if constexpr (kNextOpen) {
        if (!pending_.empty()) fill_pending(now);
      }
      Timestamp next = kNever;
      Actor* actors_end = actors_.data();
      for (int i = 0; i < tickers; ++i) {
        Lane& lane = lanes_[static_cast<std::size_t>(i)];
        const BarRecord& bar = *lane.current;
        if (bar.ts == now) {
          const std::int64_t k = lane.cursor;
          portfolio_.set_mark(i, bar.close);
          if constexpr (kRisk) risk_->on_price(lane.risk_id, now, bar.close);
          // The ticker's last bar, or (flatten) its last of the New York day, closes any position;
          // otherwise the triggers (NaN fails every comparison: no entry, no signal exit).
          const double s = bar.signal;
          if (bar.closing | (s >= lane.act_at_or_above) | (s <= lane.act_at_or_below) | (k >= lane.act_from_bar))
              [[unlikely]] {
            const Actor actor{i, k, bar.close, s, bar.closing};
            if constexpr (kRisk) {
              react<kNextOpen>(lane, actor, now);
            } else {
              *actors_end++ = actor;
            }
          }
          if (++lane.cursor < lane.staged_end) {
            ++lane.current;
          } else if (!restage<kFlatten>(i, lane)) [[unlikely]] {
            return;
          }
          if constexpr (kRisk) upcoming_[static_cast<std::size_t>(i)] = {lane.current->ts, lane.current->close};
        }
        next = std::min(next, lane.current->ts);
      }
      if constexpr (!kRisk) {
        for (const Actor* actor = actors_.data(); actor != actors_end; ++actor) {
          react<kNextOpen>(lanes_[static_cast<std::size_t>(actor->ticker)], *actor, now);
        }
      }
      record(now);
      now = next;
    }
  }

  // Past the staged bars: the next chunk, or the end of the ticker's bars.
  template <bool kFlatten>
  bool restage(int i, Lane& lane) {
    if (lane.cursor < lane.size) return stage<kFlatten>(i, lane);
    lane.current = &kNoMoreBars;
    return true;
  }

  // Copies bars [cursor, cursor + kStageBars) of ticker i into its records, checking every value
  // (one branch-free test per bar; the slow locate_bad_value() names the first offender) and
  // marking the closing bars. On a bad value records the error and returns false.
  template <bool kFlatten>
  bool stage(int i, Lane& lane) {
    const std::int64_t first = lane.cursor;
    const std::int64_t size = lane.size;
    const std::int64_t last = std::min(size, first + kStageBars);
    const Timestamp* const ts = lane.ts;
    const double* const open = lane.open;
    const double* const close = lane.close;
    const double* const signal = lane.signal;
    const double* const confidence = lane.confidence;
    // One pass: check (branch-free; locate_bad_value() names the offender), mark, copy.
    constexpr double kMaxPrice = std::numeric_limits<double>::max();
    bool bad = false;
    Timestamp day_end = lane.day_end;
    BarRecord* out = lane.staged;
    for (std::int64_t k = first; k < last; ++k, ++out) {
      const Timestamp t = ts[k];
      const double o = open[k];
      const double p = close[k];
      const double x = signal[k];
      const double c = confidence[k];
      // |x| > 1 is false for NaN (no prediction); |c - 0.5| <= 0.5 is false for NaN.
      const bool bad_prediction = (std::fabs(x) > 1.0) | ((x == x) & !(std::fabs(c - 0.5) <= 0.5));
      const bool bad_price = !(o > 0.0) | !(o <= kMaxPrice) | !(p > 0.0) | !(p <= kMaxPrice);
      const Timestamp next_ts = k + 1 < size ? ts[k + 1] : kNever;
      bad |= bad_prediction | bad_price | (next_ts <= t);
      bool closing = next_ts == kNever;
      if constexpr (kFlatten) {
        if (t >= day_end) [[unlikely]] {
          day_end = next_new_york_midnight(t);
        }
        closing = next_ts >= day_end;
      }
      *out = BarRecord{t, p, x, closing};
    }
    if (bad) [[unlikely]] {
      error_ = locate_bad_value(bars_[static_cast<std::size_t>(i)], signals_[static_cast<std::size_t>(i)]);
      return false;
    }
    lane.day_end = day_end;
    lane.current = lane.staged;
    lane.staged_end = last;
    // Ask for the next chunk now: it is read kStageBars instants later, from the cache.
    const std::int64_t ahead = std::min(size, last + kStageBars);
    for (std::int64_t k = last; k < ahead; k += 8) {
      __builtin_prefetch(ts + k);
      __builtin_prefetch(open + k);
      __builtin_prefetch(close + k);
      __builtin_prefetch(signal + k);
      __builtin_prefetch(confidence + k);
    }
    return true;
  }

  // A bar that closes a position or triggers the policy, at its close (already its ticker's mark).
  template <bool kNextOpen>
  void react(Lane& lane, const Actor& bar, Timestamp now) {
    if (bar.closing) {
      // A market-on-close order in both fill modes; nothing opens.
      if (lane.side != 0) {
        close_position(bar.ticker, lane, bar.bar, now, bar.close,
                       flatten_ ? ExitReason::flatten : ExitReason::end_of_data);
      }
      return;
    }
    act<kNextOpen>(bar.ticker, lane, bar, now);
  }

  // A bar whose signal or holding time triggers the policy. Kept out of line so that the per-bar
  // path stays small enough to inline into the replay loop.
  template <bool kNextOpen>
  [[gnu::noinline]] void act(int i, Lane& lane, const Actor& bar, Timestamp now) {
    const std::int64_t k = bar.bar;
    const execution::Decision d =
        execution::decide(policy_, lane.side, k - lane.entry_bar + 1, bar.signal, lane.confidence[k]);
    if (!d.act) return;

    if constexpr (kNextOpen) {
      // Sized now, at the decision, as a live engine must (the open it fills at is not known yet).
      const double exit_cost = lane.side < 0 ? buy_cost(std::abs(portfolio_.position(i).quantity), bar.close) : 0.0;
      double quantity = 0.0;
      if (d.target != 0) {
        quantity = size_entry(i, d.target, d.strength, bar.close, now, exit_cost);
      }
      if (lane.side == 0 && quantity <= 0.0) return;
      lane.pending_target = quantity > 0.0 ? static_cast<std::int8_t>(d.target) : 0;
      lane.pending_reason = d.reason;
      lane.pending_quantity = quantity;
      lane.pending_buy_cost = exit_cost + (d.target > 0 && quantity > 0.0 ? buy_cost(quantity, bar.close) : 0.0);
      committed_estimate_ += lane.pending_buy_cost;
      lane.pending_reference = bar.close;
      lane.pending_decision_ts = now;
      // Ticker order. Decisions come in ticker order and the previous instant's orders have usually
      // filled, so the new one usually goes last.
      if (pending_.empty() || pending_.back() < i) {
        pending_.push_back(i);
      } else {
        pending_.insert(std::lower_bound(pending_.begin(), pending_.end(), i), i);
      }
    } else {
      if (lane.side != 0) close_position(i, lane, k, now, bar.close, d.reason);
      if (d.target == 0) return;
      const double quantity = size_entry(i, d.target, d.strength, bar.close, now, std::nullopt);
      if (quantity > 0.0) open_position(i, lane, k, now, bar.close, d.target, quantity, now);
    }
  }

  // What buying `quantity` shares at the close `close` is expected to cost: the decision's
  // estimate, slippage and commission included.
  double buy_cost(double quantity, double close) const {
    const double price = config_.buy_price(close);
    return quantity * price + config_.commission(quantity, price);
  }

  // The cash the orders decided but not yet filled are expected to take (next_open mode).
  double committed_cash() const {
    double committed = 0.0;
    for (const int j : pending_) committed += lanes_[static_cast<std::size_t>(j)].pending_buy_cost;
    return committed;
  }

  // The shares of an entry of ticker i in direction `target` decided at `close` (docs/backtesting.md
  // "Sizing"): on the equity at this instant's closes and the free cash, then through the risk
  // manager, if any. 0 = no entry (counted as skipped when sizing gave none). `exit_cost` is the
  // ticker's own cover of a short, claimed first (next_open); none in close mode, where nothing is
  // pending and the free cash is the cash.
  double size_entry(int i, int target, double strength, double close, Timestamp now, std::optional<double> exit_cost) {
    const double price = target > 0 ? config_.buy_price(close) : config_.sell_price(close);
    if (!valuation_ready_) {
      if (risk_ != nullptr) {
        valuation_ = positions_value_at_close(now);
      } else {
        mark_to_market();
      }
      valuation_ready_ = true;
    }
    const double cash = portfolio_.cash();
    const double equity = cash + valuation_;
    double free_cash = cash;
    if (exit_cost && target > 0) {
      // free cash = cash - (the pending buys' costs summed in ticker order + the own cover), exactly
      // as the live engine sums its open orders. The sum costs O(pending orders), so it is taken
      // only when it can bind: when the entry unlimited by cash would cost more than the cash less
      // a running estimate of it (equal to it up to rounding, far below the margin).
      free_cash = cash - (committed_estimate_ + *exit_cost);
      const double wanted = execution::entry_quantity(policy_, config_.commission, target, strength, equity,
                                                      std::numeric_limits<double>::infinity(), price);
      const double margin = 1e-6 * (std::abs(cash) + committed_estimate_) + 1e-6;
      if (wanted > 0.0 && wanted * price + config_.commission(wanted, price) > free_cash - margin) {
        free_cash = cash - (committed_cash() + *exit_cost);
      } else {
        // Cash cannot bind, so sizing again with it would return `wanted` (entry_quantity only
        // reduces a long whose cost exceeds the cash; with a NaN cash it keeps it as well).
        return accept_entry(i, target, wanted, close, now, equity);
      }
    }
    const double quantity =
        execution::entry_quantity(policy_, config_.commission, target, strength, equity, free_cash, price);
    return accept_entry(i, target, quantity, close, now, equity);
  }

  // An entry's size from the policy: 0 is counted as skipped; otherwise through the risk manager.
  double accept_entry(int i, int target, double quantity, double close, Timestamp now, double equity) {
    if (quantity <= 0.0) {
      ++skipped_entries_;
      return 0.0;
    }
    return risk_ != nullptr ? risk_check(i, target, quantity, close, now, equity) : quantity;
  }

  // The risk manager's verdict on an entry (docs/backtesting.md, "Risk limits"): the order as a live
  // engine would send it, against the positions the account will hold once the orders already
  // decided have filled (ticker i's own position is closing, so it counts as flat).
  double risk_check(int i, int target, double quantity, double close, Timestamp now, double equity) {
    risk_positions_.clear();
    for (const int j : portfolio_.open_tickers()) {
      if (j == i || std::binary_search(pending_.begin(), pending_.end(), j)) continue;
      risk_positions_.push_back(
          {bars_[static_cast<std::size_t>(j)].ticker, portfolio_.position(j).quantity, portfolio_.position(j).mark});
    }
    for (const int j : pending_) {
      const Lane& other = lanes_[static_cast<std::size_t>(j)];
      if (j == i || other.pending_target == 0) continue;
      risk_positions_.push_back({bars_[static_cast<std::size_t>(j)].ticker,
                                 other.pending_target * other.pending_quantity, other.pending_reference});
    }
    execution::OrderRequest order;
    order.client_order_id = "backtest";
    order.ticker = bars_[static_cast<std::size_t>(i)].ticker;
    order.side = target > 0 ? execution::OrderSide::buy : execution::OrderSide::sell;
    order.quantity = quantity;
    order.reference_price = close;
    order.ts = now + bar_length_;
    const execution::RiskDecision decision = risk_->check_order(order, {equity, risk_positions_});
    if (decision.verdict != execution::Verdict::approve) {
      RiskBlocks& blocks = risk_blocks_[static_cast<std::size_t>(decision.limit)];
      blocks.limit = decision.limit;
      ++(decision.verdict == execution::Verdict::reject ? blocks.rejected : blocks.reduced);
    }
    return decision.verdict == execution::Verdict::reject ? 0.0 : decision.approved_quantity;
  }

  // The triggers of step() for the lane's side: flat, an entry (|signal| >= entry_threshold, longs
  // only when long_only); long, signal <= exit_threshold (a reversal is a special exit); short,
  // signal >= -exit_threshold; in a position, the max_holding_bars-th bar from the entry bar.
  void arm(Lane& lane) const {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    constexpr std::int64_t kNoBar = std::numeric_limits<std::int64_t>::max();
    if (lane.side == 0) {
      lane.act_at_or_above = policy_.entry_threshold;
      lane.act_at_or_below = policy_.long_only ? -kInf : -policy_.entry_threshold;
      lane.act_from_bar = kNoBar;
      return;
    }
    const std::int64_t max_holding = policy_.max_holding_bars;
    lane.act_at_or_above = lane.side > 0 ? kInf : -policy_.exit_threshold;
    lane.act_at_or_below = lane.side > 0 ? policy_.exit_threshold : -kInf;
    lane.act_from_bar = max_holding > 0 ? lane.entry_bar + max_holding - 1 : kNoBar;
  }

  // next_open: the orders pending for this instant fill at their bar's open, in ticker order, with
  // the quantities decided at the previous close. A pending order always has a next bar: none is
  // decided at a ticker's last bar.
  void fill_pending(Timestamp now) {
    std::size_t kept = 0;
    for (const int i : pending_) {
      Lane& lane = lanes_[static_cast<std::size_t>(i)];
      if (lane.current->ts == now) {
        const double open = lane.open[lane.cursor];
        committed_estimate_ -= lane.pending_buy_cost;
        if (lane.side != 0) close_position(i, lane, lane.cursor, now, open, lane.pending_reason);
        if (lane.pending_target != 0) {
          open_position(i, lane, lane.cursor, now, open, lane.pending_target, lane.pending_quantity,
                        lane.pending_decision_ts);
        }
      } else {
        pending_[kept++] = i;
      }
    }
    pending_.resize(kept);
    if (pending_.empty()) committed_estimate_ = 0.0;  // no drift carried from one set of orders to the next
  }

  // Closes ticker i's open position at market price `price` on its bar k.
  void close_position(int i, Lane& lane, std::int64_t k, Timestamp now, double price, ExitReason reason) {
    const double fill_price = lane.side > 0 ? config_.sell_price(price) : config_.buy_price(price);
    const double signed_quantity = portfolio_.position(i).quantity;
    const double quantity = std::abs(signed_quantity);
    portfolio_.close(i, fill_price, config_.commission(quantity, fill_price), now, k, reason);
    decision_ts_.push_back(lane.entry_decision_ts);
    lane.side = 0;
    arm(lane);
    if (valuation_ready_) valuation_ -= signed_quantity * portfolio_.position(i).mark;
    sums_current_ = false;
  }

  // Opens `quantity` shares of ticker i in direction `target` at market price `price` on its bar
  // k, recording `decision_ts` (the bar whose close decided it) for the trade.
  void open_position(int i, Lane& lane, std::int64_t k, Timestamp now, double price, int target, double quantity,
                     Timestamp decision_ts) {
    const Side side = target > 0 ? Side::long_position : Side::short_position;
    const double fill_price = target > 0 ? config_.buy_price(price) : config_.sell_price(price);
    portfolio_.open(i, side, quantity, fill_price, config_.commission(quantity, fill_price), now, k);
    lane.side = static_cast<std::int8_t>(target);
    lane.entry_bar = k;
    lane.entry_decision_ts = decision_ts;
    arm(lane);
    portfolio_.set_mark(i, price);
    if (valuation_ready_) valuation_ += portfolio_.position(i).quantity * price;
    sums_current_ = false;
  }

  // The value of the open positions for a fill at the close of `now`: each at its close at `now`
  // when its ticker has a bar then (all closes of an instant are known together, whichever
  // ticker is processed first), at its last mark otherwise. Computed at the first entry of an
  // instant's close phase (O(open positions)); the fills then keep it up to date, each position
  // entering and leaving at its mark (set to the fill's market price).
  //
  // Without a risk manager every ticker with a bar at `now` is already marked at its close, so
  // the value is the marks' sum (mark_to_market): the same products added in the same order as
  // the form below, which a risk-managed replay needs: there tickers already processed at this
  // instant have moved their cursor past `now` and carry this close as their mark, the others are
  // read from upcoming_.
  //
  // The marks' sums are record()'s too, bit for bit, as long as no fill changes the open positions
  // before the instant ends (next_open mode, an instant without a closing bar after its first
  // entry decision): record() then takes them instead of a second pass. The gross exposure rides
  // along on the same pass at no extra latency.
  void mark_to_market() {
    double value = 0.0;
    double exposure = 0.0;
    for (const int j : portfolio_.open_tickers()) {
      const Position& position = portfolio_.position(j);
      const double v = position.quantity * position.mark;
      value += v;
      exposure += std::abs(v);
    }
    valuation_ = value;
    exposure_ = exposure;
    sums_current_ = true;
  }

  double positions_value_at_close(Timestamp now) const {
    double value = 0.0;
    for (const int j : portfolio_.open_tickers()) {
      const Upcoming& upcoming = upcoming_[static_cast<std::size_t>(j)];
      const Position& position = portfolio_.position(j);
      value += position.quantity * (upcoming.ts == now ? upcoming.close : position.mark);
    }
    return value;
  }

  void record(Timestamp now) {
    if (!sums_current_) mark_to_market();  // the instant is over: the sums are no decision's any more
    const double value = valuation_;
    const double exposure = exposure_;
    result_.ts.push_back(now);
    result_.cash.push_back(portfolio_.cash());
    result_.equity.push_back(portfolio_.cash() + value);
    result_.gross_exposure.push_back(exposure);
    // The loss limits see the equity at every bar's end, as a live engine reports it.
    if (risk_ != nullptr) risk_->on_equity(now + bar_length_, portfolio_.cash() + value);
  }

  static constexpr std::int64_t kStageBars = 32;               // x 32 bytes x 100 tickers = 100 KiB
  static constexpr std::size_t kMaxReservedTrades = 1u << 20;  // x (88 + 8) bytes = 96 MiB of address space

  const BacktestConfig& config_;
  const execution::PolicyConfig policy_ = config_.policy();
  execution::RiskManager* const risk_;
  const Timestamp bar_length_;
  const bool flatten_ = config_.flatten_at_close;
  std::span<const core::BarSeries> bars_;
  std::span<const TickerSignals> signals_;
  std::optional<core::Error> error_;
  Portfolio portfolio_;
  std::vector<Lane> lanes_;
  std::vector<BarRecord> records_;  // kStageBars per ticker
  // With a risk manager, each ticker's next unprocessed bar (its start and close; kNever when none
  // is left), copied from its lane as it advances: the valuation at a decision reads this compact
  // array instead of following every open position's record pointer.
  struct Upcoming {
    Timestamp ts = kNever;
    double close = 0.0;
  };
  std::vector<Upcoming> upcoming_;
  std::vector<Actor> actors_;           // the bars of this instant that act, in ticker order (room for all)
  std::vector<int> pending_;            // next_open: tickers with a pending order, ascending
  std::vector<Timestamp> decision_ts_;  // Trade::decision_ts of each closed trade, in close order
  double valuation_ = 0.0;              // positions' value at this instant's closes, when ready
  double committed_estimate_ = 0.0;     // running sum of the pending orders' pending_buy_cost
  double exposure_ = 0.0;               // gross exposure at this instant's closes, when sums_current_
  bool valuation_ready_ = false;
  bool sums_current_ = false;  // valuation_ and exposure_ are the marks' sums over the open positions
  BacktestResult result_;
  std::size_t bar_steps_ = 0;
  std::size_t skipped_entries_ = 0;
  std::vector<execution::PositionView> risk_positions_;  // risk_check's scratch
  std::array<RiskBlocks, execution::kRiskLimitCount> risk_blocks_{};
  std::size_t trips_before_ = 0;  // the risk manager's trips before this run
};

}  // namespace

double entry_quantity(const BacktestConfig& config, Side side, double strength, double equity, double cash,
                      double fill_price) {
  return execution::entry_quantity(config.policy(), config.commission, side == Side::long_position ? 1 : -1, strength,
                                   equity, cash, fill_price);
}

core::Result<BacktestResult> run_backtest(std::span<const core::BarSeries> bars, std::span<const TickerSignals> signals,
                                          const BacktestConfig& config, const BacktestRisk& risk) {
  if (auto checked = config.check(); !checked) return checked.error();
  if (auto shapes = check_shapes(bars, signals); !shapes) return shapes.error();
  if (!(risk.bar_length > 0)) return core::input_error("the bar length must be positive, got {} ns", risk.bar_length);
  return Simulation(bars, signals, config, risk).run();
}

core::Result<BacktestResult> run_backtest_with_limits(std::span<const core::BarSeries> bars,
                                                      std::span<const TickerSignals> signals,
                                                      const BacktestConfig& config,
                                                      const std::optional<RiskSettings>& risk) {
  if (!risk) return run_backtest(bars, signals, config);
  execution::RiskManager manager(risk->limits, risk->sectors);
  return run_backtest(bars, signals, config, BacktestRisk{&manager, risk->bar_length});
}

}  // namespace itrade::evaluation

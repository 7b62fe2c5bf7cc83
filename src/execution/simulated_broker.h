#pragma once
// SimulatedBroker: the paper-trading broker (docs/execution.md, "Simulated broker"). It fills
// approved orders against the bars it is fed, with the backtester's fill and cost model
// (docs/backtesting.md, "Fills"): an order decided at a bar's close fills at the ticker's next
// bar's open, a market order with CostModel's slippage, every fill paying CostModel's commission;
// a market-on-close order fills at that next bar's close instead, also with slippage.
// It keeps its own book (a PositionTracker), as a real broker keeps the account, so that the
// engine's book can be reconciled with it.
//
// Time is simulated only: nothing here reads a clock, sleeps or starts a thread, so the same
// calls give the same events, bit for bit.
//
// Fill rules, for the working orders of the bar's ticker: first those that trade at the open
// (market, limit), in submission order, then the market-on-close ones, in submission order, so
// that a position opened at a bar's open can be closed at its close (the fill events come in
// that order too):
//   eligibility  the bar's START >= the order's decision time (request ts) + latency, for every
//                type. The decision time is the end of the bar it was decided on, so with
//                latency 0 the first eligible bar is the next one; a bar that started earlier is
//                ignored. A market-on-close order decided at bar k's close thus fills at bar
//                k+1's close, not at bar k's (whose close is its decision time).
//   market       fills at cost.fill_price(side, open) (slippage against the order).
//   moc          market_on_close: fills at cost.fill_price(side, close) (slippage against the
//                order), how the backtester flattens at the day's last bar.
//   limit buy    open <= limit: at the open; else low <= limit: at the limit; else no fill.
//   limit sell   open >= limit: at the open; else high >= limit: at the limit; else no fill.
//                No slippage on limit fills: the limit guarantees the price.
//   commission   cost.commission(quantity, fill price) for each fill.
//   volume       max_participation 0: an order fills whole at one bar. Otherwise the bar offers
//                max_participation x volume shares, shared by its orders in the fill order above
//                (the open's, then the close's; floored to whole shares for an order of whole
//                shares); an order takes what is left of it, up to its remaining quantity, and
//                keeps working for the rest. Less than 1 share offered: nothing fills at that
//                bar. A bar without volume (negative or NaN) fills whole.
// Every working order is a DAY order, market-on-close included: end_of_day() expires it.
//
// Events (BrokerEvent, returned by poll_events() in the order they were queued):
//   submit      accepted, broker order id "SIM-<n>". A client order id the broker already knows:
//               rejected ("duplicate client order id"), under a broker order id of its own, so
//               that an order manager which knows the original's id ignores it; no second order.
//               (The request itself is well formed: the risk manager refuses anything else.)
//   on_bar      one fill per execution, exec id "SIM-E<n>", ts = the bar's start (market-on-close
//               fills too: a bar has no end time), the open's fills before the close's.
//   cancel      cancelled, for a working order (its rest never fills).
//   end_of_day  expired, for every working order.
// Ids count from 1 over the broker's life.
//
// Not thread-safe.

#include <cstddef>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "execution/broker.h"
#include "execution/cost_model.h"
#include "execution/order.h"
#include "execution/position_tracker.h"
#include "execution/risk_manager.h"
#include "features/operator.h"

namespace itrade::execution {

struct SimulatedBrokerConfig {
  CostModel cost;                  // commission and slippage, as in the backtester
  double initial_cash = 100'000;   // account currency, finite and > 0
  double max_participation = 0.0;  // fraction of a bar's volume an order book may take, [0, 1]; 0 = no limit
  core::Timestamp latency = 0;     // ns, >= 0: the earliest fill is at a bar starting >= decision + latency

  // Input error naming the field for a value out of range (the cost model's ranges are the
  // backtest config's: slippage_bps [0, 1000], commission per_share [0, 100], minimum [0, 1e15],
  // maximum_fraction [0, 1], bps [0, 10000]).
  core::Status check() const;
};

class SimulatedBroker final : public Broker {
 public:
  // Deterministic delivery faults, to test the engine's handling of repeats and reordering end to
  // end. Applied by poll_events() to each batch: reverse_batches reverses it, then
  // duplicate_events sends every event twice in a row.
  struct Faults {
    bool duplicate_events = false;
    bool reverse_batches = false;
  };

  // Input error when config.check() fails.
  static core::Result<SimulatedBroker> create(const SimulatedBrokerConfig& config);

  const SimulatedBrokerConfig& config() const { return config_; }
  void set_faults(const Faults& faults) { faults_ = faults; }

  // --- Broker ---
  // Records the order (or refuses it with a rejected event); always OK: the simulation is always
  // reachable.
  core::Status submit(const ApprovedOrder& order) override;
  // A working order: queues cancelled, OK. An order already filled, cancelled, expired: no event,
  // OK (the fill, or the earlier end, won). Input error for an id the broker never accepted. The
  // event's ts is the latest time the broker was told of (a bar's start, a submission, an end of day).
  core::Status cancel(std::string_view client_order_id) override;
  // The queued events, in arrival order (see Faults), and clears the queue.
  std::vector<BrokerEvent> poll_events() override;
  // The book's open positions, sorted by ticker, with its average costs. Never fails.
  core::Result<std::vector<BrokerPosition>> positions() override;
  // The book's cash and equity (positions at the latest closes). Never fails.
  core::Result<BrokerAccount> account() override;

  // --- The market ---
  // One bar of `ticker` (bar.ts = its start): fills the eligible working orders of the ticker (see
  // the header comment), books the fills, then marks the ticker at the close. Input error, nothing
  // changed, for an empty ticker, a price (open, high, low, close) not finite and > 0, a bar not
  // later than the ticker's previous one, or a bar earlier than the latest bar of any ticker (the
  // book's clock never goes back; bars of several tickers at one ts are fine).
  core::Status on_bar(std::string_view ticker, const features::BarPoint& bar);
  // The session ended at `ts`: every working order expires (DAY time in force), one expired event
  // each, in submission order.
  void end_of_day(core::Timestamp ts);

  // --- Inspection ---
  // The broker's own book.
  const PositionTracker& book() const { return book_; }
  // Orders still working (accepted, not fully filled, not cancelled or expired).
  std::size_t working_count() const { return working_.size(); }

  // --- Persistence ---
  // The whole state, for a restart: the config, the faults, every order with its fill progress
  // and state, the working list, the queued events not yet polled, the id counters, each
  // ticker's latest bar, the clocks and the book (PositionTracker::to_json). from_json(to_json())
  // continues bit for bit identically: the same later calls give the same events (doubles
  // round-trip exactly, also through dump() and parse()).
  nlohmann::json to_json() const;
  // Input error naming the key (e.g. "orders[2].state", "book: ...") for a malformed or
  // inconsistent document.
  static core::Result<SimulatedBroker> from_json(const nlohmann::json& state);

 private:
  enum class State { working, filled, cancelled, expired };
  struct SimOrder {
    OrderRequest request;
    std::string broker_order_id;
    double filled_quantity = 0.0;
    State state = State::working;
  };

  explicit SimulatedBroker(const SimulatedBrokerConfig& config);

  // The fill price of `order` at `bar`, or nullopt when a limit is not reached.
  std::optional<double> fill_price(const OrderRequest& order, const features::BarPoint& bar) const;
  std::string next_broker_order_id();
  // Moves now_ to `ts` if later.
  void advance_now(core::Timestamp ts);

  SimulatedBrokerConfig config_;
  Faults faults_;
  PositionTracker book_;
  std::deque<SimOrder> orders_;                                // submission order
  std::vector<std::size_t> working_;                           // orders_ indices of working orders, ascending
  std::unordered_map<std::string, std::size_t> index_;         // client_order_id -> orders_ index
  std::unordered_map<std::string, core::Timestamp> last_bar_;  // ticker -> latest bar start
  std::vector<BrokerEvent> queue_;
  std::optional<core::Timestamp> book_ts_;  // the latest bar start of any ticker: the book's clock
  core::Timestamp now_ = 0;  // the latest time the broker was told of (bars, submissions, end of day): a cancel's ts
  std::size_t next_order_number_ = 1;
  std::size_t next_exec_number_ = 1;
};

}  // namespace itrade::execution

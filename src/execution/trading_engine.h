#pragma once
// TradingEngine: the paper and live trading loop after the model (docs/execution.md, "Trading
// engine"). Fed one batch of bars per instant, each with its prediction, it books the broker's
// events, marks the book, decides with the trading policy the backtester uses (trading_policy.h),
// sizes at the decision, asks the risk manager and sends the approved orders to the broker.
//
// Per batch (instant t, the bars of every ticker that has one at t):
//   1. the broker's events since the last batch go to the order manager; fills go to the book
//      (a market order decided at the previous close filled at this bar's open; a market-on-close
//      order at this bar's close);
//   2. each bar's close marks the book and goes to the risk manager (on_price, at the bar start);
//   3. for each ticker, in ticker order, unless the bar is its session's last: the policy's
//      decision; an exit is a market order for the whole position; an entry is sized on the book's
//      equity and the cash the pending buys have not claimed, then checked by the risk manager
//      against the positions the account will hold once the pending orders fill; a reversal is the
//      exit and then the entry, two orders; when the next bar is the session's last, a
//      market-on-close order closes the position the ticker will hold then (the backtester's
//      flatten at the day's last close);
//   4. the book's equity goes to the risk manager (on_equity, at the bar end).
// This is the backtester's order of events (backtester.h), so the same bars and predictions give
// the same fills as run_backtest in next_open mode with flatten_at_close and a risk manager
// (the parity test). The caller feeds the broker's market first (SimulatedBroker::on_bar for every
// bar of the instant, then end_of_day after the session's last batch).
//
// Not thread-safe.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "execution/broker.h"
#include "execution/cost_model.h"
#include "execution/feedback_logger.h"
#include "execution/order_manager.h"
#include "execution/position_tracker.h"
#include "execution/risk_manager.h"
#include "execution/trading_policy.h"
#include "features/operator.h"

namespace itrade::execution {

struct EngineConfig {
  PolicyConfig policy;
  CostModel cost;  // the broker's costs, for the cash an order is expected to take
  double initial_cash = 100'000.0;
  core::Timestamp bar_length = 5 * core::kNanosPerMinute;
  // Shadow mode: decide, size and ask the risk manager as usual, log the intended orders, send
  // nothing. The book stays flat, so every decision is made from a flat account.
  bool shadow = false;
};

// One ticker's bar at the batch's instant, with the model's prediction at its close (signal NaN:
// no prediction).
struct EngineBar {
  std::size_t ticker = 0;  // index into the engine's tickers
  features::BarPoint bar;
  double signal = 0.0;
  double confidence = 0.0;
};

// What the engine decided for one ticker at one close, for the feedback log.
struct EngineDecision {
  core::Timestamp ts = 0;  // the decision time: the bar's end
  std::string ticker;
  double signal = 0.0;
  double confidence = 0.0;
  Decision decision;
  double sized_quantity = 0.0;  // the entry's shares before the risk manager (0: no entry)
  RiskDecision risk;            // the entry's check (verdict reject with limit none when no entry)
};

class TradingEngine {
 public:
  // Input error when the config is out of range (policy thresholds, cash, bar length) or a ticker
  // is empty or repeated.
  static core::Result<TradingEngine> create(std::vector<std::string> tickers, const EngineConfig& config,
                                            RiskManager& risk, Broker& broker);

  // One instant: `bars` holds at most one bar per ticker, all starting at `ts`, in ascending ticker
  // order. Input error, nothing changed, when they do not; runtime error when the broker fails.
  core::Status on_bars(core::Timestamp ts, std::span<const EngineBar> bars);

  // A restart's replay of the bars up to the snapshot: their closes rebuild the risk manager's
  // market data (last prices, return windows), which is not state; nothing else changes.
  void catch_up(core::Timestamp ts, std::span<const EngineBar> bars);

  // The engine's state after the last batch, for a snapshot: the book, every order, each ticker's
  // bar count, entry bar and pending order, the last batch's instant and the log position of its
  // flush. The risk manager and the broker keep their own (RiskManager::state_json,
  // SimulatedBroker::to_json). History (fills(), decisions(), equity()) is not state: the feedback
  // log keeps it.
  nlohmann::json state_json() const;
  // Replaces the state by a document from state_json() of an engine with the same tickers; input
  // error naming the key otherwise.
  core::Status restore_state(const nlohmann::json& state);
  // The instant of the last batch (of this run or the restored state); nullopt before any.
  std::optional<core::Timestamp> last_batch() const { return last_batch_; }
  // The feedback log's position after the last batch's flush (empty without a logger).
  const LogPosition& log_position() const { return log_position_; }

  // Every prediction, risk decision, order change, fill and trip goes to `logger` (not owned; null:
  // none), flushed at the end of each batch.
  void set_logger(FeedbackLogger* logger) { logger_ = logger; }

  const PositionTracker& book() const { return book_; }
  const OrderManager& orders() const { return orders_; }
  const std::vector<Fill>& fills() const { return fills_; }                    // in booking order
  const std::vector<EngineDecision>& decisions() const { return decisions_; }  // every acting decision
  const std::vector<std::string>& tickers() const { return tickers_; }
  // The book's equity after each batch, with the batch's instant.
  const std::vector<core::Timestamp>& equity_ts() const { return equity_ts_; }
  const std::vector<double>& equity() const { return equity_; }
  std::size_t skipped_entries() const { return skipped_entries_; }
  // Shadow mode: the orders the engine would have sent (approved by the risk manager), in order.
  const std::vector<OrderRequest>& intended_orders() const { return intended_; }

 private:
  // One ticker's state between batches.
  struct Lane {
    // The book's quantity and mark of the ticker, kept here so that a decision reads them in O(1)
    // (the book is the truth; these follow its fills and marks).
    double position = 0.0;
    double mark = 0.0;
    std::int64_t bars = 0;       // bars seen
    std::int64_t entry_bar = 0;  // index of the bar whose open filled the open position
    // The next-open order of the latest decision, until its orders end: what the account will
    // hold once it fills, and the cash its buys were expected to take.
    bool pending = false;
    int pending_target = 0;
    double pending_quantity = 0.0;
    double pending_reference = 0.0;
    double pending_buy_cost = 0.0;
    std::vector<std::string> open_ids;  // client order ids not yet terminal
  };

  TradingEngine(std::vector<std::string> tickers, const EngineConfig& config, RiskManager& risk, Broker& broker);

  core::Status book_events();
  // Where a bar stands in its regular session: the session's last bar, or the one before it
  // (whose decision sends the market-on-close order). Bars outside a session are neither.
  struct SessionPlace {
    bool last = false;
    bool before_last = false;
  };
  void decide(const EngineBar& bar, core::Timestamp ts, const SessionPlace& place);
  static SessionPlace session_place(core::Timestamp start, core::Timestamp bar_length);
  // Sends `quantity` shares of `ticker` (closing, or an entry already checked) through the risk
  // manager to the broker; returns the risk decision (its order, if approved, was sent).
  core::Result<RiskDecision> send(std::size_t ticker, OrderSide side, double quantity, OrderType type, double reference,
                                  core::Timestamp decided, std::string_view kind, bool counts_own_position);
  double buy_cost(double quantity, double close) const;
  // Positions once the pending orders fill, for the risk manager; `own` the ticker asking (left
  // out: its position is closing) unless `include_own`.
  void projected_positions(std::size_t own, bool include_own);

  std::vector<std::string> tickers_;
  EngineConfig config_;
  RiskManager* risk_;
  Broker* broker_;
  PositionTracker book_;
  OrderManager orders_;
  std::vector<Lane> lanes_;
  std::unordered_map<std::string, std::size_t> index_;  // ticker -> lane
  double equity_now_ = 0.0;                   // the book's equity at this batch's closes: decisions do not change it
  std::vector<PositionTracker::Mark> marks_;  // scratch of on_bars
  std::vector<RiskManager::TickerId> risk_ids_;
  std::vector<Fill> fills_;
  std::vector<EngineDecision> decisions_;
  std::vector<core::Timestamp> equity_ts_;
  std::vector<double> equity_;
  std::vector<PositionView> positions_;  // scratch of projected_positions
  std::vector<OrderRequest> intended_;
  FeedbackLogger* logger_ = nullptr;
  LogPosition log_position_;
  std::optional<core::Timestamp> last_batch_;
  core::Status error_;  // a broker failure inside decide()
  std::size_t skipped_entries_ = 0;
};

}  // namespace itrade::execution

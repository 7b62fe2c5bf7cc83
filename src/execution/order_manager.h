#pragma once
// OrderManager: every order of a trading session and the broker events applied to them
// (docs/execution.md, "Order manager"). It is the order state machine between the strategy and a
// broker: the caller tracks an order, marks it submitted when it hands it to the broker, and feeds
// back every BrokerEvent. It talks to no broker and keeps no positions; an applied fill is handed
// back exactly once (EventOutcome::fill) so that the caller can book it in the PositionTracker.
//
// Brokers deliver at least once and not always in order, so apply() is total: every event gets an
// outcome, and only `applied` changes anything. The rules (status never goes backwards):
//   accepted   created/submitted -> submitted, records broker_order_id; a repeat is duplicate;
//              after a fill or a terminal status it is stale.
//   fill       adds to the filled quantity, the volume-weighted average price and the commission;
//              status becomes partially_filled or filled. Deduplicated by exec_id (a repeat is
//              duplicate, never counted twice). After cancelled/expired it is still applied (the
//              execution happened before the cancel took effect: real shares, real money) but the
//              status stays terminal. After rejected, or beyond the order's quantity: invalid.
//   cancelled  created/submitted/partially_filled -> cancelled; a repeat is duplicate; after
//   expired    filled or another terminal status it is stale (the fill won the race).
//   rejected   created/submitted -> rejected; a repeat is duplicate; after any fill invalid;
//              after cancelled/expired (no fill) stale.
// Malformed events (fill with a ticker or side not the order's, non-positive or non-finite
// quantity or price, negative commission, empty exec_id; an accepted without broker_order_id; a
// broker_order_id different from the one recorded) are invalid and change nothing.
//
// Quantities compare with a tolerance of 1e-9 shares (fractional shares add up with rounding):
// an order whose remaining quantity is within it is filled, and a fill may exceed the remaining
// quantity by at most that much.
//
// Orders live in a deque in creation order, so a `const Order*` handed out stays valid for the
// manager's life (also across a move of the manager). Not thread-safe.

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
#include "execution/order.h"

namespace itrade::execution {

// One order and what the broker has told us about it.
struct Order {
  OrderRequest request;
  OrderStatus status = OrderStatus::created;
  std::string broker_order_id;         // empty until an event carried one
  double filled_quantity = 0.0;        // shares, sum of the applied fills
  double filled_notional = 0.0;        // sum of quantity x price over the applied fills
  double average_fill_price = 0.0;     // filled_notional / filled_quantity (0 before the first fill)
  double total_commission = 0.0;       // sum of the applied fills' commissions
  std::vector<std::string> exec_ids;   // exec ids of the applied fills, in arrival order
  core::Timestamp last_update_ts = 0;  // the latest ts of track() or an applied event
  std::string reason;                  // why it ended: the broker's words for rejected/cancelled/expired

  double remaining_quantity() const { return request.quantity - filled_quantity; }
  bool open() const { return !is_terminal(status); }
};

// A fill that changed an order, as the position tracker needs it.
struct Fill {
  std::string client_order_id;
  std::string exec_id;
  std::string ticker;
  OrderSide side = OrderSide::buy;
  double quantity = 0.0;  // shares, > 0
  double price = 0.0;     // > 0, slippage included
  double commission = 0.0;
  core::Timestamp ts = 0;
};

struct EventOutcome {
  enum class Kind {
    applied,        // the order changed
    duplicate,      // seen before (same exec_id, or the same status again); ignored
    stale,          // would move the order backwards (e.g. accepted after a fill); ignored
    unknown_order,  // no tracked order has this client_order_id; ignored
    invalid,        // contradicts the order or is malformed; ignored, worth an alert
  };
  Kind kind = Kind::applied;
  std::string message;       // why, for every kind but applied
  std::optional<Fill> fill;  // set exactly when an applied event was a fill

  bool applied() const { return kind == Kind::applied; }
};

std::string_view outcome_name(EventOutcome::Kind kind);  // "applied", "duplicate", ...

struct TrackResult {
  const Order* order = nullptr;  // the tracked order (the existing one for a duplicate)
  bool duplicate = false;        // true: the order was tracked before; do not send it again
};

class OrderManager {
 public:
  // Tolerance on share quantities (see the header comment).
  static constexpr double kQuantityTolerance = 1e-9;

  // Registers `request` in status created. Tracking a client_order_id again with the same trading
  // content (ticker, side, quantity, type, limit price; not reference_price or ts, which a retry
  // recomputes) returns the existing order with duplicate = true and changes nothing. Input error
  // for the same id with different content, and for an invalid request: empty client_order_id or
  // ticker, quantity not finite and > 0, a limit order without a finite limit_price > 0.
  core::Result<TrackResult> track(const OrderRequest& request);

  // created -> submitted: the order was handed to the broker. Any other status is left as it is
  // (the broker's answer may have overtaken this call). Input error for an unknown id.
  core::Status mark_submitted(std::string_view client_order_id);

  // Applies one broker event under the rules of the header comment.
  EventOutcome apply(const BrokerEvent& event);

  // Expires every open order (end of day) with `reason`, at `ts`; returns their ids in creation order.
  std::vector<std::string> expire_open(core::Timestamp ts, std::string_view reason);

  // The order with this id, or nullptr.
  const Order* order(std::string_view client_order_id) const;
  // Every order, in the order they were tracked.
  const std::deque<Order>& orders() const { return orders_; }
  // The orders that are not terminal, in creation order.
  std::vector<const Order*> open_orders() const;
  std::size_t size() const { return orders_.size(); }
  std::size_t open_count() const;
  std::size_t count(OrderStatus status) const;

  // The whole state, for a restart: orders in creation order with their exec ids, so a fill
  // replayed after the restart is still a duplicate. from_json(to_json()) restores it exactly.
  nlohmann::json to_json() const;
  // Input error naming the key (e.g. "orders[2].status") for a malformed document.
  static core::Result<OrderManager> from_json(const nlohmann::json& state);

 private:
  Order* find(std::string_view client_order_id);
  EventOutcome apply_fill(Order& order, const BrokerEvent& event);

  std::deque<Order> orders_;
  std::unordered_map<std::string, std::size_t> index_;       // client_order_id -> orders_ index
  std::unordered_map<std::string, std::string> exec_owner_;  // exec_id -> client_order_id
};

}  // namespace itrade::execution

#pragma once
// The vocabulary every part of execution shares (docs/execution.md): what a strategy asks for
// (OrderRequest), the broker's answers (BrokerEvent), and an order's life (OrderStatus).
//
// Quantities are whole or fractional shares, always > 0; the side says the direction. Prices are
// in the account currency. Times are UTC nanoseconds (core::Timestamp).

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace itrade::execution {

enum class OrderSide { buy, sell };

// +1 for a buy, -1 for a sell: the sign a fill gives a position's quantity.
constexpr double sign_of(OrderSide side) { return side == OrderSide::buy ? 1.0 : -1.0; }
std::string_view side_name(OrderSide side);  // "buy" / "sell"

enum class OrderType {
  market,  // fills at the market (in simulation: the next bar's open, with slippage)
  limit,   // fills only at limit_price or better
  // Fills at the close of the first eligible bar, with slippage; how the backtester flattens at
  // the day's last bar (docs/backtesting.md, "flatten"). Needs no limit price.
  market_on_close,
};
std::string_view order_type_name(OrderType type);  // "market" / "limit" / "market_on_close"

// What the strategy wants to trade, before the risk manager has seen it. Only the risk manager
// can turn it into an ApprovedOrder (risk_manager.h), the one thing a Broker accepts.
struct OrderRequest {
  std::string client_order_id;  // unique per order, chosen by the caller; resubmitting it is a no-op
  std::string ticker;
  OrderSide side = OrderSide::buy;
  double quantity = 0.0;  // shares, > 0
  OrderType type = OrderType::market;
  double limit_price = 0.0;      // limit orders only, > 0
  double reference_price = 0.0;  // the price the decision saw (the bar's close); for sizing and checks
  core::Timestamp ts = 0;        // when the decision was made
};

enum class OrderStatus {
  created,           // known to the order manager, not yet sent ("new")
  submitted,         // sent; the broker acknowledged or we await its acknowledgement
  partially_filled,  // some shares filled, the rest still working
  filled,            // every share filled (terminal)
  cancelled,         // the rest will not fill (terminal; earlier fills stand)
  rejected,          // the broker refused it (terminal)
  expired,           // its time in force ended (terminal; earlier fills stand)
};

std::string_view status_name(OrderStatus status);  // "new", "submitted", "partially_filled", ...
constexpr bool is_terminal(OrderStatus status) {
  return status == OrderStatus::filled || status == OrderStatus::cancelled || status == OrderStatus::rejected ||
         status == OrderStatus::expired;
}

// What a broker reports about an order. Brokers deliver at least once and not always in order,
// so the order manager must tolerate repeats (same exec_id), stale acknowledgements after fills,
// and fills arriving after a cancellation was confirmed.
struct BrokerEvent {
  enum class Kind {
    accepted,   // the broker took the order and assigned broker_order_id
    fill,       // quantity shares at price, with commission; exec_id unique per execution
    cancelled,  // the unfilled rest is cancelled
    rejected,   // the order was refused (reason says why)
    expired,    // the unfilled rest expired
  };
  Kind kind = Kind::accepted;
  std::string client_order_id;
  std::string broker_order_id;  // assigned by the broker; may be empty before acceptance
  std::string exec_id;          // fills only: the broker's id of this execution
  std::string ticker;           // fills: the ticker filled (must match the order's)
  OrderSide side = OrderSide::buy;
  double quantity = 0.0;    // fills: shares in this execution, > 0
  double price = 0.0;       // fills: the execution price, slippage included
  double commission = 0.0;  // fills: >= 0
  core::Timestamp ts = 0;
  std::string reason;  // rejected / cancelled / expired: the broker's words
};

std::string_view event_kind_name(BrokerEvent::Kind kind);

// A position as the broker reports it.
struct BrokerPosition {
  std::string ticker;
  double quantity = 0.0;               // signed shares
  std::optional<double> average_cost;  // informational: brokers compute it their own way
};

}  // namespace itrade::execution

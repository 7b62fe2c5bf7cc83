#include "execution/order.h"

namespace itrade::execution {

std::string_view side_name(OrderSide side) { return side == OrderSide::buy ? "buy" : "sell"; }

std::string_view order_type_name(OrderType type) {
  switch (type) {
    case OrderType::market:
      return "market";
    case OrderType::limit:
      return "limit";
    case OrderType::market_on_close:
      return "market_on_close";
  }
  return "unknown";
}

std::string_view status_name(OrderStatus status) {
  switch (status) {
    case OrderStatus::created:
      return "new";
    case OrderStatus::submitted:
      return "submitted";
    case OrderStatus::partially_filled:
      return "partially_filled";
    case OrderStatus::filled:
      return "filled";
    case OrderStatus::cancelled:
      return "cancelled";
    case OrderStatus::rejected:
      return "rejected";
    case OrderStatus::expired:
      return "expired";
  }
  return "unknown";
}

std::string_view event_kind_name(BrokerEvent::Kind kind) {
  switch (kind) {
    case BrokerEvent::Kind::accepted:
      return "accepted";
    case BrokerEvent::Kind::fill:
      return "fill";
    case BrokerEvent::Kind::cancelled:
      return "cancelled";
    case BrokerEvent::Kind::rejected:
      return "rejected";
    case BrokerEvent::Kind::expired:
      return "expired";
  }
  return "unknown";
}

}  // namespace itrade::execution

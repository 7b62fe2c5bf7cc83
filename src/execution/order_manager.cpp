#include "execution/order_manager.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

#include "execution/state_json.h"

namespace itrade::execution {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "itrade-order-manager";
constexpr int kVersion = 1;

constexpr std::array kStatuses = {OrderStatus::created, OrderStatus::submitted, OrderStatus::partially_filled,
                                  OrderStatus::filled,  OrderStatus::cancelled, OrderStatus::rejected,
                                  OrderStatus::expired};

bool positive_finite(double value) { return std::isfinite(value) && value > 0.0; }

// The reason a request cannot be tracked, or "" when it can. `where` prefixes the field name.
std::string request_problem(const OrderRequest& request, std::string_view where) {
  if (request.client_order_id.empty()) return fmt::format("{}client_order_id is empty", where);
  if (request.ticker.empty()) return fmt::format("{}ticker is empty", where);
  if (!positive_finite(request.quantity)) {
    return fmt::format("{}quantity must be finite and > 0, got {}", where, request.quantity);
  }
  if (request.type == OrderType::limit && !positive_finite(request.limit_price)) {
    return fmt::format("{}limit_price of a limit order must be finite and > 0, got {}", where, request.limit_price);
  }
  return {};
}

// What the broker would execute; reference_price and ts describe the decision, and a retry of the
// same order may carry newer ones. Only a limit order's limit price is part of it (market and
// market-on-close orders ignore the field).
bool same_trading_content(const OrderRequest& a, const OrderRequest& b) {
  return a.ticker == b.ticker && a.side == b.side && a.quantity == b.quantity && a.type == b.type &&
         (a.type != OrderType::limit || a.limit_price == b.limit_price);
}

EventOutcome outcome(EventOutcome::Kind kind, std::string message) {
  return EventOutcome{.kind = kind, .message = std::move(message)};
}

// An applied event carries the freshest knowledge of the broker's id and of the order's time.
void touch(Order& order, const BrokerEvent& event) {
  if (order.broker_order_id.empty()) order.broker_order_id = event.broker_order_id;
  order.last_update_ts = std::max(order.last_update_ts, event.ts);
}

// ---- JSON state: every failure names the key path ----

const StateReader& state_reader() {
  static const StateReader reader("order manager state");
  return reader;
}

json order_to_json(const Order& order) {
  json entry = request_to_json(order.request);
  entry["status"] = status_name(order.status);
  entry["broker_order_id"] = order.broker_order_id;
  entry["filled_quantity"] = order.filled_quantity;
  entry["filled_notional"] = order.filled_notional;
  entry["average_fill_price"] = order.average_fill_price;
  entry["total_commission"] = order.total_commission;
  entry["exec_ids"] = order.exec_ids;
  entry["last_update_ts"] = order.last_update_ts;
  entry["reason"] = order.reason;
  return entry;
}

core::Result<Order> order_from_json(const json& object, const std::string& where) {
  const StateReader& reader = state_reader();
  if (!object.is_object()) return reader.error(where, "expected an object");
  core::Result<OrderRequest> read = request_from_json(object, reader, where);
  if (!read) return read.error();
  Order order{.request = std::move(read).value()};
  std::string status;
  std::optional<core::Error> error;
  if ((error = reader.read_string(object, where, "status", status)) ||
      (error = reader.read_string(object, where, "broker_order_id", order.broker_order_id)) ||
      (error = reader.read_number(object, where, "filled_quantity", order.filled_quantity)) ||
      (error = reader.read_number(object, where, "filled_notional", order.filled_notional)) ||
      (error = reader.read_number(object, where, "average_fill_price", order.average_fill_price)) ||
      (error = reader.read_number(object, where, "total_commission", order.total_commission)) ||
      (error = reader.read_int64(object, where, "last_update_ts", order.last_update_ts)) ||
      (error = reader.read_string(object, where, "reason", order.reason))) {
    return *error;
  }

  const auto known = std::find_if(kStatuses.begin(), kStatuses.end(),
                                  [&](OrderStatus candidate) { return status_name(candidate) == status; });
  if (known == kStatuses.end()) {
    return reader.error(StateReader::path(where, "status"), fmt::format("unknown status \"{}\"", status));
  }
  order.status = *known;

  const OrderRequest& request = order.request;
  if (const std::string problem = request_problem(request, where + "."); !problem.empty()) {
    return reader.error(problem);
  }
  if (order.filled_quantity < 0.0 || order.filled_quantity > request.quantity + OrderManager::kQuantityTolerance) {
    return reader.error(StateReader::path(where, "filled_quantity"),
                        fmt::format("{} is outside [0, quantity {}]", order.filled_quantity, request.quantity));
  }
  if (order.total_commission < 0.0) return reader.error(StateReader::path(where, "total_commission"), "must be >= 0");

  auto exec_ids = reader.member(object, where, "exec_ids");
  if (!exec_ids) return exec_ids.error();
  if (!(*exec_ids)->is_array()) {
    return reader.error(StateReader::path(where, "exec_ids"), "expected an array of strings");
  }
  for (std::size_t i = 0; i < (*exec_ids)->size(); ++i) {
    const json& exec_id = (**exec_ids)[i];
    if (!exec_id.is_string() || exec_id.get_ref<const std::string&>().empty()) {
      return reader.error(fmt::format("{}.exec_ids[{}]", where, i), "expected a non-empty string");
    }
    order.exec_ids.push_back(exec_id.get<std::string>());
  }
  return order;
}

}  // namespace

std::string_view outcome_name(EventOutcome::Kind kind) {
  switch (kind) {
    case EventOutcome::Kind::applied:
      return "applied";
    case EventOutcome::Kind::duplicate:
      return "duplicate";
    case EventOutcome::Kind::stale:
      return "stale";
    case EventOutcome::Kind::unknown_order:
      return "unknown_order";
    case EventOutcome::Kind::invalid:
      return "invalid";
  }
  return "unknown";
}

core::Result<TrackResult> OrderManager::track(const OrderRequest& request) {
  if (const std::string problem = request_problem(request, ""); !problem.empty()) {
    return core::input_error("cannot track order '{}': {}", request.client_order_id, problem);
  }
  if (const Order* existing = order(request.client_order_id)) {
    if (!same_trading_content(existing->request, request)) {
      return core::input_error("client order id '{}' is already tracked for {} {} {} ({}); a new order needs a new id",
                               request.client_order_id, side_name(existing->request.side), existing->request.quantity,
                               existing->request.ticker, order_type_name(existing->request.type));
    }
    return TrackResult{.order = existing, .duplicate = true};
  }
  Order& tracked = orders_.emplace_back();
  tracked.request = request;
  tracked.last_update_ts = request.ts;
  index_.emplace(request.client_order_id, orders_.size() - 1);
  return TrackResult{.order = &tracked, .duplicate = false};
}

core::Status OrderManager::mark_submitted(std::string_view client_order_id) {
  Order* order = find(client_order_id);
  if (order == nullptr) return core::input_error("cannot mark unknown order '{}' submitted", client_order_id);
  if (order->status == OrderStatus::created) order->status = OrderStatus::submitted;
  return {};
}

EventOutcome OrderManager::apply(const BrokerEvent& event) {
  using Kind = EventOutcome::Kind;
  const std::string_view kind = event_kind_name(event.kind);
  Order* order = find(event.client_order_id);
  if (order == nullptr) {
    return outcome(Kind::unknown_order, fmt::format("{} for unknown order '{}'", kind, event.client_order_id));
  }
  const std::string_view status = status_name(order->status);
  if (!event.broker_order_id.empty() && !order->broker_order_id.empty() &&
      event.broker_order_id != order->broker_order_id) {
    return outcome(Kind::invalid, fmt::format("{} for order '{}' names broker order '{}', but it is '{}'", kind,
                                              event.client_order_id, event.broker_order_id, order->broker_order_id));
  }

  switch (event.kind) {
    case BrokerEvent::Kind::accepted: {
      if (event.broker_order_id.empty()) {
        return outcome(Kind::invalid,
                       fmt::format("accepted for order '{}' without a broker_order_id", event.client_order_id));
      }
      if (order->status == OrderStatus::created ||
          (order->status == OrderStatus::submitted && order->broker_order_id.empty())) {
        order->status = OrderStatus::submitted;
        touch(*order, event);
        return outcome(Kind::applied, "");
      }
      if (order->status == OrderStatus::submitted) {
        return outcome(Kind::duplicate, fmt::format("order '{}' was already accepted", event.client_order_id));
      }
      return outcome(Kind::stale,
                     fmt::format("accepted for order '{}' that is already {}", event.client_order_id, status));
    }

    case BrokerEvent::Kind::fill:
      return apply_fill(*order, event);

    case BrokerEvent::Kind::cancelled:
    case BrokerEvent::Kind::expired: {
      const OrderStatus target =
          event.kind == BrokerEvent::Kind::cancelled ? OrderStatus::cancelled : OrderStatus::expired;
      if (order->status == target) {
        return outcome(Kind::duplicate, fmt::format("order '{}' is already {}", event.client_order_id, status));
      }
      if (is_terminal(order->status)) {
        // A filled order: the fill won the race against the cancel. Otherwise the first end wins.
        return outcome(Kind::stale,
                       fmt::format("{} for order '{}' that is already {}", kind, event.client_order_id, status));
      }
      order->status = target;
      order->reason = event.reason;
      touch(*order, event);
      return outcome(Kind::applied, "");
    }

    case BrokerEvent::Kind::rejected: {
      if (order->status == OrderStatus::rejected) {
        return outcome(Kind::duplicate, fmt::format("order '{}' is already rejected", event.client_order_id));
      }
      if (order->filled_quantity > 0.0) {
        // Shares were executed: the broker cannot have refused the order.
        return outcome(Kind::invalid, fmt::format("rejected for order '{}' that has {} shares filled",
                                                  event.client_order_id, order->filled_quantity));
      }
      if (is_terminal(order->status)) {
        return outcome(Kind::stale,
                       fmt::format("rejected for order '{}' that is already {}", event.client_order_id, status));
      }
      order->status = OrderStatus::rejected;
      order->reason = event.reason;
      touch(*order, event);
      return outcome(Kind::applied, "");
    }
  }
  return outcome(Kind::invalid, fmt::format("unknown event kind for order '{}'", event.client_order_id));
}

EventOutcome OrderManager::apply_fill(Order& order, const BrokerEvent& event) {
  using Kind = EventOutcome::Kind;
  const std::string& id = event.client_order_id;
  if (event.exec_id.empty()) return outcome(Kind::invalid, fmt::format("fill for order '{}' without exec_id", id));
  if (const auto owner = exec_owner_.find(event.exec_id); owner != exec_owner_.end()) {
    if (owner->second == id) {
      return outcome(Kind::duplicate, fmt::format("fill '{}' of order '{}' was already applied", event.exec_id, id));
    }
    return outcome(Kind::invalid, fmt::format("fill '{}' for order '{}' was already applied to order '{}'",
                                              event.exec_id, id, owner->second));
  }
  if (event.ticker != order.request.ticker || event.side != order.request.side) {
    return outcome(Kind::invalid,
                   fmt::format("fill '{}' is {} {} but order '{}' is {} {}", event.exec_id, side_name(event.side),
                               event.ticker, id, side_name(order.request.side), order.request.ticker));
  }
  if (!positive_finite(event.quantity) || !positive_finite(event.price)) {
    return outcome(Kind::invalid, fmt::format("fill '{}' of order '{}' needs a finite quantity and price > 0, got "
                                              "{} shares at {}",
                                              event.exec_id, id, event.quantity, event.price));
  }
  if (!std::isfinite(event.commission) || event.commission < 0.0) {
    return outcome(Kind::invalid, fmt::format("fill '{}' of order '{}' has commission {}, must be finite and >= 0",
                                              event.exec_id, id, event.commission));
  }
  if (order.status == OrderStatus::rejected) {
    return outcome(Kind::invalid, fmt::format("fill '{}' for rejected order '{}'", event.exec_id, id));
  }
  if (event.quantity > order.remaining_quantity() + kQuantityTolerance) {
    return outcome(Kind::invalid, fmt::format("fill '{}' of {} shares exceeds the {} shares remaining of order '{}'",
                                              event.exec_id, event.quantity, order.remaining_quantity(), id));
  }

  order.filled_quantity += event.quantity;
  order.filled_notional += event.quantity * event.price;
  order.average_fill_price = order.filled_notional / order.filled_quantity;
  order.total_commission += event.commission;
  order.exec_ids.push_back(event.exec_id);
  exec_owner_.emplace(event.exec_id, id);
  // After a cancel or expiry the order stays terminal: the fill is real, the rest still will not fill.
  if (!is_terminal(order.status)) {
    order.status =
        order.remaining_quantity() <= kQuantityTolerance ? OrderStatus::filled : OrderStatus::partially_filled;
  }
  touch(order, event);

  EventOutcome result = outcome(Kind::applied, "");
  result.fill = Fill{.client_order_id = id,
                     .exec_id = event.exec_id,
                     .ticker = event.ticker,
                     .side = event.side,
                     .quantity = event.quantity,
                     .price = event.price,
                     .commission = event.commission,
                     .ts = event.ts};
  return result;
}

std::vector<std::string> OrderManager::expire_open(core::Timestamp ts, std::string_view reason) {
  std::vector<std::string> expired;
  for (Order& order : orders_) {
    if (!order.open()) continue;
    order.status = OrderStatus::expired;
    order.reason = std::string(reason);
    order.last_update_ts = std::max(order.last_update_ts, ts);
    expired.push_back(order.request.client_order_id);
  }
  return expired;
}

const Order* OrderManager::order(std::string_view client_order_id) const {
  const auto it = index_.find(std::string(client_order_id));
  return it == index_.end() ? nullptr : &orders_[it->second];
}

Order* OrderManager::find(std::string_view client_order_id) {
  return const_cast<Order*>(std::as_const(*this).order(client_order_id));
}

std::vector<const Order*> OrderManager::open_orders() const {
  std::vector<const Order*> open;
  for (const Order& order : orders_) {
    if (order.open()) open.push_back(&order);
  }
  return open;
}

std::size_t OrderManager::open_count() const {
  return static_cast<std::size_t>(
      std::count_if(orders_.begin(), orders_.end(), [](const Order& o) { return o.open(); }));
}

std::size_t OrderManager::count(OrderStatus status) const {
  return static_cast<std::size_t>(
      std::count_if(orders_.begin(), orders_.end(), [&](const Order& order) { return order.status == status; }));
}

json OrderManager::to_json() const {
  json orders = json::array();
  for (const Order& order : orders_) orders.push_back(order_to_json(order));
  return json{{"format", kFormat}, {"version", kVersion}, {"orders", std::move(orders)}};
}

core::Result<OrderManager> OrderManager::from_json(const json& state) {
  const StateReader& reader = state_reader();
  if (!state.is_object()) return reader.error("expected a JSON object");
  std::string format;
  if (auto error = reader.read_string(state, "", "format", format)) return *error;
  if (format != kFormat) return reader.error("format", fmt::format("expected \"{}\", got \"{}\"", kFormat, format));
  std::int64_t version = 0;
  if (auto error = reader.read_int64(state, "", "version", version)) return *error;
  if (version != kVersion) return reader.error("version", fmt::format("expected {}, got {}", kVersion, version));
  auto orders = reader.read_array(state, "", "orders");
  if (!orders) return orders.error();

  OrderManager manager;
  for (std::size_t i = 0; i < (*orders)->size(); ++i) {
    const std::string where = fmt::format("orders[{}]", i);
    core::Result<Order> order = order_from_json((**orders)[i], where);
    if (!order) return order.error();
    const std::string& id = order->request.client_order_id;
    if (manager.index_.contains(id)) {
      return reader.error(StateReader::path(where, "client_order_id"), fmt::format("'{}' appears twice", id));
    }
    for (std::size_t e = 0; e < order->exec_ids.size(); ++e) {
      if (!manager.exec_owner_.emplace(order->exec_ids[e], id).second) {
        return reader.error(fmt::format("{}.exec_ids[{}]", where, e),
                            fmt::format("'{}' appears twice", order->exec_ids[e]));
      }
    }
    manager.index_.emplace(id, manager.orders_.size());
    manager.orders_.push_back(std::move(order).value());
  }
  return manager;
}

}  // namespace itrade::execution

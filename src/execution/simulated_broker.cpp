#include "execution/simulated_broker.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "execution/order_manager.h"
#include "execution/state_json.h"

namespace itrade::execution {
namespace {

constexpr double kMaxCash = 1e15;  // beyond this a value is a typo, not an account

// False for NaN.
bool within(double value, double low, double high) { return value >= low && value <= high; }

core::Error out_of_range(std::string_view field, double value, std::string_view range, std::string_view hint) {
  return core::input_error("simulated broker config: {}: {} is out of range {}; {}", field, value, range, hint);
}

bool is_whole(double quantity) { return std::floor(quantity) == quantity; }

// ---- Persistence: the JSON document (to_json / from_json) ----

using nlohmann::json;

constexpr std::string_view kFormat = "itrade-simulated-broker";
constexpr int kVersion = 1;

constexpr std::array kEventKinds = {BrokerEvent::Kind::accepted, BrokerEvent::Kind::fill, BrokerEvent::Kind::cancelled,
                                    BrokerEvent::Kind::rejected, BrokerEvent::Kind::expired};

const StateReader& state_reader() {
  static const StateReader reader("simulated broker state");
  return reader;
}

json config_to_json(const SimulatedBrokerConfig& config) {
  const CommissionConfig& c = config.cost.commission;
  return json{{"cost",
               {{"commission",
                 {{"per_share", c.per_share},
                  {"minimum", c.minimum},
                  {"maximum_fraction", c.maximum_fraction},
                  {"bps", c.bps}}},
                {"slippage_bps", config.cost.slippage_bps}}},
              {"initial_cash", config.initial_cash},
              {"max_participation", config.max_participation},
              {"latency", config.latency}};
}

core::Result<SimulatedBrokerConfig> config_from_json(const json& state) {
  const StateReader& reader = state_reader();
  auto object = reader.read_object(state, "", "config");
  if (!object) return object.error();
  auto cost = reader.read_object(**object, "config", "cost");
  if (!cost) return cost.error();
  auto commission = reader.read_object(**cost, "config.cost", "commission");
  if (!commission) return commission.error();
  SimulatedBrokerConfig config;
  CommissionConfig& c = config.cost.commission;
  std::optional<core::Error> error;
  if ((error = reader.read_number(**commission, "config.cost.commission", "per_share", c.per_share)) ||
      (error = reader.read_number(**commission, "config.cost.commission", "minimum", c.minimum)) ||
      (error = reader.read_number(**commission, "config.cost.commission", "maximum_fraction", c.maximum_fraction)) ||
      (error = reader.read_number(**commission, "config.cost.commission", "bps", c.bps)) ||
      (error = reader.read_number(**cost, "config.cost", "slippage_bps", config.cost.slippage_bps)) ||
      (error = reader.read_number(**object, "config", "initial_cash", config.initial_cash)) ||
      (error = reader.read_number(**object, "config", "max_participation", config.max_participation)) ||
      (error = reader.read_int64(**object, "config", "latency", config.latency))) {
    return *error;
  }
  // check() names the field ("simulated broker config: max_participation: ..."): as a key path here.
  if (core::Status status = config.check(); !status) {
    constexpr std::string_view kCheckPrefix = "simulated broker config: ";
    const std::string& message = status.error().message;
    if (message.starts_with(kCheckPrefix)) {
      return reader.error(fmt::format("config.{}", message.substr(kCheckPrefix.size())));
    }
    return reader.error("config", message);
  }
  return config;
}

// The request fields of an order entry, as the risk manager approves them: ids and ticker
// non-empty, quantity finite and > 0, a limit order's limit finite and > 0.
core::Result<OrderRequest> order_request_from_json(const json& object, const std::string& where) {
  const StateReader& reader = state_reader();
  core::Result<OrderRequest> request = request_from_json(object, reader, where);
  if (!request) return request.error();
  if (request->client_order_id.empty()) return reader.error(StateReader::path(where, "client_order_id"), "empty");
  if (request->ticker.empty()) return reader.error(StateReader::path(where, "ticker"), "empty");
  if (!(request->quantity > 0.0)) {
    return reader.error(StateReader::path(where, "quantity"), fmt::format("must be > 0, got {}", request->quantity));
  }
  if (request->type == OrderType::limit && !(request->limit_price > 0.0)) {
    return reader.error(StateReader::path(where, "limit_price"),
                        fmt::format("must be > 0 for a limit order, got {}", request->limit_price));
  }
  return request;
}

json event_to_json(const BrokerEvent& event) {
  return json{{"kind", event_kind_name(event.kind)},
              {"client_order_id", event.client_order_id},
              {"broker_order_id", event.broker_order_id},
              {"exec_id", event.exec_id},
              {"ticker", event.ticker},
              {"side", side_name(event.side)},
              {"quantity", event.quantity},
              {"price", event.price},
              {"commission", event.commission},
              {"ts", event.ts},
              {"reason", event.reason}};
}

core::Result<BrokerEvent> event_from_json(const json& object, const std::string& where) {
  const StateReader& reader = state_reader();
  if (!object.is_object()) return reader.error(where, "expected an object");
  BrokerEvent event;
  std::string kind;
  std::optional<core::Error> error;
  if ((error = reader.read_string(object, where, "kind", kind)) ||
      (error = reader.read_string(object, where, "client_order_id", event.client_order_id)) ||
      (error = reader.read_string(object, where, "broker_order_id", event.broker_order_id)) ||
      (error = reader.read_string(object, where, "exec_id", event.exec_id)) ||
      (error = reader.read_string(object, where, "ticker", event.ticker)) ||
      (error = read_side(reader, object, where, event.side)) ||
      (error = reader.read_number(object, where, "quantity", event.quantity)) ||
      (error = reader.read_number(object, where, "price", event.price)) ||
      (error = reader.read_number(object, where, "commission", event.commission)) ||
      (error = reader.read_int64(object, where, "ts", event.ts)) ||
      (error = reader.read_string(object, where, "reason", event.reason))) {
    return *error;
  }
  const auto known = std::find_if(kEventKinds.begin(), kEventKinds.end(),
                                  [&](BrokerEvent::Kind candidate) { return event_kind_name(candidate) == kind; });
  if (known == kEventKinds.end()) {
    return reader.error(StateReader::path(where, "kind"), fmt::format("unknown event kind \"{}\"", kind));
  }
  event.kind = *known;
  return event;
}

}  // namespace

core::Status SimulatedBrokerConfig::check() const {
  if (auto problem = cost_problem(cost.commission, cost.slippage_bps)) {
    return core::input_error("simulated broker config: cost.{}: {}; {}", problem->key, problem->problem, problem->fix);
  }
  if (!(initial_cash > 0.0 && initial_cash <= kMaxCash)) {
    return out_of_range("initial_cash", initial_cash, "(0, 1e15]", "give the account's starting cash, e.g. 100000");
  }
  if (!within(max_participation, 0.0, 1.0)) {
    return out_of_range("max_participation", max_participation, "[0, 1]",
                        "give the fraction of a bar's volume an order may take (0.1 = 10 %), or 0 to fill whole");
  }
  if (latency < 0) {
    return core::input_error(
        "simulated broker config: latency: {} ns is negative; give the delay from decision to the earliest fill "
        "in nanoseconds, or 0",
        latency);
  }
  return {};
}

core::Result<SimulatedBroker> SimulatedBroker::create(const SimulatedBrokerConfig& config) {
  if (core::Status status = config.check(); !status) return status.error();
  return SimulatedBroker(config);
}

SimulatedBroker::SimulatedBroker(const SimulatedBrokerConfig& config) : config_(config), book_(config.initial_cash) {}

core::Status SimulatedBroker::submit(const ApprovedOrder& order) {
  const OrderRequest& request = order.request();
  // The risk manager approves only well-formed orders (RiskLimit::invalid_order).
  assert(!request.client_order_id.empty() && !request.ticker.empty());
  assert(request.quantity > 0.0 && std::isfinite(request.quantity));
  assert(request.type != OrderType::limit || (request.limit_price > 0.0 && std::isfinite(request.limit_price)));
  advance_now(request.ts);

  BrokerEvent event{.client_order_id = request.client_order_id,
                    .broker_order_id = next_broker_order_id(),
                    .ticker = request.ticker,
                    .side = request.side,
                    .quantity = request.quantity,
                    .ts = request.ts};
  if (const auto known = index_.find(request.client_order_id); known != index_.end()) {
    // Its own broker order id: an order manager that recorded the original's id sees a rejection
    // of another order and ignores it (invalid) instead of rejecting the original.
    event.kind = BrokerEvent::Kind::rejected;
    event.reason = fmt::format("duplicate client order id '{}': the broker already has it as order {}",
                               request.client_order_id, orders_[known->second].broker_order_id);
    queue_.push_back(std::move(event));
    return {};
  }
  event.kind = BrokerEvent::Kind::accepted;
  index_.emplace(request.client_order_id, orders_.size());
  working_.push_back(orders_.size());
  orders_.push_back(SimOrder{.request = request, .broker_order_id = event.broker_order_id});
  queue_.push_back(std::move(event));
  return {};
}

core::Status SimulatedBroker::cancel(std::string_view client_order_id) {
  const auto found = index_.find(std::string(client_order_id));
  if (found == index_.end()) {
    return core::input_error("simulated broker: cannot cancel order '{}': the broker has no such order",
                             client_order_id);
  }
  SimOrder& order = orders_[found->second];
  if (order.state != State::working) return {};  // the fill (or an earlier end) won
  order.state = State::cancelled;
  std::erase(working_, found->second);
  queue_.push_back(BrokerEvent{.kind = BrokerEvent::Kind::cancelled,
                               .client_order_id = order.request.client_order_id,
                               .broker_order_id = order.broker_order_id,
                               .ticker = order.request.ticker,
                               .side = order.request.side,
                               .ts = now_,
                               .reason = fmt::format("cancelled on request with {} of {} shares filled",
                                                     order.filled_quantity, order.request.quantity)});
  return {};
}

std::vector<BrokerEvent> SimulatedBroker::poll_events() {
  std::vector<BrokerEvent> batch;
  batch.swap(queue_);
  if (faults_.reverse_batches) std::reverse(batch.begin(), batch.end());
  if (faults_.duplicate_events) {
    std::vector<BrokerEvent> doubled;
    doubled.reserve(2 * batch.size());
    for (BrokerEvent& event : batch) {
      doubled.push_back(event);
      doubled.push_back(std::move(event));
    }
    batch = std::move(doubled);
  }
  return batch;
}

core::Result<std::vector<BrokerPosition>> SimulatedBroker::positions() {
  std::vector<BrokerPosition> out;
  for (const TrackedPosition& p : book_.open_positions()) {
    out.push_back(BrokerPosition{.ticker = p.ticker, .quantity = p.quantity, .average_cost = p.average_cost});
  }
  return out;
}

core::Result<BrokerAccount> SimulatedBroker::account() {
  return BrokerAccount{.cash = book_.cash(), .equity = book_.equity()};
}

core::Status SimulatedBroker::on_bar(std::string_view ticker, const features::BarPoint& bar) {
  if (ticker.empty()) return core::input_error("simulated broker: a bar at {} has no ticker", core::format_utc(bar.ts));
  const std::pair<const char*, double> prices[] = {
      {"open", bar.open}, {"high", bar.high}, {"low", bar.low}, {"close", bar.close}};
  for (const auto& [name, value] : prices) {
    if (!(value > 0.0 && std::isfinite(value))) {
      return core::input_error("simulated broker: {} bar at {}: {} {} is not a positive number", ticker,
                               core::format_utc(bar.ts), name, value);
    }
  }
  std::string key(ticker);
  const auto previous = last_bar_.find(key);
  if (previous != last_bar_.end() && bar.ts <= previous->second) {
    return core::input_error(
        "simulated broker: {} bar at {} is not later than its previous bar at {}; give each ticker's bars in time "
        "order",
        ticker, core::format_utc(bar.ts), core::format_utc(previous->second));
  }
  if (book_ts_ && bar.ts < *book_ts_) {
    return core::input_error(
        "simulated broker: {} bar at {} is earlier than the latest bar ({}); give the bars of all tickers in time "
        "order (bars of several tickers at one time are fine)",
        ticker, core::format_utc(bar.ts), core::format_utc(*book_ts_));
  }
  last_bar_.insert_or_assign(std::move(key), bar.ts);
  book_ts_ = bar.ts;
  advance_now(bar.ts);

  // Shares the bar offers to this broker's orders (infinite: no volume limit).
  const bool volume_limited = config_.max_participation > 0.0 && bar.volume >= 0.0;  // NaN volume: none
  double offered = volume_limited ? config_.max_participation * bar.volume : std::numeric_limits<double>::infinity();

  bool any_done = false;
  // The bar's open comes before its close: first the orders that trade at the open (market,
  // limit), then the market-on-close ones, each group in submission order. A position bought at
  // the open can so be sold at the close of the same bar, and the fill events (and exec ids) keep
  // the bar's time order. Both groups draw on the one volume offer, in that order.
  for (const bool at_close : {false, true}) {
    for (const std::size_t index : working_) {
      SimOrder& order = orders_[index];
      const OrderRequest& request = order.request;
      if (request.ticker != ticker || (request.type == OrderType::market_on_close) != at_close) continue;
      // Eligible from the first bar starting at decision + latency (a difference, not a sum, so
      // that no latency overflows).
      if (bar.ts < request.ts || bar.ts - request.ts < config_.latency) continue;
      const std::optional<double> price = fill_price(request, bar);
      if (!price) continue;

      double quantity = request.quantity - order.filled_quantity;
      if (volume_limited) {
        const double cap = is_whole(request.quantity) ? std::floor(offered) : offered;
        if (cap < 1.0) continue;  // less than a share on offer: nothing fills at this bar
        quantity = std::min(quantity, cap);
        offered -= quantity;
      }
      const double commission = config_.cost.commission(quantity, *price);
      // Cannot fail: the ticker, prices and time were checked above, quantity and commission follow.
      const core::Status booked = book_.apply_fill(ticker, request.side, quantity, *price, commission, bar.ts);
      assert(booked.ok());
      if (!booked) return booked;

      order.filled_quantity += quantity;
      if (request.quantity - order.filled_quantity <= OrderManager::kQuantityTolerance) {
        order.state = State::filled;
        any_done = true;
      }
      queue_.push_back(BrokerEvent{.kind = BrokerEvent::Kind::fill,
                                   .client_order_id = request.client_order_id,
                                   .broker_order_id = order.broker_order_id,
                                   .exec_id = fmt::format("SIM-E{}", next_exec_number_++),
                                   .ticker = request.ticker,
                                   .side = request.side,
                                   .quantity = quantity,
                                   .price = *price,
                                   .commission = commission,
                                   .ts = bar.ts});
    }
  }
  if (any_done) {
    std::erase_if(working_, [this](std::size_t index) { return orders_[index].state != State::working; });
  }
  const core::Status marked = book_.set_mark(ticker, bar.close, bar.ts);
  assert(marked.ok());
  return marked;
}

void SimulatedBroker::end_of_day(core::Timestamp ts) {
  advance_now(ts);
  for (const std::size_t index : working_) {
    SimOrder& order = orders_[index];
    order.state = State::expired;
    queue_.push_back(BrokerEvent{.kind = BrokerEvent::Kind::expired,
                                 .client_order_id = order.request.client_order_id,
                                 .broker_order_id = order.broker_order_id,
                                 .ticker = order.request.ticker,
                                 .side = order.request.side,
                                 .ts = ts,
                                 .reason = fmt::format("DAY order expired at the end of the session with {} of {} "
                                                       "shares filled",
                                                       order.filled_quantity, order.request.quantity)});
  }
  working_.clear();
}

std::optional<double> SimulatedBroker::fill_price(const OrderRequest& order, const features::BarPoint& bar) const {
  switch (order.type) {
    case OrderType::market:
      return config_.cost.fill_price(order.side, bar.open);
    case OrderType::market_on_close:
      return config_.cost.fill_price(order.side, bar.close);
    case OrderType::limit:
      break;
  }
  const double limit = order.limit_price;
  if (order.side == OrderSide::buy) {
    if (bar.open <= limit) return bar.open;  // opened at or below the limit: the better price
    if (bar.low <= limit) return limit;      // traded down through it during the bar
  } else {
    if (bar.open >= limit) return bar.open;
    if (bar.high >= limit) return limit;
  }
  return std::nullopt;
}

// ---- Persistence ----

namespace {
constexpr std::array<std::string_view, 4> kStateNames = {"working", "filled", "cancelled", "expired"};
}  // namespace

json SimulatedBroker::to_json() const {
  json orders = json::array();
  for (const SimOrder& order : orders_) {
    json entry = request_to_json(order.request);
    entry["broker_order_id"] = order.broker_order_id;
    entry["filled_quantity"] = order.filled_quantity;
    entry["state"] = kStateNames[static_cast<std::size_t>(order.state)];
    orders.push_back(std::move(entry));
  }
  json queue = json::array();
  for (const BrokerEvent& event : queue_) queue.push_back(event_to_json(event));
  // Sorted by ticker, so that the document does not depend on the hash map's order.
  std::vector<std::pair<std::string, core::Timestamp>> bars(last_bar_.begin(), last_bar_.end());
  std::sort(bars.begin(), bars.end());
  json last_bars = json::array();
  for (const auto& [ticker, ts] : bars) last_bars.push_back(json{{"ticker", ticker}, {"ts", ts}});

  return json{
      {"format", kFormat},
      {"version", kVersion},
      {"config", config_to_json(config_)},
      {"faults", {{"duplicate_events", faults_.duplicate_events}, {"reverse_batches", faults_.reverse_batches}}},
      {"book", book_.to_json()},
      {"orders", std::move(orders)},
      {"working", working_},
      {"queue", std::move(queue)},
      {"last_bars", std::move(last_bars)},
      {"book_ts", book_ts_ ? json(*book_ts_) : json(nullptr)},
      {"now", now_},
      {"next_order_number", next_order_number_},
      {"next_exec_number", next_exec_number_}};
}

core::Result<SimulatedBroker> SimulatedBroker::from_json(const json& state) {
  const StateReader& reader = state_reader();
  if (!state.is_object()) return reader.error("expected a JSON object");
  std::string format;
  if (auto error = reader.read_string(state, "", "format", format)) return *error;
  if (format != kFormat) return reader.error("format", fmt::format("expected \"{}\", got \"{}\"", kFormat, format));
  std::int64_t version = 0;
  if (auto error = reader.read_int64(state, "", "version", version)) return *error;
  if (version != kVersion) {
    return reader.error("version",
                        fmt::format("expected {} (this build reads version {}), got {}", kVersion, kVersion, version));
  }

  core::Result<SimulatedBrokerConfig> config = config_from_json(state);
  if (!config) return config.error();
  SimulatedBroker broker(*config);

  auto faults = reader.read_object(state, "", "faults");
  if (!faults) return faults.error();
  if (auto error = reader.read_bool(**faults, "faults", "duplicate_events", broker.faults_.duplicate_events))
    return *error;
  if (auto error = reader.read_bool(**faults, "faults", "reverse_batches", broker.faults_.reverse_batches))
    return *error;

  auto book_state = reader.member(state, "", "book");
  if (!book_state) return book_state.error();
  core::Result<PositionTracker> book = PositionTracker::from_json(**book_state);
  if (!book) return reader.error("book", book.error().message);
  if (book->initial_cash() != broker.config_.initial_cash) {
    return reader.error("book.initial_cash", fmt::format("{} differs from config.initial_cash {}", book->initial_cash(),
                                                         broker.config_.initial_cash));
  }
  broker.book_ = std::move(book).value();

  // Orders, in submission order.
  auto orders = reader.read_array(state, "", "orders");
  if (!orders) return orders.error();
  for (std::size_t i = 0; i < (*orders)->size(); ++i) {
    const json& entry = (**orders)[i];
    const std::string where = fmt::format("orders[{}]", i);
    if (!entry.is_object()) return reader.error(where, "expected an object");
    core::Result<OrderRequest> request = order_request_from_json(entry, where);
    if (!request) return request.error();
    SimOrder order{.request = std::move(request).value()};
    std::string state_name;
    std::optional<core::Error> error;
    if ((error = reader.read_string(entry, where, "broker_order_id", order.broker_order_id)) ||
        (error = reader.read_number(entry, where, "filled_quantity", order.filled_quantity)) ||
        (error = reader.read_string(entry, where, "state", state_name))) {
      return *error;
    }
    if (order.broker_order_id.empty()) return reader.error(StateReader::path(where, "broker_order_id"), "empty");
    const auto known = std::find(kStateNames.begin(), kStateNames.end(), state_name);
    if (known == kStateNames.end()) {
      return reader.error(
          StateReader::path(where, "state"),
          fmt::format("expected \"working\", \"filled\", \"cancelled\" or \"expired\", got \"{}\"", state_name));
    }
    order.state = static_cast<State>(known - kStateNames.begin());
    const double remaining = order.request.quantity - order.filled_quantity;
    if (order.filled_quantity < 0.0 || remaining < -OrderManager::kQuantityTolerance) {
      return reader.error(StateReader::path(where, "filled_quantity"),
                          fmt::format("{} is outside [0, quantity {}]", order.filled_quantity, order.request.quantity));
    }
    // A working order has shares left to fill; a filled one has none.
    if (order.state == State::working && remaining <= OrderManager::kQuantityTolerance) {
      return reader.error(StateReader::path(where, "state"),
                          fmt::format("\"working\" but all {} shares are filled", order.request.quantity));
    }
    if (order.state == State::filled && remaining > OrderManager::kQuantityTolerance) {
      return reader.error(
          StateReader::path(where, "state"),
          fmt::format("\"filled\" with {} of {} shares filled", order.filled_quantity, order.request.quantity));
    }
    const std::string& id = order.request.client_order_id;
    if (!broker.index_.emplace(id, broker.orders_.size()).second) {
      return reader.error(StateReader::path(where, "client_order_id"), fmt::format("'{}' appears twice", id));
    }
    broker.orders_.push_back(std::move(order));
  }

  // The working list: exactly the working orders, ascending.
  auto working = reader.read_array(state, "", "working");
  if (!working) return working.error();
  for (std::size_t i = 0; i < (*working)->size(); ++i) {
    const std::string where = fmt::format("working[{}]", i);
    std::size_t index = 0;
    if (auto error = reader.as_count((**working)[i], where, index)) return *error;
    if (index >= broker.orders_.size()) {
      return reader.error(where, fmt::format("order index {} is beyond the {} orders", index, broker.orders_.size()));
    }
    if (!broker.working_.empty() && index <= broker.working_.back()) {
      return reader.error(where, "the indices must be strictly ascending");
    }
    if (broker.orders_[index].state != State::working) {
      return reader.error(where, fmt::format("order {} ('{}') is not in state \"working\"", index,
                                             broker.orders_[index].request.client_order_id));
    }
    broker.working_.push_back(index);
  }
  for (std::size_t index = 0; index < broker.orders_.size(); ++index) {
    if (broker.orders_[index].state == State::working &&
        !std::binary_search(broker.working_.begin(), broker.working_.end(), index)) {
      return reader.error("working", fmt::format("orders[{}] ('{}') is working but not listed", index,
                                                 broker.orders_[index].request.client_order_id));
    }
  }

  // The events not yet polled, in arrival order.
  auto queue = reader.read_array(state, "", "queue");
  if (!queue) return queue.error();
  for (std::size_t i = 0; i < (*queue)->size(); ++i) {
    core::Result<BrokerEvent> event = event_from_json((**queue)[i], fmt::format("queue[{}]", i));
    if (!event) return event.error();
    broker.queue_.push_back(std::move(event).value());
  }

  // Each ticker's latest bar start, and the book's clock: the latest of them.
  auto last_bars = reader.read_array(state, "", "last_bars");
  if (!last_bars) return last_bars.error();
  std::optional<core::Timestamp> latest_bar;
  for (std::size_t i = 0; i < (*last_bars)->size(); ++i) {
    const json& entry = (**last_bars)[i];
    const std::string where = fmt::format("last_bars[{}]", i);
    if (!entry.is_object()) return reader.error(where, "expected an object");
    std::string ticker;
    core::Timestamp ts = 0;
    std::optional<core::Error> error;
    if ((error = reader.read_string(entry, where, "ticker", ticker)) ||
        (error = reader.read_int64(entry, where, "ts", ts))) {
      return *error;
    }
    if (ticker.empty()) return reader.error(StateReader::path(where, "ticker"), "empty");
    if (!broker.last_bar_.emplace(ticker, ts).second) {
      return reader.error(StateReader::path(where, "ticker"), fmt::format("'{}' appears twice", ticker));
    }
    latest_bar = std::max(latest_bar.value_or(ts), ts);
  }
  auto book_ts = reader.member(state, "", "book_ts");
  if (!book_ts) return book_ts.error();
  if (!(*book_ts)->is_null()) {
    core::Timestamp ts = 0;
    if (auto error = reader.as_int64(**book_ts, "book_ts", ts)) return *error;
    broker.book_ts_ = ts;
  }
  if (broker.book_ts_ != latest_bar) {
    return reader.error("book_ts", "must be the latest ts of last_bars (null when there is none)");
  }

  std::size_t next_order = 0;
  std::size_t next_exec = 0;
  std::optional<core::Error> error;
  if ((error = reader.read_int64(state, "", "now", broker.now_)) ||
      (error = reader.read_count(state, "", "next_order_number", next_order)) ||
      (error = reader.read_count(state, "", "next_exec_number", next_exec))) {
    return *error;
  }
  // Every order took a broker order id (refusals too), and both counters start at 1.
  if (next_order <= broker.orders_.size()) {
    return reader.error("next_order_number", fmt::format("{} must be at least {}: ids count from 1 and each of the "
                                                         "{} orders took one",
                                                         next_order, broker.orders_.size() + 1, broker.orders_.size()));
  }
  if (next_exec < 1) return reader.error("next_exec_number", "must be >= 1");
  broker.next_order_number_ = next_order;
  broker.next_exec_number_ = next_exec;
  return broker;
}

std::string SimulatedBroker::next_broker_order_id() { return fmt::format("SIM-{}", next_order_number_++); }

void SimulatedBroker::advance_now(core::Timestamp ts) { now_ = std::max(now_, ts); }

}  // namespace itrade::execution

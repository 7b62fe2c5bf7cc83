#include "execution/simulated_broker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <utility>

#include "execution/order_manager.h"

namespace itrade::execution {
namespace {

// The backtest config's ranges (src/evaluation/backtest_config.cpp), so that any cost model the
// backtester accepts, this broker accepts too.
constexpr double kMaxPerShare = 100.0;
constexpr double kMaxCash = 1e15;
constexpr double kMaxCommissionBps = 10'000.0;
constexpr double kMaxSlippageBps = 1'000.0;

// False for NaN.
bool within(double value, double low, double high) { return value >= low && value <= high; }

core::Error out_of_range(std::string_view field, double value, std::string_view range, std::string_view hint) {
  return core::input_error("simulated broker config: {}: {} is out of range {}; {}", field, value, range, hint);
}

bool is_whole(double quantity) { return std::floor(quantity) == quantity; }

}  // namespace

core::Status SimulatedBrokerConfig::check() const {
  const CommissionConfig& c = cost.commission;
  if (!within(c.per_share, 0.0, kMaxPerShare)) {
    return out_of_range("cost.commission.per_share", c.per_share, "[0, 100]",
                        "give the commission per share in the account currency, e.g. 0.005");
  }
  if (!within(c.minimum, 0.0, kMaxCash)) {
    return out_of_range("cost.commission.minimum", c.minimum, "[0, 1e15]",
                        "give the minimum commission per fill, e.g. 1.0");
  }
  if (!within(c.maximum_fraction, 0.0, 1.0)) {
    return out_of_range("cost.commission.maximum_fraction", c.maximum_fraction, "[0, 1]",
                        "give the cap as a fraction of the trade value (0.01 = 1 %), or 0 for no cap");
  }
  if (!within(c.bps, 0.0, kMaxCommissionBps)) {
    return out_of_range("cost.commission.bps", c.bps, "[0, 10000]",
                        "give the commission in basis points of the trade value, e.g. 0.5");
  }
  if (!within(cost.slippage_bps, 0.0, kMaxSlippageBps)) {
    return out_of_range("cost.slippage_bps", cost.slippage_bps, "[0, 1000]",
                        "give the slippage in basis points, e.g. 1");
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
  assert(request.type == OrderType::market || (request.limit_price > 0.0 && std::isfinite(request.limit_price)));
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
  for (const std::size_t index : working_) {
    SimOrder& order = orders_[index];
    const OrderRequest& request = order.request;
    if (request.ticker != ticker) continue;
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
  if (order.type == OrderType::market) return config_.cost.fill_price(order.side, bar.open);
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

std::string SimulatedBroker::next_broker_order_id() { return fmt::format("SIM-{}", next_order_number_++); }

void SimulatedBroker::advance_now(core::Timestamp ts) { now_ = std::max(now_, ts); }

}  // namespace itrade::execution

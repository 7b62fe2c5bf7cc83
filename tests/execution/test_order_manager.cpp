// The order state machine: one test per transition and per bad event (docs/execution.md, "Order
// manager"), idempotent tracking, exactly-once fills under repeated and shuffled delivery, and the
// JSON state for a restart.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "execution/order_manager.h"

namespace itrade::execution {
namespace {

using Kind = EventOutcome::Kind;

constexpr core::Timestamp kT0 = 1'723'469'400'000'000'000;  // 2024-08-12T13:30:00Z
constexpr core::Timestamp kStep = 1'000'000'000;            // 1 second

OrderRequest market_buy(const std::string& id, double quantity = 100.0, const std::string& ticker = "AAPL") {
  return OrderRequest{.client_order_id = id,
                      .ticker = ticker,
                      .side = OrderSide::buy,
                      .quantity = quantity,
                      .type = OrderType::market,
                      .reference_price = 100.0,
                      .ts = kT0};
}

OrderRequest limit_sell(const std::string& id, double quantity, double limit_price) {
  return OrderRequest{.client_order_id = id,
                      .ticker = "MSFT",
                      .side = OrderSide::sell,
                      .quantity = quantity,
                      .type = OrderType::limit,
                      .limit_price = limit_price,
                      .reference_price = limit_price,
                      .ts = kT0};
}

BrokerEvent accepted(const std::string& id, const std::string& broker_id = "B-1") {
  return BrokerEvent{
      .kind = BrokerEvent::Kind::accepted, .client_order_id = id, .broker_order_id = broker_id, .ts = kT0 + kStep};
}

BrokerEvent fill(const std::string& id, const std::string& exec_id, double quantity, double price,
                 double commission = 1.0, const std::string& ticker = "AAPL", OrderSide side = OrderSide::buy) {
  return BrokerEvent{.kind = BrokerEvent::Kind::fill,
                     .client_order_id = id,
                     .exec_id = exec_id,
                     .ticker = ticker,
                     .side = side,
                     .quantity = quantity,
                     .price = price,
                     .commission = commission,
                     .ts = kT0 + 2 * kStep};
}

BrokerEvent ended(BrokerEvent::Kind kind, const std::string& id, const std::string& reason = "") {
  return BrokerEvent{.kind = kind, .client_order_id = id, .ts = kT0 + 3 * kStep, .reason = reason};
}

// A manager with order "o1" (market buy 100 AAPL) tracked and submitted.
OrderManager submitted_manager() {
  OrderManager manager;
  EXPECT_TRUE(manager.track(market_buy("o1")).ok());
  EXPECT_TRUE(manager.mark_submitted("o1").ok());
  return manager;
}

// Applies `event`, expects `kind`, and checks that anything but `applied` left the state untouched.
EventOutcome expect_outcome(OrderManager& manager, const BrokerEvent& event, Kind kind) {
  const nlohmann::json before = manager.to_json();
  EventOutcome result = manager.apply(event);
  EXPECT_EQ(outcome_name(result.kind), outcome_name(kind)) << result.message;
  if (kind != Kind::applied) {
    EXPECT_FALSE(result.message.empty());
    EXPECT_FALSE(result.fill.has_value());
    EXPECT_EQ(manager.to_json(), before) << "a " << outcome_name(kind) << " event changed the state";
  }
  return result;
}

// ---- tracking ----

TEST(OrderManagerTest, TrackRegistersANewOrder) {
  OrderManager manager;
  const auto tracked = manager.track(market_buy("o1"));
  ASSERT_TRUE(tracked.ok()) << tracked.error().message;
  EXPECT_FALSE(tracked->duplicate);
  ASSERT_NE(tracked->order, nullptr);
  EXPECT_EQ(tracked->order->status, OrderStatus::created);
  EXPECT_EQ(status_name(tracked->order->status), "new");
  EXPECT_EQ(tracked->order->request.client_order_id, "o1");
  EXPECT_EQ(tracked->order->filled_quantity, 0.0);
  EXPECT_EQ(tracked->order->last_update_ts, kT0);
  EXPECT_EQ(manager.order("o1"), tracked->order);
  EXPECT_EQ(manager.size(), 1u);
}

TEST(OrderManagerTest, TrackRejectsInvalidRequests) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<OrderRequest> bad;
  bad.push_back(market_buy(""));
  bad.push_back(market_buy("o1", 100.0, ""));
  bad.push_back(market_buy("o1", 0.0));
  bad.push_back(market_buy("o1", -5.0));
  bad.push_back(market_buy("o1", nan));
  bad.push_back(market_buy("o1", inf));
  bad.push_back(limit_sell("o1", 10.0, 0.0));
  bad.push_back(limit_sell("o1", 10.0, -1.0));
  bad.push_back(limit_sell("o1", 10.0, nan));
  OrderManager manager;
  for (const OrderRequest& request : bad) {
    const auto tracked = manager.track(request);
    ASSERT_FALSE(tracked.ok());
    EXPECT_EQ(tracked.error().kind, core::ErrorKind::input);
  }
  EXPECT_EQ(manager.size(), 0u);
  EXPECT_TRUE(manager.track(limit_sell("o1", 10.0, 250.0)).ok());
}

TEST(OrderManagerTest, DuplicateTrackWithSameContentIsFlagged) {
  OrderManager manager;
  const auto first = manager.track(market_buy("o1"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(manager.mark_submitted("o1").ok());
  // A retry recomputes the decision time and reference price; the order itself is the same.
  OrderRequest retry = market_buy("o1");
  retry.ts = kT0 + 60 * kStep;
  retry.reference_price = 101.0;
  const auto second = manager.track(retry);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->order, first->order);
  EXPECT_EQ(second->order->status, OrderStatus::submitted);  // unchanged
  EXPECT_EQ(second->order->request.ts, kT0);
  EXPECT_EQ(manager.size(), 1u);
}

TEST(OrderManagerTest, DuplicateTrackWithDifferentContentIsAnError) {
  OrderManager manager;
  ASSERT_TRUE(manager.track(market_buy("o1")).ok());
  OrderRequest other_quantity = market_buy("o1", 50.0);
  OrderRequest other_ticker = market_buy("o1", 100.0, "MSFT");
  OrderRequest other_side = market_buy("o1");
  other_side.side = OrderSide::sell;
  OrderRequest other_type = market_buy("o1");
  other_type.type = OrderType::limit;
  other_type.limit_price = 99.0;
  for (const OrderRequest& request : {other_quantity, other_ticker, other_side, other_type}) {
    const auto tracked = manager.track(request);
    ASSERT_FALSE(tracked.ok());
    EXPECT_EQ(tracked.error().kind, core::ErrorKind::input);
    EXPECT_NE(tracked.error().message.find("o1"), std::string::npos);
  }
  EXPECT_EQ(manager.size(), 1u);
  EXPECT_EQ(manager.order("o1")->request.quantity, 100.0);
}

TEST(OrderManagerTest, DuplicateTrackOfALimitOrderComparesTheLimitPrice) {
  OrderManager manager;
  ASSERT_TRUE(manager.track(limit_sell("o1", 10.0, 250.0)).ok());
  const auto same = manager.track(limit_sell("o1", 10.0, 250.0));
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->duplicate);
  EXPECT_FALSE(manager.track(limit_sell("o1", 10.0, 251.0)).ok());
}

TEST(OrderManagerTest, AMarketOnCloseOrderNeedsNoLimitPriceAndDuplicatesCompareLikeMarketOrders) {
  OrderManager manager;
  OrderRequest moc = market_buy("o1");
  moc.type = OrderType::market_on_close;  // limit_price stays 0
  const auto first = manager.track(moc);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->order->request.type, OrderType::market_on_close);
  EXPECT_EQ(first->order->status, OrderStatus::created);

  // A retry with a newer decision is the same order; the limit price field is not its content.
  OrderRequest retry = moc;
  retry.ts = kT0 + 60 * kStep;
  retry.reference_price = 101.0;
  retry.limit_price = 99.0;
  const auto second = manager.track(retry);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->order, first->order);

  // The type is: the same id as a market order, or with another quantity, is an error.
  OrderRequest as_market = moc;
  as_market.type = OrderType::market;
  OrderRequest other_quantity = moc;
  other_quantity.quantity = 50.0;
  for (const OrderRequest& request : {as_market, other_quantity}) {
    const auto tracked = manager.track(request);
    ASSERT_FALSE(tracked.ok());
    EXPECT_EQ(tracked.error().kind, core::ErrorKind::input);
  }
  EXPECT_EQ(manager.size(), 1u);
}

// ---- transitions ----

TEST(OrderManagerTest, NewToSubmitted) {
  OrderManager manager;
  ASSERT_TRUE(manager.track(market_buy("o1")).ok());
  ASSERT_TRUE(manager.mark_submitted("o1").ok());
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::submitted);
  EXPECT_TRUE(manager.mark_submitted("o1").ok());  // idempotent
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::submitted);

  const core::Status unknown = manager.mark_submitted("nope");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::input);
}

TEST(OrderManagerTest, MarkSubmittedNeverMovesAnOrderBack) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 40.0, 100.0), Kind::applied);
  ASSERT_TRUE(manager.mark_submitted("o1").ok());
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::partially_filled);
}

TEST(OrderManagerTest, AcceptedRecordsTheBrokerOrderId) {
  OrderManager manager = submitted_manager();
  const EventOutcome result = expect_outcome(manager, accepted("o1", "B-77"), Kind::applied);
  EXPECT_FALSE(result.fill.has_value());
  const Order* order = manager.order("o1");
  EXPECT_EQ(order->status, OrderStatus::submitted);
  EXPECT_EQ(order->broker_order_id, "B-77");
  EXPECT_EQ(order->last_update_ts, kT0 + kStep);
}

TEST(OrderManagerTest, AcceptedOnANewOrderSubmitsIt) {
  // The broker answered before mark_submitted was processed.
  OrderManager manager;
  ASSERT_TRUE(manager.track(market_buy("o1")).ok());
  expect_outcome(manager, accepted("o1"), Kind::applied);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::submitted);
  EXPECT_EQ(manager.order("o1")->broker_order_id, "B-1");
  ASSERT_TRUE(manager.mark_submitted("o1").ok());
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::submitted);
}

TEST(OrderManagerTest, RepeatedAcceptedIsDuplicate) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, accepted("o1"), Kind::applied);
  expect_outcome(manager, accepted("o1"), Kind::duplicate);
}

TEST(OrderManagerTest, PartialFill) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, accepted("o1"), Kind::applied);
  const EventOutcome result = expect_outcome(manager, fill("o1", "x1", 40.0, 100.5, 0.75), Kind::applied);
  ASSERT_TRUE(result.fill.has_value());
  EXPECT_EQ(result.fill->client_order_id, "o1");
  EXPECT_EQ(result.fill->exec_id, "x1");
  EXPECT_EQ(result.fill->ticker, "AAPL");
  EXPECT_EQ(result.fill->side, OrderSide::buy);
  EXPECT_DOUBLE_EQ(result.fill->quantity, 40.0);
  EXPECT_DOUBLE_EQ(result.fill->price, 100.5);
  EXPECT_DOUBLE_EQ(result.fill->commission, 0.75);
  EXPECT_EQ(result.fill->ts, kT0 + 2 * kStep);

  const Order* order = manager.order("o1");
  EXPECT_EQ(order->status, OrderStatus::partially_filled);
  EXPECT_DOUBLE_EQ(order->filled_quantity, 40.0);
  EXPECT_DOUBLE_EQ(order->remaining_quantity(), 60.0);
  EXPECT_DOUBLE_EQ(order->average_fill_price, 100.5);
  EXPECT_DOUBLE_EQ(order->total_commission, 0.75);
  EXPECT_EQ(order->exec_ids, std::vector<std::string>{"x1"});
  EXPECT_TRUE(order->open());
}

TEST(OrderManagerTest, FullFillAveragesByVolume) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 40.0, 100.0, 1.0), Kind::applied);
  expect_outcome(manager, fill("o1", "x2", 60.0, 101.0, 1.5), Kind::applied);
  const Order* order = manager.order("o1");
  EXPECT_EQ(order->status, OrderStatus::filled);
  EXPECT_DOUBLE_EQ(order->filled_quantity, 100.0);
  EXPECT_DOUBLE_EQ(order->average_fill_price, (40.0 * 100.0 + 60.0 * 101.0) / 100.0);  // 100.6
  EXPECT_DOUBLE_EQ(order->total_commission, 2.5);
  EXPECT_FALSE(order->open());
  EXPECT_EQ(manager.open_count(), 0u);
}

TEST(OrderManagerTest, FractionalFillsWithinToleranceCompleteTheOrder) {
  OrderManager manager;
  ASSERT_TRUE(manager.track(market_buy("o1", 0.3)).ok());
  expect_outcome(manager, fill("o1", "x1", 0.1, 100.0), Kind::applied);
  expect_outcome(manager, fill("o1", "x2", 0.1, 100.0), Kind::applied);
  expect_outcome(manager, fill("o1", "x3", 0.1, 100.0), Kind::applied);  // 0.1+0.1+0.1 != 0.3 exactly
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::filled);
}

TEST(OrderManagerTest, CancelFromSubmitted) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1", "user request"), Kind::applied);
  const Order* order = manager.order("o1");
  EXPECT_EQ(order->status, OrderStatus::cancelled);
  EXPECT_EQ(order->reason, "user request");
  EXPECT_EQ(order->last_update_ts, kT0 + 3 * kStep);
}

TEST(OrderManagerTest, CancelFromNew) {
  OrderManager manager;
  ASSERT_TRUE(manager.track(market_buy("o1")).ok());
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1"), Kind::applied);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::cancelled);
}

TEST(OrderManagerTest, CancelAfterPartialFillKeepsTheFill) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 30.0, 99.0), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1"), Kind::applied);
  const Order* order = manager.order("o1");
  EXPECT_EQ(order->status, OrderStatus::cancelled);
  EXPECT_DOUBLE_EQ(order->filled_quantity, 30.0);
  EXPECT_DOUBLE_EQ(order->average_fill_price, 99.0);
}

TEST(OrderManagerTest, RepeatedCancelIsDuplicate) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1"), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1"), Kind::duplicate);
}

TEST(OrderManagerTest, Expire) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 10.0, 100.0), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::expired, "o1", "day order"), Kind::applied);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::expired);
  EXPECT_EQ(manager.order("o1")->reason, "day order");
  EXPECT_DOUBLE_EQ(manager.order("o1")->filled_quantity, 10.0);
  expect_outcome(manager, ended(BrokerEvent::Kind::expired, "o1"), Kind::duplicate);
}

TEST(OrderManagerTest, ExpireOpenEndsEveryOpenOrder) {
  OrderManager manager;
  for (const char* id : {"a", "b", "c", "d"}) ASSERT_TRUE(manager.track(market_buy(id)).ok());
  ASSERT_TRUE(manager.mark_submitted("b").ok());
  expect_outcome(manager, fill("c", "x1", 10.0, 100.0), Kind::applied);
  expect_outcome(manager, fill("d", "x2", 100.0, 100.0), Kind::applied);  // filled: not open

  const core::Timestamp close = kT0 + 390 * 60 * kStep;
  const std::vector<std::string> expired = manager.expire_open(close, "end of day");
  EXPECT_EQ(expired, (std::vector<std::string>{"a", "b", "c"}));
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_EQ(manager.order(id)->status, OrderStatus::expired);
    EXPECT_EQ(manager.order(id)->reason, "end of day");
    EXPECT_EQ(manager.order(id)->last_update_ts, close);
  }
  EXPECT_EQ(manager.order("d")->status, OrderStatus::filled);
  EXPECT_TRUE(manager.expire_open(close, "again").empty());
}

TEST(OrderManagerTest, Reject) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, ended(BrokerEvent::Kind::rejected, "o1", "insufficient buying power"), Kind::applied);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::rejected);
  EXPECT_EQ(manager.order("o1")->reason, "insufficient buying power");
  expect_outcome(manager, ended(BrokerEvent::Kind::rejected, "o1"), Kind::duplicate);
}

TEST(OrderManagerTest, RejectFromNew) {
  OrderManager manager;
  ASSERT_TRUE(manager.track(market_buy("o1")).ok());
  expect_outcome(manager, ended(BrokerEvent::Kind::rejected, "o1"), Kind::applied);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::rejected);
}

// ---- out-of-order and repeated delivery ----

TEST(OrderManagerTest, DuplicateFillIsNotDoubleCounted) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 40.0, 100.0), Kind::applied);
  expect_outcome(manager, fill("o1", "x1", 40.0, 100.0), Kind::duplicate);
  EXPECT_DOUBLE_EQ(manager.order("o1")->filled_quantity, 40.0);
  EXPECT_DOUBLE_EQ(manager.order("o1")->total_commission, 1.0);
  // Also when the repeat arrives after the order completed.
  expect_outcome(manager, fill("o1", "x2", 60.0, 100.0), Kind::applied);
  expect_outcome(manager, fill("o1", "x1", 40.0, 100.0), Kind::duplicate);
  EXPECT_DOUBLE_EQ(manager.order("o1")->filled_quantity, 100.0);
}

TEST(OrderManagerTest, StaleAcceptedAfterFill) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 40.0, 100.0), Kind::applied);
  expect_outcome(manager, accepted("o1"), Kind::stale);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::partially_filled);
  expect_outcome(manager, fill("o1", "x2", 60.0, 100.0), Kind::applied);
  expect_outcome(manager, accepted("o1"), Kind::stale);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::filled);
}

TEST(OrderManagerTest, StaleAcceptedAfterCancel) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1"), Kind::applied);
  expect_outcome(manager, accepted("o1"), Kind::stale);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::cancelled);
}

TEST(OrderManagerTest, FillAfterCancelIsAppliedAndStatusStaysCancelled) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 30.0, 100.0), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1"), Kind::applied);
  // The execution happened before the cancel took effect: real shares.
  const EventOutcome late = expect_outcome(manager, fill("o1", "x2", 20.0, 102.0), Kind::applied);
  ASSERT_TRUE(late.fill.has_value());
  EXPECT_DOUBLE_EQ(late.fill->quantity, 20.0);
  const Order* order = manager.order("o1");
  EXPECT_EQ(order->status, OrderStatus::cancelled);
  EXPECT_DOUBLE_EQ(order->filled_quantity, 50.0);
  EXPECT_DOUBLE_EQ(order->average_fill_price, (30.0 * 100.0 + 20.0 * 102.0) / 50.0);
  // Even when the late fills complete the order, it stays cancelled.
  expect_outcome(manager, fill("o1", "x3", 50.0, 102.0), Kind::applied);
  EXPECT_EQ(order->status, OrderStatus::cancelled);
  EXPECT_DOUBLE_EQ(order->filled_quantity, 100.0);
}

TEST(OrderManagerTest, FillAfterExpireIsAppliedAndStatusStaysExpired) {
  OrderManager manager = submitted_manager();
  ASSERT_EQ(manager.expire_open(kT0 + 10 * kStep, "end of day").size(), 1u);
  expect_outcome(manager, fill("o1", "x1", 30.0, 100.0), Kind::applied);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::expired);
  EXPECT_DOUBLE_EQ(manager.order("o1")->filled_quantity, 30.0);
}

TEST(OrderManagerTest, CancelOnFilledIsStale) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 100.0, 100.0), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1"), Kind::stale);
  expect_outcome(manager, ended(BrokerEvent::Kind::expired, "o1"), Kind::stale);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::filled);
}

TEST(OrderManagerTest, FirstTerminalStatusWins) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1"), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::expired, "o1"), Kind::stale);
  expect_outcome(manager, ended(BrokerEvent::Kind::rejected, "o1"), Kind::stale);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::cancelled);

  ASSERT_TRUE(manager.track(market_buy("o2")).ok());
  expect_outcome(manager, ended(BrokerEvent::Kind::rejected, "o2"), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o2"), Kind::stale);
  expect_outcome(manager, accepted("o2"), Kind::stale);
  EXPECT_EQ(manager.order("o2")->status, OrderStatus::rejected);
}

// ---- bad events ----

TEST(OrderManagerTest, FillAfterRejectIsInvalid) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, ended(BrokerEvent::Kind::rejected, "o1"), Kind::applied);
  expect_outcome(manager, fill("o1", "x1", 10.0, 100.0), Kind::invalid);
  EXPECT_EQ(manager.order("o1")->filled_quantity, 0.0);
}

TEST(OrderManagerTest, RejectAfterFillIsInvalid) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 10.0, 100.0), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::rejected, "o1"), Kind::invalid);
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "o1"), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::rejected, "o1"), Kind::invalid);  // cancelled with a fill
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::cancelled);
}

TEST(OrderManagerTest, OverfillIsInvalidAndChangesNothing) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 70.0, 100.0), Kind::applied);
  expect_outcome(manager, fill("o1", "x2", 31.0, 100.0), Kind::invalid);
  EXPECT_DOUBLE_EQ(manager.order("o1")->filled_quantity, 70.0);
  EXPECT_EQ(manager.order("o1")->exec_ids, std::vector<std::string>{"x1"});
  // An invalid fill leaves no trace, not even its exec id: a corrected fill under that id applies.
  expect_outcome(manager, fill("o1", "x2", 30.0, 100.0), Kind::applied);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::filled);
  expect_outcome(manager, fill("o1", "x3", 1.0, 100.0), Kind::invalid);  // nothing remains
}

TEST(OrderManagerTest, FillWithWrongTickerOrSideIsInvalid) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 10.0, 100.0, 1.0, "MSFT"), Kind::invalid);
  expect_outcome(manager, fill("o1", "x2", 10.0, 100.0, 1.0, "AAPL", OrderSide::sell), Kind::invalid);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::submitted);
}

TEST(OrderManagerTest, FillWithBadNumbersIsInvalid) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  OrderManager manager = submitted_manager();
  expect_outcome(manager, fill("o1", "x1", 0.0, 100.0), Kind::invalid);
  expect_outcome(manager, fill("o1", "x1", -5.0, 100.0), Kind::invalid);
  expect_outcome(manager, fill("o1", "x1", nan, 100.0), Kind::invalid);
  expect_outcome(manager, fill("o1", "x1", 10.0, 0.0), Kind::invalid);
  expect_outcome(manager, fill("o1", "x1", 10.0, -1.0), Kind::invalid);
  expect_outcome(manager, fill("o1", "x1", 10.0, inf), Kind::invalid);
  expect_outcome(manager, fill("o1", "x1", 10.0, 100.0, -0.01), Kind::invalid);
  expect_outcome(manager, fill("o1", "x1", 10.0, 100.0, nan), Kind::invalid);
  expect_outcome(manager, fill("o1", "", 10.0, 100.0), Kind::invalid);         // cannot be deduplicated
  expect_outcome(manager, fill("o1", "x1", 10.0, 100.0, 0.0), Kind::applied);  // zero commission is fine
}

TEST(OrderManagerTest, ExecIdOfAnotherOrderIsInvalid) {
  OrderManager manager = submitted_manager();
  ASSERT_TRUE(manager.track(market_buy("o2")).ok());
  expect_outcome(manager, fill("o1", "x1", 10.0, 100.0), Kind::applied);
  expect_outcome(manager, fill("o2", "x1", 10.0, 100.0), Kind::invalid);
  EXPECT_EQ(manager.order("o2")->filled_quantity, 0.0);
}

TEST(OrderManagerTest, ConflictingBrokerOrderIdIsInvalid) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, accepted("o1", "B-1"), Kind::applied);
  expect_outcome(manager, accepted("o1", "B-2"), Kind::invalid);
  BrokerEvent other = fill("o1", "x1", 10.0, 100.0);
  other.broker_order_id = "B-2";
  expect_outcome(manager, other, Kind::invalid);
  EXPECT_EQ(manager.order("o1")->broker_order_id, "B-1");
}

TEST(OrderManagerTest, AcceptedWithoutBrokerOrderIdIsInvalid) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, accepted("o1", ""), Kind::invalid);
}

TEST(OrderManagerTest, FillCarriesTheBrokerOrderIdWhenAcceptedIsLate) {
  OrderManager manager = submitted_manager();
  BrokerEvent first = fill("o1", "x1", 10.0, 100.0);
  first.broker_order_id = "B-9";
  expect_outcome(manager, first, Kind::applied);
  EXPECT_EQ(manager.order("o1")->broker_order_id, "B-9");
  expect_outcome(manager, accepted("o1", "B-9"), Kind::stale);
}

TEST(OrderManagerTest, UnknownOrder) {
  OrderManager manager = submitted_manager();
  expect_outcome(manager, accepted("zz"), Kind::unknown_order);
  expect_outcome(manager, fill("zz", "x1", 10.0, 100.0), Kind::unknown_order);
  expect_outcome(manager, ended(BrokerEvent::Kind::cancelled, "zz"), Kind::unknown_order);
  EXPECT_EQ(manager.order("zz"), nullptr);
}

// ---- queries ----

TEST(OrderManagerTest, QueriesKeepCreationOrder) {
  OrderManager manager;
  for (const char* id : {"c", "a", "b", "d"}) ASSERT_TRUE(manager.track(market_buy(id)).ok());
  const Order* first = manager.order("c");
  ASSERT_TRUE(manager.mark_submitted("a").ok());
  expect_outcome(manager, fill("b", "x1", 100.0, 100.0), Kind::applied);
  expect_outcome(manager, ended(BrokerEvent::Kind::rejected, "d"), Kind::applied);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(manager.track(market_buy("more" + std::to_string(i))).ok());
  EXPECT_EQ(manager.order("c"), first);  // pointers survive later tracking

  std::vector<std::string> all;
  for (const Order& order : manager.orders()) all.push_back(order.request.client_order_id);
  EXPECT_EQ(std::vector<std::string>(all.begin(), all.begin() + 4), (std::vector<std::string>{"c", "a", "b", "d"}));
  const std::vector<const Order*> open = manager.open_orders();
  ASSERT_EQ(open.size(), 102u);
  EXPECT_EQ(open[0]->request.client_order_id, "c");
  EXPECT_EQ(open[1]->request.client_order_id, "a");
  EXPECT_EQ(manager.size(), 104u);
  EXPECT_EQ(manager.open_count(), 102u);
  EXPECT_EQ(manager.count(OrderStatus::created), 101u);
  EXPECT_EQ(manager.count(OrderStatus::submitted), 1u);
  EXPECT_EQ(manager.count(OrderStatus::filled), 1u);
  EXPECT_EQ(manager.count(OrderStatus::rejected), 1u);
  EXPECT_EQ(manager.count(OrderStatus::cancelled), 0u);
}

// ---- randomized delivery ----

struct Scenario {
  std::vector<BrokerEvent> in_order;  // a valid stream, each order's events in their true order
};

// Random orders with valid life cycles. Quantities are whole shares, prices multiples of 0.25 and
// commissions multiples of 0.125, so every sum is exact and results compare bit for bit.
Scenario random_scenario(std::mt19937& rng, OrderManager& a, OrderManager& b, int orders) {
  std::uniform_int_distribution<int> quantity_dist(1, 500);
  std::uniform_int_distribution<int> price_quarters(200, 600);
  std::uniform_int_distribution<int> commission_eighths(0, 40);
  std::uniform_int_distribution<int> scenario_dist(0, 4);
  const std::vector<std::string> tickers = {"AAPL", "MSFT", "NVDA", "SPY"};
  std::vector<std::vector<BrokerEvent>> per_order;
  int exec_counter = 0;
  for (int i = 0; i < orders; ++i) {
    const std::string id = "o" + std::to_string(i);
    OrderRequest request = market_buy(id, quantity_dist(rng), tickers[static_cast<std::size_t>(i) % tickers.size()]);
    request.side = (rng() % 2 == 0) ? OrderSide::buy : OrderSide::sell;
    EXPECT_TRUE(a.track(request).ok());
    EXPECT_TRUE(b.track(request).ok());
    const std::string broker_id = "B" + std::to_string(i);
    std::vector<BrokerEvent> events;
    core::Timestamp ts = kT0;
    auto next = [&](BrokerEvent event) {
      event.broker_order_id = broker_id;
      ts += kStep;
      event.ts = ts;
      events.push_back(std::move(event));
    };
    next(accepted(id, broker_id));
    const int scenario = scenario_dist(rng);  // 0 filled, 1 cancelled, 2 expired, 3 rejected, 4 left working
    const int total = static_cast<int>(request.quantity);
    if (scenario != 3) {
      // All of it (scenario 0) or a part: at least one share, at least one share short (none for a
      // one-share order, which then ends or keeps working unfilled).
      int to_fill = scenario == 0 ? total : (total > 1 ? 1 + static_cast<int>(rng() % (total - 1)) : 0);
      while (to_fill > 0) {
        const int part = 1 + static_cast<int>(rng() % static_cast<unsigned>(to_fill));
        to_fill -= part;
        next(fill(id, "x" + std::to_string(exec_counter++), part, price_quarters(rng) * 0.25,
                  commission_eighths(rng) * 0.125, request.ticker, request.side));
      }
    }
    if (scenario == 1) next(ended(BrokerEvent::Kind::cancelled, id, "cancel"));
    if (scenario == 2) next(ended(BrokerEvent::Kind::expired, id, "day"));
    if (scenario == 3) next(ended(BrokerEvent::Kind::rejected, id, "no"));
    per_order.push_back(std::move(events));
  }
  // Interleave the orders' streams at random, keeping each order's events in order.
  Scenario result;
  std::vector<std::size_t> cursor(per_order.size(), 0);
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < per_order.size(); ++i) pending.push_back(i);
  while (!pending.empty()) {
    const std::size_t pick = rng() % pending.size();
    const std::size_t order = pending[pick];
    result.in_order.push_back(per_order[order][cursor[order]++]);
    if (cursor[order] == per_order[order].size()) {
      pending[pick] = pending.back();
      pending.pop_back();
    }
  }
  return result;
}

TEST(OrderManagerTest, RandomRepeatsAndShufflesEndLikeTheInOrderStream) {
  for (const unsigned seed : {1u, 7u, 42u, 2024u, 31337u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    OrderManager in_order;
    OrderManager delivered;
    const Scenario scenario = random_scenario(rng, in_order, delivered, 40);

    std::map<std::string, double> fills_in_order;  // client_order_id -> shares handed out as Fills
    std::size_t fill_events = 0;
    for (const BrokerEvent& event : scenario.in_order) {
      const EventOutcome result = in_order.apply(event);
      ASSERT_TRUE(result.applied()) << result.message;
      if (result.fill) fills_in_order[result.fill->client_order_id] += result.fill->quantity;
      fill_events += event.kind == BrokerEvent::Kind::fill ? 1 : 0;
    }

    // At-least-once delivery: about a third of the events twice or three times, all shuffled.
    std::vector<BrokerEvent> stream = scenario.in_order;
    for (const BrokerEvent& event : scenario.in_order) {
      const unsigned copies = rng() % 6;  // 0..5: 0-3 none, 4 one more, 5 two more
      for (unsigned c = 3; c < copies; ++c) stream.push_back(event);
    }
    std::shuffle(stream.begin(), stream.end(), rng);

    std::map<std::string, double> fills_delivered;
    std::size_t applied_fills = 0;
    std::size_t late_fills = 0;  // applied to an order already cancelled or expired
    std::map<Kind, std::size_t> kinds;
    for (const BrokerEvent& event : stream) {
      const bool was_terminal = is_terminal(delivered.order(event.client_order_id)->status);
      const EventOutcome result = delivered.apply(event);
      ASSERT_NE(result.kind, Kind::invalid) << result.message;
      ASSERT_NE(result.kind, Kind::unknown_order) << result.message;
      ++kinds[result.kind];
      if (result.fill) {
        fills_delivered[result.fill->client_order_id] += result.fill->quantity;
        ++applied_fills;
        late_fills += was_terminal ? 1 : 0;
      }
    }
    // The stream did exercise repeats, stale answers and fills after a cancel or expiry.
    EXPECT_GT(kinds[Kind::duplicate], 0u);
    EXPECT_GT(kinds[Kind::stale], 0u);
    EXPECT_GT(late_fills, 0u);
    EXPECT_EQ(applied_fills, fill_events);  // every fill handed out exactly once
    EXPECT_EQ(fills_delivered, fills_in_order);

    ASSERT_EQ(delivered.size(), in_order.size());
    for (std::size_t i = 0; i < in_order.size(); ++i) {
      const Order& want = in_order.orders()[i];
      const Order& got = delivered.orders()[i];
      SCOPED_TRACE(want.request.client_order_id);
      EXPECT_EQ(got.filled_quantity, want.filled_quantity);
      EXPECT_EQ(got.average_fill_price, want.average_fill_price);
      EXPECT_EQ(got.total_commission, want.total_commission);
      EXPECT_EQ(got.status, want.status);
      EXPECT_EQ(got.broker_order_id, want.broker_order_id);
      auto sorted = [](std::vector<std::string> ids) {
        std::sort(ids.begin(), ids.end());
        return ids;
      };
      EXPECT_EQ(sorted(got.exec_ids), sorted(want.exec_ids));
    }

    // A restart followed by a replay of everything changes nothing.
    auto restored = OrderManager::from_json(nlohmann::json::parse(delivered.to_json().dump()));
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    const nlohmann::json before = restored->to_json();
    for (const BrokerEvent& event : stream) {
      const EventOutcome result = restored->apply(event);
      ASSERT_FALSE(result.applied()) << event_kind_name(event.kind) << " " << event.client_order_id;
      ASSERT_NE(result.kind, Kind::invalid) << result.message;
    }
    EXPECT_EQ(restored->to_json(), before);
  }
}

// ---- persistence ----

OrderManager busy_manager() {
  OrderManager manager;
  EXPECT_TRUE(manager.track(market_buy("o1", 10.0)).ok());
  EXPECT_TRUE(manager.track(limit_sell("o2", 7.5, 412.37)).ok());
  EXPECT_TRUE(manager.track(market_buy("o3", 3.0)).ok());
  EXPECT_TRUE(manager.track(market_buy("o4", 1.0)).ok());
  EXPECT_TRUE(manager.mark_submitted("o1").ok());
  EXPECT_TRUE(manager.apply(accepted("o1", "B-1")).applied());
  EXPECT_TRUE(manager.apply(fill("o1", "x1", 3.3, 100.1, 0.35)).applied());
  EXPECT_TRUE(manager.apply(fill("o1", "x2", 0.7, 100.3, 0.05)).applied());
  EXPECT_TRUE(manager.apply(fill("o2", "x3", 2.5, 412.41, 0.0, "MSFT", OrderSide::sell)).applied());
  EXPECT_TRUE(manager.apply(ended(BrokerEvent::Kind::cancelled, "o2", "user \"quoted\" reason")).applied());
  EXPECT_TRUE(manager.apply(ended(BrokerEvent::Kind::rejected, "o3", "halted")).applied());
  return manager;
}

TEST(OrderManagerTest, JsonRoundTripIsExact) {
  const OrderManager original = busy_manager();
  const nlohmann::json state = original.to_json();
  auto restored = OrderManager::from_json(nlohmann::json::parse(state.dump()));
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->to_json(), state);
  ASSERT_EQ(restored->size(), original.size());
  for (std::size_t i = 0; i < original.size(); ++i) {
    const Order& want = original.orders()[i];
    const Order& got = restored->orders()[i];
    EXPECT_EQ(got.request.client_order_id, want.request.client_order_id);
    EXPECT_EQ(got.request.ticker, want.request.ticker);
    EXPECT_EQ(got.request.side, want.request.side);
    EXPECT_EQ(got.request.type, want.request.type);
    EXPECT_EQ(got.request.quantity, want.request.quantity);  // bit-exact doubles
    EXPECT_EQ(got.request.limit_price, want.request.limit_price);
    EXPECT_EQ(got.request.reference_price, want.request.reference_price);
    EXPECT_EQ(got.request.ts, want.request.ts);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.broker_order_id, want.broker_order_id);
    EXPECT_EQ(got.filled_quantity, want.filled_quantity);
    EXPECT_EQ(got.filled_notional, want.filled_notional);
    EXPECT_EQ(got.average_fill_price, want.average_fill_price);
    EXPECT_EQ(got.total_commission, want.total_commission);
    EXPECT_EQ(got.exec_ids, want.exec_ids);
    EXPECT_EQ(got.last_update_ts, want.last_update_ts);
    EXPECT_EQ(got.reason, want.reason);
  }
  EXPECT_EQ(restored->open_count(), original.open_count());

  // Seen exec ids survive: replayed fills are still duplicates, and the restored manager goes on.
  OrderManager& manager = restored.value();
  expect_outcome(manager, fill("o1", "x1", 3.3, 100.1, 0.35), Kind::duplicate);
  expect_outcome(manager, fill("o2", "x3", 2.5, 412.41, 0.0, "MSFT", OrderSide::sell), Kind::duplicate);
  expect_outcome(manager, fill("o4", "x1", 1.0, 100.0), Kind::invalid);  // x1 belongs to o1
  expect_outcome(manager, fill("o1", "x4", 6.0, 100.0), Kind::applied);
  EXPECT_EQ(manager.order("o1")->status, OrderStatus::filled);
  EXPECT_FALSE(manager.track(market_buy("o1", 11.0)).ok());
  EXPECT_TRUE(manager.track(market_buy("o1", 10.0))->duplicate);
}

TEST(OrderManagerTest, EmptyManagerRoundTrips) {
  const OrderManager empty;
  auto restored = OrderManager::from_json(empty.to_json());
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->size(), 0u);
}

TEST(OrderManagerTest, MalformedJsonNamesTheKey) {
  const nlohmann::json good = busy_manager().to_json();
  struct Case {
    std::string name;
    nlohmann::json document;
    std::string key;  // must appear in the message
  };
  std::vector<Case> cases;
  auto with = [&](const std::string& name, auto mutate, const std::string& key) {
    nlohmann::json document = good;
    mutate(document);
    cases.push_back({name, document, key});
  };
  cases.push_back({"not an object", nlohmann::json::array(), "expected a JSON object"});
  with(
      "missing orders", [](nlohmann::json& d) { d.erase("orders"); }, "orders");
  with(
      "orders not an array", [](nlohmann::json& d) { d["orders"] = 3; }, "orders");
  with(
      "wrong format", [](nlohmann::json& d) { d["format"] = "something-else"; }, "format");
  with(
      "wrong version", [](nlohmann::json& d) { d["version"] = 99; }, "version");
  with(
      "order not an object", [](nlohmann::json& d) { d["orders"][1] = "o2"; }, "orders[1]");
  with(
      "missing field", [](nlohmann::json& d) { d["orders"][1].erase("filled_quantity"); }, "orders[1].filled_quantity");
  with(
      "number as string", [](nlohmann::json& d) { d["orders"][0]["quantity"] = "10"; }, "orders[0].quantity");
  with(
      "ts not an integer", [](nlohmann::json& d) { d["orders"][2]["ts"] = 1.5; }, "orders[2].ts");
  with(
      "unknown status", [](nlohmann::json& d) { d["orders"][2]["status"] = "done"; }, "orders[2].status");
  with(
      "unknown side", [](nlohmann::json& d) { d["orders"][0]["side"] = "hold"; }, "orders[0].side");
  with(
      "unknown type", [](nlohmann::json& d) { d["orders"][0]["type"] = "stop"; }, "orders[0].type");
  with(
      "invalid request", [](nlohmann::json& d) { d["orders"][0]["quantity"] = -1.0; }, "orders[0].quantity");
  with(
      "overfilled", [](nlohmann::json& d) { d["orders"][0]["filled_quantity"] = 11.0; }, "orders[0].filled_quantity");
  with(
      "exec ids not strings", [](nlohmann::json& d) { d["orders"][0]["exec_ids"][1] = 5; }, "orders[0].exec_ids[1]");
  with(
      "duplicate order id", [](nlohmann::json& d) { d["orders"][3]["client_order_id"] = "o1"; },
      "orders[3].client_order_id");
  with(
      "exec id on two orders", [](nlohmann::json& d) { d["orders"][1]["exec_ids"][0] = "x1"; },
      "orders[1].exec_ids[0]");

  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto restored = OrderManager::from_json(c.document);
    ASSERT_FALSE(restored.ok());
    EXPECT_EQ(restored.error().kind, core::ErrorKind::input);
    EXPECT_NE(restored.error().message.find(c.key), std::string::npos) << restored.error().message;
  }
}

}  // namespace
}  // namespace itrade::execution

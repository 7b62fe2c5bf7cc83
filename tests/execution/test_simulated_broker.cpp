// The simulated broker: fills at the next bar's open with the cost model's slippage and commission,
// never on a bar that started before the decision, latency, limit orders, partial fills by volume,
// cancel, end-of-day expiry, duplicate ids, persistence mid-stream; and the whole path risk manager -> order manager ->
// broker -> position tracker, with and without delivery faults, ending in a book that reconciles
// with the broker's to the cent.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/time.h"
#include "execution/broker.h"
#include "execution/order_manager.h"
#include "execution/position_tracker.h"
#include "execution/risk_manager.h"
#include "execution/simulated_broker.h"

namespace itrade::execution {
namespace {

using ::testing::HasSubstr;
using EventKind = BrokerEvent::Kind;
using OutcomeKind = EventOutcome::Kind;

// The risk manager cannot be bypassed: nothing but RiskManager makes an ApprovedOrder, and a broker
// takes nothing else.
static_assert(!std::is_constructible_v<ApprovedOrder, OrderRequest>);
static_assert(!std::is_constructible_v<ApprovedOrder, const OrderRequest&>);
static_assert(!std::is_convertible_v<OrderRequest, ApprovedOrder>);
static_assert(!std::is_default_constructible_v<ApprovedOrder>);
static_assert(std::is_invocable_v<decltype(&Broker::submit), Broker&, const ApprovedOrder&>);
static_assert(!std::is_invocable_v<decltype(&Broker::submit), Broker&, const OrderRequest&>);
static_assert(!std::is_invocable_v<decltype(&SimulatedBroker::submit), SimulatedBroker&, const OrderRequest&>);
static_assert(std::is_base_of_v<Broker, SimulatedBroker>);

core::Timestamp utc(const char* text) {
  auto ts = core::parse_utc(text);
  EXPECT_TRUE(ts) << text;
  return *ts;
}

// Wednesday 2024-11-20; the regular session runs 14:30-21:00 UTC. Five-minute bars from 15:00.
const core::Timestamp kT0 = utc("2024-11-20T15:00:00Z");
constexpr core::Timestamp kBar = 5 * core::kNanosPerMinute;

core::Timestamp bar_start(int i) { return kT0 + i * kBar; }
// A decision at bar i's close: the bar's end, which is the next bar's start.
core::Timestamp decided_after(int i) { return bar_start(i + 1); }

features::BarPoint bar(int i, double open, double high, double low, double close, double volume = 1e6) {
  return features::BarPoint{
      .ts = bar_start(i), .open = open, .high = high, .low = low, .close = close, .volume = volume};
}
// A bar that opens at `open` and trades 1 % either side of it.
features::BarPoint flat_bar(int i, double open, double volume = 1e6) {
  return bar(i, open, open * 1.01, open * 0.99, open, volume);
}

OrderRequest market(const std::string& id, const std::string& ticker, OrderSide side, double quantity,
                    core::Timestamp ts, double reference_price = 100.0) {
  return OrderRequest{.client_order_id = id,
                      .ticker = ticker,
                      .side = side,
                      .quantity = quantity,
                      .type = OrderType::market,
                      .reference_price = reference_price,
                      .ts = ts};
}

OrderRequest limit(const std::string& id, const std::string& ticker, OrderSide side, double quantity,
                   double limit_price, core::Timestamp ts) {
  return OrderRequest{.client_order_id = id,
                      .ticker = ticker,
                      .side = side,
                      .quantity = quantity,
                      .type = OrderType::limit,
                      .limit_price = limit_price,
                      .reference_price = limit_price,
                      .ts = ts};
}

// Every limit at its ceiling: only malformed orders are refused.
RiskConfig permissive() { return RiskConfig::at_ceilings(); }

// The only way a test gets an ApprovedOrder: through a permissive risk manager that has seen a
// price of every ticker the tests trade.
class Approver {
 public:
  Approver() : risk_(permissive(), SectorMap{}) {
    for (const char* ticker : {"AAA", "BBB", "CCC", "DDD", "EEE", "FFF"}) risk_.on_price(ticker, kT0 - kBar, 100.0);
    risk_.on_price("LOW", kT0 - kBar, 20.0);
  }

  ApprovedOrder approve(const OrderRequest& request) {
    const std::vector<PositionView> none;
    RiskDecision decision = risk_.check_order(request, AccountView{100'000.0, none});
    if (decision.verdict != Verdict::approve || !decision.order) {
      throw std::runtime_error("the risk manager did not approve " + request.client_order_id + ": " + decision.reason);
    }
    return *std::move(decision.order);
  }

 private:
  RiskManager risk_;
};

SimulatedBroker make_broker(const SimulatedBrokerConfig& config = {}) {
  auto made = SimulatedBroker::create(config);
  if (!made) throw std::runtime_error(made.error().message);
  return std::move(made).value();
}

std::vector<EventKind> kinds(const std::vector<BrokerEvent>& events) {
  std::vector<EventKind> out;
  for (const BrokerEvent& e : events) out.push_back(e.kind);
  return out;
}

std::vector<BrokerEvent> fills_of(const std::vector<BrokerEvent>& events) {
  std::vector<BrokerEvent> out;
  for (const BrokerEvent& e : events) {
    if (e.kind == EventKind::fill) out.push_back(e);
  }
  return out;
}

TEST(SimulatedBrokerTest, SubmitTakesOnlyApprovedOrders) {
  // The static_asserts above are the test; this checks that an approved order goes through.
  Approver approver;
  SimulatedBroker broker = make_broker();
  Broker& as_broker = broker;
  ASSERT_TRUE(as_broker.submit(approver.approve(market("o1", "AAA", OrderSide::buy, 10, decided_after(0)))).ok());
  const std::vector<BrokerEvent> events = broker.poll_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::accepted);
  EXPECT_EQ(events[0].client_order_id, "o1");
  EXPECT_EQ(events[0].broker_order_id, "SIM-1");
  EXPECT_EQ(events[0].ts, decided_after(0));
  EXPECT_TRUE(broker.poll_events().empty());  // polling clears the queue
}

TEST(SimulatedBrokerTest, MarketOrdersFillAtTheNextOpenWithSlippageAndCommission) {
  SimulatedBrokerConfig config;
  config.cost.slippage_bps = 2.0;  // IBKR commission: $0.005 a share, at least $1, at most 1 % of the value
  Approver approver;
  SimulatedBroker broker = make_broker(config);

  ASSERT_TRUE(broker.submit(approver.approve(market("buy", "AAA", OrderSide::buy, 10, decided_after(0)))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", bar(1, 100.0, 101.0, 99.0, 100.5)).ok());
  std::vector<BrokerEvent> events = broker.poll_events();
  ASSERT_EQ(kinds(events), (std::vector{EventKind::accepted, EventKind::fill}));
  const BrokerEvent bought = events[1];
  EXPECT_EQ(bought.client_order_id, "buy");
  EXPECT_EQ(bought.broker_order_id, "SIM-1");
  EXPECT_EQ(bought.exec_id, "SIM-E1");
  EXPECT_EQ(bought.ticker, "AAA");
  EXPECT_EQ(bought.side, OrderSide::buy);
  EXPECT_EQ(bought.quantity, 10.0);
  EXPECT_EQ(bought.price, config.cost.fill_price(OrderSide::buy, 100.0));
  EXPECT_DOUBLE_EQ(bought.price, 100.02);  // 100 x (1 + 2 / 1e4)
  EXPECT_EQ(bought.commission, 1.0);       // 10 x 0.005 = 0.05, raised to the $1 minimum
  EXPECT_EQ(bought.ts, bar_start(1));

  ASSERT_TRUE(broker.submit(approver.approve(market("sell", "AAA", OrderSide::sell, 10, decided_after(1)))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", bar(2, 110.0, 111.0, 109.0, 110.0)).ok());
  events = broker.poll_events();
  ASSERT_EQ(kinds(events), (std::vector{EventKind::accepted, EventKind::fill}));
  const BrokerEvent sold = events[1];
  EXPECT_EQ(sold.broker_order_id, "SIM-2");
  EXPECT_EQ(sold.exec_id, "SIM-E2");
  EXPECT_EQ(sold.side, OrderSide::sell);
  EXPECT_EQ(sold.price, config.cost.fill_price(OrderSide::sell, 110.0));
  EXPECT_DOUBLE_EQ(sold.price, 109.978);  // 110 x (1 - 2 / 1e4)
  EXPECT_EQ(sold.commission, 1.0);

  // The book: cash moved as in the PositionTracker (buy: -(q x p + f), sell: +q x p - f), flat again.
  double cash = 100'000.0;
  cash -= 10.0 * bought.price + 1.0;
  cash -= -(10.0 * sold.price) + 1.0;
  const auto account = broker.account();
  ASSERT_TRUE(account);
  EXPECT_EQ(account->cash, cash);
  EXPECT_DOUBLE_EQ(account->cash, 100'000.0 - 1000.2 - 1.0 + 1099.78 - 1.0);
  EXPECT_EQ(account->equity, cash);
  ASSERT_TRUE(broker.positions());
  EXPECT_TRUE(broker.positions()->empty());
}

TEST(SimulatedBrokerTest, CommissionIsTheCostModelsPerShareAndCapped) {
  SimulatedBrokerConfig config;
  config.cost.slippage_bps = 0.0;
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  // 240 shares: 240 x 0.005 = $1.20, above the minimum.
  ASSERT_TRUE(broker.submit(approver.approve(market("big", "AAA", OrderSide::buy, 240, decided_after(0)))).ok());
  // 1 share at $20: the $1 minimum is capped at 1 % of $20 = $0.20.
  ASSERT_TRUE(broker.submit(approver.approve(market("small", "LOW", OrderSide::buy, 1, decided_after(0), 20.0))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(1, 100.0)).ok());
  ASSERT_TRUE(broker.on_bar("LOW", flat_bar(1, 20.0)).ok());
  const std::vector<BrokerEvent> fills = fills_of(broker.poll_events());
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].price, 100.0);
  EXPECT_DOUBLE_EQ(fills[0].commission, 1.2);
  EXPECT_EQ(fills[0].commission, config.cost.commission(240.0, 100.0));
  EXPECT_EQ(fills[1].price, 20.0);
  EXPECT_DOUBLE_EQ(fills[1].commission, 0.2);
  EXPECT_EQ(fills[1].commission, config.cost.commission(1.0, 20.0));
}

TEST(SimulatedBrokerTest, NeverFillsOnABarThatStartedBeforeTheDecision) {
  Approver approver;
  SimulatedBroker broker = make_broker();
  // Decided at bar 1's close; bar 1 (and an earlier one) arrive afterwards and must not fill it,
  // not even at a tempting price.
  ASSERT_TRUE(broker.submit(approver.approve(market("o1", "AAA", OrderSide::buy, 10, decided_after(1)))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(0, 50.0)).ok());
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(1, 60.0)).ok());
  EXPECT_EQ(kinds(broker.poll_events()), (std::vector{EventKind::accepted}));
  EXPECT_EQ(broker.working_count(), 1u);
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(2, 100.0)).ok());
  const std::vector<BrokerEvent> fills = fills_of(broker.poll_events());
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].ts, bar_start(2));
  EXPECT_EQ(fills[0].price, broker.config().cost.fill_price(OrderSide::buy, 100.0));
  EXPECT_EQ(broker.working_count(), 0u);
}

TEST(SimulatedBrokerTest, LatencyMovesTheFirstEligibleBarOneLater) {
  SimulatedBrokerConfig config;
  config.latency = 5 * core::kNanosPerMinute;
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  ASSERT_TRUE(broker.submit(approver.approve(market("o1", "AAA", OrderSide::buy, 10, decided_after(0)))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(1, 100.0)).ok());  // starts at the decision: too early by 5 min
  EXPECT_TRUE(fills_of(broker.poll_events()).empty());
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(2, 101.0)).ok());  // starts at decision + latency
  const std::vector<BrokerEvent> fills = fills_of(broker.poll_events());
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].ts, bar_start(2));
  EXPECT_EQ(fills[0].price, config.cost.fill_price(OrderSide::buy, 101.0));

  // One nanosecond less than a bar interval of latency still fills at the second bar, not the first.
  config.latency = kBar - 1;
  SimulatedBroker other = make_broker(config);
  ASSERT_TRUE(other.submit(approver.approve(market("o2", "AAA", OrderSide::buy, 10, decided_after(0)))).ok());
  ASSERT_TRUE(other.on_bar("AAA", flat_bar(1, 100.0)).ok());
  EXPECT_TRUE(fills_of(other.poll_events()).empty());
  ASSERT_TRUE(other.on_bar("AAA", flat_bar(2, 101.0)).ok());
  EXPECT_EQ(fills_of(other.poll_events()).size(), 1u);
}

TEST(SimulatedBrokerTest, LimitOrdersFillAtTheOpenWhenBetterAtTheLimitWhenCrossedAndNotOtherwise) {
  SimulatedBrokerConfig config;
  config.cost.slippage_bps = 5.0;  // never applied to a limit fill
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  const core::Timestamp t = decided_after(0);
  ASSERT_TRUE(broker.submit(approver.approve(limit("buy_open", "AAA", OrderSide::buy, 10, 99.0, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(limit("buy_cross", "BBB", OrderSide::buy, 10, 99.0, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(limit("buy_none", "CCC", OrderSide::buy, 10, 99.0, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(limit("sell_open", "DDD", OrderSide::sell, 10, 101.0, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(limit("sell_cross", "EEE", OrderSide::sell, 10, 101.0, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(limit("sell_none", "FFF", OrderSide::sell, 10, 101.0, t))).ok());
  (void)broker.poll_events();

  ASSERT_TRUE(broker.on_bar("AAA", bar(1, 98.0, 99.5, 97.5, 99.0)).ok());     // opens below the limit
  ASSERT_TRUE(broker.on_bar("BBB", bar(1, 100.0, 100.5, 98.5, 99.8)).ok());   // trades down through it
  ASSERT_TRUE(broker.on_bar("CCC", bar(1, 100.0, 100.5, 99.01, 99.8)).ok());  // never reaches it
  ASSERT_TRUE(broker.on_bar("DDD", bar(1, 102.0, 102.5, 101.5, 102.0)).ok());
  ASSERT_TRUE(broker.on_bar("EEE", bar(1, 100.0, 101.5, 99.5, 100.2)).ok());
  ASSERT_TRUE(broker.on_bar("FFF", bar(1, 100.0, 100.99, 99.5, 100.2)).ok());
  const std::vector<BrokerEvent> fills = fills_of(broker.poll_events());
  ASSERT_EQ(fills.size(), 4u);
  const std::map<std::string, double> expected{
      {"buy_open", 98.0}, {"buy_cross", 99.0}, {"sell_open", 102.0}, {"sell_cross", 101.0}};
  for (const BrokerEvent& f : fills) {
    ASSERT_TRUE(expected.contains(f.client_order_id)) << f.client_order_id;
    EXPECT_EQ(f.price, expected.at(f.client_order_id)) << f.client_order_id;
    EXPECT_EQ(f.quantity, 10.0);
    EXPECT_EQ(f.commission, config.cost.commission(10.0, f.price)) << f.client_order_id;
  }
  EXPECT_EQ(broker.working_count(), 2u);  // buy_none and sell_none keep working

  // A later bar that reaches them fills them.
  ASSERT_TRUE(broker.on_bar("CCC", bar(2, 99.5, 99.6, 98.9, 99.2)).ok());
  ASSERT_TRUE(broker.on_bar("FFF", bar(2, 100.5, 101.2, 100.4, 101.1)).ok());
  const std::vector<BrokerEvent> later = fills_of(broker.poll_events());
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].client_order_id, "buy_none");
  EXPECT_EQ(later[0].price, 99.0);
  EXPECT_EQ(later[1].client_order_id, "sell_none");
  EXPECT_EQ(later[1].price, 101.0);
}

TEST(SimulatedBrokerTest, PartialFillsFollowMaxParticipationAndTheOrderManagerSeesThem) {
  SimulatedBrokerConfig config;
  config.max_participation = 0.1;  // 0.1 x 500 = 50 shares a bar
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  OrderManager orders;
  const OrderRequest request = market("o1", "AAA", OrderSide::buy, 120, decided_after(0));
  const ApprovedOrder approved = approver.approve(request);
  ASSERT_TRUE(orders.track(approved.request()).ok());
  ASSERT_TRUE(broker.submit(approved).ok());
  ASSERT_TRUE(orders.mark_submitted("o1").ok());

  const double opens[] = {100.0, 101.0, 102.0};
  const double expected_quantity[] = {50.0, 50.0, 20.0};
  const OrderStatus expected_status[] = {OrderStatus::partially_filled, OrderStatus::partially_filled,
                                         OrderStatus::filled};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(broker.on_bar("AAA", flat_bar(i + 1, opens[i], 500.0)).ok());
    const std::vector<BrokerEvent> events = broker.poll_events();
    const std::vector<BrokerEvent> fills = fills_of(events);
    ASSERT_EQ(fills.size(), 1u) << "bar " << i + 1;
    EXPECT_EQ(fills[0].quantity, expected_quantity[i]);
    EXPECT_EQ(fills[0].price, config.cost.fill_price(OrderSide::buy, opens[i]));
    EXPECT_EQ(fills[0].commission, config.cost.commission(expected_quantity[i], fills[0].price));
    for (const BrokerEvent& e : events) EXPECT_TRUE(orders.apply(e).applied());
    EXPECT_EQ(orders.order("o1")->status, expected_status[i]) << "bar " << i + 1;
  }
  EXPECT_EQ(orders.order("o1")->filled_quantity, 120.0);
  EXPECT_EQ(broker.working_count(), 0u);
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(4, 103.0, 500.0)).ok());
  EXPECT_TRUE(broker.poll_events().empty());
  EXPECT_EQ(broker.book().position("AAA").quantity, 120.0);
}

TEST(SimulatedBrokerTest, ParticipationSharesTheBarAndHandlesSmallAndMissingVolume) {
  SimulatedBrokerConfig config;
  config.max_participation = 0.1;
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  const core::Timestamp t = decided_after(0);
  // Two orders on one ticker share the bar's 50 shares in submission order.
  ASSERT_TRUE(broker.submit(approver.approve(market("first", "AAA", OrderSide::buy, 40, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(market("second", "AAA", OrderSide::buy, 30, t))).ok());
  // Less than a share on offer (0.1 x 5 = 0.5): nothing fills.
  ASSERT_TRUE(broker.submit(approver.approve(market("thin", "BBB", OrderSide::buy, 10, t))).ok());
  // A bar without volume (negative, or NaN) fills whole.
  ASSERT_TRUE(broker.submit(approver.approve(market("novol", "CCC", OrderSide::buy, 70, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(market("nanvol", "DDD", OrderSide::buy, 70, t))).ok());
  // Fractional shares are not floored: 0.1 x 17 = 1.7 shares a bar.
  ASSERT_TRUE(broker.submit(approver.approve(market("frac", "EEE", OrderSide::buy, 2.5, t))).ok());
  // Whole shares are: 0.1 x 17 = 1.7 -> 1 share.
  ASSERT_TRUE(broker.submit(approver.approve(market("whole", "FFF", OrderSide::buy, 3, t))).ok());
  (void)broker.poll_events();

  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(1, 100.0, 500.0)).ok());
  ASSERT_TRUE(broker.on_bar("BBB", flat_bar(1, 100.0, 5.0)).ok());
  ASSERT_TRUE(broker.on_bar("CCC", flat_bar(1, 100.0, -1.0)).ok());
  ASSERT_TRUE(broker.on_bar("DDD", flat_bar(1, 100.0, std::numeric_limits<double>::quiet_NaN())).ok());
  ASSERT_TRUE(broker.on_bar("EEE", flat_bar(1, 100.0, 17.0)).ok());
  ASSERT_TRUE(broker.on_bar("FFF", flat_bar(1, 100.0, 17.0)).ok());
  std::map<std::string, double> filled;
  for (const BrokerEvent& f : fills_of(broker.poll_events())) filled[f.client_order_id] += f.quantity;
  EXPECT_EQ(filled["first"], 40.0);
  EXPECT_EQ(filled["second"], 10.0);
  EXPECT_FALSE(filled.contains("thin"));
  EXPECT_EQ(filled["novol"], 70.0);
  EXPECT_EQ(filled["nanvol"], 70.0);
  EXPECT_DOUBLE_EQ(filled["frac"], 1.7);
  EXPECT_EQ(filled["whole"], 1.0);

  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(2, 100.0, 500.0)).ok());
  ASSERT_TRUE(broker.on_bar("EEE", flat_bar(2, 100.0, 17.0)).ok());
  for (const BrokerEvent& f : fills_of(broker.poll_events())) filled[f.client_order_id] += f.quantity;
  EXPECT_EQ(filled["second"], 30.0);
  EXPECT_NEAR(filled["frac"], 2.5, 1e-12);
  EXPECT_NEAR(broker.book().position("EEE").quantity, 2.5, 1e-12);
}

TEST(SimulatedBrokerTest, CancelStopsTheRestAndAfterAFillIsANoOp) {
  SimulatedBrokerConfig config;
  config.max_participation = 0.1;
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  OrderManager orders;
  const ApprovedOrder partial = approver.approve(market("partial", "AAA", OrderSide::buy, 120, decided_after(0)));
  const ApprovedOrder whole = approver.approve(market("whole", "BBB", OrderSide::buy, 10, decided_after(0)));
  for (const ApprovedOrder* o : {&partial, &whole}) {
    ASSERT_TRUE(orders.track(o->request()).ok());
    ASSERT_TRUE(broker.submit(*o).ok());
    ASSERT_TRUE(orders.mark_submitted(o->request().client_order_id).ok());
  }
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(1, 100.0, 500.0)).ok());
  ASSERT_TRUE(broker.on_bar("BBB", flat_bar(1, 100.0, 1e6)).ok());
  for (const BrokerEvent& e : broker.poll_events()) EXPECT_TRUE(orders.apply(e).applied());
  EXPECT_EQ(orders.order("partial")->status, OrderStatus::partially_filled);
  EXPECT_EQ(orders.order("whole")->status, OrderStatus::filled);

  ASSERT_TRUE(broker.cancel("partial").ok());
  std::vector<BrokerEvent> events = broker.poll_events();
  ASSERT_EQ(kinds(events), (std::vector{EventKind::cancelled}));
  EXPECT_EQ(events[0].client_order_id, "partial");
  EXPECT_EQ(events[0].broker_order_id, "SIM-1");
  EXPECT_EQ(events[0].ts, bar_start(1));
  EXPECT_TRUE(orders.apply(events[0]).applied());
  EXPECT_EQ(orders.order("partial")->status, OrderStatus::cancelled);
  EXPECT_EQ(orders.order("partial")->filled_quantity, 50.0);

  // The rest never fills.
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(2, 100.0, 500.0)).ok());
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(3, 100.0, 500.0)).ok());
  EXPECT_TRUE(broker.poll_events().empty());
  EXPECT_EQ(broker.book().position("AAA").quantity, 50.0);

  // After the fill (or a second cancel): OK, no event. An unknown id: input error.
  EXPECT_TRUE(broker.cancel("whole").ok());
  EXPECT_TRUE(broker.cancel("partial").ok());
  EXPECT_TRUE(broker.poll_events().empty());
  const core::Status unknown = broker.cancel("nobody");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::input);
  EXPECT_THAT(unknown.error().message, HasSubstr("nobody"));
}

TEST(SimulatedBrokerTest, EndOfDayExpiresEveryWorkingOrder) {
  SimulatedBrokerConfig config;
  config.max_participation = 0.1;
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  const core::Timestamp t = decided_after(0);
  ASSERT_TRUE(broker.submit(approver.approve(market("done", "AAA", OrderSide::buy, 10, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(limit("resting", "BBB", OrderSide::buy, 10, 90.0, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(market("partial", "CCC", OrderSide::buy, 120, t))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(1, 100.0, 1e6)).ok());
  ASSERT_TRUE(broker.on_bar("BBB", flat_bar(1, 100.0, 1e6)).ok());
  ASSERT_TRUE(broker.on_bar("CCC", flat_bar(1, 100.0, 500.0)).ok());
  (void)broker.poll_events();
  EXPECT_EQ(broker.working_count(), 2u);

  const core::Timestamp close = utc("2024-11-20T21:00:00Z");
  broker.end_of_day(close);
  const std::vector<BrokerEvent> events = broker.poll_events();
  ASSERT_EQ(kinds(events), (std::vector{EventKind::expired, EventKind::expired}));
  EXPECT_EQ(events[0].client_order_id, "resting");  // submission order
  EXPECT_EQ(events[1].client_order_id, "partial");
  EXPECT_EQ(events[0].ts, close);
  EXPECT_FALSE(events[0].reason.empty());
  EXPECT_EQ(broker.working_count(), 0u);

  // Nothing fills afterwards, and a cancel of an expired order is a no-op.
  ASSERT_TRUE(broker.on_bar("BBB", bar(2, 80.0, 81.0, 79.0, 80.0)).ok());
  ASSERT_TRUE(broker.on_bar("CCC", flat_bar(2, 100.0, 500.0)).ok());
  EXPECT_TRUE(broker.cancel("resting").ok());
  EXPECT_TRUE(broker.poll_events().empty());
  EXPECT_EQ(broker.book().position("CCC").quantity, 50.0);
}

TEST(SimulatedBrokerTest, DuplicateClientOrderIdIsRejectedWithoutASecondOrder) {
  Approver approver;
  SimulatedBroker broker = make_broker();
  OrderManager orders;
  const ApprovedOrder approved = approver.approve(market("o1", "AAA", OrderSide::buy, 10, decided_after(0)));
  ASSERT_TRUE(orders.track(approved.request()).ok());
  ASSERT_TRUE(broker.submit(approved).ok());
  ASSERT_TRUE(orders.mark_submitted("o1").ok());
  ASSERT_TRUE(broker.submit(approved).ok());  // the same id again

  const std::vector<BrokerEvent> events = broker.poll_events();
  ASSERT_EQ(kinds(events), (std::vector{EventKind::accepted, EventKind::rejected}));
  EXPECT_EQ(events[1].client_order_id, "o1");
  EXPECT_THAT(events[1].reason, HasSubstr("duplicate"));
  // The refused submission has a broker order id of its own, so the order manager, which recorded
  // the original's, does not reject the original on its account.
  EXPECT_EQ(events[0].broker_order_id, "SIM-1");
  EXPECT_EQ(events[1].broker_order_id, "SIM-2");
  EXPECT_TRUE(orders.apply(events[0]).applied());
  EXPECT_EQ(orders.apply(events[1]).kind, OutcomeKind::invalid);
  EXPECT_EQ(orders.order("o1")->status, OrderStatus::submitted);

  // One order only: it fills once.
  EXPECT_EQ(broker.working_count(), 1u);
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(1, 100.0)).ok());
  const std::vector<BrokerEvent> fills = fills_of(broker.poll_events());
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].quantity, 10.0);
  EXPECT_TRUE(orders.apply(fills[0]).applied());
  EXPECT_EQ(orders.order("o1")->status, OrderStatus::filled);
  EXPECT_EQ(broker.book().position("AAA").quantity, 10.0);
}

TEST(SimulatedBrokerTest, PositionsAreSortedAndTheAccountIsValuedAtTheCloses) {
  SimulatedBrokerConfig config;
  config.cost.slippage_bps = 0.0;
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  const core::Timestamp t = decided_after(0);
  ASSERT_TRUE(broker.submit(approver.approve(market("b", "BBB", OrderSide::sell, 20, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(market("a", "AAA", OrderSide::buy, 10, t))).ok());
  ASSERT_TRUE(broker.on_bar("BBB", bar(1, 100.0, 101.0, 99.0, 99.0)).ok());
  ASSERT_TRUE(broker.on_bar("AAA", bar(1, 100.0, 103.0, 99.0, 102.0)).ok());
  const auto positions = broker.positions();
  ASSERT_TRUE(positions);
  ASSERT_EQ(positions->size(), 2u);
  EXPECT_EQ((*positions)[0].ticker, "AAA");
  EXPECT_EQ((*positions)[0].quantity, 10.0);
  EXPECT_EQ((*positions)[0].average_cost, 100.0);
  EXPECT_EQ((*positions)[1].ticker, "BBB");
  EXPECT_EQ((*positions)[1].quantity, -20.0);
  const auto account = broker.account();
  ASSERT_TRUE(account);
  // Cash: -1000 - 1 (buy) + 2000 - 1 (short sale). Equity: cash + 10 x 102 - 20 x 99.
  EXPECT_DOUBLE_EQ(account->cash, 100'000.0 + 2000.0 - 1000.0 - 2.0);
  EXPECT_DOUBLE_EQ(account->equity, account->cash + 10.0 * 102.0 - 20.0 * 99.0);
}

TEST(SimulatedBrokerTest, FaultsReverseAndDuplicateEachBatch) {
  Approver approver;
  SimulatedBroker broker = make_broker();
  const ApprovedOrder o1 = approver.approve(market("o1", "AAA", OrderSide::buy, 10, decided_after(0)));
  const ApprovedOrder o2 = approver.approve(market("o2", "BBB", OrderSide::buy, 10, decided_after(0)));
  auto ids = [](const std::vector<BrokerEvent>& events) {
    std::vector<std::string> out;
    for (const BrokerEvent& e : events) out.push_back(e.client_order_id);
    return out;
  };
  using Ids = std::vector<std::string>;

  ASSERT_TRUE(broker.submit(o1).ok());
  ASSERT_TRUE(broker.submit(o2).ok());
  EXPECT_EQ(ids(broker.poll_events()), (Ids{"o1", "o2"}));

  broker.set_faults({.duplicate_events = false, .reverse_batches = true});
  ASSERT_TRUE(broker.submit(o1).ok());  // two duplicate-id rejections, to have a batch
  ASSERT_TRUE(broker.submit(o2).ok());
  const std::vector<BrokerEvent> reversed = broker.poll_events();
  EXPECT_EQ(ids(reversed), (Ids{"o2", "o1"}));
  EXPECT_EQ(reversed[0].broker_order_id, "SIM-4");

  broker.set_faults({.duplicate_events = true, .reverse_batches = false});
  ASSERT_TRUE(broker.submit(o1).ok());
  ASSERT_TRUE(broker.submit(o2).ok());
  EXPECT_EQ(ids(broker.poll_events()), (Ids{"o1", "o1", "o2", "o2"}));

  broker.set_faults({.duplicate_events = true, .reverse_batches = true});
  ASSERT_TRUE(broker.submit(o1).ok());
  ASSERT_TRUE(broker.submit(o2).ok());
  EXPECT_EQ(ids(broker.poll_events()), (Ids{"o2", "o2", "o1", "o1"}));
  EXPECT_TRUE(broker.poll_events().empty());
}

// --- Integration: risk manager -> order manager -> simulated broker -> position tracker ---

struct SessionResult {
  std::vector<TrackedPosition> positions;  // the engine's book
  double tracker_cash = 0.0;
  double tracker_equity = 0.0;
  BrokerAccount broker_account;
  std::vector<PositionDifference> differences;
  std::map<std::string, OrderStatus> statuses;
  std::map<std::string, double> filled;
  std::map<OutcomeKind, int> outcomes;
  int fills_booked = 0;  // applied fills handed to the tracker
};

struct BarRow {
  double open, high, low, close, volume;
};

// One trading session of two tickers over seven five-minute bars, run the way the live engine
// will: each bar goes to the broker, whose events go to the order manager, whose applied fills go
// to the tracker; then the closes mark the book and feed the risk manager, and the decisions at the
// bar's close go through the risk manager to the order manager and the broker. The engine polls
// after each ticker's bar, so that a batch holds at most one fill and the tracker books the fills
// in the broker's order (their cash sums then agree to the last bit, whatever the delivery faults).
SessionResult run_session(const SimulatedBroker::Faults& faults) {
  SimulatedBrokerConfig config;
  config.cost.slippage_bps = 2.0;
  config.max_participation = 0.1;
  SimulatedBroker broker = make_broker(config);
  broker.set_faults(faults);
  RiskManager risk(permissive(), SectorMap{});
  OrderManager orders;
  PositionTracker tracker(config.initial_cash);
  SessionResult result;

  auto deliver = [&] {
    for (const BrokerEvent& event : broker.poll_events()) {
      const EventOutcome outcome = orders.apply(event);
      ++result.outcomes[outcome.kind];
      EXPECT_NE(outcome.kind, OutcomeKind::invalid) << outcome.message;
      EXPECT_NE(outcome.kind, OutcomeKind::unknown_order) << outcome.message;
      if (outcome.fill) {
        const Fill& f = *outcome.fill;
        ++result.fills_booked;
        EXPECT_TRUE(tracker.apply_fill(f.ticker, f.side, f.quantity, f.price, f.commission, f.ts).ok());
      }
    }
  };
  auto decide = [&](const OrderRequest& request) {
    std::vector<PositionView> held;
    for (const TrackedPosition& p : tracker.open_positions()) held.push_back({p.ticker, p.quantity});
    RiskDecision decision = risk.check_order(request, AccountView{tracker.equity(), held});
    ASSERT_EQ(decision.verdict, Verdict::approve) << request.client_order_id << ": " << decision.reason;
    ASSERT_TRUE(decision.order);
    const auto tracked = orders.track(decision.order->request());
    ASSERT_TRUE(tracked.ok());
    ASSERT_FALSE(tracked->duplicate);
    ASSERT_TRUE(broker.submit(*decision.order).ok());
    ASSERT_TRUE(orders.mark_submitted(request.client_order_id).ok());
  };

  const std::map<std::string, std::vector<BarRow>> bars{
      {"AAA",
       {{100.0, 101.0, 99.5, 100.5, 500},
        {100.4, 101.0, 99.8, 100.8, 500},
        {100.9, 101.5, 100.2, 101.2, 500},
        {101.0, 101.6, 100.5, 101.4, 500},
        {101.5, 102.0, 101.0, 101.8, 500},
        {101.7, 102.2, 101.2, 102.0, 500},
        {102.1, 102.5, 101.6, 102.3, 500}}},
      {"BBB",
       {{50.0, 50.4, 49.7, 50.1, 1e5},
        {50.0, 50.3, 49.6, 49.9, 1e5},
        {49.8, 49.9, 49.3, 49.5, 1e5},
        {49.6, 49.8, 49.4, 49.7, 1e5},
        {49.7, 49.9, 49.5, 49.8, 1e5},
        {49.8, 50.0, 49.6, 49.9, 1e5},
        {49.9, 50.1, 49.7, 50.0, 1e5}}},
  };
  for (int i = 0; i < 7; ++i) {
    for (const auto& [ticker, rows] : bars) {
      const BarRow& r = rows[i];
      EXPECT_TRUE(broker.on_bar(ticker, bar(i, r.open, r.high, r.low, r.close, r.volume)).ok());
      deliver();
    }
    EXPECT_TRUE(tracker.mark_time(bar_start(i)).ok());
    for (const auto& [ticker, rows] : bars) {
      EXPECT_TRUE(tracker.set_mark(ticker, rows[i].close).ok());
      risk.on_price(ticker, decided_after(i), rows[i].close);
    }
    const core::Timestamp now = decided_after(i);
    switch (i) {
      case 0:
        decide(market("o1", "AAA", OrderSide::buy, 120, now, 100.5));  // 50, 50, 20 over bars 1-3
        decide(limit("o2", "BBB", OrderSide::buy, 30, 49.5, now));     // reached at bar 2
        break;
      case 3:
        decide(market("o3", "AAA", OrderSide::sell, 40, now, 101.4));  // 40 at bar 4
        decide(limit("o4", "BBB", OrderSide::buy, 25, 45.0, now));     // never reached
        break;
      case 4:
        EXPECT_TRUE(broker.cancel("o4").ok());
        deliver();
        break;
      case 5:
        decide(market("o5", "AAA", OrderSide::buy, 100, now, 102.0));  // 50 at bar 6, the rest expires
        break;
      default:
        break;
    }
  }
  broker.end_of_day(utc("2024-11-20T21:00:00Z"));
  deliver();

  result.positions = tracker.open_positions();
  result.tracker_cash = tracker.cash();
  result.tracker_equity = tracker.equity();
  const auto account = broker.account();
  EXPECT_TRUE(account);
  if (account) result.broker_account = *account;
  const auto broker_positions = broker.positions();
  EXPECT_TRUE(broker_positions);
  if (broker_positions) result.differences = tracker.reconcile(*broker_positions);
  for (const Order& o : orders.orders()) {
    result.statuses[o.request.client_order_id] = o.status;
    result.filled[o.request.client_order_id] = o.filled_quantity;
  }
  return result;
}

TEST(SimulatedBrokerTest, IntegrationTheEngineBookReconcilesWithTheBroker) {
  const SessionResult r = run_session({});
  EXPECT_TRUE(r.differences.empty());
  EXPECT_EQ(r.tracker_cash, r.broker_account.cash);  // exactly: the same fills in the same order
  EXPECT_EQ(r.tracker_equity, r.broker_account.equity);
  ASSERT_EQ(r.positions.size(), 2u);
  EXPECT_EQ(r.positions[0].ticker, "AAA");
  EXPECT_EQ(r.positions[0].quantity, 130.0);  // 120 - 40 + 50
  EXPECT_EQ(r.positions[1].ticker, "BBB");
  EXPECT_EQ(r.positions[1].quantity, 30.0);
  EXPECT_EQ(r.positions[1].average_cost, 49.5);  // the limit, no slippage
  const std::map<std::string, OrderStatus> statuses{{"o1", OrderStatus::filled},
                                                    {"o2", OrderStatus::filled},
                                                    {"o3", OrderStatus::filled},
                                                    {"o4", OrderStatus::cancelled},
                                                    {"o5", OrderStatus::expired}};
  EXPECT_EQ(r.statuses, statuses);
  EXPECT_EQ(r.filled.at("o5"), 50.0);
  EXPECT_EQ(r.filled.at("o4"), 0.0);
  // In-order, exactly-once delivery: every event applied.
  EXPECT_EQ(r.outcomes.size(), 1u);
  EXPECT_GT(r.outcomes.at(OutcomeKind::applied), 0);
}

TEST(SimulatedBrokerTest, IntegrationDeliveryFaultsLeaveTheSameBook) {
  const SessionResult clean = run_session({});
  const SessionResult faulty = run_session({.duplicate_events = true, .reverse_batches = true});
  // The order manager saw the repeats and the acknowledgements overtaken by fills ...
  EXPECT_GT(faulty.outcomes.count(OutcomeKind::duplicate) ? faulty.outcomes.at(OutcomeKind::duplicate) : 0, 0);
  EXPECT_GT(faulty.outcomes.count(OutcomeKind::stale) ? faulty.outcomes.at(OutcomeKind::stale) : 0, 0);
  EXPECT_EQ(faulty.fills_booked, clean.fills_booked);  // every fill booked once
  EXPECT_EQ(clean.fills_booked, 6);                    // o1: 3, o2: 1, o3: 1, o5: 1
  // ... and ignored them: the same book, to the last bit, reconciled with the broker's.
  EXPECT_TRUE(faulty.differences.empty());
  EXPECT_EQ(faulty.positions, clean.positions);
  EXPECT_EQ(faulty.tracker_cash, clean.tracker_cash);
  EXPECT_EQ(faulty.tracker_cash, faulty.broker_account.cash);
  EXPECT_EQ(faulty.tracker_equity, faulty.broker_account.equity);
  EXPECT_EQ(faulty.statuses, clean.statuses);
  EXPECT_EQ(faulty.filled, clean.filled);
}

// --- Errors ---

TEST(SimulatedBrokerTest, BadConfigIsAnInputError) {
  EXPECT_TRUE(SimulatedBrokerConfig{}.check().ok());
  struct Case {
    const char* field;
    void (*spoil)(SimulatedBrokerConfig&);
  };
  const Case cases[] = {
      {"max_participation", [](SimulatedBrokerConfig& c) { c.max_participation = -0.1; }},
      {"max_participation", [](SimulatedBrokerConfig& c) { c.max_participation = 1.5; }},
      {"max_participation",
       [](SimulatedBrokerConfig& c) { c.max_participation = std::numeric_limits<double>::quiet_NaN(); }},
      {"latency", [](SimulatedBrokerConfig& c) { c.latency = -1; }},
      {"initial_cash", [](SimulatedBrokerConfig& c) { c.initial_cash = 0.0; }},
      {"initial_cash", [](SimulatedBrokerConfig& c) { c.initial_cash = std::numeric_limits<double>::infinity(); }},
      {"slippage_bps", [](SimulatedBrokerConfig& c) { c.cost.slippage_bps = -0.5; }},
      {"slippage_bps", [](SimulatedBrokerConfig& c) { c.cost.slippage_bps = 1001.0; }},
      {"per_share", [](SimulatedBrokerConfig& c) { c.cost.commission.per_share = -0.005; }},
      {"minimum", [](SimulatedBrokerConfig& c) { c.cost.commission.minimum = -1.0; }},
      {"maximum_fraction", [](SimulatedBrokerConfig& c) { c.cost.commission.maximum_fraction = 1.5; }},
      {"commission.bps", [](SimulatedBrokerConfig& c) { c.cost.commission.bps = 20'000.0; }},
  };
  for (const Case& test : cases) {
    SimulatedBrokerConfig config;
    test.spoil(config);
    const auto made = SimulatedBroker::create(config);
    ASSERT_FALSE(made.ok()) << test.field;
    EXPECT_EQ(made.error().kind, core::ErrorKind::input) << test.field;
    EXPECT_THAT(made.error().message, HasSubstr(test.field));
  }
  // The edges are fine.
  SimulatedBrokerConfig edges;
  edges.max_participation = 1.0;
  edges.cost.slippage_bps = 1000.0;
  edges.cost.commission = CommissionConfig{.per_share = 0.0, .minimum = 0.0, .maximum_fraction = 0.0, .bps = 0.0};
  EXPECT_TRUE(SimulatedBroker::create(edges).ok());
}

TEST(SimulatedBrokerTest, OutOfOrderAndBadBarsAreInputErrorsAndChangeNothing) {
  Approver approver;
  SimulatedBroker broker = make_broker();
  ASSERT_TRUE(broker.submit(approver.approve(market("o1", "AAA", OrderSide::buy, 10, decided_after(0)))).ok());
  (void)broker.poll_events();
  ASSERT_TRUE(broker.on_bar("BBB", flat_bar(2, 100.0)).ok());  // the book's clock is now bar 2

  auto expect_input_error = [&](std::string_view ticker, const features::BarPoint& b, const char* words) {
    const core::Status status = broker.on_bar(ticker, b);
    ASSERT_FALSE(status.ok()) << words;
    EXPECT_EQ(status.error().kind, core::ErrorKind::input);
    EXPECT_THAT(status.error().message, HasSubstr(words));
  };
  // Another ticker's bar earlier than the latest bar: the book's clock never goes back.
  expect_input_error("AAA", flat_bar(1, 100.0), "earlier than the latest bar");
  // One ticker's bars must strictly increase.
  expect_input_error("BBB", flat_bar(2, 100.0), "not later than its previous bar");
  expect_input_error("BBB", flat_bar(1, 100.0), "not later than its previous bar");
  // Bad prices and an empty ticker.
  expect_input_error("AAA", bar(2, 0.0, 101.0, 99.0, 100.0), "open");
  expect_input_error("AAA", bar(2, 100.0, std::numeric_limits<double>::quiet_NaN(), 99.0, 100.0), "high");
  expect_input_error("AAA", bar(2, 100.0, 101.0, -1.0, 100.0), "low");
  expect_input_error("AAA", bar(2, 100.0, 101.0, 99.0, std::numeric_limits<double>::infinity()), "close");
  expect_input_error("", flat_bar(2, 100.0), "no ticker");
  // None of them filled the order or touched the book.
  EXPECT_TRUE(broker.poll_events().empty());
  EXPECT_EQ(broker.working_count(), 1u);
  EXPECT_EQ(broker.book().cash(), 100'000.0);
  EXPECT_FALSE(broker.book().position("AAA").marked);

  // A bar of another ticker at the same time as the latest is fine, and fills.
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(2, 100.0)).ok());
  EXPECT_EQ(fills_of(broker.poll_events()).size(), 1u);
}

// --- Persistence ---

std::uint64_t bits(double value) { return std::bit_cast<std::uint64_t>(value); }

// Every field of every event, doubles bit for bit.
void expect_same_events(const std::vector<BrokerEvent>& restored, const std::vector<BrokerEvent>& original,
                        const std::string& step) {
  ASSERT_EQ(restored.size(), original.size()) << step;
  for (std::size_t i = 0; i < restored.size(); ++i) {
    const BrokerEvent& r = restored[i];
    const BrokerEvent& o = original[i];
    const std::string where = step + ", event " + std::to_string(i);
    EXPECT_EQ(r.kind, o.kind) << where;
    EXPECT_EQ(r.client_order_id, o.client_order_id) << where;
    EXPECT_EQ(r.broker_order_id, o.broker_order_id) << where;
    EXPECT_EQ(r.exec_id, o.exec_id) << where;
    EXPECT_EQ(r.ticker, o.ticker) << where;
    EXPECT_EQ(r.side, o.side) << where;
    EXPECT_EQ(bits(r.quantity), bits(o.quantity)) << where;
    EXPECT_EQ(bits(r.price), bits(o.price)) << where;
    EXPECT_EQ(bits(r.commission), bits(o.commission)) << where;
    EXPECT_EQ(r.ts, o.ts) << where;
    EXPECT_EQ(r.reason, o.reason) << where;
  }
}

// What one broker answered to the calls after the snapshot.
struct Continuation {
  std::vector<std::vector<BrokerEvent>> batches;  // one per poll
  std::vector<std::string> statuses;              // "ok" or the error message, per call that returns one
  std::vector<BrokerPosition> positions;
  BrokerAccount account;
};

TEST(SimulatedBrokerTest, StateRoundTripsMidStreamAndContinuesIdentically) {
  SimulatedBrokerConfig config;
  config.cost.slippage_bps = 3.7;  // fill prices and commissions with long binary expansions
  config.cost.commission.bps = 0.35;
  config.max_participation = 0.1;          // AAA: 50 shares a bar, CCC: 30
  config.latency = core::kNanosPerMinute;  // decided at bar k's close: eligible from bar k + 2
  config.initial_cash = 250'000.25;
  Approver approver;
  SimulatedBroker original = make_broker(config);

  // Mid-stream: o1 and o3 partially filled and working, o2 cancelled, o4 working untouched.
  ASSERT_TRUE(original.submit(approver.approve(market("o1", "AAA", OrderSide::buy, 120, decided_after(0)))).ok());
  ASSERT_TRUE(original.submit(approver.approve(limit("o2", "BBB", OrderSide::buy, 30, 90.0, decided_after(0)))).ok());
  ASSERT_TRUE(original.submit(approver.approve(market("o3", "CCC", OrderSide::sell, 75, decided_after(0)))).ok());
  const auto market_bars = [](SimulatedBroker& b, int i, double aaa, double bbb, double ccc) {
    EXPECT_TRUE(b.on_bar("AAA", bar(i, aaa, aaa * 1.013, aaa * 0.991, aaa * 1.003, 500.0)).ok());
    EXPECT_TRUE(b.on_bar("BBB", bar(i, bbb, bbb * 1.01, bbb * 0.99, bbb * 0.997, 1e6)).ok());
    EXPECT_TRUE(b.on_bar("CCC", bar(i, ccc, ccc * 1.02, ccc * 0.985, ccc * 1.001, 300.0)).ok());
  };
  market_bars(original, 1, 100.1, 100.0, 99.9);  // the latency: nothing fills yet
  EXPECT_EQ(kinds(original.poll_events()), (std::vector(3, EventKind::accepted)));
  market_bars(original, 2, 100.3, 100.2, 100.7);  // o1 50, o3 30
  EXPECT_EQ(fills_of(original.poll_events()).size(), 2u);
  ASSERT_TRUE(original.cancel("o2").ok());
  market_bars(original, 3, 101.3, 99.8, 100.9);  // o1 50, o3 30
  ASSERT_TRUE(original.submit(approver.approve(market("o1", "AAA", OrderSide::buy, 120, decided_after(3)))).ok());
  ASSERT_TRUE(original.submit(approver.approve(limit("o4", "AAA", OrderSide::sell, 40, 104.0, decided_after(3)))).ok());
  original.set_faults({.duplicate_events = false, .reverse_batches = true});
  EXPECT_EQ(original.working_count(), 3u);  // o1, o3, o4
  EXPECT_EQ(original.book().position("AAA").quantity, 100.0);
  EXPECT_EQ(original.book().position("CCC").quantity, -60.0);
  // Not polled: cancelled o2, two fills, the duplicate's rejection, accepted o4.

  // Through text, as a restart would read it.
  const nlohmann::json state = original.to_json();
  const std::string text = state.dump();
  auto restored_or = SimulatedBroker::from_json(nlohmann::json::parse(text));
  ASSERT_TRUE(restored_or.ok()) << restored_or.error().message;
  SimulatedBroker restored = std::move(restored_or).value();
  EXPECT_EQ(restored.to_json(), state);
  EXPECT_EQ(restored.to_json().dump(), text);
  EXPECT_EQ(restored.book(), original.book());
  EXPECT_EQ(restored.working_count(), original.working_count());
  EXPECT_EQ(restored.config().cost.slippage_bps, config.cost.slippage_bps);
  EXPECT_EQ(restored.config().latency, config.latency);

  // The same further calls to both.
  const auto continue_session = [&](SimulatedBroker& b) {
    Continuation c;
    const auto record = [&c](const core::Status& status) {
      c.statuses.push_back(status.ok() ? std::string("ok") : status.error().message);
    };
    c.batches.push_back(b.poll_events());  // the queued events, reversed by the faults
    b.set_faults({});
    record(b.on_bar("AAA", flat_bar(3, 101.0, 500.0)));  // not later than AAA's last bar
    record(b.on_bar("DDD", flat_bar(2, 100.0)));         // earlier than the latest bar
    record(b.cancel("o2"));                              // already cancelled: no event
    record(b.cancel("nobody"));
    record(b.submit(approver.approve(limit("o2", "BBB", OrderSide::buy, 30, 90.0, decided_after(3)))));  // duplicate
    c.batches.push_back(b.poll_events());
    market_bars(b, 4, 102.7, 89.5, 101.3);  // o1's last 20, o3's last 15; cancelled o2 never fills
    c.batches.push_back(b.poll_events());
    market_bars(b, 5, 104.6, 89.0, 101.0);  // o4 sells 40 at the open
    record(b.submit(approver.approve(market("o5", "BBB", OrderSide::buy, 10, decided_after(5)))));
    record(b.cancel("o3"));  // filled: no event
    c.batches.push_back(b.poll_events());
    b.end_of_day(utc("2024-11-20T21:00:00Z"));  // o5 expires unfilled
    c.batches.push_back(b.poll_events());
    c.positions = *b.positions();
    c.account = *b.account();
    return c;
  };
  const Continuation from_original = continue_session(original);
  const Continuation from_restored = continue_session(restored);

  ASSERT_EQ(from_restored.batches.size(), from_original.batches.size());
  for (std::size_t i = 0; i < from_original.batches.size(); ++i) {
    expect_same_events(from_restored.batches[i], from_original.batches[i], "batch " + std::to_string(i));
  }
  EXPECT_EQ(from_restored.statuses, from_original.statuses);
  EXPECT_EQ(restored.book(), original.book());
  EXPECT_EQ(restored.to_json(), original.to_json());
  ASSERT_EQ(from_restored.positions.size(), from_original.positions.size());
  for (std::size_t i = 0; i < from_original.positions.size(); ++i) {
    EXPECT_EQ(from_restored.positions[i].ticker, from_original.positions[i].ticker);
    EXPECT_EQ(bits(from_restored.positions[i].quantity), bits(from_original.positions[i].quantity));
    EXPECT_EQ(from_restored.positions[i].average_cost, from_original.positions[i].average_cost);
  }
  EXPECT_EQ(bits(from_restored.account.cash), bits(from_original.account.cash));
  EXPECT_EQ(bits(from_restored.account.equity), bits(from_original.account.equity));

  // And the stream is the one the restored state implies: the queue came back reversed, the ids
  // continue, the bars' clocks and the cancelled order survived.
  const std::vector<BrokerEvent>& queued = from_restored.batches[0];
  ASSERT_EQ(kinds(queued), (std::vector{EventKind::accepted, EventKind::rejected, EventKind::fill, EventKind::fill,
                                        EventKind::cancelled}));
  EXPECT_EQ(queued[0].client_order_id, "o4");
  EXPECT_EQ(queued[0].broker_order_id, "SIM-5");
  EXPECT_EQ(queued[2].exec_id, "SIM-E4");
  EXPECT_EQ(queued[4].client_order_id, "o2");
  ASSERT_EQ(from_restored.statuses.size(), 7u);
  for (const std::size_t ok : {2u, 4u, 5u, 6u}) EXPECT_EQ(from_restored.statuses[ok], "ok") << ok;
  EXPECT_THAT(from_restored.statuses[0], HasSubstr("not later than its previous bar"));
  EXPECT_THAT(from_restored.statuses[1], HasSubstr("earlier than the latest bar"));
  EXPECT_THAT(from_restored.statuses[3], HasSubstr("nobody"));
  ASSERT_EQ(kinds(from_restored.batches[1]), (std::vector{EventKind::rejected}));
  EXPECT_EQ(from_restored.batches[1][0].broker_order_id, "SIM-6");
  const std::vector<BrokerEvent>& bar4 = from_restored.batches[2];
  ASSERT_EQ(kinds(bar4), (std::vector{EventKind::fill, EventKind::fill}));
  EXPECT_EQ(bar4[0].client_order_id, "o1");
  EXPECT_EQ(bar4[0].quantity, 20.0);
  EXPECT_EQ(bar4[0].exec_id, "SIM-E5");
  EXPECT_EQ(bar4[1].client_order_id, "o3");
  EXPECT_EQ(bar4[1].quantity, 15.0);
  const std::vector<BrokerEvent>& bar5 = from_restored.batches[3];
  ASSERT_EQ(kinds(bar5), (std::vector{EventKind::fill, EventKind::accepted}));
  EXPECT_EQ(bar5[0].client_order_id, "o4");
  EXPECT_EQ(bar5[0].quantity, 40.0);
  EXPECT_EQ(bar5[0].price, 104.6);
  EXPECT_EQ(bar5[1].broker_order_id, "SIM-7");
  ASSERT_EQ(kinds(from_restored.batches[4]), (std::vector{EventKind::expired}));
  EXPECT_EQ(from_restored.batches[4][0].client_order_id, "o5");
  EXPECT_EQ(restored.book().position("AAA").quantity, 80.0);  // 120 - 40
  EXPECT_EQ(restored.book().position("BBB").quantity, 0.0);   // o2 cancelled, o5 expired
  EXPECT_EQ(restored.book().position("CCC").quantity, -75.0);
  EXPECT_EQ(restored.working_count(), 0u);
}

TEST(SimulatedBrokerTest, MalformedStateIsAnInputErrorNamingTheKey) {
  SimulatedBrokerConfig config;
  config.max_participation = 0.1;
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  ASSERT_TRUE(broker.submit(approver.approve(market("a", "AAA", OrderSide::buy, 120, decided_after(0)))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(market("b", "BBB", OrderSide::buy, 10, decided_after(0)))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(1, 100.0, 500.0)).ok());  // a: 50 of 120; queue: 2 accepted, 1 fill
  const nlohmann::json good = broker.to_json();
  ASSERT_TRUE(SimulatedBroker::from_json(good).ok());

  using nlohmann::json;
  struct Case {
    const char* key;  // what the message must name
    void (*spoil)(json&);
  };
  const Case cases[] = {
      {"format", [](json& s) { s["format"] = "itrade-order-manager"; }},
      {"version", [](json& s) { s["version"] = 2; }},
      {"config: missing", [](json& s) { s.erase("config"); }},
      {"config.max_participation", [](json& s) { s["config"]["max_participation"] = 1.5; }},
      {"config.cost.slippage_bps", [](json& s) { s["config"]["cost"]["slippage_bps"] = -1.0; }},
      {"config.cost.commission.per_share", [](json& s) { s["config"]["cost"]["commission"]["per_share"] = "cheap"; }},
      {"config.latency", [](json& s) { s["config"]["latency"] = 0.5; }},
      {"faults.reverse_batches", [](json& s) { s["faults"]["reverse_batches"] = 1; }},
      {"'cash'", [](json& s) { s["book"].erase("cash"); }},
      {"book.initial_cash", [](json& s) { s["book"]["initial_cash"] = 5.0; }},
      {"orders: expected an array", [](json& s) { s["orders"] = json::object(); }},
      {"orders[0].state", [](json& s) { s["orders"][0]["state"] = "done"; }},
      {"orders[0].state", [](json& s) { s["orders"][0]["state"] = "filled"; }},  // 50 of 120 shares
      {"orders[0].filled_quantity", [](json& s) { s["orders"][0]["filled_quantity"] = "half"; }},
      {"orders[0].filled_quantity", [](json& s) { s["orders"][0]["filled_quantity"] = 121.0; }},
      {"orders[1].quantity", [](json& s) { s["orders"][1]["quantity"] = -10.0; }},
      {"orders[1].side", [](json& s) { s["orders"][1]["side"] = "hold"; }},
      {"orders[1].type", [](json& s) { s["orders"][1]["type"] = "stop"; }},
      {"orders[1].ts", [](json& s) { s["orders"][1].erase("ts"); }},
      {"orders[1].client_order_id", [](json& s) { s["orders"][1]["client_order_id"] = "a"; }},
      {"working[1]", [](json& s) { s["working"][1] = 7; }},
      {"working[0]", [](json& s) { s["working"][0] = -1; }},
      {"working[1]", [](json& s) { std::swap(s["working"][0], s["working"][1]); }},  // [1, 0]: not ascending
      {"working: orders[1]", [](json& s) { s["working"] = json::array({0}); }},
      {"queue[2].kind", [](json& s) { s["queue"][2]["kind"] = "partial"; }},
      {"queue[0].price", [](json& s) { s["queue"][0]["price"] = nullptr; }},
      {"queue: expected an array", [](json& s) { s["queue"] = "none"; }},
      {"last_bars[0].ts", [](json& s) { s["last_bars"][0]["ts"] = 1.5; }},
      {"last_bars[1].ticker", [](json& s) { s["last_bars"].push_back(s["last_bars"][0]); }},
      {"book_ts", [](json& s) { s["book_ts"] = nullptr; }},
      {"now: missing", [](json& s) { s.erase("now"); }},
      {"next_order_number", [](json& s) { s["next_order_number"] = 2; }},
      {"next_exec_number", [](json& s) { s["next_exec_number"] = -3; }},
  };
  for (const Case& test : cases) {
    json state = good;
    test.spoil(state);
    const auto restored = SimulatedBroker::from_json(state);
    ASSERT_FALSE(restored.ok()) << test.key;
    EXPECT_EQ(restored.error().kind, core::ErrorKind::input) << test.key;
    EXPECT_THAT(restored.error().message, HasSubstr(test.key));
    EXPECT_THAT(restored.error().message, HasSubstr("simulated broker state")) << test.key;
  }
  const auto not_an_object = SimulatedBroker::from_json(json::array());
  ASSERT_FALSE(not_an_object.ok());
  EXPECT_EQ(not_an_object.error().kind, core::ErrorKind::input);
  // A book error is named as one.
  json state = good;
  state["book"].erase("cash");
  EXPECT_THAT(SimulatedBroker::from_json(state).error().message, HasSubstr("book: "));
}

// --- Market-on-close orders ---

OrderRequest on_close(const std::string& id, const std::string& ticker, OrderSide side, double quantity,
                      core::Timestamp ts, double reference_price = 100.0) {
  OrderRequest request = market(id, ticker, side, quantity, ts, reference_price);
  request.type = OrderType::market_on_close;
  return request;
}

TEST(SimulatedBrokerTest, MarketOnCloseOrdersFillAtTheNextBarsCloseWithSlippageAndCommission) {
  SimulatedBrokerConfig config;
  config.cost.slippage_bps = 2.0;
  Approver approver;
  SimulatedBroker broker = make_broker(config);

  // Decided at bar 0's close: fills at bar 1's close (100.5), not at its open (100).
  ASSERT_TRUE(broker.submit(approver.approve(on_close("buy", "AAA", OrderSide::buy, 10, decided_after(0)))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", bar(1, 100.0, 101.0, 99.0, 100.5)).ok());
  std::vector<BrokerEvent> events = broker.poll_events();
  ASSERT_EQ(kinds(events), (std::vector{EventKind::accepted, EventKind::fill}));
  const BrokerEvent bought = events[1];
  EXPECT_EQ(bought.client_order_id, "buy");
  EXPECT_EQ(bought.exec_id, "SIM-E1");
  EXPECT_EQ(bought.side, OrderSide::buy);
  EXPECT_EQ(bought.quantity, 10.0);
  EXPECT_EQ(bought.price, config.cost.fill_price(OrderSide::buy, 100.5));
  EXPECT_DOUBLE_EQ(bought.price, 100.5201);  // 100.5 x (1 + 2 / 1e4)
  EXPECT_EQ(bought.commission, 1.0);         // 10 x 0.005 = 0.05, raised to the $1 minimum
  EXPECT_EQ(bought.commission, config.cost.commission(10.0, bought.price));
  EXPECT_EQ(bought.ts, bar_start(1));
  EXPECT_EQ(broker.working_count(), 0u);

  ASSERT_TRUE(broker.submit(approver.approve(on_close("sell", "AAA", OrderSide::sell, 10, decided_after(1)))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", bar(2, 110.0, 111.0, 107.5, 108.0)).ok());
  events = broker.poll_events();
  ASSERT_EQ(kinds(events), (std::vector{EventKind::accepted, EventKind::fill}));
  const BrokerEvent sold = events[1];
  EXPECT_EQ(sold.exec_id, "SIM-E2");
  EXPECT_EQ(sold.side, OrderSide::sell);
  EXPECT_EQ(sold.price, config.cost.fill_price(OrderSide::sell, 108.0));
  EXPECT_DOUBLE_EQ(sold.price, 107.9784);  // 108 x (1 - 2 / 1e4)
  EXPECT_EQ(sold.commission, 1.0);
  EXPECT_EQ(sold.ts, bar_start(2));

  double cash = 100'000.0;
  cash -= 10.0 * bought.price + 1.0;
  cash -= -(10.0 * sold.price) + 1.0;
  const auto account = broker.account();
  ASSERT_TRUE(account);
  EXPECT_EQ(account->cash, cash);
  EXPECT_EQ(account->equity, cash);
  ASSERT_TRUE(broker.positions());
  EXPECT_TRUE(broker.positions()->empty());
}

TEST(SimulatedBrokerTest, OnOneBarTheOpensFillsComeBeforeTheClosesWhateverTheSubmissionOrder) {
  SimulatedBrokerConfig config;
  config.cost.slippage_bps = 2.0;
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  // One decision: buy at the next open, sell that position at the same bar's close. The
  // market-on-close order is submitted first, and still fills second.
  const core::Timestamp t = decided_after(0);
  ASSERT_TRUE(broker.submit(approver.approve(on_close("exit", "AAA", OrderSide::sell, 10, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(market("entry", "AAA", OrderSide::buy, 10, t))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", bar(1, 100.0, 102.0, 99.0, 101.5)).ok());

  const std::vector<BrokerEvent> events = broker.poll_events();
  ASSERT_EQ(kinds(events), (std::vector{EventKind::accepted, EventKind::accepted, EventKind::fill, EventKind::fill}));
  EXPECT_EQ(events[0].client_order_id, "exit");
  EXPECT_EQ(events[1].client_order_id, "entry");
  const BrokerEvent& at_open = events[2];
  const BrokerEvent& at_close = events[3];
  EXPECT_EQ(at_open.client_order_id, "entry");
  EXPECT_EQ(at_open.exec_id, "SIM-E1");
  EXPECT_EQ(at_open.price, config.cost.fill_price(OrderSide::buy, 100.0));
  EXPECT_EQ(at_close.client_order_id, "exit");
  EXPECT_EQ(at_close.exec_id, "SIM-E2");
  EXPECT_EQ(at_close.price, config.cost.fill_price(OrderSide::sell, 101.5));
  EXPECT_EQ(at_open.ts, bar_start(1));
  EXPECT_EQ(at_close.ts, bar_start(1));

  // Flat after the round trip, the cash moved by both fills.
  EXPECT_EQ(broker.working_count(), 0u);
  EXPECT_EQ(broker.book().position("AAA").quantity, 0.0);
  ASSERT_TRUE(broker.positions());
  EXPECT_TRUE(broker.positions()->empty());
  double cash = 100'000.0;
  cash -= 10.0 * at_open.price + at_open.commission;
  cash -= -(10.0 * at_close.price) + at_close.commission;
  EXPECT_EQ(broker.book().cash(), cash);
  EXPECT_DOUBLE_EQ(broker.book().cash(), 100'000.0 - 1000.2 - 1.0 + 1014.797 - 1.0);
}

TEST(SimulatedBrokerTest, MarketOnCloseOrdersTakeTheBarsVolumeLeftByTheOpensOrders) {
  SimulatedBrokerConfig config;
  config.max_participation = 0.1;  // 0.1 x 500 = 50 shares a bar
  Approver approver;
  SimulatedBroker broker = make_broker(config);
  const core::Timestamp t = decided_after(0);
  ASSERT_TRUE(broker.submit(approver.approve(on_close("exit", "AAA", OrderSide::sell, 30, t))).ok());
  ASSERT_TRUE(broker.submit(approver.approve(market("entry", "AAA", OrderSide::buy, 40, t))).ok());
  (void)broker.poll_events();

  ASSERT_TRUE(broker.on_bar("AAA", bar(1, 100.0, 101.0, 99.0, 100.8, 500.0)).ok());
  std::vector<BrokerEvent> fills = fills_of(broker.poll_events());
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].client_order_id, "entry");
  EXPECT_EQ(fills[0].quantity, 40.0);
  EXPECT_EQ(fills[1].client_order_id, "exit");
  EXPECT_EQ(fills[1].quantity, 10.0);  // what the open's order left of the 50
  EXPECT_EQ(fills[1].price, config.cost.fill_price(OrderSide::sell, 100.8));
  EXPECT_EQ(broker.working_count(), 1u);

  // The rest keeps working, and fills at the next bar's close.
  ASSERT_TRUE(broker.on_bar("AAA", bar(2, 100.9, 101.0, 99.5, 99.7, 500.0)).ok());
  fills = fills_of(broker.poll_events());
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].client_order_id, "exit");
  EXPECT_EQ(fills[0].quantity, 20.0);
  EXPECT_EQ(fills[0].price, config.cost.fill_price(OrderSide::sell, 99.7));
  EXPECT_EQ(broker.working_count(), 0u);
  EXPECT_EQ(broker.book().position("AAA").quantity, 10.0);
}

TEST(SimulatedBrokerTest, MarketOnCloseNeverFillsOnAnEarlierBarAndExpiresAtTheEndOfDay) {
  Approver approver;
  SimulatedBroker broker = make_broker();
  // Decided at bar 1's close: bar 1 (and an earlier one) must not fill it, not even at bar 1's
  // close, which is the decision's own time.
  ASSERT_TRUE(broker.submit(approver.approve(on_close("moc", "AAA", OrderSide::buy, 10, decided_after(1)))).ok());
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(0, 50.0)).ok());
  ASSERT_TRUE(broker.on_bar("AAA", bar(1, 60.0, 61.0, 59.0, 60.5)).ok());
  EXPECT_EQ(kinds(broker.poll_events()), (std::vector{EventKind::accepted}));
  EXPECT_EQ(broker.working_count(), 1u);

  // No eligible bar before the session ends: a DAY order, it expires.
  const core::Timestamp close = utc("2024-11-20T21:00:00Z");
  broker.end_of_day(close);
  const std::vector<BrokerEvent> events = broker.poll_events();
  ASSERT_EQ(kinds(events), (std::vector{EventKind::expired}));
  EXPECT_EQ(events[0].client_order_id, "moc");
  EXPECT_EQ(events[0].ts, close);
  EXPECT_EQ(broker.working_count(), 0u);
  ASSERT_TRUE(broker.on_bar("AAA", flat_bar(2, 100.0)).ok());
  EXPECT_TRUE(broker.poll_events().empty());
  EXPECT_EQ(broker.book().position("AAA").quantity, 0.0);

  // Latency moves it like a market order: one bar later.
  SimulatedBrokerConfig config;
  config.latency = core::kNanosPerMinute;
  SimulatedBroker late = make_broker(config);
  ASSERT_TRUE(late.submit(approver.approve(on_close("moc", "AAA", OrderSide::buy, 10, decided_after(0)))).ok());
  ASSERT_TRUE(late.on_bar("AAA", bar(1, 100.0, 101.0, 99.0, 100.5)).ok());
  EXPECT_TRUE(fills_of(late.poll_events()).empty());
  ASSERT_TRUE(late.on_bar("AAA", bar(2, 101.0, 102.0, 100.0, 101.7)).ok());
  const std::vector<BrokerEvent> fills = fills_of(late.poll_events());
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].ts, bar_start(2));
  EXPECT_EQ(fills[0].price, config.cost.fill_price(OrderSide::buy, 101.7));
}

TEST(SimulatedBrokerTest, StateWithAWorkingMarketOnCloseOrderRoundTripsAndContinuesIdentically) {
  SimulatedBrokerConfig config;
  config.cost.slippage_bps = 3.7;  // fill prices and commissions with long binary expansions
  config.cost.commission.bps = 0.35;
  config.max_participation = 0.1;  // AAA: 50 shares a bar
  Approver approver;
  SimulatedBroker original = make_broker(config);

  // Mid-stream: "close" partially filled at bar 1's close and working, "later" not yet eligible.
  ASSERT_TRUE(original.submit(approver.approve(on_close("close", "AAA", OrderSide::buy, 120, decided_after(0)))).ok());
  ASSERT_TRUE(original.submit(approver.approve(market("open", "AAA", OrderSide::buy, 20, decided_after(0)))).ok());
  ASSERT_TRUE(original.on_bar("AAA", bar(1, 100.1, 101.3, 99.1, 100.4, 500.0)).ok());  // open 20, close 30
  ASSERT_TRUE(original.submit(approver.approve(on_close("later", "BBB", OrderSide::sell, 15, decided_after(1)))).ok());
  EXPECT_EQ(original.working_count(), 2u);
  EXPECT_EQ(original.book().position("AAA").quantity, 50.0);
  // Not polled: both acceptances, two fills, the third acceptance.

  const nlohmann::json state = original.to_json();
  const std::string text = state.dump();
  ASSERT_EQ(state.at("orders").size(), 3u);
  EXPECT_EQ(state.at("orders")[0].at("type"), "market_on_close");
  EXPECT_EQ(state.at("orders")[1].at("type"), "market");
  EXPECT_EQ(state.at("orders")[2].at("type"), "market_on_close");
  auto restored_or = SimulatedBroker::from_json(nlohmann::json::parse(text));
  ASSERT_TRUE(restored_or.ok()) << restored_or.error().message;
  SimulatedBroker restored = std::move(restored_or).value();
  EXPECT_EQ(restored.to_json(), state);
  EXPECT_EQ(restored.to_json().dump(), text);
  EXPECT_EQ(restored.book(), original.book());
  EXPECT_EQ(restored.working_count(), original.working_count());

  const auto continue_session = [&](SimulatedBroker& b) {
    std::vector<std::vector<BrokerEvent>> batches;
    batches.push_back(b.poll_events());
    EXPECT_TRUE(b.on_bar("AAA", bar(2, 100.7, 101.9, 100.2, 101.3, 500.0)).ok());  // close: 50 more
    EXPECT_TRUE(b.on_bar("BBB", bar(2, 49.9, 50.2, 49.6, 49.7, 1e5)).ok());        // later: all 15
    batches.push_back(b.poll_events());
    EXPECT_TRUE(b.on_bar("AAA", bar(3, 101.1, 101.4, 100.3, 100.6, 300.0)).ok());  // close: 30 of the last 40
    batches.push_back(b.poll_events());
    b.end_of_day(utc("2024-11-20T21:00:00Z"));  // close: the last 10 expire
    batches.push_back(b.poll_events());
    return batches;
  };
  const std::vector<std::vector<BrokerEvent>> from_original = continue_session(original);
  const std::vector<std::vector<BrokerEvent>> from_restored = continue_session(restored);
  ASSERT_EQ(from_restored.size(), from_original.size());
  for (std::size_t i = 0; i < from_original.size(); ++i) {
    expect_same_events(from_restored[i], from_original[i], "batch " + std::to_string(i));
  }
  EXPECT_EQ(restored.book(), original.book());
  EXPECT_EQ(restored.to_json(), original.to_json());

  // And the stream is the one the rules imply: every market-on-close fill at a close.
  ASSERT_EQ(kinds(from_restored[0]), (std::vector{EventKind::accepted, EventKind::accepted, EventKind::fill,
                                                  EventKind::fill, EventKind::accepted}));
  EXPECT_EQ(from_restored[0][2].client_order_id, "open");
  EXPECT_EQ(from_restored[0][3].client_order_id, "close");
  EXPECT_EQ(from_restored[0][3].price, config.cost.fill_price(OrderSide::buy, 100.4));
  const std::vector<BrokerEvent>& bar2 = from_restored[1];
  ASSERT_EQ(kinds(bar2), (std::vector{EventKind::fill, EventKind::fill}));
  EXPECT_EQ(bar2[0].client_order_id, "close");
  EXPECT_EQ(bar2[0].quantity, 50.0);
  EXPECT_EQ(bar2[0].price, config.cost.fill_price(OrderSide::buy, 101.3));
  EXPECT_EQ(bar2[0].exec_id, "SIM-E3");
  EXPECT_EQ(bar2[1].client_order_id, "later");
  EXPECT_EQ(bar2[1].quantity, 15.0);
  EXPECT_EQ(bar2[1].price, config.cost.fill_price(OrderSide::sell, 49.7));
  ASSERT_EQ(kinds(from_restored[2]), (std::vector{EventKind::fill}));
  EXPECT_EQ(from_restored[2][0].quantity, 30.0);
  EXPECT_EQ(from_restored[2][0].price, config.cost.fill_price(OrderSide::buy, 100.6));
  ASSERT_EQ(kinds(from_restored[3]), (std::vector{EventKind::expired}));
  EXPECT_EQ(from_restored[3][0].client_order_id, "close");
  EXPECT_EQ(restored.book().position("AAA").quantity, 130.0);  // open 20 + close 30 + 50 + 30
  EXPECT_EQ(restored.book().position("BBB").quantity, -15.0);
  EXPECT_EQ(restored.working_count(), 0u);
}

}  // namespace
}  // namespace itrade::execution

// The risk manager: every limit blocks an order that breaches it, with the right reason, and lets
// one just inside pass; exits always pass; the configuration cannot pass a hard ceiling; the
// tripped state survives a restart; and random order and price streams never see a limit exceeded.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/config_node.h"
#include "core/nyse_calendar.h"
#include "core/time.h"
#include "execution/risk_manager.h"

namespace itrade::execution {
namespace {

using ::testing::HasSubstr;

core::Timestamp utc(const char* text) {
  auto ts = core::parse_utc(text);
  EXPECT_TRUE(ts) << text;
  return *ts;
}

// Wednesday 2024-11-20: the session runs 14:30-21:00 UTC.
const core::Timestamp kMorning = utc("2024-11-20T15:00:00Z");

OrderRequest buy(const std::string& ticker, double quantity, double price, core::Timestamp ts = kMorning) {
  static int next_id = 0;
  OrderRequest o;
  o.client_order_id = fmt::format("o{}", ++next_id);
  o.ticker = ticker;
  o.side = OrderSide::buy;
  o.quantity = quantity;
  o.reference_price = price;
  o.ts = ts;
  return o;
}

OrderRequest sell(const std::string& ticker, double quantity, double price, core::Timestamp ts = kMorning) {
  OrderRequest o = buy(ticker, quantity, price, ts);
  o.side = OrderSide::sell;
  return o;
}

SectorMap sectors() {
  SectorMap map;
  map.set("AAA", "Tech");
  map.set("BBB", "Tech");
  map.set("CCC", "Energy");
  map.set("DDD", "Health");
  return map;
}

// A risk manager whose limits only the test's subject can trip: the others are at their ceilings.
RiskConfig loose() { return RiskConfig::at_ceilings(); }

RiskManager manager(const RiskConfig& config) {
  RiskManager risk(config, sectors());
  for (const char* t : {"AAA", "BBB", "CCC", "DDD"}) risk.on_price(t, kMorning - 300'000'000'000, 100.0);
  return risk;
}

AccountView account(double equity, const std::vector<PositionView>& positions) {
  return AccountView{equity, positions};
}

TEST(RiskManagerTest, AnOrderWithinEveryLimitIsApprovedUnchanged) {
  RiskManager risk = manager(RiskConfig{});
  const std::vector<PositionView> none;
  const RiskDecision d = risk.check_order(buy("AAA", 50, 100.0), account(100'000, none));
  EXPECT_EQ(d.verdict, Verdict::approve);
  EXPECT_EQ(d.limit, RiskLimit::none);
  ASSERT_TRUE(d.order);
  EXPECT_EQ(d.order->request().quantity, 50);
  EXPECT_EQ(d.order->request().ticker, "AAA");
}

TEST(RiskManagerTest, PositionSizeReducesToTheLimitAndJustInsidePasses) {
  RiskConfig c = loose();
  c.max_position_pct = 0.05;  // 5,000 of 100,000 at 100 a share: 50 shares
  RiskManager risk = manager(c);
  const std::vector<PositionView> none;
  EXPECT_EQ(risk.check_order(buy("AAA", 50, 100.0), account(100'000, none)).verdict, Verdict::approve);
  const RiskDecision d = risk.check_order(buy("AAA", 80, 100.0), account(100'000, none));
  EXPECT_EQ(d.verdict, Verdict::reduce);
  EXPECT_EQ(d.limit, RiskLimit::position_size);
  EXPECT_EQ(d.approved_quantity, 50);
  EXPECT_THAT(d.reason, HasSubstr("5.0% of equity"));
  // Already holding 30: 20 more fit.
  const std::vector<PositionView> held{{"AAA", 30}};
  EXPECT_EQ(risk.check_order(buy("AAA", 80, 100.0), account(100'000, held)).approved_quantity, 20);
  // Holding the full size: an add is rejected.
  const std::vector<PositionView> full{{"AAA", 50}};
  const RiskDecision add = risk.check_order(buy("AAA", 1, 100.0), account(100'000, full));
  EXPECT_EQ(add.verdict, Verdict::reject);
  EXPECT_EQ(add.limit, RiskLimit::position_size);
  EXPECT_FALSE(add.order);
}

TEST(RiskManagerTest, ShortsCountLikeLongs) {
  RiskConfig c = loose();
  c.max_position_pct = 0.05;
  RiskManager risk = manager(c);
  const std::vector<PositionView> none;
  const RiskDecision d = risk.check_order(sell("AAA", 80, 100.0), account(100'000, none));
  EXPECT_EQ(d.verdict, Verdict::reduce);
  EXPECT_EQ(d.approved_quantity, 50);
  EXPECT_EQ(d.order->request().side, OrderSide::sell);
}

TEST(RiskManagerTest, MaxPositionsRejectsANewTickerButNotAnAdd) {
  RiskConfig c = loose();
  c.max_positions = 2;
  RiskManager risk = manager(c);
  const std::vector<PositionView> one{{"AAA", 10}};
  EXPECT_EQ(risk.check_order(buy("BBB", 10, 100.0), account(100'000, one)).verdict, Verdict::approve);
  const std::vector<PositionView> two{{"AAA", 10}, {"BBB", 10}};
  const RiskDecision d = risk.check_order(buy("CCC", 10, 100.0), account(100'000, two));
  EXPECT_EQ(d.verdict, Verdict::reject);
  EXPECT_EQ(d.limit, RiskLimit::max_positions);
  EXPECT_THAT(d.reason, HasSubstr("2 positions open"));
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0), account(100'000, two)).verdict, Verdict::approve)
      << "adding to a held ticker takes no new slot";
}

TEST(RiskManagerTest, OrderNotionalReducesToTheLimit) {
  RiskConfig c = loose();
  c.max_order_notional = 2'000;  // 20 shares at 100
  RiskManager risk = manager(c);
  const std::vector<PositionView> none;
  EXPECT_EQ(risk.check_order(buy("AAA", 20, 100.0), account(100'000, none)).verdict, Verdict::approve);
  const RiskDecision d = risk.check_order(buy("AAA", 21, 100.0), account(100'000, none));
  EXPECT_EQ(d.verdict, Verdict::reduce);
  EXPECT_EQ(d.limit, RiskLimit::order_notional);
  EXPECT_EQ(d.approved_quantity, 20);
}

TEST(RiskManagerTest, SectorExposureCountsTheWholeSector) {
  RiskConfig c = loose();
  c.max_sector_exposure_pct = 0.10;  // 10,000 of 100,000
  RiskManager risk = manager(c);
  const std::vector<PositionView> tech{{"AAA", 60}, {"CCC", 90}};  // Tech holds 6,000; Energy 9,000
  EXPECT_EQ(risk.check_order(buy("BBB", 40, 100.0), account(100'000, tech)).verdict, Verdict::approve);
  const RiskDecision d = risk.check_order(buy("BBB", 41, 100.0), account(100'000, tech));
  EXPECT_EQ(d.verdict, Verdict::reduce);
  EXPECT_EQ(d.limit, RiskLimit::sector_exposure);
  EXPECT_EQ(d.approved_quantity, 40);
  EXPECT_THAT(d.reason, HasSubstr("\"Tech\""));
  // Another sector is not affected by Tech's holdings.
  EXPECT_EQ(risk.check_order(buy("DDD", 90, 100.0), account(100'000, tech)).verdict, Verdict::approve);
}

TEST(RiskManagerTest, ASectorPositionWithoutAnyPriceBlocksNewRiskInThatSector) {
  const std::vector<PositionView> unpriced{{"AAA", 10}};  // BBB's sector; no price for AAA anywhere
  RiskManager fresh(loose(), sectors());
  fresh.on_price("BBB", kMorning - 300'000'000'000, 100.0);
  const RiskDecision d = fresh.check_order(buy("BBB", 1, 100.0), account(100'000, unpriced));
  EXPECT_EQ(d.verdict, Verdict::reject);
  EXPECT_EQ(d.limit, RiskLimit::no_price);
  EXPECT_THAT(d.reason, HasSubstr("AAA"));
  const std::vector<PositionView> marked{{"AAA", 10, 100.0}};
  EXPECT_EQ(fresh.check_order(buy("BBB", 1, 100.0), account(100'000, marked)).verdict, Verdict::approve)
      << "the caller's mark values it";
  EXPECT_EQ(fresh.check_order(buy("CCC", 1, 100.0), account(100'000, unpriced)).limit, RiskLimit::no_price)
      << "CCC has no price of its own";
}

TEST(RiskManagerTest, UnmappedTickersShareOneSector) {
  RiskConfig c = loose();
  c.max_sector_exposure_pct = 0.10;
  RiskManager risk = manager(c);
  risk.on_price("XXX", kMorning - 300'000'000'000, 100.0);
  risk.on_price("YYY", kMorning - 300'000'000'000, 100.0);
  const std::vector<PositionView> held{{"XXX", 100}};
  const RiskDecision d = risk.check_order(buy("YYY", 1, 100.0), account(100'000, held));
  EXPECT_EQ(d.verdict, Verdict::reject);
  EXPECT_EQ(d.limit, RiskLimit::sector_exposure);
  EXPECT_THAT(d.reason, HasSubstr("unmapped"));
}

TEST(RiskManagerTest, PriceBandRejectsAnOrderPriceFarFromTheLastPrice) {
  RiskConfig c = loose();
  c.price_band_pct = 0.05;
  RiskManager risk = manager(c);
  const std::vector<PositionView> none;
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 104.99), account(100'000, none)).verdict, Verdict::approve);
  const RiskDecision d = risk.check_order(buy("AAA", 10, 105.5), account(100'000, none));
  EXPECT_EQ(d.verdict, Verdict::reject);
  EXPECT_EQ(d.limit, RiskLimit::price_band);
  OrderRequest limit = buy("AAA", 10, 100.0);
  limit.type = OrderType::limit;
  limit.limit_price = 94.0;
  EXPECT_EQ(risk.check_order(limit, account(100'000, none)).limit, RiskLimit::price_band) << "limit price checked";
}

TEST(RiskManagerTest, NoLastPriceNoNewRisk) {
  RiskManager risk = manager(loose());
  const std::vector<PositionView> none;
  const RiskDecision d = risk.check_order(buy("ZZZ", 10, 100.0), account(100'000, none));
  EXPECT_EQ(d.verdict, Verdict::reject);
  EXPECT_EQ(d.limit, RiskLimit::no_price);
}

TEST(RiskManagerTest, NoNewPositionsInTheLastMinutesOrOutsideTheSession) {
  RiskConfig c = loose();
  c.no_trade_before_close_min = 15;
  RiskManager risk = manager(c);
  const std::vector<PositionView> none;
  // 20:45 UTC is 15:45 New York: 15 minutes left, still allowed; 20:50 is not.
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0, utc("2024-11-20T20:45:00Z")), account(100'000, none)).verdict,
            Verdict::approve);
  const RiskDecision late =
      risk.check_order(buy("AAA", 10, 100.0, utc("2024-11-20T20:50:00Z")), account(100'000, none));
  EXPECT_EQ(late.verdict, Verdict::reject);
  EXPECT_EQ(late.limit, RiskLimit::session_close);
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0, utc("2024-11-20T14:00:00Z")), account(100'000, none)).limit,
            RiskLimit::outside_session);
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0, utc("2024-11-28T16:00:00Z")), account(100'000, none)).limit,
            RiskLimit::outside_session)
      << "Thanksgiving has no session";
  // The day after Thanksgiving closes at 13:00 New York (18:00 UTC).
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0, utc("2024-11-29T17:50:00Z")), account(100'000, none)).limit,
            RiskLimit::session_close);
}

// AAA and BBB move together (sign_of_bbb = 1) or against each other (-1); CCC on its own.
// Returns the last prices.
std::map<std::string, double> feed_related(RiskManager& risk, double sign_of_bbb, int bbb_misses_every = 0) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 0.01);
  std::map<std::string, double> price{{"AAA", 100.0}, {"BBB", 100.0}, {"CCC", 100.0}};
  core::Timestamp ts = kMorning - 100 * 300'000'000'000;
  for (int i = 0; i < 100; ++i) {
    const double common = noise(rng);
    price["AAA"] *= std::exp(common + 0.1 * noise(rng));
    price["BBB"] *= std::exp(sign_of_bbb * common + 0.1 * noise(rng));
    price["CCC"] *= std::exp(noise(rng));
    ts += 300'000'000'000;
    for (const auto& [ticker, p] : price) {
      // A missing bar: BBB's next return then spans two bars and pairs with no AAA return.
      if (ticker == "BBB" && bbb_misses_every > 0 && i % bbb_misses_every == 0) continue;
      risk.on_price(ticker, ts, p);
    }
  }
  return price;
}

TEST(RiskManagerTest, CorrelatedPositionsAreRejectedButHedgesAndUnrelatedPass) {
  RiskConfig c = loose();
  c.max_correlation = 0.8;
  const std::vector<PositionView> long_a{{"AAA", 1}};
  RiskManager together(c, sectors());
  auto price = feed_related(together, +1.0);
  const RiskDecision correlated = together.check_order(buy("BBB", 1, price["BBB"]), account(100'000, long_a));
  EXPECT_EQ(correlated.verdict, Verdict::reject);
  EXPECT_EQ(correlated.limit, RiskLimit::correlation);
  EXPECT_THAT(correlated.reason, HasSubstr("with the open position in AAA"));
  EXPECT_EQ(together.check_order(sell("BBB", 1, price["BBB"]), account(100'000, long_a)).verdict, Verdict::approve)
      << "short BBB against long AAA hedges";
  EXPECT_EQ(together.check_order(buy("CCC", 1, price["CCC"]), account(100'000, long_a)).verdict, Verdict::approve)
      << "unrelated";

  RiskManager opposite(c, sectors());
  price = feed_related(opposite, -1.0);
  EXPECT_EQ(opposite.check_order(sell("BBB", 1, price["BBB"]), account(100'000, long_a)).limit, RiskLimit::correlation)
      << "shorting a ticker that moves against a long one doubles the bet";
  EXPECT_EQ(opposite.check_order(buy("BBB", 1, price["BBB"]), account(100'000, long_a)).verdict, Verdict::approve);

  // Bars missing from one ticker: returns are paired by bar time, so the correlation still shows.
  RiskManager gaps(c, sectors());
  price = feed_related(gaps, +1.0, 7);
  const RiskDecision with_gaps = gaps.check_order(buy("BBB", 1, price["BBB"]), account(100'000, long_a));
  EXPECT_EQ(with_gaps.limit, RiskLimit::correlation) << with_gaps.reason;
}

TEST(RiskManagerTest, DailyLossHaltsNewRiskForTheDayOnly) {
  RiskConfig c = loose();
  c.daily_loss_limit_pct = 0.02;
  RiskManager risk = manager(c);
  const std::vector<PositionView> none;
  EXPECT_TRUE(risk.on_equity(utc("2024-11-20T14:35:00Z"), 100'000).empty());
  EXPECT_TRUE(risk.on_equity(utc("2024-11-20T14:40:00Z"), 98'000.01).empty()) << "just inside";
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0), account(98'000.01, none)).verdict, Verdict::approve);
  const auto trips = risk.on_equity(utc("2024-11-20T14:45:00Z"), 98'000);
  ASSERT_EQ(trips.size(), 1u);
  EXPECT_EQ(trips[0].limit, RiskLimit::daily_loss);
  EXPECT_DOUBLE_EQ(trips[0].threshold, 98'000);
  const RiskDecision d = risk.check_order(buy("AAA", 10, 100.0), account(99'000, none));
  EXPECT_EQ(d.verdict, Verdict::reject);
  EXPECT_EQ(d.limit, RiskLimit::daily_loss) << "recovering intraday does not lift the halt";
  // The next day starts from the last equity and trades again.
  risk.on_price("AAA", utc("2024-11-21T14:55:00Z"), 100.0);
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0, utc("2024-11-21T15:00:00Z")), account(99'000, none)).verdict,
            Verdict::approve);
}

TEST(RiskManagerTest, WeeklyLossHaltsUntilNextWeek) {
  RiskConfig c = loose();
  c.weekly_loss_limit_pct = 0.05;
  c.daily_loss_limit_pct = 0.05;
  RiskManager risk = manager(c);
  const std::vector<PositionView> none;
  // Monday 2024-11-18 .. Friday 2024-11-22: 1.9% a day down, no daily trip, weekly trips on day 3.
  double equity = 100'000;
  risk.on_equity(utc("2024-11-18T15:00:00Z"), equity);
  std::vector<Trip> all;
  for (const char* day : {"2024-11-18T20:00:00Z", "2024-11-19T20:00:00Z"}) {
    equity *= 0.981;
    for (const Trip& t : risk.on_equity(utc(day), equity)) all.push_back(t);
  }
  EXPECT_TRUE(risk.on_equity(utc("2024-11-20T15:00:00Z"), 95'000.01).empty()) << "just inside 5% of 100,000";
  equity *= 0.981;
  for (const Trip& t : risk.on_equity(utc("2024-11-20T20:00:00Z"), equity)) all.push_back(t);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].limit, RiskLimit::weekly_loss);
  risk.on_price("AAA", utc("2024-11-22T14:55:00Z"), 100.0);
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0, utc("2024-11-22T15:00:00Z")), account(equity, none)).limit,
            RiskLimit::weekly_loss)
      << "still halted on Friday";
  risk.on_price("AAA", utc("2024-11-25T14:55:00Z"), 100.0);
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0, utc("2024-11-25T15:00:00Z")), account(equity, none)).verdict,
            Verdict::approve)
      << "a new week";
}

TEST(RiskManagerTest, DrawdownHaltsUntilAPersonResets) {
  RiskConfig c = loose();
  c.max_drawdown_pct = 0.10;
  RiskManager risk = manager(c);
  const std::vector<PositionView> none;
  risk.on_equity(utc("2024-11-18T15:00:00Z"), 100'000);
  risk.on_equity(utc("2024-11-18T16:00:00Z"), 110'000);  // the peak
  // Down a little every day, never a daily or weekly trip.
  EXPECT_TRUE(risk.on_equity(utc("2024-11-19T16:00:00Z"), 106'000).empty());
  EXPECT_TRUE(risk.on_equity(utc("2024-11-20T16:00:00Z"), 102'000).empty());
  EXPECT_TRUE(risk.on_equity(utc("2024-11-21T14:35:00Z"), 99'000.01).empty()) << "just inside 10% of 110,000";
  const auto trips = risk.on_equity(utc("2024-11-21T14:40:00Z"), 99'000);
  ASSERT_EQ(trips.size(), 1u);
  EXPECT_EQ(trips[0].limit, RiskLimit::drawdown);
  risk.on_price("AAA", utc("2024-12-02T14:55:00Z"), 100.0);
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0, utc("2024-12-02T15:00:00Z")), account(99'500, none)).limit,
            RiskLimit::drawdown)
      << "weeks later, still halted";
  risk.reset_drawdown();
  EXPECT_EQ(risk.check_order(buy("AAA", 10, 100.0, utc("2024-12-02T15:00:00Z")), account(99'500, none)).verdict,
            Verdict::approve);
}

TEST(RiskManagerTest, ExitsAreAlwaysAllowed) {
  RiskConfig c = loose();
  c.max_drawdown_pct = 0.10;
  RiskManager risk = manager(c);
  risk.on_equity(kMorning, 100'000);
  risk.on_equity(kMorning + 1, 80'000);  // drawdown stop
  const std::vector<PositionView> held{{"AAA", 100}, {"BBB", -40}};
  // Closing, reducing, at the close, outside the session, far from the last price, unknown ticker price.
  for (core::Timestamp ts : {kMorning + 2, utc("2024-11-20T20:55:00Z"), utc("2024-11-20T23:00:00Z")}) {
    const RiskDecision close = risk.check_order(sell("AAA", 100, 100.0, ts), account(80'000, held));
    EXPECT_EQ(close.verdict, Verdict::approve) << core::format_utc(ts);
    EXPECT_THAT(close.reason, HasSubstr("exit"));
    EXPECT_EQ(risk.check_order(sell("AAA", 30, 150.0, ts), account(80'000, held)).verdict, Verdict::approve);
    EXPECT_EQ(risk.check_order(buy("BBB", 40, 100.0, ts), account(80'000, held)).verdict, Verdict::approve);
  }
  // A flip: the closing part passes, the opening part is halted.
  const RiskDecision flip = risk.check_order(sell("AAA", 150, 100.0, kMorning + 3), account(80'000, held));
  EXPECT_EQ(flip.verdict, Verdict::reduce);
  EXPECT_EQ(flip.approved_quantity, 100);
  EXPECT_EQ(flip.limit, RiskLimit::drawdown);
}

TEST(RiskManagerTest, AMarketOnCloseExitPassesAfterTheSessionCloseCutoff) {
  RiskConfig c = loose();
  c.no_trade_before_close_min = 15;
  c.price_band_pct = 0.05;
  RiskManager risk = manager(c);
  const std::vector<PositionView> held{{"AAA", 100}};
  const core::Timestamp late = utc("2024-11-20T20:55:00Z");  // 5 minutes before the close
  const auto on_close = [](OrderRequest order) {
    order.type = OrderType::market_on_close;
    return order;
  };
  // Flattening at the close is an exit: always allowed.
  const RiskDecision flatten = risk.check_order(on_close(sell("AAA", 100, 100.0, late)), account(100'000, held));
  EXPECT_EQ(flatten.verdict, Verdict::approve);
  EXPECT_THAT(flatten.reason, HasSubstr("exit"));
  ASSERT_TRUE(flatten.order);
  EXPECT_EQ(flatten.order->request().type, OrderType::market_on_close);
  // A new position is not, whatever its type.
  EXPECT_EQ(risk.check_order(on_close(buy("BBB", 10, 100.0, late)), account(100'000, held)).limit,
            RiskLimit::session_close);
  // Like a market order, it is checked at its reference price, which it must have.
  EXPECT_EQ(risk.check_order(on_close(buy("BBB", 10, 105.5)), account(100'000, held)).limit, RiskLimit::price_band);
  EXPECT_EQ(risk.check_order(on_close(sell("AAA", 100, 0.0, late)), account(100'000, held)).limit,
            RiskLimit::invalid_order);
}

TEST(RiskManagerTest, MalformedOrdersAreRejected) {
  RiskManager risk = manager(loose());
  const std::vector<PositionView> none;
  for (double q : {0.0, -5.0, std::nan("")}) {
    EXPECT_EQ(risk.check_order(buy("AAA", q, 100.0), account(100'000, none)).limit, RiskLimit::invalid_order) << q;
  }
  OrderRequest no_id = buy("AAA", 1, 100.0);
  no_id.client_order_id.clear();
  EXPECT_EQ(risk.check_order(no_id, account(100'000, none)).limit, RiskLimit::invalid_order);
  EXPECT_EQ(risk.check_order(buy("AAA", 1, 100.0), account(0.0, none)).verdict, Verdict::reject)
      << "no equity, no new risk";
}

TEST(RiskConfigTest, DefaultsAreTheBlueprintsAndFilesCannotPassTheCeilings) {
  auto shipped = load_risk_config(ITRADE_TEST_DATA_DIR "/../../config/risk.yaml");
  ASSERT_TRUE(shipped) << shipped.error().message;
  EXPECT_DOUBLE_EQ(shipped->max_position_pct, 0.05);
  EXPECT_EQ(shipped->max_positions, 20);
  EXPECT_DOUBLE_EQ(shipped->daily_loss_limit_pct, 0.02);
  EXPECT_DOUBLE_EQ(shipped->weekly_loss_limit_pct, 0.05);
  EXPECT_DOUBLE_EQ(shipped->max_drawdown_pct, 0.10);
  EXPECT_EQ(shipped->no_trade_before_close_min, 15);
  EXPECT_EQ(shipped->sectors.at("SPY"), "Broad Market ETF");

  const auto read = [](const std::string& text) {
    auto node = core::ConfigNode::parse(text, "risk.yaml");
    EXPECT_TRUE(node);
    return read_risk_config(*node);
  };
  EXPECT_TRUE(read("max_position_pct: 0.25\n"));
  auto past = read("max_positions: 20\nmax_position_pct: 0.26\n");
  ASSERT_FALSE(past);
  EXPECT_THAT(past.error().message, HasSubstr("risk.yaml:2: max_position_pct"));
  EXPECT_THAT(past.error().message, HasSubstr("hard ceiling 0.25"));
  EXPECT_THAT(read("daily_loss_limit_pct: 0.5\n").error().message, HasSubstr("hard ceiling"));
  EXPECT_THAT(read("max_drawdown_pct: 0.3\n").error().message, HasSubstr("hard ceiling"));
  EXPECT_THAT(read("no_trade_before_close_min: 0\n").error().message, HasSubstr("hard floor 5"));
  EXPECT_THAT(read("max_positions: 1000\n").error().message, HasSubstr("hard ceiling 100"));
  EXPECT_THAT(read("max_position_pct: -0.1\n").error().message, HasSubstr("must be above 0"));
  EXPECT_THAT(read("max_postion_pct: 0.1\n").error().message, HasSubstr("max_position_pct"));
  EXPECT_THAT(read("sectors: { SPY: '' }\n").error().message, HasSubstr("sectors.SPY"));
  RiskConfig c;
  c.price_band_pct = 0.5;
  EXPECT_THAT(c.check().error().message, HasSubstr("risk.price_band_pct"));
  EXPECT_TRUE(RiskConfig::at_ceilings().check()) << "the loosest configuration is still a valid one";
}

TEST(SectorMapTest, UniversesGiveSectorsAndRiskYamlWins) {
  RiskConfig c;
  c.sectors["SPY"] = "Broad Market ETF";
  c.sectors["AAPL"] = "Devices";
  auto map = load_sector_map(ITRADE_TEST_DATA_DIR "/../../data/universes", c);
  ASSERT_TRUE(map) << map.error().message;
  EXPECT_EQ(map->sector("JPM"), "Financials");
  EXPECT_EQ(map->sector("SPY"), "Broad Market ETF");
  EXPECT_EQ(map->sector("AAPL"), "Devices");
  EXPECT_EQ(map->sector("NOPE"), SectorMap::kUnmapped);
  EXPECT_FALSE(load_sector_map("/nonexistent/universes", c));
}

std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("itrade-risk-{}", ::getpid());
  std::filesystem::create_directories(dir);
  return dir / name;
}

TEST(RiskManagerTest, TrippedStateSurvivesARestart) {
  RiskConfig c = loose();
  c.daily_loss_limit_pct = 0.02;
  const auto file = scratch("risk-state.json");
  {
    RiskManager risk = manager(c);
    risk.on_equity(utc("2024-11-20T14:35:00Z"), 100'000);
    ASSERT_EQ(risk.on_equity(utc("2024-11-20T15:00:00Z"), 97'000).size(), 1u);
    ASSERT_TRUE(risk.save_state(file));
  }
  RiskManager restarted = manager(c);
  ASSERT_TRUE(restarted.load_state(file));
  EXPECT_EQ(restarted.state_json(), [&] {
    std::ifstream in(file);
    return nlohmann::json::parse(in);
  }()) << "restored exactly";
  const std::vector<PositionView> none;
  const RiskDecision d =
      restarted.check_order(buy("AAA", 10, 100.0, utc("2024-11-20T15:30:00Z")), account(99'000, none));
  EXPECT_EQ(d.limit, RiskLimit::daily_loss) << "the halt of the day outlives the process";
  ASSERT_EQ(restarted.trips().size(), 1u);
  // The day's anchor is restored too: 1% more loss is not a new day's first loss.
  EXPECT_TRUE(restarted.on_equity(utc("2024-11-20T16:00:00Z"), 96'000).empty()) << "one trip per day";

  // A damaged state file is refused, naming the file.
  {
    std::ofstream out(file);
    out << "{\"version\": 1, \"started\": tru";
  }
  RiskManager fresh = manager(c);
  auto bad = fresh.load_state(file);
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr(file.string()));
  {
    std::ofstream out(file);
    out << "{\"version\": 1, \"started\": true}";
  }
  EXPECT_THAT(fresh.load_state(file).error().message, HasSubstr("\"day\""));
  std::filesystem::remove_all(file.parent_path());
}

// Random prices and random orders from random accounts: whatever gets approved, filled at the
// reference price, never leaves a limit exceeded, and nothing is approved while halted.
TEST(RiskManagerPropertyTest, RandomStreamsNeverExceedALimit) {
  RiskConfig c;  // the blueprint's defaults
  c.max_order_notional = 8'000;
  c.max_sector_exposure_pct = 0.12;
  const std::vector<std::string> tickers{"AAA", "BBB", "CCC", "DDD", "EEE", "FFF"};
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> step(0.0, 0.004);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    RiskManager risk(c, sectors());
    std::map<std::string, double> price;
    std::map<std::string, double> held;
    for (const auto& t : tickers) price[t] = 50.0 + 100.0 * unit(rng);
    double cash = 100'000;
    const auto equity = [&] {
      double e = cash;
      for (const auto& [t, q] : held) e += q * price[t];
      return e;
    };
    // Ten sessions of 78 bars from Monday 2024-11-04.
    const auto sessions = core::NyseCalendar::instance().sessions_between(core::days_from_civil(2024, 11, 4),
                                                                          core::days_from_civil(2024, 11, 15));
    for (const core::Session& s : sessions) {
      for (core::Timestamp ts = s.open + 300'000'000'000; ts <= s.close; ts += 300'000'000'000) {
        for (const auto& t : tickers) {
          price[t] *= std::exp(step(rng) + (unit(rng) < 0.01 ? -0.05 : 0.0));
          risk.on_price(t, ts, price[t]);
        }
        risk.on_equity(ts, equity());
        if (unit(rng) < 0.5) continue;
        const std::string& t = tickers[static_cast<std::size_t>(unit(rng) * tickers.size()) % tickers.size()];
        OrderRequest o = unit(rng) < 0.5 ? buy(t, std::floor(1 + 200 * unit(rng)), price[t], ts)
                                         : sell(t, std::floor(1 + 200 * unit(rng)), price[t], ts);
        if (unit(rng) < 0.05) o.reference_price *= 1.2;  // a fat finger
        std::vector<PositionView> positions;
        for (const auto& [ticker, q] : held) {
          if (q != 0.0) positions.push_back({ticker, q});
        }
        const double before = held[t];
        const double e = equity();
        const RiskLimit halt = risk.halted(ts);
        const RiskDecision d = risk.check_order(o, AccountView{e, positions});
        if (!d.order) continue;
        const double signed_q = sign_of(o.side) * d.order->request().quantity;
        ASSERT_LE(d.order->request().quantity, o.quantity);
        const double after = before + signed_q;
        const bool adds_risk = std::abs(after) > std::abs(before) + 1e-9 || before * after < 0.0;
        if (adds_risk) {
          ASSERT_EQ(halt, RiskLimit::none) << "new risk while halted, seed " << seed;
          ASSERT_LE(std::abs(o.reference_price / price[t] - 1.0), c.price_band_pct + 1e-12);
          const auto session = core::NyseCalendar::instance().session_containing(ts - 1);
          ASSERT_TRUE(session);
          ASSERT_GE(session->close - ts, c.no_trade_before_close_min * core::kNanosPerMinute);
          ASSERT_LE(std::abs(after) * price[t], c.max_position_pct * e + 1e-6) << "seed " << seed;
          const double opened = std::abs(after) - (before * after > 0.0 ? std::abs(before) : 0.0);
          ASSERT_LE(opened * price[t], c.max_order_notional + 1e-6);
          double sector_value = 0.0;
          int open = 0;
          for (const auto& [ticker, q] : held) {
            const double q_after = ticker == t ? after : q;
            if (q_after != 0.0) ++open;
            if (sectors().sector(ticker) == sectors().sector(t)) sector_value += std::abs(q_after) * price[ticker];
          }
          ASSERT_LE(sector_value, c.max_sector_exposure_pct * e + 1e-6) << "seed " << seed;
          ASSERT_LE(open, c.max_positions);
        }
        held[t] = after;
        cash -= signed_q * o.reference_price;
      }
    }
  }
}

}  // namespace
}  // namespace itrade::execution

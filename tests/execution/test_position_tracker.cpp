// The position tracker: cash moves as in evaluation::Portfolio, average cost and realised P&L through
// opens, increases, reductions, closes and flips on both sides, marks and exposures, New York day
// and week anchors, peak and drawdown, reconciliation with the broker, the JSON state round trip and
// input validation. Expected values are computed by hand in the comments.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/time.h"
#include "execution/position_tracker.h"

namespace itrade::execution {
namespace {

using nlohmann::json;

// A UTC instant on a civil date.
core::Timestamp utc(int year, int month, int day, int hour, int minute = 0) {
  return core::start_of_day(core::days_from_civil(year, month, day)) + hour * core::kNanosPerHour +
         minute * core::kNanosPerMinute;
}

const core::Timestamp kT0 = utc(2024, 8, 14, 14);  // Wednesday 10:00 New York

PositionTracker must(core::Result<PositionTracker> result) {
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return std::move(result).value();
}

void expect_ok(const core::Status& status) { EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message); }

// One instant's closes at once mark the book as one set_mark each would; the peak is taken once,
// after all of them; a bad mark changes nothing.
TEST(PositionTrackerTest, SetMarksOfOneInstantEqualMarksOneByOne) {
  PositionTracker together(10'000.0);
  PositionTracker apart(10'000.0);
  for (PositionTracker* t : {&together, &apart}) {
    expect_ok(t->apply_fill("AAPL", OrderSide::buy, 10.0, 100.0, 1.0, kT0));
    expect_ok(t->apply_fill("MSFT", OrderSide::sell, 5.0, 200.0, 1.0, kT0));
  }
  const std::vector<PositionTracker::Mark> marks = {{"AAPL", 120.0}, {"MSFT", 230.0}, {"NVDA", 50.0}};
  expect_ok(together.set_marks(kT0 + 1, marks));
  for (const auto& m : marks) expect_ok(apart.set_mark(m.ticker, m.price, kT0 + 1));
  EXPECT_EQ(together.equity(), apart.equity());
  EXPECT_EQ(together.position("MSFT").mark, 230.0);
  EXPECT_EQ(together.position("NVDA").mark, 50.0);
  // Marked one by one, the book passed through 10,000 - 2 + 200 = 10,198 (AAPL up, MSFT not yet);
  // at once, the peak is the instant's equity only: 9,998 + 200 - 150 = 10,048.
  EXPECT_DOUBLE_EQ(apart.peak_equity(), 10'198.0);
  EXPECT_DOUBLE_EQ(together.peak_equity(), 10'048.0);

  const PositionTracker before = together;
  const std::vector<PositionTracker::Mark> bad = {{"AAPL", 130.0}, {"MSFT", -1.0}};
  EXPECT_FALSE(together.set_marks(kT0 + 2, bad).ok());
  EXPECT_TRUE(together == before);
  EXPECT_FALSE(together.set_marks(kT0, marks).ok());  // earlier than the latest event
  EXPECT_TRUE(together == before);
}

TEST(PositionTrackerTest, StartsFlatWithItsCash) {
  const PositionTracker tracker(10'000.0);
  EXPECT_EQ(tracker.cash(), 10'000.0);
  EXPECT_EQ(tracker.equity(), 10'000.0);
  EXPECT_EQ(tracker.peak_equity(), 10'000.0);
  EXPECT_EQ(tracker.day_start_equity(), 10'000.0);
  EXPECT_EQ(tracker.daily_pnl(), 0.0);
  EXPECT_FALSE(tracker.has_time());
  EXPECT_FALSE(tracker.current_day().has_value());
  EXPECT_TRUE(tracker.open_positions().empty());
  EXPECT_EQ(tracker.position("AAPL").quantity, 0.0);
}

TEST(PositionTrackerTest, LongOpenIncreaseReduceFlip) {
  PositionTracker tracker(10'000.0);
  // Buy 10 @ 100, fee 1: cash 10000 - 1000 - 1 = 8999; average 100.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 10.0, 100.0, 1.0, kT0));
  EXPECT_DOUBLE_EQ(tracker.cash(), 8999.0);
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").quantity, 10.0);
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").average_cost, 100.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 8999.0 + 1000.0);  // no mark yet: valued at average cost
  EXPECT_DOUBLE_EQ(tracker.unrealised_pnl(), 0.0);

  // Buy 30 @ 104, fee 1: cash 8999 - 3120 - 1 = 5878; average (1000 + 3120) / 40 = 103.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 30.0, 104.0, 1.0, kT0 + 1));
  EXPECT_DOUBLE_EQ(tracker.cash(), 5878.0);
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").quantity, 40.0);
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").average_cost, 103.0);

  // Sell 15 @ 110, fee 1: realised 15 x 7 = 105; cash 5878 + 1650 - 1 = 7527; average stays 103.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::sell, 15.0, 110.0, 1.0, kT0 + 2));
  EXPECT_DOUBLE_EQ(tracker.cash(), 7527.0);
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").quantity, 25.0);
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").average_cost, 103.0);
  EXPECT_DOUBLE_EQ(tracker.realised_pnl(), 105.0);
  EXPECT_DOUBLE_EQ(tracker.commissions(), 3.0);
  EXPECT_DOUBLE_EQ(tracker.realised_pnl_net(), 102.0);

  // Mark 108: unrealised 25 x 5 = 125; equity 7527 + 2700 = 10227 = 10000 + 105 - 3 + 125.
  expect_ok(tracker.set_mark("AAPL", 108.0));
  EXPECT_DOUBLE_EQ(tracker.unrealised_pnl(), 125.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 10'227.0);
  EXPECT_DOUBLE_EQ(tracker.gross_exposure(), 2700.0);
  EXPECT_DOUBLE_EQ(tracker.net_exposure(), 2700.0);

  // Sell 40 @ 100, fee 2: closes 25 realising (100 - 103) x 25 = -75, opens 15 short at 100.
  // Cash 7527 + 4000 - 2 = 11525; equity 11525 - 15 x 108 = 9905 = 10000 + 30 - 5 - 120.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::sell, 40.0, 100.0, 2.0, kT0 + 3));
  const TrackedPosition aapl = tracker.position("AAPL");
  EXPECT_DOUBLE_EQ(aapl.quantity, -15.0);
  EXPECT_DOUBLE_EQ(aapl.average_cost, 100.0);
  EXPECT_DOUBLE_EQ(aapl.mark, 108.0);
  EXPECT_TRUE(aapl.marked);
  EXPECT_DOUBLE_EQ(aapl.realised_pnl, 30.0);
  EXPECT_DOUBLE_EQ(aapl.commissions, 5.0);
  EXPECT_DOUBLE_EQ(aapl.unrealised_pnl, -120.0);
  EXPECT_DOUBLE_EQ(tracker.cash(), 11'525.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 9905.0);
  EXPECT_DOUBLE_EQ(tracker.gross_exposure(), 1620.0);
  EXPECT_DOUBLE_EQ(tracker.net_exposure(), -1620.0);

  // Buy 15 @ 95, fee 0: closes the short, realising (95 - 100) x 15 x -1 = 75. Flat.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 15.0, 95.0, 0.0, kT0 + 4));
  EXPECT_EQ(tracker.position("AAPL").quantity, 0.0);
  EXPECT_EQ(tracker.position("AAPL").average_cost, 0.0);
  EXPECT_FALSE(tracker.position("AAPL").open());
  EXPECT_DOUBLE_EQ(tracker.realised_pnl(), 105.0);
  EXPECT_DOUBLE_EQ(tracker.cash(), 11'525.0 - 1425.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 10'000.0 + 105.0 - 5.0);
  EXPECT_TRUE(tracker.open_positions().empty());
  ASSERT_EQ(tracker.all_positions().size(), 1u);  // the flat ticker keeps its history
}

TEST(PositionTrackerTest, ShortOpenIncreaseReduceCloseFlip) {
  PositionTracker tracker(1000.0);
  // Sell 5 @ 40, fee 0.5: proceeds credited, no margin: cash 1199.5.
  expect_ok(tracker.apply_fill("MSFT", OrderSide::sell, 5.0, 40.0, 0.5, kT0));
  EXPECT_DOUBLE_EQ(tracker.cash(), 1199.5);
  EXPECT_DOUBLE_EQ(tracker.position("MSFT").quantity, -5.0);
  // Sell 5 @ 44: average (200 + 220) / 10 = 42; cash 1199.5 + 220 - 0.5 = 1419.
  expect_ok(tracker.apply_fill("MSFT", OrderSide::sell, 5.0, 44.0, 0.5, kT0));
  EXPECT_DOUBLE_EQ(tracker.position("MSFT").average_cost, 42.0);
  EXPECT_DOUBLE_EQ(tracker.cash(), 1419.0);
  // Buy 4 @ 38: a short gains when the price falls: (38 - 42) x 4 x -1 = 16.
  expect_ok(tracker.apply_fill("MSFT", OrderSide::buy, 4.0, 38.0, 0.5, kT0));
  EXPECT_DOUBLE_EQ(tracker.position("MSFT").quantity, -6.0);
  EXPECT_DOUBLE_EQ(tracker.position("MSFT").average_cost, 42.0);
  EXPECT_DOUBLE_EQ(tracker.realised_pnl(), 16.0);
  EXPECT_DOUBLE_EQ(tracker.cash(), 1266.5);
  // Mark 41: unrealised -6 x (41 - 42) = 6.
  expect_ok(tracker.set_mark("MSFT", 41.0));
  EXPECT_DOUBLE_EQ(tracker.unrealised_pnl(), 6.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 1266.5 - 246.0);
  // Buy 6 @ 45 closes: (45 - 42) x 6 x -1 = -18; realised 16 - 18 = -2; cash 1266.5 - 270 - 0.5 = 996.
  expect_ok(tracker.apply_fill("MSFT", OrderSide::buy, 6.0, 45.0, 0.5, kT0));
  EXPECT_EQ(tracker.position("MSFT").quantity, 0.0);
  EXPECT_DOUBLE_EQ(tracker.realised_pnl(), -2.0);
  EXPECT_DOUBLE_EQ(tracker.commissions(), 2.0);
  EXPECT_DOUBLE_EQ(tracker.cash(), 996.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 1000.0 - 2.0 - 2.0);

  // Short 5 @ 40 again, then buy 8 @ 36: closes 5 realising (36 - 40) x 5 x -1 = 20, opens 3 long at 36.
  expect_ok(tracker.apply_fill("MSFT", OrderSide::sell, 5.0, 40.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("MSFT", OrderSide::buy, 8.0, 36.0, 0.0, kT0));
  EXPECT_DOUBLE_EQ(tracker.position("MSFT").quantity, 3.0);
  EXPECT_DOUBLE_EQ(tracker.position("MSFT").average_cost, 36.0);
  EXPECT_DOUBLE_EQ(tracker.position("MSFT").realised_pnl, 18.0);
  EXPECT_DOUBLE_EQ(tracker.cash(), 996.0 + 200.0 - 288.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 1000.0 + 18.0 - 2.0 + 3.0 * (41.0 - 36.0));
}

TEST(PositionTrackerTest, CommissionsPerTickerAndInTotal) {
  PositionTracker tracker(5000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 1.0, 100.0, 1.25, kT0));
  expect_ok(tracker.apply_fill("MSFT", OrderSide::sell, 2.0, 50.0, 0.75, kT0));
  expect_ok(tracker.apply_fill("AAPL", OrderSide::sell, 1.0, 100.0, 1.0, kT0));
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").commissions, 2.25);
  EXPECT_DOUBLE_EQ(tracker.position("MSFT").commissions, 0.75);
  EXPECT_DOUBLE_EQ(tracker.commissions(), 3.0);
  EXPECT_DOUBLE_EQ(tracker.realised_pnl(), 0.0);  // commissions are not in realised P&L
  EXPECT_DOUBLE_EQ(tracker.realised_pnl_net(), -3.0);
  EXPECT_DOUBLE_EQ(tracker.cash(), 5000.0 - 101.25 + 99.25 + 99.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 5000.0 - 3.0);
}

TEST(PositionTrackerTest, MarksValueTheBookAndAverageCostStandsInBeforeTheFirst) {
  PositionTracker tracker(10'000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 10.0, 100.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("MSFT", OrderSide::sell, 20.0, 50.0, 0.0, kT0));
  // No marks: both at their average cost.
  TrackedPosition msft = tracker.position("MSFT");
  EXPECT_FALSE(msft.marked);
  EXPECT_DOUBLE_EQ(msft.mark, 50.0);
  EXPECT_DOUBLE_EQ(msft.unrealised_pnl, 0.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 10'000.0);
  EXPECT_DOUBLE_EQ(tracker.gross_exposure(), 2000.0);
  EXPECT_DOUBLE_EQ(tracker.net_exposure(), 0.0);

  expect_ok(tracker.set_mark("AAPL", 110.0));
  expect_ok(tracker.set_mark("MSFT", 45.0));
  expect_ok(tracker.set_mark("GOOG", 150.0));  // a ticker not held: no effect on value
  EXPECT_DOUBLE_EQ(tracker.unrealised_pnl(), 100.0 + 100.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 10'200.0);
  EXPECT_DOUBLE_EQ(tracker.gross_exposure(), 1100.0 + 900.0);
  EXPECT_DOUBLE_EQ(tracker.net_exposure(), 1100.0 - 900.0);

  // A fill does not move the mark (as in evaluation::Portfolio): buying 10 more at 120 with the
  // mark at 110 costs 100 of equity at once.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 10.0, 120.0, 0.0, kT0));
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").mark, 110.0);
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").average_cost, 110.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 10'100.0);

  const std::vector<TrackedPosition> open = tracker.open_positions();
  ASSERT_EQ(open.size(), 2u);  // GOOG is marked but not held
  EXPECT_EQ(open[0].ticker, "AAPL");
  EXPECT_DOUBLE_EQ(open[0].quantity, 20.0);
  EXPECT_DOUBLE_EQ(open[0].average_cost, 110.0);
  EXPECT_DOUBLE_EQ(open[0].mark, 110.0);
  EXPECT_EQ(open[1].ticker, "MSFT");
  EXPECT_DOUBLE_EQ(open[1].quantity, -20.0);
  EXPECT_DOUBLE_EQ(open[1].mark, 45.0);
  EXPECT_EQ(tracker.all_positions().size(), 3u);
}

TEST(PositionTrackerTest, NearlyFlatIsFlat) {
  PositionTracker tracker(1000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 0.3, 10.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 0.6, 10.0, 0.0, kT0));
  // 0.3 + 0.6 = 0.8999999999999999 in binary: selling 0.9 leaves -1e-16, which is flat.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::sell, 0.9, 10.0, 0.0, kT0));
  EXPECT_EQ(tracker.position("AAPL").quantity, 0.0);
  EXPECT_EQ(tracker.position("AAPL").average_cost, 0.0);
  EXPECT_TRUE(tracker.open_positions().empty());
  // 1e-9 past the position is a real (tiny) flip.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 1.0, 10.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("AAPL", OrderSide::sell, 1.0 + 2e-9, 12.0, 0.0, kT0));
  EXPECT_LT(tracker.position("AAPL").quantity, 0.0);
  EXPECT_DOUBLE_EQ(tracker.position("AAPL").average_cost, 12.0);
}

TEST(PositionTrackerTest, DayAnchorsFollowTheNewYorkDate) {
  PositionTracker tracker(10'000.0);
  // Thursday 2024-08-15 10:00 New York: the first event anchors day and week at 10000.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 10.0, 100.0, 0.0, utc(2024, 8, 15, 14)));
  EXPECT_EQ(tracker.current_day(), core::days_from_civil(2024, 8, 15));
  EXPECT_EQ(tracker.current_week(), core::days_from_civil(2024, 8, 12));  // Monday
  EXPECT_DOUBLE_EQ(tracker.day_start_equity(), 10'000.0);
  EXPECT_DOUBLE_EQ(tracker.week_start_equity(), 10'000.0);
  expect_ok(tracker.set_mark("AAPL", 105.0));
  EXPECT_DOUBLE_EQ(tracker.daily_pnl(), 50.0);
  EXPECT_DOUBLE_EQ(tracker.weekly_pnl(), 50.0);

  // 2024-08-16T01:00Z is still Thursday (21:00) in New York: no new day.
  expect_ok(tracker.mark_time(utc(2024, 8, 16, 1)));
  EXPECT_EQ(tracker.current_day(), core::days_from_civil(2024, 8, 15));
  EXPECT_DOUBLE_EQ(tracker.day_start_equity(), 10'000.0);

  // Friday 09:35 New York: the day starts at the equity before this event (10050); same week.
  expect_ok(tracker.mark_time(utc(2024, 8, 16, 13, 35)));
  EXPECT_EQ(tracker.current_day(), core::days_from_civil(2024, 8, 16));
  EXPECT_DOUBLE_EQ(tracker.day_start_equity(), 10'050.0);
  EXPECT_DOUBLE_EQ(tracker.week_start_equity(), 10'000.0);
  expect_ok(tracker.set_mark("AAPL", 103.0));
  EXPECT_DOUBLE_EQ(tracker.daily_pnl(), -20.0);
  EXPECT_DOUBLE_EQ(tracker.weekly_pnl(), 30.0);
}

TEST(PositionTrackerTest, FridayToMondayRollsDayAndWeek) {
  PositionTracker tracker(10'000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 10.0, 100.0, 0.0, utc(2024, 8, 16, 14)));  // Fri
  expect_ok(tracker.set_mark("AAPL", 104.0, utc(2024, 8, 16, 19, 55)));
  EXPECT_DOUBLE_EQ(tracker.daily_pnl(), 40.0);
  EXPECT_DOUBLE_EQ(tracker.weekly_pnl(), 40.0);
  // Saturday 2024-08-17T02:00Z is Friday 22:00 in New York.
  expect_ok(tracker.set_mark("AAPL", 104.5, utc(2024, 8, 17, 2)));
  EXPECT_EQ(tracker.current_day(), core::days_from_civil(2024, 8, 16));
  EXPECT_DOUBLE_EQ(tracker.daily_pnl(), 45.0);

  // Monday 2024-08-19 09:30 New York: a fill is the first event; both anchors take the equity
  // just before it (10045). Sell 10 @ 110, fee 1: cash 10000 - 1000 + 1100 - 1 = 10099.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::sell, 10.0, 110.0, 1.0, utc(2024, 8, 19, 13, 30)));
  EXPECT_EQ(tracker.current_day(), core::days_from_civil(2024, 8, 19));
  EXPECT_EQ(tracker.current_week(), core::days_from_civil(2024, 8, 19));
  EXPECT_DOUBLE_EQ(tracker.day_start_equity(), 10'045.0);
  EXPECT_DOUBLE_EQ(tracker.week_start_equity(), 10'045.0);
  EXPECT_DOUBLE_EQ(tracker.equity(), 10'099.0);
  EXPECT_DOUBLE_EQ(tracker.daily_pnl(), 54.0);
  EXPECT_DOUBLE_EQ(tracker.weekly_pnl(), 54.0);

  // Tuesday: a new day, the same week.
  expect_ok(tracker.mark_time(utc(2024, 8, 20, 13, 30)));
  EXPECT_DOUBLE_EQ(tracker.day_start_equity(), 10'099.0);
  EXPECT_DOUBLE_EQ(tracker.week_start_equity(), 10'045.0);
  EXPECT_DOUBLE_EQ(tracker.daily_pnl(), 0.0);
}

TEST(PositionTrackerTest, WeekRollsOverAHolidayMonday) {
  // Friday 2024-08-30, then Tuesday 2024-09-03 (Monday 09-02 is Labor Day): a new week all the same.
  PositionTracker tracker(1000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 1.0, 100.0, 0.0, utc(2024, 8, 30, 14)));
  expect_ok(tracker.set_mark("AAPL", 90.0));
  expect_ok(tracker.mark_time(utc(2024, 9, 3, 14)));
  EXPECT_EQ(tracker.current_week(), core::days_from_civil(2024, 9, 2));
  EXPECT_DOUBLE_EQ(tracker.week_start_equity(), 990.0);
  EXPECT_DOUBLE_EQ(tracker.day_start_equity(), 990.0);
}

TEST(PositionTrackerTest, PeakAndDrawdown) {
  PositionTracker tracker(1000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 10.0, 100.0, 0.0, kT0));
  EXPECT_DOUBLE_EQ(tracker.peak_equity(), 1000.0);
  expect_ok(tracker.set_mark("AAPL", 120.0));
  EXPECT_DOUBLE_EQ(tracker.peak_equity(), 1200.0);
  EXPECT_DOUBLE_EQ(tracker.drawdown(), 0.0);
  expect_ok(tracker.set_mark("AAPL", 90.0));
  EXPECT_DOUBLE_EQ(tracker.peak_equity(), 1200.0);
  EXPECT_DOUBLE_EQ(tracker.drawdown(), 300.0);
  EXPECT_DOUBLE_EQ(tracker.drawdown_fraction(), 0.25);
  // Selling above the mark raises equity without a mark: the peak follows every event.
  expect_ok(tracker.apply_fill("AAPL", OrderSide::sell, 10.0, 130.0, 0.0, kT0));
  EXPECT_DOUBLE_EQ(tracker.equity(), 1300.0);
  EXPECT_DOUBLE_EQ(tracker.peak_equity(), 1300.0);
  EXPECT_DOUBLE_EQ(tracker.drawdown(), 0.0);
}

TEST(PositionTrackerTest, EarlierTimestampIsAnInputErrorAndChangesNothing) {
  PositionTracker tracker(1000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 1.0, 100.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 1.0, 100.0, 0.0, kT0));  // equal ts is fine
  const PositionTracker before = tracker;

  const core::Status fill = tracker.apply_fill("AAPL", OrderSide::buy, 1.0, 100.0, 0.0, kT0 - 1);
  ASSERT_FALSE(fill.ok());
  EXPECT_EQ(fill.error().kind, core::ErrorKind::input);
  EXPECT_NE(fill.error().message.find("earlier"), std::string::npos) << fill.error().message;
  const core::Status time = tracker.mark_time(kT0 - core::kNanosPerDay);
  ASSERT_FALSE(time.ok());
  EXPECT_EQ(time.error().kind, core::ErrorKind::input);
  const core::Status mark = tracker.set_mark("AAPL", 200.0, kT0 - 1);
  ASSERT_FALSE(mark.ok());
  EXPECT_EQ(tracker, before);
}

TEST(PositionTrackerTest, BadInputsAreInputErrorsAndChangeNothing) {
  PositionTracker tracker(1000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 1.0, 100.0, 0.5, kT0));
  expect_ok(tracker.set_mark("AAPL", 101.0));
  const PositionTracker before = tracker;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const core::Timestamp later = kT0 + core::kNanosPerDay * 3;  // would roll the day if accepted

  const std::vector<core::Status> rejected = {
      tracker.apply_fill("AAPL", OrderSide::buy, 0.0, 100.0, 0.0, later),
      tracker.apply_fill("AAPL", OrderSide::buy, -1.0, 100.0, 0.0, later),
      tracker.apply_fill("AAPL", OrderSide::buy, nan, 100.0, 0.0, later),
      tracker.apply_fill("AAPL", OrderSide::buy, inf, 100.0, 0.0, later),
      tracker.apply_fill("AAPL", OrderSide::sell, 1.0, 0.0, 0.0, later),
      tracker.apply_fill("AAPL", OrderSide::sell, 1.0, -5.0, 0.0, later),
      tracker.apply_fill("AAPL", OrderSide::sell, 1.0, nan, 0.0, later),
      tracker.apply_fill("AAPL", OrderSide::sell, 1.0, inf, 0.0, later),
      tracker.apply_fill("AAPL", OrderSide::sell, 1.0, 100.0, -0.01, later),
      tracker.apply_fill("AAPL", OrderSide::sell, 1.0, 100.0, nan, later),
      tracker.apply_fill("AAPL", OrderSide::sell, 1.0, 100.0, inf, later),
      tracker.apply_fill("", OrderSide::sell, 1.0, 100.0, 0.0, later),
      tracker.set_mark("AAPL", 0.0),
      tracker.set_mark("AAPL", -1.0),
      tracker.set_mark("AAPL", nan),
      tracker.set_mark("AAPL", inf),
      tracker.set_mark("AAPL", nan, later),
      tracker.set_mark("", 10.0),
  };
  for (std::size_t i = 0; i < rejected.size(); ++i) {
    ASSERT_FALSE(rejected[i].ok()) << "case " << i;
    EXPECT_EQ(rejected[i].error().kind, core::ErrorKind::input) << "case " << i;
  }
  EXPECT_EQ(tracker, before);
  EXPECT_EQ(tracker.last_ts(), kT0);
}

TEST(PositionTrackerTest, ReconcileAgreesWithinTolerance) {
  PositionTracker tracker(10'000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 10.0, 100.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("MSFT", OrderSide::sell, 5.0, 50.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("GOOG", OrderSide::buy, 1.0, 150.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("GOOG", OrderSide::sell, 1.0, 150.0, 0.0, kT0));  // flat: nothing to report
  const std::vector<BrokerPosition> broker = {
      {"MSFT", -5.0 + 5e-7, 50.01},  // within 1e-6 shares; average costs are not compared
      {"AAPL", 6.0, std::nullopt},
      {"AAPL", 4.0, std::nullopt},  // lots of one ticker are summed
      {"TSLA", 0.0, std::nullopt},  // a flat line at the broker is no position
  };
  EXPECT_TRUE(tracker.reconcile(broker).empty());
  EXPECT_TRUE(tracker.reconcile(std::map<std::string, double>{{"AAPL", 10.0}, {"MSFT", -5.0}}).empty());
  EXPECT_TRUE(PositionTracker(0.0).reconcile(std::vector<BrokerPosition>{}).empty());
}

TEST(PositionTrackerTest, ReconcileReportsEachKindOfDifferenceWithoutChangingTheBook) {
  PositionTracker tracker(10'000.0);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 10.0, 100.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("MSFT", OrderSide::sell, 5.0, 50.0, 0.0, kT0));
  expect_ok(tracker.apply_fill("NVDA", OrderSide::buy, 3.0, 120.0, 0.0, kT0));
  const PositionTracker before = tracker;
  const std::vector<BrokerPosition> broker = {
      {"AAPL", 10.0, 100.0},
      {"MSFT", 5.0, 50.0},       // the sign differs
      {"AMZN", -2.0, 180.0},     // unknown here
      {"NVDA", 3.00001, 120.0},  // 1e-5 shares apart: beyond the tolerance
  };
  const std::vector<PositionDifference> differences = tracker.reconcile(broker);
  ASSERT_EQ(differences.size(), 3u);
  EXPECT_EQ(differences[0].ticker, "AMZN");
  EXPECT_EQ(differences[0].kind, PositionDifference::Kind::missing_here);
  EXPECT_EQ(differences[0].ours, 0.0);
  EXPECT_EQ(differences[0].theirs, -2.0);
  EXPECT_EQ(differences[0].their_average_cost, 180.0);
  EXPECT_EQ(differences[1].ticker, "MSFT");
  EXPECT_EQ(differences[1].kind, PositionDifference::Kind::quantity_differs);
  EXPECT_EQ(differences[1].ours, -5.0);
  EXPECT_EQ(differences[1].theirs, 5.0);
  EXPECT_EQ(differences[1].our_average_cost, 50.0);
  EXPECT_EQ(differences[2].ticker, "NVDA");
  EXPECT_EQ(differences[2].kind, PositionDifference::Kind::quantity_differs);

  const std::vector<PositionDifference> missing = tracker.reconcile(std::map<std::string, double>{{"AAPL", 10.0}});
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0].ticker, "MSFT");
  EXPECT_EQ(missing[0].kind, PositionDifference::Kind::missing_at_broker);
  EXPECT_EQ(missing[0].theirs, 0.0);
  EXPECT_FALSE(missing[0].their_average_cost.has_value());
  EXPECT_EQ(missing[1].ticker, "NVDA");
  EXPECT_EQ(missing[1].kind, PositionDifference::Kind::missing_at_broker);
  EXPECT_EQ(difference_kind_name(missing[1].kind), "missing_at_broker");

  EXPECT_EQ(tracker, before);
}

PositionTracker busy_tracker() {
  // Awkward doubles everywhere: thirds, tenths, tiny and large magnitudes.
  PositionTracker tracker(0.1 + 0.2);
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 1.0 / 3.0, 100.0 / 7.0, 0.1, utc(2024, 8, 15, 14)));
  expect_ok(tracker.apply_fill("AAPL", OrderSide::buy, 2.0 / 3.0, 99.9, 1e-7, utc(2024, 8, 15, 15)));
  expect_ok(tracker.set_mark("AAPL", 101.0 / 3.0));
  expect_ok(tracker.apply_fill("MSFT", OrderSide::sell, 1234.5678, 1e-3, 0.0, utc(2024, 8, 16, 14)));
  expect_ok(tracker.apply_fill("GOOG", OrderSide::buy, 1e-8, 2.5e6, 0.0, utc(2024, 8, 16, 15)));
  expect_ok(tracker.apply_fill("GOOG", OrderSide::sell, 1e-8, 2.6e6, 0.0, utc(2024, 8, 16, 15)));
  expect_ok(tracker.set_mark("MSFT", 0.0011, utc(2024, 8, 16, 19)));
  return tracker;
}

TEST(PositionTrackerTest, JsonRoundTripIsExactAndContinuesIdentically) {
  PositionTracker original = busy_tracker();
  const std::string text = original.to_json().dump();
  PositionTracker restored = must(PositionTracker::from_json(json::parse(text)));
  EXPECT_EQ(restored, original);
  EXPECT_EQ(restored.to_json(), original.to_json());
  EXPECT_EQ(restored.day_start_equity(), original.day_start_equity());
  EXPECT_EQ(restored.week_start_equity(), original.week_start_equity());
  EXPECT_EQ(restored.peak_equity(), original.peak_equity());
  EXPECT_EQ(restored.last_ts(), original.last_ts());
  EXPECT_EQ(std::bit_cast<std::uint64_t>(restored.equity()), std::bit_cast<std::uint64_t>(original.equity()));

  // The same events on both, across a week boundary: the same book, bit for bit.
  for (PositionTracker* tracker : {&original, &restored}) {
    expect_ok(tracker->mark_time(utc(2024, 8, 19, 13, 30)));
    expect_ok(tracker->set_mark("AAPL", 30.5));
    expect_ok(tracker->apply_fill("AAPL", OrderSide::sell, 2.0, 31.0 / 3.0, 0.3, utc(2024, 8, 19, 14)));
    expect_ok(tracker->set_mark("AAPL", 10.0, utc(2024, 8, 20, 14)));
  }
  EXPECT_EQ(restored, original);
  EXPECT_EQ(restored.to_json().dump(), original.to_json().dump());

  // A tracker that has seen no time yet round-trips too.
  const PositionTracker fresh(1e6);
  EXPECT_EQ(must(PositionTracker::from_json(json::parse(fresh.to_json().dump()))), fresh);
}

TEST(PositionTrackerTest, JsonDoublesRoundTripBitExactly) {
  // The persistence relies on nlohmann::json printing doubles with enough digits to read back the
  // same bits; check it on random bit patterns, subnormals and the extremes included.
  std::mt19937_64 random(20240816);
  std::vector<double> values = {0.1,
                                1.0 / 3.0,
                                -0.0,
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::denorm_min(),
                                std::numeric_limits<double>::max(),
                                -std::numeric_limits<double>::max(),
                                std::nextafter(1.0, 2.0)};
  while (values.size() < 20'000) {
    const double value = std::bit_cast<double>(random());
    if (std::isfinite(value)) values.push_back(value);
  }
  const json document = values;
  const json parsed = json::parse(document.dump());
  ASSERT_EQ(parsed.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(parsed[i].get<double>()), std::bit_cast<std::uint64_t>(values[i]))
        << values[i];
  }
}

TEST(PositionTrackerTest, MalformedStateIsAnInputErrorNamingTheKey) {
  const json good = busy_tracker().to_json();
  ASSERT_TRUE(PositionTracker::from_json(good).ok());

  const auto error_of = [](const json& state) {
    const core::Result<PositionTracker> result = PositionTracker::from_json(state);
    EXPECT_FALSE(result.ok());
    if (result.ok()) return std::string();
    EXPECT_EQ(result.error().kind, core::ErrorKind::input);
    return result.error().message;
  };
  const auto mentions = [](const std::string& message, const std::string& key) {
    return message.find(key) != std::string::npos;
  };

  EXPECT_TRUE(mentions(error_of(json::array()), "object"));
  json state = good;
  state.erase("cash");
  EXPECT_TRUE(mentions(error_of(state), "'cash'"));
  state = good;
  state["format"] = "something-else";
  EXPECT_TRUE(mentions(error_of(state), "'format'"));
  state = good;
  state["version"] = 2;
  EXPECT_TRUE(mentions(error_of(state), "'version'"));
  state = good;
  state["peak_equity"] = "high";
  EXPECT_TRUE(mentions(error_of(state), "'peak_equity'"));
  state = good;
  state["last_ts"] = 1.5;
  EXPECT_TRUE(mentions(error_of(state), "'last_ts'"));
  state = good;
  state["tickers"] = json::object();
  EXPECT_TRUE(mentions(error_of(state), "'tickers'"));
  state = good;
  state["tickers"][1]["quantity"] = "many";
  EXPECT_TRUE(mentions(error_of(state), "'tickers[1].quantity'"));
  state = good;
  state["tickers"][0].erase("mark");
  EXPECT_TRUE(mentions(error_of(state), "'tickers[0].mark'"));
  state = good;
  state["tickers"][0]["mark"] = -1.0;
  EXPECT_TRUE(mentions(error_of(state), "'tickers[0].mark'"));
  state = good;
  state["tickers"][2]["ticker"] = "";
  EXPECT_TRUE(mentions(error_of(state), "'tickers[2].ticker'"));
  state = good;
  state["tickers"][2]["ticker"] = state["tickers"][0]["ticker"];
  EXPECT_TRUE(mentions(error_of(state), "twice"));
}

// Random fills (opens, increases, reductions, exact closes, flips) and marks on a few tickers. After
// every event the accounting identity holds, and the cash equals a replay of the fills through
// evaluation::Portfolio's cash arithmetic (bit for bit: the same operations in the same order).
TEST(PositionTrackerTest, RandomFillsKeepTheAccountingIdentity) {
  const std::vector<std::string> tickers = {"AAPL", "AMZN", "MSFT", "NVDA"};
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double initial_cash = 100'000.0;
  PositionTracker tracker(initial_cash);
  std::optional<PositionTracker> restored;  // a copy through JSON half-way, fed the same events
  double portfolio_cash = initial_cash;
  std::map<std::string, double> quantities;  // plain signed sums, for reconcile
  core::Timestamp ts = utc(2024, 8, 12, 13, 30);

  const auto check_identity = [&](const PositionTracker& book) {
    const double lhs = book.equity();
    const double rhs = book.initial_cash() + book.realised_pnl() - book.commissions() + book.unrealised_pnl();
    ASSERT_NEAR(lhs, rhs, 1e-6 * std::max(std::abs(lhs), 1.0));
    double realised = 0.0;
    double commissions = 0.0;
    for (const TrackedPosition& position : book.all_positions()) {
      realised += position.realised_pnl;
      commissions += position.commissions;
    }
    ASSERT_NEAR(realised, book.realised_pnl(), 1e-6 * std::max(std::abs(realised), 1.0));
    ASSERT_NEAR(commissions, book.commissions(), 1e-9 * std::max(commissions, 1.0));
    ASSERT_GE(book.drawdown(), 0.0);
  };

  for (int step = 0; step < 5000; ++step) {
    if (step == 2500) restored = must(PositionTracker::from_json(json::parse(tracker.to_json().dump())));
    ts += static_cast<core::Timestamp>(unit(random) * 6.0 * core::kNanosPerHour);
    const std::string& ticker = tickers[static_cast<std::size_t>(unit(random) * 4.0)];
    const double held = tracker.position(ticker).quantity;
    const double choice = unit(random);
    if (choice < 0.3) {
      const double price = 10.0 + 190.0 * unit(random);
      expect_ok(tracker.set_mark(ticker, price, ts));
      if (restored) expect_ok(restored->set_mark(ticker, price, ts));
    } else {
      double quantity = std::round((1.0 + 99.0 * unit(random)) * 1000.0) / 1000.0;
      OrderSide side = unit(random) < 0.5 ? OrderSide::buy : OrderSide::sell;
      if (held != 0.0 && choice < 0.45) {  // exactly close
        quantity = std::abs(held);
        side = held > 0.0 ? OrderSide::sell : OrderSide::buy;
      } else if (held != 0.0 && choice < 0.55) {  // flip
        quantity = std::abs(held) + quantity;
        side = held > 0.0 ? OrderSide::sell : OrderSide::buy;
      }
      const double price = 10.0 + 190.0 * unit(random);
      const double commission = unit(random) < 0.2 ? 0.0 : 0.005 * quantity;
      expect_ok(tracker.apply_fill(ticker, side, quantity, price, commission, ts));
      if (restored) expect_ok(restored->apply_fill(ticker, side, quantity, price, commission, ts));
      if (side == OrderSide::buy) {
        portfolio_cash -= quantity * price + commission;
      } else {
        portfolio_cash += quantity * price - commission;
      }
      quantities[ticker] += sign_of(side) * quantity;
    }
    ASSERT_EQ(std::bit_cast<std::uint64_t>(tracker.cash()), std::bit_cast<std::uint64_t>(portfolio_cash))
        << "step " << step;
    check_identity(tracker);
    if (::testing::Test::HasFatalFailure()) return;
  }
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(*restored, tracker);
  // The plain sums of signed fill quantities agree with the book to well within the tolerance.
  EXPECT_TRUE(tracker.reconcile(quantities).empty());
  EXPECT_GT(tracker.realised_pnl(), -initial_cash);  // sanity: something happened
  EXPECT_GT(tracker.commissions(), 0.0);
}

}  // namespace
}  // namespace itrade::execution

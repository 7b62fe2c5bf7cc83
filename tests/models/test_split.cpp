// Chronological split: whole days per set, the same instants for every ticker, purged boundaries.

#include <gtest/gtest.h>

#include "core/nyse_calendar.h"
#include "models/split.h"

namespace itrade::models {
namespace {

// Two tickers, 10 trading days from 2025-03-03, 4 bars a day, label = day index.
Dataset ten_days() {
  const auto& calendar = core::NyseCalendar::instance();
  Dataset data;
  data.feature_names = {"f"};
  data.tickers = {"A", "B"};
  for (int ticker = 0; ticker < 2; ++ticker) {
    core::DayNumber day = core::days_from_civil(2025, 3, 3);
    for (int d = 0; d < 10; ++d) {
      const auto session = calendar.session(day);
      for (int b = 0; b < 4; ++b) {
        data.features.push_back(static_cast<float>(d));
        data.labels.push_back(static_cast<float>(b % 3));
        data.ticker_of_row.push_back(ticker);
        data.ts.push_back(session->open + b * 300'000'000'000LL);
      }
      day = calendar.next_session(day)->day;
    }
  }
  return data;
}

TEST(SplitTest, WholeDaysInOrderWithPurging) {
  auto sets = chronological_split(ten_days(), 0.6, 0.2, 0.2, 2);
  ASSERT_TRUE(sets.ok()) << sets.error().message;
  // Days 0-5 train, 6-7 validation, 8-9 test; 2 rows purged per ticker at each boundary.
  EXPECT_EQ(sets->train.rows(), 2u * (6 * 4 - 2));
  EXPECT_EQ(sets->validation.rows(), 2u * (2 * 4 - 2));
  EXPECT_EQ(sets->test.rows(), 2u * (2 * 4));
  EXPECT_EQ(sets->purged, 8u);
  const auto& calendar = core::NyseCalendar::instance();
  for (std::size_t r = 0; r < sets->train.rows(); ++r) {
    EXPECT_LT(calendar.new_york_day(sets->train.ts[r]), sets->validation_first_day);
  }
  for (std::size_t r = 0; r < sets->test.rows(); ++r) {
    EXPECT_GE(calendar.new_york_day(sets->test.ts[r]), sets->test_first_day);
  }
  // The last training row of each ticker is 2 bars before the end of day 5.
  EXPECT_EQ(sets->train.features[sets->train.rows() / 2 - 1], 5.0f);
}

TEST(SplitTest, BadFractionsAndTooLittleData) {
  EXPECT_FALSE(chronological_split(ten_days(), 0.6, 0.3, 0.2, 0).ok());
  EXPECT_FALSE(chronological_split(ten_days(), 0.0, 0.5, 0.5, 0).ok());
  Dataset one_day = ten_days();
  one_day.features.resize(4);
  one_day.labels.resize(4);
  one_day.ticker_of_row.resize(4);
  one_day.ts.resize(4);
  EXPECT_FALSE(chronological_split(one_day, 0.6, 0.2, 0.2, 0).ok());
}

}  // namespace
}  // namespace itrade::models

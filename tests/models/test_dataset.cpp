// slice_rows keeps the columns a data set has and leaves absent ones absent.

#include <gtest/gtest.h>

#include "models/dataset.h"

namespace itrade::models {
namespace {

TEST(DatasetTest, SliceRowsCopiesPresentColumnsAndLeavesAbsentOnesEmpty) {
  Dataset data;
  data.feature_names = {"a", "b"};
  data.features = {1, 2, 3, 4, 5, 6, 7, 8};
  data.labels = {0, 1, 2, 1};
  const Dataset middle = slice_rows(data, 1, 3);
  EXPECT_EQ(middle.features, (std::vector<float>{3, 4, 5, 6}));
  EXPECT_EQ(middle.labels, (std::vector<float>{1, 2}));
  EXPECT_TRUE(middle.outcomes.empty());
  EXPECT_TRUE(middle.ts.empty());
  EXPECT_TRUE(middle.ticker_of_row.empty());
  data.ts = {10, 20, 30, 40};
  data.ticker_of_row = {0, 0, 1, 1};
  const Dataset tail = slice_rows(data, 2, 4);
  EXPECT_EQ(tail.ts, (std::vector<core::Timestamp>{30, 40}));
  EXPECT_EQ(tail.ticker_of_row, (std::vector<int>{1, 1}));
  EXPECT_EQ(slice_rows(data, 4, 4).rows(), 0u);
}

}  // namespace
}  // namespace itrade::models

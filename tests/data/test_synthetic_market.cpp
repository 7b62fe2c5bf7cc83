#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/nyse_calendar.h"
#include "data/synthetic_market.h"

namespace itrade::data {
namespace {

namespace fs = std::filesystem;

const core::NyseCalendar& calendar() { return core::NyseCalendar::instance(); }

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

bool same_frame(const core::BarFrame& a, const core::BarFrame& b) {
  if (a.series.size() != b.series.size()) return false;
  for (std::size_t i = 0; i < a.series.size(); ++i) {
    const auto& x = a.series[i];
    const auto& y = b.series[i];
    if (x.ticker != y.ticker || x.ts != y.ts || !same_bits(x.open, y.open) || !same_bits(x.high, y.high) ||
        !same_bits(x.low, y.low) || !same_bits(x.close, y.close) || !same_bits(x.volume, y.volume)) {
      return false;
    }
  }
  return true;
}

SynthOptions options_of(int tickers, int days, std::uint64_t seed = 7) {
  SynthOptions options;
  options.tickers = tickers;
  options.days = days;
  options.seed = seed;
  options.first_day = core::days_from_civil(2024, 1, 2);
  return options;
}

// A large-ish sample for the statistical tests, generated once.
const core::BarFrame& statistics_sample() {
  static const core::BarFrame frame = generate_synthetic_market(options_of(20, 120));
  return frame;
}

TEST(SyntheticMarket, SameSeedGivesIdenticalBars) {
  const auto a = generate_synthetic_market(options_of(3, 10, 11));
  const auto b = generate_synthetic_market(options_of(3, 10, 11));
  EXPECT_TRUE(same_frame(a, b));
}

TEST(SyntheticMarket, DifferentSeedGivesDifferentBars) {
  const auto a = generate_synthetic_market(options_of(3, 10, 11));
  const auto b = generate_synthetic_market(options_of(3, 10, 12));
  ASSERT_EQ(a.series.size(), b.series.size());
  EXPECT_EQ(a.series[0].ts, b.series[0].ts);
  EXPECT_FALSE(same_bits(a.series[0].close, b.series[0].close));
}

TEST(SyntheticMarket, AddingTickersKeepsTheExistingOnes) {
  const auto few = generate_synthetic_market(options_of(2, 5));
  auto many = generate_synthetic_market(options_of(4, 5));
  many.series.resize(2);
  EXPECT_TRUE(same_frame(few, many));
}

TEST(SyntheticMarket, NamesTickersAndDiffersBetweenThem) {
  const auto frame = generate_synthetic_market(options_of(12, 2));
  ASSERT_EQ(frame.series.size(), 12u);
  EXPECT_EQ(frame.series[0].ticker, "SYN0001");
  EXPECT_EQ(frame.series[11].ticker, "SYN0012");
  EXPECT_NE(frame.series[0].open[0], frame.series[1].open[0]);
}

TEST(SyntheticMarket, EveryBarStartsInsideASessionOnTheGrid) {
  const auto frame = generate_synthetic_market(options_of(3, 30));
  for (const auto& bars : frame.series) {
    for (std::size_t i = 0; i < bars.size(); ++i) {
      const auto session = calendar().session_containing(bars.ts[i]);
      ASSERT_TRUE(session.has_value()) << bars.ticker << " " << core::format_utc(bars.ts[i]);
      EXPECT_EQ((bars.ts[i] - session->open) % (5 * core::kNanosPerMinute), 0);
      if (i > 0) {
        EXPECT_GT(bars.ts[i], bars.ts[i - 1]);
      }
    }
  }
}

TEST(SyntheticMarket, BarsPerSessionFollowTheSessionLengthIncludingEarlyCloses) {
  // 2024-11-25 .. : Thanksgiving (28th) is closed, the 29th closes at 13:00.
  SynthOptions options = options_of(2, 8);
  options.first_day = core::days_from_civil(2024, 11, 25);
  const auto frame = generate_synthetic_market(options);
  std::map<core::DayNumber, int> bars_per_day;
  for (core::Timestamp ts : frame.series[1].ts) ++bars_per_day[calendar().new_york_day(ts)];
  ASSERT_EQ(bars_per_day.size(), 8u);
  EXPECT_EQ(bars_per_day.count(core::days_from_civil(2024, 11, 28)), 0u);
  bool saw_early_close = false;
  for (const auto& [day, count] : bars_per_day) {
    const auto session = calendar().session(day);
    ASSERT_TRUE(session.has_value());
    EXPECT_EQ(count, (session->close - session->open) / (5 * core::kNanosPerMinute)) << core::format_date(day);
    EXPECT_EQ(count, session->early_close ? 42 : 78) << core::format_date(day);
    saw_early_close = saw_early_close || session->early_close;
  }
  EXPECT_TRUE(saw_early_close);
}

TEST(SyntheticMarket, OtherIntervalsAndExtendedHours) {
  SynthOptions options = options_of(1, 3);
  options.interval.ns = 15 * core::kNanosPerMinute;
  EXPECT_EQ(generate_synthetic_market(options).series[0].size(), 3u * 26u);

  options.interval.ns = 5 * core::kNanosPerMinute;
  options.extended_hours = true;
  const auto frame = generate_synthetic_market(options);
  const auto& bars = frame.series[0];
  // 04:00-20:00 New York: 16 h of 5-minute bars.
  ASSERT_EQ(bars.size(), 3u * 192u);
  const auto session = calendar().session(calendar().new_york_day(bars.ts[0]));
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(bars.ts[0], session->open - 330 * core::kNanosPerMinute);
}

TEST(SyntheticMarket, OhlcConsistentAndPricesPositive) {
  for (const auto& bars : statistics_sample().series) {
    for (std::size_t i = 0; i < bars.size(); ++i) {
      ASSERT_GT(bars.low[i], 0.0);
      ASSERT_LE(bars.low[i], std::min(bars.open[i], bars.close[i])) << bars.ticker << " row " << i;
      ASSERT_GE(bars.high[i], std::max(bars.open[i], bars.close[i])) << bars.ticker << " row " << i;
      ASSERT_GE(bars.volume[i], 1.0);
      ASSERT_EQ(bars.volume[i], std::round(bars.volume[i]));
    }
  }
}

TEST(SyntheticMarket, OvernightGapsAreNonzeroOnAverage) {
  double gap_sum = 0.0;
  int gaps = 0;
  int nonzero = 0;
  for (const auto& bars : statistics_sample().series) {
    for (std::size_t i = 1; i < bars.size(); ++i) {
      if (calendar().new_york_day(bars.ts[i]) == calendar().new_york_day(bars.ts[i - 1])) {
        EXPECT_EQ(bars.open[i], bars.close[i - 1]);  // no gaps inside a session
        continue;
      }
      const double gap = std::abs(std::log(bars.open[i] / bars.close[i - 1]));
      gap_sum += gap;
      nonzero += gap > 0.0 ? 1 : 0;
      ++gaps;
    }
  }
  ASSERT_GT(gaps, 0);
  EXPECT_GT(gap_sum / gaps,
            1e-3);  // mean |gap| in log terms: ~0.5% for 15-60% annual vol
  EXPECT_GT(nonzero, gaps * 8 / 10);
}

TEST(SyntheticMarket, VolumeIsUShaped) {
  double edge_sum = 0.0;
  double midday_sum = 0.0;
  int edge = 0;
  int midday = 0;
  for (const auto& bars : statistics_sample().series) {
    for (std::size_t i = 0; i < bars.size(); ++i) {
      const auto session = calendar().session_containing(bars.ts[i]);
      if (!session || session->early_close) continue;
      const auto minute = (bars.ts[i] - session->open) / core::kNanosPerMinute;
      // Normalise by the ticker's level so that big tickers do not dominate.
      if (minute < 30 || minute >= 360) {
        edge_sum += bars.volume[i];
        ++edge;
      } else if (minute >= 150 && minute < 240) {  // 12:00-13:30
        midday_sum += bars.volume[i];
        ++midday;
      }
    }
  }
  ASSERT_GT(edge, 0);
  ASSERT_GT(midday, 0);
  EXPECT_GT(edge_sum / edge, 1.5 * midday_sum / midday);
}

// Returns scaled by each time-of-day slot's std, so that the clustering
// measured is the GARCH part, not the intraday seasonality.
TEST(SyntheticMarket, VolatilityClusters) {
  double total_correlation = 0.0;
  int tickers = 0;
  for (const auto& bars : statistics_sample().series) {
    std::vector<double> returns;
    std::vector<int> slots;
    for (std::size_t i = 1; i < bars.size(); ++i) {
      const auto session = calendar().session_containing(bars.ts[i]);
      if (!session || session->early_close || bars.ts[i] == session->open) continue;
      returns.push_back(std::log(bars.close[i] / bars.open[i]));
      slots.push_back(static_cast<int>((bars.ts[i] - session->open) / (5 * core::kNanosPerMinute)));
    }
    std::vector<double> slot_sq(78, 0.0);
    std::vector<int> slot_n(78, 0);
    for (std::size_t i = 0; i < returns.size(); ++i) {
      slot_sq[slots[i]] += returns[i] * returns[i];
      ++slot_n[slots[i]];
    }
    std::vector<double> scaled(returns.size());
    for (std::size_t i = 0; i < returns.size(); ++i) {
      scaled[i] = std::abs(returns[i]) / std::sqrt(slot_sq[slots[i]] / slot_n[slots[i]]);
    }
    double mean = 0.0;
    for (double x : scaled) mean += x;
    mean /= static_cast<double>(scaled.size());
    double numerator = 0.0;
    double denominator = 0.0;
    for (std::size_t i = 0; i < scaled.size(); ++i) {
      denominator += (scaled[i] - mean) * (scaled[i] - mean);
      if (i > 0) numerator += (scaled[i] - mean) * (scaled[i - 1] - mean);
    }
    total_correlation += numerator / denominator;
    ++tickers;
  }
  EXPECT_GT(total_correlation / tickers, 0.05);
}

TEST(SyntheticMarket, WritesOneCsvPerTicker) {
  const fs::path dir = fs::temp_directory_path() / ("itrade_synth_" + std::to_string(::getpid())) / "out";
  fs::remove_all(dir.parent_path());
  const auto frame = generate_synthetic_market(options_of(2, 2));
  const auto status = write_synthetic_csv(dir, frame);
  ASSERT_TRUE(status.ok()) << status.error().message;
  for (const auto& bars : frame.series) {
    std::ifstream in(dir / (bars.ticker + ".csv"));
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line, "timestamp,open,high,low,close,volume");
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line.rfind("2024-01-02T14:30:00Z,", 0), 0u) << line;
    std::size_t rows = 1;
    while (std::getline(in, line)) ++rows;
    EXPECT_EQ(rows, bars.size());
  }
  fs::remove_all(dir.parent_path());
}

}  // namespace
}  // namespace itrade::data

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "data/csv_source.h"

namespace itrade::data {
namespace {

namespace fs = std::filesystem;

class CsvSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device seed;
    dir_ = fs::temp_directory_path() / ("itrade_csv_source_" + std::to_string(seed()));
    fs::create_directories(dir_ / "bars");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& content) { std::ofstream(dir_ / "bars" / name) << content; }
  // IBKR-style rows of 2025-07-10 (EDT), naive New York time.
  static std::string ibkr_rows(double base, int bars = 3) {
    std::string out = "datetime,open,high,low,close,volume\n";
    for (int i = 0; i < bars; ++i) {
      const int minute = 30 + 5 * i;
      const double p = base + i;
      out += fmt::format("2025-07-10 {:02}:{:02}:00,{},{},{},{},{}\n", 9 + minute / 60, minute % 60, p, p + 1, p - 1,
                         p + 0.5, 1000 + i);
    }
    return out;
  }
  CsvSourceOptions options(bool cache = false) const {
    CsvSourceOptions o;
    o.naive_timezone = core::TimeZone::new_york();
    if (cache) o.cache_dir = dir_ / "cache";
    return o;
  }

  fs::path dir_;
};

TEST(CsvSourceNames, TickerFromFileName) {
  EXPECT_EQ(CsvSource::ticker_from_file_name("AAPL_5m.csv.gz"), "AAPL");
  EXPECT_EQ(CsvSource::ticker_from_file_name("AAPL_5min.csv"), "AAPL");
  EXPECT_EQ(CsvSource::ticker_from_file_name("msft.csv"), "MSFT");
  EXPECT_EQ(CsvSource::ticker_from_file_name("BRK.B.csv"), "BRK.B");
}

TEST_F(CsvSourceTest, OpenRejectsMissingPathsAndEmptyDirectories) {
  auto missing = CsvSource::open({dir_ / "nope"}, options());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::input);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
  auto empty = CsvSource::open({dir_ / "bars"}, options());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("no .csv"), std::string::npos);
}

TEST_F(CsvSourceTest, FetchConvertsNaiveNewYorkTimesAndFiltersTheRange) {
  write("AAPL_5min.csv", ibkr_rows(100));
  write("MSFT_5min.csv", ibkr_rows(200));
  auto source = CsvSource::open({dir_ / "bars"}, options());
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_EQ(source->tickers(), (std::vector<std::string>{"AAPL", "MSFT"}));
  const core::Timestamp open =
      core::start_of_day(core::days_from_civil(2025, 7, 10)) + 13 * core::kNanosPerHour + 30 * core::kNanosPerMinute;
  auto frame = source->fetch({"MSFT", "AAPL"}, open + 5 * core::kNanosPerMinute, open + core::kNanosPerDay,
                             core::Interval{5 * core::kNanosPerMinute});
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  ASSERT_EQ(frame->series.size(), 2u);
  EXPECT_EQ(frame->series[0].ticker, "MSFT");  // the order asked for
  ASSERT_EQ(frame->series[0].size(), 2u);
  EXPECT_EQ(frame->series[0].ts[0], open + 5 * core::kNanosPerMinute);
  EXPECT_EQ(frame->series[0].open[0], 201.0);
  EXPECT_EQ(frame->series[1].close[1], 102.5);
}

TEST_F(CsvSourceTest, FetchResamplesToACoarserIntervalAndRefusesAFinerOne) {
  write("AAPL_5min.csv", ibkr_rows(100, 6));
  auto source = CsvSource::open({dir_ / "bars"}, options());
  ASSERT_TRUE(source.ok());
  auto coarse = source->fetch({"AAPL"}, 0, std::numeric_limits<core::Timestamp>::max(),
                              core::Interval{15 * core::kNanosPerMinute});
  ASSERT_TRUE(coarse.ok()) << coarse.error().message;
  ASSERT_EQ(coarse->series[0].size(), 2u);
  EXPECT_EQ(coarse->series[0].volume[0], 1000 + 1001 + 1002);
  auto fine = source->fetch({"AAPL"}, 0, 1, core::Interval{core::kNanosPerMinute});
  ASSERT_FALSE(fine.ok());
  EXPECT_EQ(fine.error().kind, core::ErrorKind::input);
}

TEST_F(CsvSourceTest, UnknownTickerNamesTheNearestKnownOnes) {
  write("AAPL_5min.csv", ibkr_rows(100));
  auto source = CsvSource::open({dir_ / "bars"}, options());
  ASSERT_TRUE(source.ok());
  auto loaded = source->load({"AAPLE"});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().kind, core::ErrorKind::input);
  EXPECT_NE(loaded.error().message.find("AAPLE"), std::string::npos);
  EXPECT_NE(loaded.error().message.find("nearest: AAPL"), std::string::npos) << loaded.error().message;
}

TEST_F(CsvSourceTest, TickerColumnThatContradictsTheFileNameIsAnError) {
  write("AAPL_5m.csv", "datetime,symbol,open,high,low,close,volume\n2025-07-10 13:30:00,MSFT,1,2,0.5,1.5,10\n");
  auto source = CsvSource::open({dir_ / "bars"}, options());
  ASSERT_TRUE(source.ok());
  auto loaded = source->load({"AAPL"});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("ticker_from: column"), std::string::npos) << loaded.error().message;
}

TEST_F(CsvSourceTest, ColumnModeReadsCombinedFiles) {
  write("all.csv",
        "datetime,symbol,open,high,low,close,volume\n"
        "2025-07-10 13:30:00,AAPL,1,2,0.5,1.5,10\n"
        "2025-07-10 13:30:00,MSFT,3,4,2.5,3.5,20\n"
        "2025-07-10 13:35:00,AAPL,1.5,2,1,1.75,30\n");
  auto o = options();
  o.naive_timezone = core::TimeZone::utc();
  o.ticker_from_column = true;
  auto source = CsvSource::open({dir_ / "bars"}, o);
  ASSERT_TRUE(source.ok());
  auto all = source->load_all();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].bars.ticker, "AAPL");
  EXPECT_EQ((*all)[0].bars.size(), 2u);
  EXPECT_EQ((*all)[1].bars.size(), 1u);
  auto msft = source->load({"MSFT"});
  ASSERT_TRUE(msft.ok());
  EXPECT_EQ((*msft)[0].bars.volume[0], 20);
}

TEST_F(CsvSourceTest, CacheIsWrittenThenUsedThenRebuiltWhenStaleOrCorrupt) {
  write("AAPL_5min.csv", ibkr_rows(100));
  auto source = CsvSource::open({dir_ / "bars"}, options(/*cache=*/true));
  ASSERT_TRUE(source.ok());
  auto first = source->load({"AAPL"});
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE((*first)[0].from_cache);
  auto second = source->load({"AAPL"});
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE((*second)[0].from_cache);
  EXPECT_EQ((*second)[0].bars.ts, (*first)[0].bars.ts);
  EXPECT_EQ((*second)[0].bars.close, (*first)[0].bars.close);

  // Corrupt every cache file: the next load must not trust it and must rebuild it.
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "cache")) {
    if (!entry.is_regular_file()) continue;
    std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(fs::file_size(entry.path()) - 3));
    file.put('\x7f');
  }
  auto rebuilt = source->load({"AAPL"});
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_FALSE((*rebuilt)[0].from_cache);
  EXPECT_EQ((*rebuilt)[0].bars.close, (*first)[0].bars.close);
  auto again = source->load({"AAPL"});
  EXPECT_TRUE((*again)[0].from_cache);

  // A changed source file makes the cache stale.
  write("AAPL_5min.csv", ibkr_rows(300, 4));
  auto changed = source->load({"AAPL"});
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE((*changed)[0].from_cache);
  EXPECT_EQ((*changed)[0].bars.size(), 4u);
  EXPECT_EQ((*changed)[0].bars.open[0], 300.0);
}

TEST_F(CsvSourceTest, WriteCacheConvertsEveryTicker) {
  write("AAPL_5min.csv", ibkr_rows(100));
  write("MSFT_5min.csv", ibkr_rows(200));
  auto source = CsvSource::open({dir_ / "bars"}, options(/*cache=*/true));
  ASSERT_TRUE(source.ok());
  auto written = source->write_cache();
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(*written, 2u);
  auto loaded = source->load({"AAPL", "MSFT"});
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE((*loaded)[0].from_cache);
  EXPECT_TRUE((*loaded)[1].from_cache);
}

TEST_F(CsvSourceTest, BadRowFailsTheLoadWithFileAndLine) {
  write("AAPL_5min.csv", ibkr_rows(100) + "2025-07-10 09:45:00,100,99,101,100,5\n");
  auto source = CsvSource::open({dir_ / "bars"}, options());
  ASSERT_TRUE(source.ok());
  auto loaded = source->load_all();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("AAPL_5min.csv:5:"), std::string::npos) << loaded.error().message;
}

TEST_F(CsvSourceTest, HealthcheckNoticesAVanishedFile) {
  write("AAPL_5min.csv", ibkr_rows(100));
  auto source = CsvSource::open({dir_ / "bars"}, options());
  ASSERT_TRUE(source.ok());
  EXPECT_TRUE(source->healthcheck());
  fs::remove(dir_ / "bars" / "AAPL_5min.csv");
  EXPECT_FALSE(source->healthcheck());
}

}  // namespace
}  // namespace itrade::data

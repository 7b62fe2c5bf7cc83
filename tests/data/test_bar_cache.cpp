#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "data/bar_cache.h"

namespace itrade::data {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class BarCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("itrade_bar_cache_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static core::BarSeries sample(std::size_t rows) {
    core::BarSeries bars;
    bars.ticker = "AAPL";
    for (std::size_t i = 0; i < rows; ++i) {
      const double base = 100.0 + 0.01 * static_cast<double>(i);
      bars.push_back(1'700'000'000'000'000'000 + static_cast<core::Timestamp>(i) * 300'000'000'000, base, base + 0.5,
                     base - 0.25, base + 0.125, i % 7 == 0 ? core::kVolumeAbsent : 1000.0 + static_cast<double>(i));
    }
    // Values whose bits matter: negative zero, a subnormal and NaN must survive
    // untouched.
    if (rows >= 3) {
      bars.open[0] = -0.0;
      bars.high[1] = std::numeric_limits<double>::denorm_min();
      bars.volume[2] = std::numeric_limits<double>::quiet_NaN();
    }
    return bars;
  }

  std::vector<char> bytes(const fs::path& path) const {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void overwrite(const fs::path& path, const std::vector<char>& content) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }

  // Writes the sample and returns the path; fails the test when writing fails.
  fs::path write_sample(std::size_t rows = 100) {
    const fs::path path = dir_ / "AAPL.bars";
    const auto status = write_bar_cache(path, sample(rows), stamp_);
    EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
    return path;
  }

  CacheStatus read_status(const fs::path& path) { return read_bar_cache(path, stamp_).status; }

  fs::path dir_;
  CacheStamp stamp_{0x1234'5678'9abc'def0ULL};
};

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

TEST_F(BarCacheTest, RoundTripIsBitForBit) {
  const auto original = sample(1000);
  const fs::path path = write_sample(1000);
  const CacheRead read = read_bar_cache(path, stamp_);
  ASSERT_EQ(read.status, CacheStatus::fresh) << read.message;
  EXPECT_TRUE(read.message.empty());
  EXPECT_EQ(read.bars.ticker, "AAPL");
  EXPECT_TRUE(same_bits(read.bars.ts, original.ts));
  EXPECT_TRUE(same_bits(read.bars.open, original.open));
  EXPECT_TRUE(same_bits(read.bars.high, original.high));
  EXPECT_TRUE(same_bits(read.bars.low, original.low));
  EXPECT_TRUE(same_bits(read.bars.close, original.close));
  EXPECT_TRUE(same_bits(read.bars.volume, original.volume));
}

TEST_F(BarCacheTest, EmptySeriesRoundTrips) {
  core::BarSeries empty;
  empty.ticker = "NONE";
  const fs::path path = dir_ / "NONE.bars";
  ASSERT_TRUE(write_bar_cache(path, empty, stamp_).ok());
  const CacheRead read = read_bar_cache(path, stamp_);
  ASSERT_EQ(read.status, CacheStatus::fresh) << read.message;
  EXPECT_EQ(read.bars.ticker, "NONE");
  EXPECT_TRUE(read.bars.empty());
}

TEST_F(BarCacheTest, OverwritesAnExistingFile) {
  const fs::path path = write_sample(10);
  ASSERT_TRUE(write_bar_cache(path, sample(20), stamp_).ok());
  const CacheRead read = read_bar_cache(path, stamp_);
  ASSERT_EQ(read.status, CacheStatus::fresh);
  EXPECT_EQ(read.bars.size(), 20u);
}

TEST_F(BarCacheTest, MissingFile) {
  const CacheRead read = read_bar_cache(dir_ / "nope.bars", stamp_);
  EXPECT_EQ(read.status, CacheStatus::missing);
  EXPECT_NE(read.message.find("nope.bars"), std::string::npos);
}

TEST_F(BarCacheTest, StaleStamp) {
  const fs::path path = write_sample();
  const CacheRead read = read_bar_cache(path, CacheStamp{stamp_.source_fingerprint + 1});
  EXPECT_EQ(read.status, CacheStatus::stale);
  EXPECT_TRUE(read.bars.empty());
}

TEST_F(BarCacheTest, FlippedByteInEveryColumnIsCorrupt) {
  const fs::path path = write_sample(100);
  const auto good = bytes(path);
  const std::size_t header = 192;  // 136 + "AAPL" rounded up to 64
  for (std::size_t column = 0; column < 6; ++column) {
    auto bad = good;
    bad[header + column * 800 + 411] ^= 0x10;
    overwrite(path, bad);
    const CacheRead read = read_bar_cache(path, stamp_);
    EXPECT_EQ(read.status, CacheStatus::corrupt) << "column " << column;
    EXPECT_NE(read.message.find("checksum"), std::string::npos) << read.message;
  }
}

TEST_F(BarCacheTest, FlippedStampOrChecksumIsCorruptNotStale) {
  const fs::path path = write_sample();
  auto bad = bytes(path);
  bad[24] ^= 0x01;  // the fingerprint
  overwrite(path, bad);
  EXPECT_EQ(read_status(path), CacheStatus::corrupt);
  bad = bytes(path);
  bad[24] ^= 0x01;
  bad.back() ^= 0x01;  // the checksum itself
  overwrite(path, bad);
  EXPECT_EQ(read_status(path), CacheStatus::corrupt);
}

TEST_F(BarCacheTest, FlippedMagicIsCorrupt) {
  const fs::path path = write_sample();
  auto bad = bytes(path);
  bad[0] = 'X';
  overwrite(path, bad);
  const CacheRead read = read_bar_cache(path, stamp_);
  EXPECT_EQ(read.status, CacheStatus::corrupt);
  EXPECT_NE(read.message.find("magic"), std::string::npos) << read.message;
}

TEST_F(BarCacheTest, WrongVersionIsCorrupt) {
  const fs::path path = write_sample();
  auto bad = bytes(path);
  bad[8] = 2;
  overwrite(path, bad);
  const CacheRead read = read_bar_cache(path, stamp_);
  EXPECT_EQ(read.status, CacheStatus::corrupt);
  EXPECT_NE(read.message.find("version"), std::string::npos) << read.message;
}

TEST_F(BarCacheTest, SchemaMismatchIsCorrupt) {
  const fs::path path = write_sample();
  const auto good = bytes(path);
  auto renamed = good;
  renamed[40 + 16] = 'O';  // column 1 "open" -> "Open"
  overwrite(path, renamed);
  EXPECT_EQ(read_status(path), CacheStatus::corrupt);
  auto retyped = good;
  retyped[40 + 8] = 2;  // ts declared float64
  overwrite(path, retyped);
  EXPECT_EQ(read_status(path), CacheStatus::corrupt);
  auto fewer = good;
  fewer[32] = 5;  // column count
  overwrite(path, fewer);
  const CacheRead read = read_bar_cache(path, stamp_);
  EXPECT_EQ(read.status, CacheStatus::corrupt);
  EXPECT_NE(read.message.find("schema"), std::string::npos) << read.message;
}

TEST_F(BarCacheTest, ZeroLengthFileIsCorrupt) {
  const fs::path path = dir_ / "empty.bars";
  overwrite(path, {});
  const CacheRead read = read_bar_cache(path, stamp_);
  EXPECT_EQ(read.status, CacheStatus::corrupt);
  EXPECT_NE(read.message.find("empty"), std::string::npos) << read.message;
}

TEST_F(BarCacheTest, TruncatedAtAnyLengthIsCorrupt) {
  const fs::path path = write_sample(100);
  const auto good = bytes(path);
  ASSERT_EQ(good.size(), 192u + 100u * 48u + 8u);
  // Inside the fixed header, inside the descriptors, inside the ticker padding,
  // at the start of the columns, mid-column, mid-row, and one byte short of the
  // checksum.
  for (std::size_t length :
       {std::size_t{1}, std::size_t{7}, std::size_t{39}, std::size_t{100}, std::size_t{150}, std::size_t{192},
        std::size_t{192 + 800 + 4}, std::size_t{192 + 2400}, good.size() - 9, good.size() - 8, good.size() - 1}) {
    overwrite(path, std::vector<char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(length)));
    const CacheRead read = read_bar_cache(path, stamp_);
    EXPECT_EQ(read.status, CacheStatus::corrupt) << "length " << length;
  }
}

TEST_F(BarCacheTest, TrailingBytesAreCorrupt) {
  const fs::path path = write_sample(100);
  auto longer = bytes(path);
  longer.push_back(0);
  overwrite(path, longer);
  EXPECT_EQ(read_status(path), CacheStatus::corrupt);
  longer.insert(longer.end(), 47, 0);  // a whole extra "row"
  overwrite(path, longer);
  const CacheRead read = read_bar_cache(path, stamp_);
  EXPECT_EQ(read.status, CacheStatus::corrupt);
  EXPECT_NE(read.message.find("extra"), std::string::npos) << read.message;
}

TEST_F(BarCacheTest, HugeRowCountIsCorruptNotACrash) {
  const fs::path path = write_sample(100);
  auto bad = bytes(path);
  std::memset(bad.data() + 16, 0xff, 8);
  overwrite(path, bad);
  EXPECT_EQ(read_status(path), CacheStatus::corrupt);
}

TEST_F(BarCacheTest, NonIncreasingTimestampsAreRefusedOnWrite) {
  auto bars = sample(10);
  bars.ts[5] = bars.ts[4];
  const auto status = write_bar_cache(dir_ / "x.bars", bars, stamp_);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::input);
  EXPECT_FALSE(fs::exists(dir_ / "x.bars"));
}

TEST_F(BarCacheTest, ColumnsOfDifferentLengthsAreRefusedOnWrite) {
  auto bars = sample(10);
  bars.volume.pop_back();
  EXPECT_FALSE(write_bar_cache(dir_ / "x.bars", bars, stamp_).ok());
}

// A file with a valid checksum whose timestamps go backwards (written by a
// buggy or foreign writer) must still not be trusted.
TEST_F(BarCacheTest, NonIncreasingTimestampsWithValidChecksumAreCorrupt) {
  const fs::path path = write_sample(100);
  auto bad = bytes(path);
  const std::size_t ts5 = 192 + 5 * 8;
  std::memcpy(bad.data() + ts5, bad.data() + ts5 - 8, 8);  // ts[5] = ts[4]
  const std::size_t checked = bad.size() - 8;
  const std::uint64_t sum = bar_cache_checksum(bad.data(), checked);
  std::memcpy(bad.data() + checked, &sum, 8);
  overwrite(path, bad);
  const CacheRead read = read_bar_cache(path, stamp_);
  EXPECT_EQ(read.status, CacheStatus::corrupt);
  EXPECT_NE(read.message.find("increasing"), std::string::npos) << read.message;
}

TEST_F(BarCacheTest, NoTemporaryFileRemainsAfterWrite) {
  write_sample();
  write_sample();
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"AAPL.bars"});
}

TEST_F(BarCacheTest, WritingIntoAMissingDirectoryIsAnError) {
  const fs::path path = dir_ / "no" / "such" / "dir" / "AAPL.bars";
  const auto status = write_bar_cache(path, sample(10), stamp_);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::runtime);
  EXPECT_FALSE(fs::exists(dir_ / "no"));
}

TEST_F(BarCacheTest, DirectoryAtThePathIsCorrupt) {
  fs::create_directories(dir_ / "d.bars");
  EXPECT_EQ(read_status(dir_ / "d.bars"), CacheStatus::corrupt);
}

TEST(BarCacheChecksum, MatchesXxh64OfTheEmptyInput) { EXPECT_EQ(bar_cache_checksum("", 0), 0xEF46DB3751D8E999ULL); }

TEST(BarCacheChecksum, EveryBitOfEveryTailLengthMatters) {
  // Lengths around the 32-byte block and the 8/4/1-byte tails.
  for (std::size_t length : {1, 3, 4, 7, 8, 12, 31, 32, 33, 63, 64, 100}) {
    std::vector<unsigned char> data(length);
    for (std::size_t i = 0; i < length; ++i) data[i] = static_cast<unsigned char>(i * 37 + 11);
    const std::uint64_t base = bar_cache_checksum(data.data(), length);
    for (std::size_t i = 0; i < length; ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        data[i] ^= static_cast<unsigned char>(1 << bit);
        EXPECT_NE(bar_cache_checksum(data.data(), length), base) << length << " " << i << " " << bit;
        data[i] ^= static_cast<unsigned char>(1 << bit);
      }
    }
  }
}

TEST_F(BarCacheTest, FingerprintChangesWithContentMtimeAndOptions) {
  const fs::path source = dir_ / "AAPL.csv";
  overwrite(source, {'a', 'b', 'c'});
  const std::uint64_t first = fingerprint_files({source}, "tz=UTC");
  EXPECT_EQ(fingerprint_files({source}, "tz=UTC"), first);
  EXPECT_NE(fingerprint_files({source}, "tz=America/New_York"), first);
  overwrite(source, {'a', 'b', 'c', 'd'});
  const std::uint64_t resized = fingerprint_files({source}, "tz=UTC");
  EXPECT_NE(resized, first);
  fs::last_write_time(source, fs::last_write_time(source) - std::chrono::hours(1));
  EXPECT_NE(fingerprint_files({source}, "tz=UTC"), resized);
  EXPECT_NE(fingerprint_files({dir_ / "missing.csv"}, "tz=UTC"), fingerprint_files({}, "tz=UTC"));
}

}  // namespace
}  // namespace itrade::data

// Feature files: bit-exact .ifm round trips, the exact CSV text, the byte layout of .ifm,
// rejection of every kind of damaged .ifm (never a crash), and atomic writes.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.h"
#include "features/engine/feature_file.h"

namespace itrade::features {
namespace {

namespace fs = std::filesystem;
using core::ErrorKind;
using core::kNanosPerDay;
using core::kNanosPerHour;
using core::kNanosPerMinute;
using core::Timestamp;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Timestamp utc(int year, int month, int day, int hour, int minute) {
  return core::days_from_civil(year, month, day) * kNanosPerDay + hour * kNanosPerHour + minute * kNanosPerMinute;
}

FeatureMatrix matrix(std::string ticker, std::vector<std::string> columns, std::vector<Timestamp> ts,
                     std::vector<double> values) {
  return FeatureMatrix{std::move(ticker), std::move(columns), std::move(ts), std::move(values)};
}

std::string bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put_bytes(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

std::uint64_t load_u64(const std::string& bytes, std::size_t at) {
  std::uint64_t value = 0;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

std::string u64_bytes(std::uint64_t value) { return std::string(reinterpret_cast<const char*>(&value), sizeof value); }

// A .ifm file around any header text and data, with a correct checksum: lets the tests reach
// the header checks that come before the checksum comparison.
std::string ifm_bytes(const std::string& header, const std::string& data) {
  std::string file = "ITRFMAT1" + u64_bytes(header.size()) + header + data;
  return file + u64_bytes(XXH64(file.data(), file.size(), 0));
}

// Three tickers whose values' bits matter: NaN (also with a payload), -0.0, infinities,
// subnormals, extremes; one ticker has no rows; times include a sub-second and a pre-1970 one.
std::vector<FeatureMatrix> tricky_matrices() {
  const std::vector<std::string> columns = {"sma_20", "rsi_14", "fwd_ret_5"};
  std::uint64_t payload_bits = 0x7ff8'0000'dead'beefULL;
  double payload_nan = 0;
  std::memcpy(&payload_nan, &payload_bits, sizeof payload_nan);
  const Timestamp t0 = utc(2025, 1, 2, 14, 30);
  return {
      matrix("AAPL", columns, {t0, t0 + kNanosPerMinute, t0 + 2 * kNanosPerMinute, t0 + 3 * kNanosPerMinute},
             {kNaN, -0.0, 0.0,                                                    //
              kInf, -kInf, std::numeric_limits<double>::denorm_min(),             //
              -std::numeric_limits<double>::denorm_min(), 2.5e-310, payload_nan,  //
              std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(), 0.1}),
      matrix("EMPTY", columns, {}, {}),
      matrix("MSFT", columns, {-1'500'000'000, t0 + 250'000'000}, {1.0, -2.0, 1e-300, 3.0, kNaN, 123456.789}),
  };
}

void expect_bit_identical(const std::vector<FeatureMatrix>& actual, const std::vector<FeatureMatrix>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].ticker);
    EXPECT_EQ(actual[i].ticker, expected[i].ticker);
    EXPECT_EQ(actual[i].columns, expected[i].columns);
    EXPECT_EQ(actual[i].ts, expected[i].ts);
    ASSERT_EQ(actual[i].values.size(), expected[i].values.size());
    if (!expected[i].values.empty()) {
      EXPECT_EQ(std::memcmp(actual[i].values.data(), expected[i].values.data(), expected[i].values.size() * 8), 0);
    }
  }
}

// A fresh directory per test, removed afterwards.
class FeatureFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("itrade_feature_file_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(dir_, ignored);
  }

  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  // Writes the tricky matrices to dir_/name and returns the path.
  fs::path write_tricky(const std::string& name = "out.ifm") {
    const fs::path path = dir_ / name;
    const auto matrices = tricky_matrices();
    const auto status = write_feature_file(path, matrices);
    EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
    return path;
  }

  // Reading `path` fails with an input error that names it and says how to fix it.
  void expect_rejected(const fs::path& path, const std::string& problem) {
    const auto read = read_feature_file(path);
    ASSERT_FALSE(read.ok()) << "expected: " << problem;
    EXPECT_EQ(read.error().kind, ErrorKind::input);
    EXPECT_NE(read.error().message.find(path.string()), std::string::npos) << read.error().message;
    EXPECT_NE(read.error().message.find(problem), std::string::npos) << read.error().message;
    EXPECT_NE(read.error().message.find("recompute it with itrade features compute"), std::string::npos)
        << read.error().message;
  }

  fs::path dir_;
};

// ---- Binary round trip and layout
// ----------------------------------------------------------------

TEST_F(FeatureFileTest, BinaryRoundTripIsBitIdentical) {
  const fs::path path = write_tricky();
  const auto read = read_feature_file(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  expect_bit_identical(*read, tricky_matrices());
}

TEST_F(FeatureFileTest, BinaryRoundTripOfNoMatricesAndNoColumns) {
  const fs::path none = dir_ / "none.ifm";
  ASSERT_TRUE(write_feature_file(none, {}).ok());
  const auto read_none = read_feature_file(none);
  ASSERT_TRUE(read_none.ok()) << read_none.error().message;
  EXPECT_TRUE(read_none->empty());

  const std::vector<FeatureMatrix> no_columns = {matrix("SPY", {}, {1, 2, 3}, {})};
  const fs::path path = dir_ / "no_columns.ifm";
  ASSERT_TRUE(write_feature_file(path, no_columns).ok());
  const auto read = read_feature_file(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  expect_bit_identical(*read, no_columns);
}

TEST_F(FeatureFileTest, BinaryLayoutMatchesTheDocumentedFormat) {
  const fs::path path = write_tricky();
  const std::string file = bytes_of(path);
  ASSERT_GE(file.size(), 24u);
  EXPECT_EQ(file.substr(0, 8), "ITRFMAT1");
  const std::uint64_t header_bytes = load_u64(file, 8);
  EXPECT_EQ((16 + header_bytes) % 8, 0u) << "data starts 8-byte aligned";
  const auto header = nlohmann::json::parse(file.substr(16, header_bytes));
  EXPECT_EQ(header, nlohmann::json::parse(R"({"format":"itrade-feature-matrix","version":1,
      "columns":["sma_20","rsi_14","fwd_ret_5"],
      "tickers":[{"ticker":"AAPL","rows":4},{"ticker":"EMPTY","rows":0},{"ticker":"MSFT","rows":2}]})"));
  // 16 + L, then per ticker 8N ts + 8N*3 values, then the checksum.
  EXPECT_EQ(file.size(), 16 + header_bytes + 8 * 4 * 4 + 0 + 8 * 2 * 4 + 8);
  const auto matrices = tricky_matrices();
  std::size_t at = 16 + header_bytes;
  EXPECT_EQ(static_cast<Timestamp>(load_u64(file, at)), matrices[0].ts[0]);
  at += 8 * 4;
  EXPECT_EQ(std::memcmp(file.data() + at, matrices[0].values.data(), 8 * 12), 0) << "row-major doubles";
  at += 8 * 12;
  EXPECT_EQ(static_cast<Timestamp>(load_u64(file, at)), matrices[2].ts[0]) << "MSFT follows AAPL (EMPTY has none)";
  const std::size_t checked = file.size() - 8;
  EXPECT_EQ(load_u64(file, checked), XXH64(file.data(), checked, 0));
}

// ---- CSV
// -----------------------------------------------------------------------------------------

TEST_F(FeatureFileTest, CsvContentIsExact) {
  const Timestamp t0 = utc(2025, 1, 2, 14, 30);
  const std::vector<std::string> columns = {"sma_2", "ret_1", "label"};
  const std::vector<FeatureMatrix> matrices = {
      matrix("AAPL", columns, {t0, t0 + kNanosPerMinute}, {kNaN, 0.1, 1.0, 185.125, -0.0, -1.0}),
      matrix("MSFT", columns, {t0, t0 + 250'000'000}, {kInf, -kInf, 0.0, 1e-05, 12345678.9, 1e+16}),
  };
  const fs::path path = dir_ / "out.csv";
  const auto status = write_feature_file(path, matrices);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(bytes_of(path),
            "ticker,ts,sma_2,ret_1,label\n"
            "AAPL,2025-01-02T14:30:00Z,,0.1,1\n"
            "AAPL,2025-01-02T14:31:00Z,185.125,-0,-1\n"
            "MSFT,2025-01-02T14:30:00Z,inf,-inf,0\n"
            "MSFT,2025-01-02T14:30:00.250000000Z,1e-05,12345678.9,1e+16\n");
}

TEST_F(FeatureFileTest, CsvQuotesNamesWithSeparatorsAndValuesReadBackExactly) {
  const std::vector<FeatureMatrix> matrices = {
      matrix("BRK,B", {"a,b", "say \"hi\""}, {0}, {0.30000000000000004, std::numeric_limits<double>::denorm_min()}),
  };
  const fs::path path = dir_ / "quoted.csv";
  ASSERT_TRUE(write_feature_file(path, matrices).ok());
  EXPECT_EQ(bytes_of(path),
            "ticker,ts,\"a,b\",\"say \"\"hi\"\"\"\n"
            "\"BRK,B\",1970-01-01T00:00:00Z,0.30000000000000004,5e-324\n");
  EXPECT_EQ(std::stod("0.30000000000000004"), 0.30000000000000004);
}

TEST_F(FeatureFileTest, CsvOfNoMatricesIsTheFixedHeader) {
  const fs::path path = dir_ / "none.csv";
  ASSERT_TRUE(write_feature_file(path, {}).ok());
  EXPECT_EQ(bytes_of(path), "ticker,ts\n");
}

// ---- Input errors
// --------------------------------------------------------------------------------

TEST_F(FeatureFileTest, UnknownExtensionIsInputError) {
  const auto matrices = tricky_matrices();
  for (const char* name : {"out.txt", "out", "out.CSV", "out.ifm.bak"}) {
    const fs::path path = dir_ / name;
    const auto status = write_feature_file(path, matrices);
    ASSERT_FALSE(status.ok()) << name;
    EXPECT_EQ(status.error().kind, ErrorKind::input);
    EXPECT_NE(status.error().message.find(path.string()), std::string::npos) << status.error().message;
    EXPECT_NE(status.error().message.find(".csv"), std::string::npos) << status.error().message;
    EXPECT_NE(status.error().message.find(".ifm"), std::string::npos) << status.error().message;
  }
  EXPECT_TRUE(listing().empty());
}

TEST_F(FeatureFileTest, MismatchedColumnsIsInputErrorNamingTheTicker) {
  const Timestamp t0 = utc(2025, 1, 2, 14, 30);
  const std::vector<FeatureMatrix> matrices = {
      matrix("AAPL", {"a", "b"}, {t0}, {1, 2}),
      matrix("MSFT", {"a", "b"}, {t0}, {3, 4}),
      matrix("NVDA", {"a", "c"}, {t0}, {5, 6}),
      matrix("TSLA", {"a"}, {t0}, {7}),
  };
  for (const char* name : {"out.ifm", "out.csv"}) {
    const auto status = write_feature_file(dir_ / name, matrices);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().kind, ErrorKind::input);
    EXPECT_NE(status.error().message.find("NVDA"), std::string::npos) << status.error().message;
    EXPECT_EQ(status.error().message.find("TSLA"), std::string::npos) << status.error().message;
  }
  EXPECT_TRUE(listing().empty());
}

TEST_F(FeatureFileTest, InconsistentMatrixOrInvalidUtf8NameIsInputError) {
  const auto short_values = write_feature_file(dir_ / "out.ifm", std::vector{matrix("AAPL", {"a", "b"}, {0, 1}, {1})});
  ASSERT_FALSE(short_values.ok());
  EXPECT_EQ(short_values.error().kind, ErrorKind::input);
  EXPECT_NE(short_values.error().message.find("AAPL"), std::string::npos) << short_values.error().message;

  const auto bad_utf8 = write_feature_file(dir_ / "out.ifm", std::vector{matrix("A\xff", {"a"}, {0}, {1})});
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_EQ(bad_utf8.error().kind, ErrorKind::input);
  EXPECT_NE(bad_utf8.error().message.find("UTF-8"), std::string::npos) << bad_utf8.error().message;
  EXPECT_TRUE(listing().empty());
}

TEST_F(FeatureFileTest, ReadingCsvOrOtherExtensionIsInputError) {
  const fs::path csv = write_tricky("out.csv");
  const auto read = read_feature_file(csv);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().kind, ErrorKind::input);
  EXPECT_NE(read.error().message.find(csv.string()), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find(".ifm"), std::string::npos) << read.error().message;

  const auto other = read_feature_file(dir_ / "out.bin");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, ErrorKind::input);
}

TEST_F(FeatureFileTest, MissingFileOrDirectoryIsInputError) {
  const auto missing = read_feature_file(dir_ / "missing.ifm");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::input);
  EXPECT_NE(missing.error().message.find("itrade features compute"), std::string::npos) << missing.error().message;

  fs::create_directory(dir_ / "dir.ifm");
  expect_rejected(dir_ / "dir.ifm", "not a regular file");
}

// ---- Damaged files
// -------------------------------------------------------------------------------

TEST_F(FeatureFileTest, FlippedDataByteIsChecksumMismatch) {
  const fs::path path = write_tricky();
  std::string file = bytes_of(path);
  const std::size_t data = 16 + load_u64(file, 8);
  for (const std::size_t at : {data, data + 8 * 4 + 5, file.size() - 9}) {
    std::string damaged = file;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    put_bytes(path, damaged);
    expect_rejected(path, "checksum mismatch (file corrupt or truncated)");
  }
  std::string damaged = file;
  damaged.back() = static_cast<char>(damaged.back() ^ 0x80);  // the checksum itself
  put_bytes(path, damaged);
  expect_rejected(path, "checksum mismatch");
}

TEST_F(FeatureFileTest, EveryFlippedByteIsRejected) {
  const fs::path path = write_tricky();
  const std::string file = bytes_of(path);
  for (std::size_t at = 0; at < file.size(); ++at) {
    for (const unsigned char mask : {0x01, 0x80}) {
      std::string damaged = file;
      damaged[at] = static_cast<char>(damaged[at] ^ mask);
      put_bytes(path, damaged);
      const auto read = read_feature_file(path);
      ASSERT_FALSE(read.ok()) << "byte " << at << " mask " << int{mask};
      ASSERT_EQ(read.error().kind, ErrorKind::input) << read.error().message;
    }
  }
}

TEST_F(FeatureFileTest, TruncatedFileIsRejectedAtEveryLength) {
  const fs::path path = write_tricky();
  const std::string file = bytes_of(path);
  for (std::size_t size = 0; size < file.size(); ++size) {
    put_bytes(path, file.substr(0, size));
    const auto read = read_feature_file(path);
    ASSERT_FALSE(read.ok()) << size << " bytes";
    ASSERT_EQ(read.error().kind, ErrorKind::input) << read.error().message;
    ASSERT_NE(read.error().message.find("recompute it with itrade features compute"), std::string::npos);
  }
  put_bytes(path, file.substr(0, file.size() - 8));
  expect_rejected(path, "truncated");
  put_bytes(path, "");
  expect_rejected(path, "empty");
  put_bytes(path, file + "x");
  expect_rejected(path, "extra bytes");
}

TEST_F(FeatureFileTest, WrongMagicIsRejected) {
  const fs::path path = write_tricky();
  std::string file = bytes_of(path);
  file[7] = '2';  // ITRFMAT2
  put_bytes(path, file);
  expect_rejected(path, "bad magic");
  put_bytes(path, "ITRBARS1" + file.substr(8));
  expect_rejected(path, "bad magic");
  put_bytes(path, "ticker,ts,sma_20\nAAPL,2025-01-02T14:30:00Z,1\n");
  expect_rejected(path, "bad magic");
}

TEST_F(FeatureFileTest, HeaderGarbageIsRejected) {
  const fs::path path = write_tricky();
  const std::string file = bytes_of(path);
  const std::uint64_t header_bytes = load_u64(file, 8);
  std::string garbage = file;
  for (std::size_t i = 0; i < header_bytes; ++i) garbage[16 + i] = static_cast<char>("\x01{]\xfe\"x"[i % 6]);
  put_bytes(path, garbage);
  expect_rejected(path, "not valid JSON");
  // The same garbage with a correct checksum: the header check catches it, not the checksum.
  put_bytes(path, ifm_bytes(garbage.substr(16, header_bytes),
                            file.substr(16 + header_bytes, file.size() - 24 - header_bytes)));
  expect_rejected(path, "not valid JSON");
  // Deeply nested JSON neither overflows the stack when parsed nor when destroyed.
  put_bytes(path, ifm_bytes(std::string(200000, '[') + std::string(200000, ']'), ""));
  expect_rejected(path, "not a JSON object");
  put_bytes(path, ifm_bytes(std::string(200000, '['), ""));
  expect_rejected(path, "not valid JSON");
  // A header length far beyond the file.
  std::string long_header = file;
  const std::string huge = u64_bytes(~std::uint64_t{0} - 3);
  long_header.replace(8, 8, huge);
  put_bytes(path, long_header);
  expect_rejected(path, "header length");
}

TEST_F(FeatureFileTest, HeaderFieldProblemsAreRejected) {
  const fs::path path = dir_ / "crafted.ifm";
  const std::string two_rows(8 * 2 * 2, '\0');  // 2 rows x (ts + 1 column)
  struct Case {
    std::string header;
    std::string data;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {R"([1,2,3])", "", "not a JSON object"},
      {R"({"version":1,"columns":[],"tickers":[]})", "", "\"format\""},
      {R"({"format":"itrade-bars","version":1,"columns":[],"tickers":[]})", "", "\"format\""},
      {R"({"format":"itrade-feature-matrix","columns":[],"tickers":[]})", "", "\"version\""},
      {R"({"format":"itrade-feature-matrix","version":"1","columns":[],"tickers":[]})", "", "\"version\""},
      {R"({"format":"itrade-feature-matrix","version":2,"columns":[],"tickers":[]})", "", "format version 2"},
      {R"({"format":"itrade-feature-matrix","version":-1,"columns":[],"tickers":[]})", "", "format version -1"},
      {R"({"format":"itrade-feature-matrix","version":1,"tickers":[]})", "", "\"columns\""},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a",7],"tickers":[]})", "", "column 1"},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],"tickers":{}})", "", "\"tickers\""},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],"tickers":[3]})", "", "ticker entry 0"},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],"tickers":[{"rows":2}]})", two_rows,
       "\"ticker\""},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],"tickers":[{"ticker":"A","rows":-2}]})",
       two_rows, "\"rows\""},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],"tickers":[{"ticker":"A","rows":2.0}]})",
       two_rows, "\"rows\""},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],"tickers":[{"ticker":"A","rows":3}]})",
       two_rows, "truncated"},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],"tickers":[{"ticker":"A","rows":1}]})",
       two_rows, "extra bytes"},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],)"
       R"("tickers":[{"ticker":"A","rows":18446744073709551615}]})",
       two_rows, "more data than a file can hold"},
      {R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],)"
       R"("tickers":[{"ticker":"A","rows":1152921504606846976},{"ticker":"B","rows":1152921504606846976}]})",
       two_rows, "more data than a file can hold"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    put_bytes(path, ifm_bytes(c.header, c.data));
    expect_rejected(path, c.problem);
  }
  // Extra keys are ignored and any header length is accepted (here unpadded).
  put_bytes(path, ifm_bytes(R"({"format":"itrade-feature-matrix","version":1,"columns":["a"],"note":"x",)"
                            R"("tickers":[{"ticker":"A","rows":2,"source":"y"}]})",
                            two_rows));
  const auto read = read_feature_file(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].ticker, "A");
  EXPECT_EQ((*read)[0].ts, (std::vector<Timestamp>{0, 0}));
  EXPECT_EQ((*read)[0].values, (std::vector<double>{0.0, 0.0}));
}

// ---- Atomicity
// -----------------------------------------------------------------------------------

TEST_F(FeatureFileTest, MissingDirectoryIsRuntimeErrorAndLeavesNothing) {
  const auto matrices = tricky_matrices();
  for (const char* name : {"out.ifm", "out.csv"}) {
    const fs::path path = dir_ / "missing" / name;
    const auto status = write_feature_file(path, matrices);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().kind, ErrorKind::runtime);
    EXPECT_NE(status.error().message.find(path.string()), std::string::npos) << status.error().message;
  }
  EXPECT_FALSE(fs::exists(dir_ / "missing"));
  EXPECT_TRUE(listing().empty());
}

TEST_F(FeatureFileTest, UnwritableDirectoryIsRuntimeError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  const fs::path locked = dir_ / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  const auto status = write_feature_file(locked / "out.ifm", tricky_matrices());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::runtime);
  EXPECT_NE(status.error().message.find((locked / "out.ifm").string()), std::string::npos);
  EXPECT_TRUE(fs::is_empty(locked));
}

TEST_F(FeatureFileTest, ParentThatIsAFileIsRuntimeError) {
  put_bytes(dir_ / "plain", "not a directory");
  const fs::path path = dir_ / "plain" / "out.ifm";
  const auto status = write_feature_file(path, tricky_matrices());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::runtime);
  EXPECT_NE(status.error().message.find(path.string()), std::string::npos) << status.error().message;
  EXPECT_EQ(listing(), (std::vector<std::string>{"plain"}));
}

TEST_F(FeatureFileTest, SuccessfulWritesLeaveNoTemporaryFile) {
  write_tricky("out.ifm");
  write_tricky("out.csv");
  EXPECT_EQ(listing(), (std::vector<std::string>{"out.csv", "out.ifm"}));
}

TEST_F(FeatureFileTest, OverwritingReplacesTheFile) {
  const fs::path path = dir_ / "out.ifm";
  put_bytes(path, std::string(100000, 'x'));  // longer than the new file
  write_tricky("out.ifm");
  const auto read = read_feature_file(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  expect_bit_identical(*read, tricky_matrices());

  const std::vector<FeatureMatrix> smaller = {matrix("SPY", {"x"}, {utc(2025, 1, 2, 14, 30)}, {42.0})};
  ASSERT_TRUE(write_feature_file(path, smaller).ok());
  const auto reread = read_feature_file(path);
  ASSERT_TRUE(reread.ok()) << reread.error().message;
  expect_bit_identical(*reread, smaller);

  const fs::path csv = dir_ / "out.csv";
  put_bytes(csv, "old\nold\nold\n");
  ASSERT_TRUE(write_feature_file(csv, smaller).ok());
  EXPECT_EQ(bytes_of(csv), "ticker,ts,x\nSPY,2025-01-02T14:30:00Z,42\n");
  EXPECT_EQ(listing(), (std::vector<std::string>{"out.csv", "out.ifm"}));
}

TEST_F(FeatureFileTest, FailedWriteLeavesTheExistingFileAndNoTemporary) {
  const fs::path path = write_tricky("out.ifm");
  const std::string before = bytes_of(path);
  // Input error: nothing is written.
  const auto mismatched = write_feature_file(path, std::vector{matrix("A", {"a"}, {}, {}), matrix("B", {"b"}, {}, {})});
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(bytes_of(path), before);
  // Runtime error after the temporary file is written: the rename onto a directory fails.
  const fs::path blocked = dir_ / "blocked.ifm";
  fs::create_directories(blocked / "inside");
  const auto status = write_feature_file(blocked, tricky_matrices());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::runtime);
  EXPECT_NE(status.error().message.find(blocked.string()), std::string::npos) << status.error().message;
  EXPECT_TRUE(fs::is_directory(blocked / "inside"));
  EXPECT_EQ(listing(), (std::vector<std::string>{"blocked.ifm", "out.ifm"}));
  EXPECT_EQ(bytes_of(path), before);
}

}  // namespace
}  // namespace itrade::features

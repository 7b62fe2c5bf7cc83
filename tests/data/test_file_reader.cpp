#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "data/file_reader.h"

namespace itrade::data {
namespace {

namespace fs = std::filesystem;

class FileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("itrade_file_reader_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path write(const std::string& name, const std::string& bytes) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // Writes `text` with zlib's gzip writer (one member per call; `append` adds a member).
  fs::path write_gz(const std::string& name, const std::string& text, bool append = false) {
    const fs::path path = dir_ / name;
    gzFile file = gzopen(path.string().c_str(), append ? "ab" : "wb");
    EXPECT_NE(file, nullptr);
    EXPECT_EQ(gzwrite(file, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
    EXPECT_EQ(gzclose(file), Z_OK);
    return path;
  }

  static std::string bytes_of(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
};

const std::string kCsv =
    "datetime,open,high,low,close,volume\n2025-05-12 09:30:00,211.0400,211.2600,207.0000,208.9000,4315720\n";

TEST_F(FileReaderTest, ReadsPlainFile) {
  auto content = read_file(write("a.csv", kCsv));
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(*content, kCsv);
}

TEST_F(FileReaderTest, EmptyFileIsEmptyString) {
  auto content = read_file(write("empty.csv", ""));
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_TRUE(content->empty());
}

TEST_F(FileReaderTest, GzipRoundTrip) {
  std::string big;
  for (int i = 0; i < 20000; ++i) big += kCsv;  // inflates to many times the buffer guess
  auto content = read_file(write_gz("a.csv.gz", big));
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(*content, big);
}

TEST_F(FileReaderTest, GzipDetectedByMagicWithoutGzName) {
  const fs::path gz = write_gz("a.csv.gz", kCsv);
  const fs::path renamed = dir_ / "a.csv";
  fs::rename(gz, renamed);
  auto content = read_file(renamed);
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(*content, kCsv);
}

TEST_F(FileReaderTest, MultiMemberGzip) {
  write_gz("m.csv.gz", "first\n");
  const fs::path path = write_gz("m.csv.gz", "second\n", /*append=*/true);
  auto content = read_file(path);
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(*content, "first\nsecond\n");
}

TEST_F(FileReaderTest, TruncatedGzipIsInputErrorNamingTheFile) {
  std::string big;
  for (int i = 0; i < 1000; ++i) big += kCsv + std::to_string(i);
  const std::string bytes = bytes_of(write_gz("t.csv.gz", big));
  ASSERT_GT(bytes.size(), 100u);
  for (std::size_t keep : {std::size_t{2}, std::size_t{10}, bytes.size() / 2, bytes.size() - 4}) {
    const fs::path path = write("cut.csv.gz", bytes.substr(0, keep));
    auto content = read_file(path);
    ASSERT_FALSE(content.ok()) << keep;
    EXPECT_EQ(content.error().kind, core::ErrorKind::input);
    EXPECT_NE(content.error().message.find(path.string()), std::string::npos) << content.error().message;
  }
  auto cut = read_file(write("cut.csv.gz", bytes.substr(0, bytes.size() / 2)));
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find("truncated"), std::string::npos) << cut.error().message;
}

TEST_F(FileReaderTest, CorruptGzipIsInputError) {
  std::string bytes = bytes_of(write_gz("c.csv.gz", kCsv + kCsv + kCsv));
  for (std::size_t i = 12; i < bytes.size() - 8; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  const fs::path path = write("c.csv.gz", bytes);
  auto content = read_file(path);
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().kind, core::ErrorKind::input);
  EXPECT_NE(content.error().message.find(path.string()), std::string::npos) << content.error().message;

  // Trailing garbage after a good member.
  std::string trailing = bytes_of(write_gz("g.csv.gz", kCsv)) + "garbage";
  auto with_garbage = read_file(write("g.csv.gz", trailing));
  ASSERT_FALSE(with_garbage.ok());
  EXPECT_NE(with_garbage.error().message.find("after gzip member 1"), std::string::npos);

  // Zero padding after a good member is tolerated (as gzip -d does).
  std::string padded = bytes_of(write_gz("p.csv.gz", kCsv)) + std::string(16, '\0');
  auto with_padding = read_file(write("p.csv.gz", padded));
  ASSERT_TRUE(with_padding.ok()) << with_padding.error().message;
  EXPECT_EQ(*with_padding, kCsv);
}

TEST_F(FileReaderTest, GzNameWithPlainContentIsAnError) {
  auto content = read_file(write("plain.csv.gz", kCsv));
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.error().message.find("not gzip"), std::string::npos) << content.error().message;
}

TEST_F(FileReaderTest, MissingFileAndDirectory) {
  const fs::path missing = dir_ / "nope.csv";
  auto content = read_file(missing);
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().kind, core::ErrorKind::input);
  EXPECT_NE(content.error().message.find(missing.string()), std::string::npos);
  EXPECT_NE(content.error().message.find("no such file"), std::string::npos);

  auto directory = read_file(dir_);
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("is a directory"), std::string::npos);
}

TEST_F(FileReaderTest, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  const fs::path path = write("secret.csv", kCsv);
  fs::permissions(path, fs::perms::none);
  auto content = read_file(path);
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.error().message.find("cannot open"), std::string::npos);
}

TEST_F(FileReaderTest, ReadsTheSampleFiles) {
  auto polygon = read_file(std::string(ITRADE_SOURCE_DIR) + "/data/sample/polygon/AAPL_5m.csv.gz");
  if (!polygon.ok()) GTEST_SKIP() << polygon.error().message;
  EXPECT_EQ(polygon->rfind("datetime,symbol,open,high,low,close,volume", 0), 0u);
}

}  // namespace
}  // namespace itrade::data

// The feedback logger: records land in the file of their New York day, one per line, and read back
// equal; the typed records carry their documented keys in order; flush() reports the file sizes;
// resume() cuts the log back to a snapshot's position so that replaying gives byte-identical files
// (the crash-replay property); damaged, torn and malformed files are errors naming file (and line).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/time.h"
#include "execution/feedback_logger.h"

namespace itrade::execution {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

core::Timestamp utc(const char* text) {
  auto ts = core::parse_utc(text);
  EXPECT_TRUE(ts) << text;
  return *ts;
}

core::DayNumber day(const char* text) {
  auto parsed = core::parse_date(text);
  EXPECT_TRUE(parsed) << text;
  return *parsed;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_bytes(const fs::path& path, const std::string& text, std::ios::openmode mode = std::ios::trunc) {
  std::ofstream(path, std::ios::binary | mode) << text;
}

// Every file of a directory with its bytes.
std::map<std::string, std::string> snapshot_of(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) files[entry.path().filename().string()] = read_bytes(entry);
  return files;
}

// The keys of one line, in the order they were written.
std::vector<std::string> keys_of(const std::string& line) {
  std::vector<std::string> keys;
  const auto record = nlohmann::ordered_json::parse(line);  // items() refers to it: keep it alive
  for (const auto& [key, value] : record.items()) keys.push_back(key);
  return keys;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class FeedbackLoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("itrade_feedback_logger_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    // A test may have locked a directory; unlock before removing.
    if (fs::exists(dir_ / "locked", ignored)) fs::permissions(dir_ / "locked", fs::perms::owner_all, ignored);
    fs::remove_all(dir_, ignored);
  }

  FeedbackLogger open_or_die(const fs::path& dir) {
    auto logger = FeedbackLogger::open(dir);
    EXPECT_TRUE(logger) << logger.error().message;
    return std::move(logger).value();
  }

  LogPosition flush_or_die(FeedbackLogger& logger) {
    auto position = logger.flush();
    EXPECT_TRUE(position) << position.error().message;
    return position ? *position : LogPosition{};
  }

  void log_or_die(FeedbackLogger& logger, const std::string& type, core::Timestamp ts, json data) {
    auto status = logger.log(type, ts, std::move(data));
    ASSERT_TRUE(status) << status.error().message;
  }

  fs::path dir_;
};

TEST_F(FeedbackLoggerTest, RecordsGoToTheFileOfTheirNewYorkDay) {
  auto logger = open_or_die(dir_);
  // 03:00 UTC on the 20th is 22:00 New York on the 19th; 15:00 UTC is 10:00 New York on the 20th.
  log_or_die(logger, "note", utc("2024-11-20T03:00:00Z"), {{"text", "evening"}});
  log_or_die(logger, "note", utc("2024-11-20T15:00:00Z"), {{"text", "morning"}});
  log_or_die(logger, "note", utc("2024-11-20T15:00:01.5Z"), {{"text", "morning again"}, {"n", 2}});
  flush_or_die(logger);

  EXPECT_EQ(read_bytes(dir_ / "2024-11-19.jsonl"),
            "{\"type\":\"note\",\"ts\":\"2024-11-20T03:00:00Z\",\"text\":\"evening\"}\n");
  EXPECT_EQ(lines_of(read_bytes(dir_ / "2024-11-20.jsonl")).size(), 2u);

  auto evening = FeedbackLogger::read_day(dir_, day("2024-11-19"));
  ASSERT_TRUE(evening) << evening.error().message;
  EXPECT_THAT(*evening, ElementsAre(json{{"type", "note"}, {"ts", "2024-11-20T03:00:00Z"}, {"text", "evening"}}));
  auto morning = FeedbackLogger::read_day(dir_, day("2024-11-20"));
  ASSERT_TRUE(morning) << morning.error().message;
  EXPECT_THAT(
      *morning,
      ElementsAre(
          json{{"type", "note"}, {"ts", "2024-11-20T15:00:00Z"}, {"text", "morning"}},
          json{{"type", "note"}, {"ts", "2024-11-20T15:00:01.500000000Z"}, {"text", "morning again"}, {"n", 2}}));
}

TEST_F(FeedbackLoggerTest, GenericRecordsReadBackEqual) {
  auto logger = open_or_die(dir_);
  const json data = {{"nested", {{"a", 1}, {"b", {1.5, -2.25, "x"}}}},
                     {"flag", true},
                     {"nothing", nullptr},
                     {"price", 0.1 + 0.2},
                     {"text", "quote \" backslash \\ newline \n tab \t"}};
  log_or_die(logger, "custom", utc("2024-11-20T15:00:00Z"), data);
  log_or_die(logger, "empty", utc("2024-11-20T15:00:00Z"), nullptr);
  flush_or_die(logger);

  auto records = FeedbackLogger::read_day(dir_, day("2024-11-20"));
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 2u);
  json expected = data;
  expected["type"] = "custom";
  expected["ts"] = "2024-11-20T15:00:00Z";
  EXPECT_EQ((*records)[0], expected);
  EXPECT_EQ((*records)[1], (json{{"type", "empty"}, {"ts", "2024-11-20T15:00:00Z"}}));
  // One line per record, however much the data holds; type and ts come first.
  const auto lines = lines_of(read_bytes(dir_ / "2024-11-20.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(keys_of(lines[0]), ElementsAre("type", "ts", "flag", "nested", "nothing", "price", "text"));
}

TEST_F(FeedbackLoggerTest, GenericRecordsWithBadDataAreInputErrors) {
  auto logger = open_or_die(dir_);
  const core::Timestamp ts = utc("2024-11-20T15:00:00Z");
  for (auto [type, data] : std::vector<std::pair<std::string, json>>{{"", json::object()},
                                                                     {"x", json::array({1, 2})},
                                                                     {"x", 3},
                                                                     {"x", {{"type", "other"}}},
                                                                     {"x", {{"ts", 0}}}}) {
    auto status = logger.log(type, ts, data);
    ASSERT_FALSE(status) << type << " " << data.dump();
    EXPECT_EQ(status.error().kind, core::ErrorKind::input);
  }
  EXPECT_EQ(logger.buffered_records(), 0u);
}

TEST_F(FeedbackLoggerTest, NothingIsWrittenBeforeFlush) {
  auto logger = open_or_die(dir_);
  log_or_die(logger, "note", utc("2024-11-20T15:00:00Z"), json::object());
  log_or_die(logger, "note", utc("2024-11-21T15:00:00Z"), json::object());
  EXPECT_EQ(logger.buffered_records(), 2u);
  EXPECT_TRUE(fs::is_empty(dir_));
  flush_or_die(logger);
  EXPECT_EQ(logger.buffered_records(), 0u);
  EXPECT_EQ(snapshot_of(dir_).size(), 2u);
}

TEST_F(FeedbackLoggerTest, NanFeatureIsWrittenAsNull) {
  auto logger = open_or_die(dir_);
  const std::vector<std::string> names = {"rsi_14", "ret_1", "vol_20"};
  const std::vector<double> values = {55.5, std::numeric_limits<double>::quiet_NaN(), -0.125};
  auto status = logger.log_features("AAPL", utc("2024-11-20T15:00:00Z"), names, values);
  ASSERT_TRUE(status) << status.error().message;
  flush_or_die(logger);

  const auto line = read_bytes(dir_ / "2024-11-20.jsonl");
  EXPECT_THAT(line, HasSubstr("\"ret_1\":null"));
  EXPECT_THAT(keys_of(line), ElementsAre("type", "ts", "ticker", "features"));
  auto records = FeedbackLogger::read_day(dir_, day("2024-11-20"));
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 1u);
  const json& record = (*records)[0];
  EXPECT_EQ(record["type"], "features");
  EXPECT_EQ(record["ticker"], "AAPL");
  EXPECT_EQ(record["features"], (json{{"rsi_14", 55.5}, {"ret_1", nullptr}, {"vol_20", -0.125}}));
  // The features keep the order they were given in.
  const auto features = nlohmann::ordered_json::parse(line)["features"];
  std::vector<std::string> order;
  for (const auto& [key, value] : features.items()) order.push_back(key);
  EXPECT_EQ(order, names);
}

TEST_F(FeedbackLoggerTest, FeatureNamesAndValuesMustMatch) {
  auto logger = open_or_die(dir_);
  const core::Timestamp ts = utc("2024-11-20T15:00:00Z");
  const std::vector<std::string> two = {"a", "b"};
  const std::vector<std::string> twice = {"a", "a"};
  const std::vector<std::string> unnamed = {"a", ""};
  const std::vector<double> one = {1.0};
  const std::vector<double> values = {1.0, 2.0};
  for (const auto& [names, numbers] :
       {std::pair{&two, &one}, std::pair{&twice, &values}, std::pair{&unnamed, &values}}) {
    auto status = logger.log_features("AAPL", ts, *names, *numbers);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().kind, core::ErrorKind::input);
  }
  EXPECT_EQ(logger.buffered_records(), 0u);
}

TEST_F(FeedbackLoggerTest, TypedRecordsHaveTheDocumentedKeys) {
  auto logger = open_or_die(dir_);
  const core::Timestamp ts = utc("2024-11-20T15:00:00Z");

  models::SignalOutput output;
  output.signal = -0.5;
  output.confidence = 0.75;
  logger.log_prediction("MSFT", ts, output);

  OrderRequest request;
  request.client_order_id = "o1";
  request.ticker = "MSFT";
  request.side = OrderSide::sell;
  request.quantity = 10.0;
  request.reference_price = 400.0;
  request.ts = ts;
  RiskDecision decision;
  decision.verdict = Verdict::reduce;
  decision.limit = RiskLimit::order_notional;
  decision.reason = "notional 4000 > 2500";
  decision.requested_quantity = 10.0;
  decision.approved_quantity = 6.0;
  logger.log_risk_decision(request, decision);

  Order order;
  order.request = request;
  order.request.quantity = 6.0;
  order.status = OrderStatus::partially_filled;
  order.broker_order_id = "B-1";
  order.filled_quantity = 4.0;
  order.filled_notional = 1600.0;
  order.average_fill_price = 400.0;
  order.total_commission = 0.5;
  order.last_update_ts = ts + core::kNanosPerSecond;
  logger.log_order(order);

  Fill fill;
  fill.client_order_id = "o1";
  fill.exec_id = "x1";
  fill.ticker = "MSFT";
  fill.side = OrderSide::sell;
  fill.quantity = 4.0;
  fill.price = 400.0;
  fill.commission = 0.5;
  fill.ts = ts + core::kNanosPerSecond;
  logger.log_fill(fill);

  Trip trip;
  trip.limit = RiskLimit::daily_loss;
  trip.ts = ts + 2 * core::kNanosPerSecond;
  trip.equity = 97'000.0;
  trip.threshold = 97'500.0;
  logger.log_trip(trip);
  flush_or_die(logger);

  const auto lines = lines_of(read_bytes(dir_ / "2024-11-20.jsonl"));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(keys_of(lines[0]), ElementsAre("type", "ts", "ticker", "signal", "confidence"));
  EXPECT_THAT(keys_of(lines[1]), ElementsAre("type", "ts", "client_order_id", "ticker", "side", "verdict", "limit",
                                             "reason", "requested", "approved"));
  EXPECT_THAT(keys_of(lines[2]), ElementsAre("type", "ts", "client_order_id", "broker_order_id", "ticker", "side",
                                             "order_type", "limit_price", "status", "quantity", "filled_quantity",
                                             "remaining_quantity", "average_fill_price", "total_commission", "reason"));
  EXPECT_THAT(keys_of(lines[3]), ElementsAre("type", "ts", "client_order_id", "exec_id", "ticker", "side", "quantity",
                                             "price", "commission"));
  EXPECT_THAT(keys_of(lines[4]), ElementsAre("type", "ts", "limit", "equity", "threshold"));

  auto records = FeedbackLogger::read_day(dir_, day("2024-11-20"));
  ASSERT_TRUE(records) << records.error().message;
  const auto& r = *records;
  EXPECT_EQ(r[0], (json{{"type", "prediction"},
                        {"ts", "2024-11-20T15:00:00Z"},
                        {"ticker", "MSFT"},
                        {"signal", -0.5},
                        {"confidence", 0.75}}));
  EXPECT_EQ(r[1], (json{{"type", "risk_decision"},
                        {"ts", "2024-11-20T15:00:00Z"},
                        {"client_order_id", "o1"},
                        {"ticker", "MSFT"},
                        {"side", "sell"},
                        {"verdict", "reduce"},
                        {"limit", "order_notional"},
                        {"reason", "notional 4000 > 2500"},
                        {"requested", 10.0},
                        {"approved", 6.0}}));
  EXPECT_EQ(r[2]["type"], "order");
  EXPECT_EQ(r[2]["ts"], "2024-11-20T15:00:01Z");
  EXPECT_EQ(r[2]["status"], "partially_filled");
  EXPECT_EQ(r[2]["broker_order_id"], "B-1");
  EXPECT_EQ(r[2]["order_type"], "market");
  EXPECT_EQ(r[2]["quantity"], 6.0);
  EXPECT_EQ(r[2]["filled_quantity"], 4.0);
  EXPECT_EQ(r[2]["remaining_quantity"], 2.0);
  EXPECT_EQ(r[2]["average_fill_price"], 400.0);
  EXPECT_EQ(r[3], (json{{"type", "fill"},
                        {"ts", "2024-11-20T15:00:01Z"},
                        {"client_order_id", "o1"},
                        {"exec_id", "x1"},
                        {"ticker", "MSFT"},
                        {"side", "sell"},
                        {"quantity", 4.0},
                        {"price", 400.0},
                        {"commission", 0.5}}));
  EXPECT_EQ(r[4], (json{{"type", "trip"},
                        {"ts", "2024-11-20T15:00:02Z"},
                        {"limit", "daily_loss"},
                        {"equity", 97'000.0},
                        {"threshold", 97'500.0}}));
}

TEST_F(FeedbackLoggerTest, InvalidUtf8IsReplacedNotThrown) {
  auto logger = open_or_die(dir_);
  Order order;
  order.request.client_order_id = "o1";
  order.request.ticker = "MSFT";
  order.request.quantity = 1.0;
  order.status = OrderStatus::rejected;
  order.reason = "broker says \xff\xfe";
  order.last_update_ts = utc("2024-11-20T15:00:00Z");
  logger.log_order(order);
  flush_or_die(logger);
  auto records = FeedbackLogger::read_day(dir_, day("2024-11-20"));
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 1u);
  EXPECT_THAT((*records)[0]["reason"].get<std::string>(), HasSubstr("broker says "));
}

TEST_F(FeedbackLoggerTest, FlushReportsTheFileSizes) {
  auto logger = open_or_die(dir_);
  EXPECT_EQ(flush_or_die(logger), LogPosition{});  // an empty directory, nothing logged

  log_or_die(logger, "a", utc("2024-11-19T15:00:00Z"), json::object());
  log_or_die(logger, "b", utc("2024-11-20T15:00:00Z"), json::object());
  const LogPosition first = flush_or_die(logger);
  EXPECT_EQ(first.files,
            (std::map<core::DayNumber, std::uint64_t>{{day("2024-11-19"), fs::file_size(dir_ / "2024-11-19.jsonl")},
                                                      {day("2024-11-20"), fs::file_size(dir_ / "2024-11-20.jsonl")}}));

  // A flush without records changes nothing; later flushes keep the days written before.
  EXPECT_EQ(flush_or_die(logger), first);
  log_or_die(logger, "c", utc("2024-11-20T16:00:00Z"), json::object());
  const LogPosition second = flush_or_die(logger);
  EXPECT_EQ(second.files.at(day("2024-11-19")), first.files.at(day("2024-11-19")));
  EXPECT_EQ(second.files.at(day("2024-11-20")), fs::file_size(dir_ / "2024-11-20.jsonl"));
  EXPECT_GT(second.files.at(day("2024-11-20")), first.files.at(day("2024-11-20")));

  // The position survives a snapshot.
  const json document = second.to_json();
  EXPECT_EQ(document["format"], "itrade-feedback-log-position");
  EXPECT_EQ(document["files"][0]["day"], "2024-11-19");
  auto restored = LogPosition::from_json(json::parse(document.dump()));
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(*restored, second);
}

TEST_F(FeedbackLoggerTest, OpenCountsTheNewestExistingFileIntoThePosition) {
  fs::create_directories(dir_);
  write_bytes(dir_ / "2024-11-18.jsonl", "{\"type\":\"old\"}\n");
  write_bytes(dir_ / "2024-11-19.jsonl", "{\"type\":\"older session\"}\n");
  write_bytes(dir_ / "notes.txt", "not a day file");
  auto logger = open_or_die(dir_);
  const LogPosition position = flush_or_die(logger);
  EXPECT_EQ(position.files, (std::map<core::DayNumber, std::uint64_t>{{day("2024-11-19"), 25}}));

  // Appending continues the existing file.
  log_or_die(logger, "new", utc("2024-11-19T20:00:00Z"), json::object());
  flush_or_die(logger);
  auto records = FeedbackLogger::read_day(dir_, day("2024-11-19"));
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ(records->size(), 2u);
}

TEST_F(FeedbackLoggerTest, LogPositionFromJsonRejectsMalformedDocuments) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "must be a JSON object"},
      {R"({"version": 1, "files": []})", "'format'"},
      {R"({"format": "other", "version": 1, "files": []})", "'format'"},
      {R"({"format": "itrade-feedback-log-position", "version": 2, "files": []})", "'version'"},
      {R"({"format": "itrade-feedback-log-position", "version": 1})", "'files'"},
      {R"({"format": "itrade-feedback-log-position", "version": 1, "files": {}})", "'files'"},
      {R"({"format": "itrade-feedback-log-position", "version": 1, "files": [{"bytes": 1}]})", "'files[0].day'"},
      {R"({"format": "itrade-feedback-log-position", "version": 1, "files": [{"day": "2024-11-31", "bytes": 1}]})",
       "'files[0].day'"},
      {R"({"format": "itrade-feedback-log-position", "version": 1,
           "files": [{"day": "2024-11-19", "bytes": 1}, {"day": "2024-11-20", "bytes": -1}]})",
       "'files[1].bytes'"},
      {R"({"format": "itrade-feedback-log-position", "version": 1, "files": [{"day": "2024-11-19", "bytes": 1.5}]})",
       "'files[0].bytes'"},
      {R"({"format": "itrade-feedback-log-position", "version": 1,
           "files": [{"day": "2024-11-19", "bytes": 1}, {"day": "2024-11-19", "bytes": 2}]})",
       "listed twice"},
  };
  for (const auto& [text, expected] : cases) {
    auto position = LogPosition::from_json(json::parse(text));
    ASSERT_FALSE(position) << text;
    EXPECT_EQ(position.error().kind, core::ErrorKind::input);
    EXPECT_THAT(position.error().message, HasSubstr(expected)) << text;
  }
}

// A session of event batches over three New York days (one batch crosses midnight UTC, so its
// records land in two files). The engine flushes after every batch.
using Batch = std::function<void(FeedbackLogger&)>;

std::vector<Batch> session_batches() {
  std::vector<Batch> batches;
  const char* times[] = {"2024-11-19T15:00:00Z", "2024-11-19T20:59:00Z", "2024-11-20T02:00:00Z",
                         "2024-11-20T14:31:00Z", "2024-11-20T20:00:00Z", "2024-11-21T14:45:00.25Z"};
  int n = 0;
  for (const char* text : times) {
    const int batch = n++;
    const core::Timestamp ts = utc(text);
    batches.push_back([batch, ts](FeedbackLogger& logger) {
      models::SignalOutput output;
      output.signal = 0.1 * batch - 0.2;
      output.confidence = 0.6;
      logger.log_prediction("AAPL", ts, output);
      const std::vector<std::string> names = {"ret_1", "rsi_14"};
      const std::vector<double> values = {0.001 * batch, batch == 2 ? std::nan("") : 50.0 + batch};
      ASSERT_TRUE(logger.log_features("AAPL", ts, names, values));
      Fill fill;
      fill.client_order_id = "o" + std::to_string(batch);
      fill.exec_id = "x" + std::to_string(batch);
      fill.ticker = "AAPL";
      fill.quantity = 1.0 + batch;
      fill.price = 190.0 + 0.01 * batch;
      fill.ts = ts + 3 * core::kNanosPerHour;  // batch 2's fill is at New York midnight: the next day's file
      logger.log_fill(fill);
    });
  }
  return batches;
}

TEST_F(FeedbackLoggerTest, ResumeAndReplayGiveTheFilesOfAnUninterruptedRun) {
  const auto batches = session_batches();
  const fs::path reference = dir_ / "reference";
  {
    auto logger = open_or_die(reference);
    for (const auto& batch : batches) {
      batch(logger);
      flush_or_die(logger);
    }
  }
  const auto expected = snapshot_of(reference);
  ASSERT_EQ(expected.size(), 3u);

  // A crash after every possible snapshot: the batches after it were partly flushed (the crash hit
  // later), partly only buffered, and the last write was torn.
  for (std::size_t snapshot = 0; snapshot <= batches.size(); ++snapshot) {
    const fs::path run = dir_ / ("crash_after_" + std::to_string(snapshot));
    LogPosition position;
    {
      auto logger = open_or_die(run);
      position = flush_or_die(logger);
      for (std::size_t b = 0; b < snapshot; ++b) {
        batches[b](logger);
        position = flush_or_die(logger);
      }
      // After the snapshot: more batches reach the files, then one more is buffered when the process dies.
      for (std::size_t b = snapshot; b < batches.size(); ++b) {
        batches[b](logger);
        if (b + 1 < batches.size()) flush_or_die(logger);
      }
    }
    if (snapshot < batches.size()) {
      // The process died in the middle of a line of the newest file.
      const auto files = snapshot_of(run);
      const std::string newest = files.empty() ? "2024-11-21.jsonl" : files.rbegin()->first;
      write_bytes(run / newest, "{\"type\":\"fill\",\"ts\":\"2024", std::ios::app);
    }
    const json stored = position.to_json();  // through the snapshot, as the engine would
    auto restored = LogPosition::from_json(stored);
    ASSERT_TRUE(restored) << restored.error().message;

    auto resumed = FeedbackLogger::resume(run, *restored);
    ASSERT_TRUE(resumed) << resumed.error().message;
    for (std::size_t b = snapshot; b < batches.size(); ++b) {
      batches[b](*resumed);
      flush_or_die(*resumed);
    }
    EXPECT_EQ(snapshot_of(run), expected) << "snapshot after batch " << snapshot;
  }
}

TEST_F(FeedbackLoggerTest, ResumeCutsBackListedFilesAndDeletesNewerOnes) {
  fs::create_directories(dir_);
  write_bytes(dir_ / "2024-11-15.jsonl", "{\"type\":\"earlier session\"}\n");
  auto logger = open_or_die(dir_);
  log_or_die(logger, "a", utc("2024-11-19T15:00:00Z"), json::object());
  const LogPosition position = flush_or_die(logger);
  const auto at_snapshot = snapshot_of(dir_);

  log_or_die(logger, "b", utc("2024-11-19T16:00:00Z"), json::object());
  log_or_die(logger, "c", utc("2024-11-20T15:00:00Z"), json::object());
  log_or_die(logger, "d", utc("2024-11-22T15:00:00Z"), json::object());
  flush_or_die(logger);
  write_bytes(dir_ / "2024-11-18.jsonl", "{\"type\":\"older than the position\"}\n");
  write_bytes(dir_ / "readme.txt", "not a day file");

  auto resumed = FeedbackLogger::resume(dir_, position);
  ASSERT_TRUE(resumed) << resumed.error().message;
  auto expected = at_snapshot;
  expected["2024-11-18.jsonl"] = "{\"type\":\"older than the position\"}\n";  // not listed, not newer: kept
  expected["readme.txt"] = "not a day file";
  EXPECT_EQ(snapshot_of(dir_), expected);
  EXPECT_EQ(flush_or_die(*resumed), position);
}

TEST_F(FeedbackLoggerTest, ResumeWithAnEmptyPositionDeletesEveryDayFile) {
  auto logger = open_or_die(dir_);
  const LogPosition position = flush_or_die(logger);  // snapshot before anything was logged
  log_or_die(logger, "a", utc("2024-11-19T15:00:00Z"), json::object());
  flush_or_die(logger);

  auto resumed = FeedbackLogger::resume(dir_, position);
  ASSERT_TRUE(resumed) << resumed.error().message;
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(FeedbackLoggerTest, ResumeRefusesAShorterFileAndChangesNothing) {
  auto logger = open_or_die(dir_);
  log_or_die(logger, "a", utc("2024-11-19T15:00:00Z"), {{"text", "some words"}});
  const LogPosition position = flush_or_die(logger);
  log_or_die(logger, "b", utc("2024-11-20T15:00:00Z"), json::object());
  flush_or_die(logger);

  const fs::path damaged = dir_ / "2024-11-19.jsonl";
  fs::resize_file(damaged, fs::file_size(damaged) - 5);
  const auto before = snapshot_of(dir_);
  auto resumed = FeedbackLogger::resume(dir_, position);
  ASSERT_FALSE(resumed);
  EXPECT_EQ(resumed.error().kind, core::ErrorKind::runtime);
  EXPECT_THAT(resumed.error().message, HasSubstr(damaged.string()));
  EXPECT_THAT(resumed.error().message, HasSubstr("damaged"));
  EXPECT_EQ(snapshot_of(dir_), before);  // not repaired, and the newer file is still there

  fs::remove(damaged);
  auto missing = FeedbackLogger::resume(dir_, position);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, core::ErrorKind::runtime);
  EXPECT_THAT(missing.error().message, HasSubstr(damaged.string()));
}

TEST_F(FeedbackLoggerTest, FlushRefusesAFileChangedBehindItsBack) {
  auto logger = open_or_die(dir_);
  log_or_die(logger, "a", utc("2024-11-19T15:00:00Z"), json::object());
  flush_or_die(logger);
  write_bytes(dir_ / "2024-11-19.jsonl", "{\"type\":\"intruder\"}\n", std::ios::app);
  log_or_die(logger, "b", utc("2024-11-19T16:00:00Z"), json::object());
  auto position = logger.flush();
  ASSERT_FALSE(position);
  EXPECT_EQ(position.error().kind, core::ErrorKind::runtime);
  EXPECT_THAT(position.error().message, HasSubstr((dir_ / "2024-11-19.jsonl").string()));
}

TEST_F(FeedbackLoggerTest, FailedFlushKeepsTheRecordsForARetry) {
  auto logger = open_or_die(dir_);
  log_or_die(logger, "a", utc("2024-11-19T15:00:00Z"), json::object());
  log_or_die(logger, "b", utc("2024-11-20T15:00:00Z"), json::object());
  // Something in the way of the second day's file (works as root too, unlike permissions).
  const fs::path blocked = dir_ / "2024-11-20.jsonl";
  fs::create_directory(blocked);
  auto failed = logger.flush();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, core::ErrorKind::runtime);
  EXPECT_THAT(failed.error().message, HasSubstr(blocked.string()));
  EXPECT_EQ(logger.buffered_records(), 1u);  // the first day was written, the second waits

  fs::remove(blocked);
  const LogPosition position = flush_or_die(logger);
  EXPECT_EQ(logger.buffered_records(), 0u);
  EXPECT_EQ(position.files.size(), 2u);
  for (const char* date : {"2024-11-19", "2024-11-20"}) {
    auto records = FeedbackLogger::read_day(dir_, day(date));
    ASSERT_TRUE(records) << records.error().message;
    EXPECT_EQ(records->size(), 1u) << date;
  }
}

TEST_F(FeedbackLoggerTest, TornLastLineIsAnInputErrorWithFileAndLine) {
  fs::create_directories(dir_);
  const fs::path path = dir_ / "2024-11-19.jsonl";
  write_bytes(path, "{\"type\":\"a\"}\n{\"type\":\"b\"}\n{\"type\":\"c\"}");  // complete JSON, but no newline
  auto records = FeedbackLogger::read_day(dir_, day("2024-11-19"));
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().kind, core::ErrorKind::input);
  EXPECT_THAT(records.error().message, HasSubstr(path.string() + ":3:"));
  EXPECT_THAT(records.error().message, HasSubstr("no newline"));
}

TEST_F(FeedbackLoggerTest, MalformedLineIsAnInputErrorWithFileAndLine) {
  fs::create_directories(dir_);
  const fs::path path = dir_ / "2024-11-19.jsonl";
  for (const char* bad : {"{\"type\":\"b\",}", "", "[1,2]"}) {
    write_bytes(path, std::string("{\"type\":\"a\"}\n") + bad + "\n{\"type\":\"c\"}\n");
    auto records = FeedbackLogger::read_day(dir_, day("2024-11-19"));
    ASSERT_FALSE(records) << bad;
    EXPECT_EQ(records.error().kind, core::ErrorKind::input);
    EXPECT_THAT(records.error().message, HasSubstr(path.string() + ":2:")) << bad;
  }
}

TEST_F(FeedbackLoggerTest, MissingDayFileIsAnInputError) {
  fs::create_directories(dir_);
  auto records = FeedbackLogger::read_day(dir_, day("2024-11-19"));
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().kind, core::ErrorKind::input);
  EXPECT_THAT(records.error().message, HasSubstr((dir_ / "2024-11-19.jsonl").string()));

  write_bytes(dir_ / "2024-11-20.jsonl", "");
  auto empty = FeedbackLogger::read_day(dir_, day("2024-11-20"));
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->empty());
}

TEST_F(FeedbackLoggerTest, UnwritableDirectoryIsARuntimeError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  const fs::path locked = dir_ / "locked";
  fs::create_directories(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);

  for (const fs::path& target : {locked / "logs", locked}) {
    auto logger = FeedbackLogger::open(target);
    ASSERT_FALSE(logger) << target;
    EXPECT_EQ(logger.error().kind, core::ErrorKind::runtime);
    EXPECT_THAT(logger.error().message, HasSubstr(target.string()));
  }

  // A directory that becomes unwritable: flush fails naming the file, keeps the records, and
  // succeeds once the directory is writable again.
  fs::permissions(locked, fs::perms::owner_all);
  auto logger = open_or_die(locked);
  log_or_die(logger, "a", utc("2024-11-19T15:00:00Z"), json::object());
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  auto failed = logger.flush();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, core::ErrorKind::runtime);
  EXPECT_THAT(failed.error().message, HasSubstr((locked / "2024-11-19.jsonl").string()));
  EXPECT_THAT(failed.error().message, HasSubstr("Permission denied"));
  EXPECT_EQ(logger.buffered_records(), 1u);

  fs::permissions(locked, fs::perms::owner_all);
  const LogPosition position = flush_or_die(logger);
  EXPECT_EQ(position.files.size(), 1u);
  auto records = FeedbackLogger::read_day(locked, day("2024-11-19"));
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ(records->size(), 1u);
}

}  // namespace
}  // namespace itrade::execution

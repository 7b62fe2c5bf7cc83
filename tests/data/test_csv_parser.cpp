#include <gtest/gtest.h>

#include <string>

#include "data/csv_parser.h"
#include "data/file_reader.h"

namespace itrade::data {
namespace {

using core::Timestamp;

constexpr Timestamp kNs = core::kNanosPerSecond;

// 2024-08-09T08:00:00Z
constexpr Timestamp kAug9_0800 = core::start_of_day(core::days_from_civil(2024, 8, 9)) + 8 * core::kNanosPerHour;

CsvOptions utc_options(BadRowPolicy policy = BadRowPolicy::error) {
  CsvOptions options;
  options.on_bad_row = policy;
  options.default_ticker = "AAPL";
  return options;
}

CsvOptions new_york_options(BadRowPolicy policy = BadRowPolicy::error) {
  CsvOptions options = utc_options(policy);
  options.naive_timezone = core::TimeZone::new_york();
  return options;
}

Timestamp utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return core::start_of_day(core::days_from_civil(y, mo, d)) + h * core::kNanosPerHour + mi * core::kNanosPerMinute +
         s * kNs;
}

// The single timestamp of a one-row file with the given ts text.
Timestamp parse_one_ts(const std::string& ts_text, const CsvOptions& options = utc_options()) {
  const std::string content = "ts,open,high,low,close\n" + ts_text + ",1,2,1,2\n";
  auto parsed = parse_csv(content, "one.csv", options);
  EXPECT_TRUE(parsed.ok()) << ts_text << ": " << (parsed.ok() ? "" : parsed.error().message);
  if (!parsed.ok() || parsed->rows() != 1) return -1;
  return parsed->ts[0];
}

// Error message of a file whose only bad row is the given data line (line 3 of the file).
std::string bad_row_error(const std::string& header, const std::string& bad_line,
                          const CsvOptions& options = utc_options()) {
  const std::string content = header + "\n2024-08-09 08:00:00,1,2,1,2,10\n" + bad_line + "\n";
  auto parsed = parse_csv(content, "bad.csv", options);
  EXPECT_FALSE(parsed.ok()) << bad_line;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.error().kind, core::ErrorKind::input);
  return parsed.error().message;
}

constexpr const char* kHeader6 = "ts,open,high,low,close,volume";

// ---- real layouts ---------------------------------------------------------------------

TEST(CsvParser, PolygonLayoutWithSeveralTickers) {
  auto content = read_file(std::string(ITRADE_TEST_DATA_DIR) + "/csv/polygon_two_tickers.csv");
  ASSERT_TRUE(content.ok()) << content.error().message;
  auto parsed = parse_csv(*content, "polygon_two_tickers.csv", utc_options());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->rows(), 6u);
  EXPECT_EQ(parsed->tickers, (std::vector<std::string>{"AAPL", "MSFT"}));
  EXPECT_EQ(parsed->ticker_index, (std::vector<std::uint16_t>{0, 0, 0, 1, 1, 0}));
  EXPECT_EQ(parsed->line, (std::vector<std::uint32_t>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(parsed->ts[0], kAug9_0800);
  EXPECT_EQ(parsed->ts[3], kAug9_0800);
  EXPECT_EQ(parsed->ts[5], kAug9_0800 + 15 * core::kNanosPerMinute);
  EXPECT_DOUBLE_EQ(parsed->open[0], 213.41);
  EXPECT_DOUBLE_EQ(parsed->high[0], 213.92);
  EXPECT_DOUBLE_EQ(parsed->low[0], 213.26);
  EXPECT_DOUBLE_EQ(parsed->close[0], 213.92);
  EXPECT_DOUBLE_EQ(parsed->volume[0], 12600.0);
  EXPECT_TRUE(parsed->has_volume);
  EXPECT_EQ(parsed->bad_rows, 0u);
  EXPECT_EQ(parsed->file, "polygon_two_tickers.csv");
}

TEST(CsvParser, IbkrLayoutNaiveNewYork) {
  auto content = read_file(std::string(ITRADE_TEST_DATA_DIR) + "/csv/ibkr_aapl.csv");
  ASSERT_TRUE(content.ok()) << content.error().message;
  auto parsed = parse_csv(*content, "ibkr_aapl.csv", new_york_options());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->rows(), 4u);
  EXPECT_EQ(parsed->ts[0], utc(2025, 5, 12, 13, 30));  // EDT = UTC-4
  EXPECT_EQ(parsed->ts[3], utc(2025, 5, 12, 13, 45));
  EXPECT_DOUBLE_EQ(parsed->open[0], 211.04);
  EXPECT_DOUBLE_EQ(parsed->volume[0], 4315720);
  EXPECT_EQ(parsed->tickers, (std::vector<std::string>{"AAPL"}));
  EXPECT_EQ(parsed->ticker_index, (std::vector<std::uint16_t>(4, 0)));
}

TEST(CsvParser, NewYorkWinterIsUtcMinusFive) {
  EXPECT_EQ(parse_one_ts("2025-01-13 09:30:00", new_york_options()), utc(2025, 1, 13, 14, 30));
}

// ---- headers --------------------------------------------------------------------------

TEST(CsvParser, HeaderAliasesAnyCaseAndExtraColumnsIgnored) {
  const char* headers[] = {
      "Date,Open,High,Low,Close,Volume",     "DATETIME,O,H,L,C,V",       "time,open,high,low,last,vol",
      "timestamp_utc,open,high,low,close,v", "date_time,o,h,l,c,volume", "Timestamp,open,high,low,close,volume",
  };
  for (const char* header : headers) {
    const std::string content = std::string(header) + "\n2024-08-09 08:00:00,1.5,2.5,1.25,2,100\n";
    auto parsed = parse_csv(content, "alias.csv", utc_options());
    ASSERT_TRUE(parsed.ok()) << header << ": " << parsed.error().message;
    EXPECT_EQ(parsed->ts[0], kAug9_0800) << header;
    EXPECT_DOUBLE_EQ(parsed->open[0], 1.5);
    EXPECT_DOUBLE_EQ(parsed->high[0], 2.5);
    EXPECT_DOUBLE_EQ(parsed->low[0], 1.25);
    EXPECT_DOUBLE_EQ(parsed->close[0], 2);
    EXPECT_DOUBLE_EQ(parsed->volume[0], 100);
  }
  // Columns in another order, ticker aliases, extra columns.
  auto parsed = parse_csv("vwap,Close,tic,ts,low,high,open,transactions\n9,2,SPY,2024-08-09 08:00:00,1,3,1.5,7\n",
                          "order.csv", utc_options());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_DOUBLE_EQ(parsed->open[0], 1.5);
  EXPECT_DOUBLE_EQ(parsed->high[0], 3);
  EXPECT_DOUBLE_EQ(parsed->low[0], 1);
  EXPECT_DOUBLE_EQ(parsed->close[0], 2);
  EXPECT_EQ(parsed->tickers, (std::vector<std::string>{"SPY"}));
  EXPECT_FALSE(parsed->has_volume);
  EXPECT_EQ(parsed->volume[0], -1);
}

TEST(CsvParser, HeaderMissingColumnsListsThemAndTheAliases) {
  auto parsed = parse_csv("datetime,open,close,volume\n2024-08-09 08:00:00,1,2,3\n", "miss.csv", utc_options());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, core::ErrorKind::input);
  const std::string& message = parsed.error().message;
  EXPECT_NE(message.find("miss.csv:1:"), std::string::npos) << message;
  EXPECT_NE(message.find("high, low"), std::string::npos) << message;
  EXPECT_NE(message.find("date_time"), std::string::npos) << message;  // aliases listed
  EXPECT_NE(message.find("close/c/last"), std::string::npos) << message;

  auto no_ts = parse_csv("symbol,open,high,low,close\nA,1,2,1,2\n", "nots.csv", utc_options());
  ASSERT_FALSE(no_ts.ok());
  EXPECT_NE(no_ts.error().message.find("timestamp"), std::string::npos);
}

TEST(CsvParser, HeaderWithDuplicateRoleIsAnError) {
  auto parsed = parse_csv("date,time,open,high,low,close\n2024-08-09,08:00,1,2,1,2\n", "dup.csv", utc_options());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("'date' and 'time'"), std::string::npos) << parsed.error().message;
}

TEST(CsvParser, NeitherHeaderNorData) {
  auto parsed = parse_csv("foo,bar\n1,2\n", "junk.csv", utc_options());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("junk.csv:1:"), std::string::npos) << parsed.error().message;
}

TEST(CsvParser, HeaderlessPositional) {
  auto with_volume =
      parse_csv("2024-08-09 08:00:00,1,2,0.5,1.5,10\n2024-08-09 08:05:00,1,2,0.5,1.5,11\n", "nohdr.csv", utc_options());
  ASSERT_TRUE(with_volume.ok()) << with_volume.error().message;
  ASSERT_EQ(with_volume->rows(), 2u);
  EXPECT_EQ(with_volume->line, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_TRUE(with_volume->has_volume);
  EXPECT_DOUBLE_EQ(with_volume->volume[1], 11);
  EXPECT_DOUBLE_EQ(with_volume->low[0], 0.5);

  auto without_volume = parse_csv("1723190400,1,2,0.5,1.5\n", "nohdr5.csv", utc_options());
  ASSERT_TRUE(without_volume.ok()) << without_volume.error().message;
  EXPECT_FALSE(without_volume->has_volume);
  EXPECT_EQ(without_volume->ts[0], kAug9_0800);
  EXPECT_EQ(without_volume->volume[0], -1);

  auto seven = parse_csv("2024-08-09 08:00:00,AAPL,1,2,0.5,1.5,10\n", "nohdr7.csv", utc_options());
  ASSERT_FALSE(seven.ok());
  EXPECT_NE(seven.error().message.find("nohdr7.csv:1:"), std::string::npos);
}

// ---- timestamps -----------------------------------------------------------------------

TEST(CsvParser, TimestampFormats) {
  EXPECT_EQ(parse_one_ts("2024-08-09 08:00:00"), kAug9_0800);
  EXPECT_EQ(parse_one_ts("2024-08-09T08:00:00"), kAug9_0800);
  EXPECT_EQ(parse_one_ts("2024-08-09T08:00:00Z"), kAug9_0800);
  EXPECT_EQ(parse_one_ts("2024-08-09 08:00"), kAug9_0800);
  EXPECT_EQ(parse_one_ts("2024-08-09T08:00:00.5Z"), kAug9_0800 + kNs / 2);
  EXPECT_EQ(parse_one_ts("2024-08-09 08:00:00.123456789"), kAug9_0800 + 123456789);
  EXPECT_EQ(parse_one_ts("2024-08-09 08:00:00.1234567891"), kAug9_0800 + 123456789);  // beyond ns dropped
  EXPECT_EQ(parse_one_ts("2024-08-09T04:00:00-04:00"), kAug9_0800);
  EXPECT_EQ(parse_one_ts("2024-08-09T10:00:00+02:00"), kAug9_0800);
  EXPECT_EQ(parse_one_ts("2024-08-09T10:30:00+0230"), kAug9_0800);
  EXPECT_EQ(parse_one_ts("2024-08-09T10:00:00.25+02:00"), kAug9_0800 + kNs / 4);
  EXPECT_EQ(parse_one_ts("20240809 08:00:00"), kAug9_0800);  // IBKR
  EXPECT_EQ(parse_one_ts("2024-08-09"), kAug9_0800 - 8 * core::kNanosPerHour);
  // An offset or Z wins over the naive zone.
  EXPECT_EQ(parse_one_ts("2024-08-09T08:00:00Z", new_york_options()), kAug9_0800);
  EXPECT_EQ(parse_one_ts("2024-08-09T08:00:00+00:00", new_york_options()), kAug9_0800);
  // IBKR naive New York and date-only New York midnight.
  EXPECT_EQ(parse_one_ts("20250512 09:30:00", new_york_options()), utc(2025, 5, 12, 13, 30));
  EXPECT_EQ(parse_one_ts("2025-05-12", new_york_options()), utc(2025, 5, 12, 4, 0));
}

TEST(CsvParser, EpochUnitFromMagnitude) {
  EXPECT_EQ(parse_one_ts("1723190400"), kAug9_0800);                  // s
  EXPECT_EQ(parse_one_ts("1723190400000"), kAug9_0800);               // ms
  EXPECT_EQ(parse_one_ts("1723190400000000"), kAug9_0800);            // us
  EXPECT_EQ(parse_one_ts("1723190400000000000"), kAug9_0800);         // ns
  EXPECT_EQ(parse_one_ts("9000000000"), 9000000000 * kNs);            // seconds, year 2255
  EXPECT_EQ(parse_one_ts("100000000000"), 100000000000 * 1'000'000);  // smallest ms value
  // Epochs are UTC whatever the naive zone.
  EXPECT_EQ(parse_one_ts("1723190400", new_york_options()), kAug9_0800);
}

TEST(CsvParser, AmbiguousFallBackHourWalksForward) {
  // 2024-11-03: New York falls back at 02:00 EDT -> 01:00 EST; 01:00-01:59 happens twice.
  const std::string content =
      "datetime,open,high,low,close,volume\n"
      "2024-11-03 00:55:00,1,2,1,2,1\n"
      "2024-11-03 01:00:00,1,2,1,2,1\n"   // EDT (earliest)
      "2024-11-03 01:55:00,1,2,1,2,1\n"   // EDT
      "2024-11-03 01:00:00,1,2,1,2,1\n"   // EST: earliest would not be after 01:55 EDT
      "2024-11-03 01:30:00,1,2,1,2,1\n"   // EST: earliest (05:30Z) is before 06:00Z
      "2024-11-03 02:00:00,1,2,1,2,1\n";  // EST, unique
  auto parsed = parse_csv(content, "fallback.csv", new_york_options());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->rows(), 6u);
  EXPECT_EQ(parsed->ts[0], utc(2024, 11, 3, 4, 55));
  EXPECT_EQ(parsed->ts[1], utc(2024, 11, 3, 5, 0));
  EXPECT_EQ(parsed->ts[2], utc(2024, 11, 3, 5, 55));
  EXPECT_EQ(parsed->ts[3], utc(2024, 11, 3, 6, 0));
  EXPECT_EQ(parsed->ts[4], utc(2024, 11, 3, 6, 30));
  EXPECT_EQ(parsed->ts[5], utc(2024, 11, 3, 7, 0));

  // The rule is per ticker: MSFT's first 01:00 is the earliest even after AAPL's EST rows.
  const std::string two =
      "datetime,symbol,open,high,low,close\n"
      "2024-11-03 01:30:00,AAPL,1,2,1,2\n"
      "2024-11-03 01:30:00,AAPL,1,2,1,2\n"
      "2024-11-03 01:30:00,MSFT,1,2,1,2\n";
  auto per_ticker = parse_csv(two, "fallback2.csv", new_york_options());
  ASSERT_TRUE(per_ticker.ok()) << per_ticker.error().message;
  EXPECT_EQ(per_ticker->ts[0], utc(2024, 11, 3, 5, 30));
  EXPECT_EQ(per_ticker->ts[1], utc(2024, 11, 3, 6, 30));
  EXPECT_EQ(per_ticker->ts[2], utc(2024, 11, 3, 5, 30));
}

TEST(CsvParser, NonexistentLocalTimeIsBad) {
  const std::string message = bad_row_error(kHeader6, "2024-03-10 02:30:00,1,2,1,2,10", new_york_options());
  EXPECT_NE(message.find("bad.csv:3: timestamp '2024-03-10 02:30:00'"), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
}

// ---- bad rows -------------------------------------------------------------------------

struct BadCase {
  const char* line;
  const char* expected;  // text expected after "bad.csv:3: "
};

TEST(CsvParser, EveryKindOfBadRowNamesFileAndLine) {
  const BadCase cases[] = {
      {"2024-08-09 08:05:00,1,2,1,2", "5 columns, expected 6"},
      {"2024-08-09 08:05:00,1,2,1,2,10,11", "7 columns, expected 6"},
      {"2024-08-09 08:05:00,,2,1,2,10", "empty open"},
      {"2024-08-09 08:05:00,1,2,1,,10", "empty close"},
      {"2024-08-09 08:05:00,1,2,1,2,", "empty volume"},
      {",1,2,1,2,10", "empty timestamp"},
      {"2024-08-09 08:05:00,abc,2,1,2,10", "open 'abc' is not a number"},
      {"2024-08-09 08:05:00,1,2x,1,2,10", "high '2x' is not a number"},
      {"2024-08-09 08:05:00,1,2,1,2,ten", "volume 'ten' is not a number"},
      {"2024-08-09 08:05:00,nan,2,1,2,10", "open is nan"},
      {"2024-08-09 08:05:00,1,inf,1,2,10", "high is inf"},
      {"2024-08-09 08:05:00,1,2,1,NaN,10", "close is NaN"},
      {"2024-08-09 08:05:00,1,2,1,2,inf", "volume is inf"},
      {"2024-08-09 08:05:00,0,2,1,2,10", "open 0 is not positive"},
      {"2024-08-09 08:05:00,1,2,-1,2,10", "low -1 is not positive"},
      {"2024-08-09 08:05:00,1,1,2,1.5,10", "high 1 < low 2"},
      {"2024-08-09 08:05:00,1,2,1,2,-5", "negative volume -5"},
      {"2024-08-09 8:05:00,1,2,1,2,10", "unparsable timestamp '2024-08-09 8:05:00'"},
      {"09/08/2024 08:05,1,2,1,2,10", "unparsable timestamp '09/08/2024 08:05'"},
      {"2024-02-30 08:05:00,1,2,1,2,10", "invalid date '2024-02-30 08:05:00'"},
      {"9999-08-09 08:05:00,1,2,1,2,10", "year outside 1700..2200 '9999-08-09 08:05:00'"},
      {"2024-08-09 24:05:00,1,2,1,2,10", "invalid time of day '2024-08-09 24:05:00'"},
      {"2024-08-09T08:05:00+5,1,2,1,2,10", "unparsable UTC offset"},
      {"2024-08-09T08:05:00Zulu,1,2,1,2,10", "unparsable timestamp"},
      {"99999999999999999999,1,2,1,2,10", "epoch timestamp out of range"},
      {"99999999999,1,2,1,2,10", "epoch timestamp out of range"},  // seconds beyond int64 ns
      {"\"2024-08-09 08:05:00,1,2,1,2,10", "unterminated quote"},
  };
  for (const auto& c : cases) {
    const std::string message = bad_row_error(kHeader6, c.line);
    EXPECT_NE(message.find(std::string("bad.csv:3: ") + c.expected), std::string::npos)
        << "line: " << c.line << "\nmessage: " << message;
    EXPECT_NE(message.find("(1 bad rows in all"), std::string::npos) << message;
  }
}

TEST(CsvParser, OpenOutsideHighLowIsNotCheckedHere) {
  auto parsed = parse_csv("ts,open,high,low,close\n2024-08-09 08:00:00,5,2,1,0.5\n", "loose.csv", utc_options());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_DOUBLE_EQ(parsed->open[0], 5);
}

TEST(CsvParser, EmptyTickerIsBad) {
  auto parsed =
      parse_csv("datetime,symbol,open,high,low,close\n2024-08-09 08:00:00,,1,2,1,2\n", "t.csv", utc_options());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("t.csv:2: empty ticker"), std::string::npos) << parsed.error().message;
}

std::string many_bad_rows() {
  std::string content = "ts,open,high,low,close,volume\n";  // line 1
  content += "2024-08-09 08:00:00,1,2,1,2,10\n";            // line 2, good
  content += "2024-08-09 08:05:00,1,2,1,2,-1\n";            // line 3, bad
  content += "2024-08-09 08:10:00,1,2,1,2,10\n";            // line 4, good
  content += "2024-08-09 08:15:00,1,2,1\n";                 // line 5, bad
  content += "2024-08-09 08:20:00,1,1,2,2,10\n";            // line 6, bad
  content += "2024-08-09 08:25:00,1,2,1,2,10\n";            // line 7, good
  return content;
}

TEST(CsvParser, ErrorPolicyListsFirstProblemsAndTheTotal) {
  CsvOptions options = utc_options(BadRowPolicy::error);
  options.max_reported_problems = 2;
  auto parsed = parse_csv(many_bad_rows(), "many.csv", options);
  ASSERT_FALSE(parsed.ok());
  const std::string& message = parsed.error().message;
  EXPECT_EQ(message.rfind("many.csv:3: negative volume -1", 0), 0u) << message;
  EXPECT_NE(message.find("many.csv:5: 4 columns, expected 6"), std::string::npos) << message;
  EXPECT_EQ(message.find("many.csv:6:"), std::string::npos) << message;  // beyond the reported two
  EXPECT_NE(message.find("(3 bad rows in all"), std::string::npos) << message;
}

TEST(CsvParser, SkipPolicyDropsAndCountsBadRows) {
  CsvOptions options = utc_options(BadRowPolicy::skip);
  options.max_reported_problems = 2;
  auto parsed = parse_csv(many_bad_rows(), "many.csv", options);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->rows(), 3u);
  EXPECT_EQ(parsed->line, (std::vector<std::uint32_t>{2, 4, 7}));
  EXPECT_EQ(parsed->bad_rows, 3u);
  ASSERT_EQ(parsed->problems.size(), 2u);
  EXPECT_EQ(parsed->problems[0].line, 3u);
  EXPECT_EQ(parsed->problems[0].message, "negative volume -1");
  EXPECT_EQ(parsed->problems[1].line, 5u);
  EXPECT_EQ(parsed->problems[1].message, "4 columns, expected 6");
}

TEST(CsvParser, SkipPolicyWithOnlyBadRowsHasNoRows) {
  auto parsed = parse_csv("ts,open,high,low,close\n2024-08-09 08:00:00,1,2,1,-2\n", "allbad.csv",
                          utc_options(BadRowPolicy::skip));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("allbad.csv: no rows"), std::string::npos) << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("allbad.csv:2: close -2 is not positive"), std::string::npos);
}

TEST(CsvParser, BadRowsOfTwoTickersKeepGoodTickersOnly) {
  const std::string content =
      "datetime,symbol,open,high,low,close\n"
      "2024-08-09 08:00:00,BAD,1,2,1,-2\n"
      "2024-08-09 08:00:00,GOOD,1,2,1,2\n";
  auto parsed = parse_csv(content, "t.csv", utc_options(BadRowPolicy::skip));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->tickers, (std::vector<std::string>{"GOOD"}));
  EXPECT_EQ(parsed->ticker_index, (std::vector<std::uint16_t>{0}));
}

// ---- empty input, line ends, BOM, quotes ------------------------------------------------

TEST(CsvParser, EmptyOrHeaderOnlyHasNoRows) {
  for (const char* content :
       {"", "\n", "\r\n\r\n", "datetime,open,high,low,close\n", "datetime,open,high,low,close", "\xEF\xBB\xBF"}) {
    auto parsed = parse_csv(content, "empty.csv", utc_options());
    ASSERT_FALSE(parsed.ok()) << content;
    EXPECT_EQ(parsed.error().kind, core::ErrorKind::input);
    EXPECT_EQ(parsed.error().message.rfind("empty.csv: no rows", 0), 0u) << parsed.error().message;
  }
}

TEST(CsvParser, CrlfBomQuotesAndNoTrailingNewline) {
  const std::string content =
      "\xEF\xBB\xBF\"datetime\",\"symbol\",open,high,low,close,volume\r\n"
      "2024-08-09 08:00:00,\"AAPL\",213.41,213.92,213.26,213.92,12600.0\r\n"
      "\r\n"
      "\"2024-08-09 08:05:00\",AAPL,213.73,213.88,213.73,213.87,5345.0";
  auto parsed = parse_csv(content, "crlf.csv", utc_options());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->rows(), 2u);
  EXPECT_EQ(parsed->tickers, (std::vector<std::string>{"AAPL"}));
  EXPECT_EQ(parsed->line, (std::vector<std::uint32_t>{2, 4}));
  EXPECT_EQ(parsed->ts[1], kAug9_0800 + 5 * core::kNanosPerMinute);
  EXPECT_DOUBLE_EQ(parsed->volume[1], 5345.0);
  EXPECT_DOUBLE_EQ(parsed->close[0], 213.92);
}

TEST(CsvParser, QuotedFieldMayHoldACommaAndSpacesAreTrimmed) {
  const std::string content =
      "datetime, symbol ,open,high,low,close\n"
      "2024-08-09 08:00:00,\"BRK,B\", 1 ,2,1,+2\n";
  auto parsed = parse_csv(content, "q.csv", utc_options());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->tickers, (std::vector<std::string>{"BRK,B"}));
  EXPECT_DOUBLE_EQ(parsed->open[0], 1);
  EXPECT_DOUBLE_EQ(parsed->close[0], 2);
}

TEST(CsvParser, LineNumbersCountBlankLinesAndCrlf) {
  const std::string content = "ts,open,high,low,close\r\n\r\n2024-08-09 08:00:00,1,2,1,2\r\n\r\nbad,1,2,1,2\r\n";
  auto parsed = parse_csv(content, "n.csv", utc_options());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.rfind("n.csv:5: unparsable timestamp 'bad'", 0), 0u) << parsed.error().message;
}

}  // namespace
}  // namespace itrade::data

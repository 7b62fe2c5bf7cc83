// Signals from a file: the CSV reader's rules and errors, alignment with the bars (a signal is never
// moved to another bar), and a signals backtest that equals the backtester run on the same signals.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/time.h"
#include "data/synthetic_market.h"
#include "evaluation/backtester.h"
#include "evaluation/signal_backtest.h"
#include "evaluation/signal_file.h"

namespace itrade::evaluation {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SignalFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("itrade_signals_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& text) {
    const fs::path path = dir_ / "signals.csv";
    std::ofstream(path) << text;
    return path;
  }
  std::string error_of(const std::string& text) {
    auto read = read_signal_file(write(text));
    EXPECT_FALSE(read.ok()) << text;
    return read.ok() ? "" : read.error().message;
  }
  fs::path dir_;
};

TEST_F(SignalFileTest, ReadsColumnsInAnyOrderAndIgnoresOthers) {
  auto file =
      read_signal_file(write("fold,signal,ts,ticker,confidence,extra\r\n"
                             "1,0.5,2024-08-12T13:30:00Z,MSFT,0.8,x\r\n"
                             "1,-0.25,2024-08-12T13:35:00Z,MSFT,1,y\r\n"
                             "1,,2024-08-12T13:30:00Z,\"A,B\",,z\n"));
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->tickers, (std::vector<std::string>{"MSFT", "A,B"}));
  const auto& msft = file->rows.at("MSFT");
  ASSERT_EQ(msft.size(), 2u);
  EXPECT_EQ(core::format_utc(msft[0].ts), "2024-08-12T13:30:00Z");
  EXPECT_DOUBLE_EQ(msft[0].signal, 0.5);
  EXPECT_DOUBLE_EQ(msft[0].confidence, 0.8);
  EXPECT_DOUBLE_EQ(msft[1].signal, -0.25);
  EXPECT_EQ(msft[1].line, 3);
  // An empty signal is "no prediction"; its confidence is not read.
  EXPECT_TRUE(std::isnan(file->rows.at("A,B")[0].signal));
}

TEST_F(SignalFileTest, ConfidenceDefaultsToOne) {
  auto file = read_signal_file(write("ticker,ts,signal\nAAPL,2024-08-12T13:30:00Z,1\n"));
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_DOUBLE_EQ(file->rows.at("AAPL")[0].confidence, 1.0);
}

TEST_F(SignalFileTest, BadInputNamesFileLineAndProblem) {
  EXPECT_THAT(error_of(""), HasSubstr("empty file"));
  EXPECT_THAT(error_of("ticker,time,signal\n"), HasSubstr(":1: the header needs the columns ticker, ts and signal"));
  EXPECT_THAT(error_of("ticker,ts,signal\n"), HasSubstr("no signal rows"));
  EXPECT_THAT(error_of("ticker,ts,signal\nAAPL,2024-08-12T13:30:00Z\n"),
              HasSubstr(":2: 2 fields where the header has 3"));
  EXPECT_THAT(error_of("ticker,ts,signal\nAAPL,2024-08-12 13:30,0.1\n"),
              HasSubstr(":2: ts: '2024-08-12 13:30' is not a UTC time"));
  EXPECT_THAT(error_of("ticker,ts,signal\nAAPL,2024-08-12T13:30:00Z,1.5\n"),
              HasSubstr(":2: signal '1.5' is not a number in [-1, 1]"));
  EXPECT_THAT(error_of("ticker,ts,signal\nAAPL,2024-08-12T13:30:00Z,abc\n"), HasSubstr("signal 'abc'"));
  EXPECT_THAT(error_of("ticker,ts,signal,confidence\nAAPL,2024-08-12T13:30:00Z,0.5,\n"),
              HasSubstr(":2: confidence '' is not a number in [0, 1]"));
  EXPECT_THAT(error_of("ticker,ts,signal\nAAPL,2024-08-12T13:35:00Z,0.5\nAAPL,2024-08-12T13:30:00Z,0.5\n"),
              HasSubstr(":3: AAPL at 2024-08-12T13:30:00Z does not come after its previous row (line 2)"));
  EXPECT_THAT(error_of("ticker,ts,signal\n\"AAPL,2024-08-12T13:30:00Z,0.5\n"), HasSubstr(":2: unclosed quote"));
  auto missing = read_signal_file(dir_ / "nope.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("nope.csv"));
}

core::BarFrame market() {
  data::SynthOptions options;
  options.tickers = 2;
  options.days = 6;
  options.first_day = core::days_from_civil(2024, 8, 12);
  return data::generate_synthetic_market(options);
}

TEST_F(SignalFileTest, AlignPutsEachSignalOnItsBarAndRefusesAnyOther) {
  const core::BarFrame frame = market();
  const core::BarSeries& a = frame.series[0];
  const std::string row = a.ticker + "," + core::format_utc(a.ts[3]) + ",0.5,0.5\n";
  auto file = read_signal_file(write("ticker,ts,signal,confidence\n" + row));
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto aligned = align_signals(*file, frame.series);
  ASSERT_TRUE(aligned.ok()) << aligned.error().message;
  ASSERT_EQ(aligned->size(), 2u);
  ASSERT_EQ((*aligned)[0].signal.size(), a.size());
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(!std::isnan((*aligned)[0].signal[k]), k == 3) << k;
  EXPECT_DOUBLE_EQ((*aligned)[0].signal[3], 0.5);
  EXPECT_TRUE(std::isnan((*aligned)[1].signal[0]));

  // One minute off a bar start: an error, never the nearest bar.
  file = read_signal_file(
      write("ticker,ts,signal\n" + a.ticker + "," + core::format_utc(a.ts[3] + core::kNanosPerMinute) + ",0.5\n"));
  ASSERT_TRUE(file.ok());
  aligned = align_signals(*file, frame.series);
  ASSERT_FALSE(aligned.ok());
  EXPECT_THAT(aligned.error().message, HasSubstr(":2: " + a.ticker + " has no bar starting at"));
  file = read_signal_file(write("ticker,ts,signal\nZZZZ," + core::format_utc(a.ts[3]) + ",0.5\n"));
  ASSERT_TRUE(file.ok());
  aligned = align_signals(*file, frame.series);
  ASSERT_FALSE(aligned.ok());
  EXPECT_THAT(aligned.error().message, HasSubstr("ticker ZZZZ has signals but no bars"));
}

TEST_F(SignalFileTest, SignalBacktestEqualsTheBacktesterFromTheFirstSignal) {
  const core::BarFrame frame = market();
  // Alternating long and short signals on both tickers from the second day's 10th bar on.
  std::string text = "ticker,ts,signal,confidence\n";
  std::vector<TickerSignals> expected(2);
  std::vector<core::BarSeries> cut = frame.series;
  const core::Timestamp from = frame.series[0].ts[78 + 10];
  for (std::size_t i = 0; i < 2; ++i) {
    const core::BarSeries& s = frame.series[i];
    std::size_t first = 0;
    while (s.ts[first] < from) ++first;
    cut[i].keep_range(first, s.size());
    for (std::size_t k = first; k < s.size(); ++k) {
      const double signal = ((k / 7) % 3 == 0 ? 0.8 : (k / 7) % 3 == 1 ? -0.6 : 0.0) * (i == 0 ? 1.0 : -1.0);
      text += s.ticker + "," + core::format_utc(s.ts[k]) + "," + std::to_string(signal) + ",0.9\n";
      expected[i].signal.push_back(std::stod(std::to_string(signal)));
      expected[i].confidence.push_back(0.9);
    }
  }
  auto file = read_signal_file(write(text));
  ASSERT_TRUE(file.ok()) << file.error().message;
  SignalBacktestSpec spec;
  auto run = run_signal_backtest(frame.series, *file, spec);
  ASSERT_TRUE(run.ok()) << run.error().message;
  auto direct = run_backtest(cut, expected, spec.backtest);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(run->evaluated_from, from);
  EXPECT_EQ(run->backtest.ts.front(), from);
  ASSERT_GT(direct->trades.size(), 10u);
  ASSERT_EQ(run->backtest.trades.size(), direct->trades.size());
  for (std::size_t t = 0; t < direct->trades.size(); ++t) {
    EXPECT_EQ(run->backtest.trades[t].entry_ts, direct->trades[t].entry_ts);
    EXPECT_DOUBLE_EQ(run->backtest.trades[t].pnl, direct->trades[t].pnl);
  }
  EXPECT_DOUBLE_EQ(run->backtest.equity.back(), direct->equity.back());
  EXPECT_EQ(run->data_first_day, core::days_from_civil(2024, 8, 12));
  EXPECT_EQ(run->performance.trades, direct->trades.size());
  EXPECT_EQ(run->fingerprint.size(), 16u);

  // Days without any signal: an error, not an empty backtest.
  spec.last_day = core::days_from_civil(2024, 8, 12);
  auto none = run_signal_backtest(frame.series, *file, spec);
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error().message, HasSubstr("no signal falls on a bar"));
}

}  // namespace
}  // namespace itrade::evaluation

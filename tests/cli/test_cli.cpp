// End-to-end tests of the itrade binary: exit codes, help texts, and the data commands on
// the real sample and on broken input.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using cli_runner::CliTest;
using cli_runner::CommandRun;
using cli_runner::itrade;

TEST(Cli, HelpListsTheCommandsAndExitsZero) {
  const CommandRun run = itrade("--help");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("data"), std::string::npos);
  EXPECT_NE(run.output.find("Exit codes"), std::string::npos);
  for (const char* sub : {"validate", "inspect", "convert", "synth"}) {
    const CommandRun help = itrade(std::string("data ") + sub + " --help");
    EXPECT_EQ(help.exit_code, 0) << sub;
    EXPECT_NE(help.output.find("Usage"), std::string::npos) << sub;
  }
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(itrade("").exit_code, 2);
  EXPECT_EQ(itrade("no-such-command").exit_code, 2);
  EXPECT_EQ(itrade("data").exit_code, 2);  // missing subcommand
  EXPECT_EQ(itrade("data validate data/sample/ibkr --on-bad-row=maybe").exit_code, 2);
}

TEST(Cli, ValidateReportsTheRealSampleFaults) {
  const CommandRun run = itrade("data validate data/sample/polygon data/sample/ibkr");
  EXPECT_EQ(run.exit_code, 0) << run.output;  // warnings only
  // Polygon lost the whole session of 2025-08-07; IBKR's last session is cut short.
  EXPECT_NE(run.output.find("no bars at all: 2025-08-07"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("first sessions with gaps: 2026-03-09 (11)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("SPY"), std::string::npos);
}

TEST_F(CliTest, ValidateFailsOnBadRowsNamingFileAndLine) {
  std::ofstream(dir_ / "AAPL.csv") << "datetime,open,high,low,close,volume\n"
                                      "2025-07-10 09:30:00,10,11,9,10.5,100\n"
                                      "2025-07-10 09:35:00,10,9,11,10.5,100\n";
  const CommandRun strict = itrade("data validate " + dir_.string());
  EXPECT_EQ(strict.exit_code, 2) << strict.output;
  EXPECT_NE(strict.output.find("AAPL.csv:3:"), std::string::npos) << strict.output;

  const CommandRun skip = itrade("data validate --on-bad-row=skip " + dir_.string());
  EXPECT_EQ(skip.exit_code, 2) << skip.output;  // the skipped row is still an error finding
  EXPECT_NE(skip.output.find("1 malformed rows skipped"), std::string::npos) << skip.output;
}

TEST_F(CliTest, MissingOrEmptyInputIsAnInputError) {
  const CommandRun missing = itrade("data inspect " + (dir_ / "nothing").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("nothing"), std::string::npos);
  std::ofstream(dir_ / "AAPL.csv") << "";
  const CommandRun empty = itrade("data validate " + dir_.string());
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.output.find("AAPL.csv"), std::string::npos) << empty.output;
}

TEST_F(CliTest, BadSourceYamlNamesTheKeyAndLine) {
  std::ofstream(dir_ / "AAPL.csv") << "datetime,open,high,low,close,volume\n2025-07-10 09:30:00,10,11,9,10.5,100\n";
  std::ofstream(dir_ / "source.yaml") << "timezone: America/New_York\nbar_lable: end\n";
  const CommandRun run = itrade("data validate " + dir_.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("source.yaml:2"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("bar_label"), std::string::npos) << run.output;
}

TEST_F(CliTest, SynthWritesDataThatValidatesClean) {
  const CommandRun synth = itrade("data synth --tickers 3 --days 5 --seed 7 --start 2024-03-04 --out " + dir_.string());
  ASSERT_EQ(synth.exit_code, 0) << synth.output;
  EXPECT_TRUE(fs::exists(dir_ / "SYN0001.csv"));
  const CommandRun validate = itrade("data validate --timezone UTC " + dir_.string());
  EXPECT_EQ(validate.exit_code, 0) << validate.output;
  EXPECT_NE(validate.output.find("SYN0003"), std::string::npos);
  EXPECT_NE(validate.output.find("0 errors, 0 warnings"), std::string::npos) << validate.output;
}

TEST(Cli, DataCommandsDefaultToTheConfiguredDataDirectory) {
  const CommandRun run = itrade("data inspect");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("data/sample/polygon"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("GOOGL"), std::string::npos);
}

TEST(Cli, InspectSummarisesTheSample) {
  const CommandRun run = itrade("data inspect data/sample/ibkr");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("NVDA"), std::string::npos);
  EXPECT_NE(run.output.find("2025-05-12 09:30"), std::string::npos) << run.output;
}

TEST(Cli, InspectResolvesTickerListsAndUniverses) {
  const CommandRun list = itrade("data inspect data/sample/ibkr --tickers nvda,AAPL");
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("NVDA"), std::string::npos);
  EXPECT_EQ(list.output.find("MSFT"), std::string::npos);
  const CommandRun single = itrade("data inspect data/sample/ibkr --tickers SINGLE_TICKER");
  EXPECT_EQ(single.exit_code, 0) << single.output;
  EXPECT_NE(single.output.find("AAPL"), std::string::npos);
  // DOW_30 names tickers the sample does not hold: one clear error naming all of them.
  const CommandRun dow = itrade("data inspect data/sample/ibkr --tickers DOW_30");
  EXPECT_EQ(dow.exit_code, 2) << dow.output;
  EXPECT_NE(dow.output.find("no data for 21 of the 30 tickers asked for: AMGN,AXP,"), std::string::npos) << dow.output;
  const CommandRun one = itrade("data inspect data/sample/ibkr --tickers AAPL,AMGN");
  EXPECT_EQ(one.exit_code, 2);
  EXPECT_NE(one.output.find("no data for ticker 'AMGN' (nearest: AMZN)"), std::string::npos) << one.output;
  const CommandRun typo = itrade("data inspect data/sample/ibkr --tickers DOW30");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.output.find("DOW_30"), std::string::npos) << typo.output;
}

}  // namespace

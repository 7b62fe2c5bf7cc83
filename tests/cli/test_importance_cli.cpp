// End-to-end tests of `itrade importance` on the bundled sample: the ranking printed per target,
// the HTML page and CSV, skipped targets, and input errors naming the nearest names.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using cli_runner::CliTest;
using cli_runner::CommandRun;
using cli_runner::contains;
using cli_runner::itrade;
using cli_runner::read_text;

class ImportanceCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    models_ = dir_ / "models.yaml";
    // A small classification model so that the test stays quick under sanitizers.
    std::ofstream(models_) << "models:\n"
                              "  quick:\n"
                              "    framework: lightgbm\n"
                              "    task: classification\n"
                              "    target: direction_5\n"
                              "    hyperparameters: { num_leaves: 7, learning_rate: 0.1, n_estimators: 20,\n"
                              "                       early_stopping_rounds: 5 }\n"
                              "    enabled: true\n";
  }
  // Two months of two tickers, three features.
  std::string command(const std::string& targets, const std::string& extra) const {
    return "importance --tickers AAPL,MSFT --features sma_5,rsi_14,volume_ratio --targets " + targets +
           " --start 2024-10-01 --end 2024-11-29 --models-config " + models_.string() + " " + extra;
  }
  fs::path models_;
};

// The feature names of the table printed under `target`'s heading, in printed order.
std::vector<std::string> printed_order(const std::string& output, const std::string& target) {
  std::vector<std::string> names;
  const auto heading = output.find("\n" + target + " (");
  if (heading == std::string::npos) return names;
  std::istringstream lines(output.substr(heading + 1));
  std::string line;
  std::getline(lines, line);  // heading
  bool in_table = false;
  while (std::getline(lines, line)) {
    if (line.rfind("  feature ", 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (line.rfind("  ", 0) != 0) break;
    std::istringstream words(line);
    std::string name;
    words >> name;
    names.push_back(name);
  }
  return names;
}

// feature -> pooled IC of `target` from the CSV (NaN for an empty field).
std::map<std::string, double> pooled_ic(const std::string& csv, const std::string& target) {
  std::map<std::string, double> ic;
  std::istringstream lines(csv);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::stringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    if (fields.size() < 4 || fields[1] != target || fields[2] != "pooled") continue;
    ic[fields[0]] = fields[3].empty() ? std::nan("") : std::strtod(fields[3].c_str(), nullptr);
  }
  return ic;
}

TEST_F(ImportanceCliTest, RanksFeaturesPerTargetAndWritesThePageAndTheCsv) {
  const fs::path html = dir_ / "imp.html";
  const CommandRun run = itrade(command("direction_5,forward_return_5", "--repeats 1 --out " + html.string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "which features predict: 3 features x 2 target(s) on AAPL,MSFT")) << run.output;
  EXPECT_TRUE(contains(run.output, "data: 2024-10-01 .. 2024-11-29")) << run.output;
  EXPECT_TRUE(contains(run.output, "direction_5 (classification, horizon 5 bars): all of 3 features")) << run.output;
  EXPECT_TRUE(contains(run.output, "forward_return_5 (regression, horizon 5 bars)")) << run.output;
  // Progress on stderr with seconds; the model learned direction_5 and skipped forward_return_5.
  EXPECT_TRUE(contains(run.output, "permutation direction_5: model quick trained on")) << run.output;
  EXPECT_TRUE(contains(run.output, " s)\n")) << run.output;
  EXPECT_TRUE(contains(run.output, "permutation forward_return_5: skipped: model 'quick'")) << run.output;
  EXPECT_TRUE(contains(run.output, "skipped 1 target(s)")) << run.output;
  EXPECT_TRUE(contains(run.output, "log loss increase on the test days")) << run.output;
  EXPECT_TRUE(contains(run.output, "wrote " + html.string())) << run.output;

  ASSERT_TRUE(fs::exists(html));
  ASSERT_TRUE(fs::exists(dir_ / "imp.csv"));
  const std::string page = read_text(html);
  for (const char* id : {"ic-heatmap", "t-heatmap", "ticker-ic-direction_5", "ticker-ic-forward_return_5",
                         "permutation-direction_5", "permutation-forward_return_5", "all-numbers"}) {
    EXPECT_TRUE(contains(page, std::string("id=\"") + id + "\"")) << id;
  }
  EXPECT_EQ(page.find("<script"), std::string::npos);
  const std::string csv = read_text(dir_ / "imp.csv");
  EXPECT_EQ(csv.rfind("feature,target,scope,ic,t,n\n", 0), 0u) << csv;
  // 3 features x 2 targets x (pooled + 2 tickers) + header.
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 * 2 * 3) << csv;
  EXPECT_TRUE(contains(csv, "rsi_14,direction_5,AAPL,")) << csv;

  // The terminal ranks by |pooled IC|, the same figures as the CSV.
  for (const std::string target : {"direction_5", "forward_return_5"}) {
    const auto order = printed_order(run.output, target);
    const auto ic = pooled_ic(csv, target);
    ASSERT_EQ(order.size(), 3u) << target << "\n" << run.output;
    ASSERT_EQ(ic.size(), 3u) << csv;
    for (std::size_t i = 1; i < order.size(); ++i) {
      EXPECT_GE(std::fabs(ic.at(order[i - 1])), std::fabs(ic.at(order[i]))) << target << "\n" << run.output;
    }
    for (const auto& [feature, value] : ic) EXPECT_TRUE(std::isfinite(value)) << feature;
  }
}

TEST_F(ImportanceCliTest, TopLimitsTheRowsAndRepeatsZeroSkipsTheModel) {
  const fs::path html = dir_ / "top.html";
  const CommandRun run = itrade(command("direction_5", "--repeats 0 --top 2 --out " + html.string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "top 2 of 3 features")) << run.output;
  EXPECT_EQ(printed_order(run.output, "direction_5").size(), 2u) << run.output;
  EXPECT_TRUE(contains(run.output, "permutation: not computed (--repeats 0)")) << run.output;
  EXPECT_FALSE(contains(run.output, "permutation direction_5:")) << run.output;
  EXPECT_TRUE(fs::exists(html));
  EXPECT_TRUE(fs::exists(dir_ / "top.csv"));
}

TEST_F(ImportanceCliTest, AModelThatCannotLearnTheTargetsIsSkippedNotAnError) {
  const fs::path html = dir_ / "skip.html";
  const CommandRun run = itrade(command("forward_return_5", "--repeats 1 --out " + html.string()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "skipped: model 'quick' (multiclass) cannot learn target 'forward_return_5'"))
      << run.output;
  EXPECT_TRUE(contains(run.output, "skipped 1 target(s)")) << run.output;
  ASSERT_TRUE(fs::exists(html));
  const std::string page = read_text(html);
  EXPECT_TRUE(contains(page, "id=\"permutation-forward_return_5\"")) << page;
  EXPECT_TRUE(contains(page, "cannot learn target")) << page;
}

TEST_F(ImportanceCliTest, TooFewDaysForTheModelSkipItButStillScoreTheIc) {
  const fs::path html = dir_ / "short.html";
  const CommandRun run = itrade(
      "importance --tickers AAPL --features sma_5,rsi_14 --targets direction_5 --start "
      "2024-11-04 --end 2024-11-05 --repeats 1 --models-config " +
      models_.string() + " --out " + html.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "permutation: skipped: the data spans 2 day(s)")) << run.output;
  EXPECT_EQ(printed_order(run.output, "direction_5").size(), 2u) << run.output;
  EXPECT_TRUE(fs::exists(html));
}

TEST_F(ImportanceCliTest, WritesIntoTheProjectsRunsDirectoryByDefault) {
  // A project of its own: a copy of config/ in the temporary directory, the sample data by path
  // (tests run in the source tree).
  fs::copy(fs::current_path() / "config", dir_ / "config", fs::copy_options::recursive);
  const fs::path data = fs::current_path() / "data" / "sample" / "polygon";
  const CommandRun run = itrade("--config " + (dir_ / "config").string() + " importance --data " + data.string() +
                                " --tickers AAPL --features sma_5,rsi_14 --targets direction_5 --repeats 0 --start "
                                "2024-11-01 --end 2024-11-29");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::vector<fs::path> pages;
  for (const auto& entry : fs::directory_iterator(dir_ / "runs")) {
    if (entry.path().extension() == ".html") pages.push_back(entry.path());
  }
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].filename().string().rfind("importance-", 0), 0u) << pages[0];
  EXPECT_TRUE(fs::exists(fs::path(pages[0]).replace_extension(".csv")));
  EXPECT_TRUE(contains(run.output, "wrote " + pages[0].string())) << run.output;
}

TEST_F(ImportanceCliTest, UnknownNamesAreInputErrorsNamingTheNearest) {
  const fs::path html = dir_ / "never.html";
  const CommandRun feature = itrade(
      "importance --tickers AAPL --features sma_5,rsi_41 --targets direction_5 --repeats 0 "
      "--out " +
      html.string());
  EXPECT_EQ(feature.exit_code, 2) << feature.output;
  EXPECT_TRUE(contains(feature.output, "unknown feature 'rsi_41'")) << feature.output;
  EXPECT_TRUE(contains(feature.output, "rsi_14")) << feature.output;

  const CommandRun target = itrade(
      "importance --tickers AAPL --features sma_5 --targets direction_6 --repeats 0 "
      "--out " +
      html.string());
  EXPECT_EQ(target.exit_code, 2) << target.output;
  EXPECT_TRUE(contains(target.output, "unknown target 'direction_6'")) << target.output;
  EXPECT_TRUE(contains(target.output, "direction_5")) << target.output;

  const CommandRun model = itrade(
      "importance --tickers AAPL --features sma_5 --targets direction_5 --model quik "
      "--models-config " +
      models_.string() + " --out " + html.string());
  EXPECT_EQ(model.exit_code, 2) << model.output;
  EXPECT_TRUE(contains(model.output, "quick")) << model.output;
  EXPECT_FALSE(fs::exists(html));
}

TEST_F(ImportanceCliTest, HelpDescribesTheCommand) {
  const CommandRun run = itrade("importance --help");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  for (const char* part : {"information coefficient", "--features", "--targets", "--model", "--repeats", "--top",
                           "--out", "--extended-hours", "docs/importance.md"}) {
    EXPECT_TRUE(contains(run.output, part)) << part << "\n" << run.output;
  }
  EXPECT_TRUE(contains(itrade("--help").output, "importance")) << itrade("--help").output;
}

}  // namespace

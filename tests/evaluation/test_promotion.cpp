// The promotion gate's parts: a backtest's days, the day-by-day comparison with a paper account,
// promotion.yaml, the paper run record, and a model's batch signals over bars.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/nyse_calendar.h"
#include "evaluation/model_signals.h"
#include "evaluation/paper_run.h"
#include "evaluation/promotion.h"
#include "evaluation/promotion_page.h"
#include "features/engine/batch.h"

namespace itrade::evaluation {
namespace {

namespace fs = std::filesystem;

constexpr core::Timestamp kBar = 5 * core::kNanosPerMinute;
const core::DayNumber kMonday = core::days_from_civil(2025, 3, 3);

// The UTC start of the k-th 5-minute bar of New York day `day` (09:30 New York, EST in early March).
core::Timestamp bar_time(core::DayNumber day, int k) {
  return core::start_of_day(day) + 14 * core::kNanosPerHour + 30 * core::kNanosPerMinute + k * kBar;
}

// Three bars a day over Monday..Wednesday; equity 100, 101, 102 | 103, 104, 105 | 106, 107, 108.
BacktestResult three_days() {
  BacktestResult r;
  r.initial_cash = 99.0;
  double equity = 100.0;
  for (int d = 0; d < 3; ++d) {
    for (int k = 0; k < 3; ++k) {
      r.ts.push_back(bar_time(kMonday + d, k));
      r.equity.push_back(equity);
      equity += 1.0;
    }
  }
  Trade within_tuesday;  // entry and exit on Tuesday
  within_tuesday.entry_ts = bar_time(kMonday + 1, 0);
  within_tuesday.exit_ts = bar_time(kMonday + 1, 2);
  within_tuesday.quantity = 2.0;
  within_tuesday.entry_price = 10.0;
  within_tuesday.exit_price = 11.0;
  Trade overnight;  // entry Monday, exit Wednesday
  overnight.entry_ts = bar_time(kMonday, 1);
  overnight.exit_ts = bar_time(kMonday + 2, 0);
  overnight.quantity = 3.0;
  overnight.entry_price = 20.0;
  overnight.exit_price = 19.0;
  r.trades = {within_tuesday, overnight};
  return r;
}

TEST(BacktestDaysTest, EquityAtEachDaysLastBarAndTheFillsOfTheDay) {
  const std::vector<DayFigures> days = backtest_days(three_days(), kMonday, kMonday + 2);
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].day, kMonday);
  EXPECT_DOUBLE_EQ(days[0].start_equity, 99.0);  // the initial cash
  EXPECT_DOUBLE_EQ(days[0].end_equity, 102.0);
  EXPECT_EQ(days[0].fills, 1u);
  EXPECT_DOUBLE_EQ(days[0].traded_value, 60.0);
  EXPECT_DOUBLE_EQ(days[1].start_equity, 102.0);
  EXPECT_DOUBLE_EQ(days[1].end_equity, 105.0);
  EXPECT_EQ(days[1].fills, 2u);
  EXPECT_DOUBLE_EQ(days[1].traded_value, 20.0 + 22.0);
  EXPECT_EQ(days[2].fills, 1u);
  EXPECT_DOUBLE_EQ(days[2].traded_value, 57.0);
  EXPECT_DOUBLE_EQ(days[2].day_return(), 108.0 / 105.0 - 1.0);
}

TEST(BacktestDaysTest, DaysBeforeTheRangeOnlySetTheFirstDaysStart) {
  const std::vector<DayFigures> days = backtest_days(three_days(), kMonday + 1, kMonday + 1);
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].day, kMonday + 1);
  EXPECT_DOUBLE_EQ(days[0].start_equity, 102.0);
  EXPECT_EQ(days[0].fills, 2u);  // Monday's entry and Wednesday's exit are not Tuesday's
}

std::vector<DayFigures> paper_days() {
  return {{kMonday, 100'000.0, 100'050.0, 4, 20'000.0},
          {kMonday + 1, 100'050.0, 100'010.0, 6, 30'000.0},
          {kMonday + 2, 100'010.0, 100'100.0, 2, 9'000.0}};
}

TEST(CompareDaysTest, IdenticalDaysArePromoted) {
  const PromotionVerdict v = compare_days(paper_days(), paper_days(), PromotionConfig{});
  EXPECT_TRUE(v.promoted) << v.reason;
  EXPECT_TRUE(v.enough_days);
  EXPECT_EQ(v.days.size(), 3u);
  EXPECT_TRUE(v.reason.empty());
}

TEST(CompareDaysTest, AReturnJustInsideTheTolerancePassesAndJustOutsideFailsNamingTheDay) {
  PromotionConfig config;
  config.daily_return = 0.001;
  std::vector<DayFigures> paper = paper_days();
  std::vector<DayFigures> backtest = paper_days();
  // Tuesday: paper -0.03998%; backtest 0.09 pp higher, then 0.11 pp higher.
  backtest[1].end_equity = paper[1].end_equity + 0.0009 * paper[1].start_equity;
  EXPECT_TRUE(compare_days(paper, backtest, config).promoted);
  backtest[1].end_equity = paper[1].end_equity + 0.0011 * paper[1].start_equity;
  const PromotionVerdict v = compare_days(paper, backtest, config);
  EXPECT_FALSE(v.promoted);
  ASSERT_EQ(v.days[1].failed.size(), 1u);
  EXPECT_EQ(v.days[1].failed[0], DayMetric::daily_return);
  EXPECT_TRUE(v.days[0].failed.empty());
  EXPECT_NE(v.reason.find("2025-03-04: daily_return: paper -0.0400% against backtest +0.0700%"), std::string::npos)
      << v.reason;
  EXPECT_NE(v.reason.find("> tolerance 0.1000"), std::string::npos) << v.reason;
}

TEST(CompareDaysTest, FillsAndTradedValueHaveTheirTolerances) {
  PromotionConfig config;
  config.fills = 2;
  config.traded_value = 0.05;  // of the day's start equity: 5,000.5 on Monday
  std::vector<DayFigures> paper = paper_days();
  std::vector<DayFigures> backtest = paper_days();
  paper[0].fills = 6;  // 2 more: inside
  paper[0].traded_value = 25'000.0;
  EXPECT_TRUE(compare_days(paper, backtest, config).promoted);
  paper[0].fills = 7;
  PromotionVerdict v = compare_days(paper, backtest, config);
  EXPECT_FALSE(v.promoted);
  EXPECT_NE(v.reason.find("2025-03-03: fills: paper 7 against backtest 4, a difference of 3 > tolerance 2"),
            std::string::npos)
      << v.reason;
  paper[0].fills = 4;
  paper[2].traded_value = 9'000.0 + 0.051 * 100'010.0;
  v = compare_days(paper, backtest, config);
  EXPECT_FALSE(v.promoted);
  EXPECT_EQ(v.days[2].failed, std::vector<DayMetric>{DayMetric::traded_value});
  EXPECT_NE(v.reason.find("2025-03-05: traded_value:"), std::string::npos) << v.reason;
}

TEST(CompareDaysTest, TheFirstFailingDayIsNamedAndEveryFailingMetricIsListed) {
  std::vector<DayFigures> paper = paper_days();
  paper[2].fills = 20;
  paper[2].end_equity = 90'000.0;
  paper[1].traded_value = 1e6;
  const PromotionVerdict v = compare_days(paper, paper_days(), PromotionConfig{});
  EXPECT_EQ(v.days[1].failed, std::vector<DayMetric>{DayMetric::traded_value});
  EXPECT_EQ(v.days[2].failed, (std::vector<DayMetric>{DayMetric::daily_return, DayMetric::fills}));
  EXPECT_EQ(v.reason.rfind("2025-03-04: traded_value", 0), 0u) << v.reason;
}

TEST(CompareDaysTest, ADayOnOneSideOnlyFails) {
  std::vector<DayFigures> paper = paper_days();
  std::vector<DayFigures> backtest = paper_days();
  backtest.push_back({kMonday + 3, 100'100.0, 100'100.0, 0, 0.0});
  PromotionVerdict v = compare_days(paper, backtest, PromotionConfig{});
  EXPECT_FALSE(v.promoted);
  EXPECT_EQ(v.days.back().failed, std::vector<DayMetric>{DayMetric::presence});
  EXPECT_NE(v.reason.find("2025-03-06: the backtest traded this day and the paper account has no record"),
            std::string::npos)
      << v.reason;
  paper.push_back({kMonday + 7, 100'100.0, 100'100.0, 0, 0.0});
  backtest.pop_back();
  v = compare_days(paper, backtest, PromotionConfig{});
  EXPECT_FALSE(v.promoted);
  EXPECT_NE(v.reason.find("2025-03-10: the paper account traded a day the backtest's data does not have"),
            std::string::npos)
      << v.reason;
}

TEST(CompareDaysTest, TooFewDaysOrNoFillAreRefused) {
  std::vector<DayFigures> two = paper_days();
  two.pop_back();
  PromotionVerdict v = compare_days(two, two, PromotionConfig{});
  EXPECT_FALSE(v.promoted);
  EXPECT_FALSE(v.enough_days);
  EXPECT_EQ(v.reason, "the paper account has 2 trading day(s); promotion needs at least 3 (paper_days)");
  PromotionConfig two_days;
  two_days.paper_days = 2;
  EXPECT_TRUE(compare_days(two, two, two_days).promoted);

  std::vector<DayFigures> idle = paper_days();
  for (DayFigures& d : idle) d = {d.day, 100'000.0, 100'000.0, 0, 0.0};
  v = compare_days(idle, idle, PromotionConfig{});
  EXPECT_FALSE(v.promoted);
  EXPECT_NE(v.reason.find("made no fill"), std::string::npos) << v.reason;
}

TEST(CompareDaysTest, AZeroStartEquityIsNeverWithinTolerance) {
  std::vector<DayFigures> paper = paper_days();
  paper[0].start_equity = 0.0;
  std::vector<DayFigures> backtest = paper;
  EXPECT_FALSE(compare_days(paper, backtest, PromotionConfig{}).promoted);
}

TEST(PromotionPageTest, ShowsTheVerdictTheChartAndEveryDayWithItsFailedMetrics) {
  std::vector<DayFigures> paper = paper_days();
  paper[1].fills = 9;
  PromotionPageInput input;
  input.paper_run = "20260302T210000Z-paper";
  input.decided_utc = "2026-03-02T21:00:00Z";
  input.facts = {{"model", "quick <test>"}};
  input.verdict = compare_days(paper, paper_days(), input.config);
  std::string page = render_promotion_page(input);
  EXPECT_NE(page.find("<title>Promotion of paper run 20260302T210000Z-paper: refused - itrade</title>"),
            std::string::npos);
  EXPECT_NE(page.find("Refused: 2025-03-04: fills: paper 9 against backtest 6, a difference of 3 &gt; tolerance 2"),
            std::string::npos)
      << page.substr(0, 3000);
  EXPECT_NE(page.find("quick &lt;test&gt;"), std::string::npos);  // the caller's text is escaped
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"fail\">failed: fills</td>"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  std::size_t rows = 0;
  for (std::size_t at = 0; (at = page.find("<tr><td>2025-03-0", at)) != std::string::npos; ++at) ++rows;
  EXPECT_EQ(rows, 3u);

  input.verdict = compare_days(paper_days(), paper_days(), input.config);
  page = render_promotion_page(input);
  EXPECT_NE(page.find("Promoted: 3 paper day(s)"), std::string::npos);
  EXPECT_EQ(page.find("class=\"fail\""), std::string::npos);
}

class PromotionFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device seed;
    dir_ = fs::temp_directory_path() / ("itrade_promotion_" + std::to_string(seed()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    const fs::path file = dir_ / name;
    std::ofstream(file) << text;
    return file;
  }
  fs::path dir_;
};

TEST_F(PromotionFilesTest, ConfigDefaultsValuesAndRefusals) {
  auto defaults = load_promotion_config(write("empty.yaml", ""));
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->paper_days, 3);
  EXPECT_DOUBLE_EQ(defaults->daily_return, 0.001);
  auto given = load_promotion_config(
      write("given.yaml", "paper_days: 5\ntolerance:\n  daily_return: 0.002\n  fills: 0\n  traded_value: 0.2\n"));
  ASSERT_TRUE(given.ok()) << given.error().message;
  EXPECT_EQ(given->paper_days, 5);
  EXPECT_DOUBLE_EQ(given->daily_return, 0.002);
  EXPECT_DOUBLE_EQ(given->fills, 0.0);
  EXPECT_DOUBLE_EQ(given->traded_value, 0.2);

  const fs::path wide = write("wide.yaml", "tolerance:\n  daily_return: 0.05\n");
  auto refused = load_promotion_config(wide);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find(wide.string() + ":2: tolerance.daily_return"), std::string::npos)
      << refused.error().message;
  auto zero_days = load_promotion_config(write("zero.yaml", "paper_days: 0\n"));
  ASSERT_FALSE(zero_days.ok());
  EXPECT_NE(zero_days.error().message.find("paper_days"), std::string::npos) << zero_days.error().message;
  auto typo = load_promotion_config(write("typo.yaml", "tolerance:\n  daily_retrun: 0.001\n"));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("daily_return"), std::string::npos) << typo.error().message;
}

TEST_F(PromotionFilesTest, PaperRunRoundTripsWithItsConfigurationCopies) {
  PaperRun run;
  run.id = "20260302T210000Z-paper";
  run.created_utc = "2026-03-02T21:00:00Z";
  run.model_dir = "/models/quick";
  run.model_name = "quick";
  run.tickers = {"AAPL", "MSFT"};
  run.fingerprint = "0123456789abcdef";
  run.initial_cash = 100'000.0;
  run.code_version = "test";
  run.days = paper_days();
  const PaperConfigFiles configs{write("b.yaml", "position_fraction: 1.0\n"), write("r.yaml", "max_positions: 5\n"),
                                 write("f.yaml", "features: {}\n")};
  ASSERT_TRUE(write_paper_run(dir_ / "runs", run, configs).ok());
  std::ifstream risk(dir_ / "runs" / run.id / kPaperRiskConfig);
  std::string line;
  std::getline(risk, line);
  EXPECT_EQ(line, "max_positions: 5");

  auto read = read_paper_run(dir_ / "runs", run.id);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->model_dir, run.model_dir);
  EXPECT_EQ(read->tickers, run.tickers);
  EXPECT_EQ(read->fingerprint, run.fingerprint);
  EXPECT_FALSE(read->shadow);
  ASSERT_EQ(read->days.size(), 3u);
  for (std::size_t d = 0; d < 3; ++d) {
    EXPECT_EQ(read->days[d].day, run.days[d].day);
    EXPECT_EQ(read->days[d].end_equity, run.days[d].end_equity);
    EXPECT_EQ(read->days[d].fills, run.days[d].fills);
  }
  // An id is never overwritten.
  EXPECT_FALSE(write_paper_run(dir_ / "runs", run, configs).ok());
}

TEST_F(PromotionFilesTest, PaperRunsAreListedByIdAndADamagedOneIsReported) {
  PaperRun run;
  run.model_name = "quick";
  run.days = paper_days();
  const PaperConfigFiles configs{write("b.yaml", ""), write("r.yaml", ""), write("f.yaml", "")};
  for (const char* id : {"20260303T000000Z-paper", "20260302T000000Z-paper"}) {
    run.id = id;
    ASSERT_TRUE(write_paper_run(dir_ / "runs", run, configs).ok());
  }
  fs::create_directories(dir_ / "runs" / "20260304T000000Z-paper");
  write("runs/20260304T000000Z-paper/paper.json", "{}");
  fs::create_directories(dir_ / "runs" / "research");  // no paper.json: not a paper run
  const PaperRunList list = list_paper_runs(dir_ / "runs");
  ASSERT_EQ(list.runs.size(), 2u);
  EXPECT_EQ(list.runs[0].id, "20260302T000000Z-paper");
  EXPECT_EQ(list.runs[1].id, "20260303T000000Z-paper");
  ASSERT_EQ(list.unreadable.size(), 1u);
  EXPECT_NE(list.unreadable[0].message.find("20260304T000000Z-paper/paper.json"), std::string::npos);

  EXPECT_FALSE(promotion_decision(dir_ / "runs", "20260302T000000Z-paper").has_value());
  write("runs/20260302T000000Z-paper/promotion.json", "{\"promoted\": false}");
  EXPECT_EQ(promotion_decision(dir_ / "runs", "20260302T000000Z-paper"), std::optional<bool>(false));
  write("runs/20260302T000000Z-paper/promotion.json", "{\"promoted\": true}");
  EXPECT_EQ(promotion_decision(dir_ / "runs", "20260302T000000Z-paper"), std::optional<bool>(true));
}

TEST_F(PromotionFilesTest, AMissingDamagedOrForeignRecordIsNamed) {
  auto missing = read_paper_run(dir_, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no paper run nope"), std::string::npos) << missing.error().message;
  fs::create_directories(dir_ / "research");
  write("research/metrics.json", "{}");
  auto research = read_paper_run(dir_, "research");
  ASSERT_FALSE(research.ok());
  EXPECT_NE(research.error().message.find("a research run, not a paper run"), std::string::npos);
  fs::create_directories(dir_ / "bad");
  write("bad/paper.json", "{\"format\": \"itrade-paper-run\"");
  auto damaged = read_paper_run(dir_, "bad");
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.error().message.find("not a paper run record"), std::string::npos);

  auto days = days_from_json(nlohmann::json::parse(R"([{"day": "2025-03-04", "start_equity": 1, "end_equity": 1,
      "fills": 0, "traded_value": 0}, {"day": "2025-03-03", "start_equity": 1, "end_equity": 1, "fills": 0,
      "traded_value": 0}])"),
                             "state.json");
  ASSERT_FALSE(days.ok());
  EXPECT_EQ(days.error().message, "state.json: days[1].day: the days must be ascending, each once");
  days = days_from_json(nlohmann::json::parse(R"([{"day": "2025-03-04", "start_equity": 1, "end_equity": 1,
      "fills": -1, "traded_value": 0}])"),
                        "state.json");
  ASSERT_FALSE(days.ok());
  EXPECT_NE(days.error().message.find("days[0].fills"), std::string::npos) << days.error().message;
}

// A stand-in model whose signal is its one feature / 1000: where each prediction lands is visible.
class FeatureEcho : public models::SignalModel {
 public:
  core::Result<models::TrainResult> train(const models::Dataset&, const models::Dataset&) override {
    return core::input_error("not trainable");
  }
  core::Result<std::vector<models::SignalOutput>> predict(const models::Dataset& data) const override {
    std::vector<models::SignalOutput> out(data.rows());
    for (std::size_t r = 0; r < out.size(); ++r) out[r] = {data.features[r] / 1000.0, 0.5, {}, 0, 0.0};
    return out;
  }
  core::Status save(const fs::path&) const override { return core::input_error("not saveable"); }
  models::ModelInfo info() const override {
    models::ModelInfo i;
    i.name = "echo";
    i.feature_names = {"sma_5"};
    return i;
  }
};

TEST(ModelSignalsTest, PredictsWarmTradableBarsOnlyAndInPlace) {
  auto set = features::FeatureSet::load(ITRADE_SOURCE_DIR "/config/features.yaml");
  ASSERT_TRUE(set.ok()) << set.error().message;
  core::BarSeries bars;
  bars.ticker = "T";
  for (int k = 0; k < 12; ++k) {
    const double p = 100.0 + k * (k % 3 == 0 ? 1.5 : -0.5);
    bars.push_back(bar_time(kMonday, k), p, p + 1.0, p - 1.0, p, 1000.0);
  }
  const core::Timestamp trade_from = bar_time(kMonday, 6);
  const std::vector<core::BarSeries> all = {bars};
  auto signals = model_signals(*set, FeatureEcho{}, all, trade_from);
  ASSERT_TRUE(signals.ok()) << signals.error().message;
  ASSERT_EQ(signals->size(), 1u);
  const std::vector<std::string> names = {"sma_5"};
  auto plan = set->plan(names);
  ASSERT_TRUE(plan.ok());
  auto matrix = features::compute_features(*plan, bars);
  ASSERT_TRUE(matrix.ok());
  const TickerSignals& s = (*signals)[0];
  ASSERT_EQ(s.signal.size(), 12u);
  for (std::size_t k = 0; k < 12; ++k) {
    if (k < 6) {
      EXPECT_TRUE(std::isnan(s.signal[k]) && std::isnan(s.confidence[k])) << k;  // before trade_from
    } else {
      EXPECT_EQ(s.signal[k], static_cast<float>(matrix->at(k, 0)) / 1000.0) << k;
      EXPECT_EQ(s.confidence[k], 0.5);
    }
  }
  // Bars before trade_from still warm the features: from bar 4 on sma_5 is defined.
  auto early = model_signals(*set, FeatureEcho{}, all, bar_time(kMonday, 0));
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(std::isnan((*early)[0].signal[3]));
  EXPECT_FALSE(std::isnan((*early)[0].signal[4]));

  struct Unknown final : FeatureEcho {
    models::ModelInfo info() const override {
      models::ModelInfo i = FeatureEcho::info();
      i.feature_names = {"no_such_feature"};
      return i;
    }
  };
  auto refused = model_signals(*set, Unknown{}, all, trade_from);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("no_such_feature"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace itrade::evaluation

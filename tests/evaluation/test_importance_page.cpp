// The importance page and its CSV (docs/importance.md): every chart by id, escaped names, no
// script or network, skipped models shown as such, the CSV's rows and atomic writing.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "evaluation/importance_page.h"
#include "evaluation/svg_chart.h"

namespace itrade::evaluation {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The <svg id="..."> element of `id`, up to its </svg>.
std::string svg_of(const std::string& html, const std::string& id) {
  const std::size_t from = html.find("<svg id=\"" + id + "\"");
  if (from == std::string::npos) return {};
  const std::size_t to = html.find("</svg>", from);
  return to == std::string::npos ? std::string() : html.substr(from, to + 6 - from);
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Three features (one with markup in its name), two targets, two tickers; the model learned
// direction_5 and skipped forward_return_5.
ImportancePageInput sample_input() {
  ImportancePageInput input;
  input.title = "Which features predict: AAA, BBB";
  input.created_utc = "2026-01-02T03:04:05Z";
  input.facts = {{"Data", "2024-08-09 .. 2024-12-31"}, {"Model", "quick (1 repeats)"}};
  input.tickers = {"AAA", "BBB"};
  input.features = {"rsi_14", "x<b>&y", "sma_5"};
  input.targets = {"direction_5", "forward_return_5"};
  const double ics[3][2] = {{0.05, -0.02}, {-0.12, 0.08}, {kNaN, 0.01}};
  for (std::size_t f = 0; f < 3; ++f) {
    for (std::size_t t = 0; t < 2; ++t) {
      FeatureIc cell;
      cell.feature = input.features[f];
      cell.target = input.targets[t];
      cell.horizon = 5;
      cell.pooled = IcStat{ics[f][t], ic_t_statistic(ics[f][t], 5000, 5), 5000};
      cell.per_ticker = {IcStat{ics[f][t] - 0.01, kNaN, 2500}, IcStat{ics[f][t] + 0.01, kNaN, 2500}};
      input.ic.push_back(cell);
    }
  }
  TargetPermutation learned;
  learned.target = "direction_5";
  learned.trained = true;
  learned.note = "model quick trained on 1000 rows";
  learned.importance = {{"rsi_14", 0.002, 0.0005}, {"x<b>&y", 0.004, 0.001}, {"sma_5", -0.0001, 0.0}};
  TargetPermutation skipped;
  skipped.target = "forward_return_5";
  skipped.note = "skipped: model 'quick' (multiclass) cannot learn target 'forward_return_5' <regression>";
  input.permutation = {learned, skipped};
  return input;
}

TEST(ImportancePage, HasEveryChartByIdAndTheTable) {
  auto html = render_importance_page(sample_input());
  ASSERT_TRUE(html.ok()) << html.error().message;
  for (const char* id : {"ic-heatmap", "t-heatmap", "ticker-ic-direction_5", "ticker-ic-forward_return_5",
                         "permutation-direction_5", "permutation-forward_return_5"}) {
    EXPECT_EQ(occurrences(*html, std::string("<svg id=\"") + id + "\""), 1u) << id;
  }
  EXPECT_TRUE(contains(*html, "id=\"all-numbers\""));
  EXPECT_TRUE(contains(*html, "<!DOCTYPE html>"));
  // The pooled heatmap holds the ICs with 3 decimals; the t heatmap the t-statistics.
  const std::string ic = svg_of(*html, "ic-heatmap");
  EXPECT_TRUE(contains(ic, ">-0.120<")) << ic;
  EXPECT_TRUE(contains(ic, ">0.080<")) << ic;
  const std::string t = svg_of(*html, "t-heatmap");
  EXPECT_TRUE(contains(t, format_number(ic_t_statistic(-0.12, 5000, 5), 1))) << t;
  // The per-ticker heatmap has the tickers as columns and each ticker's IC.
  const std::string per_ticker = svg_of(*html, "ticker-ic-direction_5");
  EXPECT_TRUE(contains(per_ticker, ">AAA<")) << per_ticker;
  EXPECT_TRUE(contains(per_ticker, ">BBB<")) << per_ticker;
  EXPECT_TRUE(contains(per_ticker, ">-0.130<")) << per_ticker;  // -0.12 - 0.01
  // The table: pooled IC, the range across tickers, the permutation figure or "-".
  EXPECT_TRUE(contains(*html, "-0.1200")) << *html;
  EXPECT_TRUE(contains(*html, "-0.130 .. -0.110")) << *html;
  EXPECT_TRUE(contains(*html, "+0.004 \u00b1 0.001")) << *html;
}

TEST(ImportancePage, HeatmapRowsAreOrderedByTheLargestAbsoluteIc) {
  auto html = render_importance_page(sample_input());
  ASSERT_TRUE(html.ok());
  const std::string ic = svg_of(*html, "ic-heatmap");
  // max |IC|: x<b>&y 0.12, rsi_14 0.05, sma_5 0.01 (its NaN cell does not count).
  const auto first = ic.find("x&lt;b&gt;&amp;y");
  const auto second = ic.find("rsi_14");
  const auto third = ic.find("sma_5");
  ASSERT_NE(first, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST(ImportancePage, EscapesNamesAndLoadsNothing) {
  ImportancePageInput input = sample_input();
  input.title = "<script>alert('t')</script>";
  input.facts.push_back({"Note", "</td><script>x</script>"});
  auto html = render_importance_page(input);
  ASSERT_TRUE(html.ok());
  EXPECT_EQ(html->find("<script"), std::string::npos);
  EXPECT_EQ(html->find("x<b>&y"), std::string::npos);
  EXPECT_TRUE(contains(*html, "x&lt;b&gt;&amp;y"));
  EXPECT_TRUE(contains(*html, "&lt;script&gt;"));
  // No link, image or stylesheet from elsewhere: the only URL is the SVG namespace.
  std::string rest = *html;
  for (std::size_t at = rest.find("http://www.w3.org/2000/svg"); at != std::string::npos;
       at = rest.find("http://www.w3.org/2000/svg")) {
    rest.erase(at, 26);
  }
  EXPECT_EQ(rest.find("http:"), std::string::npos);
  EXPECT_EQ(rest.find("https:"), std::string::npos);
  EXPECT_EQ(rest.find("<link"), std::string::npos);
  EXPECT_EQ(rest.find("<img"), std::string::npos);
}

TEST(ImportancePage, ASkippedModelSaysWhyAndDrawsNoData) {
  auto html = render_importance_page(sample_input());
  ASSERT_TRUE(html.ok());
  const std::string skipped = svg_of(*html, "permutation-forward_return_5");
  EXPECT_TRUE(contains(skipped, "no data")) << skipped;
  EXPECT_TRUE(contains(*html, "cannot learn target &#39;forward_return_5&#39; &lt;regression&gt;") ||
              contains(*html, "cannot learn target &apos;forward_return_5&apos; &lt;regression&gt;"))
      << *html;
  const std::string learned = svg_of(*html, "permutation-direction_5");
  EXPECT_FALSE(contains(learned, "no data")) << learned;
  // Largest increase first.
  EXPECT_LT(learned.find("x&lt;b&gt;&amp;y"), learned.find("rsi_14"));

  // Without any model part (--repeats 0) every permutation chart is still there, empty.
  ImportancePageInput none = sample_input();
  none.permutation.clear();
  auto bare = render_importance_page(none);
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(contains(svg_of(*bare, "permutation-direction_5"), "no data"));
}

TEST(ImportancePage, RejectsCellsThatDoNotMatchTheNames) {
  ImportancePageInput input = sample_input();
  input.ic.pop_back();
  auto short_input = render_importance_page(input);
  ASSERT_FALSE(short_input.ok());
  EXPECT_EQ(short_input.error().kind, core::ErrorKind::input);

  ImportancePageInput swapped = sample_input();
  std::swap(swapped.ic[0], swapped.ic[1]);
  EXPECT_FALSE(render_importance_page(swapped).ok());
  EXPECT_FALSE(render_ic_csv(swapped).ok());

  ImportancePageInput tickers = sample_input();
  tickers.tickers.push_back("CCC");
  EXPECT_FALSE(render_importance_page(tickers).ok());
}

TEST(ImportancePage, CsvHasPooledAndPerTickerRowsWithEmptyNaN) {
  auto csv = render_ic_csv(sample_input());
  ASSERT_TRUE(csv.ok()) << csv.error().message;
  std::istringstream lines(*csv);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 1u + 3u * 2u * 3u);  // header + features x targets x (pooled + 2 tickers)
  EXPECT_EQ(rows[0], "feature,target,scope,ic,t,n");
  EXPECT_EQ(rows[1],
            "rsi_14,direction_5,pooled,0.05," + fmt::format("{:.8g}", ic_t_statistic(0.05, 5000, 5)) + ",5000");
  EXPECT_EQ(rows[2], "rsi_14,direction_5,AAA,0.04,,2500");
  EXPECT_EQ(rows[3], "rsi_14,direction_5,BBB,0.06,,2500");
  // sma_5 x direction_5: NaN IC and t are empty fields.
  EXPECT_EQ(rows[13], "sma_5,direction_5,pooled,,,5000");
}

class ImportanceFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device seed;
    dir_ = fs::temp_directory_path() / ("itrade_importance_page_" + std::to_string(seed()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ImportanceFilesTest, WritesThePageAndTheCsvNextToItAndNothingElse) {
  const fs::path html = dir_ / "imp.html";
  ASSERT_TRUE(write_importance_files(html, sample_input()).ok());
  EXPECT_TRUE(contains(read(html), "<svg id=\"ic-heatmap\""));
  EXPECT_TRUE(contains(read(dir_ / "imp.csv"), "feature,target,scope,ic,t,n\n"));
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 2u);  // no temporary file left behind
  // Overwrites an existing page.
  ImportancePageInput other = sample_input();
  other.title = "second";
  ASSERT_TRUE(write_importance_files(html, other).ok());
  EXPECT_TRUE(contains(read(html), "<h1>second</h1>"));
}

TEST_F(ImportanceFilesTest, ErrorsNameThePath) {
  const fs::path missing = dir_ / "no" / "such" / "imp.html";
  auto status = write_importance_files(missing, sample_input());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::runtime);
  EXPECT_TRUE(contains(status.error().message, missing.string())) << status.error().message;
  // A page named .csv would be overwritten by its own table.
  auto clash = write_importance_files(dir_ / "imp.csv", sample_input());
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().kind, core::ErrorKind::input);
  EXPECT_FALSE(fs::exists(dir_ / "imp.csv"));
}

}  // namespace
}  // namespace itrade::evaluation

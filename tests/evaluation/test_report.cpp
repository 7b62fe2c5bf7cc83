// The HTML report (docs/report.md): every section present, values formatted, input escaped,
// degenerate runs drawn as "no data", atomic writing, and a real render in headless Chromium.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/nyse_calendar.h"
#include "core/time.h"
#include "evaluation/analytics.h"
#include "evaluation/deflated_sharpe.h"
#include "evaluation/report.h"
#include "evaluation/svg_chart.h"

namespace itrade::evaluation {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

const std::vector<std::string> kChartIds = {"equity-chart",   "drawdown-chart",  "monthly-heatmap",
                                            "pnl-histogram",  "gain-importance", "permutation-importance",
                                            "pnl-attribution"};

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The <svg id="..."> element of `id`, up to its </svg> (charts do not nest svgs).
std::string svg_of(const std::string& html, const std::string& id) {
  const std::size_t from = html.find("<svg id=\"" + id + "\"");
  if (from == std::string::npos) return {};
  const std::size_t to = html.find("</svg>", from);
  return to == std::string::npos ? std::string() : html.substr(from, to + 6 - from);
}

// Every geometry attribute (name="value") of an SVG text, scanned by hand (std::regex trips GCC 12's
// -Wmaybe-uninitialized at -O2).
std::vector<std::pair<std::string, std::string>> geometry_attributes(const std::string& svg) {
  static const std::vector<std::string> kNames = {"x",       "y",      "x1",        "x2",    "y1",     "y2",
                                                  "cx",      "cy",     "r",         "width", "height", "d",
                                                  "viewBox", "points", "transform", "offset"};
  std::vector<std::pair<std::string, std::string>> found;
  for (std::size_t i = 0; i < svg.size(); ++i) {
    if (svg[i] != ' ') continue;
    std::size_t end = i + 1;
    while (end < svg.size() && (std::isalnum(static_cast<unsigned char>(svg[end])) || svg[end] == '-')) ++end;
    if (end + 1 >= svg.size() || svg[end] != '=' || svg[end + 1] != '"') continue;
    const std::string name = svg.substr(i + 1, end - i - 1);
    const std::size_t close = svg.find('"', end + 2);
    if (close == std::string::npos) break;
    if (std::find(kNames.begin(), kNames.end(), name) != kNames.end()) {
      found.emplace_back(name, svg.substr(end + 2, close - end - 2));
    }
    i = close;
  }
  return found;
}

void expect_no_nan_coordinates(const std::string& html) {
  std::size_t checked = 0;
  for (const std::string& id : kChartIds) {
    for (const auto& [name, original] : geometry_attributes(svg_of(html, id))) {
      std::string value = original;
      for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(value.find("nan"), std::string::npos) << id << ": " << name << "=" << original;
      EXPECT_EQ(value.find("inf"), std::string::npos) << id << ": " << name << "=" << original;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0u);
}

// A run small enough to read: `tickers` tickers, `days` NYSE sessions from 2024-01-02 with
// `bars_per_day` 5-minute bars from the open, `trades` round trips. Equity is a seeded random walk;
// the analytics are computed by the real functions, as the experiment runner does.
struct SyntheticRun {
  std::unique_ptr<BacktestResult> backtest = std::make_unique<BacktestResult>();
  std::unique_ptr<PnlAttribution> attribution = std::make_unique<PnlAttribution>();
  ReportInput input;
};

SyntheticRun make_run(int tickers, int days, int bars_per_day, int trades, std::uint64_t seed = 7) {
  SyntheticRun run;
  BacktestResult& r = *run.backtest;
  std::mt19937_64 random(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  for (int t = 0; t < tickers; ++t) r.tickers.push_back(t == 0 ? "AAPL" : "T" + std::to_string(t));
  r.initial_cash = 100000.0;
  const auto& calendar = core::NyseCalendar::instance();
  const auto sessions =
      calendar.sessions_between(core::days_from_civil(2024, 1, 2), core::days_from_civil(2025, 12, 31));
  double equity = r.initial_cash;
  for (int d = 0; d < days; ++d) {
    for (int b = 0; b < bars_per_day; ++b) {
      r.ts.push_back(sessions[d].open + b * 5 * core::kNanosPerMinute);
      equity *= 1.0 + 0.0004 * noise(random) + 0.00002;
      r.equity.push_back(equity);
      r.cash.push_back(equity);
      r.gross_exposure.push_back(b % 3 == 0 ? 0.0 : 50000.0);
    }
  }
  for (int i = 0; i < trades; ++i) {
    Trade trade;
    trade.ticker = static_cast<int>(random() % static_cast<std::uint64_t>(tickers));
    trade.side = i % 2 == 0 ? Side::long_position : Side::short_position;
    const std::size_t k = r.ts.size() * static_cast<std::size_t>(i) / static_cast<std::size_t>(trades);
    trade.entry_ts = r.ts[k];
    trade.exit_ts = r.ts[std::min(k + 3, r.ts.size() - 1)];
    trade.quantity = 100.0;
    trade.entry_price = 50.0;
    trade.pnl = 40.0 * noise(random) + 2.0;
    trade.exit_price = 50.0 + trade.pnl / 100.0;
    trade.fees = 1.0;
    trade.holding_bars = 4;
    r.trades.push_back(trade);
    r.total_fees += trade.fees;
    r.traded_value += 2 * 5000.0;
  }
  r.bar_steps = r.ts.size() * static_cast<std::size_t>(tickers);

  ReportInput& input = run.input;
  input.title = "lgbm_direction on direction_5: AAPL, MSFT, GOOGL";
  input.run_id = "20240601-120000-ab12";
  input.created_utc = "2024-06-01T12:00:00Z";
  input.facts = {{"data", "2024-01-02 .. 2024-12-31, 5m bars"}, {"folds", "walk-forward, 11 folds"}};
  input.backtest = run.backtest.get();
  auto daily = daily_returns(r);
  EXPECT_TRUE(daily.ok());
  auto performance = compute_performance(r);
  EXPECT_TRUE(performance.ok());
  auto per = per_ticker(r);
  EXPECT_TRUE(per.ok());
  if (daily.ok()) input.monthly = monthly_returns(*daily);
  if (performance.ok()) input.performance = *performance;
  if (per.ok()) input.tickers = *per;
  if (daily.ok() && daily->size() >= 2) {
    DeflatedSharpeInputs dsr;
    for (const DailyReturn& day : *daily) dsr.returns.push_back(day.ret);
    dsr.trials = 5;
    dsr.trial_sharpes = {0.01, 0.03, -0.02, 0.05, 0.0};
    auto deflated = deflated_sharpe(dsr);
    EXPECT_TRUE(deflated.ok());
    if (deflated.ok()) input.deflated = *deflated;
  }
  models::Scores scores;
  scores.loss = 1.0512;
  scores.accuracy = 0.4123;
  scores.macro_f1 = 0.38;
  scores.auc = 0.5412;
  scores.ic = 0.0312;
  scores.rows = 12345;
  input.prediction = scores;
  for (int f = 0; f < 25; ++f) {
    input.gain.push_back({"feature_" + std::to_string(f), 100.0 - f});
    input.permutation.push_back({"feature_" + std::to_string(f), 0.01 - 0.0005 * f, 0.001});
  }
  // 25 features with totals of alternating sign and growing size: feature_24 is the largest.
  PnlAttribution& a = *run.attribution;
  for (int f = 0; f < 25; ++f) {
    a.features.push_back("feature_" + std::to_string(f));
    a.totals.push_back((f % 2 == 0 ? 1.0 : -1.0) * 10.0 * (f + 1));
    a.trades.push_back(static_cast<std::size_t>(f + 1));
  }
  a.unattributed = -12.5;
  a.attributed_trades = static_cast<std::size_t>(trades);
  a.trades_without_push = 3;
  input.attribution = run.attribution.get();
  input.config_text = "model:\n  name: lgbm_direction\n  max_leaves: 31\n";
  return run;
}

std::string render(const ReportInput& input) {
  auto html = render_report(input);
  EXPECT_TRUE(html.ok()) << (html.ok() ? "" : html.error().message);
  return html.ok() ? *html : std::string();
}

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("itrade_report_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- Content ----

TEST(Report, EverySectionAndChartIsPresent) {
  const SyntheticRun run = make_run(3, 45, 78, 200);
  const std::string html = render(run.input);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* section :
       {"headline", "equity", "prediction", "monthly", "trades", "importance", "attribution", "tickers", "config"}) {
    EXPECT_NE(html.find(std::string("<section id=\"") + section + "\""), std::string::npos) << section;
  }
  for (const std::string& id : kChartIds) {
    const std::string svg = svg_of(html, id);
    ASSERT_FALSE(svg.empty()) << id;
    EXPECT_NE(svg.find("<title id=\"" + id + "-title\">"), std::string::npos) << id;
    EXPECT_EQ(svg.find("no data"), std::string::npos) << id;
  }
  // 45 sessions from 2024-01-02: January (21 sessions) and February (20) and four days of March.
  EXPECT_EQ(occurrences(svg_of(html, "monthly-heatmap"), "<rect"), 12u + 1u + 1u);  // cells, background, key
  EXPECT_GT(occurrences(svg_of(html, "pnl-histogram"), "<rect"), 5u);
  EXPECT_EQ(occurrences(svg_of(html, "gain-importance"), "class=\"bar\""), 20u);
  EXPECT_EQ(occurrences(svg_of(html, "permutation-importance"), "class=\"error-bar\""), 20u);
  EXPECT_NE(html.find("<h3>By gain (top 20 of 25)</h3>"), std::string::npos);
  expect_no_nan_coordinates(html);
}

TEST(Report, AttributionChartShowsTheLargestFeatureTotals) {
  const SyntheticRun run = make_run(2, 10, 20, 30);
  const std::string html = render(run.input);
  const std::string svg = svg_of(html, "pnl-attribution");
  ASSERT_FALSE(svg.empty());
  // The 20 largest |totals| are features 5..24, largest (feature_24, +250) first.
  EXPECT_EQ(occurrences(svg, "class=\"bar\""), 20u);
  EXPECT_NE(svg.find("<title>feature_24: 250</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>feature_5: -60.0</title>"), std::string::npos);
  EXPECT_EQ(svg.find("feature_4:"), std::string::npos);
  EXPECT_LT(svg.find("feature_24:"), svg.find("feature_23:"));
  EXPECT_NE(svg.find("#c44e52"), std::string::npos);  // losses in red
  EXPECT_NE(svg.find("#55a868"), std::string::npos);  // gains in green
  EXPECT_NE(html.find("<h3>Total P&amp;L per feature (top 20 of 25 by size)</h3>"), std::string::npos);
  EXPECT_NE(html.find("30 trades split among the features"), std::string::npos);
  EXPECT_NE(html.find("3 unattributed, P&amp;L -12.50 (0 without a contribution row"), std::string::npos);
  EXPECT_NE(html.find("href=\"#attribution\""), std::string::npos);

  // Without an attribution: "no data" and a line saying why.
  SyntheticRun none = make_run(2, 10, 20, 30);
  none.input.attribution = nullptr;
  const std::string without = render(none.input);
  EXPECT_NE(svg_of(without, "pnl-attribution").find("no data"), std::string::npos);
  EXPECT_NE(without.find("The model gives no per-row feature contributions"), std::string::npos);
}

TEST(Report, NeedsNoNetwork) {
  const SyntheticRun run = make_run(2, 10, 20, 30);
  const std::string html = render(run.input);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url(http"), std::string::npos);
  // The only URL is the SVG namespace name, which is never fetched.
  std::string rest = html;
  for (std::size_t at = rest.find("http://www.w3.org/2000/svg"); at != std::string::npos;
       at = rest.find("http://www.w3.org/2000/svg")) {
    rest.erase(at, 26);
  }
  EXPECT_EQ(rest.find("http:"), std::string::npos);
  EXPECT_EQ(rest.find("https:"), std::string::npos);
  EXPECT_EQ(rest.find("//"), std::string::npos);  // no protocol-relative URL either
}

TEST(Report, HeadlineValuesAreFormatted) {
  SyntheticRun run = make_run(2, 10, 20, 30);
  Performance& p = run.input.performance;
  p.total_return = 0.1234;
  p.annual_return = -0.05;
  p.sharpe = 1.23456;
  p.sortino = kNaN;
  p.profit_factor = kInf;
  p.calmar = -kInf;
  p.max_drawdown = 0.0876;
  p.max_drawdown_days = 12;
  p.max_drawdown_bars = 345;
  p.win_rate = 0.5554;
  p.trades = 1234;
  p.trades_per_day = 4.5;
  p.exposure = 0.25;
  p.turnover = 1.5;
  p.total_fees = 12345.678;
  DeflatedSharpe d;
  d.dsr = 0.8734;
  d.psr = 0.9612;
  d.trials = 12;
  run.input.deflated = d;
  const std::string html = render(run.input);
  auto has = [&](const std::string& label, const std::string& value) {
    const std::size_t at = html.find("<th>" + label + "</th>");
    ASSERT_NE(at, std::string::npos) << label;
    const std::size_t cell = html.find(">", html.find("<td", at)) + 1;
    EXPECT_EQ(html.substr(cell, html.find("</td>", cell) - cell), value) << label;
  };
  has("Total return", "12.34%");
  has("Annual return (CAGR)", "-5.00%");
  has("Sharpe ratio (annualised)", "1.23");
  has("Sortino ratio (annualised)", "n/a");
  has("Profit factor", "+inf");
  has("Calmar ratio", "-inf");
  has("Max drawdown", "8.76%");
  has("Longest drawdown", "12 days (345 bars)");
  has("Win rate", "55.5%");
  has("Trades", "1,234");
  has("Trades per day", "4.50");
  has("Exposure (time in market)", "25.0%");
  has("Turnover per day", "150.0%");
  has("Fees", "12,345.68");
  has("Deflated Sharpe (DSR)", "87.3% over 12 trials");
  has("Probabilistic Sharpe (PSR)", "96.1%");
  has("Accuracy", "41.2%");
  has("ROC AUC", "0.541");
  has("Information coefficient (Spearman)", "0.031");
  has("Rows", "12,345");
  EXPECT_EQ(html.find(">nan"), std::string::npos);
  EXPECT_EQ(html.find(">inf"), std::string::npos);
  EXPECT_EQ(html.find("NaN"), std::string::npos);

  run.input.deflated.reset();
  run.input.prediction.reset();
  const std::string without = render(run.input);
  EXPECT_NE(without.find("n/a (trials not recorded)"), std::string::npos);
  EXPECT_EQ(without.find("<section id=\"prediction\""), std::string::npos);
  EXPECT_EQ(without.find("href=\"#prediction\""), std::string::npos);  // no link to a missing section
}

TEST(Report, InputTextIsEscaped) {
  SyntheticRun run = make_run(2, 5, 10, 10);
  run.input.title = "<script>alert('t')</script>";
  run.input.facts = {{"a<b", "c&d"}};
  run.input.tickers[0].ticker = "<img src=x onerror=alert(1)>";
  run.input.gain = {{"rsi<14>&\"q\"", 1.0}};
  run.input.permutation = {{"vol'spike", 0.1, 0.01}};
  run.attribution->features[24] = "<script>drawn</script>";  // the largest total: drawn
  run.input.config_text = "model: </pre><script>x</script>\nfee: 'a & b'\n";
  const std::string html = render(run.input);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(occurrences(html, "</pre>"), 1u);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<th>a&lt;b</th><td>c&amp;d</td>"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("rsi&lt;14&gt;&amp;&quot;q&quot;"), std::string::npos);
  EXPECT_NE(html.find("vol&#39;spike"), std::string::npos);
  EXPECT_NE(html.find("<pre id=\"config-text\">model: &lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;\nfee: &#39;a &amp; "
                      "b&#39;\n</pre>"),
            std::string::npos);
}

TEST(Report, DrawdownChartAgreesWithTheAnalytics) {
  const SyntheticRun run = make_run(2, 30, 78, 50);
  const std::string html = render(run.input);
  // The deepest point drawn is the analytics' max drawdown (both count from the initial cash).
  EXPECT_NE(html.find("Deepest drawdown drawn: " + format_percent(-run.input.performance.max_drawdown, 2) + "."),
            std::string::npos);
  ASSERT_GT(run.input.performance.max_drawdown, 0.0);
  // The underwater curve touches the bottom of its plot area (y = 180 - 32 = 148) and the equity
  // curve the top (16) and the bottom (320 - 32 = 288) of its own.
  EXPECT_NE(svg_of(html, "drawdown-chart").find(",148.0"), std::string::npos);
  const std::string equity = svg_of(html, "equity-chart");
  EXPECT_NE(equity.find("class=\"reference\""), std::string::npos);
}

TEST(Report, MonthlyHeatmapRowsAreYearsWithTotals) {
  SyntheticRun run = make_run(2, 5, 10, 10);
  run.input.monthly = {{2023, 11, 0.02, 21}, {2023, 12, -0.01, 20}, {2024, 1, 0.03, 22}};
  const std::string html = render(run.input);
  const std::string svg = svg_of(html, "monthly-heatmap");
  EXPECT_NE(svg.find(">2023<"), std::string::npos);
  EXPECT_NE(svg.find(">2024<"), std::string::npos);
  EXPECT_NE(svg.find(">2.0%<"), std::string::npos);
  EXPECT_NE(svg.find(">-1.0%<"), std::string::npos);
  EXPECT_NE(svg.find(">3.0%<"), std::string::npos);
  // 2023: 1.02 x 0.99 - 1 = 0.98 %; 2024: 3 %.
  EXPECT_NE(svg.find(">1.0%<"), std::string::npos);
  EXPECT_NE(svg.find("<title>2023, Nov: 2.0%</title>"), std::string::npos);
  // 2 rows x 12 months, 3 of them coloured; the largest |month| (3 %) saturates green.
  EXPECT_EQ(occurrences(svg, "<title>"), 24u);  // one tooltip per cell (the chart title has an id)
  EXPECT_EQ(occurrences(svg, "fill=\"#ffffff\""), 21u);
  EXPECT_EQ(occurrences(svg, "fill=\"#1b7837\""), 1u);
}

TEST(Report, ImportanceShowsTheTopTwentyLargestFirst) {
  SyntheticRun run = make_run(2, 5, 10, 10);
  run.input.gain = {{"small", 1.0}, {"big", 3.0}};
  run.input.permutation.clear();
  for (int f = 0; f < 30; ++f) {
    run.input.permutation.push_back({"p" + std::to_string(f), 0.001 * f - 0.005, 0.0005});
  }
  const std::string html = render(run.input);
  const std::string gain = svg_of(html, "gain-importance");
  // Shares of the total gain 4: big 75 %, small 25 %, big on top.
  EXPECT_NE(gain.find("<title>big: 75.0%</title>"), std::string::npos);
  EXPECT_NE(gain.find("<title>small: 25.0%</title>"), std::string::npos);
  EXPECT_LT(gain.find(">big<"), gain.find(">small<"));
  const std::string permutation = svg_of(html, "permutation-importance");
  EXPECT_EQ(occurrences(permutation, "class=\"bar\""), 20u);
  EXPECT_LT(permutation.find(">p29<"), permutation.find(">p28<"));
  EXPECT_EQ(permutation.find(">p9<"), std::string::npos);  // 21st largest: left out
  EXPECT_NE(permutation.find(">p10<"), std::string::npos);
}

TEST(Report, TickerTableIsSortedByPnl) {
  SyntheticRun run = make_run(3, 5, 10, 10);
  run.input.tickers = {
      {"LOW", 2, 0.5, 1.2, -50.0, 2.0}, {"HIGH", 3, 1.0, kInf, 300.0, 3.0}, {"NONE", 0, kNaN, kNaN, 0.0, 0.0}};
  const std::string html = render(run.input);
  const std::size_t high = html.find("<td>HIGH</td>");
  const std::size_t none = html.find("<td>NONE</td>");
  const std::size_t low = html.find("<td>LOW</td>");
  ASSERT_NE(high, std::string::npos);
  EXPECT_LT(high, none);
  EXPECT_LT(none, low);
  EXPECT_NE(html.find("<td>HIGH</td><td class=\"num\">3</td><td class=\"num\">100.0%</td><td class=\"num\">+inf</td>"
                      "<td class=\"num pos\">300.00</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>NONE</td><td class=\"num\">0</td><td class=\"num\">n/a</td><td class=\"num\">n/a</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"num neg\">-50.00</td>"), std::string::npos);
}

TEST(Report, DegenerateRunsDrawNoDataInsteadOfNaN) {
  // One day, a flat equity, no trades, no importance, no monthly returns, no tickers.
  BacktestResult flat;
  flat.tickers = {"AAPL"};
  flat.initial_cash = 10000.0;
  const core::Timestamp open = core::NyseCalendar::instance().session(core::days_from_civil(2024, 3, 4))->open;
  for (int b = 0; b < 5; ++b) {
    flat.ts.push_back(open + b * 5 * core::kNanosPerMinute);
    flat.equity.push_back(10000.0);
    flat.cash.push_back(10000.0);
    flat.gross_exposure.push_back(0.0);
  }
  ReportInput input;
  input.backtest = &flat;
  auto performance = compute_performance(flat);
  ASSERT_TRUE(performance.ok());
  input.performance = *performance;  // Sharpe and win rate are NaN here
  const std::string html = render(input);
  for (const char* id :
       {"monthly-heatmap", "pnl-histogram", "gain-importance", "permutation-importance", "pnl-attribution"}) {
    const std::string svg = svg_of(html, id);
    ASSERT_FALSE(svg.empty()) << id;
    EXPECT_NE(svg.find("no data"), std::string::npos) << id;
  }
  EXPECT_EQ(svg_of(html, "equity-chart").find("no data"), std::string::npos);  // a flat line
  EXPECT_EQ(svg_of(html, "drawdown-chart").find("no data"), std::string::npos);
  EXPECT_NE(html.find("<th>Sharpe ratio (annualised)</th><td class=\"num\">n/a</td>"), std::string::npos);
  EXPECT_NE(html.find("no configuration recorded"), std::string::npos);
  expect_no_nan_coordinates(html);

  // An empty timeline: every chart says no data, nothing crashes.
  BacktestResult empty;
  ReportInput nothing;
  nothing.backtest = &empty;
  const std::string empty_html = render(nothing);
  for (const std::string& id : kChartIds) EXPECT_NE(svg_of(empty_html, id).find("no data"), std::string::npos) << id;
}

TEST(Report, InputErrors) {
  ReportInput input;
  auto missing = render_report(input);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::input);
  EXPECT_NE(missing.error().message.find("backtest"), std::string::npos);

  BacktestResult r;
  r.initial_cash = 1.0;
  r.ts = {1, 2};
  r.equity = {1.0};
  input.backtest = &r;
  auto mismatch = render_report(input);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("2 timestamps but 1 equity"), std::string::npos);

  r.equity = {1.0, 1.0};
  r.ts = {2, 2};
  auto unordered = render_report(input);
  ASSERT_FALSE(unordered.ok());
  EXPECT_NE(unordered.error().message.find("not strictly ascending at point 1"), std::string::npos);
}

TEST(Report, LargeRunStaysSmall) {
  // 100 tickers, 256 days x 78 bars = 19,968 timeline points, 10,000 trades.
  const SyntheticRun run = make_run(100, 256, 78, 10000);
  const std::string html = render(run.input);
  EXPECT_LT(html.size(), 400u * 1024u) << html.size();
  // The equity path: at most 4 points per pixel column of its 856 px plot area (960 - 80 - 24).
  const std::string equity = svg_of(html, "equity-chart");
  const std::string d = equity.substr(equity.find("<path d=\""));
  const std::string path = d.substr(0, d.find("\" "));
  EXPECT_LE(occurrences(path, "L") + 1, 4u * 857u);
  EXPECT_EQ(occurrences(html, "<td>T"), 99u);  // every ticker but AAPL in the table
  expect_no_nan_coordinates(html);
}

// ---- Writing ----

TEST(ReportFile, WritesAtomicallyAndReplaces) {
  TempDir dir("write");
  const fs::path path = dir.path() / "report.html";
  {
    std::ofstream old(path);
    old << "old report";
  }
  const SyntheticRun run = make_run(2, 5, 10, 10);
  const auto status = write_report(path, run.input);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(read_text(path), render(run.input));
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "report.html");  // no temporary file left behind
  }
  EXPECT_EQ(files, 1u);
}

TEST(ReportFile, ErrorsLeaveNothingBehind) {
  TempDir dir("errors");
  const SyntheticRun run = make_run(2, 5, 10, 10);
  const auto missing_dir = write_report(dir.path() / "no_such_dir" / "report.html", run.input);
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.error().kind, core::ErrorKind::runtime);
  EXPECT_NE(missing_dir.error().message.find("no_such_dir"), std::string::npos);

  ReportInput bad;  // no backtest: an input error, nothing written
  const auto invalid = write_report(dir.path() / "report.html", bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().kind, core::ErrorKind::input);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

// ---- Headless Chromium ----

constexpr const char* kChromium = "/usr/bin/chromium";

// Runs a shell command; returns its exit status and fills `output` with its stdout.
int run_command(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string chromium_command(const fs::path& profile, const std::string& arguments, const fs::path& page) {
  // --no-sandbox: Chromium refuses to start as root otherwise. The profile directory is private to
  // the test so that parallel runs do not share a lock. Background networking is off: the page
  // itself loads nothing, and neither should the browser.
  return std::string("timeout 60 ") + kChromium +
         " --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions"
         " --disable-background-networking --disable-component-update --user-data-dir=" +
         profile.string() + " " + arguments + " file://" + page.string() + " 2>/dev/null";
}

TEST(ReportChromium, RendersEveryChart) {
  ASSERT_TRUE(fs::exists(kChromium)) << kChromium
                                     << " is missing: the rendering test needs Debian's chromium; run "
                                        "scripts/bootstrap.sh (it installs the package)";
  TempDir dir("chromium");
  const fs::path page = dir.path() / "report.html";
  const SyntheticRun run = make_run(3, 45, 78, 200);
  const auto written = write_report(page, run.input);
  ASSERT_TRUE(written.ok()) << written.error().message;

  std::string dom;
  const int status = run_command(chromium_command(dir.path() / "profile", "--dump-dom", page), dom);
  ASSERT_EQ(status, 0) << "chromium --dump-dom failed (124 = timed out after 60 s)";
  ASSERT_NE(dom.find("<section id=\"headline\""), std::string::npos) << dom.substr(0, 500);
  struct Expectation {
    const char* id;
    const char* element;  // a child element the chart must contain after parsing
    std::size_t at_least;
  };
  // Chromium serialises each parsed element with its closing tag, so these count real DOM nodes.
  const std::vector<Expectation> expectations = {
      {"equity-chart", "<path", 1},
      {"equity-chart", "<line", 3},
      {"drawdown-chart", "<path", 2},
      {"monthly-heatmap", "<rect", 14},
      {"monthly-heatmap", "<text", 12},
      {"pnl-histogram", "<rect", 6},
      {"gain-importance", "<rect", 21},
      {"permutation-importance", "<rect", 21},
      {"permutation-importance", "<line", 60},
      {"pnl-attribution", "<rect", 21},
  };
  for (const Expectation& e : expectations) {
    const std::string svg = svg_of(dom, e.id);
    ASSERT_FALSE(svg.empty()) << e.id << " is not in the rendered DOM";
    EXPECT_NE(svg.find("<title id=\"" + std::string(e.id) + "-title\">"), std::string::npos) << e.id;
    EXPECT_GE(occurrences(svg, e.element), e.at_least) << e.id << " " << e.element;
  }

  const fs::path shot = dir.path() / "report.png";
  std::string ignored;
  ASSERT_EQ(
      run_command(chromium_command(dir.path() / "profile",
                                   "--hide-scrollbars --window-size=1100,4000 --screenshot=" + shot.string(), page),
                  ignored),
      0)
      << "chromium --screenshot failed (124 = timed out after 60 s)";
  ASSERT_TRUE(fs::exists(shot));
  const std::string png = read_text(shot);
  ASSERT_GT(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // IHDR: width and height, big-endian, at bytes 16..23.
  auto be32 = [&](std::size_t at) {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(png[at + 3]));
  };
  EXPECT_EQ(be32(16), 1100u);
  EXPECT_EQ(be32(20), 4000u);
  // A blank 1100 x 4000 page compresses to a few kB; text, tables and charts make it far larger.
  EXPECT_GT(png.size(), 60u * 1024u) << png.size();
}

}  // namespace
}  // namespace itrade::evaluation

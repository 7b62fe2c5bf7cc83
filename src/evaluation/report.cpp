#include "evaluation/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <string_view>

#include "core/atomic_file.h"
#include "evaluation/html_page.h"
#include "evaluation/svg_chart.h"

namespace itrade::evaluation {

namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Every chart is drawn at this width and scales down with the page (CSS max-width).
constexpr double kChartWidth = 960.0;
constexpr double kChartMarginLeft = 80.0;
constexpr double kChartMarginRight = 24.0;

// The report's own style, after the shared one (html_page.h).
constexpr std::string_view kReportStyle = R"css(
.metric-groups { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 8px 40px; }
.metric-groups table th { font-weight: normal; color: #444; }
pre { background: #f6f8fa; border: 1px solid #e1e4e8; padding: 10px; overflow: auto; max-height: 600px;
      font-size: 0.85em; }
)css";

std::string pct(double fraction, int decimals = 2) { return format_percent(fraction, decimals); }
std::string num(double value, int decimals = 2) { return format_number(value, decimals); }
std::string count(std::size_t value) { return format_number(static_cast<double>(value), 0); }

// One "label: value" row of a metric table; `value` is already formatted (not yet escaped).
void metric_row(std::string& out, std::string_view label, const std::string& value, const char* css = "") {
  emit(out, "<tr><th>{}</th><td class=\"num{}\">{}</td></tr>", escape_xml(label), css, escape_xml(value));
}

core::Status validate(const ReportInput& input) {
  if (input.backtest == nullptr) {
    return core::input_error("the report needs the run's backtest result (ReportInput::backtest is null)");
  }
  const BacktestResult& result = *input.backtest;
  if (result.ts.size() != result.equity.size()) {
    return core::input_error("the backtest timeline has {} timestamps but {} equity values", result.ts.size(),
                             result.equity.size());
  }
  for (std::size_t k = 1; k < result.ts.size(); ++k) {
    if (result.ts[k] <= result.ts[k - 1]) {
      return core::input_error("the backtest timeline is not strictly ascending at point {} ({} after {})", k,
                               core::format_utc(result.ts[k]), core::format_utc(result.ts[k - 1]));
    }
  }
  return {};
}

// Drawdown at every timeline point, <= 0: equity / running peak - 1, the peak starting at the
// initial cash (as Performance::max_drawdown counts it). NaN where the peak is not positive or the
// equity not finite.
std::vector<double> drawdown_curve(const BacktestResult& result) {
  std::vector<double> drawdown(result.equity.size(), kNaN);
  double peak = std::isfinite(result.initial_cash) && result.initial_cash > 0.0 ? result.initial_cash : kNaN;
  for (std::size_t k = 0; k < result.equity.size(); ++k) {
    const double equity = result.equity[k];
    if (!std::isfinite(equity)) continue;
    if (!(peak >= equity)) peak = equity;  // also takes the first finite point when there is no initial cash
    if (peak > 0.0) drawdown[k] = equity / peak - 1.0;
  }
  return drawdown;
}

// Quantile by linear interpolation between the order statistics of sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

ChartFrame frame(std::string id, std::string title, double height) {
  ChartFrame f;
  f.id = std::move(id);
  f.title = std::move(title);
  f.width = kChartWidth;
  f.height = height;
  f.margin_left = kChartMarginLeft;
  f.margin_right = kChartMarginRight;
  return f;
}

void header(std::string& out, const ReportInput& input) {
  const std::string title = input.title.empty() ? "itrade backtest report" : input.title;
  emit(out, "<header><h1>{}</h1>", escape_xml(title));
  emit(out, "<p class=\"run\">run <code>{}</code>{}{}</p>", escape_xml(input.run_id.empty() ? "-" : input.run_id),
       input.created_utc.empty() ? "" : ", created ", escape_xml(input.created_utc));
  if (!input.facts.empty()) {
    append(out, "<table class=\"facts\">");
    for (const auto& [label, value] : input.facts) {
      emit(out, "<tr><th>{}</th><td>{}</td></tr>", escape_xml(label), escape_xml(value));
    }
    append(out, "</table>");
  }
  // In-page links only (fragments): nothing is fetched.
  emit(out,
       "<nav><a href=\"#headline\">Headline</a><a href=\"#equity\">Equity</a>{}<a href=\"#monthly\">Monthly</a>"
       "<a href=\"#trades\">Trades</a><a href=\"#importance\">Importance</a><a href=\"#attribution\">Attribution</a>"
       "<a href=\"#tickers\">Tickers</a>"
       "<a href=\"#config\">Configuration</a></nav></header>",
       input.prediction ? "<a href=\"#prediction\">Prediction</a>" : "");
}

void headline(std::string& out, const ReportInput& input) {
  const Performance& p = input.performance;
  const BacktestResult& result = *input.backtest;
  append(out, "<section id=\"headline\"><h2>Headline</h2><div class=\"metric-groups\">");

  append(out, "<table class=\"metrics\" id=\"return-risk\"><tr><th colspan=\"2\"><h3>Return and risk</h3></th></tr>");
  metric_row(out, "Total return", pct(p.total_return), sign_class(p.total_return));
  metric_row(out, "Annual return (CAGR)", pct(p.annual_return), sign_class(p.annual_return));
  metric_row(out, "Annual volatility", pct(p.annual_volatility));
  metric_row(out, "Sharpe ratio (annualised)", num(p.sharpe));
  metric_row(out, "Sortino ratio (annualised)", num(p.sortino));
  if (input.deflated) {
    const DeflatedSharpe& d = *input.deflated;
    metric_row(out, "Deflated Sharpe (DSR)",
               fmt::format("{} over {} trial{}", pct(d.dsr, 1), count(d.trials), d.trials == 1 ? "" : "s"));
    metric_row(out, "Probabilistic Sharpe (PSR)", pct(d.psr, 1));
  } else {
    metric_row(out, "Deflated Sharpe (DSR)", "n/a (trials not recorded)");
  }
  metric_row(out, "Max drawdown", pct(p.max_drawdown), p.max_drawdown > 0.0 ? " neg" : "");
  metric_row(out, "Longest drawdown",
             fmt::format("{} day{} ({} bars)", count(p.max_drawdown_days), p.max_drawdown_days == 1 ? "" : "s",
                         count(p.max_drawdown_bars)));
  metric_row(out, "Calmar ratio", num(p.calmar));
  append(out, "</table>");

  append(out, "<table class=\"metrics\" id=\"trade-stats\"><tr><th colspan=\"2\"><h3>Trades</h3></th></tr>");
  metric_row(out, "Trades", count(p.trades));
  metric_row(out, "Win rate", pct(p.win_rate, 1));
  metric_row(out, "Profit factor", num(p.profit_factor));
  metric_row(out, "Expectancy per trade", num(p.expectancy), sign_class(p.expectancy));
  metric_row(out, "Average win", num(p.average_win));
  metric_row(out, "Average loss", num(p.average_loss));
  metric_row(out, "Average holding (bars)", num(p.average_holding_bars, 1));
  metric_row(out, "Trades per day", num(p.trades_per_day));
  append(out, "</table>");

  append(out, "<table class=\"metrics\" id=\"activity\"><tr><th colspan=\"2\"><h3>Activity</h3></th></tr>");
  metric_row(out, "Exposure (time in market)", pct(p.exposure, 1));
  metric_row(out, "Turnover per day", pct(p.turnover, 1));
  metric_row(out, "Fees", num(p.total_fees));
  metric_row(out, "Initial cash", num(result.initial_cash));
  metric_row(out, "Final equity", num(result.equity.empty() ? kNaN : result.equity.back()));
  metric_row(out, "Days", count(p.days));
  metric_row(out, "Bars", count(p.bars));
  append(out, "</table>");

  append(out, "<table class=\"metrics\" id=\"risk-limits\"><tr><th colspan=\"2\"><h3>Risk limits</h3></th></tr>");
  metric_row(out, "Loss limits tripped", risk_trips_text(result));
  metric_row(out, "Entries cut by a limit", risk_blocks_text(result));
  metric_row(out, "Entries too small for one share", count(result.skipped_entries));
  append(out, "</table></div></section>");
}

void equity_section(std::string& out, const ReportInput& input) {
  const BacktestResult& result = *input.backtest;
  std::optional<std::pair<core::Timestamp, core::Timestamp>> domain;
  if (!result.ts.empty()) domain = std::pair{result.ts.front(), result.ts.back()};

  LineChart equity;
  equity.frame = frame("equity-chart", "Equity (account currency) at every timeline point", 320.0);
  equity.series.push_back(LineSeries{"equity", "#1f77b4", result.ts, result.equity});
  if (std::isfinite(result.initial_cash)) equity.reference = result.initial_cash;
  equity.time_domain = domain;

  AreaChart drawdown;
  drawdown.frame = frame("drawdown-chart", "Drawdown from the running equity peak", 180.0);
  drawdown.ts = result.ts;
  drawdown.values = drawdown_curve(result);
  drawdown.value_style = NumberStyle::percent;
  drawdown.time_domain = domain;
  double deepest = 0.0;
  for (double v : drawdown.values) {
    if (std::isfinite(v)) deepest = std::min(deepest, v);
  }
  drawdown.value_domain = std::pair{deepest < 0.0 ? deepest : -0.01, 0.0};

  append(out, "<section id=\"equity\"><h2>Equity and drawdown</h2>");
  append(out, line_chart(equity));
  append(out, area_chart(drawdown));
  emit(out,
       "<p class=\"note\">Deepest drawdown drawn: {}. Both charts share the time axis (New York dates); the dashed "
       "line is the initial cash. Each curve keeps, per pixel column, its first, lowest, highest and last point, so "
       "every peak and trough of the {} timeline points is drawn.</p></section>",
       escape_xml(pct(deepest)), escape_xml(count(result.ts.size())));
}

void prediction_section(std::string& out, const ReportInput& input) {
  if (!input.prediction) return;
  const models::Scores& s = *input.prediction;
  append(out,
         "<section id=\"prediction\"><h2>Out-of-sample prediction quality</h2>"
         "<table class=\"metrics\" id=\"prediction-scores\">");
  metric_row(out, "Loss (log loss or RMSE)", num(s.loss, 4));
  metric_row(out, "Accuracy", pct(s.accuracy, 1));
  metric_row(out, "Macro F1", num(s.macro_f1, 3));
  metric_row(out, "ROC AUC", num(s.auc, 3));
  metric_row(out, "Information coefficient (Spearman)", num(s.ic, 3));
  metric_row(out, "Rows", count(s.rows));
  append(out, "</table></section>");
}

void monthly_section(std::string& out, const ReportInput& input) {
  std::vector<int> years;
  for (const MonthlyReturn& m : input.monthly) years.push_back(m.year);
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());

  Heatmap heatmap;
  heatmap.frame = frame("monthly-heatmap", "Monthly returns by year and month", 0.0);
  heatmap.frame.margin_top = 24.0;
  heatmap.frame.margin_bottom = 44.0;
  heatmap.frame.margin_left = 60.0;
  heatmap.frame.margin_right = 90.0;
  heatmap.frame.height =
      heatmap.frame.margin_top + heatmap.frame.margin_bottom + 28.0 * std::max<double>(1.0, years.size());
  heatmap.column_labels = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  heatmap.value_style = NumberStyle::percent;
  heatmap.value_decimals = 1;
  heatmap.values.assign(years.size() * 12, kNaN);
  std::vector<double> year_growth(years.size(), 1.0);
  for (const MonthlyReturn& m : input.monthly) {
    if (m.month < 1 || m.month > 12) continue;
    const auto row = static_cast<std::size_t>(std::lower_bound(years.begin(), years.end(), m.year) - years.begin());
    heatmap.values[row * 12 + static_cast<std::size_t>(m.month - 1)] = m.ret;
    year_growth[row] *= 1.0 + m.ret;
  }
  heatmap.row_notes_header = "Year";
  for (std::size_t row = 0; row < years.size(); ++row) {
    heatmap.row_labels.push_back(fmt::format("{}", years[row]));
    heatmap.row_notes.push_back(pct(year_growth[row] - 1.0, 1));
  }
  append(out, "<section id=\"monthly\"><h2>Monthly returns</h2>");
  append(out, heatmap_chart(heatmap));
  append(
      out,
      "<p class=\"note\">Each cell compounds the month's daily returns (New York days). Green is a gain, red a loss, "
      "the colour saturating at the largest absolute month; months without a trading day in the run are blank. "
      "Year = the compounded months shown.</p></section>");
}

void trades_section(std::string& out, const ReportInput& input) {
  const BacktestResult& result = *input.backtest;
  Histogram histogram;
  histogram.frame = frame("pnl-histogram", "Distribution of trade P&L (account currency, after fees)", 260.0);
  histogram.values.reserve(result.trades.size());
  for (const Trade& trade : result.trades) histogram.values.push_back(trade.pnl);
  append(out, "<section id=\"trades\"><h2>Trade P&amp;L distribution</h2>");
  append(out, histogram_chart(histogram));
  std::vector<double> sorted;
  for (double pnl : histogram.values) {
    if (std::isfinite(pnl)) sorted.push_back(pnl);
  }
  std::sort(sorted.begin(), sorted.end());
  if (!sorted.empty()) {
    double sum = 0.0;
    for (double pnl : sorted) sum += pnl;
    emit(out,
         "<p class=\"note\" id=\"pnl-summary\">{} trades: mean {}, median {}, 5th percentile {}, 95th percentile {}, "
         "worst {}, best {}. Bins: Freedman-Diaconis, {} to {} of them.</p>",
         escape_xml(count(sorted.size())), escape_xml(num(sum / static_cast<double>(sorted.size()))),
         escape_xml(num(quantile(sorted, 0.5))), escape_xml(num(quantile(sorted, 0.05))),
         escape_xml(num(quantile(sorted, 0.95))), escape_xml(num(sorted.front())), escape_xml(num(sorted.back())),
         std::min<std::size_t>(5, sorted.size()), histogram.max_bins);
  }
  append(out, "</section>");
}

template <typename Item, typename Key>
std::vector<Item> top_by(std::vector<Item> items, Key key) {
  // Largest first; NaN last; ties keep the input order.
  std::stable_sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
    const double ka = key(a);
    const double kb = key(b);
    if (std::isnan(kb)) return !std::isnan(ka);
    return ka > kb;
  });
  if (items.size() > kReportTopFeatures) items.resize(kReportTopFeatures);
  return items;
}

double bars_height(std::size_t bars) {
  return 24.0 + 32.0 + 20.0 * static_cast<double>(std::max<std::size_t>(bars, 1));
}

void importance_section(std::string& out, const ReportInput& input) {
  double total_gain = 0.0;
  for (const models::FeatureImportance& f : input.gain) {
    if (std::isfinite(f.value) && f.value > 0.0) total_gain += f.value;
  }
  const bool as_share = total_gain > 0.0;
  BarChart gain;
  const auto top_gain = top_by(input.gain, [](const models::FeatureImportance& f) { return f.value; });
  gain.frame = frame("gain-importance",
                     as_share ? "Feature importance: share of the total split gain" : "Feature importance: split gain",
                     bars_height(top_gain.size()));
  gain.frame.margin_right = 70.0;
  gain.frame.margin_top = 8.0;
  gain.value_style = as_share ? NumberStyle::percent : NumberStyle::plain;
  gain.value_digits = as_share ? 1 : 3;
  for (const models::FeatureImportance& f : top_gain) {
    gain.bars.push_back(Bar{f.feature, as_share ? f.value / total_gain : f.value, 0.0});
  }

  BarChart permutation;
  const auto top_permutation =
      top_by(input.permutation, [](const models::PermutationImportance& f) { return f.mean_increase; });
  permutation.frame = frame("permutation-importance",
                            "Permutation importance: increase of the validation loss when the feature is shuffled "
                            "(mean +- one standard deviation over repeats)",
                            bars_height(top_permutation.size()));
  permutation.frame.margin_right = 70.0;
  permutation.frame.margin_top = 8.0;
  for (const models::PermutationImportance& f : top_permutation) {
    permutation.bars.push_back(Bar{f.feature, f.mean_increase, f.std_increase});
  }

  append(out, "<section id=\"importance\"><h2>Feature importance</h2>");
  emit(out, "<h3>By gain (top {} of {})</h3>", std::min(kReportTopFeatures, input.gain.size()), input.gain.size());
  append(out, bar_chart(gain));
  emit(out, "<h3>By permutation on held-out data (top {} of {})</h3>",
       std::min(kReportTopFeatures, input.permutation.size()), input.permutation.size());
  append(out, bar_chart(permutation));
  append(
      out,
      "<p class=\"note\">Gain counts how much the trees used a feature while fitting; permutation importance measures "
      "how much worse the model predicts held-out rows without it, which is the one to trust. Error bars are "
      "+- one sample standard deviation over the shuffles.</p></section>");
}

void attribution_section(std::string& out, const ReportInput& input) {
  const PnlAttribution* a = input.attribution;
  struct Item {
    std::string feature;
    double total = 0.0;
  };
  std::vector<Item> items;
  if (a != nullptr && a->attributed_trades > 0) {
    for (std::size_t f = 0; f < a->features.size() && f < a->totals.size(); ++f) {
      items.push_back({a->features[f], a->totals[f]});
    }
  }
  const auto top = top_by(items, [](const Item& item) { return std::fabs(item.total); });
  BarChart chart;
  chart.frame = frame("pnl-attribution",
                      "P&L attributed to each feature (account currency, after fees): the trades it drove, each "
                      "split among the features that pushed its side",
                      bars_height(top.size()));
  chart.frame.margin_right = 70.0;
  chart.frame.margin_top = 8.0;
  chart.colour = "#55a868";  // gains green, losses red (negative_colour), as in the P&L histogram
  for (const Item& item : top) chart.bars.push_back(Bar{item.feature, item.total, 0.0});

  append(out, "<section id=\"attribution\"><h2>P&amp;L attribution by feature</h2>");
  emit(out, "<h3>Total P&amp;L per feature (top {} of {} by size)</h3>", top.size(), items.size());
  append(out, bar_chart(chart));
  if (a == nullptr) {
    append(out, "<p class=\"note\">The model gives no per-row feature contributions: no attribution.</p></section>");
    return;
  }
  double attributed = 0.0;
  for (double total : a->totals) attributed += total;
  emit(out,
       "<p class=\"note\" id=\"attribution-summary\">{} trades split among the features, P&amp;L {}; {} "
       "unattributed, P&amp;L {} ({} without a contribution row at the decision bar, {} where no feature pushed the "
       "side taken).</p>",
       escape_xml(count(a->attributed_trades)), escape_xml(num(attributed)),
       escape_xml(count(a->trades_without_row + a->trades_without_push)), escape_xml(num(a->unattributed)),
       escape_xml(count(a->trades_without_row)), escape_xml(count(a->trades_without_push)));
  append(out,
         "<p class=\"note\">Each trade's P&amp;L is split among the features that pushed the model's signal towards "
         "the side taken, at the bar whose close decided the entry, in proportion to their pushes (the model's "
         "per-row feature contributions, TreeSHAP in margin units); features that pushed against it get nothing. A "
         "feature's bar is therefore what the trades it drove made or lost; the bars of all features plus the "
         "unattributed P&amp;L add up to the trades' total P&amp;L.</p></section>");
}

void tickers_section(std::string& out, const ReportInput& input) {
  std::vector<TickerPerformance> rows = input.tickers;
  std::stable_sort(rows.begin(), rows.end(), [](const TickerPerformance& a, const TickerPerformance& b) {
    if (std::isnan(b.total_pnl)) return !std::isnan(a.total_pnl);
    return a.total_pnl > b.total_pnl;
  });
  append(out, "<section id=\"tickers\"><h2>Per ticker</h2>");
  if (rows.empty()) {
    append(out, "<p class=\"note\">no tickers</p></section>");
    return;
  }
  append(out,
         "<table class=\"list\" id=\"ticker-table\"><tr><th>Ticker</th><th>Trades</th><th>Win rate</th>"
         "<th>Profit factor</th><th>Total P&amp;L</th><th>Fees</th></tr>");
  for (const TickerPerformance& t : rows) {
    emit(out,
         "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
         "<td class=\"num{}\">{}</td><td class=\"num\">{}</td></tr>",
         escape_xml(t.ticker), escape_xml(count(t.trades)), escape_xml(pct(t.win_rate, 1)),
         escape_xml(num(t.profit_factor)), sign_class(t.total_pnl), escape_xml(num(t.total_pnl)),
         escape_xml(num(t.fees)));
  }
  append(out,
         "</table><p class=\"note\">Sorted by total P&amp;L (after fees), largest first; tickers without trades are "
         "listed with n/a ratios.</p></section>");
}

void config_section(std::string& out, const ReportInput& input) {
  append(out, "<section id=\"config\"><h2>Resolved configuration</h2>");
  if (input.config_text.empty()) {
    append(out, "<p class=\"note\">no configuration recorded</p>");
  } else {
    emit(out, "<pre id=\"config-text\">{}</pre>", escape_xml(input.config_text));
  }
  append(out, "</section>");
}

}  // namespace

core::Result<std::string> render_report(const ReportInput& input) {
  if (auto valid = validate(input); !valid) return valid.error();
  std::string out;
  out.reserve(64 * 1024 + input.config_text.size() + input.tickers.size() * 256);
  const std::string title = input.title.empty() ? "itrade backtest report" : input.title;
  append(out, page_start(title + " - itrade report", kReportStyle));
  header(out, input);
  headline(out, input);
  equity_section(out, input);
  prediction_section(out, input);
  monthly_section(out, input);
  trades_section(out, input);
  importance_section(out, input);
  attribution_section(out, input);
  tickers_section(out, input);
  config_section(out, input);
  append(out,
         "\n<footer>Generated by itrade. Self-contained: the charts are inline SVG and the page loads nothing from the "
         "network.</footer></body></html>\n");
  return out;
}

core::Status write_report(const fs::path& path, const ReportInput& input) {
  auto html = render_report(input);
  if (!html) return html.error();
  return core::write_file_atomically(path, *html, "report");
}

}  // namespace itrade::evaluation

#include "evaluation/promotion_page.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/nyse_calendar.h"
#include "evaluation/html_page.h"
#include "evaluation/svg_chart.h"

namespace itrade::evaluation {
namespace {

constexpr std::string_view kPageStyle = R"css(
p.verdict { font-size: 1.1em; font-weight: 600; }
p.verdict.promoted { color: #1b7837; }
p.verdict.refused { color: #b2182b; }
td.fail { color: #b2182b; font-weight: 600; }
)css";

// The instant a day's figures stand for: the session's close (the day's end otherwise).
core::Timestamp day_end(core::DayNumber day) {
  const auto session = core::NyseCalendar::instance().session(day);
  return session ? session->close : core::start_of_day(day + 1);
}

void equity_chart(std::string& out, const PromotionVerdict& verdict) {
  LineChart chart;
  chart.frame.id = "equity";
  chart.frame.title = "End-of-day equity: paper account and backtest";
  chart.frame.height = 260.0;
  LineSeries paper{"paper", "#1f77b4", {}, {}};
  LineSeries backtest{"backtest", "#ff7f0e", {}, {}};
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (const DayComparison& c : verdict.days) {
    const core::Timestamp ts = day_end(c.day);
    paper.ts.push_back(ts);
    paper.values.push_back(c.paper ? c.paper->end_equity : kNaN);
    backtest.ts.push_back(ts);
    backtest.values.push_back(c.backtest ? c.backtest->end_equity : kNaN);
  }
  chart.series = {backtest, paper};  // the paper line drawn last, on top where they agree
  append(out, "<section id=\"equity\"><h2>Equity at each day's end</h2>");
  append(out, line_chart(chart));
  append(out, "<p class=\"note\">Where the lines coincide, the paper account ended the day where its backtest did.</p>");
  append(out, "</section>");
}

std::string percent_cell(const std::optional<DayFigures>& d) {
  if (!d) return "<td class=\"num\">-</td>";
  return fmt::format("<td class=\"num{}\">{}</td>", sign_class(d->day_return()), format_percent(d->day_return(), 4));
}

std::string failed_text(const DayComparison& c) {
  if (c.failed.empty()) return "ok";
  std::string text = "failed:";
  for (const DayMetric m : c.failed) text += fmt::format(" {}", day_metric_name(m));
  return text;
}

void days_table(std::string& out, const PromotionVerdict& verdict) {
  append(out,
         "<section id=\"days\"><h2>Day by day</h2><table class=\"list\"><tr><th>day</th><th>paper return</th>"
         "<th>backtest return</th><th>difference (pp)</th><th>fills paper / backtest</th>"
         "<th>traded value paper / backtest</th><th>check</th></tr>");
  for (const DayComparison& c : verdict.days) {
    const double gap = c.paper && c.backtest ? 100.0 * (c.paper->day_return() - c.backtest->day_return())
                                             : std::numeric_limits<double>::quiet_NaN();
    const auto count = [](const std::optional<DayFigures>& d) {
      return d ? fmt::format("{}", d->fills) : std::string("-");
    };
    const auto value = [](const std::optional<DayFigures>& d) {
      return d ? format_number(d->traded_value, 2) : std::string("-");
    };
    emit(out, "<tr><td>{}</td>{}{}<td class=\"num\">{}</td><td class=\"num\">{} / {}</td>",
         core::format_date(c.day), percent_cell(c.paper), percent_cell(c.backtest), format_number(gap, 4),
         count(c.paper), count(c.backtest));
    emit(out, "<td class=\"num\">{} / {}</td><td class=\"{}\">{}</td></tr>", value(c.paper), value(c.backtest),
         c.failed.empty() ? "" : "fail", escape_xml(failed_text(c)));
  }
  append(out, "</table></section>");
}

}  // namespace

std::string render_promotion_page(const PromotionPageInput& input) {
  const PromotionVerdict& v = input.verdict;
  std::string out;
  const std::string title =
      fmt::format("Promotion of paper run {}: {}", input.paper_run, v.promoted ? "promoted" : "refused");
  append(out, page_start(title + " - itrade", kPageStyle));
  emit(out, "<header><h1>{}</h1>", escape_xml(title));
  if (!input.decided_utc.empty()) emit(out, "<p class=\"run\">decided {}</p>", escape_xml(input.decided_utc));
  if (v.promoted) {
    emit(out, "<p class=\"verdict promoted\">Promoted: {} paper day(s), every one within tolerance of the backtest.</p>",
         v.days.size());
  } else {
    emit(out, "<p class=\"verdict refused\">Refused: {}</p>", escape_xml(v.reason));
  }
  append(out, "<table class=\"facts\">");
  for (const auto& [label, value] : input.facts) {
    emit(out, "<tr><th>{}</th><td>{}</td></tr>", escape_xml(label), escape_xml(value));
  }
  const PromotionConfig& c = input.config;
  emit(out,
       "<tr><th>gate</th><td>at least {} paper day(s) with fills; per day |return difference| &lt;= {} percentage "
       "points, |fills difference| &lt;= {}, |traded value difference| &lt;= {} of the day's start equity</td></tr>",
       c.paper_days, format_number(100.0 * c.daily_return, 4), fmt::format("{:g}", c.fills),
       format_number(c.traded_value, 4));
  append(out, "</table></header>");
  equity_chart(out, v);
  days_table(out, v);
  append(out,
         "\n<footer>Generated by itrade promote. Self-contained: the chart is inline SVG and the page loads nothing "
         "from the network.</footer></body></html>\n");
  return out;
}

}  // namespace itrade::evaluation

#include "evaluation/html_page.h"

#include "evaluation/svg_chart.h"

namespace itrade::evaluation {
namespace {

constexpr std::string_view kStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0 auto;
       max-width: 1000px; padding: 16px 24px 48px; line-height: 1.4; }
h1 { font-size: 1.5em; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.2em; margin: 1.6em 0 0.5em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1em; margin: 1em 0 0.3em; }
nav a { margin-right: 0.9em; color: #1f5fa8; text-decoration: none; font-size: 0.9em; }
p.run, p.note { color: #555; font-size: 0.9em; margin: 0.3em 0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts th { color: #555; font-weight: normal; }
table.list th { border-bottom: 1px solid #bbb; }
table.list td { border-bottom: 1px solid #eee; }
.pos { color: #1b7837; }
.neg { color: #b2182b; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 6px 0; }
footer { margin-top: 3em; color: #777; font-size: 0.8em; }
)css";

}  // namespace

std::string page_start(std::string_view title, std::string_view extra_style) {
  std::string out;
  emit(out,
       "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<title>{}</title><style>{}{}</style></head><body>\n",
       escape_xml(title), kStyle, extra_style);
  return out;
}

const char* sign_class(double value) {
  if (value > 0.0) return " pos";
  if (value < 0.0) return " neg";
  return "";
}

}  // namespace itrade::evaluation

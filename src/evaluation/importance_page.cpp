#include "evaluation/importance_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <string_view>

#include "core/atomic_file.h"
#include "evaluation/html_page.h"
#include "evaluation/svg_chart.h"

namespace itrade::evaluation {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMaxWidth = 960.0;
constexpr double kCellHeight = 18.0;

// The page's own style, after the shared one (html_page.h): denser tables with a sticky header.
constexpr std::string_view kPageStyle = R"css(
table { font-size: 0.85em; }
table.list th { position: sticky; top: 0; background: #fff; }
div.scroll { overflow: auto; max-height: 800px; }
)css";

core::Status validate(const ImportancePageInput& input) {
  const std::size_t features = input.features.size();
  const std::size_t targets = input.targets.size();
  if (input.ic.size() != features * targets) {
    return core::input_error("the importance page has {} IC cells for {} features x {} targets", input.ic.size(),
                             features, targets);
  }
  for (std::size_t f = 0; f < features; ++f) {
    for (std::size_t t = 0; t < targets; ++t) {
      const FeatureIc& cell = input.ic[f * targets + t];
      if (cell.feature != input.features[f] || cell.target != input.targets[t]) {
        return core::input_error("IC cell {} is {} x {} where {} x {} was expected", f * targets + t + 1, cell.feature,
                                 cell.target, input.features[f], input.targets[t]);
      }
      if (cell.per_ticker.size() != input.tickers.size()) {
        return core::input_error("IC cell {} x {} has {} per-ticker figures for {} tickers", cell.feature, cell.target,
                                 cell.per_ticker.size(), input.tickers.size());
      }
    }
  }
  return {};
}

const FeatureIc& cell(const ImportancePageInput& input, std::size_t feature, std::size_t target) {
  return input.ic[feature * input.targets.size() + target];
}

// Feature indexes by `key` (an |IC|), largest first, NaN last, ties in input order.
template <typename Key>
std::vector<std::size_t> features_by(const ImportancePageInput& input, Key key) {
  std::vector<std::size_t> order(input.features.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double ka = key(a);
    const double kb = key(b);
    if (std::isnan(kb)) return !std::isnan(ka);
    return ka > kb;
  });
  return order;
}

// The finite per-ticker ICs' range, "min .. max", or "n/a".
std::string ticker_range(const FeatureIc& c) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const IcStat& s : c.per_ticker) {
    if (!std::isfinite(s.ic)) continue;
    lo = std::min(lo, s.ic);
    hi = std::max(hi, s.ic);
  }
  if (lo > hi) return "n/a";
  return fmt::format("{} .. {}", format_number(lo, 3), format_number(hi, 3));
}

ChartFrame heatmap_frame(std::string id, std::string title, std::size_t rows, std::size_t columns,
                         double margin_right) {
  ChartFrame frame;
  frame.id = std::move(id);
  frame.title = std::move(title);
  frame.margin_top = 24.0;
  frame.margin_bottom = 44.0;
  frame.margin_left = 80.0;
  frame.margin_right = margin_right;
  // Room for the labels (the chart widens the left margin to fit them, up to 40 %) plus ~120 px a column.
  frame.width = std::min(kMaxWidth, 200.0 + 120.0 * static_cast<double>(columns) + margin_right);
  frame.height =
      frame.margin_top + frame.margin_bottom + kCellHeight * static_cast<double>(std::max<std::size_t>(rows, 1));
  return frame;
}

const TargetPermutation* permutation_of(const ImportancePageInput& input, const std::string& target) {
  for (const TargetPermutation& p : input.permutation) {
    if (p.target == target) return &p;
  }
  return nullptr;
}

void header(std::string& out, const ImportancePageInput& input) {
  const std::string title = input.title.empty() ? "itrade: which features predict" : input.title;
  emit(out, "<header><h1>{}</h1>", escape_xml(title));
  if (!input.created_utc.empty()) emit(out, "<p class=\"run\">created {}</p>", escape_xml(input.created_utc));
  if (!input.facts.empty()) {
    append(out, "<table class=\"facts\">");
    for (const auto& [label, value] : input.facts) {
      emit(out, "<tr><th>{}</th><td>{}</td></tr>", escape_xml(label), escape_xml(value));
    }
    append(out, "</table>");
  }
  append(out,
         "<nav><a href=\"#ic\">IC</a><a href=\"#tickers\">By ticker</a><a href=\"#permutation\">Permutation</a>"
         "<a href=\"#numbers\">All numbers</a></nav></header>");
}

void ic_section(std::string& out, const ImportancePageInput& input) {
  const std::size_t targets = input.targets.size();
  const auto order = features_by(input, [&](std::size_t f) {
    double best = kNaN;
    for (std::size_t t = 0; t < targets; ++t) {
      const double v = std::fabs(cell(input, f, t).pooled.ic);
      if (std::isfinite(v) && !(best >= v)) best = v;
    }
    return best;
  });
  Heatmap ic;
  ic.frame = heatmap_frame("ic-heatmap", "Information coefficient (Spearman, all tickers pooled): feature x target",
                           order.size(), targets, 24.0);
  ic.column_labels = input.targets;
  ic.value_decimals = 3;
  Heatmap t = ic;
  t.frame = heatmap_frame("t-heatmap", "t-statistic of the pooled IC (n / horizon independent observations)",
                          order.size(), targets, 24.0);
  t.value_decimals = 1;
  for (std::size_t f : order) {
    ic.row_labels.push_back(input.features[f]);
    t.row_labels.push_back(input.features[f]);
    for (std::size_t k = 0; k < targets; ++k) {
      ic.values.push_back(cell(input, f, k).pooled.ic);
      t.values.push_back(cell(input, f, k).pooled.t);
    }
  }
  append(out, "<section id=\"ic\"><h2>Information coefficient</h2>");
  append(out, heatmap_chart(ic));
  append(out,
         "<p class=\"note\">Spearman rank correlation between the feature at bar t and the target's label at bar t "
         "(the label reads the bars after t), over every row of every ticker where both are defined. Green: higher "
         "values of the feature come with higher labels; red: with lower ones. Rows are ordered by their largest "
         "|IC|.</p>");
  append(out, heatmap_chart(t));
  append(out,
         "<p class=\"note\">t = IC &#215; sqrt(n / horizon &#8722; 2) / sqrt(1 &#8722; IC&#178;): labels of "
         "neighbouring bars overlap, so only n / horizon of the n rows count as independent. |t| above about 2 "
         "is unlikely by chance for one feature; with many features some will pass by luck.</p></section>");
}

void ticker_section(std::string& out, const ImportancePageInput& input) {
  append(out, "<section id=\"tickers\"><h2>Information coefficient by ticker</h2>");
  for (std::size_t k = 0; k < input.targets.size(); ++k) {
    const auto order = features_by(input, [&](std::size_t f) { return std::fabs(cell(input, f, k).pooled.ic); });
    Heatmap heatmap;
    heatmap.frame = heatmap_frame("ticker-ic-" + input.targets[k],
                                  "Information coefficient per ticker for " + input.targets[k] + ": feature x ticker",
                                  order.size(), input.tickers.size(), 80.0);
    heatmap.column_labels = input.tickers;
    heatmap.value_decimals = 3;
    heatmap.row_notes_header = "pooled";
    for (std::size_t f : order) {
      const FeatureIc& c = cell(input, f, k);
      heatmap.row_labels.push_back(input.features[f]);
      for (const IcStat& s : c.per_ticker) heatmap.values.push_back(s.ic);
      heatmap.row_notes.push_back(format_number(c.pooled.ic, 3));
    }
    emit(out, "<h3>{}</h3>", escape_xml(input.targets[k]));
    append(out, heatmap_chart(heatmap));
  }
  append(out,
         "<p class=\"note\">A feature that predicts for one ticker only, or with opposite signs across tickers, "
         "shows here; the pooled IC alone would hide it.</p></section>");
}

void permutation_section(std::string& out, const ImportancePageInput& input) {
  append(out, "<section id=\"permutation\"><h2>Permutation importance</h2>");
  for (const std::string& target : input.targets) {
    const TargetPermutation* p = permutation_of(input, target);
    std::vector<models::PermutationImportance> items;
    if (p != nullptr && p->trained) items = p->importance;
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
      if (std::isnan(b.mean_increase)) return !std::isnan(a.mean_increase);
      return a.mean_increase > b.mean_increase;
    });
    BarChart chart;
    chart.frame.id = "permutation-" + target;
    chart.frame.title = "Increase of the test loss when the feature is shuffled, model learning " + target +
                        " (mean +- one standard deviation over repeats)";
    chart.frame.width = kMaxWidth;
    chart.frame.margin_top = 8.0;
    chart.frame.margin_right = 70.0;
    chart.frame.height = 24.0 + 32.0 + 20.0 * static_cast<double>(std::max<std::size_t>(items.size(), 1));
    for (const auto& item : items) chart.bars.push_back(Bar{item.feature, item.mean_increase, item.std_increase});
    emit(out, "<h3>{}</h3>", escape_xml(target));
    append(out, bar_chart(chart));
    const std::string note = p == nullptr ? std::string("no model was trained for this target") : p->note;
    if (!note.empty()) emit(out, "<p class=\"note\">{}</p>", escape_xml(note));
  }
  append(out,
         "<p class=\"note\">Each target's model is trained on the first 60 % of the days, stopped early on the next "
         "20 % and scored on the last 20 %. Shuffling a feature's column there breaks its link with the label; the "
         "loss grows as much as the model relied on it. Unlike the IC this sees non-monotonic effects and "
         "interactions, and unlike it, it depends on the model.</p></section>");
}

void numbers_section(std::string& out, const ImportancePageInput& input) {
  append(out,
         "<section id=\"numbers\"><h2>All numbers</h2><div class=\"scroll\"><table class=\"list\" "
         "id=\"all-numbers\"><tr><th>feature</th><th>target</th><th>pooled IC</th><th>t</th><th>n</th>"
         "<th>IC range across tickers</th>");
  for (const std::string& ticker : input.tickers) emit(out, "<th>{}</th>", escape_xml(ticker));
  append(out, "<th>permutation increase</th></tr>");
  for (std::size_t f = 0; f < input.features.size(); ++f) {
    for (std::size_t k = 0; k < input.targets.size(); ++k) {
      const FeatureIc& c = cell(input, f, k);
      emit(out, "<tr><td>{}</td><td>{}</td><td class=\"num{}\">{}</td><td class=\"num\">{}</td>", escape_xml(c.feature),
           escape_xml(c.target), sign_class(c.pooled.ic), escape_xml(format_number(c.pooled.ic, 4)),
           escape_xml(format_number(c.pooled.t, 2)));
      emit(out, "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
           escape_xml(format_number(static_cast<double>(c.pooled.n), 0)), escape_xml(ticker_range(c)));
      for (const IcStat& s : c.per_ticker) {
        emit(out, "<td class=\"num{}\">{}</td>", sign_class(s.ic), escape_xml(format_number(s.ic, 4)));
      }
      std::string permutation = "-";
      if (const TargetPermutation* p = permutation_of(input, c.target); p != nullptr && p->trained) {
        for (const auto& item : p->importance) {
          if (item.feature != c.feature) continue;
          permutation = fmt::format("{:+.3g} \u00b1 {:.2g}", item.mean_increase, item.std_increase);
        }
      }
      emit(out, "<td class=\"num\">{}</td></tr>", escape_xml(permutation));
    }
  }
  append(out, "</table></div></section>");
}

// A CSV field: the value, or empty for NaN.
std::string csv_number(double value) { return std::isnan(value) ? std::string() : fmt::format("{:.8g}", value); }

// Names come from features.yaml / targets.yaml and tickers from file names; quote one that could
// break the line anyway.
std::string csv_text(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

core::Result<std::string> render_importance_page(const ImportancePageInput& input) {
  if (auto ok = validate(input); !ok) return ok.error();
  std::string out;
  const std::string title = input.title.empty() ? "itrade: which features predict" : input.title;
  append(out, page_start(title + " - itrade importance", kPageStyle));
  header(out, input);
  ic_section(out, input);
  ticker_section(out, input);
  permutation_section(out, input);
  numbers_section(out, input);
  append(out,
         "\n<footer>Generated by itrade importance. Self-contained: the charts are inline SVG and the page loads "
         "nothing from the network.</footer></body></html>\n");
  return out;
}

core::Result<std::string> render_ic_csv(const ImportancePageInput& input) {
  if (auto ok = validate(input); !ok) return ok.error();
  std::string out = "feature,target,scope,ic,t,n\n";
  for (const FeatureIc& c : input.ic) {
    const std::string prefix = csv_text(c.feature) + "," + csv_text(c.target) + ",";
    emit(out, "{}pooled,{},{},{}\n", prefix, csv_number(c.pooled.ic), csv_number(c.pooled.t), c.pooled.n);
    for (std::size_t i = 0; i < c.per_ticker.size(); ++i) {
      const IcStat& s = c.per_ticker[i];
      emit(out, "{}{},{},{},{}\n", prefix, csv_text(input.tickers[i]), csv_number(s.ic), csv_number(s.t), s.n);
    }
  }
  return out;
}

core::Status write_importance_files(const fs::path& html, const ImportancePageInput& input) {
  auto page = render_importance_page(input);
  if (!page) return page.error();
  auto csv = render_ic_csv(input);
  if (!csv) return csv.error();
  fs::path table = html;
  table.replace_extension(".csv");
  if (table == html) {
    return core::input_error("{}: give the page another extension than .csv (the table is written there)",
                             html.string());
  }
  if (auto ok = core::write_file_atomically(html, *page, "importance page"); !ok) return ok;
  return core::write_file_atomically(table, *csv, "importance table");
}

}  // namespace itrade::evaluation

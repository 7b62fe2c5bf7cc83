#pragma once
// The outputs of `itrade importance` (docs/importance.md): a self-contained HTML page and a CSV of
// every information coefficient.
//
// The page follows the report's rules (report.h): one HTML document with its CSS in a <style>
// element, every chart an inline <svg> (svg_chart.h), no script, no font, no image, no link; every
// text from the input (title, facts, tickers, feature and target names, notes) is escaped; NaN is
// shown as "n/a".
//
// Charts, by id: ic-heatmap (pooled IC, features x targets), t-heatmap (their t-statistics),
// ticker-ic-<target> (IC per ticker, features x tickers, one per target) and permutation-<target>
// (permutation importance of the target's model, one per target; "no data" inside the <svg> when
// the model was skipped or --repeats was 0). Then a table (id all-numbers) with every figure.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "evaluation/feature_ic.h"
#include "models/importance.h"

namespace itrade::evaluation {

// The model part for one target.
struct TargetPermutation {
  std::string target;
  bool trained = false;  // false: no model for this target; `note` says why
  std::string note;      // shown under the chart: what was measured, or why it was skipped
  std::vector<models::PermutationImportance> importance;  // any order; drawn largest first
};

struct ImportancePageInput {
  std::string title;        // e.g. "Which features predict: AAPL, MSFT"
  std::string created_utc;  // ISO-8601, shown as given
  // Label -> value lines under the title (data range, tickers, model), in this order.
  std::vector<std::pair<std::string, std::string>> facts;
  std::vector<std::string> tickers;            // the order of FeatureIc::per_ticker
  std::vector<std::string> features;           // the feature order of `ic`
  std::vector<std::string> targets;            // the target order of `ic`
  std::vector<FeatureIc> ic;                   // feature_ic(): element f * targets.size() + t
  std::vector<TargetPermutation> permutation;  // per target, any order; targets left out show "no data"
};

// The page as one HTML document. Heatmap rows are the features ordered by their largest |pooled
// IC| over the targets (per-ticker heatmaps: by |pooled IC| of that target), largest first.
// Input errors: `ic` not features x targets in that order, or a cell whose per-ticker list does not
// match `tickers`.
core::Result<std::string> render_importance_page(const ImportancePageInput& input);

// feature,target,scope,ic,t,n: one line per feature x target for the pooled figures (scope
// "pooled") and one per ticker (scope = the ticker), features and targets in input order. NaN is
// an empty field. Same input errors as the page.
core::Result<std::string> render_ic_csv(const ImportancePageInput& input);

// The page written to `html` and the CSV to `html` with the extension .csv, each atomically
// (atomic_file.h). Errors: those of the renderers, then those of the writes.
core::Status write_importance_files(const std::filesystem::path& html, const ImportancePageInput& input);

}  // namespace itrade::evaluation

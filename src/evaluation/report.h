#pragma once
// The self-contained HTML report of a backtest run, runs/<id>/report.html (docs/report.md): a
// header with the run's facts, the headline figures, equity and drawdown on one time axis,
// out-of-sample prediction scores, monthly returns as a year x month heatmap, the trade P&L
// distribution, feature importance by gain and by permutation, the P&L attributed to features, a
// per-ticker table and the resolved configuration.
//
// The file needs no network to open: one HTML document with its CSS in a <style> element, every
// chart an inline <svg> (svg_chart.h), no script, no font, no image, no link. Every text that comes
// from the input (title, facts, tickers, feature names, configuration) is HTML-escaped.
// NaN and +-inf are shown as "n/a", "+inf" and "-inf"; fractions are shown as percent.
//
// Each chart is an <svg> whose id names it: equity-chart, drawdown-chart, monthly-heatmap,
// pnl-histogram, gain-importance, permutation-importance, pnl-attribution. Every chart is always present; one with
// nothing to show (no trades, no importance, no attribution, a flat curve) says "no data" inside its
// <svg>.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "evaluation/analytics.h"
#include "evaluation/attribution.h"
#include "evaluation/backtest_result.h"
#include "evaluation/deflated_sharpe.h"
#include "models/importance.h"
#include "models/metrics.h"
#include "models/signal_model.h"

namespace itrade::evaluation {

// Everything the report shows. The report computes only what is drawn from the timeline (the
// drawdown curve, the year totals, the P&L quantiles); every figure in the tables is taken as
// given, so the report agrees with the run's other outputs (metrics.json, the terminal) by
// construction.
struct ReportInput {
  std::string title;  // e.g. "lgbm_direction on direction_5: AAPL, MSFT, GOOGL"
  std::string run_id;
  std::string created_utc;  // ISO-8601, shown as given
  // Label -> value lines under the title (data range used, folds, model, code version, data
  // fingerprint), in this order.
  std::vector<std::pair<std::string, std::string>> facts;
  const BacktestResult* backtest = nullptr;                // required; not owned; must outlive the call
  Performance performance;                                 // compute_performance(*backtest)
  std::vector<MonthlyReturn> monthly;                      // monthly_returns(daily_returns(*backtest))
  std::vector<TickerPerformance> tickers;                  // per_ticker(*backtest)
  std::optional<DeflatedSharpe> deflated;                  // with the number of trials; absent: "n/a"
  std::optional<models::Scores> prediction;                // out-of-sample prediction quality; absent: section left out
  std::vector<models::FeatureImportance> gain;             // any order; the top 20 are drawn
  std::vector<models::PermutationImportance> permutation;  // any order; the top 20 are drawn
  // P&L attributed to features (attribution.h); the 20 largest |totals| are drawn. Not owned; null
  // when the model gives no feature contributions (the chart then says "no data").
  const PnlAttribution* attribution = nullptr;
  std::string config_text;  // the resolved configuration, shown verbatim in a <pre>
};

// How many features each importance chart and the attribution chart show, largest first.
inline constexpr std::size_t kReportTopFeatures = 20;

// The report as one HTML document.
// Input errors: no backtest; a timeline whose ts and equity lengths differ or whose timestamps
// are not strictly ascending.
core::Result<std::string> render_report(const ReportInput& input);

// render_report() written to `path` atomically: into a temporary file in the same directory
// (<path>.tmp.<pid>.<n>), flushed to disk, then renamed over `path`; a reader sees the old file or
// the complete new one, never a part. The temporary file is removed on failure.
// Errors: those of render_report(); runtime errors for a directory that does not exist or cannot
// be written, naming the path and the system's reason.
core::Status write_report(const std::filesystem::path& path, const ReportInput& input);

}  // namespace itrade::evaluation

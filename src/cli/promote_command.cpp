// itrade promote: the gate between paper and live trading (docs/execution.md, "Promotion"). A paper
// run's days are set against a backtest of the same model, data and configuration over the same
// days; the model is promoted only when the account has enough days and every day stays within the
// tolerances of config/promotion.yaml. The decision is recorded in the run's promotion.json.

#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console.h"
#include "cli/data_sources.h"
#include "cli/risk_settings.h"
#include "core/atomic_file.h"
#include "core/strings.h"
#include "core/time.h"
#include "evaluation/backtest_config.h"
#include "evaluation/backtester.h"
#include "evaluation/data_fingerprint.h"
#include "evaluation/model_signals.h"
#include "evaluation/paper_run.h"
#include "evaluation/promotion.h"
#include "evaluation/promotion_page.h"
#include "features/registry/feature_registry.h"
#include "models/model_factory.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct PromoteArgs {
  std::string id;
  fs::path runs_dir;
  fs::path config;  // promotion.yaml
};

// What the backtest of a paper run did: its days over the paper days, and its round trips.
struct PaperBacktest {
  std::vector<evaluation::DayFigures> days;
  std::size_t trades = 0;
};

// The backtest a paper run is judged against: its model over its bars (checked unchanged by their
// fingerprint), traded from its first day with the configuration copied into its directory.
core::Result<PaperBacktest> backtest_of(const evaluation::PaperRun& run, const fs::path& run_dir, const fs::path& root,
                                        const GlobalOptions& global) {
  auto backtest = evaluation::load_backtest_config(run_dir / evaluation::kPaperBacktestConfig);
  if (!backtest) return backtest.error();
  auto risk = load_risk_settings(root, global, run_dir / evaluation::kPaperRiskConfig);
  if (!risk) return risk.error();
  auto features = features::FeatureSet::load(run_dir / evaluation::kPaperFeatureConfig);
  if (!features) return features.error();
  auto model = models::load_model(run.model_dir);
  if (!model) {
    return core::input_error("the paper run's model cannot be loaded: {}; promotion compares that very model",
                             model.error().message);
  }
  SourceOverrides overrides;
  overrides.regular_session_only = true;  // as itrade paper
  auto bars = load_bars(run.data, core::join(run.tickers, ","), global, overrides, "promote");
  if (!bars) return bars.error();
  const core::DayNumber first = run.days.front().day;
  const core::DayNumber last = run.days.back().day;
  keep_through(*bars, last);
  const std::string fingerprint = evaluation::data_fingerprint(*bars);
  if (fingerprint != run.fingerprint) {
    return core::input_error(
        "the bars of {} through {} are not those the paper run traded (fingerprint {}, recorded {}); restore that "
        "data, or run the paper account again on the data as it is now",
        run.data.empty() ? "the default data directory" : run.data, core::format_date(last), fingerprint,
        run.fingerprint);
  }
  // As itrade paper: earlier bars warm the features up, trading starts before the first day's open.
  const core::Timestamp trade_from = core::start_of_day(first) + 4 * core::kNanosPerHour;
  auto signals = evaluation::model_signals(*features, **model, *bars, trade_from);
  if (!signals) return signals.error();
  auto result = evaluation::run_backtest_with_limits(*bars, *signals, *backtest, *risk);
  if (!result) return result.error();
  return PaperBacktest{evaluation::backtest_days(*result, first, last), result->trades.size()};
}

json figures_json(const std::optional<evaluation::DayFigures>& d) {
  return d ? evaluation::day_to_json(*d) : json(nullptr);
}

json promotion_json(const evaluation::PaperRun& run, const evaluation::PromotionConfig& config,
                    const evaluation::PromotionVerdict& verdict, std::size_t backtest_trades,
                    const std::string& decided_utc) {
  json days = json::array();
  for (const evaluation::DayComparison& c : verdict.days) {
    json failed = json::array();
    for (const evaluation::DayMetric m : c.failed) failed.push_back(evaluation::day_metric_name(m));
    days.push_back({{"day", core::format_date(c.day)},
                    {"paper", figures_json(c.paper)},
                    {"backtest", figures_json(c.backtest)},
                    {"failed", failed}});
  }
  return {{"format", "itrade-promotion"},
          {"version", 1},
          {"paper_run", run.id},
          {"decided_utc", decided_utc},
          {"model_dir", run.model_dir},
          {"model_name", run.model_name},
          {"promoted", verdict.promoted},
          {"reason", verdict.promoted ? json(nullptr) : json(verdict.reason)},
          {"paper_days_required", config.paper_days},
          {"tolerance",
           {{"daily_return", config.daily_return}, {"fills", config.fills}, {"traded_value", config.traded_value}}},
          {"backtest_trades", backtest_trades},
          {"days", days}};
}

void print_days(const evaluation::PromotionVerdict& verdict) {
  fmt::print("{:<10}  {:>10}  {:>10}  {:>11}  {:>27}  {}\n", "day", "paper", "backtest", "fills p/b",
             "traded value p/b", "check");
  const auto percent = [](const std::optional<evaluation::DayFigures>& d) {
    return d ? fmt::format("{:+.4f}%", 100.0 * d->day_return()) : std::string("-");
  };
  for (const evaluation::DayComparison& c : verdict.days) {
    std::string check = "ok";
    if (!c.failed.empty()) {
      check = "FAILED:";
      for (const evaluation::DayMetric m : c.failed) check += fmt::format(" {}", evaluation::day_metric_name(m));
    }
    const std::string fills = fmt::format("{}/{}", c.paper ? fmt::format("{}", c.paper->fills) : "-",
                                          c.backtest ? fmt::format("{}", c.backtest->fills) : "-");
    const std::string traded = fmt::format("{}/{}", c.paper ? fmt::format("{:.2f}", c.paper->traded_value) : "-",
                                           c.backtest ? fmt::format("{:.2f}", c.backtest->traded_value) : "-");
    fmt::print("{:<10}  {:>10}  {:>10}  {:>11}  {:>27}  {}\n", core::format_date(c.day), percent(c.paper),
               percent(c.backtest), fills, traded, check);
  }
}

int run_promote(const PromoteArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return report_error(root.error());
  const fs::path runs_dir = args.runs_dir.empty() ? *root / "runs" : args.runs_dir;
  auto run = evaluation::read_paper_run(runs_dir, args.id);
  if (!run) return report_error(run.error());
  if (run->shadow) {
    return report_error(core::input_error(
        "paper run {} ran in shadow mode: it sent no orders, so there are no fills to compare; run the account "
        "without --shadow",
        args.id));
  }
  if (run->days.empty()) return report_error(core::input_error("paper run {} has no trading day", args.id));
  auto config = evaluation::load_promotion_config(args.config.empty() ? config_file(*root, global, "promotion.yaml")
                                                                      : args.config);
  if (!config) return report_error(config.error());

  const fs::path run_dir = runs_dir / args.id;
  fmt::print("promote paper run {}: model {} ({}), {} day(s) on {}\n", args.id, run->model_name, run->model_dir,
             run->days.size(), core::join(run->tickers, ","));
  std::fflush(stdout);
  auto backtest = backtest_of(*run, run_dir, *root, global);
  if (!backtest) return report_error(backtest.error());
  fmt::print("backtest of the same model, data and configuration, {} .. {}: {} round trips\n\n",
             core::format_date(run->days.front().day), core::format_date(run->days.back().day), backtest->trades);

  const evaluation::PromotionVerdict verdict = evaluation::compare_days(run->days, backtest->days, *config);
  print_days(verdict);
  const std::string decided_utc = core::format_utc(core::now_to_the_second());
  evaluation::PromotionPageInput page{args.id,
                                      decided_utc,
                                      {{"model", fmt::format("{} ({})", run->model_name, run->model_dir)},
                                       {"tickers", core::join(run->tickers, ", ")},
                                       {"data", run->data.empty() ? "the default data directory" : run->data},
                                       {"backtest round trips", fmt::format("{}", backtest->trades)}},
                                      *config,
                                      verdict};
  const fs::path record = run_dir / "promotion.json";
  const std::string text = promotion_json(*run, *config, verdict, backtest->trades, decided_utc).dump(2) + "\n";
  // The page first: promotion.json, which a later step reads, appears only with its page.
  if (auto written = core::write_file_atomically(run_dir / "promotion.html", evaluation::render_promotion_page(page),
                                                 "promotion page");
      !written) {
    return report_error(written.error());
  }
  if (auto written = core::write_file_atomically(record, text, "promotion record"); !written) {
    return report_error(written.error());
  }
  if (!verdict.promoted) {
    fmt::print("\nnot promoted; decision recorded in {} (and promotion.html beside it)\n", record.string());
    std::fflush(stdout);
    fmt::print(stderr, "itrade: promotion refused: {}\n", verdict.reason);
    return kExitRefused;
  }
  fmt::print(
      "\npromoted: {} paper day(s) within tolerance of the backtest (daily return {:g} percentage points, fills {:g}, "
      "traded value {:g} of the day's equity); decision recorded in {} (and promotion.html beside it)\n",
      verdict.days.size(), 100.0 * config->daily_return, config->fills, config->traded_value, record.string());
  return kExitOk;
}

}  // namespace

void add_promote_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<PromoteArgs>();
  auto* cmd = app.add_subcommand(
      "promote",
      "Decide whether a paper account's model may go live: backtest the same model on the same data, configuration "
      "and days the paper run recorded (itrade paper prints its id), and compare day by day (the day's return, its "
      "number of fills and its traded value) within the tolerances of config/promotion.yaml. Promoted only after "
      "paper_days (default 3) days that all pass; otherwise names the first failing day and metric. Writes "
      "runs/<id>/promotion.json and promotion.html (the days and an equity chart of paper against backtest) "
      "either way. Exit codes: 0 promoted, 3 refused, 1 or 2 on an error.");
  cmd->add_option("id", args->id, "The paper run's id (the directory under runs/)")->required();
  cmd->add_option("--runs", args->runs_dir, "Where the paper run is recorded (default: runs/ of the project)");
  cmd->add_option("--promotion-config", args->config,
                  "The promotion.yaml with paper_days and the tolerances (default: the config directory's)");
  cmd->callback([args, &global, &exit_code] { exit_code = run_promote(*args, global); });
}

}  // namespace itrade::cli

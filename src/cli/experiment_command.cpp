// itrade experiment run FILE.yaml: the hypothesis loop described in a file (docs/experiments.md,
// "Experiment files"), so that an idea is written down, versioned and re-run exactly.

#include <fmt/core.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/backtest_run.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "cli/data_sources.h"
#include "cli/risk_settings.h"
#include "core/config_node.h"
#include "core/strings.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;

struct ExperimentArgs {
  fs::path file;
  fs::path runs_dir;
};

// A key that takes a list or one text ("all", "AAPL,MSFT", a universe): as comma-separated text.
std::string list_or_text(const core::ConfigNode& node, std::string_view key) {
  if (node.is_list(key)) return core::join(node.optional<std::vector<std::string>>(key, {}), ",");
  return node.optional<std::string>(key, "");
}

// A path of the file, relative to the project root unless absolute.
fs::path project_path(const fs::path& root, const std::string& text) {
  if (text.empty()) return {};
  const fs::path path(text);
  return path.is_absolute() ? path : root / path;
}

core::Result<BacktestRequest> read_experiment(const fs::path& file, const fs::path& root, const GlobalOptions& global) {
  auto loaded = core::ConfigNode::load_file(file);
  if (!loaded) return loaded.error();
  const core::ConfigNode& node = *loaded;
  (void)node.only_keys({"name", "description", "model", "features", "target", "signals", "data", "tickers", "start",
                        "end", "session", "walk_forward", "backtest_config", "backtest", "models_config",
                        "importance_repeats", "risk_config", "risk"});
  BacktestRequest request;
  request.command = fmt::format("experiment run {}", file.string());
  request.name = node.required<std::string>("name");
  request.model = node.optional<std::string>("model", "");
  request.features = list_or_text(node, "features");
  request.target = node.optional<std::string>("target", "");
  request.signals = project_path(root, node.optional<std::string>("signals", ""));
  request.data = project_path(root, node.optional<std::string>("data", ""));
  request.models_file = project_path(root, node.optional<std::string>("models_config", ""));
  request.tickers = list_or_text(node, "tickers");
  request.start = node.optional<std::string>("start", "");
  request.end = node.optional<std::string>("end", "");
  request.extended_hours = node.choice("session", {"regular", "extended"}, "regular") == "extended";
  request.importance_repeats = static_cast<int>(node.optional_in_range<std::int64_t>("importance_repeats", 3, 0, 100));

  const core::ConfigNode walk = node.child("walk_forward");
  (void)walk.only_keys(
      {"train_window", "test_window", "purge_window", "step", "expanding", "validation_fraction", "max_train_rows"});
  evaluation::WalkForwardConfig& w = request.walk_forward;
  const auto bars = [&](std::string_view key, int fallback) {
    return static_cast<int>(walk.optional_in_range<std::int64_t>(key, fallback, 1, 1'000'000'000));
  };
  w.train_window = bars("train_window", w.train_window);
  w.test_window = bars("test_window", w.test_window);
  w.purge_window = static_cast<int>(walk.optional_in_range<std::int64_t>("purge_window", w.purge_window, 0, 1'000'000));
  w.step = bars("step", w.step);
  w.expanding = walk.optional<bool>("expanding", w.expanding);
  w.validation_fraction = walk.optional<double>("validation_fraction", w.validation_fraction);
  w.max_train_rows = static_cast<std::size_t>(walk.optional_in_range<std::int64_t>(
      "max_train_rows", static_cast<std::int64_t>(w.max_train_rows), 0, 1'000'000'000'000));
  const std::string base_file = node.optional<std::string>("backtest_config", "");
  const std::string risk_file = node.optional<std::string>("risk_config", "");
  const bool with_risk = node.optional<bool>("risk", true);
  if (!node.ok()) return node.status().error();
  if (auto ok = w.check(); !ok) {
    return core::input_error("{}:{}: walk_forward: {}", file.string(), node.line_of("walk_forward"),
                             ok.error().message);
  }
  if (!request.signals.empty() && (!request.model.empty() || !request.features.empty() || !request.target.empty())) {
    node.fail("signals", "backtests the given signals, so model, features and target do not apply",
              "remove them, or remove signals to train a model");
    return node.status().error();
  }

  auto base = evaluation::load_backtest_config(base_file.empty() ? config_file(root, global, "backtest.yaml")
                                                                 : project_path(root, base_file));
  if (!base) return base.error();
  auto backtest = evaluation::read_backtest_config(node.child("backtest"), *base);
  if (!backtest) return backtest.error();
  request.backtest = *backtest;
  if (!with_risk && !risk_file.empty()) {
    node.fail("risk_config", "names limits while risk: false turns them off", "remove one of the two");
    return node.status().error();
  }
  if (with_risk) {
    request.risk_file = risk_file.empty() ? config_file(root, global, "risk.yaml") : project_path(root, risk_file);
    auto risk = load_risk_settings(root, global, request.risk_file);
    if (!risk) return risk.error();
    request.risk = std::move(*risk);
  }
  return request;
}

int run_experiment_file(const ExperimentArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return report_error(root.error());
  auto request = read_experiment(args.file, *root, global);
  if (!request) return report_error(request.error());
  request->runs_dir = args.runs_dir;
  fmt::print(stderr, "experiment {} ({})\n", request->name, args.file.string());
  return run_backtest_request(*request, *root, global);
}

}  // namespace

void add_experiment_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ExperimentArgs>();
  auto* experiment = app.add_subcommand("experiment", "Run experiments described in YAML files");
  experiment->require_subcommand(1);
  auto* run = experiment->add_subcommand(
      "run",
      "Run the experiment FILE.yaml describes, exactly as itrade backtest would with the same settings: features, "
      "target, model (or given signals), data, tickers, days, walk-forward windows and backtest settings "
      "(config/backtest.yaml, or backtest_config:, with the backtest: block's keys replacing its values) and risk "
      "limits (config/risk.yaml, or risk_config:; risk: false for none). Relative "
      "paths in the file are relative to the project directory. The run is recorded under runs/<id>/ with the "
      "file's name. See config/experiments/ for examples and docs/experiments.md for every key.");
  run->add_option("file", args->file, "The experiment's YAML file")->required()->check(CLI::ExistingFile);
  run->add_option("--runs", args->runs_dir, "Where runs are recorded (default: runs/ of the project)");
  run->callback([args, &global, &exit_code] { exit_code = run_experiment_file(*args, global); });
}

}  // namespace itrade::cli

// itrade features list | compute | check

#include <fmt/core.h>

#include <chrono>
#include <limits>
#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console.h"
#include "cli/data_sources.h"
#include "core/nyse_calendar.h"
#include "core/strings.h"
#include "data/universe.h"
#include "features/engine/batch.h"
#include "features/engine/feature_check.h"
#include "features/engine/feature_file.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;
using features::FeatureSet;
using features::TargetSet;

struct FeaturesArgs {
  fs::path features_file;  // empty: <config>/features.yaml
  fs::path targets_file;   // empty: <config>/targets.yaml
  bool functions = false;
  fs::path data;
  std::string tickers_spec;
  std::string start;
  std::string end;
  std::string features = "all";
  std::string targets;
  fs::path out;
  int threads = 0;
  int truncations = 24;
  SourceOverrides overrides;
};

core::Result<FeatureSet> load_feature_set(const FeaturesArgs& args, const GlobalOptions& global) {
  if (!args.features_file.empty()) return FeatureSet::load(args.features_file);
  auto root = project_root(global);
  if (!root) return root.error();
  return FeatureSet::load(config_file(*root, global, "features.yaml"));
}

core::Result<TargetSet> load_target_set(const FeaturesArgs& args, const GlobalOptions& global) {
  if (!args.targets_file.empty()) return TargetSet::load(args.targets_file);
  auto root = project_root(global);
  if (!root) return root.error();
  return TargetSet::load(config_file(*root, global, "targets.yaml"));
}

int run_list(const FeaturesArgs& args, const GlobalOptions& global) {
  if (args.functions) {
    for (const auto& spec : features::builtin_catalog().specs()) {
      std::vector<std::string> params;
      for (const auto& p : spec.params) {
        std::string text = p.name;
        if (p.default_value) {
          std::visit([&](const auto& v) { text += fmt::format("={}", v); }, *p.default_value);
        }
        params.push_back(text);
      }
      std::vector<std::string> inputs;
      for (const auto& input : spec.inputs) {
        inputs.push_back(input.function.empty() ? input.role : fmt::format("{} ({})", input.role, input.function));
      }
      fmt::print("{:<30} {}\n", spec.function, spec.description);
      if (!params.empty()) fmt::print("{:<30}   params: {}\n", "", core::join(params));
      if (!inputs.empty()) fmt::print("{:<30}   dependencies: {}\n", "", core::join(inputs));
    }
    return kExitOk;
  }
  auto set = load_feature_set(args, global);
  if (!set) return report_error(set.error());
  fmt::print("{:<20} {:<16} {:>8} {:>7}  {:<28} {}\n", "NAME", "CATEGORY", "LOOKBACK", "WARM-UP", "FUNCTION",
             "DESCRIPTION");
  for (const auto& def : set->features()) {
    fmt::print("{:<20} {:<16} {:>8} {:>7}  {:<28} {}\n", def.name, def.category, def.lookback_bars(),
               def.warmup_bars(), def.function(), def.description);
  }
  const auto plan = set->plan_all();
  fmt::print(
      "\n{} features from {}. LOOKBACK: bars of history, the current one included, before the first value.\n"
      "WARM-UP: bars a live engine must start with to match values computed on all history (1e-9).\n"
      "All features together: first complete row after {} bars; live warm-up {} bars.\n",
      set->features().size(), set->file(), plan->lookback_bars(), plan->warmup_bars());
  return kExitOk;
}

int run_compute(const FeaturesArgs& args, const GlobalOptions& global) {
  const auto started = std::chrono::steady_clock::now();
  auto set = load_feature_set(args, global);
  if (!set) return report_error(set.error());
  auto names = features::parse_feature_list(args.features, *set);
  if (!names) return report_error(names.error());
  auto plan = set->plan(*names);
  if (!plan) return report_error(plan.error());
  std::optional<TargetSet> target_set;  // owns the definitions `targets` points to
  std::vector<const features::TargetDef*> targets;
  if (!args.targets.empty()) {
    auto loaded = load_target_set(args, global);
    if (!loaded) return report_error(loaded.error());
    target_set = std::move(*loaded);
    auto selected = target_set->select(args.targets);
    if (!selected) return report_error(selected.error());
    targets = *selected;
    for (const auto* target : targets) {
      const auto& names = (*plan)->output_names;
      if (std::find(names.begin(), names.end(), target->name) != names.end()) {
        return report_error(core::input_error(
            "target '{}' ({}) has the name of a feature; rename one of them so that the columns differ",
            target->name, target_set->file()));
      }
    }
  }
  auto first_day = optional_date(args.start, std::numeric_limits<core::DayNumber>::min());
  if (!first_day) return report_error(first_day.error());
  auto last_day = optional_date(args.end, std::numeric_limits<core::DayNumber>::max());
  if (!last_day) return report_error(last_day.error());
  if (*first_day > *last_day) {
    return report_error(core::input_error("--start {} is after --end {}; swap them", args.start, args.end));
  }

  auto bars = load_bars(args.data, args.tickers_spec, global, args.overrides, "compute");
  if (!bars) return report_error(bars.error());
  features::BatchOptions options;
  options.threads = args.threads;
  const auto progress = progress_line("features");
  std::mutex progress_mutex;  // progress_line redraws one line; workers report concurrently
  if (progress) {
    options.progress = [&](std::size_t done, std::size_t total) {
      const std::lock_guard<std::mutex> lock(progress_mutex);
      progress(done, total, "tickers");
    };
  }
  auto matrices = features::compute_features(*plan, *bars, options);
  if (!matrices) return report_error(matrices.error());

  // Targets are appended as columns; then rows outside [start, end] (New York days) are dropped.
  // Features at the first kept rows still used the history before --start, as live trading would.
  std::size_t rows = 0;
  for (std::size_t i = 0; i < matrices->size(); ++i) {
    features::FeatureMatrix& m = (*matrices)[i];
    const core::BarSeries& series = (*bars)[i];
    if (auto appended = features::append_targets(m, targets, series); !appended) {
      return report_error(appended.error());
    }
    m.keep_days(*first_day, *last_day);
    rows += m.rows();
  }
  if (auto written = features::write_feature_file(args.out, *matrices); !written) {
    return report_error(written.error());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print("wrote {} rows x {} columns ({} features, {} target(s)) for {} ticker(s) to {} in {:.2f} s\n", rows,
             (*plan)->outputs.size() + targets.size(), (*plan)->outputs.size(), targets.size(), matrices->size(),
             args.out.string(), seconds);
  return kExitOk;
}

int run_check(const FeaturesArgs& args, const GlobalOptions& global) {
  auto set = load_feature_set(args, global);
  if (!set) return report_error(set.error());
  auto bars = load_bars(args.data, args.tickers_spec, global, args.overrides, "check");
  if (!bars) return report_error(bars.error());
  features::CheckOptions options;
  options.truncations = args.truncations;
  options.threads = args.threads;
  const auto report = features::check_features(*set, *bars, options);
  fmt::print("checked {} features of {} on {} tickers ({} bars): {} truncated recomputations; warm-up max relative "
             "difference {:.3g}\n",
             set->features().size(), set->file(), report.tickers, report.bars, report.truncations,
             report.max_warmup_error);
  for (const char* check : {"look-ahead", "lookback", "finite", "streaming", "warm-up", "input"}) {
    std::size_t count = 0;
    for (const auto& problem : report.problems) count += problem.check == check ? 1 : 0;
    if (std::string_view(check) == "input" && count == 0) continue;
    fmt::print("  {:<11} {}\n", check, count == 0 ? "ok" : fmt::format("FAILED ({})", count));
  }
  for (const auto& problem : report.problems) {
    fmt::print(stderr, "itrade: {}: {}{}: {}\n", problem.check, problem.feature.empty() ? "" : problem.feature + " ",
               "(" + problem.ticker + ")", problem.detail);
  }
  if (!report.ok()) {
    fmt::print(stderr, "itrade: features check failed: {} problem(s) above\n", report.problems.size());
    return kExitInputError;
  }
  return kExitOk;
}

void add_data_flags(CLI::App& command, FeaturesArgs& args) {
  command.add_option("--data", args.data,
                     "Data directory or CSV file (default: data.default_dir of config/system.yaml, the bundled "
                     "Polygon sample)");
  command.add_option("--tickers", args.tickers_spec,
                     "A universe (SINGLE_TICKER, DOW_30, NAS_100, SP_500) or a list such as AAPL,MSFT (default: every "
                     "ticker in the data)");
  command.add_option("--threads", args.threads, "Worker threads across tickers (default: one per core)")
      ->check(CLI::Range(0, 256));
}

void add_file_flag(CLI::App& command, FeaturesArgs& args) {
  command.add_option("--config", args.features_file,
                     "The features.yaml to use (default: features.yaml in the config directory)");
}

}  // namespace

void add_features_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* features = app.add_subcommand("features", "List, compute and check features (config/features.yaml)");
  features->require_subcommand(1);
  auto args = std::make_shared<FeaturesArgs>();

  auto* list = features->add_subcommand(
      "list", "Show every feature: name, category, lookback and live warm-up in bars, function, description");
  add_file_flag(*list, *args);
  list->add_flag("--functions", args->functions,
                 "List the operator functions a features.yaml can use, with their parameters and dependencies");
  list->callback([args, &global, &exit_code] { exit_code = run_list(*args, global); });

  auto* compute = features->add_subcommand(
      "compute",
      "Compute features (and targets) for tickers and write them to a file: CSV (.csv) or the binary columnar "
      "feature matrix (.ifm). Features use all history before --start; rows outside [--start, --end] are dropped.");
  add_file_flag(*compute, *args);
  add_data_flags(*compute, *args);
  compute->add_option("--start", args->start, "First New York day to write (YYYY-MM-DD; default: the first bar)");
  compute->add_option("--end", args->end, "Last New York day to write (YYYY-MM-DD; default: the last bar)");
  compute->add_option("--features", args->features, "'all' or a comma-separated list of feature names")
      ->capture_default_str();
  compute->add_option("--targets", args->targets,
                      "'all' or a comma-separated list of targets from targets.yaml (default: none)");
  compute->add_option("--targets-config", args->targets_file,
                      "The targets.yaml to use (default: targets.yaml in the config directory)");
  compute->add_option("--out", args->out, "Output file: .csv or .ifm")->required();
  compute->callback([args, &global, &exit_code] { exit_code = run_compute(*args, global); });

  auto* check = features->add_subcommand(
      "check",
      "Check every feature of a features.yaml on real bars: no look-ahead (values at bar t equal those computed "
      "on data truncated at t), first value exactly at the stated lookback, no NaN/inf after it, streaming equal "
      "to batch bit for bit, and a live start with the stated warm-up matching full history to 1e-9. Exits 2 on "
      "any failure.");
  add_file_flag(*check, *args);
  add_data_flags(*check, *args);
  check->add_option("--truncations", args->truncations, "Truncation points per ticker for the look-ahead check")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  check->callback([args, &global, &exit_code] { exit_code = run_check(*args, global); });
}

}  // namespace itrade::cli

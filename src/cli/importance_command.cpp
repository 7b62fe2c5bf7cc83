// itrade importance: which features predict which target (docs/importance.md).

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console.h"
#include "cli/data_sources.h"
#include "core/nyse_calendar.h"
#include "core/strings.h"
#include "core/time.h"
#include "evaluation/feature_ic.h"
#include "evaluation/importance_page.h"
#include "features/engine/batch.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/dataset.h"
#include "models/importance.h"
#include "models/model_config.h"
#include "models/model_factory.h"
#include "models/split.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct ImportanceArgs {
  fs::path data;
  std::string tickers_spec;
  std::string features = "all";
  std::string targets = "all";
  std::string start;
  std::string end;
  std::string model;
  fs::path models_file;
  int repeats = 3;
  int top = 15;
  fs::path out;
  bool extended_hours = false;
  SourceOverrides overrides;
};

// The model part's split: train / validation (early stopping) / test (permutation), by days.
constexpr double kTrainFraction = 0.6;
constexpr double kValidationFraction = 0.2;
constexpr double kTestFraction = 0.2;
constexpr std::uint64_t kPermutationSeed = 7;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string number(double value, int decimals) {
  if (std::isnan(value)) return "n/a";
  return fmt::format("{:.{}f}", value, decimals);
}

// "min .. max" of the finite per-ticker ICs, or "n/a".
std::string ticker_range(const evaluation::FeatureIc& cell) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const evaluation::IcStat& s : cell.per_ticker) {
    if (!std::isfinite(s.ic)) continue;
    lo = std::min(lo, s.ic);
    hi = std::max(hi, s.ic);
  }
  if (lo > hi) return "n/a";
  return fmt::format("{:.3f} .. {:.3f}", lo, hi);
}

const char* loss_name(const features::TargetDef& target) {
  return target.type == features::TargetType::regression ? "RMSE" : "log loss";
}

// Trains a fresh model for `target` and measures permutation importance on the test days. An input
// error (too few days, no test rows) skips the target with its message; runtime errors end the command.
core::Result<evaluation::TargetPermutation> permutation_for(const std::vector<features::FeatureMatrix>& matrices,
                                                            const std::vector<std::string>& feature_names,
                                                            const features::TargetDef& target,
                                                            const models::ModelsConfig& config,
                                                            const models::ModelRecipe& recipe, int repeats) {
  evaluation::TargetPermutation result;
  result.target = target.name;
  if (auto ok = models::check_learnable(recipe, target); !ok) {
    result.note = fmt::format("skipped: {}", ok.error().message);
    fmt::print(stderr, "permutation {}: {}\n", target.name, result.note);
    return result;
  }
  const auto started = Clock::now();
  const features::TargetDef outcome = models::outcome_target(target);
  auto skip_or_fail = [&](const core::Error& error) -> core::Result<evaluation::TargetPermutation> {
    if (error.kind != core::ErrorKind::input) return error;
    result.note = fmt::format("skipped: {}", error.message);
    fmt::print(stderr, "permutation {}: {}\n", target.name, result.note);
    return result;
  };
  auto data =
      models::make_dataset(matrices, feature_names, target.name, recipe.needs_outcomes ? outcome.name : std::string());
  if (!data) return skip_or_fail(data.error());
  auto sets = models::chronological_split(*data, kTrainFraction, kValidationFraction, kTestFraction, target.horizon());
  if (!sets) return skip_or_fail(sets.error());
  if (sets->test.rows() == 0) return skip_or_fail(core::input_error("no labelled rows in the test days"));
  const std::unique_ptr<models::SignalModel> model = models::make_model(config, recipe, target.name);
  auto trained = model->train(sets->train, sets->validation);
  if (!trained) return skip_or_fail(trained.error());
  auto importance = models::permutation_importance(*model, sets->test, repeats, kPermutationSeed);
  if (!importance) return skip_or_fail(importance.error());
  result.trained = true;
  result.importance = std::move(importance).value();
  result.note = fmt::format(
      "model {} trained on {} rows ({} rounds, early stopping on {} validation rows), {} increase on {} test rows "
      "from {}, {} repeat{}",
      recipe.name, sets->train.rows(), trained->rounds.size(), sets->validation.rows(), loss_name(target),
      sets->test.rows(), core::format_date(sets->test_first_day), repeats, repeats == 1 ? "" : "s");
  fmt::print(stderr, "permutation {}: {} ({:.1f} s)\n", target.name, result.note, seconds_since(started));
  return result;
}

void print_target(const features::TargetDef& target, const std::vector<std::string>& feature_names,
                  const std::vector<evaluation::FeatureIc>& ic, std::size_t column, std::size_t targets,
                  const evaluation::TargetPermutation* permutation, int top) {
  std::vector<const evaluation::FeatureIc*> rows;
  for (std::size_t f = 0; f < feature_names.size(); ++f) rows.push_back(&ic[f * targets + column]);
  std::stable_sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
    const double ka = std::fabs(a->pooled.ic);
    const double kb = std::fabs(b->pooled.ic);
    if (std::isnan(kb)) return !std::isnan(ka);
    return ka > kb;
  });
  const std::size_t shown = top == 0 ? rows.size() : std::min(rows.size(), static_cast<std::size_t>(top));
  fmt::print("\n{} ({}, horizon {} bars): {} of {} features by |pooled IC|\n", target.name,
             target.type == features::TargetType::regression ? "regression" : "classification", target.horizon(),
             shown == rows.size() ? "all" : fmt::format("top {}", shown), rows.size());
  if (permutation == nullptr) {
    fmt::print("  permutation: not computed (--repeats 0)\n");
  } else if (!permutation->trained) {
    fmt::print("  permutation: {}\n", permutation->note);
  } else {
    fmt::print("  permutation: {} increase on the test days when the feature is shuffled (mean +- std)\n",
               loss_name(target));
  }
  std::size_t width = 7;
  for (std::size_t i = 0; i < shown; ++i) width = std::max(width, rows[i]->feature.size());
  fmt::print("  {:<{}} {:>9} {:>8} {:>8}  {:<18} {}\n", "feature", width, "IC", "t", "n", "IC across tickers",
             "permutation");
  for (std::size_t i = 0; i < shown; ++i) {
    const evaluation::FeatureIc& row = *rows[i];
    std::string increase = "-";
    if (permutation != nullptr && permutation->trained) {
      for (const auto& p : permutation->importance) {
        if (p.feature == row.feature) increase = fmt::format("{:+.2e} +- {:.1e}", p.mean_increase, p.std_increase);
      }
    }
    fmt::print("  {:<{}} {:>9} {:>8} {:>8}  {:<18} {}\n", row.feature, width, number(row.pooled.ic, 4),
               number(row.pooled.t, 2), row.pooled.n, ticker_range(row), increase);
  }
}

int run_importance_command(const ImportanceArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return report_error(root.error());
  auto feature_set = features::FeatureSet::load(config_file(*root, global, "features.yaml"));
  if (!feature_set) return report_error(feature_set.error());
  auto target_set = features::TargetSet::load(config_file(*root, global, "targets.yaml"));
  if (!target_set) return report_error(target_set.error());
  auto feature_names = features::parse_feature_list(args.features, *feature_set);
  if (!feature_names) return report_error(feature_names.error());
  auto plan = feature_set->plan(*feature_names);
  if (!plan) return report_error(plan.error());
  auto targets = target_set->select(args.targets);
  if (!targets) return report_error(targets.error());
  if (targets->empty()) return report_error(core::input_error("--targets is empty; give 'all' or target names"));
  auto first_day = optional_date(args.start, std::numeric_limits<core::DayNumber>::min());
  if (!first_day) return report_error(first_day.error());
  auto last_day = optional_date(args.end, std::numeric_limits<core::DayNumber>::max());
  if (!last_day) return report_error(last_day.error());

  // The model is needed only for permutation importance; with --repeats 0 models.yaml is not read.
  std::optional<models::ModelsConfig> models_config;
  std::optional<models::ModelRecipe> recipe;
  if (args.repeats > 0) {
    auto loaded = models::ModelsConfig::load(args.models_file.empty() ? config_file(*root, global, "models.yaml")
                                                                      : args.models_file);
    if (!loaded) return report_error(loaded.error());
    models_config = std::move(loaded).value();
    std::string name = args.model;
    if (name.empty()) {
      auto fallback = models::default_model_name(*models_config);
      if (!fallback) return report_error(fallback.error());
      name = *fallback;
    }
    auto found = models::model_recipe(*models_config, name);
    if (!found) return report_error(found.error());
    recipe = *found;
  }

  SourceOverrides overrides = args.overrides;
  overrides.regular_session_only = !args.extended_hours;
  auto bars = load_bars(args.data, args.tickers_spec, global, overrides, "importance");
  if (!bars) return report_error(bars.error());

  // Features and labels see all history (warm indicators, full horizons); then the requested days.
  auto started = Clock::now();
  auto matrices = features::compute_features(*plan, *bars, {});
  if (!matrices) return report_error(matrices.error());
  std::vector<const features::TargetDef*> wanted = *targets;
  std::vector<features::TargetDef> outcomes;  // meta-labeling also learns from realised returns
  if (recipe && recipe->needs_outcomes) {
    for (const features::TargetDef* target : *targets) {
      features::TargetDef outcome = models::outcome_target(*target);
      const bool known = std::any_of(outcomes.begin(), outcomes.end(),
                                     [&](const features::TargetDef& o) { return o.name == outcome.name; }) ||
                         target_set->find(outcome.name) != nullptr;
      if (!known) outcomes.push_back(std::move(outcome));
    }
    for (const features::TargetDef& outcome : outcomes) wanted.push_back(&outcome);
  }
  std::vector<std::string> tickers;
  core::Timestamp first_bar = std::numeric_limits<core::Timestamp>::max();
  core::Timestamp last_bar = std::numeric_limits<core::Timestamp>::min();
  std::size_t rows = 0;
  for (std::size_t i = 0; i < matrices->size(); ++i) {
    features::FeatureMatrix& m = (*matrices)[i];
    if (auto ok = features::append_targets(m, wanted, (*bars)[i]); !ok) return report_error(ok.error());
    m.keep_days(*first_day, *last_day);
    tickers.push_back(m.ticker);
    rows += m.rows();
    if (m.rows() > 0) {
      first_bar = std::min(first_bar, m.ts.front());
      last_bar = std::max(last_bar, m.ts.back());
    }
  }
  if (rows == 0)
    return report_error(core::input_error("no bars of the requested tickers fall between the requested days"));
  const auto& calendar = core::NyseCalendar::instance();
  const std::string used = fmt::format("{} .. {}", core::format_date(calendar.new_york_day(first_bar)),
                                       core::format_date(calendar.new_york_day(last_bar)));
  fmt::print(stderr, "features: {} features and {} target(s) of {} ticker(s), {} rows {} ({:.1f} s)\n",
             feature_names->size(), targets->size(), tickers.size(), rows, used, seconds_since(started));

  started = Clock::now();
  auto ic = evaluation::feature_ic(*matrices, *feature_names, *targets);
  if (!ic) return report_error(ic.error());
  fmt::print(stderr, "information coefficients: {} features x {} target(s), pooled and per ticker ({:.2f} s)\n",
             feature_names->size(), targets->size(), seconds_since(started));

  std::vector<evaluation::TargetPermutation> permutation;
  if (recipe) {
    for (const features::TargetDef* target : *targets) {
      auto one = permutation_for(*matrices, *feature_names, *target, *models_config, *recipe, args.repeats);
      if (!one) return report_error(one.error());
      permutation.push_back(std::move(one).value());
    }
  }

  fmt::print("which features predict: {} features x {} target(s) on {}\n", feature_names->size(), targets->size(),
             core::join(tickers, ","));
  const std::string requested =
      fmt::format("{} .. {}", args.start.empty() ? "(all)" : args.start, args.end.empty() ? "(all)" : args.end);
  if ((!args.start.empty() && used.substr(0, 10) != args.start) ||
      (!args.end.empty() && used.substr(used.size() - 10) != args.end)) {
    fmt::print("requested {}; the data covers {} of it: that part was used\n", requested, used);
  } else {
    fmt::print("data: {} ({} rows)\n", used, rows);
  }
  std::size_t skipped = 0;
  for (const auto& p : permutation) skipped += p.trained ? 0 : 1;
  if (recipe) {
    fmt::print("model for permutation importance: {} ({} repeats){}\n", recipe->name, args.repeats,
               skipped == 0 ? "" : fmt::format("; skipped {} target(s) it cannot learn or train on", skipped));
  }
  for (std::size_t t = 0; t < targets->size(); ++t) {
    const evaluation::TargetPermutation* p = recipe ? &permutation[t] : nullptr;
    print_target(*(*targets)[t], *feature_names, *ic, t, targets->size(), p, args.top);
  }

  const core::Timestamp now = core::now_to_the_second();
  fs::path out = args.out;
  if (out.empty()) {
    const fs::path runs = *root / "runs";
    std::error_code ec;
    fs::create_directories(runs, ec);
    if (ec) return report_error(core::runtime_error("cannot create {}: {}", runs.string(), ec.message()));
    out = runs / fmt::format("importance-{}.html", core::format_utc_compact(now));
  }
  evaluation::ImportancePageInput page;
  page.title = fmt::format("Which features predict: {}", core::join(tickers, ", "));
  page.created_utc = core::format_utc(now);
  page.facts = {{"Data", used},
                {"Tickers", core::join(tickers, ", ")},
                {"Session", args.extended_hours ? "extended hours" : "NYSE regular hours"},
                {"Rows", fmt::format("{}", rows)},
                {"Model", recipe ? fmt::format("{} ({} repeats)", recipe->name, args.repeats)
                                 : std::string("none (--repeats 0)")}};
  page.tickers = tickers;
  page.features = *feature_names;
  for (const features::TargetDef* target : *targets) page.targets.push_back(target->name);
  page.ic = std::move(ic).value();
  page.permutation = std::move(permutation);
  if (auto ok = evaluation::write_importance_files(out, page); !ok) return report_error(ok.error());
  fs::path csv = out;
  csv.replace_extension(".csv");
  fmt::print("\nwrote {} and {}\n", out.string(), csv.string());
  return kExitOk;
}

}  // namespace

void add_importance_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ImportanceArgs>();
  auto* cmd = app.add_subcommand(
      "importance",
      "Which features predict: the information coefficient (Spearman rank correlation of each feature at bar t "
      "with each target's label at bar t, which looks forward) pooled over the tickers and per ticker, with a "
      "t-statistic counting n / horizon independent observations; and, per target the model can learn, permutation "
      "importance of a fresh model trained on the first 60 % of the days (early stopping on the next 20 %) and "
      "scored on the last 20 %. Prints the features ranked by |pooled IC| per target and writes a self-contained "
      "HTML page with heatmaps plus a CSV of every figure (docs/importance.md).");
  cmd->add_option("--data", args->data, "Data directory (default: data.default_dir of config/system.yaml)");
  cmd->add_option("--tickers", args->tickers_spec, "A universe or a list such as AAPL,MSFT (default: all)");
  cmd->add_option("--features", args->features, "'all' or a list of feature names; the model learns these too")
      ->capture_default_str();
  cmd->add_option("--targets", args->targets, "'all' or a list of target names of targets.yaml")->capture_default_str();
  cmd->add_option("--start", args->start, "First New York day to use (YYYY-MM-DD; indicators warm up before it)");
  cmd->add_option("--end", args->end, "Last New York day to use (YYYY-MM-DD)");
  cmd->add_option("--model", args->model,
                  "The model for permutation importance: a model of models.yaml, ensemble or meta_labeling (default: "
                  "the enabled ensemble, else the first enabled model); targets it cannot learn are skipped");
  cmd->add_option("--models-config", args->models_file, "The models.yaml to use (default: the config directory's)");
  cmd->add_option("--repeats", args->repeats, "Shuffles per feature for permutation importance (0: skip the model)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  cmd->add_option("--top", args->top, "Features shown per target in the terminal (0: all); the page shows all")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", args->out,
                  "The HTML page to write; the CSV goes next to it with the extension .csv (default: "
                  "runs/importance-<UTC time>.html in the project)");
  cmd->add_flag("--extended-hours", args->extended_hours,
                "Keep pre- and post-market bars (default: NYSE regular hours only, 78 five-minute bars a day)");
  cmd->callback([args, &global, &exit_code] { exit_code = run_importance_command(*args, global); });
}

}  // namespace itrade::cli

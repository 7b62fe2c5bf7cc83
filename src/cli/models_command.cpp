// itrade models train | list | show

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console.h"
#include "cli/data_sources.h"
#include "core/nyse_calendar.h"
#include "core/strings.h"
#include "features/engine/batch.h"
#include "features/registry/feature_registry.h"
#include "features/registry/target_registry.h"
#include "models/dataset.h"
#include "models/importance.h"
#include "models/metrics.h"
#include "models/model_config.h"
#include "models/model_factory.h"
#include "models/split.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;

struct ModelsArgs {
  std::string model;
  fs::path data;
  std::string tickers_spec;
  std::string start;
  std::string end;
  std::string features;  // empty: the model's
  std::string target;    // empty: the model's
  std::string split = "0.6,0.2,0.2";
  fs::path out;
  fs::path models_file;
  int importance_repeats = 3;
  SourceOverrides overrides;
  fs::path registry;  // list/show: default <root>/.itrade/models
  std::string id;     // show
};

// Where trained models are kept: one directory per model (model files, meta.json, training.json).
fs::path registry_dir(const fs::path& root, const fs::path& given) {
  return given.empty() ? root / ".itrade" / "models" : given;
}

core::Result<nlohmann::json> read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return core::input_error("cannot read {}", path.string());
  auto parsed = nlohmann::json::parse(in, nullptr, false);
  if (parsed.is_discarded())
    return core::input_error("{}: not valid JSON; the model directory is damaged", path.string());
  return parsed;
}

std::string metric_text(const nlohmann::json& training, const char* set, const char* key) {
  if (!training.contains("metrics") || !training["metrics"].contains(set)) return "-";
  const auto& value = training["metrics"][set][key];
  return value.is_number() ? fmt::format("{:.4f}", value.get<double>()) : "-";
}

// The file that says what a saved model is: training.json for models trained by `models train`
// (every kind), else the metadata file of the model's own format.
fs::path model_record(const fs::path& dir) {
  std::error_code ec;
  for (const char* name : {"training.json", "meta.json", "ensemble.json", "meta_label.json"}) {
    if (fs::exists(dir / name, ec)) return dir / name;
  }
  return {};
}

std::string field(const nlohmann::json& record, const char* key, const char* alternative = nullptr) {
  for (const char* k : {key, alternative}) {
    if (k != nullptr && record.contains(k) && record[k].is_string()) return record[k].get<std::string>();
  }
  return "?";
}

int run_list(const ModelsArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return report_error(root.error());
  const fs::path dir = registry_dir(*root, args.registry);
  std::error_code ec;
  std::vector<fs::path> entries;
  if (fs::is_directory(dir, ec)) {
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_directory() && !model_record(entry.path()).empty()) entries.push_back(entry.path());
    }
  }
  std::sort(entries.begin(), entries.end());
  if (entries.empty()) {
    fmt::print("no trained models under {}; train one with itrade models train --model NAME\n", dir.string());
    return kExitOk;
  }
  fmt::print("{:<36} {:<18} {:<13} {:<11} {:<18} {:>5} {:<21} {:>9} {:>8}\n", "ID", "MODEL", "FRAMEWORK", "TASK",
             "TARGET", "FEAT", "TRAINED (UTC)", "TEST LOSS", "TEST IC");
  for (const auto& path : entries) {
    auto record = read_json(model_record(path));
    if (!record) {
      fmt::print("{:<36} (damaged: {})\n", path.filename().string(), record.error().message);
      continue;
    }
    const auto& r = *record;
    const std::size_t features = r.contains("features")        ? r["features"].size()
                                 : r.contains("feature_names") ? r["feature_names"].size()
                                                               : 0;
    fmt::print("{:<36} {:<18} {:<13} {:<11} {:<18} {:>5} {:<21} {:>9} {:>8}\n", path.filename().string(),
               field(r, "model", "name"), field(r, "framework"), field(r, "task"), field(r, "target"), features,
               field(r, "training_date"), metric_text(r, "test", "loss"), metric_text(r, "test", "ic"));
  }
  return kExitOk;
}

int run_show(const ModelsArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return report_error(root.error());
  const fs::path dir = registry_dir(*root, args.registry);
  fs::path path = dir / args.id;
  std::error_code ec;
  if (args.id.empty() || model_record(path).empty()) {
    std::vector<std::string> known;
    for (const auto& entry : fs::directory_iterator(dir, ec)) known.push_back(entry.path().filename().string());
    const auto near = core::nearest_names(args.id, known);
    return report_error(core::input_error(
        "no model '{}' under {}; {}", args.id, dir.string(),
        near.empty() ? "itrade models list shows them" : fmt::format("did you mean {}?", core::join(near, " or "))));
  }
  fmt::print("{}\n", path.string());
  for (const char* name : {"meta.json", "ensemble.json", "meta_label.json", "training.json"}) {
    if (!fs::exists(path / name, ec)) continue;
    auto record = read_json(path / name);
    if (!record) return report_error(record.error());
    fmt::print("\n{}:\n{}\n", name, record->dump(2));
  }
  return kExitOk;
}

core::Result<std::array<double, 3>> parse_split(const std::string& text) {
  const auto parts = core::split(text, ',');
  if (parts.size() != 3) return core::input_error("--split '{}': give three fractions, e.g. 0.6,0.2,0.2", text);
  std::array<double, 3> fractions{};
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string part(core::trim(parts[i]));
    char* end = nullptr;
    fractions[i] = std::strtod(part.c_str(), &end);
    if (part.empty() || *end != '\0') return core::input_error("--split '{}': '{}' is not a number", text, part);
  }
  return fractions;
}

std::string fmt_score(double value) { return std::isnan(value) ? "-" : fmt::format("{:.4f}", value); }

std::string default_out_dir(const fs::path& root, const std::string& model) {
  return (registry_dir(root, {}) / fmt::format("{}-{}", model, core::format_utc_compact(core::now_to_the_second())))
      .string();
}

int run_train(const ModelsArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return report_error(root.error());
  auto config = models::ModelsConfig::load(args.models_file.empty() ? config_file(*root, global, "models.yaml")
                                                                    : args.models_file);
  if (!config) return report_error(config.error());
  auto recipe = models::model_recipe(*config, args.model);
  if (!recipe) return report_error(recipe.error());

  auto feature_set = features::FeatureSet::load(config_file(*root, global, "features.yaml"));
  if (!feature_set) return report_error(feature_set.error());
  auto target_set = features::TargetSet::load(config_file(*root, global, "targets.yaml"));
  if (!target_set) return report_error(target_set.error());

  std::vector<std::string> feature_names = recipe->features.empty() ? feature_set->names() : recipe->features;
  if (!args.features.empty()) {
    auto parsed = features::parse_feature_list(args.features, *feature_set);
    if (!parsed) return report_error(parsed.error());
    feature_names = *parsed;
  }
  auto plan = feature_set->plan(feature_names);
  if (!plan) return report_error(plan.error());
  const std::string target_name = args.target.empty() ? recipe->target : args.target;
  auto selected = target_set->select(target_name);
  if (!selected) return report_error(selected.error());
  const features::TargetDef* target = selected->front();
  if (auto learnable = models::check_learnable(*recipe, *target); !learnable) return report_error(learnable.error());
  const models::Task task = recipe->task;
  const features::TargetDef outcome = models::outcome_target(*target);
  auto fractions = parse_split(args.split);
  if (!fractions) return report_error(fractions.error());

  auto bars = load_bars(args.data, args.tickers_spec, global, args.overrides, "train");
  if (!bars) return report_error(bars.error());
  auto matrices = features::compute_features(*plan, *bars, {});
  if (!matrices) return report_error(matrices.error());
  auto first_day = optional_date(args.start, std::numeric_limits<core::DayNumber>::min());
  auto last_day = optional_date(args.end, std::numeric_limits<core::DayNumber>::max());
  if (!first_day) return report_error(first_day.error());
  if (!last_day) return report_error(last_day.error());
  std::vector<const features::TargetDef*> wanted = {target};
  if (recipe->needs_outcomes) wanted.push_back(&outcome);
  for (std::size_t i = 0; i < matrices->size(); ++i) {
    auto& m = (*matrices)[i];
    if (auto appended = features::append_targets(m, wanted, (*bars)[i]); !appended)
      return report_error(appended.error());
    m.keep_days(*first_day, *last_day);
  }
  auto data = models::make_dataset(*matrices, feature_names, target->name,
                                   recipe->needs_outcomes ? outcome.name : std::string());
  if (!data) return report_error(data.error());
  auto sets = models::chronological_split(*data, (*fractions)[0], (*fractions)[1], (*fractions)[2], target->horizon());
  if (!sets) return report_error(sets.error());

  const std::unique_ptr<models::SignalModel> model = models::make_model(*config, *recipe, target->name);
  auto trained = model->train(sets->train, sets->validation);
  if (!trained) return report_error(trained.error());
  const models::ModelInfo info = model->info();

  fmt::print("model {} ({} on {}) learning {} from {} features\n", recipe->name, recipe->framework, info.backend,
             target->name, feature_names.size());
  fmt::print(
      "data: {} ticker(s); train {} rows before {}, validation {} rows before {}, test {} rows; {} rows purged "
      "at the boundaries ({} bars each)\n",
      data->tickers.size(), sets->train.rows(), core::format_date(sets->validation_first_day), sets->validation.rows(),
      core::format_date(sets->test_first_day), sets->test.rows(), sets->purged, target->horizon());
  if (trained->rounds.empty()) {
    fmt::print("trained in {:.2f} s\n\n", trained->seconds);
  } else {
    fmt::print("trained {} rounds in {:.2f} s; kept rounds 0..{} (best validation {} {:.5f})\n\n",
               trained->rounds.size(), trained->seconds, trained->best_iteration, trained->metric,
               trained->rounds[static_cast<std::size_t>(trained->best_iteration)].validation);
  }
  nlohmann::json metrics;
  fmt::print("{:<11} {:>8} {:>9} {:>9} {:>9} {:>8} {:>8}\n", "set", "rows",
             task == models::Task::regression ? "rmse" : "log loss", "accuracy", "macro-F1", "AUC", "IC");
  for (const auto& [name, set] : {std::pair<const char*, const models::Dataset*>{"train", &sets->train},
                                  {"validation", &sets->validation},
                                  {"test", &sets->test}}) {
    auto outputs = model->predict(*set);
    if (!outputs) return report_error(outputs.error());
    const models::Scores s = models::score(*outputs, set->labels, task);
    fmt::print("{:<11} {:>8} {:>9} {:>9} {:>9} {:>8} {:>8}\n", name, s.rows, fmt_score(s.loss), fmt_score(s.accuracy),
               fmt_score(s.macro_f1), fmt_score(s.auc), fmt_score(s.ic));
    metrics[name] = {{"rows", s.rows},         {"loss", s.loss}, {"accuracy", s.accuracy},
                     {"macro_f1", s.macro_f1}, {"auc", s.auc},   {"ic", s.ic}};
  }
  fmt::print("\ntop features by split gain:");
  for (std::size_t i = 0; i < std::min<std::size_t>(10, trained->gain.size()); ++i) {
    fmt::print("{} {} ({:.3g})", i == 0 ? "" : ",", trained->gain[i].feature, trained->gain[i].value);
  }
  fmt::print("\n");
  if (args.importance_repeats > 0) {
    auto importance = models::permutation_importance(*model, sets->validation, args.importance_repeats, 7);
    if (!importance) return report_error(importance.error());
    fmt::print("validation loss increase when shuffled ({} repeats, mean +- std):", args.importance_repeats);
    for (std::size_t i = 0; i < std::min<std::size_t>(10, importance->size()); ++i) {
      const auto& p = (*importance)[i];
      fmt::print("{} {} {:+.2g} +- {:.1g}", i == 0 ? "" : ",", p.feature, p.mean_increase, p.std_increase);
    }
    fmt::print("\n");
  }

  const fs::path out = args.out.empty() ? fs::path(default_out_dir(*root, recipe->name)) : args.out;
  std::error_code ec;
  fs::create_directories(out.parent_path(), ec);
  if (auto saved = model->save(out); !saved) return report_error(saved.error());
  nlohmann::json training = {
      {"model", recipe->name},
      {"framework", recipe->framework},
      {"backend", info.backend},
      {"task", models::task_name(task)},
      {"training_date", info.training_date},
      {"target", target->name},
      {"tickers", data->tickers},
      {"features", feature_names},
      {"split", {(*fractions)[0], (*fractions)[1], (*fractions)[2]}},
      {"validation_first_day", core::format_date(sets->validation_first_day)},
      {"test_first_day", core::format_date(sets->test_first_day)},
      {"first_bar", data->ts.empty() ? "" : core::format_utc(*std::min_element(data->ts.begin(), data->ts.end()))},
      {"last_bar", data->ts.empty() ? "" : core::format_utc(*std::max_element(data->ts.begin(), data->ts.end()))},
      {"rounds", trained->rounds.size()},
      {"best_iteration", trained->best_iteration},
      {"metrics", metrics},
  };
  const fs::path temporary = out / fmt::format("training.json.tmp.{}", ::getpid());
  {
    std::ofstream file(temporary);
    file << training.dump(2) << "\n";
  }
  fs::rename(temporary, out / "training.json", ec);
  if (ec)
    return report_error(core::runtime_error("cannot write {}: {}", (out / "training.json").string(), ec.message()));
  fmt::print("saved to {}\n", out.string());
  return kExitOk;
}

}  // namespace

void add_models_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* models = app.add_subcommand("models", "Train and inspect signal models (config/models.yaml)");
  models->require_subcommand(1);
  auto args = std::make_shared<ModelsArgs>();
  auto* train = models->add_subcommand(
      "train",
      "Train a model of config/models.yaml on features and a target computed from bars, on a chronological "
      "train/validation/test split of whole days (purged by the target's horizon), and print train, validation "
      "and test scores (log loss or RMSE, accuracy, macro-F1, AUC, information coefficient) and the features that "
      "mattered: a quick look at a model before any backtest. Saves the model and its training record.");
  train
      ->add_option(
          "--model", args->model,
          "A model of models.yaml (e.g. lgbm_direction), or ensemble (its enabled ensemble) or meta_labeling (its "
          "meta_labeling block)")
      ->required();
  train->add_option("--data", args->data, "Data directory (default: data.default_dir of config/system.yaml)");
  train->add_option("--tickers", args->tickers_spec, "A universe or a list such as AAPL,MSFT (default: all)");
  train->add_option("--start", args->start, "First New York day of data (YYYY-MM-DD)");
  train->add_option("--end", args->end, "Last New York day of data (YYYY-MM-DD)");
  train->add_option("--features", args->features, "'all' or a list of feature names (default: the model's)");
  train->add_option("--target", args->target, "Target name in targets.yaml (default: the model's)");
  train->add_option("--split", args->split, "Train, validation and test fractions of the days")->capture_default_str();
  train->add_option("--out", args->out, "Directory to save the model into (default: .itrade/models/<model>-<time>)");
  train->add_option("--models-config", args->models_file, "The models.yaml to use (default: the config directory's)");
  train
      ->add_option("--importance-repeats", args->importance_repeats,
                   "Shuffles per feature for permutation importance on the validation set (0: skip)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  train->callback([args, &global, &exit_code] { exit_code = run_train(*args, global); });

  auto* list = models->add_subcommand(
      "list", "List the trained models in the registry (.itrade/models): id, model, task, target, test scores");
  list->add_option("--registry", args->registry, "Registry directory (default: .itrade/models of the project)");
  list->callback([args, &global, &exit_code] { exit_code = run_list(*args, global); });

  auto* show = models->add_subcommand(
      "show",
      "Show a trained model's metadata (features, target, hyperparameters) and training record (split, "
      "scores)");
  show->add_option("id", args->id, "Model id, as itrade models list shows it")->required();
  show->add_option("--registry", args->registry, "Registry directory (default: .itrade/models of the project)");
  show->callback([args, &global, &exit_code] { exit_code = run_show(*args, global); });
}

}  // namespace itrade::cli

// itrade paper: a paper account over replayed bars (docs/execution.md, "itrade paper"): the model's
// streaming features and predictions, the trading policy, the risk manager, the order manager and
// the simulated broker, day by day, with a daily summary.

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
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
#include "evaluation/data_fingerprint.h"
#include "evaluation/paper_run.h"
#include "evaluation/run_recorder.h"
#include "evaluation/run_store.h"
#include "execution/feedback_logger.h"
#include "execution/model_stage.h"
#include "execution/replay.h"
#include "execution/risk_manager.h"
#include "execution/simulated_broker.h"
#include "execution/state_json.h"
#include "execution/trading_engine.h"
#include "features/registry/feature_registry.h"
#include "models/model_factory.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kHaltExitCode = 75;  // --halt-after-batches: a deliberate crash, for restart tests
constexpr int kPaperStateVersion = 2;  // 2: the account's trading days are kept

struct PaperArgs {
  fs::path model;
  fs::path replay;
  std::string tickers;
  std::string start;
  std::string end;
  bool shadow = false;
  std::string speed = "max";
  fs::path log;
  fs::path backtest_file;
  fs::path risk_file;
  fs::path state;
  fs::path runs_dir;
  bool no_record = false;
  int halt_after = 0;  // tests: stop abruptly after this many trading instants (0: never)
};

// The day in progress as the state keeps it, so that a day interrupted by a restart is recorded
// whole: its start equity and the fills booked so far.
nlohmann::json day_in_progress_json(const evaluation::DayFigures& today) {
  return {{"start_equity", today.start_equity}, {"fills", today.fills}, {"traded_value", today.traded_value}};
}

core::Result<evaluation::DayFigures> day_in_progress_from_json(const nlohmann::json& doc, const fs::path& file) {
  const execution::StateReader reader(file.string());
  auto object = reader.read_object(doc, "", "day_in_progress");
  if (!object) return object.error();
  evaluation::DayFigures today;
  std::optional<core::Error> error;
  if ((error = reader.read_number(**object, "day_in_progress", "start_equity", today.start_equity)) ||
      (error = reader.read_count(**object, "day_in_progress", "fills", today.fills)) ||
      (error = reader.read_number(**object, "day_in_progress", "traded_value", today.traded_value))) {
    return *error;
  }
  return today;
}

// The snapshot a restarted paper run resumes from: the engine, the risk manager, the broker and
// the account's trading days so far, written atomically after every trading instant.
nlohmann::json paper_state(const std::string& model, const std::vector<std::string>& tickers,
                           const execution::TradingEngine& engine, const execution::RiskManager& risk,
                           const execution::SimulatedBroker& broker, const std::vector<evaluation::DayFigures>& days,
                           const evaluation::DayFigures& today) {
  return {{"format", "itrade-paper-state"},
          {"version", kPaperStateVersion},
          {"model", model},
          {"tickers", tickers},
          {"engine", engine.state_json()},
          {"risk", risk.state_json()},
          {"broker", broker.to_json()},
          {"days", evaluation::days_to_json(days)},
          {"day_in_progress", day_in_progress_json(today)}};
}

core::Result<nlohmann::json> read_paper_state(const fs::path& file, const std::string& model,
                                              const std::vector<std::string>& tickers) {
  std::ifstream in(file);
  if (!in) return core::runtime_error("cannot read the paper state {}", file.string());
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("format") || doc["format"] != "itrade-paper-state") {
    return core::input_error("{}: not a paper state written by itrade paper; move it away to start a new account",
                             file.string());
  }
  const auto text_of = [&](const char* key) {
    return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : std::string("?");
  };
  if (!doc.contains("tickers") || doc["tickers"] != nlohmann::json(tickers) || text_of("model") != model) {
    return core::input_error("{}: the state belongs to model {} on {}; this run asks for {} on {}", file.string(),
                             text_of("model"), doc.contains("tickers") ? doc["tickers"].dump() : "?", model,
                             nlohmann::json(tickers).dump());
  }
  if (doc.value("version", nlohmann::json()) != kPaperStateVersion) {
    return core::input_error(
        "{}: a paper state of version {}; this itrade keeps version {} (which adds the account's trading days): "
        "finish the account with the itrade that wrote it, or move the file away to start a new account",
        file.string(), doc.value("version", nlohmann::json()).dump(), kPaperStateVersion);
  }
  return doc;
}

// "max" -> 0 (no pacing); "1x", "100x" or "100" -> that factor.
core::Result<double> parse_speed(const std::string& text) {
  if (text == "max") return 0.0;
  const std::string number = !text.empty() && text.back() == 'x' ? text.substr(0, text.size() - 1) : text;
  char* end = nullptr;
  const double factor = number.empty() ? 0.0 : std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !(factor > 0.0) || !std::isfinite(factor)) {
    return core::input_error("--speed {}: give max, or a factor such as 1x (real time) or 100x", text);
  }
  return factor;
}

// A model directory, or a run directory (runs/<id>), whose last fold's model is the one trained on
// the most recent data.
core::Result<fs::path> model_directory(const fs::path& given) {
  std::error_code error;
  if (!fs::is_directory(given, error)) {
    return core::input_error(
        "--model {}: not a directory; give a model directory (itrade models train --out) or "
        "a run directory runs/<id>",
        given.string());
  }
  const fs::path folds = given / "folds";
  if (!fs::is_directory(folds, error)) return given;
  int last = 0;
  for (const auto& entry : fs::directory_iterator(folds, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("fold_", 0) == 0) last = std::max(last, std::atoi(name.c_str() + 5));
  }
  if (last == 0) return core::input_error("{}: the run saved no fold models", folds.string());
  return folds / fmt::format("fold_{}", last);
}

// The fingerprint of the bars up to and including New York day `last`: the data a paper run traded.
std::string fingerprint_through(const std::vector<core::BarSeries>& bars, core::DayNumber last) {
  std::vector<core::BarSeries> through = bars;
  keep_through(through, last);
  return evaluation::data_fingerprint(through);
}

// Where this process's history stood at the last day's end, for the summary line (the engine's
// history is not state: a resumed run's starts empty).
struct DayMark {
  std::size_t decisions = 0;
  std::size_t intended = 0;
};

int run_paper(const PaperArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return report_error(root.error());
  auto speed = parse_speed(args.speed);
  if (!speed) return report_error(speed.error());
  // The files the account trades with, copied into its paper run record.
  const evaluation::PaperConfigFiles configs{
      args.backtest_file.empty() ? config_file(*root, global, "backtest.yaml") : args.backtest_file,
      args.risk_file.empty() ? config_file(*root, global, "risk.yaml") : args.risk_file,
      config_file(*root, global, "features.yaml")};
  auto backtest = evaluation::load_backtest_config(configs.backtest);
  if (!backtest) return report_error(backtest.error());
  auto risk_settings = load_risk_settings(*root, global, configs.risk);
  if (!risk_settings) return report_error(risk_settings.error());
  auto model_dir = model_directory(args.model);
  if (!model_dir) return report_error(model_dir.error());
  auto model = models::load_model(*model_dir);
  if (!model) return report_error(model.error());
  auto feature_set = features::FeatureSet::load(configs.features);
  if (!feature_set) return report_error(feature_set.error());
  auto first_day = optional_date(args.start, std::numeric_limits<core::DayNumber>::min());
  if (!first_day) return report_error(first_day.error());
  auto last_day = optional_date(args.end, std::numeric_limits<core::DayNumber>::max());
  if (!last_day) return report_error(last_day.error());
  if (*first_day > *last_day)
    return report_error(core::input_error("--start {} is after --end {}", args.start, args.end));

  SourceOverrides overrides;
  overrides.regular_session_only = true;  // the engine trades the regular session
  auto bars = load_bars(args.replay, args.tickers, global, overrides, "paper");
  if (!bars) return report_error(bars.error());
  keep_through(*bars, *last_day);
  std::vector<std::string> tickers;
  for (const core::BarSeries& b : *bars) tickers.push_back(b.ticker);
  // Bars before the first day warm the features up; trading starts before that day's open.
  const core::Timestamp trade_from =
      *first_day == std::numeric_limits<core::DayNumber>::min()
          ? std::numeric_limits<core::Timestamp>::min()
          : core::start_of_day(*first_day) + 4 * core::kNanosPerHour;  // midnight New York or earlier

  std::shared_ptr<const models::SignalModel> shared_model = std::move(*model);
  auto stage = execution::ModelStage::create(*feature_set, shared_model, tickers.size());
  if (!stage) return report_error(stage.error());
  // A state file that exists is a restart: everything resumes from it.
  std::optional<nlohmann::json> state;
  if (!args.state.empty() && fs::exists(args.state)) {
    auto read = read_paper_state(args.state, model_dir->string(), tickers);
    if (!read) return report_error(read.error());
    state = std::move(*read);
  }
  execution::RiskManager risk(risk_settings->limits, risk_settings->sectors);
  auto broker = state ? execution::SimulatedBroker::from_json((*state)["broker"])
                      : execution::SimulatedBroker::create({backtest->cost_model(), backtest->initial_cash, 0.0, 0});
  if (!broker) return report_error(broker.error());
  if (state) {
    if (auto ok = risk.restore_state((*state)["risk"]); !ok) return report_error(ok.error());
  }
  execution::EngineConfig engine_config{backtest->policy(), backtest->cost_model(), backtest->initial_cash,
                                        risk_settings->bar_length, args.shadow};
  auto engine = execution::TradingEngine::create(tickers, engine_config, risk, *broker);
  if (!engine) return report_error(engine.error());
  std::vector<evaluation::DayFigures> days;  // the account's trading days, its earlier runs' included
  evaluation::DayFigures today{0, engine->book().equity(), 0.0, 0, 0.0};
  if (state) {
    if (auto ok = engine->restore_state((*state)["engine"]); !ok) return report_error(ok.error());
    auto restored = evaluation::days_from_json(state->value("days", nlohmann::json()), args.state.string());
    if (!restored) return report_error(restored.error());
    days = std::move(*restored);
    auto in_progress = day_in_progress_from_json(*state, args.state);
    if (!in_progress) return report_error(in_progress.error());
    today = *in_progress;
  }
  std::optional<execution::FeedbackLogger> logger;
  if (!args.log.empty()) {
    auto opened = state ? execution::FeedbackLogger::resume(args.log, engine->log_position())
                        : execution::FeedbackLogger::open(args.log);
    if (!opened) return report_error(opened.error());
    logger.emplace(std::move(*opened));
    engine->set_logger(&*logger);
  }

  fmt::print("paper {}account: model {} ({}), {} on {}, risk limits {}\n", args.shadow ? "shadow " : "",
             shared_model->info().name, model_dir->string(),
             args.replay.empty() ? "default data" : args.replay.string(), core::join(tickers, ","),
             configs.risk.string());
  if (state && engine->last_batch()) {
    fmt::print("resuming from {} after {}\n", args.state.string(), core::format_utc(*engine->last_batch()));
  }
  fmt::print("{:<10}  {:>6}  {:>9}  {:>12}  {:>14}  {:>9}  {}\n", "day", "fills", "decisions",
             args.shadow ? "intended" : "day P&L", "equity", "positions", "risk");

  DayMark mark;
  std::size_t fills_seen = 0;  // of this process's engine history, added to `today`
  const auto book_fills = [&] {
    const std::vector<execution::Fill>& fills = engine->fills();
    for (; fills_seen < fills.size(); ++fills_seen) {
      ++today.fills;
      today.traded_value += fills[fills_seen].quantity * fills[fills_seen].price;
    }
  };
  std::size_t trips_seen = 0;
  std::size_t days_run = 0;
  execution::ReplayOptions options;
  options.bar_length = risk_settings->bar_length;
  options.trade_from = trade_from;
  options.speed = *speed;
  if (state) options.resume_after = engine->last_batch();
  int batches = 0;
  options.after_batch = [&](core::Timestamp) -> core::Status {
    if (args.halt_after > 0 && ++batches == args.halt_after) {
      // As a crash between a bar's work and its snapshot would: the feedback log already holds
      // this bar's records, the state does not; the restart cuts the log back and redoes the bar.
      std::fflush(stdout);
      std::_Exit(kHaltExitCode);
    }
    book_fills();
    if (!args.state.empty()) {
      const std::string text =
          paper_state(model_dir->string(), tickers, *engine, risk, *broker, days, today).dump() + "\n";
      if (auto ok = core::write_file_atomically(args.state, text, "paper state"); !ok) return ok;
    }
    return {};
  };
  options.on_session_end = [&](core::DayNumber day) {
    const execution::TradingEngine& e = *engine;
    std::size_t cut = 0;
    for (std::size_t d = mark.decisions; d < e.decisions().size(); ++d) {
      const auto& decision = e.decisions()[d];
      cut += decision.sized_quantity > 0.0 && decision.risk.verdict != execution::Verdict::approve;
    }
    std::string trips;
    for (; trips_seen < risk.trips().size(); ++trips_seen) {
      trips += fmt::format("{}{}", trips.empty() ? "" : ",", execution::limit_name(risk.trips()[trips_seen].limit));
    }
    book_fills();
    today.day = day;
    today.end_equity = e.book().equity();
    const std::string middle = args.shadow ? fmt::format("{}", e.intended_orders().size() - mark.intended)
                                           : fmt::format("{:+.2f}", today.end_equity - today.start_equity);
    fmt::print("{:<10}  {:>6}  {:>9}  {:>12}  {:>14.2f}  {:>9}  trips {}; entries cut {}\n", core::format_date(day),
               today.fills, e.decisions().size() - mark.decisions, middle, today.end_equity,
               e.book().open_positions().size(), trips.empty() ? "none" : trips, cut);
    std::fflush(stdout);
    days.push_back(today);
    today = {0, today.end_equity, 0.0, 0, 0.0};
    mark = {e.decisions().size(), e.intended_orders().size()};
    ++days_run;
  };
  auto predictor = [&](std::span<execution::EngineBar> batch, bool trading) { return stage->on_bars(batch, trading); };
  std::fflush(stdout);
  fmt::print(stderr, "paper: replaying {} tickers at {} speed\n", tickers.size(), args.speed);
  if (auto ran = execution::replay_bars(*bars, predictor, *broker, *engine, options); !ran) {
    return report_error(ran.error());
  }
  if (days_run == 0 && !state) {
    return report_error(core::input_error("no trading day of the replayed data falls in {} .. {}",
                                          args.start.empty() ? "the start" : args.start,
                                          args.end.empty() ? "the end" : args.end));
  }
  const double final_equity = engine->book().equity();
  fmt::print(
      "\n{} day(s): {} fills, {} orders, final equity {:.2f} ({:+.2f}%), {} risk trip(s), {} entries too "
      "small for one share\n",
      days_run, engine->fills().size(), engine->orders().size(), final_equity,
      100.0 * (final_equity / backtest->initial_cash - 1.0), risk.trips().size(), engine->skipped_entries());
  if (logger) fmt::print("feedback log in {}\n", logger->directory().string());
  if (args.no_record || days.empty()) return kExitOk;

  evaluation::PaperRun run;
  run.created_utc = core::format_utc(core::now_to_the_second());
  run.model_dir = fs::absolute(*model_dir).lexically_normal().string();
  run.model_name = shared_model->info().name;
  run.tickers = tickers;
  run.data = args.replay.empty() ? std::string() : fs::absolute(args.replay).lexically_normal().string();
  run.fingerprint = fingerprint_through(*bars, days.back().day);
  run.shadow = args.shadow;
  run.initial_cash = backtest->initial_cash;
  run.code_version = evaluation::code_version();
  run.days = days;
  auto store = evaluation::RunStore::open(args.runs_dir.empty() ? *root / "runs" : args.runs_dir);
  if (!store) return report_error(store.error());
  run.id = store->new_id("paper");
  if (auto written = evaluation::write_paper_run(store->dir(), run, configs); !written) {
    return report_error(written.error());
  }
  fmt::print("paper run {} recorded in {} ({} day(s) of the account){}\n", run.id, (store->dir() / run.id).string(),
             days.size(), args.shadow ? "" : fmt::format("; compare it with the backtest: itrade promote {}", run.id));
  return kExitOk;
}

}  // namespace

void add_paper_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<PaperArgs>();
  auto* cmd = app.add_subcommand(
      "paper",
      "Run a paper account over replayed bars: the model's features computed bar by bar, its predictions, the "
      "trading policy and sizing of the backtester (config/backtest.yaml), the risk manager's hard stops "
      "(config/risk.yaml) and the simulated broker (next-open fills, market-on-close at the day's last bar, the "
      "backtest's commission and slippage). Prints one summary line per trading day. With --shadow, decisions and "
      "intended orders are made and logged but nothing is sent. When it ends, the account's trading days (with "
      "--state, those of its earlier runs too) are recorded under runs/<id>, which itrade promote <id> compares with "
      "the backtest.");
  cmd->add_option("--model", args->model,
                  "A model directory (itrade models train --out) or a run directory runs/<id> (its last fold's "
                  "model)")
      ->required();
  cmd->add_option("--replay", args->replay, "Directory of bars to replay (default: data.default_dir)");
  cmd->add_option("--tickers", args->tickers, "A universe or a list such as AAPL,MSFT (default: all)");
  cmd->add_option("--start", args->start, "First New York day to trade (YYYY-MM-DD); earlier bars warm features up");
  cmd->add_option("--end", args->end, "Last New York day to trade (YYYY-MM-DD)");
  cmd->add_flag("--shadow", args->shadow, "Decide and log the intended orders, send nothing");
  cmd->add_option("--speed", args->speed, "Replay pace: max, 1x (a bar per bar length) or e.g. 100x")
      ->capture_default_str();
  cmd->add_option("--log", args->log, "Write the feedback log (JSON lines per day) into this directory");
  cmd->add_option("--backtest-config", args->backtest_file,
                  "The backtest.yaml with the policy, sizing and costs (default: the config directory's)");
  cmd->add_option("--risk-config", args->risk_file, "The risk.yaml to obey (default: the config directory's)");
  cmd->add_option("--state", args->state,
                  "Keep the account's state in this file, written after every bar; when it exists, the run resumes "
                  "from it (positions, open orders, risk halts, the broker, the feedback log)");
  cmd->add_option("--runs", args->runs_dir,
                  "Where the paper run is recorded for itrade promote (default: runs/ of the project)");
  cmd->add_flag("--no-record", args->no_record, "Do not record the paper run under runs/");
  cmd->add_option("--halt-after-batches", args->halt_after, "Tests: stop abruptly after N bars, as a crash would")
      ->group("");
  cmd->callback([args, &global, &exit_code] { exit_code = run_paper(*args, global); });
}

}  // namespace itrade::cli

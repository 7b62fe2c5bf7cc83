// itrade runs list | show | compare: the record of every experiment (runs/registry.sqlite), and
// the paper runs beside them (runs/<id>/paper.json).

#include <fmt/core.h>

#include <cmath>
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
#include "core/strings.h"
#include "core/time.h"
#include "evaluation/paper_run.h"
#include "evaluation/run_store.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct RunsArgs {
  fs::path runs_dir;
  std::string id;
  std::vector<std::string> ids;
};

std::string figure(double value, bool percent = false) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "+inf" : "-inf";
  return percent ? fmt::format("{:.2f}%", 100.0 * value) : fmt::format("{:.3f}", value);
}

// A ticker list cut to a 22-character column.
std::string tickers_column(const std::string& tickers) {
  return tickers.size() > 22 ? tickers.substr(0, 19) + "..." : tickers;
}

core::Result<evaluation::RunStore> open_store(const RunsArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return root.error();
  return evaluation::RunStore::open(args.runs_dir.empty() ? *root / "runs" : args.runs_dir);
}

// The paper runs, one line each: what the account traded and what promote decided.
void print_paper_runs(const evaluation::PaperRunList& paper, const fs::path& runs_dir) {
  fmt::print("\npaper runs:\n{:<28} {:<16} {:<22} {:>5} {:<23} {:>7} {:>9} {:<9}\n", "ID", "MODEL", "TICKERS", "DAYS",
             "FIRST .. LAST", "FILLS", "RETURN", "PROMOTION");
  for (const evaluation::PaperRun& r : paper.runs) {
    std::size_t fills = 0;
    for (const evaluation::DayFigures& d : r.days) fills += d.fills;
    const double total = r.days.empty() ? 0.0 : r.days.back().end_equity / r.initial_cash - 1.0;
    const std::string span = r.days.empty() ? "-"
                                             : fmt::format("{} .. {}", core::format_date(r.days.front().day),
                                                           core::format_date(r.days.back().day));
    std::string promotion = "shadow";
    if (!r.shadow) {
      const std::optional<bool> decided = evaluation::promotion_decision(runs_dir, r.id);
      promotion = !decided ? "not asked" : *decided ? "promoted" : "refused";
    }
    fmt::print("{:<28} {:<16} {:<22} {:>5} {:<23} {:>7} {:>9} {:<9}\n", r.id, r.model_name, tickers_column(core::join(r.tickers, ",")), r.days.size(),
               span, fills, figure(total, true), promotion);
  }
}

int run_list(const RunsArgs& args, const GlobalOptions& global) {
  auto store = open_store(args, global);
  if (!store) return report_error(store.error());
  auto runs = store->list();
  if (!runs) return report_error(runs.error());
  const evaluation::PaperRunList paper = evaluation::list_paper_runs(store->dir());
  for (const core::Error& e : paper.unreadable) fmt::print(stderr, "itrade: warning: {}\n", e.message);
  if (runs->empty() && paper.runs.empty()) {
    fmt::print("no runs in {}; start one with itrade backtest\n", store->dir().string());
    return kExitOk;
  }
  if (runs->empty()) {
    print_paper_runs(paper, store->dir());
    return kExitOk;
  }
  fmt::print("{:<40} {:<16} {:<18} {:<22} {:>7} {:>8} {:>9} {:>7} {:>9} {:>6}\n", "ID", "MODEL", "TARGET", "TICKERS",
             "TRADES", "SHARPE", "MAX DD", "DSR", "RETURN", "TRIALS");
  for (const auto& r : *runs) {
    fmt::print("{:<40} {:<16} {:<18} {:<22} {:>7} {:>8} {:>9} {:>7} {:>9} {:>6}\n", r.id, r.model, r.target,
               tickers_column(r.tickers),
               r.trades, figure(r.sharpe), figure(r.max_drawdown, true), figure(r.deflated_sharpe, true),
               figure(r.total_return, true), r.trials);
  }
  if (!paper.runs.empty()) print_paper_runs(paper, store->dir());
  return kExitOk;
}

int run_show(const RunsArgs& args, const GlobalOptions& global) {
  auto store = open_store(args, global);
  if (!store) return report_error(store.error());
  auto run = store->find(args.id);
  if (!run) return report_error(run.error());
  fmt::print("run {} ({})\n", run->id, run->created_utc);
  fmt::print("model {} on {}, {} features, tickers {}, data {} .. {} (fingerprint {}), code {}\n", run->model,
             run->target, run->features, run->tickers, run->first_day, run->last_day, run->fingerprint,
             run->code_version);
  const fs::path metrics = store->dir() / run->id / "metrics.json";
  std::ifstream in(metrics);
  if (!in) {
    fmt::print("({} is missing: the run directory was moved or deleted)\n", metrics.string());
    return kExitOk;
  }
  auto parsed = json::parse(in, nullptr, false);
  if (parsed.is_discarded()) return report_error(core::input_error("{}: not valid JSON", metrics.string()));
  fmt::print("\nmetrics.json:\n{}\n", parsed.dump(2));
  fmt::print("\nfiles: {}\n", (store->dir() / run->id).string());
  return kExitOk;
}

// Flattens a JSON object into dotted keys, for comparing two configurations key by key.
void flatten(const json& value, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) flatten(item, prefix.empty() ? key : prefix + "." + key, out);
  } else {
    out.emplace_back(prefix, value.dump());
  }
}

int run_compare(const RunsArgs& args, const GlobalOptions& global) {
  auto store = open_store(args, global);
  if (!store) return report_error(store.error());
  std::vector<evaluation::RunRecord> runs;
  for (const auto& id : args.ids) {
    auto run = store->find(id);
    if (!run) return report_error(run.error());
    runs.push_back(*run);
  }
  fmt::print("{:<16}", "");
  for (const auto& r : runs) fmt::print(" {:>40}", r.id);
  fmt::print("\n");
  const auto row = [&](const char* label, auto get) {
    fmt::print("{:<16}", label);
    for (const auto& r : runs) fmt::print(" {:>40}", get(r));
    fmt::print("\n");
  };
  using R = evaluation::RunRecord;
  row("model", [](const R& r) { return r.model; });
  row("target", [](const R& r) { return r.target; });
  row("trades", [](const R& r) { return std::to_string(r.trades); });
  row("sharpe", [](const R& r) { return figure(r.sharpe); });
  row("sortino", [](const R& r) { return figure(r.sortino); });
  row("max drawdown", [](const R& r) { return figure(r.max_drawdown, true); });
  row("win rate", [](const R& r) { return figure(r.win_rate, true); });
  row("profit factor", [](const R& r) { return figure(r.profit_factor); });
  row("total return", [](const R& r) { return figure(r.total_return, true); });
  row("deflated sharpe", [](const R& r) { return figure(r.deflated_sharpe, true); });
  row("trials", [](const R& r) { return std::to_string(r.trials); });
  row("same data", [&](const R& r) { return r.fingerprint == runs.front().fingerprint ? "yes" : "no"; });

  // Which configuration keys differ.
  std::vector<std::vector<std::pair<std::string, std::string>>> flat(runs.size());
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    auto parsed = json::parse(runs[i].config_json, nullptr, false);
    if (parsed.is_discarded()) continue;
    flatten(parsed, "", flat[i]);
    for (const auto& [key, value] : flat[i]) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }
  const auto lookup = [](const auto& pairs, const std::string& key) {
    for (const auto& [k, v] : pairs) {
      if (k == key) return v;
    }
    return std::string("(absent)");
  };
  bool any = false;
  for (const auto& key : keys) {
    bool differs = false;
    for (std::size_t i = 1; i < runs.size(); ++i) differs |= lookup(flat[i], key) != lookup(flat[0], key);
    if (!differs) continue;
    if (!any) fmt::print("\nconfiguration keys that differ:\n");
    any = true;
    fmt::print("  {}:", key);
    for (std::size_t i = 0; i < runs.size(); ++i) fmt::print(" {}", lookup(flat[i], key));
    fmt::print("\n");
  }
  if (!any) fmt::print("\nthe configurations are identical\n");
  return kExitOk;
}

}  // namespace

void add_runs_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* runs = app.add_subcommand(
      "runs", "List, show and compare recorded experiment runs (runs/registry.sqlite); list shows the paper runs too");
  runs->require_subcommand(1);
  auto args = std::make_shared<RunsArgs>();
  auto* list = runs->add_subcommand(
      "list", "One line per run: id, model, target, tickers, trades, Sharpe, max drawdown, deflated Sharpe, total "
              "return, trials on the same data; then one line per paper run (itrade paper): model, tickers, days, "
              "fills, return, and what itrade promote decided");
  list->add_option("--runs", args->runs_dir, "Runs directory (default: runs/ of the project)");
  list->callback([args, &global, &exit_code] { exit_code = run_list(*args, global); });
  auto* show = runs->add_subcommand("show", "A run's record and its metrics.json");
  show->add_option("id", args->id, "Run id, as itrade runs list shows it")->required();
  show->add_option("--runs", args->runs_dir, "Runs directory (default: runs/ of the project)");
  show->callback([args, &global, &exit_code] { exit_code = run_show(*args, global); });
  auto* compare = runs->add_subcommand(
      "compare", "Two or more runs side by side: their figures, whether they ran on the same data, and which "
                 "configuration keys differ");
  compare->add_option("ids", args->ids, "Run ids")->required()->expected(2, 20);
  compare->add_option("--runs", args->runs_dir, "Runs directory (default: runs/ of the project)");
  compare->callback([args, &global, &exit_code] { exit_code = run_compare(*args, global); });
}

}  // namespace itrade::cli

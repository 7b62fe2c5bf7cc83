// itrade risk show | reset-drawdown: the hard stops (config/risk.yaml, docs/risk.md) and a saved
// risk state: what the limits are, what has tripped, and the one human decision the risk manager
// waits for (resuming after the drawdown stop).

#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/console.h"
#include "cli/data_sources.h"
#include "cli/risk_settings.h"
#include "core/time.h"
#include "execution/risk_manager.h"
#include "execution/sector_map.h"

namespace itrade::cli {
namespace {

namespace fs = std::filesystem;

struct RiskArgs {
  fs::path config;  // empty: config/risk.yaml
  fs::path state;
  bool confirm = false;
};

struct LoadedRisk {
  fs::path file;
  execution::RiskConfig config;
  execution::SectorMap sectors;
};

core::Result<LoadedRisk> load(const RiskArgs& args, const GlobalOptions& global) {
  auto root = project_root(global);
  if (!root) return root.error();
  LoadedRisk loaded;
  loaded.file = args.config.empty() ? config_file(*root, global, "risk.yaml") : args.config;
  auto settings = load_risk_settings(*root, global, loaded.file);
  if (!settings) return settings.error();
  loaded.config = std::move(settings->limits);
  loaded.sectors = std::move(settings->sectors);
  return loaded;
}

void print_limits(const LoadedRisk& risk) {
  using C = execution::RiskConfig::Ceilings;
  const execution::RiskConfig& c = risk.config;
  fmt::print("risk limits from {} (hard limits built in; docs/risk.md)\n", risk.file.string());
  const auto pct = [](double v) { return fmt::format("{:.2f}%", 100.0 * v); };
  fmt::print("  {:<28} {:>12}   {}\n", "max_position_pct", pct(c.max_position_pct),
             "ceiling " + pct(C::max_position_pct));
  fmt::print("  {:<28} {:>12}   ceiling {}\n", "max_positions", c.max_positions, C::max_positions);
  fmt::print("  {:<28} {:>12}   {}\n", "daily_loss_limit_pct", pct(c.daily_loss_limit_pct),
             "ceiling " + pct(C::daily_loss_limit_pct));
  fmt::print("  {:<28} {:>12}   {}\n", "weekly_loss_limit_pct", pct(c.weekly_loss_limit_pct),
             "ceiling " + pct(C::weekly_loss_limit_pct));
  fmt::print("  {:<28} {:>12}   {}\n", "max_drawdown_pct", pct(c.max_drawdown_pct),
             "ceiling " + pct(C::max_drawdown_pct));
  fmt::print("  {:<28} {:>12}   floor {} min\n", "no_trade_before_close_min",
             fmt::format("{} min", c.no_trade_before_close_min), C::no_trade_before_close_min);
  fmt::print("  {:<28} {:>12.2f}   ceiling {:.2f}\n", "max_order_notional", c.max_order_notional,
             C::max_order_notional);
  fmt::print("  {:<28} {:>12}   {}\n", "max_sector_exposure_pct", pct(c.max_sector_exposure_pct),
             "ceiling " + pct(C::max_sector_exposure_pct));
  fmt::print("  {:<28} {:>12.2f}   ceiling {:.2f}, over {} bars\n", "max_correlation", c.max_correlation,
             C::max_correlation, c.correlation_window_bars);
  fmt::print("  {:<28} {:>12}   {}\n", "price_band_pct", pct(c.price_band_pct), "ceiling " + pct(C::price_band_pct));
  fmt::print("  sectors: {} tickers mapped (universes and risk.yaml); any other ticker counts as \"{}\"\n",
             risk.sectors.size(), execution::SectorMap::kUnmapped);
}

void print_state(const execution::RiskManager& manager, const fs::path& file) {
  const nlohmann::json s = manager.state_json();
  fmt::print("\nrisk state {}\n", file.string());
  if (!s.at("started").get<bool>()) {
    fmt::print("  no equity seen yet\n");
    return;
  }
  const auto day = [](const nlohmann::json& v) { return core::format_date(v.get<core::DayNumber>()); };
  fmt::print("  day {} started at equity {:.2f}; week of {} at {:.2f}; peak {:.2f}; last {:.2f}\n", day(s.at("day")),
             s.at("day_start_equity").get<double>(), day(s.at("week")), s.at("week_start_equity").get<double>(),
             s.at("peak_equity").get<double>(), s.at("last_equity").get<double>());
  const bool any_halt =
      !s.at("halted_day").is_null() || !s.at("halted_week").is_null() || s.at("drawdown_halted").get<bool>();
  if (!s.at("halted_day").is_null()) fmt::print("  daily loss halt on {}\n", day(s.at("halted_day")));
  if (!s.at("halted_week").is_null()) fmt::print("  weekly loss halt in the week of {}\n", day(s.at("halted_week")));
  if (s.at("drawdown_halted").get<bool>()) {
    fmt::print("  DRAWDOWN STOP: no new positions until `itrade risk reset-drawdown --state {} --confirm`\n",
               file.string());
  }
  if (!any_halt) fmt::print("  no halt recorded\n");
  fmt::print("  {} trip(s)\n", manager.trips().size());
  for (const execution::Trip& t : manager.trips()) {
    fmt::print("    {}  {:<12} equity {:.2f} <= {:.2f}\n", core::format_utc(t.ts), execution::limit_name(t.limit),
               t.equity, t.threshold);
  }
}

int run_show(const RiskArgs& args, const GlobalOptions& global) {
  auto risk = load(args, global);
  if (!risk) return report_error(risk.error());
  print_limits(*risk);
  if (!args.state.empty()) {
    execution::RiskManager manager(risk->config, risk->sectors);
    if (auto ok = manager.load_state(args.state); !ok) return report_error(ok.error());
    print_state(manager, args.state);
  }
  return kExitOk;
}

int run_reset_drawdown(const RiskArgs& args, const GlobalOptions& global) {
  auto risk = load(args, global);
  if (!risk) return report_error(risk.error());
  execution::RiskManager manager(risk->config, risk->sectors);
  if (auto ok = manager.load_state(args.state); !ok) return report_error(ok.error());
  if (!manager.drawdown_halted()) {
    fmt::print("{}: the drawdown stop is not tripped; nothing to reset\n", args.state.string());
    return kExitOk;
  }
  if (!args.confirm) {
    return report_error(core::input_error(
        "{}: the drawdown stop is tripped; resetting it lets the strategy open positions again from the current "
        "equity. Read the trips (itrade risk show --state {}), then repeat with --confirm",
        args.state.string(), args.state.string()));
  }
  manager.reset_drawdown();
  if (auto ok = manager.save_state(args.state); !ok) return report_error(ok.error());
  fmt::print("{}: drawdown stop reset; the peak is now the last equity {:.2f}\n", args.state.string(),
             manager.last_equity());
  return kExitOk;
}

}  // namespace

void add_risk_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* risk = app.add_subcommand(
      "risk", "The hard risk limits (config/risk.yaml) and a saved risk state: show them, reset the drawdown stop");
  risk->require_subcommand(1);
  auto args = std::make_shared<RiskArgs>();
  auto* show = risk->add_subcommand(
      "show",
      "Check config/risk.yaml against the built-in ceilings and print every limit; with --state, the saved "
      "halts, loss anchors and trips");
  show->add_option("--risk-config", args->config, "Risk limits file (default: config/risk.yaml)");
  show->add_option("--state", args->state, "A risk state file written by paper or live trading");
  show->callback([args, &global, &exit_code] { exit_code = run_show(*args, global); });
  auto* reset = risk->add_subcommand(
      "reset-drawdown",
      "Lift a tripped drawdown stop in a saved risk state (a person's decision: the risk manager never lifts it "
      "itself); the peak restarts at the last equity");
  reset->add_option("--state", args->state, "The risk state file")->required();
  reset->add_option("--risk-config", args->config, "Risk limits file (default: config/risk.yaml)");
  reset->add_flag("--confirm", args->confirm, "Confirm the reset (without it the command only explains)");
  reset->callback([args, &global, &exit_code] { exit_code = run_reset_drawdown(*args, global); });
}

}  // namespace itrade::cli

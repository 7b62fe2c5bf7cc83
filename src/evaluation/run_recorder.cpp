#include "evaluation/run_recorder.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "core/strings.h"
#include "core/time.h"
#include "evaluation/report.h"
#include "features/engine/feature_file.h"
#include "models/model_dir.h"

#ifndef ITRADE_CODE_VERSION
#define ITRADE_CODE_VERSION "unknown"
#endif

namespace itrade::evaluation {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// JSON has no NaN or infinity: such figures are written as null.
json number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

std::optional<DeflatedSharpe> deflate(std::vector<double> returns, std::vector<double> trial_sharpes,
                                      double daily_sharpe) {
  if (returns.size() < 2) return std::nullopt;
  DeflatedSharpeInputs inputs;
  inputs.returns = std::move(returns);
  trial_sharpes.push_back(daily_sharpe);
  inputs.trials = trial_sharpes.size();
  std::vector<double> finite;
  for (double s : trial_sharpes) {
    if (std::isfinite(s)) finite.push_back(s);
  }
  if (inputs.trials == 1) {
    // one trial: nothing to deflate by
  } else if (finite.size() >= 2) {
    inputs.trial_sharpes = std::move(finite);
  } else {
    inputs.trial_sharpe_variance = 0.0;  // the other trials had no defined Sharpe: no spread known
  }
  auto deflated = deflated_sharpe(inputs);
  if (!deflated) return std::nullopt;
  return *deflated;
}

// {feature: total attributed P&L}, keys in sorted order; null without an attribution.
// The risk manager's part: null without one; else every trip and, per limit, the entries it cut.
json risk_json(const BacktestResult& backtest) {
  if (!backtest.risk_managed) return nullptr;
  json trips = json::array();
  for (const execution::Trip& t : backtest.risk_trips) {
    trips.push_back({{"limit", execution::limit_name(t.limit)},
                     {"ts", core::format_utc(t.ts)},
                     {"equity", t.equity},
                     {"threshold", t.threshold}});
  }
  json blocked = json::object();
  for (const RiskBlocks& b : backtest.risk_blocks) {
    blocked[std::string(execution::limit_name(b.limit))] = {{"rejected", b.rejected}, {"reduced", b.reduced}};
  }
  return {{"trips", trips}, {"entries_cut", blocked}, {"entries_too_small", backtest.skipped_entries}};
}

json attribution_json(const Experiment& run) {
  if (!run.attribution) return nullptr;
  json totals = json::object();  // a std::map: the features come out sorted by name
  const PnlAttribution& a = *run.attribution;
  for (std::size_t f = 0; f < a.features.size(); ++f) totals[a.features[f]] = number(a.totals[f]);
  return totals;
}

json metrics_json(const Experiment& run, const std::optional<DeflatedSharpe>& deflated, int trials) {
  const Performance& p = run.performance;
  json folds = json::array();
  for (const FoldOutcome& f : run.walk_forward.folds) {
    folds.push_back({{"fold", f.fold.index + 1},
                     {"fit_rows", f.fit_rows},
                     {"validation_rows", f.validation_rows},
                     {"available_rows", f.available_rows},
                     {"test_rows", f.test_rows},
                     {"rounds", f.training.rounds.size()},
                     {"best_iteration", f.training.best_iteration},
                     {"seconds", f.training.seconds}});
  }
  const models::Scores& q = run.prediction_quality;
  return {
      {"performance",
       {{"total_return", number(p.total_return)},
        {"annual_return", number(p.annual_return)},
        {"annual_volatility", number(p.annual_volatility)},
        {"sharpe", number(p.sharpe)},
        {"sortino", number(p.sortino)},
        {"max_drawdown", number(p.max_drawdown)},
        {"max_drawdown_days", p.max_drawdown_days},
        {"max_drawdown_bars", p.max_drawdown_bars},
        {"calmar", number(p.calmar)},
        {"trades", p.trades},
        {"win_rate", number(p.win_rate)},
        {"profit_factor", number(p.profit_factor)},
        {"average_win", number(p.average_win)},
        {"average_loss", number(p.average_loss)},
        {"expectancy", number(p.expectancy)},
        {"average_holding_bars", number(p.average_holding_bars)},
        {"exposure", number(p.exposure)},
        {"turnover", number(p.turnover)},
        {"trades_per_day", number(p.trades_per_day)},
        {"total_fees", number(p.total_fees)},
        {"days", p.days},
        {"bars", p.bars}}},
      {"trials",
       {{"runs_on_same_data", trials},
        {"deflated_sharpe", deflated ? number(deflated->dsr) : json(nullptr)},
        {"probabilistic_sharpe", deflated ? number(deflated->psr) : json(nullptr)},
        {"daily_sharpe", deflated ? number(deflated->sr) : json(nullptr)},
        {"expected_max_daily_sharpe", deflated ? number(deflated->sr0) : json(nullptr)}}},
      {"prediction",
       {{"rows", q.rows},
        {"loss", number(q.loss)},
        {"accuracy", number(q.accuracy)},
        {"macro_f1", number(q.macro_f1)},
        {"auc", number(q.auc)},
        {"ic_forward_return", number(q.ic)}}},
      {"walk_forward",
       {{"description", run.plan.description},
        {"purge", run.plan.purge},
        {"fallback", run.plan.fallback},
        {"folds", folds}}},
      {"evaluated_from", core::format_utc(run.evaluated_from)},
      {"data",
       {{"first_day", core::format_date(run.data_first_day)},
        {"last_day", core::format_date(run.data_last_day)},
        {"fingerprint", run.fingerprint},
        {"tickers", run.tickers}}},
      {"risk", risk_json(run.backtest)},
      {"attribution", attribution_json(run)},
      {"attribution_unattributed", run.attribution ? number(run.attribution->unattributed) : json(nullptr)},
  };
}

std::string trades_csv(const BacktestResult& backtest) {
  std::string out =
      "ticker,side,decision_time,entry_time,exit_time,entry_price,exit_price,quantity,fees,pnl,return,holding_bars,"
      "exit_reason\n";
  for (const Trade& t : backtest.trades) {
    out += fmt::format("{},{},{},{},{},{:.6f},{:.6f},{},{:.6f},{:.6f},{:.8f},{},{}\n", backtest.tickers[t.ticker],
                       t.side == Side::long_position ? "long" : "short", core::format_utc(t.decision_ts),
                       core::format_utc(t.entry_ts), core::format_utc(t.exit_ts), t.entry_price, t.exit_price,
                       t.quantity, t.fees, t.pnl, t.return_fraction(), t.holding_bars, exit_reason_name(t.reason));
  }
  return out;
}

// One row per New York exit day: the P&L attributed to each feature, then the unattributed P&L.
std::string attribution_csv(const PnlAttribution& a) {
  std::string out = "day";
  for (const std::string& feature : a.features) out += "," + feature;
  out += ",unattributed\n";
  for (std::size_t d = 0; d < a.days.size(); ++d) {
    out += core::format_date(a.days[d]);
    for (std::size_t f = 0; f < a.features.size(); ++f) out += fmt::format(",{:.6f}", a.at(d, f));
    out += fmt::format(",{:.6f}\n", a.daily_unattributed[d]);
  }
  return out;
}

std::string equity_csv(const BacktestResult& backtest) {
  std::string out = "time,equity,cash,gross_exposure\n";
  for (std::size_t k = 0; k < backtest.ts.size(); ++k) {
    out += fmt::format("{},{:.6f},{:.6f},{:.6f}\n", core::format_utc(backtest.ts[k]), backtest.equity[k],
                       backtest.cash[k], backtest.gross_exposure[k]);
  }
  return out;
}

std::string importance_csv(const Experiment& run) {
  std::string out = "feature,gain,permutation_mean_increase,permutation_std\n";
  for (const auto& g : run.gain) {
    std::string mean = "";
    std::string spread = "";
    for (const auto& p : run.permutation) {
      if (p.feature != g.feature) continue;
      mean = fmt::format("{:.8g}", p.mean_increase);
      spread = fmt::format("{:.8g}", p.std_increase);
    }
    out += fmt::format("{},{:.8g},{},{}\n", g.feature, g.value, mean, spread);
  }
  return out;
}

}  // namespace

const char* code_version() { return ITRADE_CODE_VERSION; }

core::Result<RecordedRun> record_run(RunStore& store, const Experiment& run, const std::string& name,
                                     const std::string& model, const json& config) {
  auto previous = store.trial_sharpes(run.fingerprint);
  if (!previous) return previous.error();
  std::vector<double> returns;
  for (const DailyReturn& d : run.daily) returns.push_back(d.ret);
  const double daily_sharpe = sharpe_ratio(returns);
  RecordedRun recorded;
  recorded.deflated = deflate(std::move(returns), *previous, daily_sharpe);
  const int trials = static_cast<int>(previous->size()) + 1;

  RunRecord& r = recorded.record;
  r.id = store.new_id(model);
  r.name = name;
  r.created_utc = core::format_utc(core::now_to_the_second());
  r.model = model;
  r.target = run.target;
  r.tickers = core::join(run.tickers, ",");
  r.first_day = core::format_date(run.data_first_day);
  r.last_day = core::format_date(run.data_last_day);
  r.fingerprint = run.fingerprint;
  r.code_version = code_version();
  r.features = static_cast<int>(run.features.size());
  r.trades = static_cast<int>(run.performance.trades);
  r.total_return = run.performance.total_return;
  r.sharpe = run.performance.sharpe;
  r.daily_sharpe = daily_sharpe;
  r.sortino = run.performance.sortino;
  r.max_drawdown = run.performance.max_drawdown;
  r.win_rate = run.performance.win_rate;
  r.profit_factor = run.performance.profit_factor;
  r.deflated_sharpe = recorded.deflated ? recorded.deflated->dsr : std::nan("");
  r.trials = trials;
  r.config_json = config.dump();

  recorded.dir = store.dir() / r.id;
  const json metrics = metrics_json(run, recorded.deflated, trials);
  json resolved = config;
  resolved["run_id"] = r.id;
  resolved["code_version"] = r.code_version;

  ReportInput report;
  report.title = fmt::format("{} on {}: {}", model, run.target, core::join(run.tickers, ", "));
  report.run_id = r.id;
  report.created_utc = r.created_utc;
  report.facts = {
      {"data used", fmt::format("{} .. {} ({} tickers)", r.first_day, r.last_day, run.tickers.size())},
      {"evaluated from", core::format_utc(run.evaluated_from)},
      {"walk-forward", run.plan.description},
      {"features", fmt::format("{}: {}", run.features.size(), core::join(run.features, ", "))},
      {"trials on this data", fmt::format("{}", trials)},
      {"data fingerprint", run.fingerprint},
      {"code version", r.code_version},
  };
  report.backtest = &run.backtest;
  report.performance = run.performance;
  report.monthly = run.monthly;
  report.tickers = run.per_ticker;
  report.deflated = recorded.deflated;
  report.prediction = run.prediction_quality;
  report.gain = run.gain;
  report.permutation = run.permutation;
  report.attribution = run.attribution ? &*run.attribution : nullptr;
  report.config_text = resolved.dump(2);
  auto html = render_report(report);
  if (!html) return html.error();
  auto written = models::write_model_dir(recorded.dir, [&](const fs::path& staging) -> core::Status {
    if (auto s = models::write_text_file(staging / "report.html", *html); !s) return s;
    if (auto s = models::write_text_file(staging / "config.json", resolved.dump(2) + "\n"); !s) return s;
    if (auto s = models::write_text_file(staging / "metrics.json", metrics.dump(2) + "\n"); !s) return s;
    if (auto s = models::write_text_file(staging / "trades.csv", trades_csv(run.backtest)); !s) return s;
    if (auto s = models::write_text_file(staging / "equity.csv", equity_csv(run.backtest)); !s) return s;
    if (auto s = models::write_text_file(staging / "importance.csv", importance_csv(run)); !s) return s;
    if (run.attribution) {
      if (auto s = models::write_text_file(staging / "attribution.csv", attribution_csv(*run.attribution)); !s) {
        return s;
      }
    }
    if (auto s = features::write_feature_file(staging / "predictions.csv", run.predictions); !s) return s;
    std::error_code ec;
    fs::create_directories(staging / "folds", ec);
    if (ec) return core::runtime_error("cannot create {}: {}", (staging / "folds").string(), ec.message());
    for (const FoldOutcome& fold : run.walk_forward.folds) {
      const fs::path dir = staging / "folds" / fmt::format("fold_{}", fold.fold.index + 1);
      if (auto s = fold.model->save(dir); !s) return s;
    }
    return {};
  });
  if (!written) return written.error();
  if (auto inserted = store.insert(r); !inserted) return inserted.error();
  return recorded;
}

}  // namespace itrade::evaluation

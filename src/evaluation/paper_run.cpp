#include "evaluation/paper_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "core/time.h"
#include "execution/state_json.h"
#include "models/model_dir.h"

namespace itrade::evaluation {

namespace fs = std::filesystem;
using nlohmann::json;

json day_to_json(const DayFigures& d) {
  return {{"day", core::format_date(d.day)},
          {"start_equity", d.start_equity},
          {"end_equity", d.end_equity},
          {"return", d.day_return()},  // for the reader; recomputed from the equities
          {"fills", d.fills},
          {"traded_value", d.traded_value}};
}

json days_to_json(const std::vector<DayFigures>& days) {
  json out = json::array();
  for (const DayFigures& d : days) out.push_back(day_to_json(d));
  return out;
}

core::Result<std::vector<DayFigures>> days_from_json(const json& days, const std::string& what) {
  const execution::StateReader reader(what);
  if (!days.is_array()) return reader.error("days", "expected an array");
  std::vector<DayFigures> out;
  for (std::size_t k = 0; k < days.size(); ++k) {
    const std::string where = fmt::format("days[{}]", k);
    const json& d = days[k];
    if (!d.is_object()) return reader.error(where, "expected an object");
    DayFigures figures;
    std::string day;
    std::optional<core::Error> error;
    if ((error = reader.read_string(d, where, "day", day)) ||
        (error = reader.read_number(d, where, "start_equity", figures.start_equity)) ||
        (error = reader.read_number(d, where, "end_equity", figures.end_equity)) ||
        (error = reader.read_count(d, where, "fills", figures.fills)) ||
        (error = reader.read_number(d, where, "traded_value", figures.traded_value))) {
      return *error;
    }
    auto parsed = core::parse_date(day);
    if (!parsed) return reader.error(where + ".day", fmt::format("'{}' is not a date YYYY-MM-DD", day));
    figures.day = *parsed;
    if (!out.empty() && figures.day <= out.back().day) {
      return reader.error(where + ".day", "the days must be ascending, each once");
    }
    out.push_back(figures);
  }
  return out;
}

core::Status write_paper_run(const fs::path& runs_dir, const PaperRun& run, const PaperConfigFiles& configs) {
  const json record = {{"format", "itrade-paper-run"},
                       {"version", 1},
                       {"id", run.id},
                       {"created_utc", run.created_utc},
                       {"model_dir", run.model_dir},
                       {"model_name", run.model_name},
                       {"tickers", run.tickers},
                       {"data", run.data},
                       {"fingerprint", run.fingerprint},
                       {"shadow", run.shadow},
                       {"initial_cash", run.initial_cash},
                       {"code_version", run.code_version},
                       {"days", days_to_json(run.days)}};
  return models::write_model_dir(runs_dir / run.id, [&](const fs::path& staging) -> core::Status {
    if (auto s = models::write_text_file(staging / "paper.json", record.dump(2) + "\n"); !s) return s;
    for (const auto& [from, name] : {std::pair{configs.backtest, kPaperBacktestConfig},
                                     std::pair{configs.risk, kPaperRiskConfig},
                                     std::pair{configs.features, kPaperFeatureConfig}}) {
      auto text = models::read_text_file(from, "a configuration file");
      if (!text) return text.error();
      if (auto s = models::write_text_file(staging / name, *text); !s) return s;
    }
    return {};
  });
}

core::Result<PaperRun> read_paper_run(const fs::path& runs_dir, const std::string& id) {
  const fs::path dir = runs_dir / id;
  const fs::path file = dir / "paper.json";
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (fs::exists(dir / "metrics.json", ec)) {
      return core::input_error("{}: a research run, not a paper run; promote takes the id `itrade paper` printed",
                               dir.string());
    }
    return core::input_error("{}: no paper run {} here; `itrade paper` prints the id of the run it records",
                             file.string(), id);
  }
  auto text = models::read_text_file(file, "a paper run record written by itrade paper");
  if (!text) return text.error();
  const json doc = json::parse(*text, nullptr, false);
  const execution::StateReader reader(file.string());
  if (doc.is_discarded() || !doc.is_object() || doc.value("format", json()) != "itrade-paper-run") {
    return reader.error("not a paper run record written by itrade paper; record the run again");
  }
  PaperRun run;
  std::optional<core::Error> error;
  if ((error = reader.read_string(doc, "", "id", run.id)) ||
      (error = reader.read_string(doc, "", "created_utc", run.created_utc)) ||
      (error = reader.read_string(doc, "", "model_dir", run.model_dir)) ||
      (error = reader.read_string(doc, "", "model_name", run.model_name)) ||
      (error = reader.read_string(doc, "", "data", run.data)) ||
      (error = reader.read_string(doc, "", "fingerprint", run.fingerprint)) ||
      (error = reader.read_bool(doc, "", "shadow", run.shadow)) ||
      (error = reader.read_number(doc, "", "initial_cash", run.initial_cash)) ||
      (error = reader.read_string(doc, "", "code_version", run.code_version))) {
    return *error;
  }
  auto tickers = reader.read_array(doc, "", "tickers");
  if (!tickers) return tickers.error();
  for (std::size_t k = 0; k < (*tickers)->size(); ++k) {
    const json& t = (**tickers)[k];
    if (!t.is_string()) return reader.error(fmt::format("tickers[{}]", k), "expected a string");
    run.tickers.push_back(t.get<std::string>());
  }
  auto days = reader.read_array(doc, "", "days");
  if (!days) return days.error();
  auto parsed = days_from_json(**days, file.string());
  if (!parsed) return parsed.error();
  run.days = std::move(*parsed);
  return run;
}

PaperRunList list_paper_runs(const fs::path& runs_dir) {
  PaperRunList out;
  std::error_code ec;
  std::vector<std::string> ids;
  for (const auto& entry : fs::directory_iterator(runs_dir, ec)) {
    if (entry.is_directory(ec) && fs::exists(entry.path() / "paper.json", ec)) {
      ids.push_back(entry.path().filename().string());
    }
  }
  std::sort(ids.begin(), ids.end());  // ids start with their UTC time: oldest first
  for (const std::string& id : ids) {
    auto run = read_paper_run(runs_dir, id);
    if (run) {
      out.runs.push_back(std::move(*run));
    } else {
      out.unreadable.push_back(run.error());
    }
  }
  return out;
}

std::optional<bool> promotion_decision(const fs::path& runs_dir, const std::string& id) {
  std::ifstream in(runs_dir / id / "promotion.json");
  if (!in) return std::nullopt;
  const json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("promoted") || !doc["promoted"].is_boolean()) {
    return std::nullopt;
  }
  return doc["promoted"].get<bool>();
}

}  // namespace itrade::evaluation

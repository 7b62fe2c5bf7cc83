#pragma once
// The record of a paper account (docs/execution.md, "Paper runs"): written by `itrade paper` into
// runs/<id>/ when it ends, read by `itrade promote <id>`. The directory holds
//   paper.json      the account: model, tickers, data and its fingerprint, and every trading day's
//                   figures (DayFigures), from the account's first day (a resumed account keeps
//                   the days of its earlier runs in its state file)
//   backtest.yaml   copies of the configuration the account traded with, so that the backtest it
//   risk.yaml       is compared with uses the same policy, costs, limits and features even when
//   features.yaml   the project's files have changed since

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "evaluation/promotion.h"

namespace itrade::evaluation {

struct PaperRun {
  std::string id;           // the run directory's name
  std::string created_utc;  // ISO-8601
  std::string model_dir;    // absolute
  std::string model_name;
  std::vector<std::string> tickers;
  std::string data;         // the replayed directory (absolute); empty: the default data directory
  std::string fingerprint;  // data_fingerprint of the replayed bars up to the last day
  bool shadow = false;      // nothing was sent: no fills to compare
  double initial_cash = 0.0;
  std::string code_version;
  std::vector<DayFigures> days;  // ascending
};

// The configuration files copied into a paper run's directory, by the name they get there.
inline constexpr const char* kPaperBacktestConfig = "backtest.yaml";
inline constexpr const char* kPaperRiskConfig = "risk.yaml";
inline constexpr const char* kPaperFeatureConfig = "features.yaml";

struct PaperConfigFiles {
  std::filesystem::path backtest;
  std::filesystem::path risk;
  std::filesystem::path features;
};

// Writes runs_dir/<run.id>/ atomically (complete or absent); the id must be new.
core::Status write_paper_run(const std::filesystem::path& runs_dir, const PaperRun& run,
                             const PaperConfigFiles& configs);

// Reads runs_dir/<id>/paper.json. Input error naming the file when it is missing (saying whether
// <id> is a research run instead), damaged or of another shape.
core::Result<PaperRun> read_paper_run(const std::filesystem::path& runs_dir, const std::string& id);

// Every paper run under runs_dir (directories holding a paper.json), by id. A record that cannot be
// read is not skipped silently: it is returned in `unreadable` with its error.
struct PaperRunList {
  std::vector<PaperRun> runs;
  std::vector<core::Error> unreadable;
};
PaperRunList list_paper_runs(const std::filesystem::path& runs_dir);

// The decision itrade promote recorded for a paper run: true promoted, false refused, nullopt when
// it was never asked (or its promotion.json cannot be read).
std::optional<bool> promotion_decision(const std::filesystem::path& runs_dir, const std::string& id);

// The JSON form of trading days, as paper.json and the paper state file keep them; `what` names
// the document in errors.
nlohmann::json day_to_json(const DayFigures& day);
nlohmann::json days_to_json(const std::vector<DayFigures>& days);
core::Result<std::vector<DayFigures>> days_from_json(const nlohmann::json& days, const std::string& what);

}  // namespace itrade::evaluation

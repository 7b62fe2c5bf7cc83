#pragma once
// The record of every experiment (docs/experiments.md, "Runs"): a directory per run under runs/
// and one row per run in runs/registry.sqlite. The registry is what makes the summary honest about
// trials: every run on the same data counts, and the Deflated Sharpe Ratio is computed against the
// Sharpe ratios of all of them.

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace itrade::evaluation {

struct RunRecord {
  std::string id;           // the run directory's name
  std::string name;         // the experiment's name
  std::string created_utc;  // ISO-8601
  std::string model;
  std::string target;
  std::string tickers;       // comma-separated
  std::string first_day;     // of the evaluated data, YYYY-MM-DD
  std::string last_day;
  std::string fingerprint;   // of the bars evaluated (data_fingerprint)
  std::string code_version;
  int features = 0;
  int trades = 0;
  double total_return = 0.0;
  double sharpe = 0.0;        // annualised
  double daily_sharpe = 0.0;  // not annualised: what the Deflated Sharpe Ratio compares
  double sortino = 0.0;
  double max_drawdown = 0.0;
  double win_rate = 0.0;
  double profit_factor = 0.0;
  double deflated_sharpe = 0.0;
  int trials = 0;             // runs on the same data, this one included
  std::string config_json;    // the resolved configuration
};

class RunStore {
 public:
  // Opens (creating when missing) `dir` and dir/registry.sqlite. Runtime error when either cannot
  // be created or the database is damaged, naming the path.
  static core::Result<RunStore> open(const std::filesystem::path& dir);

  RunStore(RunStore&&) noexcept = default;
  RunStore& operator=(RunStore&&) noexcept = default;

  const std::filesystem::path& dir() const { return dir_; }

  // A new run id: UTC time to the second plus a short suffix that makes it unique in the store.
  std::string new_id(std::string_view label) const;

  core::Status insert(const RunRecord& record);
  // Every run, oldest first.
  core::Result<std::vector<RunRecord>> list() const;
  // Input error with the nearest ids when there is no such run.
  core::Result<RunRecord> find(std::string_view id) const;
  // The daily Sharpe ratios of the recorded runs on data with this fingerprint.
  core::Result<std::vector<double>> trial_sharpes(std::string_view fingerprint) const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
  };
  RunStore(std::filesystem::path dir, sqlite3* db) : dir_(std::move(dir)), db_(db) {}

  std::filesystem::path dir_;
  std::unique_ptr<sqlite3, Closer> db_;
};

}  // namespace itrade::evaluation

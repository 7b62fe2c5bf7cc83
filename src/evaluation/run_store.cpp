#include "evaluation/run_store.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/strings.h"
#include "core/time.h"

namespace itrade::evaluation {
namespace {

namespace fs = std::filesystem;

// Columns in the order of RunRecord; text columns first, then integers, then reals.
const char* const kSchema = R"(
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, name TEXT, created_utc TEXT, model TEXT, target TEXT, tickers TEXT,
  first_day TEXT, last_day TEXT, fingerprint TEXT, code_version TEXT,
  features INTEGER, trades INTEGER, trials INTEGER,
  total_return REAL, sharpe REAL, daily_sharpe REAL, sortino REAL, max_drawdown REAL,
  win_rate REAL, profit_factor REAL, deflated_sharpe REAL,
  config_json TEXT);
CREATE INDEX IF NOT EXISTS runs_by_fingerprint ON runs(fingerprint);
)";

const char* const kColumns =
    "id, name, created_utc, model, target, tickers, first_day, last_day, fingerprint, code_version, features, trades, "
    "trials, total_return, sharpe, daily_sharpe, sortino, max_drawdown, win_rate, profit_factor, deflated_sharpe, "
    "config_json";

struct Finalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, Finalizer>;

core::Error db_error(sqlite3* db, const fs::path& dir, const char* doing) {
  return core::runtime_error("{}: {}: {}; check the file or move it away", (dir / "registry.sqlite").string(), doing,
                             sqlite3_errmsg(db));
}

// NaN is stored as NULL (SQLite has no NaN) and read back as NaN.
void bind_real(sqlite3_stmt* s, int at, double value) {
  if (std::isnan(value)) {
    sqlite3_bind_null(s, at);
  } else {
    sqlite3_bind_double(s, at, value);
  }
}

double column_real(sqlite3_stmt* s, int at) {
  return sqlite3_column_type(s, at) == SQLITE_NULL ? std::numeric_limits<double>::quiet_NaN()
                                                   : sqlite3_column_double(s, at);
}

std::string column_text(sqlite3_stmt* s, int at) {
  const auto* text = sqlite3_column_text(s, at);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

RunRecord read_record(sqlite3_stmt* s) {
  RunRecord r;
  std::string* texts[] = {&r.id,      &r.name,      &r.created_utc, &r.model,       &r.target,
                          &r.tickers, &r.first_day, &r.last_day,    &r.fingerprint, &r.code_version};
  int at = 0;
  for (std::string* text : texts) *text = column_text(s, at++);
  r.features = sqlite3_column_int(s, at++);
  r.trades = sqlite3_column_int(s, at++);
  r.trials = sqlite3_column_int(s, at++);
  double* reals[] = {&r.total_return, &r.sharpe,   &r.daily_sharpe,  &r.sortino,
                     &r.max_drawdown, &r.win_rate, &r.profit_factor, &r.deflated_sharpe};
  for (double* real : reals) *real = column_real(s, at++);
  r.config_json = column_text(s, at);
  return r;
}

}  // namespace

core::Result<RunStore> RunStore::open(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::runtime_error("cannot create the runs directory {}: {}", dir.string(), ec.message());
  sqlite3* raw = nullptr;
  const fs::path file = dir / "registry.sqlite";
  if (sqlite3_open(file.c_str(), &raw) != SQLITE_OK) {
    core::Error error = db_error(raw, dir, "cannot open");
    sqlite3_close(raw);
    return error;
  }
  RunStore store(dir, raw);
  sqlite3_busy_timeout(raw, 5000);  // two runs finishing at once wait for each other
  char* message = nullptr;
  if (sqlite3_exec(raw, kSchema, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message == nullptr ? "unknown error" : message;
    sqlite3_free(message);
    return core::runtime_error("{}: cannot create the runs table: {}; check the file or move it away", file.string(),
                               text);
  }
  return store;
}

std::string RunStore::new_id(std::string_view label) const {
  const std::string base = fmt::format("{}-{}", core::format_utc_compact(core::now_to_the_second()), label);
  std::string id = base;
  std::error_code ec;
  for (int n = 2; fs::exists(dir_ / id, ec) || find(id).ok(); ++n) id = fmt::format("{}-{}", base, n);
  return id;
}

core::Status RunStore::insert(const RunRecord& r) {
  const std::string sql =
      fmt::format("INSERT INTO runs ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", kColumns);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return db_error(db_.get(), dir_, "cannot prepare the insert");
  }
  Statement s(raw);
  int at = 1;
  for (const std::string* text : {&r.id, &r.name, &r.created_utc, &r.model, &r.target, &r.tickers, &r.first_day,
                                  &r.last_day, &r.fingerprint, &r.code_version}) {
    sqlite3_bind_text(s.get(), at++, text->c_str(), -1, SQLITE_TRANSIENT);
  }
  for (int value : {r.features, r.trades, r.trials}) sqlite3_bind_int(s.get(), at++, value);
  for (double value : {r.total_return, r.sharpe, r.daily_sharpe, r.sortino, r.max_drawdown, r.win_rate, r.profit_factor,
                       r.deflated_sharpe}) {
    bind_real(s.get(), at++, value);
  }
  sqlite3_bind_text(s.get(), at, r.config_json.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) != SQLITE_DONE) return db_error(db_.get(), dir_, "cannot record the run");
  return {};
}

core::Result<std::vector<RunRecord>> RunStore::list() const {
  const std::string sql = fmt::format("SELECT {} FROM runs ORDER BY created_utc, id", kColumns);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return db_error(db_.get(), dir_, "cannot read the runs");
  }
  Statement s(raw);
  std::vector<RunRecord> records;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(s.get())) == SQLITE_ROW) records.push_back(read_record(s.get()));
  if (step != SQLITE_DONE) return db_error(db_.get(), dir_, "cannot read the runs");
  return records;
}

core::Result<RunRecord> RunStore::find(std::string_view id) const {
  auto records = list();
  if (!records) return records.error();
  std::vector<std::string> ids;
  for (const RunRecord& r : *records) {
    if (r.id == id) return r;
    ids.push_back(r.id);
  }
  const auto near = core::nearest_names(id, ids);
  return core::input_error(
      "no run '{}' in {}; {}", id, (dir_ / "registry.sqlite").string(),
      near.empty() ? "itrade runs list shows the runs" : fmt::format("did you mean {}?", core::join(near, " or ")));
}

core::Result<std::vector<double>> RunStore::trial_sharpes(std::string_view fingerprint) const {
  auto records = list();
  if (!records) return records.error();
  std::vector<double> sharpes;
  for (const RunRecord& r : *records) {
    if (r.fingerprint == fingerprint) sharpes.push_back(r.daily_sharpe);
  }
  return sharpes;
}

}  // namespace itrade::evaluation

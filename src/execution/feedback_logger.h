#pragma once
// FeedbackLogger: everything paper and live trading saw and did, as JSON lines, one file per New
// York trading day (docs/execution.md, "Feedback logger"). The files are the input of later
// analysis: did live predictions match research, which risk limits bit, how orders fared.
//
// Layout: <dir>/<YYYY-MM-DD>.jsonl, the date being the New York calendar date of the record's
// time (core::NyseCalendar::new_york_day: 22:00 New York on 2024-11-19 is 03:00 UTC on the 20th
// and goes to 2024-11-19.jsonl). One JSON object per line, "\n"-terminated, keys in a fixed
// order: "type", "ts" (UTC text, core::format_utc), then the record's own keys.
//
// Crash safety. The log_* calls only buffer; flush() appends the buffer to the day files, fsyncs
// them and returns a LogPosition (each day file's size after the flush). The engine flushes at the
// end of every event batch, before it writes its state snapshot, and stores the position in the
// snapshot. After a crash it calls resume() with that position, which cuts every day file back to
// its recorded size and deletes the day files created after the snapshot; replaying the events
// after the snapshot then writes the same records again, so the log ends byte for byte as if no
// crash had happened: no record lost, none doubled.
//
// Records not flushed are lost when the logger is destroyed: call flush() before the end.
//
// Errors are core::Result values, never exceptions: I/O errors are runtime errors naming the file
// and the errno text; malformed files and arguments are input errors. One logger per directory
// (flush() refuses a day file that someone else changed). Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "execution/order.h"
#include "execution/order_manager.h"
#include "execution/risk_manager.h"
#include "models/signal_model.h"

namespace itrade::execution {

// How far the log had been written when a state snapshot was taken: the size in bytes of every
// day file the logger has written (since open(), and those carried over by resume()), plus the
// newest day file that already existed when open() was called, so that "newer than the
// position" is defined even before the first record.
//
//   {"format": "itrade-feedback-log-position", "version": 1,
//    "files": [{"day": "2024-11-19", "bytes": 1834}, {"day": "2024-11-20", "bytes": 912}]}
struct LogPosition {
  std::map<core::DayNumber, std::uint64_t> files;  // New York day -> file size in bytes

  nlohmann::json to_json() const;
  // Input error naming the key (e.g. "files[1].bytes") for a malformed document, a wrong format or
  // version, and a day listed twice.
  static core::Result<LogPosition> from_json(const nlohmann::json& document);

  friend bool operator==(const LogPosition&, const LogPosition&) = default;
};

class FeedbackLogger {
 public:
  // Opens `dir` for appending, creating it (and its parents) when missing. Runtime error naming
  // the path when it cannot be created or is not a writable directory.
  static core::Result<FeedbackLogger> open(const std::filesystem::path& dir);

  // Opens `dir` for appending after a restart from a snapshot that stored `position`:
  //   - every day file in the position is cut back to its recorded size (what it holds beyond
  //     that was written after the snapshot and will be written again by the replay);
  //   - every day file newer than the position's newest day is deleted (created after it).
  // A day file that is shorter than its recorded size (or missing) means the log was damaged
  // after the snapshot: runtime error naming the file, and nothing is changed; it is not
  // "repaired". Day files older than the position's newest day that it does not list are left
  // alone: they belong to earlier sessions.
  static core::Result<FeedbackLogger> resume(const std::filesystem::path& dir, const LogPosition& position);

  // Every record of one day file, in file order. Input errors naming file:line for a line that
  // is not a JSON object and for a last line without its "\n" (the writer stopped mid-line); a
  // missing day file is an input error naming it. Read failures are runtime errors.
  static core::Result<std::vector<nlohmann::json>> read_day(const std::filesystem::path& dir, core::DayNumber day);

  // <dir>/<YYYY-MM-DD>.jsonl
  static std::filesystem::path day_file(const std::filesystem::path& dir, core::DayNumber day);

  FeedbackLogger(FeedbackLogger&&) = default;
  FeedbackLogger& operator=(FeedbackLogger&&) = default;
  FeedbackLogger(const FeedbackLogger&) = delete;
  FeedbackLogger& operator=(const FeedbackLogger&) = delete;

  // The typed records, one line each. Keys after "type" and "ts", in this order:
  //   prediction     ticker, signal, confidence
  //   features       ticker, features (an object name -> value in the given order; NaN as null)
  //   risk_decision  client_order_id, ticker, side, verdict, limit, reason, requested, approved
  //                  (ts = the request's decision time; quantities in shares)
  //   order          client_order_id, broker_order_id, ticker, side, order_type, limit_price, status,
  //                  quantity, filled_quantity, remaining_quantity, average_fill_price,
  //                  total_commission, reason (ts = the order's last_update_ts)
  //   fill           client_order_id, exec_id, ticker, side, quantity, price, commission
  //   trip           limit, equity, threshold
  // Non-finite numbers are written as null (JSON has no NaN).
  void log_prediction(std::string_view ticker, core::Timestamp ts, const models::SignalOutput& output);
  // Input error (nothing logged) when names and values differ in length, or a name is empty or
  // repeated.
  core::Status log_features(std::string_view ticker, core::Timestamp ts, std::span<const std::string> names,
                            std::span<const double> values);
  void log_risk_decision(const OrderRequest& request, const RiskDecision& decision);
  void log_order(const Order& order);
  void log_fill(const Fill& fill);
  void log_trip(const Trip& trip);

  // Any other record: {"type": type, "ts": ..., then data's keys (sorted, as nlohmann::json keeps
  // them)}. `data` must be an object or null (no keys). Input error (nothing logged) for an empty
  // type, another kind of `data`, or a key "type" or "ts" in it.
  core::Status log(std::string_view type, core::Timestamp ts, nlohmann::json data);

  // Appends the buffered records to their day files (in day order), fsyncs each file written
  // (and the directory when a file was created) and returns the position. On a write error the
  // failing file is cut back to its size before the write (no half line stays) and its records
  // and those of later days stay buffered, so that flush() can be retried; the runtime error names
  // the file. A failed fsync is reported the same way, but its records count as written. Do not
  // write a snapshot after a failed flush.
  core::Result<LogPosition> flush();

  const std::filesystem::path& directory() const { return dir_; }
  // Records logged but not yet flushed.
  std::size_t buffered_records() const { return buffered_records_; }

 private:
  explicit FeedbackLogger(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Queues one finished line ("{...}\n") for the day of `ts`.
  void append(core::Timestamp ts, std::string line);

  struct Pending {
    std::string lines;  // finished lines, each ending in "\n"
    std::size_t records = 0;
  };

  std::filesystem::path dir_;
  std::map<core::DayNumber, Pending> buffer_;  // day -> records not yet written
  std::size_t buffered_records_ = 0;
  std::map<core::DayNumber, std::uint64_t> sizes_;  // day -> size after the last flush (the position)
};

}  // namespace itrade::execution

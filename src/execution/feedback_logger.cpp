#include "execution/feedback_logger.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <optional>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "core/file_descriptor.h"
#include "core/nyse_calendar.h"

namespace itrade::execution {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

namespace {

constexpr const char* kPositionFormat = "itrade-feedback-log-position";
constexpr int kPositionVersion = 1;
constexpr std::string_view kSuffix = ".jsonl";

// One record as its line. Invalid UTF-8 in a string (a broker's reason text) is replaced rather
// than thrown about: a log line is never worth an exception.
std::string to_line(const ordered_json& record) {
  std::string line = record.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  line += '\n';
  return line;
}

ordered_json header(std::string_view type, core::Timestamp ts) {
  ordered_json record = ordered_json::object();
  record["type"] = type;
  record["ts"] = core::format_utc(ts);
  return record;
}

// JSON has no NaN or infinity: null instead (nlohmann would print null too, but this says so).
ordered_json number(double value) { return std::isfinite(value) ? ordered_json(value) : ordered_json(nullptr); }

// The day of a file named "YYYY-MM-DD.jsonl" (in exactly that spelling), or nullopt.
std::optional<core::DayNumber> day_of_file_name(const std::string& name) {
  if (name.size() != 10 + kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  const std::string date = name.substr(0, 10);
  auto day = core::parse_date(date);
  if (!day || core::format_date(*day) != date) return std::nullopt;
  return *day;
}

core::Error io_error(const fs::path& path, std::string_view step, int error) {
  return core::runtime_error("feedback log file {}: {} failed: {}", path.string(), step, core::errno_text(error));
}

// Creates `dir` when missing and checks that the logger can create files in it.
core::Status prepare_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::runtime_error("cannot create the feedback log directory {}: {}", dir.string(), ec.message());
  if (!fs::is_directory(dir, ec)) {
    return core::runtime_error("the feedback log directory {} is not a directory", dir.string());
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    const int error = errno;
    return core::runtime_error("the feedback log directory {} is not writable: {}", dir.string(),
                               core::errno_text(error));
  }
  return {};
}

// The day files in `dir`, by day. Other entries are ignored.
core::Result<std::map<core::DayNumber, fs::path>> list_day_files(const fs::path& dir) {
  std::map<core::DayNumber, fs::path> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  const fs::directory_iterator end;
  for (; !ec && it != end; it.increment(ec)) {
    if (auto day = day_of_file_name(it->path().filename().string())) files.emplace(*day, it->path());
  }
  if (ec) return core::runtime_error("cannot list the feedback log directory {}: {}", dir.string(), ec.message());
  return files;
}

// Makes created and deleted directory entries durable.
core::Status sync_directory(const fs::path& dir) {
  core::FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    const int error = errno;
    return core::runtime_error("feedback log directory {}: fsync failed: {}", dir.string(), core::errno_text(error));
  }
  return {};
}

core::Error damaged(const fs::path& path, std::string_view what, std::uint64_t recorded) {
  return core::runtime_error(
      "feedback log file {} {}, but the state snapshot recorded {} bytes: the log was damaged after the "
      "snapshot. It is not repaired; restore the file from a backup, or resume with a new log directory",
      path.string(), what, recorded);
}

// --- LogPosition::from_json helpers: each names the key path it reads ---

core::Result<const json*> member(const json& object, const std::string& path, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) return core::input_error("feedback log position: missing key '{}{}'", path, key);
  return &*it;
}

}  // namespace

// --- LogPosition ---

json LogPosition::to_json() const {
  json list = json::array();
  for (const auto& [day, bytes] : files) list.push_back({{"day", core::format_date(day)}, {"bytes", bytes}});
  return {{"format", kPositionFormat}, {"version", kPositionVersion}, {"files", std::move(list)}};
}

core::Result<LogPosition> LogPosition::from_json(const json& document) {
  if (!document.is_object()) return core::input_error("feedback log position: the document must be a JSON object");
  auto format = member(document, "", "format");
  if (!format) return format.error();
  if (!(*format)->is_string() || (*format)->get<std::string>() != kPositionFormat) {
    return core::input_error("feedback log position: key 'format' must be \"{}\"", kPositionFormat);
  }
  auto version = member(document, "", "version");
  if (!version) return version.error();
  if (!(*version)->is_number_integer() || (*version)->get<std::int64_t>() != kPositionVersion) {
    return core::input_error("feedback log position: key 'version' must be {} (this build reads version {})",
                             kPositionVersion, kPositionVersion);
  }
  auto files = member(document, "", "files");
  if (!files) return files.error();
  if (!(*files)->is_array()) return core::input_error("feedback log position: key 'files' must be an array");

  LogPosition position;
  for (std::size_t i = 0; i < (*files)->size(); ++i) {
    const json& entry = (**files)[i];
    const std::string path = fmt::format("files[{}].", i);
    if (!entry.is_object()) return core::input_error("feedback log position: key 'files[{}]' must be an object", i);
    auto day_text = member(entry, path, "day");
    if (!day_text) return day_text.error();
    std::optional<core::DayNumber> day;
    if ((*day_text)->is_string()) {
      const auto text = (*day_text)->get<std::string>();
      auto parsed = core::parse_date(text);
      if (parsed && core::format_date(*parsed) == text) day = *parsed;
    }
    if (!day) return core::input_error("feedback log position: key '{}day' must be a date \"YYYY-MM-DD\"", path);
    auto bytes = member(entry, path, "bytes");
    if (!bytes) return bytes.error();
    if (!(*bytes)->is_number_unsigned()) {
      return core::input_error("feedback log position: key '{}bytes' must be an integer >= 0", path);
    }
    if (!position.files.emplace(*day, (*bytes)->get<std::uint64_t>()).second) {
      return core::input_error("feedback log position: key '{}day': {} is listed twice", path, core::format_date(*day));
    }
  }
  return position;
}

// --- FeedbackLogger: opening ---

fs::path FeedbackLogger::day_file(const fs::path& dir, core::DayNumber day) {
  return dir / (core::format_date(day) + std::string(kSuffix));
}

core::Result<FeedbackLogger> FeedbackLogger::open(const fs::path& dir) {
  if (auto status = prepare_directory(dir); !status) return status.error();
  auto existing = list_day_files(dir);
  if (!existing) return existing.error();
  FeedbackLogger logger(dir);
  // The newest existing file goes into the position, so that a resume() knows which files are
  // newer than the snapshot even when nothing was logged before it.
  if (!existing->empty()) {
    const auto& [day, path] = *existing->rbegin();
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return core::runtime_error("feedback log file {}: cannot read its size: {}", path.string(), ec.message());
    logger.sizes_[day] = size;
  }
  return logger;
}

core::Result<FeedbackLogger> FeedbackLogger::resume(const fs::path& dir, const LogPosition& position) {
  if (auto status = prepare_directory(dir); !status) return status.error();
  auto existing = list_day_files(dir);
  if (!existing) return existing.error();

  // Check everything before changing anything: a damaged log is left exactly as found.
  for (const auto& [day, bytes] : position.files) {
    const fs::path path = day_file(dir, day);
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec == std::errc::no_such_file_or_directory) {
      if (bytes == 0) continue;
      return damaged(path, "is missing", bytes);
    }
    if (ec) return core::runtime_error("feedback log file {}: cannot read its size: {}", path.string(), ec.message());
    if (size < bytes) return damaged(path, fmt::format("is {} bytes", size), bytes);
  }

  // Day files newer than the position were created after the snapshot: the replay recreates them.
  bool removed = false;
  const auto newest = position.files.empty() ? std::nullopt : std::optional(position.files.rbegin()->first);
  for (const auto& [day, path] : *existing) {
    if (position.files.contains(day) || (newest && day <= *newest)) continue;
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) return core::runtime_error("feedback log file {}: cannot delete it: {}", path.string(), ec.message());
    removed = true;
  }
  if (removed) {
    if (auto status = sync_directory(dir); !status) return status.error();
  }

  // What a file holds beyond its recorded size was written after the snapshot: the replay writes it again.
  for (const auto& [day, bytes] : position.files) {
    const fs::path path = day_file(dir, day);
    if (!existing->contains(day)) continue;  // missing with 0 bytes recorded (checked above)
    core::FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.get() < 0) return io_error(path, "open", errno);
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return io_error(path, "fstat", errno);
    if (static_cast<std::uint64_t>(info.st_size) == bytes) continue;
    if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0) return io_error(path, "ftruncate", errno);
    if (::fsync(fd.get()) != 0) return io_error(path, "fsync", errno);
    if (fd.close() != 0) return io_error(path, "close", errno);
  }

  FeedbackLogger logger(dir);
  logger.sizes_ = position.files;
  return logger;
}

// --- FeedbackLogger: records ---

void FeedbackLogger::append(core::Timestamp ts, std::string line) {
  Pending& pending = buffer_[core::NyseCalendar::instance().new_york_day(ts)];
  pending.lines += line;
  ++pending.records;
  ++buffered_records_;
}

void FeedbackLogger::log_prediction(std::string_view ticker, core::Timestamp ts, const models::SignalOutput& output) {
  ordered_json record = header("prediction", ts);
  record["ticker"] = ticker;
  record["signal"] = number(output.signal);
  record["confidence"] = number(output.confidence);
  append(ts, to_line(record));
}

core::Status FeedbackLogger::log_features(std::string_view ticker, core::Timestamp ts,
                                          std::span<const std::string> names, std::span<const double> values) {
  if (names.size() != values.size()) {
    return core::input_error("feedback log: {} feature names but {} values for {} at {}", names.size(), values.size(),
                             ticker, core::format_utc(ts));
  }
  std::unordered_set<std::string_view> seen;
  for (const auto& name : names) {
    if (name.empty()) return core::input_error("feedback log: an empty feature name for {}", ticker);
    if (!seen.insert(name).second) {
      return core::input_error("feedback log: feature '{}' is named twice for {}", name, ticker);
    }
  }
  ordered_json features = ordered_json::object();
  for (std::size_t i = 0; i < names.size(); ++i) features[names[i]] = number(values[i]);
  ordered_json record = header("features", ts);
  record["ticker"] = ticker;
  record["features"] = std::move(features);
  append(ts, to_line(record));
  return {};
}

void FeedbackLogger::log_risk_decision(const OrderRequest& request, const RiskDecision& decision) {
  ordered_json record = header("risk_decision", request.ts);
  record["client_order_id"] = request.client_order_id;
  record["ticker"] = request.ticker;
  record["side"] = side_name(request.side);
  record["verdict"] = verdict_name(decision.verdict);
  record["limit"] = limit_name(decision.limit);
  record["reason"] = decision.reason;
  record["requested"] = number(decision.requested_quantity);
  record["approved"] = number(decision.approved_quantity);
  append(request.ts, to_line(record));
}

void FeedbackLogger::log_order(const Order& order) {
  const OrderRequest& request = order.request;
  ordered_json record = header("order", order.last_update_ts);
  record["client_order_id"] = request.client_order_id;
  record["broker_order_id"] = order.broker_order_id;
  record["ticker"] = request.ticker;
  record["side"] = side_name(request.side);
  record["order_type"] = order_type_name(request.type);
  record["limit_price"] = number(request.limit_price);
  record["status"] = status_name(order.status);
  record["quantity"] = number(request.quantity);
  record["filled_quantity"] = number(order.filled_quantity);
  record["remaining_quantity"] = number(order.remaining_quantity());
  record["average_fill_price"] = number(order.average_fill_price);
  record["total_commission"] = number(order.total_commission);
  record["reason"] = order.reason;
  append(order.last_update_ts, to_line(record));
}

void FeedbackLogger::log_fill(const Fill& fill) {
  ordered_json record = header("fill", fill.ts);
  record["client_order_id"] = fill.client_order_id;
  record["exec_id"] = fill.exec_id;
  record["ticker"] = fill.ticker;
  record["side"] = side_name(fill.side);
  record["quantity"] = number(fill.quantity);
  record["price"] = number(fill.price);
  record["commission"] = number(fill.commission);
  append(fill.ts, to_line(record));
}

void FeedbackLogger::log_trip(const Trip& trip) {
  ordered_json record = header("trip", trip.ts);
  record["limit"] = limit_name(trip.limit);
  record["equity"] = number(trip.equity);
  record["threshold"] = number(trip.threshold);
  append(trip.ts, to_line(record));
}

core::Status FeedbackLogger::log(std::string_view type, core::Timestamp ts, json data) {
  if (type.empty()) return core::input_error("feedback log: a record needs a type");
  if (!data.is_null() && !data.is_object()) {
    return core::input_error("feedback log: the data of a '{}' record must be a JSON object, not {}", type,
                             data.type_name());
  }
  if (data.is_object() && (data.contains("type") || data.contains("ts"))) {
    return core::input_error("feedback log: the data of a '{}' record must not have the keys \"type\" or \"ts\"", type);
  }
  ordered_json record = header(type, ts);
  if (data.is_object()) {
    for (auto& [key, value] : data.items()) record[key] = ordered_json(value);
  }
  append(ts, to_line(record));
  return {};
}

// --- FeedbackLogger: writing ---

core::Result<LogPosition> FeedbackLogger::flush() {
  bool new_file = false;
  while (!buffer_.empty()) {
    const auto it = buffer_.begin();
    const core::DayNumber day = it->first;
    const std::string& lines = it->second.lines;
    const fs::path path = day_file(dir_, day);

    core::FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (fd.get() < 0) return io_error(path, "open", errno);
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return io_error(path, "fstat", errno);
    const auto before = static_cast<std::uint64_t>(info.st_size);
    const auto known = sizes_.find(day);
    if (known == sizes_.end()) {
      new_file = true;  // perhaps created just now: sync the directory entry too
    } else if (known->second != before) {
      // The position would no longer describe the file: refuse rather than record a lie.
      return core::runtime_error(
          "feedback log file {} is {} bytes, but this logger left it at {} bytes: something else changed it "
          "(another logger on the same directory?)",
          path.string(), before, known->second);
    }

    std::size_t written = 0;
    while (written < lines.size()) {
      const ::ssize_t n = ::write(fd.get(), lines.data() + written, lines.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int error = errno;
        // No half line may stay behind; the records stay buffered for a retry.
        if (::ftruncate(fd.get(), static_cast<off_t>(before)) != 0) {
          return core::runtime_error(
              "feedback log file {}: write failed: {}; cutting it back to {} bytes failed too: {}", path.string(),
              core::errno_text(error), before, core::errno_text(errno));
        }
        return io_error(path, "write", error);
      }
      written += static_cast<std::size_t>(n);
    }

    // Written: from here on the records are in the file, whatever fsync says.
    sizes_[day] = before + lines.size();
    buffered_records_ -= it->second.records;
    buffer_.erase(it);
    if (::fsync(fd.get()) != 0) return io_error(path, "fsync", errno);
    if (fd.close() != 0) return io_error(path, "close", errno);
  }
  if (new_file) {
    if (auto status = sync_directory(dir_); !status) return status.error();
  }
  return LogPosition{sizes_};
}

// --- Reading ---

core::Result<std::vector<json>> FeedbackLogger::read_day(const fs::path& dir, core::DayNumber day) {
  const fs::path path = day_file(dir, day);
  core::FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return core::input_error("feedback log file {} does not exist (nothing was logged on {}?)", path.string(),
                               core::format_date(day));
    }
    return io_error(path, "open", error);
  }
  std::string text;
  char chunk[1 << 16];
  for (;;) {
    const ::ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "read", errno);
    }
    if (n == 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }

  std::vector<json> records;
  std::size_t begin = 0;
  for (std::size_t line_number = 1; begin < text.size(); ++line_number) {
    const std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      return core::input_error(
          "{}:{}: the last line has no newline: the writer stopped in the middle of it (resume from the "
          "last snapshot cuts it off)",
          path.string(), line_number);
    }
    const std::string_view line(text.data() + begin, end - begin);
    json record;
    try {
      record = json::parse(line);
    } catch (const json::exception& e) {
      return core::input_error("{}:{}: not valid JSON: {}", path.string(), line_number, e.what());
    }
    if (!record.is_object()) {
      return core::input_error("{}:{}: a record must be a JSON object, not {}", path.string(), line_number,
                               record.type_name());
    }
    records.push_back(std::move(record));
    begin = end + 1;
  }
  return records;
}

}  // namespace itrade::execution

#include "data/csv_parser.h"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <unordered_map>

#include "core/strings.h"

namespace itrade::data {
namespace {

// Columns the parser knows; everything else in a header is ignored.
enum Role : int { kTs = 0, kOpen, kHigh, kLow, kClose, kVolume, kTicker, kRoleCount, kIgnored = -1 };

struct RoleInfo {
  const char* name;
  std::array<const char*, 8> aliases;  // lower case, nullptr-terminated
  bool required;
};

constexpr std::array<RoleInfo, kRoleCount> kRoles = {{
    {"timestamp", {"timestamp", "date", "datetime", "time", "ts", "date_time", "timestamp_utc", nullptr}, true},
    {"open", {"open", "o", nullptr}, true},
    {"high", {"high", "h", nullptr}, true},
    {"low", {"low", "l", nullptr}, true},
    {"close", {"close", "c", "last", nullptr}, true},
    {"volume", {"volume", "v", "vol", nullptr}, false},
    {"ticker", {"ticker", "symbol", "tic", nullptr}, false},
}};

using core::trim;

bool iequals(std::string_view a, const char* b) {
  const std::size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

int role_of(std::string_view name) {
  for (int role = 0; role < kRoleCount; ++role) {
    for (const char* alias : kRoles[role].aliases) {
      if (alias == nullptr) break;
      if (iequals(name, alias)) return role;
    }
  }
  return kIgnored;
}

std::string accepted_aliases() {
  std::string out;
  for (const auto& role : kRoles) {
    if (!out.empty()) out += "; ";
    out += role.name;
    out += role.required ? "" : " (optional)";
    out += ": ";
    bool first = true;
    for (const char* alias : role.aliases) {
      if (alias == nullptr) break;
      if (!first) out += '/';
      out += alias;
      first = false;
    }
  }
  return out;
}

// Splits one line (without its line end) into fields. Minimal quoting: a field that starts
// with '"' runs to the next '"', which must end the field; "" inside is kept verbatim.
// Returns false (with `problem` set) on an unterminated quote.
bool split_fields(std::string_view line, std::vector<std::string_view>& fields, const char*& problem) {
  fields.clear();
  std::size_t pos = 0;
  while (true) {
    if (pos < line.size() && line[pos] == '"') {
      std::size_t close = pos + 1;
      while (true) {
        close = line.find('"', close);
        if (close == std::string_view::npos) {
          problem = "unterminated quote";
          return false;
        }
        if (close + 1 < line.size() && line[close + 1] == '"') {
          close += 2;  // doubled quote inside the field
          continue;
        }
        break;
      }
      fields.push_back(line.substr(pos + 1, close - pos - 1));
      pos = close + 1;
      if (pos == line.size()) return true;
      if (line[pos] != ',') {
        problem = "text after a closing quote";
        return false;
      }
      ++pos;
      continue;
    }
    const void* comma = pos < line.size() ? std::memchr(line.data() + pos, ',', line.size() - pos) : nullptr;
    if (comma == nullptr) {
      fields.push_back(trim(line.substr(pos)));
      return true;
    }
    const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(comma) - line.data());
    fields.push_back(trim(line.substr(pos, end - pos)));
    pos = end + 1;
  }
}

// ---- timestamps ----------------------------------------------------------------------

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const unsigned d = static_cast<unsigned>(text[i] - '0');
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  value = v;
  return true;
}

constexpr int kMinYear = 1700;
constexpr int kMaxYear = 2200;

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

struct ParsedTime {
  std::int64_t ns = 0;  // UTC ns when `naive` is false, wall-clock ns otherwise
  bool naive = true;
};

// Why a timestamp did not parse; nullptr when it did.
const char* parse_timestamp(std::string_view text, ParsedTime& out) {
  if (text.empty()) return "empty timestamp";
  // Integer epoch: the unit follows from the magnitude (see docs/data.md).
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return "epoch timestamp out of range";
    std::int64_t scale = 1;
    if (value < 100'000'000'000LL) {
      scale = core::kNanosPerSecond;
    } else if (value < 100'000'000'000'000LL) {
      scale = 1'000'000;
    } else if (value < 100'000'000'000'000'000LL) {
      scale = 1'000;
    }
    if (value > std::numeric_limits<std::int64_t>::max() / scale) return "epoch timestamp out of range";
    out.ns = value * scale;
    out.naive = false;
    return nullptr;
  }
  int year = 0, month = 0, day = 0;
  std::size_t pos = 0;
  if (text.size() >= 10 && text[4] == '-') {
    if (!digits(text, 0, 4, year) || text[7] != '-' || !digits(text, 5, 2, month) || !digits(text, 8, 2, day)) {
      return "unparsable timestamp";
    }
    pos = 10;
  } else if (text.size() >= 9 && text[8] == ' ') {  // IBKR: YYYYMMDD HH:MM:SS
    if (!digits(text, 0, 4, year) || !digits(text, 4, 2, month) || !digits(text, 6, 2, day)) {
      return "unparsable timestamp";
    }
    pos = 8;
  } else {
    return "unparsable timestamp";
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return "invalid date";
  // int64 ns reach 1677-09-21 .. 2262-04-11; keep a margin for zone offsets.
  if (year < kMinYear || year > kMaxYear) return "year outside 1700..2200";
  std::int64_t ns = core::start_of_day(core::days_from_civil(year, month, day));
  if (pos == text.size()) {
    if (pos == 8) return "unparsable timestamp";  // "YYYYMMDD" alone reads as epoch; never here
    out.ns = ns;
    out.naive = true;
    return nullptr;
  }
  if (text[pos] != ' ' && text[pos] != 'T') return "unparsable timestamp";
  ++pos;
  int hour = 0, minute = 0, second = 0;
  if (!digits(text, pos, 2, hour) || pos + 2 >= text.size() || text[pos + 2] != ':' ||
      !digits(text, pos + 3, 2, minute)) {
    return "unparsable timestamp";
  }
  pos += 5;
  if (pos < text.size() && text[pos] == ':') {
    if (!digits(text, pos + 1, 2, second)) return "unparsable timestamp";
    pos += 3;
  }
  if (hour > 23 || minute > 59 || second > 59) return "invalid time of day";
  ns += hour * core::kNanosPerHour + minute * core::kNanosPerMinute + second * core::kNanosPerSecond;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t fraction = 0;
    std::int64_t scale = core::kNanosPerSecond;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 1) {  // digits past nanoseconds are dropped
        scale /= 10;
        fraction += (text[pos] - '0') * scale;
      }
      ++pos;
    }
    if (pos == start) return "unparsable timestamp";
    ns += fraction;
  }
  if (pos == text.size()) {
    out.ns = ns;
    out.naive = true;
    return nullptr;
  }
  if (text[pos] == 'Z' && pos + 1 == text.size()) {
    out.ns = ns;
    out.naive = false;
    return nullptr;
  }
  if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '+' ? 1 : -1;
    int offset_hours = 0, offset_minutes = 0;
    std::size_t p = pos + 1;
    if (!digits(text, p, 2, offset_hours)) return "unparsable UTC offset";
    p += 2;
    if (p < text.size() && text[p] == ':') ++p;
    if (p < text.size()) {
      if (!digits(text, p, 2, offset_minutes)) return "unparsable UTC offset";
      p += 2;
    }
    if (p != text.size() || offset_hours > 23 || offset_minutes > 59) return "unparsable UTC offset";
    out.ns = ns - sign * (offset_hours * core::kNanosPerHour + offset_minutes * core::kNanosPerMinute);
    out.naive = false;
    return nullptr;
  }
  return "unparsable timestamp";
}

// ---- rows ----------------------------------------------------------------------------

bool parse_double(std::string_view text, double& value) {
  if (text.empty()) return false;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (*begin == '+') ++begin;  // fast_float rejects a leading '+' by default
  const auto result = fast_float::from_chars(begin, end, value);
  return result.ec == std::errc() && result.ptr == end;
}

class Parser {
 public:
  Parser(std::string_view content, std::string_view file, const CsvOptions& options)
      : content_(content), options_(options), zone_(options.naive_timezone) {
    out_.file = std::string(file);
  }

  core::Result<ParsedCsv> run();

 private:
  // Next line without its line end; false at the end of the content.
  bool next_line(std::string_view& line) {
    if (pos_ >= content_.size()) return false;
    ++line_no_;
    const char* start = content_.data() + pos_;
    const void* newline = std::memchr(start, '\n', content_.size() - pos_);
    std::size_t length = newline == nullptr ? content_.size() - pos_
                                            : static_cast<std::size_t>(static_cast<const char*>(newline) - start);
    pos_ += length + 1;
    if (length > 0 && start[length - 1] == '\r') --length;
    line = std::string_view(start, length);
    return true;
  }

  void problem(std::size_t line, std::string message) {
    ++bad_rows_;
    if (out_.problems.size() < options_.max_reported_problems) {
      out_.problems.push_back(RowProblem{line, std::move(message)});
    }
  }

  core::Status setup_columns(std::string_view first_line, bool& first_is_data);
  void parse_row(std::string_view line);
  std::optional<std::uint16_t> find_ticker(std::string_view name);

  std::string_view content_;
  const CsvOptions& options_;
  core::TimeZone zone_;  // a copy: its cache is mutable
  ParsedCsv out_;
  std::size_t pos_ = 0;
  std::size_t line_no_ = 0;
  std::size_t bad_rows_ = 0;
  std::array<int, kRoleCount> column_{};  // column index of each role, -1 when absent
  std::size_t column_count_ = 0;
  bool headerless_ = false;
  std::vector<std::string_view> fields_;
  std::unordered_map<std::string_view, std::uint16_t> ticker_ids_;  // views into content_
  std::string_view last_ticker_;
  std::uint16_t last_ticker_id_ = 0;
  bool have_last_ticker_ = false;
  std::vector<core::Timestamp> last_ts_;  // last good ts of each ticker, for the ambiguity rule
};

core::Status Parser::setup_columns(std::string_view first_line, bool& first_is_data) {
  column_.fill(-1);
  const char* split_problem = nullptr;
  if (!split_fields(first_line, fields_, split_problem)) {
    return core::input_error("{}:{}: header: {}", out_.file, line_no_, split_problem);
  }
  bool any_alias = false;
  std::string duplicates;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const int role = role_of(fields_[i]);
    if (role == kIgnored) continue;
    any_alias = true;
    if (column_[role] >= 0) {
      duplicates += fmt::format("{}columns '{}' and '{}' both name the {}", duplicates.empty() ? "" : "; ",
                                fields_[column_[role]], fields_[i], kRoles[role].name);
      continue;
    }
    column_[role] = static_cast<int>(i);
  }
  if (any_alias) {
    first_is_data = false;
    column_count_ = fields_.size();
    std::string missing;
    for (int role = 0; role < kRoleCount; ++role) {
      if (kRoles[role].required && column_[role] < 0)
        missing += fmt::format("{}{}", missing.empty() ? "" : ", ", kRoles[role].name);
    }
    if (!missing.empty()) {
      return core::input_error("{}:{}: header lacks the column(s) {}; accepted names (any case): {}", out_.file,
                               line_no_, missing, accepted_aliases());
    }
    if (!duplicates.empty()) {
      return core::input_error("{}:{}: header: {}; keep one of them", out_.file, line_no_, duplicates);
    }
    return {};
  }
  // No known column name: headerless data if the first field is a timestamp.
  ParsedTime ignored;
  if (fields_.empty() || parse_timestamp(fields_[0], ignored) != nullptr) {
    return core::input_error(
        "{}:{}: neither a header nor data; the first line must name the columns ({}) or be a headerless row "
        "ts,open,high,low,close[,volume]",
        out_.file, line_no_, accepted_aliases());
  }
  if (fields_.size() < 5 || fields_.size() > 6) {
    return core::input_error(
        "{}:{}: headerless file with {} columns; without a header the columns must be "
        "ts,open,high,low,close[,volume] (add a header line to use other layouts)",
        out_.file, line_no_, fields_.size());
  }
  headerless_ = true;
  first_is_data = true;
  column_count_ = fields_.size();
  for (int role = kTs; role <= kClose; ++role) column_[role] = role;
  if (fields_.size() == 6) column_[kVolume] = kVolume;
  return {};
}

std::optional<std::uint16_t> Parser::find_ticker(std::string_view name) {
  if (have_last_ticker_ && name == last_ticker_) return last_ticker_id_;
  const auto it = ticker_ids_.find(name);
  if (it == ticker_ids_.end()) return std::nullopt;
  last_ticker_ = it->first;
  last_ticker_id_ = it->second;
  have_last_ticker_ = true;
  return it->second;
}

void Parser::parse_row(std::string_view line) {
  const std::size_t line_no = line_no_;
  const char* split_problem = nullptr;
  if (!split_fields(line, fields_, split_problem)) return problem(line_no, split_problem);
  if (fields_.size() != column_count_) {
    return problem(line_no, fmt::format("{} columns, expected {}", fields_.size(), column_count_));
  }
  // Prices and volume.
  static constexpr std::array<int, 4> kPriceRoles = {kOpen, kHigh, kLow, kClose};
  double prices[4];
  for (int i = 0; i < 4; ++i) {
    const int role = kPriceRoles[i];
    const std::string_view text = fields_[column_[role]];
    if (text.empty()) return problem(line_no, fmt::format("empty {}", kRoles[role].name));
    if (!parse_double(text, prices[i])) {
      return problem(line_no, fmt::format("{} '{}' is not a number", kRoles[role].name, text));
    }
    if (!std::isfinite(prices[i])) return problem(line_no, fmt::format("{} is {}", kRoles[role].name, text));
    if (prices[i] <= 0) return problem(line_no, fmt::format("{} {} is not positive", kRoles[role].name, text));
  }
  if (prices[1] < prices[2]) {
    return problem(line_no, fmt::format("high {} < low {}", fields_[column_[kHigh]], fields_[column_[kLow]]));
  }
  double volume = -1;
  if (column_[kVolume] >= 0) {
    const std::string_view text = fields_[column_[kVolume]];
    if (text.empty()) return problem(line_no, "empty volume");
    if (!parse_double(text, volume)) return problem(line_no, fmt::format("volume '{}' is not a number", text));
    if (!std::isfinite(volume)) return problem(line_no, fmt::format("volume is {}", text));
    if (volume < 0) return problem(line_no, fmt::format("negative volume {}", text));
  }
  // Ticker (registered only once the row is good).
  std::optional<std::uint16_t> ticker_id = 0;
  std::string_view ticker_name;
  if (column_[kTicker] >= 0) {
    ticker_name = fields_[column_[kTicker]];
    if (ticker_name.empty()) return problem(line_no, "empty ticker");
    ticker_id = find_ticker(ticker_name);
    if (!ticker_id && out_.tickers.size() > std::numeric_limits<std::uint16_t>::max()) {
      return problem(line_no, "more than 65536 distinct tickers in one file");
    }
  }
  // Timestamp.
  const std::string_view ts_text = fields_[column_[kTs]];
  ParsedTime parsed;
  if (const char* why = parse_timestamp(ts_text, parsed)) {
    return problem(line_no, fmt::format("{} '{}'", why, ts_text));
  }
  core::Timestamp ts = parsed.ns;
  if (parsed.naive && !zone_.is_utc()) {
    auto earliest = zone_.to_utc(parsed.ns, core::TimeZone::Ambiguity::earliest);
    if (!earliest) return problem(line_no, fmt::format("timestamp '{}': {}", ts_text, earliest.error().message));
    ts = *earliest;
    auto latest = zone_.to_utc(parsed.ns, core::TimeZone::Ambiguity::latest);
    if (latest && *latest != ts && ticker_id && *ticker_id < last_ts_.size() && ts <= last_ts_[*ticker_id]) {
      // Fall-back hour seen for the second time: the rows walk forward in time.
      ts = *latest;
    }
  }
  // The row is good.
  if (!ticker_id) {
    ticker_id = static_cast<std::uint16_t>(out_.tickers.size());
    out_.tickers.emplace_back(ticker_name);
    ticker_ids_.emplace(ticker_name, *ticker_id);
  }
  if (*ticker_id >= last_ts_.size()) last_ts_.resize(*ticker_id + 1, std::numeric_limits<core::Timestamp>::min());
  last_ts_[*ticker_id] = ts;
  out_.ts.push_back(ts);
  out_.open.push_back(prices[0]);
  out_.high.push_back(prices[1]);
  out_.low.push_back(prices[2]);
  out_.close.push_back(prices[3]);
  out_.volume.push_back(volume);
  out_.line.push_back(static_cast<std::uint32_t>(line_no));
  out_.ticker_index.push_back(*ticker_id);
}

core::Result<ParsedCsv> Parser::run() {
  // UTF-8 byte order mark.
  if (content_.size() >= 3 && content_.substr(0, 3) == "\xEF\xBB\xBF") content_.remove_prefix(3);
  std::string_view line;
  bool found_first = false;
  while (next_line(line)) {
    if (!trim(line).empty()) {
      found_first = true;
      break;
    }
  }
  if (!found_first) return core::input_error("{}: no rows (the file is empty)", out_.file);
  bool first_is_data = false;
  if (auto status = setup_columns(line, first_is_data); !status) return status.error();
  if (column_[kTicker] < 0) {
    out_.tickers.push_back(options_.default_ticker);
    last_ts_.assign(1, std::numeric_limits<core::Timestamp>::min());
  }
  out_.has_volume = column_[kVolume] >= 0;

  // Reserve from the byte count; a bar line is rarely shorter than the first data line / 2.
  const std::size_t line_bytes = std::max<std::size_t>(line.size() + 1, 16);
  const std::size_t estimate = (content_.size() - std::min(content_.size(), pos_)) / line_bytes * 11 / 10 + 16;
  for (auto* column : {&out_.open, &out_.high, &out_.low, &out_.close, &out_.volume}) column->reserve(estimate);
  out_.ts.reserve(estimate);
  out_.line.reserve(estimate);
  out_.ticker_index.reserve(estimate);

  if (first_is_data) parse_row(line);
  while (next_line(line)) {
    if (line.empty() || trim(line).empty()) continue;  // blank lines carry no bar
    parse_row(line);
  }
  // The ticker map's views point into content_; tickers are copies and stay valid.
  out_.bad_rows = bad_rows_;
  if (bad_rows_ > 0 && options_.on_bad_row == BadRowPolicy::error) {
    std::string message;
    for (const auto& p : out_.problems) {
      if (!message.empty()) message += '\n';
      message += fmt::format("{}:{}: {}", out_.file, p.line, p.message);
    }
    if (message.empty()) message = fmt::format("{}: bad rows", out_.file);
    message += fmt::format("\n({} bad rows in all; fix them or load with the skip policy)", bad_rows_);
    return core::Error{core::ErrorKind::input, std::move(message)};
  }
  if (out_.rows() == 0) {
    if (bad_rows_ == 0) return core::input_error("{}: no rows (only a header)", out_.file);
    return core::input_error("{}: no rows ({} bad rows skipped, first {}:{}: {})", out_.file, bad_rows_, out_.file,
                             out_.problems.empty() ? 0 : out_.problems[0].line,
                             out_.problems.empty() ? "" : out_.problems[0].message);
  }
  return std::move(out_);
}

}  // namespace

core::Result<ParsedCsv> parse_csv(std::string_view content, std::string_view file, const CsvOptions& options) {
  Parser parser(content, file, options);
  return parser.run();
}

}  // namespace itrade::data

#include "execution/position_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "core/nyse_calendar.h"
#include "execution/state_json.h"

namespace itrade::execution {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "itrade-position-tracker";
constexpr int kVersion = 1;

// The Monday of the week holding `day` (weeks run Monday to Sunday).
core::DayNumber monday_of(core::DayNumber day) { return day - (core::weekday(day) + 6) % 7; }

core::Status check_ticker(std::string_view ticker) {
  if (ticker.empty()) return core::input_error("position tracker: empty ticker");
  return {};
}

core::Status check_price(std::string_view what, std::string_view ticker, double price) {
  if (!std::isfinite(price) || price <= 0.0) {
    return core::input_error("position tracker: {} of {} must be a finite number > 0, got {}", what, ticker, price);
  }
  return {};
}

// Its messages say "key '<path>' must be ...": the wording state files and callers have always seen.
const StateReader& state_reader() {
  static const StateReader reader("position tracker state", StateReader::Wording::quoted_key);
  return reader;
}

}  // namespace

std::string_view difference_kind_name(PositionDifference::Kind kind) {
  switch (kind) {
    case PositionDifference::Kind::missing_here:
      return "missing_here";
    case PositionDifference::Kind::missing_at_broker:
      return "missing_at_broker";
    case PositionDifference::Kind::quantity_differs:
      return "quantity_differs";
  }
  return "unknown";
}

PositionTracker::PositionTracker(double initial_cash)
    : initial_cash_(initial_cash),
      cash_(initial_cash),
      day_start_equity_(initial_cash),
      week_start_equity_(initial_cash),
      peak_equity_(initial_cash) {
  assert(std::isfinite(initial_cash));
}

// --- Events ---

core::Status PositionTracker::apply_fill(std::string_view ticker, OrderSide side, double quantity, double price,
                                         double commission, core::Timestamp ts) {
  if (auto ok = check_ticker(ticker); !ok) return ok;
  if (!std::isfinite(quantity) || quantity <= 0.0) {
    return core::input_error("position tracker: fill quantity of {} must be a finite number > 0, got {}", ticker,
                             quantity);
  }
  if (auto ok = check_price("fill price", ticker, price); !ok) return ok;
  if (!std::isfinite(commission) || commission < 0.0) {
    return core::input_error("position tracker: commission of a {} fill must be a finite number >= 0, got {}", ticker,
                             commission);
  }
  // The last check: it rolls the day and week anchors (valued before this fill) once it passes.
  if (auto ok = advance_clock(ts); !ok) return ok;

  auto it = books_.find(ticker);
  if (it == books_.end()) it = books_.emplace(std::string(ticker), Book{}).first;
  Book& book = it->second;

  const double sign = sign_of(side);
  const double value = quantity * price;
  cash_ -= sign * value + commission;  // evaluation::Portfolio's cash flow, term for term
  commissions_ += commission;
  book.commissions += commission;

  const double held = book.quantity;
  if (held == 0.0 || (held > 0.0) == (sign > 0.0)) {
    // Opens or increases: the new shares average in at the fill price.
    const double held_shares = std::abs(held);
    const double shares = held_shares + quantity;
    book.average_cost = held == 0.0 ? price : (held_shares * book.average_cost + value) / shares;
    book.quantity = held + sign * quantity;
    update_peak();
    return {};
  }

  // Reduces, closes or flips: the closed shares realise against the unchanged average.
  const double held_sign = held > 0.0 ? 1.0 : -1.0;
  const double closed = std::min(quantity, std::abs(held));
  const double realised = (price - book.average_cost) * closed * held_sign;
  book.realised_pnl += realised;
  realised_pnl_ += realised;

  const double remaining = held + sign * quantity;
  if (std::abs(remaining) < kFlatQuantity) {
    book.quantity = 0.0;
    book.average_cost = 0.0;
  } else if ((remaining > 0.0) != (held > 0.0)) {
    book.quantity = remaining;  // flipped: the rest opens the other way at the fill price
    book.average_cost = price;
  } else {
    book.quantity = remaining;  // reduced: the average of the shares still held is unchanged
  }
  update_peak();
  return {};
}

core::Status PositionTracker::set_mark(std::string_view ticker, double price) {
  if (auto ok = check_ticker(ticker); !ok) return ok;
  if (auto ok = check_price("mark", ticker, price); !ok) return ok;
  auto it = books_.find(ticker);
  if (it == books_.end()) it = books_.emplace(std::string(ticker), Book{}).first;
  it->second.mark = price;
  update_peak();
  return {};
}

core::Status PositionTracker::set_mark(std::string_view ticker, double price, core::Timestamp ts) {
  if (auto ok = check_ticker(ticker); !ok) return ok;
  if (auto ok = check_price("mark", ticker, price); !ok) return ok;
  if (auto ok = advance_clock(ts); !ok) return ok;
  return set_mark(ticker, price);
}

core::Status PositionTracker::set_marks(core::Timestamp ts, std::span<const Mark> marks) {
  for (const Mark& m : marks) {
    if (auto ok = check_ticker(m.ticker); !ok) return ok;
    if (auto ok = check_price("mark", m.ticker, m.price); !ok) return ok;
  }
  if (auto ok = advance_clock(ts); !ok) return ok;
  for (const Mark& m : marks) {
    auto it = books_.find(m.ticker);
    if (it == books_.end()) it = books_.emplace(std::string(m.ticker), Book{}).first;
    it->second.mark = m.price;
  }
  update_peak();
  return {};
}

core::Status PositionTracker::mark_time(core::Timestamp ts) {
  if (auto ok = advance_clock(ts); !ok) return ok;
  update_peak();
  return {};
}

core::Status PositionTracker::advance_clock(core::Timestamp ts) {
  if (last_ts_ && ts < *last_ts_) {
    return core::input_error("position tracker: event at {} is earlier than the latest event at {}",
                             core::format_utc(ts), core::format_utc(*last_ts_));
  }
  const core::NyseCalendar& calendar = core::NyseCalendar::instance();
  const core::DayNumber day = calendar.new_york_day(ts);
  const std::optional<core::DayNumber> previous_day = current_day();
  if (!previous_day || day != *previous_day) {
    const double start = equity();  // the equity just before the first event of the new day
    day_start_equity_ = start;
    if (!previous_day || monday_of(day) != monday_of(*previous_day)) week_start_equity_ = start;
  }
  last_ts_ = ts;
  return {};
}

void PositionTracker::update_peak() { peak_equity_ = std::max(peak_equity_, equity()); }

// --- Valuation ---

double PositionTracker::equity() const { return cash_ + net_exposure(); }

double PositionTracker::gross_exposure() const {
  double exposure = 0.0;
  for (const auto& [ticker, book] : books_) exposure += std::abs(book.quantity) * book.valuation_price();
  return exposure;
}

double PositionTracker::net_exposure() const {
  double exposure = 0.0;
  for (const auto& [ticker, book] : books_) exposure += book.quantity * book.valuation_price();
  return exposure;
}

double PositionTracker::unrealised_pnl() const {
  double pnl = 0.0;
  for (const auto& [ticker, book] : books_) pnl += book.quantity * (book.valuation_price() - book.average_cost);
  return pnl;
}

double PositionTracker::drawdown_fraction() const { return peak_equity_ > 0.0 ? drawdown() / peak_equity_ : 0.0; }

std::optional<core::DayNumber> PositionTracker::current_day() const {
  if (!last_ts_) return std::nullopt;
  return core::NyseCalendar::instance().new_york_day(*last_ts_);
}

std::optional<core::DayNumber> PositionTracker::current_week() const {
  const auto day = current_day();
  if (!day) return std::nullopt;
  return monday_of(*day);
}

// --- Per ticker ---

TrackedPosition PositionTracker::line(const std::string& ticker, const Book& book) {
  TrackedPosition position;
  position.ticker = ticker;
  position.quantity = book.quantity;
  position.average_cost = book.average_cost;
  position.mark = book.valuation_price();
  position.marked = book.mark.has_value();
  position.unrealised_pnl = book.quantity * (position.mark - book.average_cost);
  position.realised_pnl = book.realised_pnl;
  position.commissions = book.commissions;
  return position;
}

TrackedPosition PositionTracker::position(std::string_view ticker) const {
  const auto it = books_.find(ticker);
  if (it == books_.end()) {
    TrackedPosition none;
    none.ticker = std::string(ticker);
    return none;
  }
  return line(it->first, it->second);
}

std::vector<TrackedPosition> PositionTracker::open_positions() const {
  std::vector<TrackedPosition> positions;
  for (const auto& [ticker, book] : books_) {
    if (book.quantity != 0.0) positions.push_back(line(ticker, book));
  }
  return positions;
}

std::vector<TrackedPosition> PositionTracker::all_positions() const {
  std::vector<TrackedPosition> positions;
  positions.reserve(books_.size());
  for (const auto& [ticker, book] : books_) positions.push_back(line(ticker, book));
  return positions;
}

// --- Reconciliation ---

std::vector<PositionDifference> PositionTracker::reconcile(std::span<const BrokerPosition> broker_positions) const {
  struct Theirs {
    double quantity = 0.0;
    std::optional<double> average_cost;
  };
  std::map<std::string, Theirs, std::less<>> theirs;
  for (const BrokerPosition& position : broker_positions) {
    Theirs& entry = theirs[position.ticker];
    entry.quantity += position.quantity;
    if (position.average_cost) entry.average_cost = position.average_cost;
  }

  std::vector<PositionDifference> differences;
  const auto held_at_broker = [](double quantity) { return !(std::abs(quantity) <= kReconcileTolerance); };
  // Both maps are sorted by ticker: walk them together.
  auto ours = books_.begin();
  auto broker = theirs.begin();
  while (ours != books_.end() || broker != theirs.end()) {
    const bool take_ours = broker == theirs.end() || (ours != books_.end() && ours->first <= broker->first);
    const bool take_broker = ours == books_.end() || (broker != theirs.end() && broker->first <= ours->first);
    PositionDifference difference;
    difference.ticker = take_ours ? ours->first : broker->first;
    const double our_quantity = take_ours ? ours->second.quantity : 0.0;
    const double their_quantity = take_broker ? broker->second.quantity : 0.0;
    difference.ours = our_quantity;
    difference.theirs = their_quantity;
    difference.our_average_cost = take_ours ? ours->second.average_cost : 0.0;
    if (take_broker) difference.their_average_cost = broker->second.average_cost;

    const bool we_hold = our_quantity != 0.0;
    const bool they_hold = held_at_broker(their_quantity);
    if (we_hold && !they_hold) {
      difference.kind = PositionDifference::Kind::missing_at_broker;
      differences.push_back(std::move(difference));
    } else if (!we_hold && they_hold) {
      difference.kind = PositionDifference::Kind::missing_here;
      differences.push_back(std::move(difference));
    } else if (we_hold && they_hold && !(std::abs(our_quantity - their_quantity) <= kReconcileTolerance)) {
      difference.kind = PositionDifference::Kind::quantity_differs;
      differences.push_back(std::move(difference));
    }
    if (take_ours) ++ours;
    if (take_broker) ++broker;
  }
  return differences;
}

std::vector<PositionDifference> PositionTracker::reconcile(
    const std::map<std::string, double>& broker_quantities) const {
  std::vector<BrokerPosition> positions;
  positions.reserve(broker_quantities.size());
  for (const auto& [ticker, quantity] : broker_quantities) positions.push_back(BrokerPosition{ticker, quantity, {}});
  return reconcile(positions);
}

// --- Persistence ---

json PositionTracker::to_json() const {
  json tickers = json::array();
  for (const auto& [ticker, book] : books_) {
    tickers.push_back(json{{"ticker", ticker},
                           {"quantity", book.quantity},
                           {"average_cost", book.average_cost},
                           {"mark", book.mark ? json(*book.mark) : json(nullptr)},
                           {"realised_pnl", book.realised_pnl},
                           {"commissions", book.commissions}});
  }
  return json{{"format", kFormat},
              {"version", kVersion},
              {"initial_cash", initial_cash_},
              {"cash", cash_},
              {"realised_pnl", realised_pnl_},
              {"commissions", commissions_},
              {"last_ts", last_ts_ ? json(*last_ts_) : json(nullptr)},
              {"day_start_equity", day_start_equity_},
              {"week_start_equity", week_start_equity_},
              {"peak_equity", peak_equity_},
              {"tickers", std::move(tickers)}};
}

core::Result<PositionTracker> PositionTracker::from_json(const json& state) {
  const StateReader& reader = state_reader();
  if (!state.is_object()) return reader.error("the document must be a JSON object");
  {
    auto format = reader.member(state, "", "format");
    if (!format) return format.error();
    if (!(*format)->is_string() || (*format)->get<std::string>() != kFormat) {
      return reader.error("format", fmt::format("must be \"{}\"", kFormat));
    }
    auto version = reader.member(state, "", "version");
    if (!version) return version.error();
    if (!(*version)->is_number_integer() || (*version)->get<std::int64_t>() != kVersion) {
      return reader.error("version", fmt::format("must be {} (this build reads version {})", kVersion, kVersion));
    }
  }

  double initial_cash = 0.0;
  if (auto error = reader.read_number(state, "", "initial_cash", initial_cash)) return *error;
  PositionTracker tracker(initial_cash);

  const std::pair<const char*, double*> totals[] = {{"cash", &tracker.cash_},
                                                    {"realised_pnl", &tracker.realised_pnl_},
                                                    {"commissions", &tracker.commissions_},
                                                    {"day_start_equity", &tracker.day_start_equity_},
                                                    {"week_start_equity", &tracker.week_start_equity_},
                                                    {"peak_equity", &tracker.peak_equity_}};
  for (const auto& [key, field] : totals) {
    if (auto error = reader.read_number(state, "", key, *field)) return *error;
  }
  if (tracker.commissions_ < 0.0) return reader.error("commissions", "must be >= 0");

  auto last_ts = reader.member(state, "", "last_ts");
  if (!last_ts) return last_ts.error();
  if (!(*last_ts)->is_null()) {
    if (!(*last_ts)->is_number_integer()) return reader.error("last_ts", "must be an integer (UTC ns) or null");
    core::Timestamp ts = 0;
    if (auto error = reader.as_int64(**last_ts, "last_ts", ts)) return *error;
    tracker.last_ts_ = ts;
  }

  auto tickers = reader.read_array(state, "", "tickers");
  if (!tickers) return tickers.error();
  for (std::size_t i = 0; i < (*tickers)->size(); ++i) {
    const json& entry = (**tickers)[i];
    const std::string where = fmt::format("tickers[{}]", i);
    if (!entry.is_object()) return reader.error(where, "must be an object");
    auto ticker = reader.member(entry, where, "ticker");
    if (!ticker) return ticker.error();
    if (!(*ticker)->is_string() || (*ticker)->get<std::string>().empty()) {
      return reader.error(StateReader::path(where, "ticker"), "must be a non-empty string");
    }
    Book book;
    std::optional<core::Error> error;
    if ((error = reader.read_number(entry, where, "quantity", book.quantity)) ||
        (error = reader.read_number(entry, where, "average_cost", book.average_cost)) ||
        (error = reader.read_optional_number(entry, where, "mark", book.mark)) ||
        (error = reader.read_number(entry, where, "realised_pnl", book.realised_pnl)) ||
        (error = reader.read_number(entry, where, "commissions", book.commissions))) {
      return *error;
    }
    if (book.quantity != 0.0 && !(book.average_cost > 0.0)) {
      return reader.error(StateReader::path(where, "average_cost"), "must be > 0 for an open position");
    }
    if (book.mark && !(*book.mark > 0.0)) return reader.error(StateReader::path(where, "mark"), "must be > 0 or null");
    if (book.commissions < 0.0) return reader.error(StateReader::path(where, "commissions"), "must be >= 0");
    const auto [it, inserted] = tracker.books_.emplace((*ticker)->get<std::string>(), book);
    if (!inserted) {
      return reader.error(fmt::format("key '{}': {} is listed twice", StateReader::path(where, "ticker"), it->first));
    }
  }
  return tracker;
}

}  // namespace itrade::execution

#include "execution/risk_manager.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/nyse_calendar.h"

namespace itrade::execution {
namespace {

// Fewer common bars than this and a correlation says little; the check is skipped (docs/risk.md).
constexpr std::size_t kMinCorrelationBars = 30;
constexpr double kFlat = 1e-9;  // |shares| below this is no position

// The Monday of the (Monday-based) week of `day`; day 0, 1970-01-01, was a Thursday.
core::DayNumber week_of(core::DayNumber day) {
  const int weekday = static_cast<int>(((static_cast<std::int64_t>(day) + 3) % 7 + 7) % 7);  // 0 = Monday
  return day - weekday;
}

// Shares `value` of account currency buys at `price`, whole shares when the order asked for whole.
double shares_for(double value, double price, bool whole) {
  if (!(value > 0.0) || !(price > 0.0)) return 0.0;
  const double shares = value / price;
  return whole ? std::floor(shares + 1e-9) : shares;
}

// Pearson correlation of the returns two tickers share (matched by bar time). Tickers on one
// timeline share every bar time; that common case is one straight loop.
std::optional<double> correlation(std::span<const core::Timestamp> ts_a, std::span<const double> a,
                                  std::span<const core::Timestamp> ts_b, std::span<const double> b) {
  double n = 0;
  double sum_a = 0;
  double sum_b = 0;
  double sum_aa = 0;
  double sum_bb = 0;
  double sum_ab = 0;
  const auto add = [&](double x, double y) {
    n += 1;
    sum_a += x;
    sum_b += y;
    sum_aa += x * x;
    sum_bb += y * y;
    sum_ab += x * y;
  };
  if (ts_a.size() == ts_b.size() && std::equal(ts_a.begin(), ts_a.end(), ts_b.begin())) {
    for (std::size_t i = 0; i < a.size(); ++i) add(a[i], b[i]);
  } else {
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < ts_a.size() && j < ts_b.size()) {
      if (ts_a[i] < ts_b[j]) {
        ++i;
      } else if (ts_b[j] < ts_a[i]) {
        ++j;
      } else {
        add(a[i++], b[j++]);
      }
    }
  }
  if (n < static_cast<double>(kMinCorrelationBars)) return std::nullopt;
  const double cov = sum_ab - sum_a * sum_b / n;
  const double var_a = sum_aa - sum_a * sum_a / n;
  const double var_b = sum_bb - sum_b * sum_b / n;
  if (!(var_a > 0.0) || !(var_b > 0.0)) return std::nullopt;
  return cov / std::sqrt(var_a * var_b);
}

}  // namespace

std::string_view limit_name(RiskLimit limit) {
  switch (limit) {
    case RiskLimit::none:
      return "none";
    case RiskLimit::invalid_order:
      return "invalid_order";
    case RiskLimit::daily_loss:
      return "daily_loss";
    case RiskLimit::weekly_loss:
      return "weekly_loss";
    case RiskLimit::drawdown:
      return "drawdown";
    case RiskLimit::outside_session:
      return "outside_session";
    case RiskLimit::session_close:
      return "session_close";
    case RiskLimit::no_price:
      return "no_price";
    case RiskLimit::price_band:
      return "price_band";
    case RiskLimit::max_positions:
      return "max_positions";
    case RiskLimit::position_size:
      return "position_size";
    case RiskLimit::order_notional:
      return "order_notional";
    case RiskLimit::sector_exposure:
      return "sector_exposure";
    case RiskLimit::correlation:
      return "correlation";
  }
  return "unknown";
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::approve:
      return "approve";
    case Verdict::reduce:
      return "reduce";
    case Verdict::reject:
      return "reject";
  }
  return "unknown";
}

RiskManager::RiskManager(RiskConfig config, SectorMap sectors)
    : config_(std::move(config)), sectors_(std::move(sectors)) {}

std::span<const core::Timestamp> RiskManager::Ticker::window_ts() const {
  const std::size_t window = return_ts.size() / 2;
  return std::span<const core::Timestamp>(return_ts).subspan(next + window - count, count);
}

std::span<const double> RiskManager::Ticker::window_returns() const {
  const std::size_t window = returns.size() / 2;
  return std::span<const double>(returns).subspan(next + window - count, count);
}

const RiskManager::Ticker* RiskManager::find(std::string_view ticker) const {
  const auto it = ticker_ids_.find(std::string(ticker));
  return it == ticker_ids_.end() ? nullptr : &tickers_[it->second];
}

RiskManager::TickerId RiskManager::ticker_id(std::string_view ticker) {
  const auto [it, added] = ticker_ids_.try_emplace(std::string(ticker), tickers_.size());
  if (added) tickers_.emplace_back();
  return it->second;
}

void RiskManager::on_price(std::string_view ticker, core::Timestamp ts, double price) {
  on_price(ticker_id(ticker), ts, price);
}

void RiskManager::on_price(TickerId ticker, core::Timestamp ts, double price) {
  if (!(price > 0.0) || !std::isfinite(price)) return;
  Ticker& t = tickers_[ticker];
  if (t.last_price > 0.0 && ts > t.last_ts) {
    const auto window = static_cast<std::size_t>(config_.correlation_window_bars);
    if (t.returns.empty()) {
      t.return_ts.assign(2 * window, 0);
      t.returns.assign(2 * window, 0.0);
    }
    const double r = std::log(price / t.last_price);
    t.return_ts[t.next] = t.return_ts[t.next + window] = ts;
    t.returns[t.next] = t.returns[t.next + window] = r;
    t.next = (t.next + 1) % window;
    t.count = std::min(t.count + 1, window);
  }
  if (ts >= t.last_ts) {
    t.last_price = price;
    t.last_ts = ts;
  }
}

std::vector<Trip> RiskManager::on_equity(core::Timestamp ts, double equity) {
  std::vector<Trip> tripped;
  if (!std::isfinite(equity)) return tripped;
  const core::DayNumber day = core::NyseCalendar::instance().new_york_day(ts);
  State& s = state_;
  if (!s.started) {
    s.started = true;
    s.day = day;
    s.day_start_equity = equity;
    s.week = week_of(day);
    s.week_start_equity = equity;
    s.peak_equity = equity;
  }
  // A new day (week) starts from the equity the account had when it ended: the last one seen.
  if (day > s.day) {
    s.day = day;
    s.day_start_equity = s.last_equity;
  }
  if (week_of(day) > s.week) {
    s.week = week_of(day);
    s.week_start_equity = s.last_equity;
  }
  s.last_equity = equity;
  s.peak_equity = std::max(s.peak_equity, equity);

  const auto trip = [&](RiskLimit limit, double threshold) {
    Trip t{limit, ts, equity, threshold};
    s.trips.push_back(t);
    tripped.push_back(t);
  };
  const double daily_floor = s.day_start_equity * (1.0 - config_.daily_loss_limit_pct);
  if (equity <= daily_floor && s.halted_day != s.day) {
    s.halted_day = s.day;
    trip(RiskLimit::daily_loss, daily_floor);
  }
  const double weekly_floor = s.week_start_equity * (1.0 - config_.weekly_loss_limit_pct);
  if (equity <= weekly_floor && s.halted_week != s.week) {
    s.halted_week = s.week;
    trip(RiskLimit::weekly_loss, weekly_floor);
  }
  const double drawdown_floor = s.peak_equity * (1.0 - config_.max_drawdown_pct);
  if (equity <= drawdown_floor && !s.drawdown_halted) {
    s.drawdown_halted = true;
    trip(RiskLimit::drawdown, drawdown_floor);
  }
  return tripped;
}

RiskLimit RiskManager::halted(core::Timestamp ts) const {
  if (state_.drawdown_halted) return RiskLimit::drawdown;
  const core::DayNumber day = core::NyseCalendar::instance().new_york_day(ts);
  if (state_.halted_week && *state_.halted_week == week_of(day)) return RiskLimit::weekly_loss;
  if (state_.halted_day && *state_.halted_day == day) return RiskLimit::daily_loss;
  return RiskLimit::none;
}

void RiskManager::reset_drawdown() {
  state_.drawdown_halted = false;
  state_.peak_equity = state_.last_equity;
}

std::optional<double> RiskManager::worst_correlation(const std::string& ticker, double direction,
                                                     const AccountView& account, std::string& with) const {
  const Ticker* mine = find(ticker);
  if (mine == nullptr || mine->count < kMinCorrelationBars) return std::nullopt;
  std::optional<double> worst;
  for (const PositionView& p : account.positions) {
    if (p.ticker == ticker || std::abs(p.quantity) < kFlat) continue;
    const Ticker* theirs = find(p.ticker);
    if (theirs == nullptr) continue;
    const auto rho =
        correlation(mine->window_ts(), mine->window_returns(), theirs->window_ts(), theirs->window_returns());
    if (!rho) continue;
    const double signed_rho = *rho * direction * (p.quantity > 0.0 ? 1.0 : -1.0);
    if (!worst || signed_rho > *worst) {
      worst = signed_rho;
      with = p.ticker;
    }
  }
  return worst;
}

double RiskManager::allowed_opening(const OrderRequest& order, double held, double wanted, const AccountView& account,
                                    RiskLimit& limit, std::string& reason) const {
  const double direction = sign_of(order.side);
  const bool whole = std::floor(order.quantity) == order.quantity;
  const auto cut = [&](RiskLimit why, std::string text) {
    if (limit == RiskLimit::none) {
      limit = why;
      reason = std::move(text);
    }
  };

  if (const RiskLimit stop = halted(order.ts); stop != RiskLimit::none) {
    cut(stop, fmt::format("trading halted by the {} limit; only exits are allowed", limit_name(stop)));
    return 0.0;
  }
  // The decision time is a bar's end: 16:00 still belongs to the session that closes then.
  const auto session = core::NyseCalendar::instance().session_containing(order.ts - 1);
  if (!session) {
    cut(RiskLimit::outside_session,
        fmt::format("{} is outside the regular session; new positions only during it", core::format_utc(order.ts)));
    return 0.0;
  }
  const double minutes_left = static_cast<double>(session->close - order.ts) / core::kNanosPerMinute;
  if (minutes_left < config_.no_trade_before_close_min) {
    cut(RiskLimit::session_close, fmt::format("{:.1f} minutes before the close; no new positions in the last {}",
                                              minutes_left, config_.no_trade_before_close_min));
    return 0.0;
  }
  const Ticker* t = find(order.ticker);
  if (t == nullptr || !(t->last_price > 0.0)) {
    cut(RiskLimit::no_price, fmt::format("no last price for {}", order.ticker));
    return 0.0;
  }
  const double last = t->last_price;
  const double order_price = order.type == OrderType::limit ? order.limit_price : order.reference_price;
  if (!(std::abs(order_price / last - 1.0) <= config_.price_band_pct)) {
    cut(RiskLimit::price_band,
        fmt::format("order price {:.4f} is {:+.2f}% from the last price {:.4f} (band {:.2f}%)", order_price,
                    100.0 * (order_price / last - 1.0), last, 100.0 * config_.price_band_pct));
    return 0.0;
  }
  const bool new_ticker = std::abs(held) < kFlat || held * direction < 0.0;
  if (new_ticker) {
    int open = 0;
    for (const PositionView& p : account.positions) open += std::abs(p.quantity) >= kFlat && p.ticker != order.ticker;
    if (open >= config_.max_positions) {
      cut(RiskLimit::max_positions, fmt::format("{} positions open; at most {}", open, config_.max_positions));
      return 0.0;
    }
  }

  double allowed = wanted;
  const double same_side_held = held * direction > 0.0 ? std::abs(held) : 0.0;
  const double position_room = config_.max_position_pct * account.equity - same_side_held * last;
  const double by_position = std::max(0.0, shares_for(position_room, last, whole));
  if (by_position < allowed) {
    allowed = by_position;
    cut(RiskLimit::position_size,
        fmt::format("position value {:.2f} after the order would pass {:.1f}% of equity {:.2f} ({:.2f})",
                    (same_side_held + wanted) * last, 100.0 * config_.max_position_pct, account.equity,
                    config_.max_position_pct * account.equity));
  }
  const double by_notional = shares_for(config_.max_order_notional, last, whole);
  if (by_notional < allowed) {
    allowed = by_notional;
    cut(RiskLimit::order_notional,
        fmt::format("order value {:.2f} passes max_order_notional {:.2f}", wanted * last, config_.max_order_notional));
  }
  const std::string_view sector = sectors_.sector(order.ticker);
  double sector_value = 0.0;
  for (const PositionView& p : account.positions) {
    if (p.ticker == order.ticker || sectors_.sector(p.ticker) != sector) continue;
    const Ticker* other = find(p.ticker);
    const double price = other != nullptr && other->last_price > 0.0 ? other->last_price : p.mark;
    if (!(price > 0.0)) {
      // An open position nobody can value would make the sector look smaller than it is.
      cut(RiskLimit::no_price, fmt::format("no price for the open position in {} of sector \"{}\"", p.ticker, sector));
      return 0.0;
    }
    sector_value += std::abs(p.quantity) * price;
  }
  const double sector_room = config_.max_sector_exposure_pct * account.equity - sector_value - same_side_held * last;
  const double by_sector = std::max(0.0, shares_for(sector_room, last, whole));
  if (by_sector < allowed) {
    allowed = by_sector;
    cut(RiskLimit::sector_exposure, fmt::format("sector \"{}\" would hold {:.2f}, over {:.1f}% of equity {:.2f}",
                                                sector, sector_value + (same_side_held + wanted) * last,
                                                100.0 * config_.max_sector_exposure_pct, account.equity));
  }
  if (allowed > 0.0) {
    std::string with;
    const auto rho = worst_correlation(order.ticker, direction, account, with);
    if (rho && *rho > config_.max_correlation) {
      cut(RiskLimit::correlation,
          fmt::format("returns correlate {:.2f} with the open position in {} (at most {:.2f} over {} bars)", *rho, with,
                      config_.max_correlation, config_.correlation_window_bars));
      return 0.0;
    }
  }
  return allowed;
}

RiskDecision RiskManager::check_order(const OrderRequest& order, const AccountView& account) {
  RiskDecision decision;
  decision.requested_quantity = order.quantity;
  const auto reject = [&](RiskLimit limit, std::string reason) {
    decision.verdict = Verdict::reject;
    decision.limit = limit;
    decision.reason = std::move(reason);
    return decision;
  };
  if (order.client_order_id.empty() || order.ticker.empty()) {
    return reject(RiskLimit::invalid_order, "an order needs a client order id and a ticker");
  }
  if (!(order.quantity > 0.0) || !std::isfinite(order.quantity)) {
    return reject(RiskLimit::invalid_order, fmt::format("quantity {} is not a positive number", order.quantity));
  }
  if (order.type == OrderType::limit && !(order.limit_price > 0.0 && std::isfinite(order.limit_price))) {
    return reject(RiskLimit::invalid_order, fmt::format("limit price {} is not a positive number", order.limit_price));
  }
  // Market and market-on-close orders carry no price of their own: the checks use the reference price.
  if ((order.type == OrderType::market || order.type == OrderType::market_on_close) &&
      !(order.reference_price > 0.0 && std::isfinite(order.reference_price))) {
    return reject(RiskLimit::invalid_order,
                  fmt::format("reference price {} is not a positive number", order.reference_price));
  }
  on_equity(order.ts, account.equity);

  double held = 0.0;
  for (const PositionView& p : account.positions) {
    if (p.ticker == order.ticker) held += p.quantity;
  }
  const double direction = sign_of(order.side);
  // The part that closes (part of) the position is an exit and always allowed.
  const double closing = held * direction < 0.0 ? std::min(order.quantity, std::abs(held)) : 0.0;
  const double opening = order.quantity - closing;

  RiskLimit limit = RiskLimit::none;
  std::string reason;
  double allowed = 0.0;
  if (opening > 0.0) {
    if (!(account.equity > 0.0) || !std::isfinite(account.equity)) {
      limit = RiskLimit::invalid_order;
      reason = fmt::format("account equity {} is not positive; only exits are allowed", account.equity);
    } else {
      allowed = allowed_opening(order, closing > 0.0 ? 0.0 : held, opening, account, limit, reason);
    }
  }
  decision.approved_quantity = closing + allowed;
  if (decision.approved_quantity <= 0.0) return reject(limit, reason);
  decision.verdict = decision.approved_quantity < order.quantity ? Verdict::reduce : Verdict::approve;
  decision.limit = decision.verdict == Verdict::reduce ? limit : RiskLimit::none;
  decision.reason = decision.verdict == Verdict::reduce
                        ? fmt::format("{} of {} shares: {}", decision.approved_quantity, order.quantity, reason)
                        : (closing > 0.0 && opening == 0.0 ? "exit: reduces risk" : "within every limit");
  OrderRequest approved = order;
  approved.quantity = decision.approved_quantity;
  decision.order = ApprovedOrder(std::move(approved));
  return decision;
}

nlohmann::json RiskManager::state_json() const {
  const State& s = state_;
  nlohmann::json trips = nlohmann::json::array();
  for (const Trip& t : s.trips) {
    trips.push_back({{"limit", limit_name(t.limit)}, {"ts", t.ts}, {"equity", t.equity}, {"threshold", t.threshold}});
  }
  return {
      {"version", 1},
      {"started", s.started},
      {"day", s.day},
      {"day_start_equity", s.day_start_equity},
      {"week", s.week},
      {"week_start_equity", s.week_start_equity},
      {"peak_equity", s.peak_equity},
      {"last_equity", s.last_equity},
      {"halted_day", s.halted_day ? nlohmann::json(*s.halted_day) : nlohmann::json(nullptr)},
      {"halted_week", s.halted_week ? nlohmann::json(*s.halted_week) : nlohmann::json(nullptr)},
      {"drawdown_halted", s.drawdown_halted},
      {"trips", trips},
  };
}

core::Status RiskManager::restore_state(const nlohmann::json& doc) {
  State s;
  std::string key;
  try {
    const auto get = [&](const char* name) -> const nlohmann::json& {
      key = name;
      return doc.at(name);
    };
    if (get("version").get<int>() != 1) return core::input_error("risk state: version must be 1");
    s.started = get("started").get<bool>();
    s.day = get("day").get<core::DayNumber>();
    s.day_start_equity = get("day_start_equity").get<double>();
    s.week = get("week").get<core::DayNumber>();
    s.week_start_equity = get("week_start_equity").get<double>();
    s.peak_equity = get("peak_equity").get<double>();
    s.last_equity = get("last_equity").get<double>();
    if (!get("halted_day").is_null()) s.halted_day = doc.at("halted_day").get<core::DayNumber>();
    if (!get("halted_week").is_null()) s.halted_week = doc.at("halted_week").get<core::DayNumber>();
    s.drawdown_halted = get("drawdown_halted").get<bool>();
    for (const auto& t : get("trips")) {
      key = "trips[].limit";
      const std::string name = t.at("limit").get<std::string>();
      Trip trip;
      for (RiskLimit l : {RiskLimit::daily_loss, RiskLimit::weekly_loss, RiskLimit::drawdown}) {
        if (limit_name(l) == name) trip.limit = l;
      }
      if (trip.limit == RiskLimit::none) return core::input_error("risk state: trips: unknown limit \"{}\"", name);
      key = "trips[]";
      trip.ts = t.at("ts").get<core::Timestamp>();
      trip.equity = t.at("equity").get<double>();
      trip.threshold = t.at("threshold").get<double>();
      s.trips.push_back(trip);
    }
  } catch (const nlohmann::json::exception& e) {
    return core::input_error("risk state: key \"{}\": {}", key, e.what());
  }
  state_ = std::move(s);
  return {};
}

core::Status RiskManager::save_state(const std::filesystem::path& file) const {
  return core::write_file_atomically(file, state_json().dump(1) + "\n", "risk state");
}

core::Status RiskManager::load_state(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return core::runtime_error("cannot read the risk state {}", file.string());
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) {
    return core::input_error(
        "{}: not valid JSON, so the halts and loss anchors it held are unknown; restore it from a backup",
        file.string());
  }
  if (auto ok = restore_state(doc); !ok) return core::input_error("{}: {}", file.string(), ok.error().message);
  return {};
}

}  // namespace itrade::execution

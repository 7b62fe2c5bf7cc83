#pragma once
// The risk manager: the hard stops between every decision and every broker (docs/risk.md).
//
// No model, strategy or caller can get around it: a Broker takes only an ApprovedOrder, and only
// RiskManager::check_order can make one. check_order answers approve, reduce (fewer shares, with
// the limit that cut it) or reject, always with the limit and the numbers that decided.
//
// What it checks, for the part of an order that adds risk (the "opening part": all of a buy on a
// flat or long ticker, the part of a sell that goes beyond closing a long, and so on):
//   1. a tripped loss limit (daily, weekly, drawdown) halts all new risk for its period;
//   2. time: new risk only inside the regular session and not in its last
//      no_trade_before_close_min minutes;
//   3. price sanity: the order's price (limit, else reference) within price_band_pct of the last
//      price seen for the ticker; no last price, no new risk;
//   4. max_positions (a ticker not yet held needs a free slot);
//   5. position value after the order <= max_position_pct x equity (reduced to fit);
//   6. the opening part's notional <= max_order_notional (reduced to fit);
//   7. the sector's gross value after the order <= max_sector_exposure_pct x equity (reduced);
//   8. the signed correlation of the ticker's trailing bar returns with each open position's
//      (correlation x direction x its direction) <= max_correlation (rejected otherwise).
// The part of an order that closes or reduces a position is always approved: exits reduce risk.
//
// Loss limits are measured on the equity the caller reports (on_equity, and check_order's
// account): the day's and the week's starting equity (New York trading day; Monday-based week)
// and the peak. A daily trip lasts until the next trading day, a weekly one until the next week,
// the drawdown stop until a person calls reset_drawdown(). The tripped state and the anchors
// are the risk state; save_state / load_state persist it (atomically) so a restart resumes it.
// Market data (last prices, return windows) is not state: a restarted engine replays its bars.
//
// Not thread-safe; one risk manager per account.

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "execution/order.h"
#include "execution/risk_config.h"
#include "execution/risk_limit.h"
#include "execution/sector_map.h"

namespace itrade::execution {

enum class Verdict { approve, reduce, reject };
std::string_view verdict_name(Verdict verdict);

// An order the risk manager let through, possibly with fewer shares than asked. Only the risk
// manager constructs one; copies are allowed because the order manager ignores a resubmitted
// client order id.
class ApprovedOrder {
 public:
  const OrderRequest& request() const { return request_; }

 private:
  friend class RiskManager;
  explicit ApprovedOrder(OrderRequest request) : request_(std::move(request)) {}
  OrderRequest request_;
};

struct RiskDecision {
  Verdict verdict = Verdict::reject;
  RiskLimit limit = RiskLimit::none;  // the limit that reduced or rejected (none when approved)
  std::string reason;                 // the numbers that decided, for logs and reports
  double requested_quantity = 0.0;
  double approved_quantity = 0.0;
  std::optional<ApprovedOrder> order;  // absent when rejected
};

struct PositionView {
  std::string ticker;
  double quantity = 0.0;  // signed shares
  double mark = 0.0;      // the caller's latest price, used when the risk manager has none (0: none)
};

// What the risk manager needs to know of the account when it checks an order.
struct AccountView {
  double equity = 0.0;
  std::span<const PositionView> positions;  // open positions
};

class RiskManager {
 public:
  RiskManager(RiskConfig config, SectorMap sectors);

  const RiskConfig& config() const { return config_; }

  // A price of `ticker` at `ts` (a bar's close): the last price for the band check, and one return
  // of the correlation window when ts is later than the previous price's.
  void on_price(std::string_view ticker, core::Timestamp ts, double price);
  // The same through a ticker's handle, for callers that send a price every bar (the
  // backtester): no name lookup. A handle stays valid for the manager's life.
  using TickerId = std::size_t;
  TickerId ticker_id(std::string_view ticker);
  void on_price(TickerId ticker, core::Timestamp ts, double price);

  // The account's equity at `ts`: rolls the day and week anchors, raises the peak and trips the
  // loss limits. Returns the trips this call caused (each limit trips once per period).
  std::vector<Trip> on_equity(core::Timestamp ts, double equity);

  // The decision on `order` (its ts is the decision time) for an account in `account`. Calls
  // on_equity(order.ts, account.equity) first.
  RiskDecision check_order(const OrderRequest& order, const AccountView& account);

  // The loss limit that halts new risk at `ts`, or RiskLimit::none.
  RiskLimit halted(core::Timestamp ts) const;
  // Every trip so far, in order (kept across restarts).
  const std::vector<Trip>& trips() const { return state_.trips; }
  // A person's decision to resume after the drawdown stop; anchors the peak at the current equity.
  void reset_drawdown();
  bool drawdown_halted() const { return state_.drawdown_halted; }
  double last_equity() const { return state_.last_equity; }

  nlohmann::json state_json() const;
  // Replaces the risk state by a document from state_json(); input error naming the key.
  core::Status restore_state(const nlohmann::json& state);
  core::Status save_state(const std::filesystem::path& file) const;  // atomic
  core::Status load_state(const std::filesystem::path& file);

 private:
  struct State {
    bool started = false;  // false until the first equity
    core::DayNumber day = 0;
    double day_start_equity = 0.0;
    core::DayNumber week = 0;  // the Monday of the week
    double week_start_equity = 0.0;
    double peak_equity = 0.0;
    double last_equity = 0.0;
    std::optional<core::DayNumber> halted_day;   // daily loss tripped on this day
    std::optional<core::DayNumber> halted_week;  // weekly loss tripped in this week
    bool drawdown_halted = false;
    std::vector<Trip> trips;
  };
  // A ticker's last price and its window of bar returns. The window is a ring stored twice
  // (each value at i and i + window), so its values in time order are always one contiguous
  // span: [next + window - count, next + window).
  struct Ticker {
    double last_price = 0.0;
    core::Timestamp last_ts = 0;
    std::vector<core::Timestamp> return_ts;
    std::vector<double> returns;
    std::size_t next = 0;   // ring position of the next return
    std::size_t count = 0;  // returns in the window

    std::span<const core::Timestamp> window_ts() const;
    std::span<const double> window_returns() const;
  };

  // The opening part's shares the limits allow (<= wanted), and the limit that cut it.
  double allowed_opening(const OrderRequest& order, double held, double wanted, const AccountView& account,
                         RiskLimit& limit, std::string& reason) const;
  // The signed correlation of a new position in `ticker` with direction `direction` against the
  // open positions; the most correlated one's ticker in `with`. nullopt when no pair has enough
  // common bars.
  std::optional<double> worst_correlation(const std::string& ticker, double direction, const AccountView& account,
                                          std::string& with) const;
  const Ticker* find(std::string_view ticker) const;

  RiskConfig config_;
  SectorMap sectors_;
  State state_;
  std::vector<Ticker> tickers_;  // by TickerId
  std::unordered_map<std::string, TickerId> ticker_ids_;
};

}  // namespace itrade::execution

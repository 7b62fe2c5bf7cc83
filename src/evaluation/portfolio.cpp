#include "evaluation/portfolio.h"

#include <cassert>
#include <cmath>

namespace itrade::evaluation {

Portfolio::Portfolio(std::size_t tickers, double initial_cash)
    : positions_(tickers), open_slot_(tickers, -1), initial_cash_(initial_cash), cash_(initial_cash) {
  open_.reserve(tickers);
}

double Portfolio::equity() const {
  double value = cash_;
  for (const int t : open_) {
    const Position& p = positions_[static_cast<std::size_t>(t)];
    value += p.quantity * p.mark;
  }
  return value;
}

double Portfolio::gross_exposure() const {
  double exposure = 0.0;
  for (const int t : open_) {
    const Position& p = positions_[static_cast<std::size_t>(t)];
    exposure += std::abs(p.quantity) * p.mark;
  }
  return exposure;
}

void Portfolio::open(int ticker, Side side, double quantity, double fill_price, double commission, core::Timestamp ts,
                     std::int64_t bar) {
  const auto index = static_cast<std::size_t>(ticker);
  Position& p = positions_[index];
  assert(!p.open() && quantity > 0.0 && fill_price > 0.0 && commission >= 0.0);
  const double value = quantity * fill_price;
  const double sign = side == Side::long_position ? 1.0 : -1.0;
  cash_ -= sign * value + commission;
  total_fees_ += commission;
  traded_value_ += value;
  p.quantity = sign * quantity;
  p.entry_price = fill_price;
  p.entry_fees = commission;
  p.entry_ts = ts;
  p.entry_bar = bar;
  open_slot_[index] = static_cast<std::int32_t>(open_.size());
  open_.push_back(ticker);
}

const Trade& Portfolio::close(int ticker, double fill_price, double commission, core::Timestamp ts, std::int64_t bar,
                              ExitReason reason) {
  const auto index = static_cast<std::size_t>(ticker);
  Position& p = positions_[index];
  assert(p.open() && fill_price > 0.0 && commission >= 0.0);
  const double quantity = std::abs(p.quantity);
  const double sign = p.quantity > 0.0 ? 1.0 : -1.0;
  const double value = quantity * fill_price;
  cash_ += sign * value - commission;
  total_fees_ += commission;
  traded_value_ += value;

  Trade trade;
  trade.ticker = ticker;
  trade.side = p.side();
  trade.entry_ts = p.entry_ts;
  trade.exit_ts = ts;
  trade.entry_price = p.entry_price;
  trade.exit_price = fill_price;
  trade.quantity = quantity;
  trade.fees = p.entry_fees + commission;
  trade.pnl = sign * quantity * (fill_price - p.entry_price) - trade.fees;
  trade.holding_bars = static_cast<int>(bar - p.entry_bar + 1);
  trade.reason = reason;
  trades_.push_back(trade);

  // Swap-remove from the open list.
  const std::int32_t slot = open_slot_[index];
  const int last = open_.back();
  open_[static_cast<std::size_t>(slot)] = last;
  open_slot_[static_cast<std::size_t>(last)] = slot;
  open_.pop_back();
  open_slot_[index] = -1;

  const double mark = p.mark;
  p = Position{};
  p.mark = mark;
  return trades_.back();
}

}  // namespace itrade::evaluation

#include "execution/trading_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <utility>

#include "core/nyse_calendar.h"

namespace itrade::execution {
namespace {

constexpr double kFlat = 1e-9;  // |shares| below this is no position

int sign(double quantity) { return quantity > kFlat ? 1 : (quantity < -kFlat ? -1 : 0); }

}  // namespace

TradingEngine::SessionPlace TradingEngine::session_place(core::Timestamp start, core::Timestamp bar_length) {
  const auto session = core::NyseCalendar::instance().session_containing(start);
  if (!session) return {};
  const core::Timestamp end = start + bar_length;
  return {end >= session->close, end < session->close && end + bar_length >= session->close};
}

core::Result<TradingEngine> TradingEngine::create(std::vector<std::string> tickers, const EngineConfig& config,
                                                  RiskManager& risk, Broker& broker) {
  for (auto problem : {policy_problem(config.policy), cost_problem(config.cost.commission, config.cost.slippage_bps)}) {
    if (problem) return core::input_error("{}: {}; {}", problem->key, problem->problem, problem->fix);
  }
  if (!(config.initial_cash > 0.0 && std::isfinite(config.initial_cash))) {
    return core::input_error("initial cash {} is not a positive number", config.initial_cash);
  }
  if (config.bar_length <= 0) return core::input_error("bar length {} ns is not positive", config.bar_length);
  std::unordered_set<std::string> seen;
  for (const std::string& t : tickers) {
    if (t.empty()) return core::input_error("a ticker is empty");
    if (!seen.insert(t).second) return core::input_error("ticker {} is listed twice", t);
  }
  return TradingEngine(std::move(tickers), config, risk, broker);
}

TradingEngine::TradingEngine(std::vector<std::string> tickers, const EngineConfig& config, RiskManager& risk,
                             Broker& broker)
    : tickers_(std::move(tickers)),
      config_(config),
      risk_(&risk),
      broker_(&broker),
      book_(config.initial_cash),
      lanes_(tickers_.size()) {
  for (std::size_t i = 0; i < tickers_.size(); ++i) {
    risk_ids_.push_back(risk.ticker_id(tickers_[i]));
    index_.emplace(tickers_[i], i);
  }
}

core::Status TradingEngine::on_bars(core::Timestamp ts, std::span<const EngineBar> bars) {
  for (std::size_t b = 0; b < bars.size(); ++b) {
    const EngineBar& e = bars[b];
    if (e.ticker >= tickers_.size())
      return core::input_error("bar for ticker index {}, of {}", e.ticker, tickers_.size());
    if (b > 0 && e.ticker <= bars[b - 1].ticker) {
      return core::input_error("the bars of one instant must be in ascending ticker order, one per ticker");
    }
    if (e.bar.ts != ts) {
      return core::input_error("{}: bar at {} in the batch of {}", tickers_[e.ticker], core::format_utc(e.bar.ts),
                               core::format_utc(ts));
    }
    if (!(e.bar.close > 0.0 && std::isfinite(e.bar.close))) {
      return core::input_error("{}: bar {}: close {} is not a positive price", tickers_[e.ticker], core::format_utc(ts),
                               e.bar.close);
    }
  }
  if (book_.has_time() && ts < *book_.last_ts()) {
    return core::input_error("batch at {} is earlier than the book's latest event", core::format_utc(ts));
  }

  const std::size_t trips_before = risk_->trips().size();
  if (auto booked = book_events(); !booked) return booked;
  marks_.clear();
  for (const EngineBar& e : bars) marks_.push_back({tickers_[e.ticker], e.bar.close});
  if (auto marked = book_.set_marks(ts, marks_); !marked) return marked;
  for (const EngineBar& e : bars) {
    if (logger_ != nullptr) {
      models::SignalOutput prediction;
      prediction.signal = e.signal;
      prediction.confidence = e.confidence;
      logger_->log_prediction(tickers_[e.ticker], ts + config_.bar_length, prediction);
    }
    risk_->on_price(risk_ids_[e.ticker], ts, e.bar.close);
    Lane& lane = lanes_[e.ticker];
    lane.mark = e.bar.close;
    ++lane.bars;
  }
  equity_now_ = book_.equity();
  const SessionPlace place = session_place(ts, config_.bar_length);  // one instant: one place for all
  for (const EngineBar& e : bars) {
    decide(e, ts, place);
    if (!error_) return std::exchange(error_, core::Status{});
  }
  risk_->on_equity(ts + config_.bar_length, book_.equity());
  // Trips happen here or in check_order (which reports the equity first): log every new one.
  if (logger_ != nullptr) {
    for (std::size_t t = trips_before; t < risk_->trips().size(); ++t) logger_->log_trip(risk_->trips()[t]);
  }
  equity_ts_.push_back(ts);
  equity_.push_back(book_.equity());
  if (logger_ != nullptr) {
    auto flushed = logger_->flush();
    if (!flushed) return flushed.error();
    log_position_ = std::move(*flushed);
  }
  last_batch_ = ts;
  return {};
}

void TradingEngine::catch_up(core::Timestamp ts, std::span<const EngineBar> bars) {
  for (const EngineBar& e : bars) {
    if (e.ticker < tickers_.size()) risk_->on_price(risk_ids_[e.ticker], ts, e.bar.close);
  }
}

nlohmann::json TradingEngine::state_json() const {
  nlohmann::json lanes = nlohmann::json::array();
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    const Lane& lane = lanes_[i];
    lanes.push_back({{"ticker", tickers_[i]},
                     {"bars", lane.bars},
                     {"entry_bar", lane.entry_bar},
                     {"pending", lane.pending},
                     {"pending_target", lane.pending_target},
                     {"pending_quantity", lane.pending_quantity},
                     {"pending_reference", lane.pending_reference},
                     {"pending_buy_cost", lane.pending_buy_cost},
                     {"open_ids", lane.open_ids}});
  }
  return {{"format", "itrade-engine-state"},
          {"version", 1},
          {"last_batch", last_batch_ ? nlohmann::json(*last_batch_) : nlohmann::json(nullptr)},
          {"skipped_entries", skipped_entries_},
          {"book", book_.to_json()},
          {"orders", orders_.to_json()},
          {"lanes", lanes},
          {"log", log_position_.to_json()}};
}

core::Status TradingEngine::restore_state(const nlohmann::json& state) {
  std::string key = "format";
  try {
    if (state.at("format") != "itrade-engine-state" || state.at("version") != 1) {
      return core::input_error("engine state: not an itrade-engine-state document of version 1");
    }
    key = "book";
    auto book = PositionTracker::from_json(state.at("book"));
    if (!book) return core::input_error("engine state: book: {}", book.error().message);
    key = "orders";
    auto orders = OrderManager::from_json(state.at("orders"));
    if (!orders) return core::input_error("engine state: orders: {}", orders.error().message);
    key = "log";
    auto log = LogPosition::from_json(state.at("log"));
    if (!log) return core::input_error("engine state: log: {}", log.error().message);
    key = "lanes";
    const nlohmann::json& lanes = state.at("lanes");
    if (!lanes.is_array() || lanes.size() != tickers_.size()) {
      return core::input_error("engine state: lanes: {} entries for {} tickers", lanes.is_array() ? lanes.size() : 0,
                               tickers_.size());
    }
    std::vector<Lane> restored(tickers_.size());
    for (std::size_t i = 0; i < tickers_.size(); ++i) {
      key = fmt::format("lanes[{}]", i);
      const nlohmann::json& l = lanes[i];
      if (l.at("ticker") != tickers_[i]) {
        return core::input_error("engine state: {}.ticker: {} where this engine trades {}", key, l.at("ticker").dump(),
                                 tickers_[i]);
      }
      Lane& lane = restored[i];
      lane.bars = l.at("bars").get<std::int64_t>();
      lane.entry_bar = l.at("entry_bar").get<std::int64_t>();
      lane.pending = l.at("pending").get<bool>();
      lane.pending_target = l.at("pending_target").get<int>();
      lane.pending_quantity = l.at("pending_quantity").get<double>();
      lane.pending_reference = l.at("pending_reference").get<double>();
      lane.pending_buy_cost = l.at("pending_buy_cost").get<double>();
      lane.open_ids = l.at("open_ids").get<std::vector<std::string>>();
    }
    key = "last_batch";
    std::optional<core::Timestamp> last;
    if (!state.at("last_batch").is_null()) last = state.at("last_batch").get<core::Timestamp>();
    key = "skipped_entries";
    skipped_entries_ = state.at("skipped_entries").get<std::size_t>();
    book_ = std::move(*book);
    orders_ = std::move(*orders);
    log_position_ = std::move(*log);
    lanes_ = std::move(restored);
    for (std::size_t i = 0; i < tickers_.size(); ++i) {
      const TrackedPosition p = book_.position(tickers_[i]);
      lanes_[i].position = p.quantity;
      lanes_[i].mark = p.mark;
    }
    last_batch_ = last;
  } catch (const nlohmann::json::exception& e) {
    return core::input_error("engine state: key {}: {}", key, e.what());
  }
  return {};
}

core::Status TradingEngine::book_events() {
  for (const BrokerEvent& event : broker_->poll_events()) {
    const EventOutcome outcome = orders_.apply(event);
    if (logger_ != nullptr && outcome.applied()) {
      if (const Order* order = orders_.order(event.client_order_id)) logger_->log_order(*order);
    }
    if (!outcome.fill) continue;
    const Fill& fill = *outcome.fill;
    const auto at = index_.find(fill.ticker);
    if (at == index_.end()) {
      return core::runtime_error("the broker filled {} ({}), a ticker this engine does not trade", fill.ticker,
                                 fill.exec_id);
    }
    if (auto booked = book_.apply_fill(fill.ticker, fill.side, fill.quantity, fill.price, fill.commission, fill.ts);
        !booked) {
      return core::runtime_error("the broker's fill {} of {} cannot be booked: {}", fill.exec_id, fill.ticker,
                                 booked.error().message);
    }
    Lane& lane = lanes_[at->second];
    const double before = lane.position;
    const TrackedPosition after = book_.position(fill.ticker);
    lane.position = after.quantity;
    lane.mark = after.mark;
    if (sign(lane.position) != 0 && sign(lane.position) != sign(before)) {
      lane.entry_bar = lane.bars;  // filled at the open of the ticker's bar this batch brings
    }
    if (logger_ != nullptr) logger_->log_fill(fill);
    fills_.push_back(fill);
  }
  for (Lane& lane : lanes_) {
    if (lane.open_ids.empty()) continue;
    std::erase_if(lane.open_ids, [&](const std::string& id) {
      const Order* order = orders_.order(id);
      return order == nullptr || !order->open();
    });
    if (lane.open_ids.empty()) lane.pending = false;
  }
  return {};
}

double TradingEngine::buy_cost(double quantity, double close) const {
  const double price = buy_price(close, config_.cost.slippage_bps);
  return quantity * price + config_.cost.commission(quantity, price);
}

void TradingEngine::projected_positions(std::size_t own, bool include_own) {
  positions_.clear();
  for (std::size_t j = 0; j < lanes_.size(); ++j) {
    if (j == own && !include_own) continue;
    const Lane& lane = lanes_[j];
    if (lane.pending) {
      if (lane.pending_target != 0) {
        positions_.push_back({tickers_[j], lane.pending_target * lane.pending_quantity, lane.pending_reference});
      }
      continue;
    }
    if (sign(lane.position) != 0) positions_.push_back({tickers_[j], lane.position, lane.mark});
  }
}

core::Result<RiskDecision> TradingEngine::send(std::size_t ticker, OrderSide side, double quantity, OrderType type,
                                               double reference, core::Timestamp decided, std::string_view kind,
                                               bool include_own) {
  OrderRequest request;
  request.client_order_id = fmt::format("{}-{}-{}", tickers_[ticker], decided, kind);
  request.ticker = tickers_[ticker];
  request.side = side;
  request.quantity = quantity;
  request.type = type;
  request.reference_price = reference;
  request.ts = decided;
  projected_positions(ticker, include_own);
  RiskDecision decision = risk_->check_order(request, {equity_now_, positions_});
  if (logger_ != nullptr) logger_->log_risk_decision(request, decision);
  if (!decision.order) return decision;
  if (config_.shadow) {
    intended_.push_back(decision.order->request());
    return decision;
  }
  auto tracked = orders_.track(decision.order->request());
  if (!tracked) return tracked.error();
  if (tracked->duplicate) return decision;  // sent before (a replayed decision): not again
  if (auto ok = orders_.mark_submitted(request.client_order_id); !ok) return ok.error();
  if (auto ok = broker_->submit(*decision.order); !ok) return ok.error();
  if (logger_ != nullptr) logger_->log_order(*tracked->order);
  lanes_[ticker].open_ids.push_back(request.client_order_id);
  return decision;
}

void TradingEngine::decide(const EngineBar& e, core::Timestamp ts, const SessionPlace& place) {
  const std::size_t i = e.ticker;
  Lane& lane = lanes_[i];
  if (place.last) return;  // the market-on-close order sent a bar ago closes the position at this close

  const double close = e.bar.close;
  const core::Timestamp decided = ts + config_.bar_length;
  const double held = lane.position;
  const int side = sign(held);
  const std::int64_t k = lane.bars - 1;
  const Decision d = execution::decide(config_.policy, side, k - lane.entry_bar + 1, e.signal, e.confidence);
  const auto fail = [&](const core::Error& error) { error_ = error; };

  if (d.act) {
    EngineDecision record{decided, tickers_[i], e.signal, e.confidence, d, 0.0, {}};
    const double exit_cost = side < 0 ? buy_cost(std::abs(held), close) : 0.0;
    if (side != 0) {
      auto exit = send(i, side > 0 ? OrderSide::sell : OrderSide::buy, std::abs(held), OrderType::market, close,
                       decided, "exit", true);
      if (!exit) return fail(exit.error());
    }
    double quantity = 0.0;
    if (d.target != 0) {
      double committed = 0.0;
      for (const Lane& other : lanes_) {
        if (other.pending) committed += other.pending_buy_cost;
      }
      const double price =
          d.target > 0 ? buy_price(close, config_.cost.slippage_bps) : sell_price(close, config_.cost.slippage_bps);
      const double sized = entry_quantity(config_.policy, config_.cost.commission, d.target, d.strength, equity_now_,
                                          book_.cash() - (committed + exit_cost), price);
      record.sized_quantity = sized;
      if (sized <= 0.0) {
        ++skipped_entries_;
      } else {
        auto entry = send(i, d.target > 0 ? OrderSide::buy : OrderSide::sell, sized, OrderType::market, close, decided,
                          "entry", false);
        if (!entry) return fail(entry.error());
        record.risk = *entry;
        if (entry->order) quantity = entry->approved_quantity;
      }
    }
    decisions_.push_back(std::move(record));
    // Shadow mode sends nothing, so nothing is pending (and the book stays flat).
    if (!config_.shadow && (side != 0 || quantity > 0.0)) {
      lane.pending = true;
      lane.pending_target = quantity > 0.0 ? d.target : 0;
      lane.pending_quantity = quantity;
      lane.pending_reference = close;
      lane.pending_buy_cost = exit_cost + (d.target > 0 && quantity > 0.0 ? buy_cost(quantity, close) : 0.0);
    }
  }

  if (place.before_last) {
    const double projected = lane.pending ? lane.pending_target * lane.pending_quantity : held;
    if (sign(projected) != 0) {
      auto flatten = send(i, projected > 0.0 ? OrderSide::sell : OrderSide::buy, std::abs(projected),
                          OrderType::market_on_close, close, decided, "moc", true);
      if (!flatten) return fail(flatten.error());
    }
  }
}

}  // namespace itrade::execution

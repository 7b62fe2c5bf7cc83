#pragma once
// Broker: where approved orders go and where fills come from (docs/execution.md, "Brokers").
// The interface fits a real broker such as Interactive Brokers: submitting only hands the order
// over; every answer (acceptance with the broker's order id, fills, cancellation, rejection,
// expiry) arrives later as a BrokerEvent, at least once and not always in order, and the
// OrderManager sorts that out. It takes only an ApprovedOrder, which only the risk manager can
// make: no order reaches a broker around the risk limits.

#include <string_view>
#include <vector>

#include "core/result.h"
#include "execution/order.h"
#include "execution/risk_manager.h"

namespace itrade::execution {

// The account as the broker sees it.
struct BrokerAccount {
  double cash = 0.0;
  double equity = 0.0;  // cash + positions at the broker's last prices
};

class Broker {
 public:
  virtual ~Broker() = default;

  // Hands the order to the broker. Runtime error when the broker cannot be reached; everything
  // else (a refusal included) comes back as events.
  virtual core::Status submit(const ApprovedOrder& order) = 0;
  // Asks the broker to cancel the unfilled rest; the answer is a `cancelled` event (or, when the
  // order filled first, none). Runtime error when the broker cannot be reached.
  virtual core::Status cancel(std::string_view client_order_id) = 0;
  // The events that arrived since the last call, in arrival order.
  virtual std::vector<BrokerEvent> poll_events() = 0;
  virtual core::Result<std::vector<BrokerPosition>> positions() = 0;
  virtual core::Result<BrokerAccount> account() = 0;
};

}  // namespace itrade::execution

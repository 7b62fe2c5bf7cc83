#pragma once
// Set-ups the backtester's test suites share: signals with one confidence, and a cost-free config.

#include <utility>
#include <vector>

#include "evaluation/backtest_config.h"
#include "evaluation/backtester.h"

namespace itrade::evaluation::testing {

inline TickerSignals signals(std::vector<double> signal, double confidence = 1.0) {
  TickerSignals s;
  s.confidence.assign(signal.size(), confidence);
  s.signal = std::move(signal);
  return s;
}

// No costs, half the equity per full-strength signal, whole shares, 10,000 cash.
inline BacktestConfig zero_cost() {
  BacktestConfig c;
  c.initial_cash = 10'000.0;
  c.position_fraction = 0.5;
  c.commission = CommissionConfig{0.0, 0.0, 0.0, 0.0};
  c.slippage_bps = 0.0;
  return c;
}

}  // namespace itrade::evaluation::testing

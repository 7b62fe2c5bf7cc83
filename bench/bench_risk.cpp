// The risk manager's share of the bar-to-decision latency (docs/PERFORMANCE.md, "Execution"):
// one price update per ticker per bar, and one order check against an account holding 19
// positions whose correlation windows are full (the most work a check does: every limit passes,
// so every check runs, the correlation against each open position over 390 bars).

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/time.h"
#include "execution/risk_manager.h"

namespace {

using itrade::core::Timestamp;
using namespace itrade::execution;

constexpr Timestamp kBar = 300'000'000'000;  // 5 minutes

Timestamp morning() { return *itrade::core::parse_utc("2024-11-20T15:00:00Z"); }

std::vector<std::string> ticker_names(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(fmt::format("T{}", i));
  return names;
}

// A risk manager that has seen `bars` bars of `tickers` random-walk prices ending just before 10:00.
RiskManager warmed_up(const std::vector<std::string>& tickers, int bars, std::vector<double>& last) {
  SectorMap sectors;
  for (std::size_t i = 0; i < tickers.size(); ++i) sectors.set(tickers[i], fmt::format("S{}", i % 11));
  RiskConfig config;
  config.max_sector_exposure_pct = 0.6;
  RiskManager risk(config, sectors);
  std::mt19937 rng(1);
  std::normal_distribution<double> step(0.0, 0.002);
  last.assign(tickers.size(), 100.0);
  for (int b = 0; b < bars; ++b) {
    const Timestamp ts = morning() - static_cast<Timestamp>(bars - b) * kBar;
    for (std::size_t i = 0; i < tickers.size(); ++i) {
      last[i] *= std::exp(step(rng));
      risk.on_price(tickers[i], ts, last[i]);
    }
  }
  return risk;
}

void BM_RiskCheckOrder(benchmark::State& state) {
  const auto tickers = ticker_names(500);
  std::vector<double> last;
  RiskManager risk = warmed_up(tickers, 400, last);
  std::vector<PositionView> positions;
  for (int i = 1; i <= 19; ++i) positions.push_back({tickers[static_cast<std::size_t>(i)], i % 2 ? 10.0 : -10.0});
  OrderRequest order;
  order.client_order_id = "bench";
  order.ticker = tickers[100];
  order.side = OrderSide::buy;
  order.quantity = 10;
  order.reference_price = last[100];
  order.ts = morning();
  const AccountView account{100'000.0, positions};
  if (const RiskDecision check = risk.check_order(order, account); check.verdict != Verdict::approve) {
    state.SkipWithError(fmt::format("the order should pass every limit: {}", check.reason).c_str());
    return;
  }
  for (auto _ : state) {
    RiskDecision decision = risk.check_order(order, account);
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_RiskCheckOrder);

// One bar of prices for N tickers.
void BM_RiskOnPriceBar(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  const auto tickers = ticker_names(n);
  std::vector<double> last;
  RiskManager risk = warmed_up(tickers, 400, last);
  Timestamp ts = morning();
  for (auto _ : state) {
    ts += kBar;
    for (int i = 0; i < n; ++i)
      risk.on_price(tickers[static_cast<std::size_t>(i)], ts, last[static_cast<std::size_t>(i)]);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_RiskOnPriceBar)->Arg(1)->Arg(500);

}  // namespace

BENCHMARK_MAIN();

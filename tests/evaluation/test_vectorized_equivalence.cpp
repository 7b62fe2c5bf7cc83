// The backtester in its vectorized-comparison settings equals vectorbt's
// Portfolio.from_signals (docs/backtesting.md, "Equivalence with vectorbt"):
//
//   ours:     fill: close, long_only: true, whole_shares: false, flatten_at_close: false,
//             max_holding_bars: 0, commission { per_share: 0, bps: B }, slippage_bps: S
//   vectorbt: Portfolio.from_signals(close, entries = signal >= entry_threshold,
//             exits = signal <= exit_threshold (and True at the last bar),
//             size = min(1, position_fraction x |signal| x confidence x (1 + B/1e4)),
//             size_type='percent', direction='longonly', fees = B/1e4, slippage = S/1e4,
//             init_cash = initial_cash)   [accumulate=False, fixed_fees=0: the defaults]
//
// vectorbt cannot be installed here, so vectorbt_from_signals() below re-implements the rules
// of vectorbt/portfolio/nb.py (signal_to_size_nb, buy_nb, sell_nb and the from-signals loop) as a
// plain loop over the bars, written from those rules and not from the backtester:
//   - a bar with an entry and no position buys; a bar with an exit and a position sells it all;
//     otherwise nothing (no accumulation, an entry while long is ignored);
//   - buy, size_type percent p: size = +inf with cash_limit = min(cash, p x cash); the fill price
//     is price x (1 + slippage); an infinite size cannot be paid, so the order takes the
//     "insufficient cash" branch: max_req_cash = (cash_limit - fixed_fees) / (1 + fees),
//     size = max_req_cash / adj_price, fees_paid = cash_limit - max_req_cash, cash -= cash_limit;
//   - sell: adj_price = price x (1 - slippage), acq_cash = size x adj_price,
//     fees_paid = acq_cash x fees + fixed_fees, cash += acq_cash - fees_paid;
//   - value (equity) = cash + position x close; a trade's pnl = size x (exit - entry) - both fees.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/bars.h"
#include "data/synthetic_market.h"
#include "evaluation/backtester.h"

namespace itrade::evaluation {
namespace {

struct VbtTrade {
  std::size_t entry_idx = 0;
  std::size_t exit_idx = 0;
  double size = 0.0;
  double entry_price = 0.0;
  double exit_price = 0.0;
  double fees = 0.0;
  double pnl = 0.0;
};

struct VbtPortfolio {
  std::vector<double> cash;
  std::vector<double> value;
  std::vector<VbtTrade> trades;
};

VbtPortfolio vectorbt_from_signals(const std::vector<double>& close, const std::vector<bool>& entries,
                                   const std::vector<bool>& exits, const std::vector<double>& size_percent, double fees,
                                   double slippage, double init_cash) {
  const double fixed_fees = 0.0;
  VbtPortfolio out;
  double cash = init_cash;
  double position = 0.0;
  VbtTrade open;
  for (std::size_t i = 0; i < close.size(); ++i) {
    const double price = close[i];
    const bool entry = entries[i] && !exits[i];  // conflict_mode 'ignore': both ignored
    const bool exit = exits[i] && !entries[i];
    if (position == 0.0 && entry) {
      const double adj_price = price * (1.0 + slippage);
      const double cash_limit = std::min(cash, size_percent[i] * cash);
      const double max_req_cash = (cash_limit - fixed_fees) / (1.0 + fees);
      if (cash_limit > 0.0 && max_req_cash > 0.0) {
        open.entry_idx = i;
        open.size = max_req_cash / adj_price;
        open.entry_price = adj_price;
        open.fees = cash_limit - max_req_cash;
        cash -= cash_limit;
        position = open.size;
      }
    } else if (position > 0.0 && exit) {
      const double adj_price = price * (1.0 - slippage);
      const double acq_cash = position * adj_price;
      const double fees_paid = acq_cash * fees + fixed_fees;
      cash += acq_cash - fees_paid;
      open.exit_idx = i;
      open.exit_price = adj_price;
      open.fees += fees_paid;
      open.pnl = open.size * open.exit_price - open.size * open.entry_price - open.fees;
      out.trades.push_back(open);
      position = 0.0;
    }
    out.cash.push_back(cash);
    out.value.push_back(cash + position * price);
  }
  return out;
}

struct Case {
  double position_fraction = 0.5;
  double entry_threshold = 0.1;
  double exit_threshold = 0.0;
  double fee_bps = 5.0;
  double slippage_bps = 2.0;
  double initial_cash = 100'000.0;
};

BacktestConfig our_config(const Case& c) {
  BacktestConfig config;
  config.initial_cash = c.initial_cash;
  config.position_fraction = c.position_fraction;
  config.entry_threshold = c.entry_threshold;
  config.exit_threshold = c.exit_threshold;
  config.long_only = true;
  config.commission = CommissionConfig{0.0, 0.0, 0.0, c.fee_bps};
  config.slippage_bps = c.slippage_bps;
  config.fill = FillMode::close;
  config.flatten_at_close = false;
  config.max_holding_bars = 0;
  config.whole_shares = false;
  return config;
}

// |a - b| within 1e-9 of the larger magnitude (or of `scale`, for values that may be 0).
void expect_close(double a, double b, double scale, const char* what, std::size_t i) {
  const double tolerance = 1e-9 * std::max({std::abs(a), std::abs(b), scale});
  ASSERT_LE(std::abs(a - b), tolerance) << what << " at " << i << ": " << a << " vs " << b;
}

// Runs both on one ticker and compares trades, cash and equity bar by bar. Returns the trade count.
std::size_t expect_equivalent(const core::BarSeries& bars, const TickerSignals& s, const Case& c) {
  const std::size_t n = bars.size();
  std::vector<bool> entries(n);
  std::vector<bool> exits(n);
  std::vector<double> size(n);
  const double fees = c.fee_bps / 1e4;
  for (std::size_t i = 0; i < n; ++i) {
    entries[i] = s.signal[i] >= c.entry_threshold;
    exits[i] = s.signal[i] <= c.exit_threshold;
    size[i] = std::min(1.0, c.position_fraction * std::abs(s.signal[i]) * s.confidence[i] * (1.0 + fees));
  }
  // vectorbt keeps the last position open; the backtester closes it at the last close.
  entries[n - 1] = false;
  exits[n - 1] = true;
  const VbtPortfolio vbt =
      vectorbt_from_signals(bars.close, entries, exits, size, fees, c.slippage_bps / 1e4, c.initial_cash);

  const std::vector<core::BarSeries> all = {bars};
  const std::vector<TickerSignals> all_signals = {s};
  auto result = run_backtest(all, all_signals, our_config(c));
  EXPECT_TRUE(result.ok()) << result.error().message;
  if (!result.ok()) return 0;
  const BacktestResult& ours = *result;

  EXPECT_EQ(ours.skipped_entries, 0u);
  EXPECT_EQ(ours.trades.size(), vbt.trades.size());
  if (ours.trades.size() != vbt.trades.size()) return 0;
  for (std::size_t k = 0; k < vbt.trades.size(); ++k) {
    const Trade& a = ours.trades[k];
    const VbtTrade& b = vbt.trades[k];
    EXPECT_EQ(a.entry_ts, bars.ts[b.entry_idx]) << "trade " << k;
    EXPECT_EQ(a.exit_ts, bars.ts[b.exit_idx]) << "trade " << k;
    EXPECT_EQ(a.side, Side::long_position);
    expect_close(a.quantity, b.size, 0.0, "quantity", k);
    expect_close(a.entry_price, b.entry_price, 0.0, "entry price", k);
    expect_close(a.exit_price, b.exit_price, 0.0, "exit price", k);
    expect_close(a.fees, b.fees, 0.0, "fees", k);
    expect_close(a.pnl, b.pnl, 1e-6 * c.initial_cash, "pnl", k);
    EXPECT_EQ(a.reason, b.exit_idx == n - 1 ? ExitReason::end_of_data : ExitReason::signal) << "trade " << k;
  }
  EXPECT_EQ(ours.ts, bars.ts);
  for (std::size_t i = 0; i < n; ++i) {
    expect_close(ours.cash[i], vbt.cash[i], c.initial_cash, "cash", i);
    expect_close(ours.equity[i], vbt.value[i], 0.0, "equity", i);
  }
  expect_close(ours.cash.back(), vbt.cash.back(), 0.0, "final cash", n - 1);
  return vbt.trades.size();
}

// A random walk with an AR(1) signal (phi 0.95): positions last several bars.
void random_walk(std::size_t n, unsigned seed, core::BarSeries& bars, TickerSignals& s) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  bars.ticker = "RW";
  double price = 50.0;
  double signal = 0.0;
  const core::Timestamp t0 = 1'723'469'400'000'000'000;  // 2024-08-12T13:30:00Z
  for (std::size_t i = 0; i < n; ++i) {
    const double close = price * std::exp(0.002 * normal(rng));
    bars.push_back(t0 + static_cast<core::Timestamp>(i) * 300'000'000'000, price, std::max(price, close),
                   std::min(price, close), close, 1000.0);
    price = close;
    signal = std::clamp(0.95 * signal + 0.25 * normal(rng), -1.0, 1.0);
    s.signal.push_back(uniform(rng) < 0.02 ? std::nan("") : signal);
    s.confidence.push_back(0.2 + 0.8 * uniform(rng));
  }
}

TEST(VectorizedEquivalenceTest, RandomWalkPercentSizing) {
  core::BarSeries bars;
  TickerSignals s;
  random_walk(5000, 1, bars, s);
  const std::size_t trades = expect_equivalent(bars, s, Case{});
  EXPECT_GT(trades, 100u);
}

TEST(VectorizedEquivalenceTest, RandomWalkOtherThresholdsAndCosts) {
  core::BarSeries bars;
  TickerSignals s;
  random_walk(4000, 2, bars, s);
  Case c;
  c.position_fraction = 0.9;  // some entries ask for more than the cash: sized down to all of it
  c.entry_threshold = 0.3;
  c.exit_threshold = 0.1;
  c.fee_bps = 10.0;
  c.slippage_bps = 5.0;
  c.initial_cash = 25'000.0;
  EXPECT_GT(expect_equivalent(bars, s, c), 50u);
  c.fee_bps = 0.0;
  c.slippage_bps = 0.0;
  EXPECT_GT(expect_equivalent(bars, s, c), 50u);
}

// |signal| = confidence = position_fraction = 1: vectorbt's default size=np.inf (all the cash).
TEST(VectorizedEquivalenceTest, FullSizeIsVectorbtsDefaultAllCash) {
  core::BarSeries bars;
  TickerSignals s;
  random_walk(3000, 3, bars, s);
  for (std::size_t i = 0; i < s.signal.size(); ++i) {
    s.signal[i] = std::isnan(s.signal[i]) ? s.signal[i] : (s.signal[i] > 0.0 ? 1.0 : -1.0);
    s.confidence[i] = 1.0;
  }
  Case c;
  c.position_fraction = 1.0;
  EXPECT_GT(expect_equivalent(bars, s, c), 100u);
}

// Real-looking prices: the synthetic market (GARCH volatility, jumps, overnight gaps), 40 days
// of 5-minute bars of one ticker.
TEST(VectorizedEquivalenceTest, SyntheticMarketPrices) {
  data::SynthOptions options;
  options.tickers = 1;
  options.days = 40;
  options.seed = 7;
  const core::BarFrame frame = data::generate_synthetic_market(options);
  ASSERT_EQ(frame.series.size(), 1u);
  const core::BarSeries& bars = frame.series[0];
  ASSERT_GT(bars.size(), 3000u);
  // A signal that follows the last 6 bars' return, so that trades follow the price path.
  TickerSignals s;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double past = i >= 6 ? bars.close[i] / bars.close[i - 6] - 1.0 : 0.0;
    s.signal.push_back(std::clamp(past / 0.004, -1.0, 1.0));
    s.confidence.push_back(0.5 + 0.5 * uniform(rng));
  }
  Case c;
  c.position_fraction = 0.7;
  c.entry_threshold = 0.2;
  EXPECT_GT(expect_equivalent(bars, s, c), 100u);
}

}  // namespace
}  // namespace itrade::evaluation

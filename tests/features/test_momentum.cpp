// Roc, Rsi and Macd against textbook loops computed independently in the test, TA-Lib seeding,
// degenerate cases, warm-up NaNs, reset() and settle().

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "features/indicator_fixture.h"
#include "features/indicators/momentum.h"

namespace itrade::features {
namespace {

using indicator_fixture::expect_rel;
using indicator_fixture::expect_series;
using indicator_fixture::kCloses;
using indicator_fixture::long_series;
using indicator_fixture::run;

std::vector<double> textbook_roc(const std::vector<double>& x, int period) {
  std::vector<double> out(x.size(), NAN);
  for (size_t t = static_cast<size_t>(period); t < x.size(); ++t) {
    const double past = x[t - static_cast<size_t>(period)];
    out[t] = 100.0 * (x[t] - past) / past;
  }
  return out;
}

std::vector<double> textbook_rsi(const std::vector<double>& x, int period) {
  std::vector<double> out(x.size(), NAN);
  double gain = 0.0;
  double loss = 0.0;
  for (size_t t = 1; t <= static_cast<size_t>(period); ++t) {
    const double change = x[t] - x[t - 1];
    if (change > 0) gain += change;
    if (change < 0) loss -= change;
  }
  gain /= period;
  loss /= period;
  out[static_cast<size_t>(period)] = gain + loss == 0.0 ? 0.0 : 100.0 * gain / (gain + loss);
  for (size_t t = static_cast<size_t>(period) + 1; t < x.size(); ++t) {
    const double change = x[t] - x[t - 1];
    gain = (gain * (period - 1) + (change > 0 ? change : 0.0)) / period;
    loss = (loss * (period - 1) + (change < 0 ? -change : 0.0)) / period;
    out[t] = gain + loss == 0.0 ? 0.0 : 100.0 * gain / (gain + loss);
  }
  return out;
}

// EMA whose first value is at bar `first`, seeded with the mean of x[first - period + 1 .. first].
std::vector<double> ema_from(const std::vector<double>& x, int period, size_t first) {
  std::vector<double> out(x.size(), NAN);
  const double k = 2.0 / (period + 1);
  double sum = 0.0;
  for (size_t j = first + 1 - static_cast<size_t>(period); j <= first; ++j) sum += x[j];
  double ema = sum / period;
  out[first] = ema;
  for (size_t t = first + 1; t < x.size(); ++t) out[t] = ema = k * x[t] + (1.0 - k) * ema;
  return out;
}

struct TextbookMacd {
  std::vector<double> macd, signal, histogram;
};

TextbookMacd textbook_macd(const std::vector<double>& x, int fast, int slow, int signal) {
  const size_t start = static_cast<size_t>(slow - 1);
  const std::vector<double> fast_ema = ema_from(x, fast, start);  // seed: SMA of x[slow-fast .. slow-1]
  const std::vector<double> slow_ema = ema_from(x, slow, start);  // seed: SMA of x[0 .. slow-1]
  std::vector<double> line(x.size(), 0.0);
  for (size_t t = start; t < x.size(); ++t) line[t] = fast_ema[t] - slow_ema[t];
  const size_t first = start + static_cast<size_t>(signal - 1);
  const std::vector<double> sig = ema_from(line, signal, first);
  TextbookMacd out{std::vector<double>(x.size(), NAN), sig, std::vector<double>(x.size(), NAN)};
  for (size_t t = first; t < x.size(); ++t) {
    out.macd[t] = line[t];
    out.histogram[t] = line[t] - sig[t];
  }
  return out;
}

TEST(Roc, MatchesTextbookAtEveryBar) {
  for (int period : {1, 5, 10}) {
    Roc roc(period);
    EXPECT_EQ(roc.lookback(), period);
    EXPECT_EQ(roc.settle(), period);
    expect_series(run(roc, kCloses), textbook_roc(kCloses, period), roc.lookback());
  }
}

TEST(Roc, HandValuesAndZeroReference) {
  Roc roc(2);
  const std::vector<double> out = run(roc, {100, 50, 110, 0, 10, 5});
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_NEAR(out[2], 10.0, 1e-12);  // 110 / 100 - 1 rounds to 0.1 + 9e-17
  EXPECT_DOUBLE_EQ(out[3], -100.0);
  EXPECT_DOUBLE_EQ(out[4], (10.0 / 110.0 - 1.0) * 100.0);
  EXPECT_EQ(out[5], 0.0);  // reference value 0: TA-Lib outputs 0
}

TEST(Rsi, MatchesTextbookAtEveryBar) {
  for (int period : {2, 5, 14}) {
    Rsi rsi(period);
    EXPECT_EQ(rsi.lookback(), period);
    const std::vector<double> out = run(rsi, kCloses);
    expect_series(out, textbook_rsi(kCloses, period), rsi.lookback());
    for (size_t i = static_cast<size_t>(period); i < out.size(); ++i) {
      EXPECT_GE(out[i], 0.0);
      EXPECT_LE(out[i], 100.0);
    }
  }
}

TEST(Rsi, RisingIs100FallingIs0FlatIs0) {
  Rsi rising(5);
  Rsi falling(5);
  Rsi flat(5);
  for (int i = 0; i < 30; ++i) {
    const double up = rising.update(100.0 + i);
    const double down = falling.update(100.0 - i);
    const double level = flat.update(100.0);
    if (i < 5) {
      EXPECT_TRUE(std::isnan(up) && std::isnan(down) && std::isnan(level));
    } else {
      EXPECT_EQ(up, 100.0);
      EXPECT_EQ(down, 0.0);
      EXPECT_EQ(level, 0.0);  // TA-Lib: gain + loss == 0 gives 0, not 50
    }
  }
}

TEST(Rsi, FirstValueIsSimpleMeanOfFirstChanges) {
  Rsi rsi(3);
  // Changes +2, -1, +3: mean gain 5/3, mean loss 1/3, RSI = 100 * 5 / 6.
  const std::vector<double> out = run(rsi, {10, 12, 11, 14});
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_DOUBLE_EQ(out[3], 100.0 * 5.0 / 6.0);
  // Next change -2: gain (5/3 * 2 + 0) / 3 = 10/9, loss (1/3 * 2 + 2) / 3 = 8/9.
  EXPECT_DOUBLE_EQ(rsi.update(12), 100.0 * 10.0 / 18.0);
}

TEST(Rsi, SettleFormula) {
  const int t = static_cast<int>(std::ceil(std::log(kSettleWeight) / std::log(1.0 - 1.0 / 14.0)));
  EXPECT_EQ(Rsi(14).settle(), 14 + t);
}

TEST(Macd, MatchesTextbookAtEveryBar) {
  Macd macd;  // 12, 26, 9
  EXPECT_EQ(macd.lookback(), 33);
  const TextbookMacd expected = textbook_macd(kCloses, 12, 26, 9);
  std::vector<double> line, signal, histogram;
  for (double c : kCloses) {
    const MacdValue v = macd.update(c);
    line.push_back(v.macd);
    signal.push_back(v.signal);
    histogram.push_back(v.histogram);
  }
  expect_series(line, expected.macd, 33, 1.0);
  expect_series(signal, expected.signal, 33, 1.0);
  expect_series(histogram, expected.histogram, 33, 1.0);
}

TEST(Macd, HandValuesShowTaLibSeeding) {
  // MACD(fast 2, slow 3, signal 2) of 1, 2, 4, 7, 11, by hand:
  // bar 2: slow seed = SMA(1, 2, 4) = 7/3; fast seed = SMA of the 2 bars ending there = (2+4)/2 = 3;
  //        macd = 2/3, but no output yet: the signal needs 2 MACD values.
  // bar 3: fast = 3 + 2/3 (7 - 3) = 17/3; slow = 7/3 + 1/2 (7 - 7/3) = 14/3; macd = 1;
  //        signal seed = SMA(2/3, 1) = 5/6; histogram = 1/6.
  // bar 4: fast = 17/3 + 2/3 (11 - 17/3) = 83/9; slow = 14/3 + 1/2 (11 - 14/3) = 47/6;
  //        macd = 25/18; signal = 5/6 + 2/3 (25/18 - 5/6) = 65/54; histogram = 5/27.
  Macd macd(2, 3, 2);
  EXPECT_EQ(macd.lookback(), 3);
  for (double x : {1.0, 2.0, 4.0}) {
    const MacdValue v = macd.update(x);
    EXPECT_TRUE(std::isnan(v.macd) && std::isnan(v.signal) && std::isnan(v.histogram));
  }
  MacdValue v = macd.update(7.0);
  EXPECT_NEAR(v.macd, 1.0, 1e-14);
  EXPECT_NEAR(v.signal, 5.0 / 6.0, 1e-14);
  EXPECT_NEAR(v.histogram, 1.0 / 6.0, 1e-14);
  v = macd.update(11.0);
  EXPECT_NEAR(v.macd, 25.0 / 18.0, 1e-14);
  EXPECT_NEAR(v.signal, 65.0 / 54.0, 1e-14);
  EXPECT_NEAR(v.histogram, 5.0 / 27.0, 1e-14);
}

TEST(Macd, SmallPeriodsAndSwappedFastSlow) {
  Macd macd(5, 3, 2);  // TA-Lib swaps: fast 3, slow 5
  EXPECT_EQ(macd.lookback(), 4 + 1);
  const TextbookMacd expected = textbook_macd(kCloses, 3, 5, 2);
  std::vector<double> line;
  for (double c : kCloses) line.push_back(macd.update(c).macd);
  expect_series(line, expected.macd, 5, 1.0);
}

TEST(Momentum, ResetReproducesOutputs) {
  Roc roc(4);
  Rsi rsi(4);
  Macd macd(3, 6, 4);
  std::vector<double> first;
  for (double c : kCloses) {
    first.push_back(roc.update(c));
    first.push_back(rsi.update(c));
    first.push_back(macd.update(c).histogram);
  }
  roc.reset();
  rsi.reset();
  macd.reset();
  size_t i = 0;
  for (double c : kCloses) {
    for (double v : {roc.update(c), rsi.update(c), macd.update(c).histogram}) {
      EXPECT_TRUE(v == first[i] || (std::isnan(v) && std::isnan(first[i]))) << i;
      ++i;
    }
  }
}

TEST(Momentum, SettleAgreesAcrossStartingPoints) {
  const std::vector<double> x = long_series(1200);
  {
    Roc a(10), b(10);
    for (int i = 0; i < 137; ++i) a.update(x[static_cast<size_t>(i)]);
    for (size_t i = 137; i < x.size(); ++i) {
      const double va = a.update(x[i]);
      const double vb = b.update(x[i]);
      if (static_cast<int>(i - 137) >= b.settle()) {
        EXPECT_EQ(va, vb) << i;
      }
    }
  }
  {
    Rsi a(14), b(14);
    for (int i = 0; i < 137; ++i) a.update(x[static_cast<size_t>(i)]);
    for (size_t i = 137; i < x.size(); ++i) {
      const double va = a.update(x[i]);
      const double vb = b.update(x[i]);
      if (static_cast<int>(i - 137) >= b.settle()) {
        expect_rel(vb, va, 1e-9, static_cast<int>(i));
      }
    }
  }
  {
    // MACD crosses zero, so its error is measured against the price level (~100), the scale of
    // the starting-history discrepancy it forgets.
    Macd a, b;
    for (int i = 0; i < 137; ++i) a.update(x[static_cast<size_t>(i)]);
    ASSERT_LT(137 + b.settle() + 50, static_cast<int>(x.size()));
    for (size_t i = 137; i < x.size(); ++i) {
      const MacdValue va = a.update(x[i]);
      const MacdValue vb = b.update(x[i]);
      if (static_cast<int>(i - 137) >= b.settle()) {
        EXPECT_NEAR(vb.macd, va.macd, 1e-9 * 100.0) << i;
        EXPECT_NEAR(vb.signal, va.signal, 1e-9 * 100.0) << i;
        EXPECT_NEAR(vb.histogram, va.histogram, 1e-9 * 100.0) << i;
      }
    }
  }
}

}  // namespace
}  // namespace itrade::features

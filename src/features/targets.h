#pragma once
// Supervised-learning targets (labels) over one ticker's BarSeries. Every label at bar t reads only
// close[t] (the entry price, known at the end of bar t) and bars t+1 .. t+horizon; volatility_regime
// also reads the trailing window t-w .. t. Rows whose horizon is incomplete, or (cross_session ==
// false) whose horizon leaves bar t's NYSE regular session, are NaN. Horizons count bars by index,
// not by clock time: a series with gaps (missing bars) stretches the horizon in time. Definitions:
// docs/targets.md.

#include <vector>

#include "core/bars.h"
#include "core/result.h"

namespace itrade::features {

// Class codes stored as doubles in the label vectors (NaN = undefined).
inline constexpr double kDirectionShort = 0.0;
inline constexpr double kDirectionHold = 1.0;
inline constexpr double kDirectionLong = 2.0;

inline constexpr double kVolLow = 0.0;
inline constexpr double kVolNormal = 1.0;
inline constexpr double kVolHigh = 2.0;

inline constexpr double kBarrierStopLoss = 0.0;
inline constexpr double kBarrierTimeout = 1.0;
inline constexpr double kBarrierProfitTake = 2.0;

// Number of bars after t each label reads (its look-ahead), so callers can purge/embargo
// train/test splits by that many bars.
constexpr int forward_return_horizon(int bars_ahead) { return bars_ahead; }
constexpr int direction_horizon(int bars_ahead) { return bars_ahead; }
constexpr int triple_barrier_horizon(int max_bars) { return max_bars; }
constexpr int volatility_regime_horizon(int window) { return window; }
// Bars at or before t volatility_regime reads: w returns need w + 1 closes, t - w .. t.
constexpr int volatility_regime_lookback(int window) { return window + 1; }

// close[t + h] / close[t] - 1 (a fraction, not percent). Input error when h < 1.
core::Result<std::vector<double>> forward_return(const core::BarSeries& bars, int bars_ahead, bool cross_session);

// Forward return r over h bars classified with a dead zone: short (0) if r < -threshold, long (2) if
// r > threshold, hold (1) otherwise, boundaries included in hold. threshold is a fraction (0.001 =
// 10 bp). Input error when h < 1 or threshold < 0.
core::Result<std::vector<double>> direction(const core::BarSeries& bars, int bars_ahead, double threshold,
                                            bool cross_session);

// Ratio of forward to trailing realised volatility (sample std, ddof = 1, of w one-bar log returns
// each side of t), classified low (0) if ratio < threshold_low, high (2) if ratio > threshold_high,
// normal (1) otherwise. Input error when w < 2, a threshold < 0 or threshold_low > threshold_high.
core::Result<std::vector<double>> volatility_regime(const core::BarSeries& bars, int window, double threshold_low,
                                                    double threshold_high, bool cross_session);

// Triple-barrier label with entry at close[t]: stop loss (0) if low touches close[t] * (1 - stop_loss)
// first, profit take (2) if high touches close[t] * (1 + profit_take) first, timeout (1) if neither
// within max_bars bars. A bar touching both counts as stop loss (conservative: the intrabar order is
// unknown). profit_take and stop_loss are fractions (0.005 = 0.5 %). Input error when max_bars < 1,
// profit_take <= 0 or stop_loss <= 0.
core::Result<std::vector<double>> triple_barrier(const core::BarSeries& bars, double profit_take, double stop_loss,
                                                 int max_bars, bool cross_session);

}  // namespace itrade::features

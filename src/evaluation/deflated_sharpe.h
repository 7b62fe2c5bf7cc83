#pragma once
// How much a backtest's Sharpe ratio can be trusted (docs/analytics.md, "Deflated Sharpe ratio"):
// the Probabilistic Sharpe Ratio (PSR) and the Deflated Sharpe Ratio (DSR) of D. H. Bailey and
// M. López de Prado, "The Deflated Sharpe Ratio: Correcting for Selection Bias, Backtest
// Overfitting and Non-Normality", Journal of Portfolio Management 40(5), 2014.
//
// Every Sharpe ratio in this file is per period (per day for daily returns), NOT annualised:
// divide an annualised Sharpe by sqrt(252) before passing it in.

#include <cstddef>
#include <optional>
#include <vector>

#include "core/result.h"

namespace itrade::evaluation {

// Standard normal distribution function Phi(x) = erfc(-x / sqrt(2)) / 2.
double normal_cdf(double x);

// Its inverse Phi^-1(p): P. J. Acklam's rational approximation refined by one Halley step,
// absolute error under 1e-14 for |x| <= 8 and relative error under 1e-14 beyond. -inf at
// p = 0, +inf at p = 1, NaN outside [0, 1] or for NaN.
double normal_quantile(double p);

// Expected maximum of `trials` independent per-period Sharpe estimates whose true value is 0 and
// whose variance across trials is `variance` (the paper's SR0):
//   sqrt(V) x ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e))), gamma = 0.5772156649...
// 0 for a single trial. NaN for trials < 1 or a negative variance.
double expected_max_sharpe(std::size_t trials, double variance);

// PSR(SR*) = Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - skew SR + (kurtosis - 1) / 4 SR^2)): the
// probability that the true Sharpe exceeds `benchmark`, given a Sharpe `sr` estimated on
// `observations` returns with that skewness and (non-excess, normal = 3) kurtosis.
// NaN when T < 2, any input is NaN, or the variance term is not positive.
double probabilistic_sharpe(double sr, double benchmark, std::size_t observations, double skew, double kurtosis);

struct DeflatedSharpeInputs {
  // Per-period returns of the selected run (daily_returns() gives them for a backtest). T >= 2.
  std::vector<double> returns;
  // N: every run recorded on the same data while searching, the selected one included (>= 1).
  std::size_t trials = 1;
  // The variance across the N trials of their per-period Sharpe ratios: give either the number
  // or the trial Sharpes to take it from (sample variance, ddof 1), not both. Needed when N > 1.
  std::optional<double> trial_sharpe_variance;
  std::vector<double> trial_sharpes;
};

struct DeflatedSharpe {
  double sr = 0.0;                     // per-period Sharpe of the returns: mean / std (ddof 1)
  double sr0 = 0.0;                    // expected maximum Sharpe of N null trials (0 when N = 1)
  double psr = 0.0;                    // PSR(0): probability that the true Sharpe is above 0
  double dsr = 0.0;                    // PSR(SR0): the deflated Sharpe ratio, a probability
  double skew = 0.0;                   // m3 / m2^1.5 with central moments m_k = mean((r - mean)^k)
  double kurtosis = 0.0;               // m4 / m2^2 (non-excess: 3 for normal returns)
  std::size_t observations = 0;        // T
  std::size_t trials = 0;              // N
  double trial_sharpe_variance = 0.0;  // V as used (0 when N = 1)
};

// Input errors: fewer than 2 returns or a non-finite return; N < 1; a negative or non-finite
// variance; both a variance and trial Sharpes; trial Sharpes that are not finite or more
// numerous than N; N > 1 without a variance or with fewer than 2 trial Sharpes.
// Returns with zero variance give NaN for sr, skew, kurtosis, psr and dsr (the Sharpe ratio is
// undefined), not an error: a run that never traded is a valid run.
core::Result<DeflatedSharpe> deflated_sharpe(const DeflatedSharpeInputs& inputs);

}  // namespace itrade::evaluation

// Normal quantiles, PSR and DSR against published quantiles, hand computation and the numerical
// example of Bailey & López de Prado (2014) (docs/analytics.md, "Deflated Sharpe ratio").

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "evaluation/analytics.h"
#include "evaluation/deflated_sharpe.h"

namespace itrade::evaluation {
namespace {

constexpr double kGamma = 0.5772156649015329;  // Euler-Mascheroni

// --- Phi and Phi^-1 --------------------------------------------------------------------------

TEST(DeflatedSharpeNormal, QuantileMatchesKnownValues) {
  // Reference quantiles (tables / 30-digit arithmetic).
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-13);
  EXPECT_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-13);
  EXPECT_NEAR(normal_quantile(0.99), 2.326347874040841, 1e-13);
  EXPECT_NEAR(normal_quantile(0.75), 0.6744897501960817, 1e-13);
  EXPECT_EQ(normal_quantile(0.5), 0.0);
  EXPECT_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-12);
  EXPECT_NEAR(normal_quantile(1e-300), -37.04709629936120, 37.0 * 1e-12);
  // 1 - 1e-10 is not exactly representable: compare with the quantile of what it rounds to.
  EXPECT_NEAR(normal_quantile(1.0 - 1e-10), 6.361340889697422, 1e-9);
}

TEST(DeflatedSharpeNormal, QuantileEdgesAndBadInput) {
  EXPECT_EQ(normal_quantile(0.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(normal_quantile(1.0), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(normal_quantile(-0.1)));
  EXPECT_TRUE(std::isnan(normal_quantile(1.1)));
  EXPECT_TRUE(std::isnan(normal_quantile(std::nan(""))));
}

TEST(DeflatedSharpeNormal, QuantileIsSymmetricAndInvertsTheCdf) {
  // Symmetry on dyadic p, for which 1 - p is exact: Phi^-1(1 - p) = -Phi^-1(p).
  for (double p : {std::ldexp(1.0, -40), std::ldexp(1.0, -20), 1.0 / 1024, 1.0 / 64, 1.0 / 32, 0.125, 0.375}) {
    EXPECT_EQ(normal_quantile(1.0 - p), -normal_quantile(p)) << p;
  }
  // Phi(Phi^-1(p)) = p to 1e-14 relative, on both sides of Acklam's region boundary (0.02425) and
  // deep in the tail.
  for (double p : {1e-15, 1e-8, 0.001, 0.02, 0.02425, 0.03, 0.1, 0.2, 0.3, 0.45, 0.4999}) {
    EXPECT_NEAR(normal_cdf(normal_quantile(p)), p, 1e-14 * p) << p;
  }
}

TEST(DeflatedSharpeNormal, CdfKnownValues) {
  EXPECT_EQ(normal_cdf(0.0), 0.5);
  EXPECT_NEAR(normal_cdf(1.959963984540054), 0.975, 1e-15);
  EXPECT_NEAR(normal_cdf(-1.959963984540054), 0.025, 1e-15);
  EXPECT_NEAR(normal_cdf(1.0), 0.8413447460685429, 1e-15);
}

// --- SR0, PSR --------------------------------------------------------------------------------

TEST(DeflatedSharpeFormula, ExpectedMaxSharpe) {
  EXPECT_EQ(expected_max_sharpe(1, 0.7), 0.0);  // no selection
  // N = 2: Phi^-1(1/2) = 0, Phi^-1(1 - 1/(2e)) = 0.9004525966377903, V = 0.04 -> sqrt 0.2.
  EXPECT_NEAR(expected_max_sharpe(2, 0.04), 0.2 * kGamma * 0.9004525966377903, 1e-13);
  // N = 100: Phi^-1(0.99) = 2.326347874040841, Phi^-1(1 - 1/(100e)) = 2.680210444966883.
  EXPECT_NEAR(expected_max_sharpe(100, 1.0), (1 - kGamma) * 2.326347874040841 + kGamma * 2.680210444966883, 1e-12);
  EXPECT_EQ(expected_max_sharpe(50, 0.0), 0.0);
  EXPECT_TRUE(std::isnan(expected_max_sharpe(0, 1.0)));
  EXPECT_TRUE(std::isnan(expected_max_sharpe(10, -1.0)));
  // Grows with the number of trials.
  EXPECT_LT(expected_max_sharpe(10, 1.0), expected_max_sharpe(100, 1.0));
  EXPECT_LT(expected_max_sharpe(100, 1.0), expected_max_sharpe(1000, 1.0));
}

TEST(DeflatedSharpeFormula, ProbabilisticSharpeByHand) {
  // SR 0.1, T 101, normal returns (skew 0, kurtosis 3): z = 0.1 x sqrt(100) / sqrt(1 + 2/4 x 0.01)
  // = 1 / sqrt(1.005).
  EXPECT_NEAR(probabilistic_sharpe(0.1, 0.0, 101, 0.0, 3.0), normal_cdf(1.0 / std::sqrt(1.005)), 1e-15);
  // Negative skew and fat tails widen the Sharpe's error: skew -1, kurtosis 9, SR 0.1:
  // 1 + 0.1 + 8/4 x 0.01 = 1.12.
  EXPECT_NEAR(probabilistic_sharpe(0.1, 0.0, 101, -1.0, 9.0), normal_cdf(1.0 / std::sqrt(1.12)), 1e-15);
  // At the benchmark the probability is one half.
  EXPECT_DOUBLE_EQ(probabilistic_sharpe(0.2, 0.2, 50, 0.3, 5.0), 0.5);
  EXPECT_TRUE(std::isnan(probabilistic_sharpe(0.1, 0.0, 1, 0.0, 3.0)));
  EXPECT_TRUE(std::isnan(probabilistic_sharpe(std::nan(""), 0.0, 100, 0.0, 3.0)));
}

TEST(DeflatedSharpeFormula, PaperNumericalExample) {
  // Bailey & López de Prado (2014), "A numerical example": N = 100 trials whose annualised Sharpe
  // ratios have variance 1/2; the selected one has annualised SR 2.5 over T = 1250 daily
  // observations (5 years of 250 days), skewness -3, kurtosis 10. Per day: SR = 2.5 / sqrt(250),
  // V = 0.5 / 250. The paper reports E[max SR] = 0.1132 (per day) and DSR = 0.9004.
  const double sr0 = expected_max_sharpe(100, 0.5 / 250.0);
  EXPECT_NEAR(sr0, 0.1132, 0.00005);
  const double dsr = probabilistic_sharpe(2.5 / std::sqrt(250.0), sr0, 1250, -3.0, 10.0);
  EXPECT_NEAR(dsr, 0.9004, 0.00005);
  // Recomputed in 30-digit arithmetic: SR0 = 0.1131720018651320, DSR = 0.9003968344493910.
  EXPECT_NEAR(sr0, 0.1131720018651320, 1e-13);
  EXPECT_NEAR(dsr, 0.9003968344493910, 1e-12);
}

// --- deflated_sharpe() from returns ----------------------------------------------------------

// Returns 0.01, -0.02, 0.03, 0, 0.02: mean 0.008; deviations 0.002, -0.028, 0.022, -0.008, 0.012.
//   squares 4, 784, 484, 64, 144 (x 1e-6): sum 1480e-6, m2 = 296e-6, sample variance 370e-6;
//   cubes 8, -21952, 10648, -512, 1728 (x 1e-9): sum -10080e-9, m3 = -2016e-9;
//   fourth powers 16, 614656, 234256, 4096, 20736 (x 1e-12): sum 873760e-12, m4 = 174752e-12.
const std::vector<double> kReturns = {0.01, -0.02, 0.03, 0.0, 0.02};
const double kSr = 0.008 / std::sqrt(370e-6);
const double kSkew = -2016e-9 / std::pow(296e-6, 1.5);
const double kKurtosis = 174752.0 / 87616.0;  // 174752e-12 / (296e-6)^2

TEST(DeflatedSharpeFromReturns, MomentsAndSingleTrial) {
  auto r = deflated_sharpe({kReturns, 1, std::nullopt, {}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->observations, 5u);
  EXPECT_EQ(r->trials, 1u);
  EXPECT_NEAR(r->sr, kSr, 1e-12);
  EXPECT_NEAR(r->skew, kSkew, 1e-12);
  EXPECT_NEAR(r->kurtosis, kKurtosis, 1e-12);
  EXPECT_EQ(r->sr0, 0.0);
  // PSR(0) = Phi(SR sqrt(4) / sqrt(1 - skew SR + (kurt - 1)/4 SR^2)); with N = 1, DSR = PSR(0).
  const double expected = normal_cdf(kSr * 2.0 / std::sqrt(1.0 - kSkew * kSr + (kKurtosis - 1.0) / 4.0 * kSr * kSr));
  EXPECT_NEAR(r->psr, expected, 1e-12);
  EXPECT_DOUBLE_EQ(r->dsr, r->psr);
}

TEST(DeflatedSharpeFromReturns, VarianceFromTrialSharpes) {
  // Trial Sharpes 0.1, 0.3, 0.2, 0.4: mean 0.25, squared deviations .0225 + .0025 + .0025 + .0225
  // = .05, sample variance .05 / 3. N = 4: Phi^-1(0.75) = 0.6744897501960817,
  // Phi^-1(1 - 1/(4e)) = 1.328721949624763.
  auto r = deflated_sharpe({kReturns, 4, std::nullopt, {0.1, 0.3, 0.2, 0.4}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NEAR(r->trial_sharpe_variance, 0.05 / 3.0, 1e-15);
  const double sr0 = std::sqrt(0.05 / 3.0) * ((1 - kGamma) * 0.6744897501960817 + kGamma * 1.328721949624763);
  EXPECT_NEAR(r->sr0, sr0, 1e-13);
  const double spread = std::sqrt(1.0 - kSkew * kSr + (kKurtosis - 1.0) / 4.0 * kSr * kSr);
  EXPECT_NEAR(r->dsr, normal_cdf((kSr - sr0) * 2.0 / spread), 1e-12);
  EXPECT_LT(r->dsr, r->psr);  // deflation only lowers the probability
  // The same variance given directly gives the same answer.
  auto direct = deflated_sharpe({kReturns, 4, 0.05 / 3.0, {}});
  ASSERT_TRUE(direct.ok()) << direct.error().message;
  EXPECT_NEAR(direct->dsr, r->dsr, 1e-15);
}

TEST(DeflatedSharpeFromReturns, MoreTrialsDeflateMore) {
  double previous = 1.0;
  for (std::size_t n : {1u, 2u, 10u, 100u, 1000u}) {
    auto r = deflated_sharpe({kReturns, n, 0.02, {}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_LT(r->dsr, previous) << n;
    previous = r->dsr;
  }
}

TEST(DeflatedSharpeFromReturns, SharpeIsTheDailySharpeOfTheAnalytics) {
  const std::vector<double> daily = {0.02, -0.01, 0.03, -0.005};
  auto r = deflated_sharpe({daily, 1, std::nullopt, {}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->sr, sharpe_ratio(daily));
  EXPECT_NEAR(r->sr, 0.00875 / std::sqrt(0.00111875 / 3.0), 1e-12);  // see test_analytics.cpp
}

TEST(DeflatedSharpeFromReturns, FlatReturnsGiveNaNNotAnError) {
  auto r = deflated_sharpe({{0.0, 0.0, 0.0}, 1, std::nullopt, {}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(std::isnan(r->sr));
  EXPECT_TRUE(std::isnan(r->skew));
  EXPECT_TRUE(std::isnan(r->kurtosis));
  EXPECT_TRUE(std::isnan(r->psr));
  EXPECT_TRUE(std::isnan(r->dsr));
}

TEST(DeflatedSharpeFromReturns, InputErrors) {
  EXPECT_FALSE(deflated_sharpe({{0.01}, 1, std::nullopt, {}}).ok());                 // T < 2
  EXPECT_FALSE(deflated_sharpe({{0.01, std::nan("")}, 1, std::nullopt, {}}).ok());   // non-finite return
  EXPECT_FALSE(deflated_sharpe({kReturns, 0, std::nullopt, {}}).ok());               // N < 1
  EXPECT_FALSE(deflated_sharpe({kReturns, 10, -0.1, {}}).ok());                      // negative variance
  EXPECT_FALSE(deflated_sharpe({kReturns, 10, std::nullopt, {}}).ok());              // N > 1, no variance
  EXPECT_FALSE(deflated_sharpe({kReturns, 10, std::nullopt, {0.1}}).ok());           // one trial Sharpe
  EXPECT_FALSE(deflated_sharpe({kReturns, 10, 0.1, {0.1, 0.2}}).ok());               // both given
  EXPECT_FALSE(deflated_sharpe({kReturns, 2, std::nullopt, {0.1, 0.2, 0.3}}).ok());  // more Sharpes than N
  EXPECT_FALSE(deflated_sharpe({kReturns, 3, std::nullopt, {0.1, 0.2, INFINITY}}).ok());
  // Fewer recorded Sharpes than trials is allowed (N counts every run, the list may be partial).
  EXPECT_TRUE(deflated_sharpe({kReturns, 5, std::nullopt, {0.1, 0.2, 0.3}}).ok());
}

}  // namespace
}  // namespace itrade::evaluation

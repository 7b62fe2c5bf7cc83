#include "evaluation/deflated_sharpe.h"

#include <cmath>
#include <limits>
#include <numbers>

#include "evaluation/analytics.h"

namespace itrade::evaluation {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEulerMascheroni = 0.57721566490153286061;

// Acklam's approximation of Phi^-1 for 0 < p <= 0.5 (relative error below 1.15e-9), then one
// Halley step on Phi(x) - p, which roughly triples the number of correct digits. Only the lower
// half is evaluated so that Phi(x) - p never suffers the cancellation of 1 - p near p = 1.
double lower_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double kLowRegion = 0.02425;  // below it the tail formula, above it the central one

  double x = 0.0;
  if (p < kLowRegion) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  // Halley: f(x) = Phi(x) - p, f' = phi(x), f'' = -x phi(x).
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(x * x / 2.0);
  return x - u / (1.0 + x * u / 2.0);
}

// Central moments m2, m3, m4 with divisor T.
struct Moments {
  double mean = 0.0;
  double m2 = 0.0;
  double m3 = 0.0;
  double m4 = 0.0;
};

Moments moments(const std::vector<double>& values) {
  Moments m;
  const auto n = static_cast<double>(values.size());
  for (double v : values) m.mean += v;
  m.mean /= n;
  for (double v : values) {
    const double d = v - m.mean;
    const double d2 = d * d;
    m.m2 += d2;
    m.m3 += d2 * d;
    m.m4 += d2 * d2;
  }
  m.m2 /= n;
  m.m3 /= n;
  m.m4 /= n;
  return m;
}

}  // namespace

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

double normal_quantile(double p) {
  if (std::isnan(p) || p < 0.0 || p > 1.0) return kNaN;
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;
  if (p <= 0.5) return lower_quantile(p);
  return -lower_quantile(1.0 - p);  // 1 - p is exact for p >= 0.5 (Sterbenz)
}

double expected_max_sharpe(std::size_t trials, double variance) {
  if (trials < 1 || std::isnan(variance) || variance < 0.0) return kNaN;
  if (trials == 1) return 0.0;  // no selection: Phi^-1(0) would be -inf
  const auto n = static_cast<double>(trials);
  const double z = (1.0 - kEulerMascheroni) * normal_quantile(1.0 - 1.0 / n) +
                   kEulerMascheroni * normal_quantile(1.0 - 1.0 / (n * std::numbers::e));
  return std::sqrt(variance) * z;
}

double probabilistic_sharpe(double sr, double benchmark, std::size_t observations, double skew, double kurtosis) {
  if (observations < 2) return kNaN;
  const double spread = 1.0 - skew * sr + (kurtosis - 1.0) / 4.0 * sr * sr;
  if (!(spread > 0.0)) return kNaN;  // NaN inputs land here too
  const double t = static_cast<double>(observations);
  return normal_cdf((sr - benchmark) * std::sqrt(t - 1.0) / std::sqrt(spread));
}

core::Result<DeflatedSharpe> deflated_sharpe(const DeflatedSharpeInputs& inputs) {
  const std::vector<double>& r = inputs.returns;
  if (r.size() < 2) {
    return core::input_error("the deflated Sharpe ratio needs at least 2 returns, got {}", r.size());
  }
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!std::isfinite(r[i])) return core::input_error("return {} is not finite ({})", i, r[i]);
  }
  if (inputs.trials < 1) return core::input_error("the number of trials must be at least 1, got 0");
  if (inputs.trial_sharpe_variance && !inputs.trial_sharpes.empty()) {
    return core::input_error(
        "give either the variance of the trial Sharpe ratios or the trial Sharpe ratios, not both");
  }
  if (inputs.trial_sharpe_variance &&
      (!std::isfinite(*inputs.trial_sharpe_variance) || *inputs.trial_sharpe_variance < 0.0)) {
    return core::input_error("the variance of the trial Sharpe ratios must be finite and >= 0, got {}",
                             *inputs.trial_sharpe_variance);
  }
  if (inputs.trial_sharpes.size() > inputs.trials) {
    return core::input_error("{} trial Sharpe ratios were given but only {} trials: every recorded run is a trial",
                             inputs.trial_sharpes.size(), inputs.trials);
  }
  for (std::size_t i = 0; i < inputs.trial_sharpes.size(); ++i) {
    if (!std::isfinite(inputs.trial_sharpes[i])) {
      return core::input_error("trial Sharpe ratio {} is not finite ({})", i, inputs.trial_sharpes[i]);
    }
  }

  DeflatedSharpe out;
  out.observations = r.size();
  out.trials = inputs.trials;
  if (inputs.trials > 1) {
    if (inputs.trial_sharpe_variance) {
      out.trial_sharpe_variance = *inputs.trial_sharpe_variance;
    } else if (inputs.trial_sharpes.size() >= 2) {
      const Moments m = moments(inputs.trial_sharpes);
      const auto n = static_cast<double>(inputs.trial_sharpes.size());
      out.trial_sharpe_variance = m.m2 * n / (n - 1.0);  // ddof 1
    } else {
      return core::input_error(
          "{} trials need the variance of their Sharpe ratios: give it, or at least 2 trial Sharpe ratios",
          inputs.trials);
    }
  }

  const Moments m = moments(r);
  out.sr = sharpe_ratio(r);
  if (m.m2 > 0.0 && std::isfinite(out.sr)) {
    out.skew = m.m3 / std::pow(m.m2, 1.5);
    out.kurtosis = m.m4 / (m.m2 * m.m2);
  } else {  // all returns equal: no Sharpe ratio to deflate
    out.sr = kNaN;
    out.skew = kNaN;
    out.kurtosis = kNaN;
  }
  out.sr0 = expected_max_sharpe(out.trials, out.trial_sharpe_variance);
  out.psr = probabilistic_sharpe(out.sr, 0.0, out.observations, out.skew, out.kurtosis);
  out.dsr = probabilistic_sharpe(out.sr, out.sr0, out.observations, out.skew, out.kurtosis);
  return out;
}

}  // namespace itrade::evaluation

#include "models/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "models/importance.h"

namespace itrade::models {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// 1-based ranks, ties sharing their average rank.
std::vector<double> ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> out(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double average = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) out[order[k]] = average;
    i = j + 1;
  }
  return out;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const auto n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0.0;
  double saa = 0.0;
  double sbb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa == 0.0 || sbb == 0.0) return kNaN;
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || a.size() < 2) return kNaN;
  return pearson(ranks(a), ranks(b));
}

double roc_auc(const std::vector<double>& score, const std::vector<bool>& positive) {
  const std::vector<double> r = ranks(score);
  double positives = 0.0;
  double rank_sum = 0.0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (positive[i]) {
      positives += 1.0;
      rank_sum += r[i];
    }
  }
  const double negatives = static_cast<double>(r.size()) - positives;
  if (positives == 0.0 || negatives == 0.0) return kNaN;
  return (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

Scores score(const std::vector<SignalOutput>& outputs, const std::vector<float>& labels, Task task) {
  Scores s;
  s.rows = std::min(outputs.size(), labels.size());
  if (s.rows == 0) return s;
  s.loss = validation_loss(outputs, labels, task);
  std::vector<double> signal(s.rows);
  std::vector<double> truth(s.rows);
  for (std::size_t i = 0; i < s.rows; ++i) {
    signal[i] = outputs[i].signal;
    truth[i] = labels[i];
  }
  s.ic = spearman(signal, truth);
  if (task == Task::regression) {
    s.accuracy = s.macro_f1 = s.auc = kNaN;
    return s;
  }
  const int classes = task == Task::multiclass ? 3 : 2;
  std::vector<double> tp(static_cast<std::size_t>(classes)), fp(tp.size()), fn(tp.size());
  std::size_t correct = 0;
  for (std::size_t i = 0; i < s.rows; ++i) {
    const auto& p = outputs[i].probabilities;
    const int predicted = static_cast<int>(std::max_element(p.begin(), p.begin() + classes) - p.begin());
    const int label = static_cast<int>(labels[i]);
    if (predicted == label) {
      ++correct;
      tp[static_cast<std::size_t>(label)] += 1.0;
    } else {
      fp[static_cast<std::size_t>(predicted)] += 1.0;
      fn[static_cast<std::size_t>(label)] += 1.0;
    }
  }
  s.accuracy = static_cast<double>(correct) / static_cast<double>(s.rows);
  double f1_sum = 0.0;
  for (int c = 0; c < classes; ++c) {
    const auto k = static_cast<std::size_t>(c);
    const double denominator = 2.0 * tp[k] + fp[k] + fn[k];
    f1_sum += denominator == 0.0 ? 0.0 : 2.0 * tp[k] / denominator;
  }
  s.macro_f1 = f1_sum / classes;
  // Binary: AUC of p(1). Multiclass: mean over classes of the one-vs-rest AUC of p(class).
  double auc_sum = 0.0;
  int auc_count = 0;
  for (int c = classes == 2 ? 1 : 0; c < classes; ++c) {
    std::vector<double> probability(s.rows);
    std::vector<bool> positive(s.rows);
    for (std::size_t i = 0; i < s.rows; ++i) {
      probability[i] = outputs[i].probabilities[static_cast<std::size_t>(c)];
      positive[i] = static_cast<int>(labels[i]) == c;
    }
    const double auc = roc_auc(probability, positive);
    if (!std::isnan(auc)) {
      auc_sum += auc;
      ++auc_count;
    }
  }
  s.auc = auc_count == 0 ? kNaN : auc_sum / auc_count;
  return s;
}

}  // namespace itrade::models

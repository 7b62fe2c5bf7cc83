#include "models/signal_mapping.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace itrade::models {

namespace {

// -sum p ln p over the entries, with 0 ln 0 = 0.
double entropy(std::span<const double> p) {
  double h = 0.0;
  for (double x : p) {
    if (x > 0.0) h -= x * std::log(x);
  }
  return h;
}

double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }

}  // namespace

SignalOutput from_class_probabilities(std::span<const float> probabilities) {
  assert(probabilities.size() == 3);
  SignalOutput out;
  out.classes = 3;
  for (std::size_t i = 0; i < 3; ++i) out.probabilities[i] = probabilities[i];
  out.signal = std::clamp(out.probabilities[2] - out.probabilities[0], -1.0, 1.0);
  out.confidence = clamp01(1.0 - entropy(std::span<const double>(out.probabilities.data(), 3)) / std::log(3.0));
  out.raw = out.signal;
  return out;
}

SignalOutput from_binary_probability(double p) {
  SignalOutput out;
  out.classes = 2;
  p = clamp01(p);
  out.probabilities[0] = 1.0 - p;
  out.probabilities[1] = p;
  out.signal = 2.0 * p - 1.0;
  out.confidence = clamp01(1.0 - entropy(std::span<const double>(out.probabilities.data(), 2)) / std::log(2.0));
  out.raw = p;
  return out;
}

SignalOutput from_regression(double prediction, double spread) {
  SignalOutput out;
  out.raw = prediction;
  out.signal = spread > 0.0 ? std::clamp(prediction / spread, -1.0, 1.0) : 0.0;
  out.confidence = 1.0;
  return out;
}

const char* task_name(Task task) {
  switch (task) {
    case Task::multiclass: return "multiclass";
    case Task::binary: return "binary";
    case Task::regression: return "regression";
  }
  return "multiclass";
}

}  // namespace itrade::models

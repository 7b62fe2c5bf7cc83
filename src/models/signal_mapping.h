#pragma once
// How each task's raw model output becomes a SignalOutput (docs/models.md, "Signal mapping").
//
// - multiclass (short / hold / long probabilities p0, p1, p2): signal = p2 - p0, the expected
//   direction; confidence = 1 - H(p) / ln 3, one minus the normalised entropy: 0 for a uniform
//   distribution (the model knows nothing), 1 when one class has all the mass.
// - binary (p = p(class 1)): signal = 2p - 1; confidence = 1 - H(p, 1 - p) / ln 2, the same
//   measure for two classes.
// - regression (prediction y, spread s = the sample standard deviation of the training target):
//   signal = clamp(y / s, -1, 1), a one-standard-deviation forecast is a full position;
//   confidence = 1, since a point forecast carries no measure of its own certainty (the size
//   rides on |signal| alone). s <= 0 (a constant target) gives signal 0.

#include <span>

#include "models/signal_model.h"

namespace itrade::models {

SignalOutput from_class_probabilities(std::span<const float> probabilities);  // exactly 3 entries
SignalOutput from_binary_probability(double p);
SignalOutput from_regression(double prediction, double spread);

}  // namespace itrade::models

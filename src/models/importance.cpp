#include "models/importance.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace itrade::models {

double validation_loss(const std::vector<SignalOutput>& outputs, const std::vector<float>& labels, Task task) {
  const std::size_t n = std::min(outputs.size(), labels.size());
  if (n == 0) return 0.0;
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (task == Task::regression) {
      const double error = outputs[i].raw - labels[i];
      sum += error * error;
    } else {
      const auto label = static_cast<std::size_t>(labels[i]);
      sum -= std::log(std::clamp(outputs[i].probabilities[label], 1e-15, 1.0));
    }
  }
  const double mean = sum / static_cast<double>(n);
  return task == Task::regression ? std::sqrt(mean) : mean;
}

core::Result<std::vector<PermutationImportance>> permutation_importance(const SignalModel& model, const Dataset& data,
                                                                        int repeats, std::uint64_t seed) {
  if (repeats < 1) return core::input_error("permutation importance needs at least 1 repeat, got {}", repeats);
  if (data.labels.size() != data.rows() || data.rows() < 2) {
    return core::input_error("permutation importance needs at least 2 labelled rows");
  }
  const Task task = model.info().task;
  auto base = model.predict(data);
  if (!base) return base.error();
  const double base_loss = validation_loss(*base, data.labels, task);

  std::vector<PermutationImportance> result;
  Dataset shuffled = data;
  const std::size_t rows = data.rows();
  const std::size_t cols = data.cols();
  std::vector<float> column(rows);
  for (std::size_t c = 0; c < cols; ++c) {
    std::vector<double> increases;
    for (int r = 0; r < repeats; ++r) {
      for (std::size_t i = 0; i < rows; ++i) column[i] = data.features[i * cols + c];
      std::mt19937_64 rng(seed + c * 1'000'003ULL + static_cast<std::uint64_t>(r));
      std::shuffle(column.begin(), column.end(), rng);
      for (std::size_t i = 0; i < rows; ++i) shuffled.features[i * cols + c] = column[i];
      auto outputs = model.predict(shuffled);
      if (!outputs) return outputs.error();
      increases.push_back(validation_loss(*outputs, data.labels, task) - base_loss);
    }
    for (std::size_t i = 0; i < rows; ++i) shuffled.features[i * cols + c] = data.features[i * cols + c];
    double mean = 0.0;
    for (double x : increases) mean += x;
    mean /= static_cast<double>(increases.size());
    double squares = 0.0;
    for (double x : increases) squares += (x - mean) * (x - mean);
    const double spread = increases.size() > 1 ? std::sqrt(squares / static_cast<double>(increases.size() - 1)) : 0.0;
    result.push_back({data.feature_names[c], mean, spread});
  }
  std::stable_sort(result.begin(), result.end(), [](const PermutationImportance& a, const PermutationImportance& b) {
    return a.mean_increase > b.mean_increase;
  });
  return result;
}

}  // namespace itrade::models

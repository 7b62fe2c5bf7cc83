#pragma once
// A weighted average of other SignalModels' outputs, itself a SignalModel (docs/models.md,
// "Ensemble"), so that the backtester and the live engine cannot tell it from a single model.
// Members are combined on their SignalOutputs, not their raw outputs: signal and confidence have
// the same meaning for every task, so a multiclass and a regression model can be averaged.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/signal_model.h"

namespace itrade::models {

class EnsembleModel final : public SignalModel {
 public:
  // `weights`: one per member, >= 0, summing to more than 0 (ModelsConfig checked them); they
  // are relative and divided by their sum here. The members may be trained or not.
  EnsembleModel(std::vector<std::unique_ptr<SignalModel>> members, std::vector<double> weights, std::string name);
  EnsembleModel(const EnsembleModel&) = delete;
  EnsembleModel& operator=(const EnsembleModel&) = delete;

  // Trains every member on the same data, in order. The first member's error stops training and
  // names the member; members before it stay trained, those after it untouched.
  core::Result<TrainResult> train(const Dataset& train, const Dataset& validation) override;
  // Per row: signal and confidence are the weighted sums of the members'; the class probabilities
  // are averaged with the same weights when every member has the same number of classes (else
  // classes = 0); raw is the combined signal. A member's error (such as a column mismatch) is
  // returned with the member named.
  core::Result<std::vector<SignalOutput>> predict(const Dataset& data) const override;
  // A new directory: member i saved into member_<i>/ by its own save(), plus ensemble.json.
  core::Status save(const std::filesystem::path& dir) const override;
  ModelInfo info() const override;
  // The members' direction contributions summed with the weights of predict(). Every member must
  // give them; the first that does not (or fails) is the error, naming it. Members of different
  // tasks add margins of different units (log-odds and forecast units): the sum still says which
  // features pushed the combined signal which way, not by how much in one unit.
  core::Result<std::vector<float>> direction_contributions(const Dataset& data) const override;

  // Reads a directory written by save(). Every member is loaded with GbdtModel::load, the only
  // member kind so far; a member of another format is an input error naming its meta.json.
  static core::Result<std::unique_ptr<EnsembleModel>> load(const std::filesystem::path& dir);

  std::size_t size() const { return members_.size(); }
  const SignalModel& member(std::size_t i) const { return *members_[i]; }
  const std::vector<double>& weights() const { return weights_; }  // normalised: they sum to 1

 private:
  std::vector<std::unique_ptr<SignalModel>> members_;
  std::vector<double> weights_;
  std::string name_;
};

}  // namespace itrade::models

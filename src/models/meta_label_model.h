#pragma once
// Meta-labeling (López de Prado, Advances in Financial Machine Learning, ch. 3.6): a primary
// model decides the side of a trade; a secondary binary model, trained on whether the primary's
// trades made money, decides how sure to be (docs/models.md, "Meta-labeling").
//
// Training keeps every step out of sample:
// 1. the primary trains on `train`, early-stopping on `validation`;
// 2. the primary predicts `validation`, data it did not train on; each row where it trades
//    (signal != 0) gets the meta label 1 if sign(signal) x outcome > 0 (the trade made money over
//    the target's horizon, before costs), else 0;
// 3. the secondary trains on the first two thirds of those rows (in time order) with the
//    features plus the primary's signal and confidence, early-stopping on the last third.
// Prediction: signal = sign(primary signal) (0 when the primary does not trade), confidence =
// the secondary's probability that the trade makes money. Position size = |signal| x confidence:
// the side from the primary, the size from the secondary.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/gbdt_model.h"
#include "models/signal_model.h"

namespace itrade::models {

class MetaLabelModel final : public SignalModel {
 public:
  // `secondary` params: task is forced to binary.
  MetaLabelModel(std::unique_ptr<SignalModel> primary, GbdtParams secondary, std::string name);
  MetaLabelModel(const MetaLabelModel&) = delete;
  MetaLabelModel& operator=(const MetaLabelModel&) = delete;

  // Both sets need Dataset::outcomes (the realised forward return of each row). The result is the
  // secondary's (its rounds, best iteration and gain; the gain includes primary_signal and
  // primary_confidence); seconds covers both trainings.
  core::Result<TrainResult> train(const Dataset& train, const Dataset& validation) override;
  core::Result<std::vector<SignalOutput>> predict(const Dataset& data) const override;
  // The primary's: it decides the direction; the secondary only sizes the trade.
  core::Result<std::vector<float>> direction_contributions(const Dataset& data) const override {
    return primary_->direction_contributions(data);
  }
  // A new directory: primary/ and secondary/ by their own save(), plus meta_label.json.
  core::Status save(const std::filesystem::path& dir) const override;
  ModelInfo info() const override;

  static core::Result<std::unique_ptr<MetaLabelModel>> load(const std::filesystem::path& dir);

  const SignalModel& primary() const { return *primary_; }
  const GbdtModel& secondary() const { return *secondary_; }
  // Rows of the validation set the secondary learned from (where the primary traded), and the
  // share of them that made money.
  std::size_t meta_rows() const { return meta_rows_; }
  double meta_hit_rate() const { return meta_hit_rate_; }

 private:
  // `data` plus two columns, primary_signal and primary_confidence, from `primary`.
  static Dataset with_primary(const Dataset& data, const std::vector<SignalOutput>& primary);

  std::unique_ptr<SignalModel> primary_;
  std::unique_ptr<GbdtModel> secondary_;
  std::string name_;
  std::size_t meta_rows_ = 0;
  double meta_hit_rate_ = 0.0;
};

}  // namespace itrade::models

#include "models/meta_label_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "models/model_dir.h"

namespace itrade::models {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

GbdtParams binary(GbdtParams params) {
  params.task = Task::binary;
  return params;
}

}  // namespace

MetaLabelModel::MetaLabelModel(std::unique_ptr<SignalModel> primary, GbdtParams secondary, std::string name)
    : primary_(std::move(primary)), name_(std::move(name)) {
  secondary_ = std::make_unique<GbdtModel>(binary(std::move(secondary)), name_ + ".secondary", "meta-label");
}

Dataset MetaLabelModel::with_primary(const Dataset& data, const std::vector<SignalOutput>& primary) {
  Dataset out;
  out.feature_names = data.feature_names;
  out.feature_names.push_back("primary_signal");
  out.feature_names.push_back("primary_confidence");
  out.tickers = data.tickers;
  out.ticker_of_row = data.ticker_of_row;
  out.ts = data.ts;
  const std::size_t cols = data.cols();
  out.features.reserve(data.rows() * (cols + 2));
  for (std::size_t r = 0; r < data.rows(); ++r) {
    out.features.insert(out.features.end(), data.features.begin() + static_cast<std::ptrdiff_t>(r * cols),
                        data.features.begin() + static_cast<std::ptrdiff_t>((r + 1) * cols));
    out.features.push_back(static_cast<float>(primary[r].signal));
    out.features.push_back(static_cast<float>(primary[r].confidence));
  }
  return out;
}

core::Result<TrainResult> MetaLabelModel::train(const Dataset& train, const Dataset& validation) {
  const auto started = std::chrono::steady_clock::now();
  for (const auto* set : {&train, &validation}) {
    if (set->outcomes.size() != set->rows()) {
      return core::input_error("meta-labeling needs the realised forward return of every row (Dataset::outcomes); "
                               "build the dataset with an outcome column such as forward_return_5");
    }
  }
  // The secondary's early-stopping rows are the latest validation trades: that needs their times.
  if (validation.ts.size() != validation.rows()) {
    return core::input_error("meta-labeling needs the bar time of every validation row (Dataset::ts) to keep the "
                             "secondary's early-stopping rows after its training rows; build the dataset with "
                             "make_dataset");
  }
  if (auto primary = primary_->train(train, validation); !primary) {
    return core::Error{primary.error().kind, "meta-labeling primary: " + primary.error().message};
  }
  auto calls = primary_->predict(validation);
  if (!calls) return calls.error();

  // The validation rows where the primary trades, labelled by whether the trade made money.
  const Dataset augmented = with_primary(validation, *calls);
  Dataset meta;
  meta.feature_names = augmented.feature_names;
  meta.tickers = augmented.tickers;
  std::size_t wins = 0;
  for (std::size_t r = 0; r < augmented.rows(); ++r) {
    const double side = (*calls)[r].signal;
    if (side == 0.0) continue;
    const bool made_money = (side > 0 ? 1.0 : -1.0) * validation.outcomes[r] > 0.0;
    wins += made_money ? 1 : 0;
    append_row(meta, augmented, r);  // augmented carries no labels: the meta label follows
    meta.labels.push_back(made_money ? 1.0f : 0.0f);
  }
  meta_rows_ = meta.rows();
  meta_hit_rate_ = meta_rows_ == 0 ? 0.0 : static_cast<double>(wins) / static_cast<double>(meta_rows_);
  if (meta_rows_ < 30) {
    return core::input_error("the primary model traded on {} validation rows; meta-labeling needs at least 30 to "
                             "learn from (use more data)",
                             meta_rows_);
  }
  // Chronological within the meta rows: rows are grouped by ticker and in time order within a
  // ticker, so order by time first to cut at one instant.
  std::vector<std::size_t> order(meta.rows());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return meta.ts[a] < meta.ts[b]; });
  Dataset fit;
  Dataset stop;
  for (Dataset* set : {&fit, &stop}) {
    set->feature_names = meta.feature_names;
    set->tickers = meta.tickers;
  }
  const std::size_t cut = order.size() * 2 / 3;
  for (std::size_t k = 0; k < order.size(); ++k) append_row(k < cut ? fit : stop, meta, order[k]);
  auto secondary = secondary_->train(fit, stop);
  if (!secondary) {
    return core::Error{secondary.error().kind, "meta-labeling secondary: " + secondary.error().message};
  }
  TrainResult result = std::move(*secondary);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

core::Result<std::vector<SignalOutput>> MetaLabelModel::predict(const Dataset& data) const {
  auto calls = primary_->predict(data);
  if (!calls) return calls.error();
  auto sure = secondary_->predict_raw(with_primary(data, *calls));
  if (!sure) return sure.error();
  std::vector<SignalOutput> outputs(data.rows());
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const double side = (*calls)[r].signal;
    SignalOutput& out = outputs[r];
    out.signal = side > 0.0 ? 1.0 : (side < 0.0 ? -1.0 : 0.0);
    out.confidence = out.signal == 0.0 ? 0.0 : std::clamp(static_cast<double>((*sure)[r]), 0.0, 1.0);
    out.classes = 2;
    out.probabilities[0] = 1.0 - (*sure)[r];  // the trade loses
    out.probabilities[1] = (*sure)[r];        // the trade makes money
    out.raw = side;
  }
  return outputs;
}

ModelInfo MetaLabelModel::info() const {
  ModelInfo info = primary_->info();
  const ModelInfo secondary = secondary_->info();
  info.name = name_;
  info.framework = "meta-labeling";
  info.backend = fmt::format("primary: {}; secondary: {}", info.backend, secondary.backend);
  info.parameter_count += secondary.parameter_count;
  info.training_date = std::max(info.training_date, secondary.training_date);
  return info;
}

core::Status MetaLabelModel::save(const fs::path& dir) const {
  const json meta = {{"format", "itrade-meta-label-model"},
                     {"version", "1"},
                     {"name", name_},
                     {"meta_rows", meta_rows_},
                     {"meta_hit_rate", meta_hit_rate_}};
  return write_model_dir(dir, [&](const fs::path& staging) -> core::Status {
    if (auto s = primary_->save(staging / "primary"); !s) return s;
    if (auto s = secondary_->save(staging / "secondary"); !s) return s;
    return write_text_file(staging / "meta_label.json", meta.dump(2) + "\n");
  });
}

core::Result<std::unique_ptr<MetaLabelModel>> MetaLabelModel::load(const fs::path& dir) {
  std::ifstream in(dir / "meta_label.json");
  if (!in) return core::input_error("cannot read {}; is this a meta-labeling model directory?", (dir / "meta_label.json").string());
  const json meta = json::parse(in, nullptr, false);
  if (meta.is_discarded() || !meta.is_object() || meta.value("format", "") != "itrade-meta-label-model") {
    return core::input_error("{}: not an itrade meta-labeling model; train the model again",
                             (dir / "meta_label.json").string());
  }
  auto primary = GbdtModel::load(dir / "primary");
  if (!primary) return primary.error();
  auto secondary = GbdtModel::load(dir / "secondary");
  if (!secondary) return secondary.error();
  auto model = std::make_unique<MetaLabelModel>(std::move(*primary), (*secondary)->params(),
                                                meta.value("name", std::string("meta")));
  model->secondary_ = std::move(*secondary);
  model->meta_rows_ = meta.value("meta_rows", std::size_t{0});
  model->meta_hit_rate_ = meta.value("meta_hit_rate", 0.0);
  return model;
}

}  // namespace itrade::models

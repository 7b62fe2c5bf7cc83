#include "models/gbdt_model.h"

#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "models/forest.h"
#include "models/model_dir.h"
#include "models/signal_mapping.h"

namespace itrade::models {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormatVersion = "1";
constexpr int kClasses = 3;

core::Error xgboost_error(std::string_view what) {
  return core::runtime_error("XGBoost {} failed: {}", what, XGBGetLastError());
}

class DMatrix {
 public:
  DMatrix() = default;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  ~DMatrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  DMatrixHandle* out() { return &handle_; }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

core::Status fill_dmatrix(DMatrix& matrix, const Dataset& data, int threads, bool with_labels) {
  if (XGDMatrixCreateFromMat_omp(data.features.data(), data.rows(), data.cols(),
                                 std::numeric_limits<float>::quiet_NaN(), matrix.out(), threads) != 0) {
    return xgboost_error("creating a DMatrix");
  }
  if (with_labels && XGDMatrixSetFloatInfo(matrix.get(), "label", data.labels.data(), data.rows()) != 0) {
    return xgboost_error("setting labels");
  }
  return {};
}

// The rows of a Dataset as XGBoost's data iterator yields them to a QuantileDMatrix: one batch,
// the float32 rows in place (an __array_interface__ pointing at them), through a proxy DMatrix.
struct RowBatches {
  DMatrixHandle proxy = nullptr;
  std::string rows;  // __array_interface__ JSON
  bool given = false;
};

extern "C" void reset_row_batches(DataIterHandle handle) { static_cast<RowBatches*>(handle)->given = false; }

extern "C" int next_row_batch(DataIterHandle handle) {
  auto* batches = static_cast<RowBatches*>(handle);
  if (batches->given) return 0;
  batches->given = true;
  // A failure here is XGBoost's own error, reported again by the call that made the matrix.
  XGProxyDMatrixSetDataDense(batches->proxy, batches->rows.c_str());
  return 1;
}

// max_bin as the booster parameters set it (XGBoost's default 256): a QuantileDMatrix is cut into
// bins when it is made and must agree with the booster.
std::string max_bin_of(const GbdtParams& params) {
  std::string max_bin = "256";
  for (const auto& [name, value] : params.booster) {
    if (name == "max_bin") max_bin = value;
  }
  return max_bin;
}

core::Status fill_quantile_dmatrix(DMatrix& matrix, const Dataset& data, const GbdtParams& params) {
  const std::string max_bin = max_bin_of(params);
  if (max_bin.empty() || max_bin.size() > 9 ||
      !std::all_of(max_bin.begin(), max_bin.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return core::input_error("booster parameter max_bin = '{}' is not a positive integer; XGBoost's default is 256",
                             max_bin);
  }
  DMatrix proxy;
  if (XGProxyDMatrixCreate(proxy.out()) != 0) return xgboost_error("creating a proxy DMatrix");
  RowBatches batches;
  batches.proxy = proxy.get();
  batches.rows = fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                             reinterpret_cast<std::uintptr_t>(data.features.data()), data.rows(), data.cols());
  const std::string config =
      fmt::format(R"({{"missing": NaN, "nthread": {}, "max_bin": {}}})", params.threads, max_bin);
  if (XGQuantileDMatrixCreateFromCallback(&batches, proxy.get(), nullptr, reset_row_batches, next_row_batch,
                                          config.c_str(), matrix.out()) != 0) {
    return xgboost_error("creating a QuantileDMatrix");
  }
  if (XGDMatrixSetFloatInfo(matrix.get(), "label", data.labels.data(), data.rows()) != 0) {
    return xgboost_error("setting labels");
  }
  return {};
}

core::Status check_labels(const Dataset& data, Task task, const char* what) {
  if (data.rows() == 0) return core::input_error("the {} set has no rows; give it data with labels", what);
  if (data.labels.size() != data.rows()) {
    return core::input_error("the {} set has {} rows but {} labels", what, data.rows(), data.labels.size());
  }
  for (std::size_t i = 0; i < data.labels.size(); ++i) {
    const float y = data.labels[i];
    const bool ok = task == Task::regression   ? std::isfinite(y)
                    : task == Task::binary     ? (y == 0.0f || y == 1.0f)
                                               : (y == 0.0f || y == 1.0f || y == 2.0f);
    if (!ok) {
      return core::input_error("{} label {} of row {} does not fit a {} model ({}); use a target of that kind",
                               what, y, i, task_name(task),
                               task == Task::regression ? "finite values"
                               : task == Task::binary   ? "classes 0 and 1"
                                                        : "classes 0, 1, 2");
    }
  }
  return {};
}

// "[12]\ttrain-mlogloss:0.61\tvalid-mlogloss:0.72" -> the two values (train only when `with_train`).
bool parse_evaluation(std::string_view text, bool with_train, double& train, double& validation) {
  bool seen_train = false;
  bool seen_validation = false;
  for (std::string_view field : core::split(text, '\t')) {
    const auto colon = field.rfind(':');
    if (colon == std::string_view::npos) continue;
    const std::string value(field.substr(colon + 1));
    char* end = nullptr;
    const double number = std::strtod(value.c_str(), &end);
    if (end == value.c_str()) continue;
    if (field.starts_with("train-")) {
      train = number;
      seen_train = true;
    } else if (field.starts_with("valid-")) {
      validation = number;
      seen_validation = true;
    }
  }
  return (seen_train || !with_train) && seen_validation;
}

double sample_std(const std::vector<float>& values) {
  if (values.size() < 2) return 0.0;
  double mean = 0.0;
  for (float v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double squares = 0.0;
  for (float v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

double mean_of(const std::vector<float>& values) {
  double sum = 0.0;
  for (float v : values) sum += v;
  return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
}

const char* metric_of(Task task) {
  switch (task) {
    case Task::multiclass: return "mlogloss";
    case Task::binary: return "logloss";
    case Task::regression: return "rmse";
  }
  return "mlogloss";
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  return core::format_utc(static_cast<core::Timestamp>(seconds) * 1'000'000'000LL);
}

}  // namespace

struct GbdtModel::Booster {
  BoosterHandle handle = nullptr;
  Booster() = default;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
  ~Booster() {
    if (handle != nullptr) XGBoosterFree(handle);
  }
};

std::string xgboost_version() {
  int major = 0;
  int minor = 0;
  int patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return fmt::format("xgboost {}.{}.{}", major, minor, patch);
}

GbdtModel::GbdtModel(GbdtParams params, std::string name, std::string target, std::string framework)
    : params_(std::move(params)) {
  info_.name = std::move(name);
  info_.version = fmt::format("{}", kFormatVersion);  // not operator=(const char*): GCC 12 -O3 reports a bogus -Wrestrict
  info_.framework = std::move(framework);
  info_.backend = fmt::format("{} (tree_method=hist)", xgboost_version());
  info_.task = params_.task;
  info_.target = std::move(target);
}

GbdtModel::~GbdtModel() = default;

ModelInfo GbdtModel::info() const { return info_; }

core::Status GbdtModel::check_columns(const Dataset& data, const char* what) const {
  if (data.feature_names == info_.feature_names) return {};
  const auto& want = info_.feature_names;
  const auto& got = data.feature_names;
  std::size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  return core::input_error(
      "model '{}' was trained on {} features but the {} has {}; first difference at column {}: expected '{}', got "
      "'{}'. Give it exactly the model's features in the model's order ({})",
      info_.name, want.size(), what, got.size(), i, i < want.size() ? want[i] : "(none)",
      i < got.size() ? got[i] : "(none)", core::join(want));
}

core::Result<TrainResult> GbdtModel::train(const Dataset& train, const Dataset& validation) {
  const auto started = std::chrono::steady_clock::now();
  if (train.cols() == 0) return core::input_error("no features to train on; name at least one feature");
  if (auto s = check_labels(train, params_.task, "training"); !s) return s.error();
  if (auto s = check_labels(validation, params_.task, "validation"); !s) return s.error();
  if (validation.feature_names != train.feature_names) {
    return core::input_error("the validation set's features differ from the training set's; use the same columns");
  }
  for (const auto& [name, value] : params_.booster) {
    for (const char* reserved : {"objective", "num_class", "eval_metric", "tree_method", "nthread", "seed"}) {
      if (name == reserved) {
        return core::input_error("booster parameter '{}' is set by itrade from the model's task and settings; remove it",
                                 name);
      }
    }
  }
  info_.feature_names = train.feature_names;

  DMatrix dtrain;
  DMatrix dvalid;
  if (auto s = params_.quantile_dmatrix ? fill_quantile_dmatrix(dtrain, train, params_)
                                        : fill_dmatrix(dtrain, train, params_.threads, true);
      !s) {
    return s.error();
  }
  if (auto s = fill_dmatrix(dvalid, validation, params_.threads, true); !s) return s.error();

  auto booster = std::make_unique<Booster>();
  DMatrixHandle caches[] = {dtrain.get(), dvalid.get()};
  if (XGBoosterCreate(caches, 2, &booster->handle) != 0) return xgboost_error("creating a booster");
  std::vector<std::pair<std::string, std::string>> settings = {
      {"tree_method", "hist"},
      {"nthread", std::to_string(params_.threads)},
      {"seed", std::to_string(params_.seed)},
      {"verbosity", "0"},
      {"eval_metric", metric_of(params_.task)},
  };
  switch (params_.task) {
    case Task::multiclass:
      settings.emplace_back("objective", "multi:softprob");
      settings.emplace_back("num_class", std::to_string(kClasses));
      break;
    case Task::binary: {
      // XGBoost 1.7 does not estimate base_score: start from the training base rate.
      const double rate = std::clamp(mean_of(train.labels), 1e-6, 1.0 - 1e-6);
      settings.emplace_back("objective", "binary:logistic");
      settings.emplace_back("base_score", fmt::format("{}", rate));
      break;
    }
    case Task::regression:
      settings.emplace_back("objective", "reg:squarederror");
      settings.emplace_back("base_score", fmt::format("{}", mean_of(train.labels)));
      break;
  }
  for (const auto& setting : params_.booster) settings.push_back(setting);
  for (const auto& [name, value] : settings) {
    if (XGBoosterSetParam(booster->handle, name.c_str(), value.c_str()) != 0) {
      return core::input_error("XGBoost rejected parameter {} = {}: {}", name, value, XGBGetLastError());
    }
  }
  std::vector<const char*> names;
  for (const auto& name : train.feature_names) names.push_back(name.c_str());
  if (XGBoosterSetStrFeatureInfo(booster->handle, "feature_name", names.data(), names.size()) != 0) {
    return xgboost_error("setting feature names");
  }

  TrainResult result;
  result.metric = metric_of(params_.task);
  // Without the training set, only the validation set (caches[1]) is evaluated.
  const bool with_train = params_.evaluate_training;
  const char* eval_names[] = {"train", "valid"};
  DMatrixHandle* evaluated = with_train ? caches : caches + 1;
  const char** evaluated_names = with_train ? eval_names : eval_names + 1;
  const bst_ulong evaluated_count = with_train ? 2 : 1;
  double best = std::numeric_limits<double>::infinity();
  int best_round = -1;
  for (int round = 0; round < params_.max_rounds; ++round) {
    if (XGBoosterUpdateOneIter(booster->handle, round, dtrain.get()) != 0) return xgboost_error("a boosting round");
    const char* text = nullptr;
    if (XGBoosterEvalOneIter(booster->handle, round, evaluated, evaluated_names, evaluated_count, &text) != 0) {
      return xgboost_error("evaluating a round");
    }
    RoundMetrics metrics{round, with_train ? 0.0 : std::numeric_limits<double>::quiet_NaN(), 0.0};
    if (!parse_evaluation(text, with_train, metrics.train, metrics.validation)) {
      return core::runtime_error("cannot read XGBoost's evaluation '{}'", text);
    }
    result.rounds.push_back(metrics);
    if (metrics.validation < best) {
      best = metrics.validation;
      best_round = round;
    } else if (round - best_round >= params_.early_stopping_rounds) {
      break;
    }
  }
  if (best_round < 0) return core::input_error("max_rounds is 0: nothing was trained; set it to 1 or more");
  result.best_iteration = best_round;

  // Keep rounds 0..best only, so that prediction and the saved model are the early-stopped one.
  auto kept = std::make_unique<Booster>();
  if (XGBoosterSlice(booster->handle, 0, best_round + 1, 1, &kept->handle) != 0) {
    return xgboost_error("slicing the booster to the best round");
  }
  booster_ = std::move(kept);
  forest_.reset();  // until the new trees are read below
  best_iteration_ = best_round;
  label_spread_ = params_.task == Task::regression ? sample_std(train.labels) : 0.0;

  bst_ulong n_features = 0;
  const char** feature_names = nullptr;
  bst_ulong dim = 0;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  if (XGBoosterFeatureScore(booster_->handle, R"({"importance_type": "total_gain"})", &n_features, &feature_names,
                            &dim, &shape, &scores) != 0) {
    return xgboost_error("computing feature importance");
  }
  for (const auto& name : train.feature_names) {
    double value = 0.0;  // never split on
    for (bst_ulong i = 0; i < n_features; ++i) {
      if (name == feature_names[i]) value = scores[i];
    }
    result.gain.push_back({name, value});
  }
  std::stable_sort(result.gain.begin(), result.gain.end(),
                   [](const FeatureImportance& a, const FeatureImportance& b) { return a.value > b.value; });

  bst_ulong length = 0;
  const char* buffer = nullptr;
  if (XGBoosterSaveModelToBuffer(booster_->handle, R"({"format": "json"})", &length, &buffer) != 0) {
    return xgboost_error("serialising the model");
  }
  const std::string_view model_text(buffer, length);
  // A model whose trees a Forest does not evaluate is predicted by XGBoost instead.
  if (auto forest = Forest::from_xgboost_json(model_text); forest) {
    forest_ = std::make_unique<Forest>(std::move(forest).value());
  } else {
    forest_.reset();
  }
  const json model = json::parse(model_text, nullptr, false);
  long nodes = 0;
  if (!model.is_discarded()) {
    for (const auto& tree : model["learner"]["gradient_booster"]["model"]["trees"]) {
      nodes += std::stol(tree["tree_param"]["num_nodes"].get<std::string>());
    }
  }
  info_.parameter_count = nodes;
  info_.training_date = utc_now();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

core::Result<std::vector<float>> GbdtModel::predict_with(const Dataset& data, int option_mask,
                                                         std::size_t per_row) const {
  if (!booster_) return core::input_error("model '{}' is not trained; train or load it first", info_.name);
  if (auto s = check_columns(data, "data"); !s) return s.error();
  if (data.rows() == 0) return std::vector<float>{};
  DMatrix matrix;
  if (auto s = fill_dmatrix(matrix, data, params_.threads, false); !s) return s.error();
  bst_ulong length = 0;
  const float* out = nullptr;
  if (XGBoosterPredict(booster_->handle, matrix.get(), option_mask, 0, 0, &length, &out) != 0) {
    return xgboost_error("predicting");
  }
  if (length != data.rows() * per_row) {
    return core::runtime_error("XGBoost returned {} values for {} rows of {}", length, data.rows(), per_row);
  }
  return std::vector<float>(out, out + length);
}

core::Result<std::vector<float>> GbdtModel::predict_raw(const Dataset& data) const {
  return predict_with(data, 0, params_.task == Task::multiclass ? kClasses : 1);
}

core::Result<std::vector<float>> GbdtModel::predict_margin(const Dataset& data) const {
  return predict_with(data, 1, params_.task == Task::multiclass ? kClasses : 1);
}

core::Result<std::vector<float>> GbdtModel::predict_contributions(const Dataset& data) const {
  const std::size_t outputs = params_.task == Task::multiclass ? kClasses : 1;
  return predict_with(data, 4, outputs * (data.cols() + 1));
}

core::Result<std::vector<float>> GbdtModel::direction_contributions(const Dataset& data) const {
  auto contributions = predict_contributions(data);
  if (!contributions) return contributions.error();
  const std::size_t cols = data.cols();
  const std::size_t group = cols + 1;  // the features, then the bias
  const std::size_t outputs = params_.task == Task::multiclass ? kClasses : 1;
  std::vector<float> pushes(data.rows() * cols);
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const float* row = contributions->data() + r * outputs * group;
    float* out = pushes.data() + r * cols;
    if (params_.task == Task::multiclass) {
      const float* to_short = row;             // class 0
      const float* to_long = row + 2 * group;  // class 2
      for (std::size_t f = 0; f < cols; ++f) out[f] = to_long[f] - to_short[f];
    } else {
      for (std::size_t f = 0; f < cols; ++f) out[f] = row[f];
    }
  }
  return pushes;
}

core::Result<std::vector<SignalOutput>> GbdtModel::predict(const Dataset& data) const {
  core::Result<std::vector<float>> raw = std::vector<float>{};
  if (forest_) {
    if (auto s = check_columns(data, "data"); !s) return s.error();
    raw->resize(data.rows() * static_cast<std::size_t>(forest_->num_outputs()));
    forest_->predict_rows(data.features.data(), data.rows(), raw->data(), params_.threads);
  } else {
    raw = predict_raw(data);
    if (!raw) return raw.error();
  }
  std::vector<SignalOutput> outputs;
  outputs.reserve(data.rows());
  for (std::size_t r = 0; r < data.rows(); ++r) {
    switch (params_.task) {
      case Task::multiclass:
        outputs.push_back(from_class_probabilities(std::span<const float>(raw->data() + r * kClasses, kClasses)));
        break;
      case Task::binary: outputs.push_back(from_binary_probability((*raw)[r])); break;
      case Task::regression: outputs.push_back(from_regression((*raw)[r], label_spread_)); break;
    }
  }
  return outputs;
}

core::Result<std::string> GbdtModel::booster_json() const {
  if (!booster_) return core::input_error("model '{}' is not trained; train or load it first", info_.name);
  bst_ulong length = 0;
  const char* buffer = nullptr;
  if (XGBoosterSaveModelToBuffer(booster_->handle, R"({"format": "json"})", &length, &buffer) != 0) {
    return xgboost_error("serialising the model");
  }
  return std::string(buffer, length);
}

core::Status GbdtModel::save(const fs::path& dir) const {
  if (!booster_) return core::input_error("model '{}' is not trained; nothing to save", info_.name);
  bst_ulong length = 0;
  const char* buffer = nullptr;
  if (XGBoosterSaveModelToBuffer(booster_->handle, R"({"format": "json"})", &length, &buffer) != 0) {
    return xgboost_error("serialising the model");
  }
  const std::string model(buffer, length);
  json meta = {
      {"format", "itrade-gbdt-model"},
      {"version", info_.version},
      {"name", info_.name},
      {"framework", info_.framework},
      {"backend", info_.backend},
      {"task", task_name(params_.task)},
      {"target", info_.target},
      {"feature_names", info_.feature_names},
      {"training_date", info_.training_date},
      {"parameter_count", info_.parameter_count},
      {"best_iteration", best_iteration_},
      {"label_spread", label_spread_},
      {"max_rounds", params_.max_rounds},
      {"early_stopping_rounds", params_.early_stopping_rounds},
      {"threads", params_.threads},
      {"seed", params_.seed},
      {"evaluate_training", params_.evaluate_training},
      {"quantile_dmatrix", params_.quantile_dmatrix},
      {"booster", params_.booster},
  };
  // Written next to the target and renamed into place: a reader sees a complete model or none.
  return write_model_dir(dir, [&](const fs::path& staging) -> core::Status {
    if (auto s = write_text_file(staging / "booster.json", model); !s) return s;
    return write_text_file(staging / "meta.json", meta.dump(2) + "\n");
  });
}

core::Result<std::unique_ptr<GbdtModel>> GbdtModel::load(const fs::path& dir) {
  auto meta_text = read_text_file(dir / "meta.json", "a directory written by a model save");
  if (!meta_text) return meta_text.error();
  const json meta = json::parse(*meta_text, nullptr, false);
  const auto bad = [&](std::string_view problem) {
    return core::input_error("{}: {}; the model directory is damaged, train the model again",
                             (dir / "meta.json").string(), problem);
  };
  if (meta.is_discarded() || !meta.is_object()) return bad("not valid JSON");
  if (meta.value("format", "") != "itrade-gbdt-model") return bad("not an itrade gbdt model");
  try {
    GbdtParams params;
    const std::string task = meta.at("task").get<std::string>();
    if (task == "multiclass") {
      params.task = Task::multiclass;
    } else if (task == "binary") {
      params.task = Task::binary;
    } else if (task == "regression") {
      params.task = Task::regression;
    } else {
      return bad(fmt::format("unknown task '{}'", task));
    }
    params.max_rounds = meta.at("max_rounds").get<int>();
    params.early_stopping_rounds = meta.at("early_stopping_rounds").get<int>();
    params.threads = meta.at("threads").get<int>();
    params.seed = meta.at("seed").get<std::uint64_t>();
    params.booster = meta.at("booster").get<std::vector<std::pair<std::string, std::string>>>();
    // Training options; absent in models saved before they existed.
    params.evaluate_training = meta.value("evaluate_training", params.evaluate_training);
    params.quantile_dmatrix = meta.value("quantile_dmatrix", params.quantile_dmatrix);
    auto model = std::make_unique<GbdtModel>(params, meta.at("name").get<std::string>(),
                                             meta.at("target").get<std::string>(),
                                             meta.at("framework").get<std::string>());
    model->info_.version = meta.at("version").get<std::string>();
    model->info_.feature_names = meta.at("feature_names").get<std::vector<std::string>>();
    model->info_.training_date = meta.at("training_date").get<std::string>();
    model->info_.parameter_count = meta.at("parameter_count").get<long>();
    model->best_iteration_ = meta.at("best_iteration").get<int>();
    model->label_spread_ = meta.at("label_spread").get<double>();
    auto booster_text = read_text_file(dir / "booster.json", "a directory written by a model save");
    if (!booster_text) return booster_text.error();
    auto booster = std::make_unique<Booster>();
    if (XGBoosterCreate(nullptr, 0, &booster->handle) != 0) return xgboost_error("creating a booster");
    if (XGBoosterLoadModelFromBuffer(booster->handle, booster_text->data(), booster_text->size()) != 0) {
      return core::input_error("{}: XGBoost cannot read it ({}); train the model again",
                               (dir / "booster.json").string(), XGBGetLastError());
    }
    if (XGBoosterSetParam(booster->handle, "nthread", std::to_string(params.threads).c_str()) != 0) {
      return xgboost_error("setting nthread");
    }
    model->booster_ = std::move(booster);
    if (auto forest = Forest::from_xgboost_json(*booster_text); forest) {
      model->forest_ = std::make_unique<Forest>(std::move(forest).value());
    }
    return model;
  } catch (const json::exception& e) {
    return bad(fmt::format("missing or mistyped field ({})", e.what()));
  }
}

}  // namespace itrade::models

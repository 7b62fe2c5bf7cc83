#include "models/ensemble_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/strings.h"
#include "models/gbdt_model.h"
#include "models/model_dir.h"

namespace itrade::models {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "itrade-ensemble-model";
constexpr const char* kFormatVersion = "1";
constexpr const char* kGbdtFormat = "itrade-gbdt-model";

// The member's own message, with which member of which ensemble said it; the kind is kept, so an
// input error stays an input error.
core::Error member_error(const std::string& ensemble, std::size_t i, const SignalModel& member,
                         const core::Error& error) {
  return core::Error{
      error.kind, fmt::format("ensemble '{}', member {} ('{}'): {}", ensemble, i, member.info().name, error.message)};
}

std::string member_dir(std::size_t i) { return fmt::format("member_{}", i); }

// Members must agree on the columns, or the same Dataset cannot be handed to all of them.
core::Status check_same_features(const std::string& name, const std::vector<std::unique_ptr<SignalModel>>& members) {
  const ModelInfo first = members.front()->info();
  for (std::size_t i = 1; i < members.size(); ++i) {
    const ModelInfo other = members[i]->info();
    if (other.feature_names != first.feature_names) {
      return core::input_error(
          "ensemble '{}': member {} ('{}') has features ({}) but member 0 ('{}') has ({}); every member must use the "
          "same features in the same order",
          name, i, other.name, core::join(other.feature_names), first.name, core::join(first.feature_names));
    }
  }
  return {};
}

}  // namespace

EnsembleModel::EnsembleModel(std::vector<std::unique_ptr<SignalModel>> members, std::vector<double> weights,
                             std::string name)
    : members_(std::move(members)), weights_(std::move(weights)), name_(std::move(name)) {
  assert(!members_.empty());
  assert(weights_.size() == members_.size());
  double sum = 0.0;
  for (double w : weights_) {
    assert(std::isfinite(w) && w >= 0.0);
    sum += w;
  }
  assert(sum > 0.0);
  for (double& w : weights_) w /= sum;
}

core::Result<TrainResult> EnsembleModel::train(const Dataset& train, const Dataset& validation) {
  const auto started = std::chrono::steady_clock::now();
  TrainResult result;
  result.metric = "ensemble";
  // Seeded with the training columns so that equal gains keep column order, as in GbdtModel.
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& feature : train.feature_names) {
    index.emplace(feature, result.gain.size());
    result.gain.push_back({feature, 0.0});
  }
  for (std::size_t i = 0; i < members_.size(); ++i) {
    auto trained = members_[i]->train(train, validation);
    if (!trained) return member_error(name_, i, *members_[i], trained.error());
    for (const FeatureImportance& g : trained->gain) {
      auto [it, inserted] = index.emplace(g.feature, result.gain.size());
      if (inserted) result.gain.push_back({g.feature, 0.0});
      result.gain[it->second].value += weights_[i] * g.value;
    }
  }
  if (auto s = check_same_features(name_, members_); !s) return s.error();
  std::stable_sort(result.gain.begin(), result.gain.end(),
                   [](const FeatureImportance& a, const FeatureImportance& b) { return a.value > b.value; });
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

core::Result<std::vector<SignalOutput>> EnsembleModel::predict(const Dataset& data) const {
  std::vector<std::vector<SignalOutput>> outputs;
  outputs.reserve(members_.size());
  for (std::size_t i = 0; i < members_.size(); ++i) {
    auto predicted = members_[i]->predict(data);
    if (!predicted) return member_error(name_, i, *members_[i], predicted.error());
    if (!outputs.empty() && predicted->size() != outputs.front().size()) {
      return core::runtime_error("ensemble '{}': member {} returned {} rows but member 0 returned {}", name_, i,
                                 predicted->size(), outputs.front().size());
    }
    outputs.push_back(std::move(predicted).value());
  }
  const std::size_t rows = outputs.front().size();
  std::vector<SignalOutput> combined(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    SignalOutput& out = combined[r];
    const int classes = outputs.front()[r].classes;
    bool same_classes = true;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      const SignalOutput& member = outputs[i][r];
      out.signal += weights_[i] * member.signal;
      out.confidence += weights_[i] * member.confidence;
      same_classes = same_classes && member.classes == classes;
    }
    if (same_classes) {
      out.classes = classes;
      for (std::size_t i = 0; i < members_.size(); ++i) {
        for (int k = 0; k < classes; ++k) {
          const auto c = static_cast<std::size_t>(k);
          out.probabilities[c] += weights_[i] * outputs[i][r].probabilities[c];
        }
      }
    }
    // The weights sum to 1 only up to rounding: keep the contract's ranges exact.
    out.signal = std::clamp(out.signal, -1.0, 1.0);
    out.confidence = std::clamp(out.confidence, 0.0, 1.0);
    out.raw = out.signal;
  }
  return combined;
}

core::Result<std::vector<float>> EnsembleModel::direction_contributions(const Dataset& data) const {
  std::vector<double> sum;  // in double, rounded once at the end
  for (std::size_t i = 0; i < members_.size(); ++i) {
    auto pushes = members_[i]->direction_contributions(data);
    if (!pushes) return member_error(name_, i, *members_[i], pushes.error());
    if (i == 0) {
      sum.assign(pushes->size(), 0.0);
    } else if (pushes->size() != sum.size()) {
      return core::runtime_error("ensemble '{}': member {} returned {} contributions but member 0 returned {}", name_,
                                 i, pushes->size(), sum.size());
    }
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += weights_[i] * (*pushes)[k];
  }
  return std::vector<float>(sum.begin(), sum.end());
}

ModelInfo EnsembleModel::info() const {
  ModelInfo info;
  info.name = name_;
  // Not operator=(const char*): GCC 12 -O3 reports a bogus -Wrestrict there (as in GbdtModel).
  info.version = fmt::format("{}", kFormatVersion);
  info.framework = "ensemble";
  std::vector<std::string> backends;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    ModelInfo member = members_[i]->info();
    if (i == 0) {
      info.task = member.task;
      info.feature_names = member.feature_names;
      info.target = member.target;
    }
    backends.push_back(std::move(member.backend));
    info.parameter_count += member.parameter_count;
    // ISO-8601 UTC text of one width orders like the times it names.
    info.training_date = std::max(info.training_date, member.training_date);
  }
  info.backend = "ensemble of " + core::join(backends);
  return info;
}

core::Status EnsembleModel::save(const fs::path& dir) const {
  json members = json::array();
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const ModelInfo member = members_[i]->info();
    members.push_back(json{{"dir", member_dir(i)}, {"name", member.name}, {"framework", member.framework}});
  }
  const json meta = {
      {"format", kFormat}, {"version", kFormatVersion}, {"name", name_}, {"weights", weights_}, {"members", members},
  };
  // Each member's own save renames inside the staging directory; the ensemble appears whole or not
  // at all.
  return write_model_dir(dir, [&](const fs::path& staging) -> core::Status {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (auto s = members_[i]->save(staging / member_dir(i)); !s) return member_error(name_, i, *members_[i], s.error());
    }
    return write_text_file(staging / "ensemble.json", meta.dump(2) + "\n");
  });
}

core::Result<std::unique_ptr<EnsembleModel>> EnsembleModel::load(const fs::path& dir) {
  const fs::path file = dir / "ensemble.json";
  auto text = read_text_file(file, "a directory written by an ensemble save");
  if (!text) return text.error();
  const json meta = json::parse(*text, nullptr, false);
  const auto bad = [&](std::string_view problem) {
    return core::input_error("{}: {}; the ensemble directory is damaged, save the ensemble again", file.string(),
                             problem);
  };
  if (meta.is_discarded() || !meta.is_object()) return bad("not valid JSON");
  if (meta.value("format", "") != kFormat) return bad("not an itrade ensemble model");
  try {
    const std::string version = meta.at("version").get<std::string>();
    if (version != kFormatVersion) {
      return bad(fmt::format("format version '{}' is not one this itrade reads ({})", version, kFormatVersion));
    }
    const std::string name = meta.at("name").get<std::string>();
    const std::vector<double> weights = meta.at("weights").get<std::vector<double>>();
    const json& entries = meta.at("members");
    if (!entries.is_array() || entries.empty()) return bad("'members' is not a non-empty list");
    if (weights.size() != entries.size()) {
      return bad(fmt::format("{} weights for {} members", weights.size(), entries.size()));
    }
    double sum = 0.0;
    for (double w : weights) {
      if (!std::isfinite(w) || w < 0.0) return bad(fmt::format("weight {} is not a finite number >= 0", w));
      sum += w;
    }
    if (!(sum > 0.0)) return bad("the weights sum to 0");

    std::vector<std::unique_ptr<SignalModel>> members;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::string sub = entries[i].at("dir").get<std::string>();
      const std::string member_name = entries[i].at("name").get<std::string>();
      // A plain name inside `dir`: the file may not send the reader elsewhere.
      if (sub.empty() || sub == "." || sub == ".." || sub.find('/') != std::string::npos) {
        return bad(fmt::format("member {} has directory '{}', not a name inside the ensemble directory", i, sub));
      }
      const fs::path member_path = dir / sub;
      // Only GbdtModel can be a member today: say so, rather than GbdtModel's "damaged" message,
      // when a member is some other (future) kind of model.
      if (auto member_meta = read_text_file(member_path / "meta.json", "a directory written by an ensemble save"); member_meta) {
        const json peek = json::parse(*member_meta, nullptr, false);
        if (peek.is_object() && peek.contains("format") && peek["format"] != kGbdtFormat) {
          return core::input_error(
              "{}: unknown member model format {}; an ensemble member must be an {} (the only kind itrade builds)",
              (member_path / "meta.json").string(), peek["format"].dump(), kGbdtFormat);
        }
      }
      auto member = GbdtModel::load(member_path);
      if (!member) return member.error();
      if ((*member)->info().name != member_name) {
        return bad(fmt::format("member {} is named '{}' but {} holds model '{}'", i, member_name, member_path.string(),
                               (*member)->info().name));
      }
      members.push_back(std::move(member).value());
    }
    if (auto s = check_same_features(name, members); !s) return s.error();
    auto model = std::make_unique<EnsembleModel>(std::move(members), weights, name);
    // save() wrote normalised weights: use them as written, since dividing by their sum again could
    // move the last bit and a loaded ensemble must predict exactly as the saved one did. Weights
    // edited by hand into relative ones keep the constructor's normalisation.
    if (std::abs(sum - 1.0) <= 1e-9) model->weights_ = weights;
    return model;
  } catch (const json::exception& e) {
    return bad(fmt::format("missing or mistyped field ({})", e.what()));
  }
}

}  // namespace itrade::models

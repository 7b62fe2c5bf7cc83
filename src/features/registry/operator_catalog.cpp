#include "features/registry/operator_catalog.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>

#include "features/indicators/families.h"

namespace itrade::features {

ParamSpec ParamSpec::integer(std::string name, std::string help, std::int64_t min,
                             std::optional<std::int64_t> default_value) {
  ParamSpec spec{std::move(name), ParamKind::integer, std::move(help)};
  spec.min = static_cast<double>(min);
  if (default_value) spec.default_value = *default_value;
  return spec;
}

ParamSpec ParamSpec::number(std::string name, std::string help, double min, double max,
                            std::optional<double> default_value) {
  ParamSpec spec{std::move(name), ParamKind::number, std::move(help)};
  spec.min = min;
  spec.max = max;
  if (default_value) spec.default_value = *default_value;
  return spec;
}

ParamSpec ParamSpec::choice(std::string name, std::string help, std::vector<std::string> choices,
                            std::optional<std::string> default_value) {
  ParamSpec spec{std::move(name), ParamKind::choice, std::move(help)};
  spec.choices = std::move(choices);
  if (default_value) spec.default_value = *default_value;
  return spec;
}

ParamSpec ParamSpec::column(std::string name, std::string help, std::string default_value) {
  ParamSpec spec{std::move(name), ParamKind::column, std::move(help)};
  spec.choices = {"open", "high", "low", "close", "volume"};
  spec.default_value = std::move(default_value);
  return spec;
}

void Params::set(std::string name, ParamValue value) {
  for (auto& [key, existing] : values_) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  values_.emplace_back(std::move(name), std::move(value));
}

bool Params::has(std::string_view name) const {
  for (const auto& entry : values_) {
    if (entry.first == name) return true;
  }
  return false;
}

const ParamValue& Params::get(std::string_view name) const {
  for (const auto& entry : values_) {
    if (entry.first == name) return entry.second;
  }
  assert(false && "operator asked for a parameter its schema does not declare");
  static const ParamValue kNone;
  return kNone;
}

int Params::integer(std::string_view name) const {
  return static_cast<int>(std::get<std::int64_t>(get(name)));
}

double Params::number(std::string_view name) const { return std::get<double>(get(name)); }

const std::string& Params::text(std::string_view name) const { return std::get<std::string>(get(name)); }

Column Params::column(std::string_view name) const {
  const std::string& value = text(name);
  if (value == "open") return Column::open;
  if (value == "high") return Column::high;
  if (value == "low") return Column::low;
  if (value == "volume") return Column::volume;
  return Column::close;
}

std::string Params::to_string() const {
  std::string out;
  for (const auto& [name, value] : values_) {
    if (!out.empty()) out += ", ";
    out += name + "=";
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
      out += fmt::format("{}", *i);
    } else if (const auto* d = std::get_if<double>(&value)) {
      out += fmt::format("{}", *d);
    } else {
      out += std::get<std::string>(value);
    }
  }
  return out;
}

bool OperatorSpec::reads_volume(const Params& params) const {
  if (needs_volume) return true;
  for (const auto& param : this->params) {
    if (param.kind == ParamKind::column && params.text(param.name) == "volume") return true;
  }
  return false;
}

void OperatorCatalog::add(OperatorSpec spec) {
  assert(find(spec.function) == nullptr && "operator function registered twice");
  specs_.push_back(std::move(spec));
}

const OperatorSpec* OperatorCatalog::find(std::string_view function) const {
  for (const auto& spec : specs_) {
    if (spec.function == function) return &spec;
  }
  return nullptr;
}

std::vector<std::string> OperatorCatalog::functions() const {
  std::vector<std::string> names;
  names.reserve(specs_.size());
  for (const auto& spec : specs_) names.push_back(spec.function);
  return names;
}

const OperatorCatalog& builtin_catalog() {
  static const OperatorCatalog catalog = [] {
    OperatorCatalog built;
    register_moving_averages(built);
    register_momentum(built);
    register_volatility(built);
    register_volume(built);
    register_price_action(built);
    register_structure(built);
    register_time_features(built);
    return built;
  }();
  return catalog;
}

}  // namespace itrade::features

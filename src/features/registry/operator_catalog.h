#pragma once
// The catalog of operator functions a features.yaml can name ("volatility.atr", ...): for each,
// a one-line description, the parameter schema, the dependencies it consumes and a factory.
// Each indicator family registers its operators (indicators/families.h); builtin_catalog()
// holds them all. Adding a feature = a few YAML lines + one operator registered here.

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "features/operator.h"

namespace itrade::features {

enum class ParamKind {
  integer,  // a whole number, e.g. a window in bars
  number,   // a real number
  choice,   // one of a fixed list of words
  column,   // a bar column: open, high, low, close or volume
};

enum class Column { open, high, low, close, volume };

inline double read_column(const BarPoint& bar, Column column) {
  switch (column) {
    case Column::open: return bar.open;
    case Column::high: return bar.high;
    case Column::low: return bar.low;
    case Column::close: return bar.close;
    case Column::volume: return bar.volume;
  }
  return bar.close;
}

using ParamValue = std::variant<std::int64_t, double, std::string>;

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::integer;
  std::string help;
  std::optional<ParamValue> default_value;  // absent: the parameter is required
  double min = -std::numeric_limits<double>::infinity();  // integer and number only, inclusive
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices;  // choice only

  static ParamSpec integer(std::string name, std::string help, std::int64_t min,
                           std::optional<std::int64_t> default_value = std::nullopt);
  static ParamSpec number(std::string name, std::string help, double min, double max,
                          std::optional<double> default_value = std::nullopt);
  static ParamSpec choice(std::string name, std::string help, std::vector<std::string> choices,
                          std::optional<std::string> default_value = std::nullopt);
  static ParamSpec column(std::string name, std::string help, std::string default_value = "close");
};

// Validated parameter values, every parameter of the schema present (defaults filled in).
class Params {
 public:
  void set(std::string name, ParamValue value);
  bool has(std::string_view name) const;
  // Accessors for the operator factories; asking for an absent name or the wrong kind is a
  // programming error (the registry validated the values against the schema).
  int integer(std::string_view name) const;
  double number(std::string_view name) const;
  const std::string& text(std::string_view name) const;
  Column column(std::string_view name) const;
  // "window=14, column=close" in schema order, for listings.
  std::string to_string() const;
  const std::vector<std::pair<std::string, ParamValue>>& values() const { return values_; }

 private:
  const ParamValue& get(std::string_view name) const;
  std::vector<std::pair<std::string, ParamValue>> values_;
};

// A dependency an operator consumes: `role` names it in messages; `function`, when not empty, is
// the operator function the dependency must be computed by (e.g. ATR smooths a true range).
struct InputSpec {
  std::string role;
  std::string function;
};

struct OperatorSpec {
  std::string function;     // "family.name"
  std::string description;  // one line
  std::vector<ParamSpec> params;
  std::vector<InputSpec> inputs;  // exactly these dependencies, in this order
  bool needs_clock = false;       // reads BarClock
  bool needs_volume = false;      // reads bar volume whatever its params say
  std::function<OperatorPtr(const Params&)> make;
  // Optional cross-parameter check (e.g. short_window <= long_window): returns "" when the params
  // are acceptable, else the problem, which the registry reports at the feature's params key.
  std::function<std::string(const Params&)> check;

  // Whether an instance with these params reads volume (needs_volume, or a column param = volume).
  bool reads_volume(const Params& params) const;
};

class OperatorCatalog {
 public:
  // Adds an operator; a second operator under the same function name is a programming error.
  void add(OperatorSpec spec);
  const OperatorSpec* find(std::string_view function) const;
  // Function names in registration order.
  std::vector<std::string> functions() const;
  std::span<const OperatorSpec> specs() const { return specs_; }

 private:
  std::vector<OperatorSpec> specs_;
};

// Every operator itrade ships (built once, immutable, shared by all threads).
const OperatorCatalog& builtin_catalog();

}  // namespace itrade::features

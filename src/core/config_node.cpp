#include "core/config_node.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.h"

namespace itrade::core {

namespace {

int line_of_mark(const YAML::Mark& mark) { return mark.line >= 0 ? mark.line + 1 : 0; }

// How a YAML value looks, for "expected X, got Y" messages.
std::string describe(const YAML::Node& value) {
  switch (value.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "an empty value";
    case YAML::NodeType::Scalar:
      break;
  }
  return fmt::format("\"{}\"", value.Scalar());
}

template <typename T>
struct TypeName;
template <>
struct TypeName<std::string> {
  static constexpr const char* name = "a string";
  static constexpr const char* example = "<text>";
};
template <>
struct TypeName<double> {
  static constexpr const char* name = "a number";
  static constexpr const char* example = "<number>";
};
template <>
struct TypeName<std::int64_t> {
  static constexpr const char* name = "an integer";
  static constexpr const char* example = "<integer>";
};
template <>
struct TypeName<bool> {
  static constexpr const char* name = "a boolean (true or false)";
  static constexpr const char* example = "true|false";
};
template <>
struct TypeName<std::vector<std::string>> {
  static constexpr const char* name = "a list of strings";
  static constexpr const char* example = "[a, b]";
};

// Scalar text -> T; nullopt when it does not parse (the caller words the error).
std::optional<std::string> convert_scalar(const std::string& text, std::string*) { return text; }

std::optional<std::int64_t> convert_scalar(const std::string& text, std::int64_t*) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> convert_scalar(const std::string& text, double*) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> convert_scalar(const std::string& text, bool*) {
  const std::string upper = to_upper(text);
  if (upper == "TRUE" || upper == "YES") return true;
  if (upper == "FALSE" || upper == "NO") return false;
  return std::nullopt;
}

}  // namespace

ConfigNode::ConfigNode(std::shared_ptr<const YAML::Node> node, std::shared_ptr<const std::string> file,
                       std::string path, int line, bool present, std::shared_ptr<std::optional<Error>> first_error)
    : node_(std::move(node)),
      file_(std::move(file)),
      path_(std::move(path)),
      line_(line),
      present_(present),
      first_error_(std::move(first_error)) {}

Result<ConfigNode> ConfigNode::parse(std::string_view text, std::string file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return input_error("{}:{}:{}: YAML syntax error: {}; fix the YAML at that position", file, line_of_mark(e.mark),
                       e.mark.column >= 0 ? e.mark.column + 1 : 0, e.msg);
  }
  if (!root.IsNull() && !root.IsMap()) {
    return input_error("{}:{}: the top level is {}, not a mapping of keys; write `key: value` lines", file,
                       line_of_mark(root.Mark()), describe(root));
  }
  return ConfigNode(std::make_shared<const YAML::Node>(root), std::make_shared<const std::string>(std::move(file)), "",
                    1, true, std::make_shared<std::optional<Error>>());
}

Result<ConfigNode> ConfigNode::load_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return input_error("{}: cannot read config file: {}; check the path", path.string(), std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return input_error("{}: cannot read config file: read error; check the file", path.string());
  }
  return parse(text.str(), path.string());
}

std::string ConfigNode::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

ConfigNode::Entry ConfigNode::find(std::string_view key) const {
  Entry entry;
  if (!present_ || !node_->IsMap()) return entry;
  for (auto it = node_->begin(); it != node_->end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      entry.value = it->second;
      entry.key_line = line_of_mark(it->first.Mark());
      entry.found = true;
      return entry;
    }
  }
  return entry;
}

bool ConfigNode::has(std::string_view key) const { return find(key).found; }

bool ConfigNode::is_list(std::string_view key) const {
  const Entry entry = find(key);
  return entry.found && entry.value.IsSequence();
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> names;
  if (!present_ || !node_->IsMap()) return names;
  for (auto it = node_->begin(); it != node_->end(); ++it) names.push_back(it->first.as<std::string>(""));
  return names;
}

int ConfigNode::line_of(std::string_view key) const {
  const Entry entry = find(key);
  return entry.found ? entry.key_line : line_;
}

void ConfigNode::record(Error error) const {
  if (!first_error_->has_value()) *first_error_ = std::move(error);
}

Error ConfigNode::fail(std::string_view key, std::string_view problem, std::string_view fix) const {
  Error error = input_error("{}:{}: {}: {}; {}", *file_, line_of(key), key_path(key), problem, fix);
  record(error);
  return error;
}

Status ConfigNode::status() const {
  if (first_error_->has_value()) return **first_error_;
  return {};
}

template <typename T>
std::optional<T> ConfigNode::read(std::string_view key, bool required) const {
  const Entry entry = find(key);
  if (!entry.found) {
    if (required) {
      const std::string where = path_.empty() ? "at the top level" : fmt::format("under `{}`", path_);
      fail(key, "missing required key", fmt::format("add `{}: {}` {}", key, TypeName<T>::example, where));
    }
    return std::nullopt;
  }
  const YAML::Node& value = entry.value;
  const std::string expected = fmt::format("expected {}, got {}", TypeName<T>::name, describe(value));
  if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!value.IsSequence()) {
      fail(key, expected, fmt::format("write a list such as `{}: [a, b]`", key));
      return std::nullopt;
    }
    std::vector<std::string> items;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const YAML::Node item = value[i];
      if (!item.IsScalar()) {
        fail(key, fmt::format("item {} is {}, expected a string", i + 1, describe(item)),
             "write each item as plain text");
        return std::nullopt;
      }
      items.push_back(item.Scalar());
    }
    return items;
  } else {
    if (!value.IsScalar()) {
      fail(key, expected, fmt::format("write `{}: {}`", key, TypeName<T>::example));
      return std::nullopt;
    }
    std::optional<T> converted = convert_scalar(value.Scalar(), static_cast<T*>(nullptr));
    if (!converted) fail(key, expected, fmt::format("write `{}: {}`", key, TypeName<T>::example));
    return converted;
  }
}

template <typename T>
T ConfigNode::required(std::string_view key) const {
  std::optional<T> value = read<T>(key, true);
  return value ? std::move(*value) : T{};
}

template <typename T>
T ConfigNode::optional(std::string_view key, T fallback) const {
  std::optional<T> value = read<T>(key, false);
  return value ? std::move(*value) : std::move(fallback);
}

namespace {
template <typename T>
bool out_of_range(T value, T lo, T hi) {
  return value < lo || value > hi;
}
}  // namespace

template <typename T>
T ConfigNode::required_in_range(std::string_view key, T lo, T hi) const {
  std::optional<T> value = read<T>(key, true);
  if (!value) return lo;
  if (out_of_range(*value, lo, hi)) {
    fail(key, fmt::format("{} is out of range [{}, {}]", *value, lo, hi),
         fmt::format("choose a value from {} to {}", lo, hi));
    return lo;
  }
  return *value;
}

template <typename T>
T ConfigNode::optional_in_range(std::string_view key, T fallback, T lo, T hi) const {
  std::optional<T> value = read<T>(key, false);
  if (!value) return fallback;
  if (out_of_range(*value, lo, hi)) {
    fail(key, fmt::format("{} is out of range [{}, {}]", *value, lo, hi),
         fmt::format("choose a value from {} to {}", lo, hi));
    return fallback;
  }
  return *value;
}

std::string ConfigNode::choice(std::string_view key, const std::vector<std::string>& choices,
                               std::optional<std::string> fallback) const {
  std::optional<std::string> value = read<std::string>(key, !fallback.has_value());
  if (!value) return fallback ? *fallback : (choices.empty() ? std::string() : choices.front());
  for (const std::string& c : choices) {
    if (c == *value) return *value;
  }
  const std::vector<std::string> near = nearest_names(*value, choices, 1);
  const std::string hint = near.empty() ? fmt::format("use one of: {}", join(choices))
                                        : fmt::format("did you mean {}? use one of: {}", near.front(), join(choices));
  fail(key, fmt::format("\"{}\" is not a valid value", *value), hint);
  return fallback ? *fallback : choices.front();
}

ConfigNode ConfigNode::child(std::string_view key) const {
  const Entry entry = find(key);
  if (!entry.found) {
    return ConfigNode(std::make_shared<const YAML::Node>(), file_, key_path(key), line_, false, first_error_);
  }
  if (!entry.value.IsMap()) {
    fail(key, fmt::format("expected a mapping of keys, got {}", describe(entry.value)),
         fmt::format("write the keys of `{}` indented on the lines below it", key));
    return ConfigNode(std::make_shared<const YAML::Node>(), file_, key_path(key), entry.key_line, false, first_error_);
  }
  return ConfigNode(std::make_shared<const YAML::Node>(entry.value), file_, key_path(key), entry.key_line, true,
                    first_error_);
}

Status ConfigNode::only_keys(const std::vector<std::string>& known) const {
  if (!present_ || !node_->IsMap()) return {};
  std::vector<std::string> seen;
  for (auto it = node_->begin(); it != node_->end(); ++it) {
    const std::string name = it->first.as<std::string>("");
    const int line = line_of_mark(it->first.Mark());
    bool is_known = false;
    for (const std::string& k : known) is_known = is_known || k == name;
    if (!is_known) {
      const std::vector<std::string> near = nearest_names(name, known);
      const std::string hint = near.empty()
                                   ? fmt::format("remove it; known keys: {}", join(known))
                                   : fmt::format("did you mean {}? known keys: {}", join(near, " or "), join(known));
      Error error = input_error("{}:{}: {}: unknown key; {}", *file_, line, key_path(name), hint);
      record(error);
      return error;
    }
    for (const std::string& s : seen) {
      if (s == name) {
        Error error = input_error("{}:{}: {}: duplicate key; keep only one `{}:`", *file_, line, key_path(name), name);
        record(error);
        return error;
      }
    }
    seen.push_back(name);
  }
  return {};
}

template std::string ConfigNode::required<std::string>(std::string_view) const;
template double ConfigNode::required<double>(std::string_view) const;
template std::int64_t ConfigNode::required<std::int64_t>(std::string_view) const;
template bool ConfigNode::required<bool>(std::string_view) const;
template std::vector<std::string> ConfigNode::required<std::vector<std::string>>(std::string_view) const;
template std::string ConfigNode::optional<std::string>(std::string_view, std::string) const;
template double ConfigNode::optional<double>(std::string_view, double) const;
template std::int64_t ConfigNode::optional<std::int64_t>(std::string_view, std::int64_t) const;
template bool ConfigNode::optional<bool>(std::string_view, bool) const;
template std::vector<std::string> ConfigNode::optional<std::vector<std::string>>(std::string_view,
                                                                                 std::vector<std::string>) const;
template double ConfigNode::required_in_range<double>(std::string_view, double, double) const;
template std::int64_t ConfigNode::required_in_range<std::int64_t>(std::string_view, std::int64_t, std::int64_t) const;
template double ConfigNode::optional_in_range<double>(std::string_view, double, double, double) const;
template std::int64_t ConfigNode::optional_in_range<std::int64_t>(std::string_view, std::int64_t, std::int64_t,
                                                                  std::int64_t) const;

}  // namespace itrade::core

#pragma once
// ConfigNode: a strict, position-aware reader over a YAML mapping (yaml-cpp). Every config
// file in itrade (system.yaml, source.yaml, features.yaml, ...) is read through it so that
// every mistake is reported the same way:
//
//     <file>:<line>: <key.path>: <problem>; <what to do>
//
// e.g. "config/system.yaml:7: data.defaults.bar_lable: unknown key; did you mean bar_label?
// known keys: timezone, bar_label, on_bad_row". Lines are 1-based.
//
// Error collection. A ConfigNode and every node derived from it (child(), copies) share one
// error slot. Reading methods never throw and never fail loudly: on a problem they record
// the error (only the FIRST one is kept, later ones are usually consequences) and return the
// fallback or a value-initialised T. After reading a whole section the caller asks once:
//
//     auto data = root.child("data");
//     (void)data.only_keys({"default_dir", "cache_dir"});
//     settings.dir = data.required<std::string>("default_dir");
//     settings.cache = data.optional<std::string>("cache_dir", ".itrade/cache");
//     if (!root.ok()) return root.status().error();
//
// Values read after an error may be placeholders; do not act on them before checking.
// Semantic checks on a value (a zone name, an interval) report through fail(key, ...), which
// puts the key's file position on the message.
//
// Types for required/optional: std::string, double, std::int64_t, bool,
// std::vector<std::string>. A YAML value of the wrong shape (a list where a number is
// expected, "abc" for an integer, an empty value) is an error naming the expected type.
// Not thread-safe: the shared error slot is unsynchronised; copy per thread.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace itrade::core {

class ConfigNode {
 public:
  // Reads and parses a YAML file whose top level is a mapping (an empty file is an empty
  // mapping). Errors (input): unreadable/missing file ("<file>: cannot read ..."), YAML
  // syntax error ("<file>:<line>:<col>: YAML syntax error: ..."), top level not a mapping.
  // The file name in messages is `path` as given.
  static Result<ConfigNode> load_file(const std::filesystem::path& path);
  // Same, from text already in memory; `file` is the name used in messages.
  static Result<ConfigNode> parse(std::string_view text, std::string file);

  const std::string& file() const { return *file_; }
  // Dotted key path of this node: "" for the root, "data.defaults" for a child.
  const std::string& path() const { return path_; }
  // Dotted path of `key` under this node ("data.defaults.timezone").
  std::string key_path(std::string_view key) const;
  // 1-based line of this node's key (of the nearest present ancestor when absent).
  int line() const { return line_; }
  // False for a child whose key is absent (it then reads as an empty mapping).
  bool present() const { return present_; }

  bool has(std::string_view key) const;
  // True when `key` is present and holds a YAML sequence (for keys that take a list or a text).
  bool is_list(std::string_view key) const;
  // Keys of this mapping in file order; empty when absent or not a mapping.
  std::vector<std::string> keys() const;
  // 1-based line of `key`, or of this node when the key is absent.
  int line_of(std::string_view key) const;

  // The value of `key`; a missing key is an error ("missing required key; add ...").
  template <typename T>
  T required(std::string_view key) const;
  // The value of `key`, or `fallback` when the key is absent. A present key with a bad value
  // is still an error (an empty value `key:` included).
  template <typename T>
  T optional(std::string_view key, T fallback) const;

  // Numbers constrained to [lo, hi] (inclusive); out of range is an error naming the range.
  template <typename T>
  T required_in_range(std::string_view key, T lo, T hi) const;
  template <typename T>
  T optional_in_range(std::string_view key, T fallback, T lo, T hi) const;

  // A string that must be one of `choices` (exact, case-sensitive); the error lists them and
  // suggests the nearest. Without `fallback` the key is required.
  std::string choice(std::string_view key, const std::vector<std::string>& choices,
                     std::optional<std::string> fallback = std::nullopt) const;

  // The mapping under `key`. Absent key: an absent node (reads as empty; required() under it
  // reports the missing key with its full path). Present but not a mapping: an error.
  ConfigNode child(std::string_view key) const;

  // Rejects keys not in `known` (and duplicated keys): the first offender is recorded and
  // returned, with its line and the nearest known keys. An absent node passes.
  Status only_keys(const std::vector<std::string>& known) const;

  // Records an error about `key` (which need not exist) at its position:
  // "<file>:<line>: <key path>: <problem>; <fix>". Returns the error for convenience.
  Error fail(std::string_view key, std::string_view problem, std::string_view fix) const;

  // The first error recorded by this node or any node sharing its slot.
  bool ok() const { return !first_error_->has_value(); }
  Status status() const;

 private:
  struct Entry {
    YAML::Node value;
    int key_line = 0;  // 1-based
    bool found = false;
  };

  ConfigNode(std::shared_ptr<const YAML::Node> node, std::shared_ptr<const std::string> file, std::string path,
             int line, bool present, std::shared_ptr<std::optional<Error>> first_error);

  Entry find(std::string_view key) const;
  void record(Error error) const;
  template <typename T>
  std::optional<T> read(std::string_view key, bool required) const;

  std::shared_ptr<const YAML::Node> node_;  // shared_ptr: YAML::Node's operator= mutates trees
  std::shared_ptr<const std::string> file_;
  std::string path_;
  int line_ = 1;
  bool present_ = true;
  std::shared_ptr<std::optional<Error>> first_error_;
};

}  // namespace itrade::core

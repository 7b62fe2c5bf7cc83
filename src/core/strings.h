#pragma once
// Small string helpers shared by config readers and name registries: splitting, trimming,
// upper-casing, and "did you mean" suggestions by edit distance.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace itrade::core {

// Leading and trailing ASCII whitespace removed; returns a view into `text`.
std::string_view trim(std::string_view text);

// Splits on every `separator`; keeps empty pieces ("a,,b" -> "a", "", "b"). Views into `text`.
std::vector<std::string_view> split(std::string_view text, char separator);

// ASCII upper case; other bytes are unchanged.
std::string to_upper(std::string_view text);

// Levenshtein distance (insertions, deletions, substitutions, each costing 1), byte-wise.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Up to `max` names from `known` close enough to `wanted` to be a plausible typo, nearest
// first (ties keep the order of `known`). Comparison ignores ASCII case. A name is close when
// its distance is at most a third of the longer length (at least 2), or when one name
// contains the other. Empty when nothing is close.
std::vector<std::string> nearest_names(std::string_view wanted, const std::vector<std::string>& known,
                                       std::size_t max = 3);

// "a, b, c" — for listing names in messages.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace itrade::core

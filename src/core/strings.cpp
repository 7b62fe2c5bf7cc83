#include "core/strings.h"

#include <algorithm>
#include <numeric>

namespace itrade::core {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::string to_upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the dynamic-programming table at a time.
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> nearest_names(std::string_view wanted, const std::vector<std::string>& known,
                                       std::size_t max) {
  const std::string wanted_upper = to_upper(wanted);
  struct Candidate {
    std::size_t distance;
    std::size_t order;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < known.size(); ++i) {
    const std::string name_upper = to_upper(known[i]);
    const std::size_t distance = edit_distance(wanted_upper, name_upper);
    const std::size_t longer = std::max(wanted_upper.size(), name_upper.size());
    const std::size_t limit = std::max<std::size_t>(2, longer / 3);
    const bool contains = !wanted_upper.empty() && (name_upper.find(wanted_upper) != std::string::npos ||
                                                    wanted_upper.find(name_upper) != std::string::npos);
    if (distance <= limit || contains) candidates.push_back({distance, i});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& x, const Candidate& y) { return x.distance < y.distance; });
  std::vector<std::string> names;
  for (const Candidate& c : candidates) {
    if (names.size() == max) break;
    names.push_back(known[c.order]);
  }
  return names;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string joined;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) joined += separator;
    joined += items[i];
  }
  return joined;
}

}  // namespace itrade::core

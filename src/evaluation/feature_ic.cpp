#include "evaluation/feature_ic.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <thread>

#include "core/parallel.h"

namespace itrade::evaluation {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using RowIndex = std::uint32_t;  // rows of all tickers together; a year of 5-minute bars of 7 tickers is ~140k

// Rows of every ticker, one after the other: ticker i's rows are [first[i], first[i + 1]).
struct Layout {
  std::vector<std::size_t> first;
  std::vector<std::uint32_t> ticker_of_row;

  explicit Layout(std::vector<std::size_t> starts) : first(std::move(starts)) {
    ticker_of_row.resize(first.back());
    for (std::size_t i = 0; i + 1 < first.size(); ++i) {
      std::fill(ticker_of_row.begin() + static_cast<std::ptrdiff_t>(first[i]),
                ticker_of_row.begin() + static_cast<std::ptrdiff_t>(first[i + 1]), static_cast<std::uint32_t>(i));
    }
  }
  std::size_t tickers() const { return first.size() - 1; }
  std::size_t rows() const { return first.back(); }
};

// Which rows of a column hold a value (not NaN), one bit per row.
struct RowSet {
  std::vector<std::uint64_t> words;
  bool has(std::size_t row) const { return ((words[row / 64] >> (row % 64)) & 1U) != 0; }
  friend bool operator==(const RowSet&, const RowSet&) = default;
};

RowSet defined_rows(std::span<const double> column) {
  RowSet set;
  set.words.assign((column.size() + 63) / 64, 0);
  for (std::size_t r = 0; r < column.size(); ++r) {
    if (!std::isnan(column[r])) set.words[r / 64] |= std::uint64_t{1} << (r % 64);
  }
  return set;
}

// Whether every row of `a` is in `b`.
bool subset_of(const RowSet& a, const RowSet& b) {
  for (std::size_t w = 0; w < a.words.size(); ++w) {
    if ((a.words[w] & ~b.words[w]) != 0) return false;
  }
  return true;
}

// A value's row, with a key that orders like the value (order_key) and can be radix sorted.
struct Entry {
  std::uint64_t key;
  RowIndex row;
};

// The bits of `value` as an unsigned number with the same order: negative values have all bits
// flipped, others only the sign bit. -0 is read as +0 (they are equal, so they tie).
std::uint64_t order_key(double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value + 0.0);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

// Sorts `entries` by key, stably (ties keep their row order): least-significant-digit radix sort,
// 11 bits a pass, with every digit's histogram counted in one read, skipping the passes in which
// every key has the same digit (the high exponent bits of most columns). `buffer` is scratch space.
void radix_sort(std::vector<Entry>& entries, std::vector<Entry>& buffer) {
  constexpr int kBits = 11;
  constexpr int kPasses = (64 + kBits - 1) / kBits;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  if (entries.size() < 2) return;
  buffer.resize(entries.size());
  std::vector<std::uint32_t> histogram(kPasses * kBuckets, 0);
  for (const Entry& e : entries) {
    for (int pass = 0; pass < kPasses; ++pass)
      ++histogram[pass * kBuckets + ((e.key >> (pass * kBits)) & (kBuckets - 1))];
  }
  for (int pass = 0; pass < kPasses; ++pass) {
    std::uint32_t* count = histogram.data() + pass * kBuckets;
    const int shift = pass * kBits;
    if (count[(entries.front().key >> shift) & (kBuckets - 1)] == entries.size()) continue;
    std::uint32_t offset = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      const std::uint32_t here = count[b];
      count[b] = offset;
      offset += here;
    }
    for (const Entry& e : entries) buffer[count[(e.key >> shift) & (kBuckets - 1)]++] = e;
    entries.swap(buffer);
  }
}

// A column sorted once: each ticker's defined rows by value (`local`, ticker after ticker, ticker
// i's at [bounds[i], bounds[i + 1])) and all tickers' together (`pooled`).
struct SortedColumn {
  std::vector<Entry> local;
  std::vector<std::size_t> bounds;
  std::vector<Entry> pooled;
  RowSet defined;
};

// `out` and `buffer` keep their capacity from one column to the next (no page faults per column).
void sort_column(std::span<const double> column, const Layout& layout, SortedColumn& out, std::vector<Entry>& buffer) {
  out.defined = defined_rows(column);
  // All rows sorted at once; each ticker's run is then its rows taken in that order (a stable
  // distribution), which is cheaper than sorting every ticker and merging.
  out.pooled.clear();
  std::vector<std::size_t> offset(layout.tickers() + 1, 0);
  for (std::size_t r = 0; r < column.size(); ++r) {
    if (std::isnan(column[r])) continue;
    out.pooled.push_back(Entry{order_key(column[r]), static_cast<RowIndex>(r)});
    ++offset[layout.ticker_of_row[r] + 1];
  }
  radix_sort(out.pooled, buffer);
  for (std::size_t i = 1; i < offset.size(); ++i) offset[i] += offset[i - 1];
  out.bounds = offset;
  out.local.resize(out.pooled.size());
  for (const Entry& e : out.pooled) out.local[offset[layout.ticker_of_row[e.row]]++] = e;
}

// Average ranks (1-based, ties share the mean of their ranks) of a column's rows within each scope,
// counting only rows that are also in a partner's row set; NaN for every other row. `local[r]` is
// row r's rank among its ticker's rows, `pooled[r]` among all rows; `local_n` and `pooled_n` say
// how many rows were ranked.
struct Ranks {
  std::vector<double> local;
  std::vector<double> pooled;
  std::vector<std::size_t> local_n;
  std::size_t pooled_n = 0;
};

// Ranks of `sorted` (ascending) among the rows in `partner` (all rows when null), into rank[row].
std::size_t rank_rows(std::span<const Entry> sorted, const RowSet* partner, std::vector<double>& rank) {
  std::size_t ranked = 0;
  std::size_t group = 0;
  while (group < sorted.size()) {
    // [group, end): one value; m of its rows are in the partner's set.
    std::size_t end = group;
    std::size_t m = 0;
    while (end < sorted.size() && sorted[end].key == sorted[group].key) {
      if (partner == nullptr || partner->has(sorted[end].row)) ++m;
      ++end;
    }
    const double average = static_cast<double>(ranked) + (static_cast<double>(m) + 1.0) / 2.0;
    for (std::size_t k = group; k < end; ++k) {
      if (partner == nullptr || partner->has(sorted[k].row)) rank[sorted[k].row] = average;
    }
    ranked += m;
    group = end;
  }
  return ranked;
}

void rank_column(const SortedColumn& column, const RowSet* partner, std::size_t rows, Ranks& out) {
  out.local.assign(rows, kNaN);
  out.pooled.assign(rows, kNaN);
  out.local_n.resize(column.bounds.size() - 1);
  for (std::size_t i = 0; i + 1 < column.bounds.size(); ++i) {
    const std::span<const Entry> run(column.local.data() + column.bounds[i], column.bounds[i + 1] - column.bounds[i]);
    out.local_n[i] = rank_rows(run, partner, out.local);
  }
  out.pooled_n = rank_rows(column.pooled, partner, out.pooled);
}

// Spearman over rows [first, last): the Pearson correlation of two rank columns that are defined
// on the same n rows (each ranked among the other's rows), centred on their common mean (n + 1) / 2.
IcStat rank_correlation(const std::vector<double>& a, const std::vector<double>& b, std::size_t first, std::size_t last,
                        std::size_t n, int horizon) {
  IcStat stat;
  stat.n = n;
  if (n < 2) return stat;
  const double centre = (static_cast<double>(n) + 1.0) / 2.0;
  double ab = 0.0;
  double aa = 0.0;
  double bb = 0.0;
  for (std::size_t r = first; r < last; ++r) {
    if (std::isnan(a[r]) || std::isnan(b[r])) continue;
    const double x = a[r] - centre;
    const double y = b[r] - centre;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa == 0.0 || bb == 0.0) return stat;  // a constant side: no correlation defined
  stat.ic = std::clamp(ab / std::sqrt(aa * bb), -1.0, 1.0);
  stat.t = ic_t_statistic(stat.ic, stat.n, horizon);
  return stat;
}

// Every scope's IC of one pair, given each side's ranks among the other's rows.
void score_pair(const Ranks& a, const Ranks& b, const Layout& layout, int horizon, FeatureIc& cell) {
  for (std::size_t i = 0; i < layout.tickers(); ++i) {
    cell.per_ticker[i] =
        rank_correlation(a.local, b.local, layout.first[i], layout.first[i + 1], a.local_n[i], horizon);
  }
  cell.pooled = rank_correlation(a.pooled, b.pooled, 0, layout.rows(), a.pooled_n, horizon);
}

}  // namespace

double ic_t_statistic(double ic, std::size_t n, int horizon) {
  const double effective = static_cast<double>(n) / static_cast<double>(std::max(horizon, 1));
  if (!std::isfinite(ic) || std::abs(ic) >= 1.0 || effective <= 2.0) return kNaN;
  return ic * std::sqrt(effective - 2.0) / std::sqrt(1.0 - ic * ic);
}

double spearman_complete(std::span<const double> a, std::span<const double> b, std::size_t* n) {
  assert(a.size() == b.size());
  const Layout layout({0, a.size()});
  std::vector<Entry> buffer;
  SortedColumn a_sorted;
  SortedColumn b_sorted;
  sort_column(a, layout, a_sorted, buffer);
  sort_column(b, layout, b_sorted, buffer);
  Ranks a_ranks;
  Ranks b_ranks;
  rank_column(a_sorted, &b_sorted.defined, a.size(), a_ranks);
  rank_column(b_sorted, &a_sorted.defined, a.size(), b_ranks);
  const IcStat stat = rank_correlation(a_ranks.pooled, b_ranks.pooled, 0, a.size(), a_ranks.pooled_n, 1);
  if (n != nullptr) *n = stat.n;
  return stat.ic;
}

core::Result<std::vector<FeatureIc>> feature_ic(std::span<const features::FeatureMatrix> matrices,
                                                const std::vector<std::string>& features,
                                                const std::vector<const features::TargetDef*>& targets) {
  // Columns: the features, then the targets.
  std::vector<std::string> names = features;
  std::vector<int> horizons;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    if (targets[t] == nullptr) return core::input_error("feature_ic: target {} of the list is null", t + 1);
    names.push_back(targets[t]->name);
    horizons.push_back(std::max(targets[t]->horizon(), 1));
  }
  std::vector<std::size_t> first_row(matrices.size() + 1, 0);
  for (std::size_t i = 0; i < matrices.size(); ++i) first_row[i + 1] = first_row[i] + matrices[i].rows();
  const std::size_t total = first_row.back();
  if (total > std::numeric_limits<RowIndex>::max()) {
    return core::input_error("feature_ic: {} rows are more than the {} it can rank", total,
                             std::numeric_limits<RowIndex>::max());
  }
  const Layout layout(std::move(first_row));
  // Where each column sits in each matrix (tickers may order their columns differently).
  std::vector<std::vector<std::size_t>> at(names.size(), std::vector<std::size_t>(matrices.size()));
  for (std::size_t i = 0; i < matrices.size(); ++i) {
    const features::FeatureMatrix& m = matrices[i];
    assert(m.values.size() == m.rows() * m.cols());
    for (std::size_t c = 0; c < names.size(); ++c) {
      const int index = m.column_index(names[c]);
      if (index < 0) {
        return core::input_error(
            "{} has no column '{}' ({}); compute it before asking for its information "
            "coefficient",
            m.ticker.empty() ? fmt::format("matrix {}", i + 1) : m.ticker, names[c],
            c < features.size() ? "a feature" : "a target");
      }
      at[c][i] = static_cast<std::size_t>(index);
    }
  }

  std::vector<FeatureIc> result(features.size() * targets.size());
  for (std::size_t f = 0; f < features.size(); ++f) {
    for (std::size_t t = 0; t < targets.size(); ++t) {
      FeatureIc& cell = result[f * targets.size() + t];
      cell.feature = features[f];
      cell.target = targets[t]->name;
      cell.horizon = horizons[t];
      cell.per_ticker.resize(matrices.size());
    }
  }
  if (targets.empty()) return result;

  // Column-major copies: reading one column of a row-major matrix would miss the cache on every row.
  std::vector<std::vector<double>> columns(names.size(), std::vector<double>(total));
  for (std::size_t i = 0; i < matrices.size(); ++i) {
    const features::FeatureMatrix& m = matrices[i];
    for (std::size_t r = 0; r < m.rows(); ++r) {
      const double* row = m.values.data() + r * m.cols();
      for (std::size_t c = 0; c < names.size(); ++c) columns[c][layout.first[i] + r] = row[at[c][i]];
    }
  }

  // A pair is scored on the rows where both sides are defined, each side ranked among those rows.
  // A side's ranks depend only on which rows the other side defines, so they are shared: a
  // feature's ranks by every target defining the same rows (targets of one horizon do), a target's
  // by every feature defining the same rows (features past their warm-up define all), and a
  // target's ranks among all its own rows whenever the feature is defined wherever it is.
  std::vector<SortedColumn> labels(targets.size());
  std::vector<Ranks> own(targets.size());
  core::parallel_for(targets.size(), 0, [&](std::size_t t) {
    std::vector<Entry> buffer;
    sort_column(columns[features.size() + t], layout, labels[t], buffer);
    rank_column(labels[t], nullptr, total, own[t]);
  });
  std::vector<std::size_t> label_class(targets.size());  // the first target defining the same rows
  for (std::size_t t = 0; t < targets.size(); ++t) {
    label_class[t] = t;
    for (std::size_t u = 0; u < t; ++u) {
      if (labels[u].defined == labels[t].defined) {
        label_class[t] = u;
        break;
      }
    }
  }
  // Features grouped by the rows they define, in order of first appearance.
  std::vector<RowSet> feature_rows(features.size());
  core::parallel_for(features.size(), 0, [&](std::size_t f) { feature_rows[f] = defined_rows(columns[f]); });
  std::vector<std::vector<std::size_t>> feature_classes;
  for (std::size_t f = 0; f < features.size(); ++f) {
    auto same = std::find_if(feature_classes.begin(), feature_classes.end(),
                             [&](const auto& members) { return feature_rows[members.front()] == feature_rows[f]; });
    if (same == feature_classes.end()) {
      feature_classes.push_back({f});
    } else {
      same->push_back(f);
    }
  }
  // One scratch space per worker, kept across features and classes.
  struct Worker {
    SortedColumn feature;
    std::vector<Entry> buffer;
    std::vector<Ranks> by_class;  // the feature's ranks among each target class's rows
  };
  const std::size_t hardware = std::max(1U, std::thread::hardware_concurrency());
  std::vector<Worker> workers(std::min(hardware, std::max<std::size_t>(features.size(), 1)));
  for (Worker& w : workers) w.by_class.resize(targets.size());
  std::vector<Ranks> restricted(targets.size());
  std::vector<const Ranks*> label_ranks(targets.size());
  for (const auto& members : feature_classes) {
    const RowSet& rows = feature_rows[members.front()];
    // Each target's ranks among this class's rows.
    core::parallel_for(targets.size(), 0, [&](std::size_t t) {
      if (subset_of(labels[t].defined, rows)) {
        label_ranks[t] = &own[t];
      } else {
        rank_column(labels[t], &rows, total, restricted[t]);
        label_ranks[t] = &restricted[t];
      }
    });
    std::atomic<std::size_t> next{0};
    const std::size_t count = std::min(workers.size(), members.size());
    core::parallel_for(count, static_cast<int>(count), [&](std::size_t w) {
      Worker& worker = workers[w];
      for (std::size_t k = next.fetch_add(1); k < members.size(); k = next.fetch_add(1)) {
        const std::size_t f = members[k];
        sort_column(columns[f], layout, worker.feature, worker.buffer);
        for (std::size_t t = 0; t < targets.size(); ++t) {
          const std::size_t c = label_class[t];
          if (c == t) rank_column(worker.feature, &labels[t].defined, total, worker.by_class[t]);
          score_pair(worker.by_class[c], *label_ranks[t], layout, horizons[t], result[f * targets.size() + t]);
        }
      }
    });
  }
  return result;
}

}  // namespace itrade::evaluation

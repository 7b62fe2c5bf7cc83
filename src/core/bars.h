#pragma once
// The unified bar schema every source produces (docs/ARCHITECTURE.md, "Bar schema"):
// per ticker, columns of equal length; ts is the bar's START in UTC ns, strictly increasing;
// prices are float64; volume is -1 where the source has none.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace itrade::core {

inline constexpr double kVolumeAbsent = -1.0;

struct BarSeries {
  std::string ticker;
  std::vector<Timestamp> ts;
  std::vector<double> open;
  std::vector<double> high;
  std::vector<double> low;
  std::vector<double> close;
  std::vector<double> volume;

  std::size_t size() const { return ts.size(); }
  bool empty() const { return ts.empty(); }
  void reserve(std::size_t n);
  void push_back(Timestamp t, double o, double h, double l, double c, double v);
  // Keeps rows [first, last) only.
  void keep_range(std::size_t first, std::size_t last);
};

// Bars of several tickers, one series each, in the order the tickers were asked for.
struct BarFrame {
  std::vector<BarSeries> series;

  const BarSeries* find(std::string_view ticker) const;
  std::size_t rows() const;
};

}  // namespace itrade::core

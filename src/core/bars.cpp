#include "core/bars.h"

#include <algorithm>

namespace itrade::core {

void BarSeries::reserve(std::size_t n) {
  ts.reserve(n);
  open.reserve(n);
  high.reserve(n);
  low.reserve(n);
  close.reserve(n);
  volume.reserve(n);
}

void BarSeries::push_back(Timestamp t, double o, double h, double l, double c, double v) {
  ts.push_back(t);
  open.push_back(o);
  high.push_back(h);
  low.push_back(l);
  close.push_back(c);
  volume.push_back(v);
}

void BarSeries::keep_range(std::size_t first, std::size_t last) {
  auto keep = [first, last](auto& column) {
    column.erase(column.begin() + static_cast<std::ptrdiff_t>(last), column.end());
    column.erase(column.begin(), column.begin() + static_cast<std::ptrdiff_t>(first));
  };
  keep(ts);
  keep(open);
  keep(high);
  keep(low);
  keep(close);
  keep(volume);
}

const BarSeries* BarFrame::find(std::string_view ticker) const {
  const auto it = std::find_if(series.begin(), series.end(), [&](const BarSeries& s) { return s.ticker == ticker; });
  return it == series.end() ? nullptr : &*it;
}

std::size_t BarFrame::rows() const {
  std::size_t n = 0;
  for (const auto& s : series) n += s.size();
  return n;
}

}  // namespace itrade::core

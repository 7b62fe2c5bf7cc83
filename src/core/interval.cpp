#include "core/interval.h"

#include <charconv>

namespace itrade::core {

std::string Interval::name() const {
  const auto m = minutes();
  return m % 60 == 0 ? fmt::format("{}h", m / 60) : fmt::format("{}m", m);
}

Result<Interval> Interval::parse(std::string_view text) {
  int count = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  const std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  const auto bad = [&] {
    return input_error("'{}' is not a bar interval: use 1m, 2m, 5m, 10m, 15m, 30m or 1h..4h", text);
  };
  if (ec != std::errc() || count <= 0) return bad();
  if (unit == "m" || unit == "min") {
    if (60 % count != 0) return bad();
    return Interval{count * kNanosPerMinute};
  }
  if (unit == "h") {
    if (count > 4) return bad();
    return Interval{count * kNanosPerHour};
  }
  return bad();
}

}  // namespace itrade::core

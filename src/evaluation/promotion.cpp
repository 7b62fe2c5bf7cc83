#include "evaluation/promotion.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/config_node.h"
#include "core/nyse_calendar.h"

namespace itrade::evaluation {

std::vector<DayFigures> backtest_days(const BacktestResult& backtest, core::DayNumber first, core::DayNumber last) {
  const core::NyseCalendar& calendar = core::NyseCalendar::instance();
  std::map<core::DayNumber, DayFigures> days;
  double previous_end = backtest.initial_cash;
  for (std::size_t k = 0; k < backtest.ts.size(); ++k) {
    const core::DayNumber day = calendar.new_york_day(backtest.ts[k]);
    const bool last_of_day = k + 1 == backtest.ts.size() || calendar.new_york_day(backtest.ts[k + 1]) != day;
    if (!last_of_day) continue;
    if (day >= first && day <= last) days[day] = DayFigures{day, previous_end, backtest.equity[k], 0, 0.0};
    previous_end = backtest.equity[k];
  }
  const auto book = [&](core::Timestamp ts, double quantity, double price) {
    const auto found = days.find(calendar.new_york_day(ts));
    if (found == days.end()) return;
    ++found->second.fills;
    found->second.traded_value += std::abs(quantity) * price;
  };
  for (const Trade& t : backtest.trades) {
    book(t.entry_ts, t.quantity, t.entry_price);
    book(t.exit_ts, t.quantity, t.exit_price);
  }
  std::vector<DayFigures> out;
  out.reserve(days.size());
  for (const auto& [day, figures] : days) out.push_back(figures);
  return out;
}

core::Result<PromotionConfig> load_promotion_config(const std::filesystem::path& file) {
  auto loaded = core::ConfigNode::load_file(file);
  if (!loaded) return loaded.error();
  const core::ConfigNode& root = *loaded;
  (void)root.only_keys({"paper_days", "tolerance"});
  PromotionConfig c;
  c.paper_days = static_cast<int>(root.optional_in_range<std::int64_t>("paper_days", c.paper_days, 1, 10'000));
  const core::ConfigNode tolerance = root.child("tolerance");
  (void)tolerance.only_keys({"daily_return", "fills", "traded_value"});
  // Ceilings: a gate that a configuration can open wide is no gate.
  c.daily_return = tolerance.optional_in_range<double>("daily_return", c.daily_return, 0.0, 0.01);
  c.fills = tolerance.optional_in_range<double>("fills", c.fills, 0.0, 1e6);
  c.traded_value = tolerance.optional_in_range<double>("traded_value", c.traded_value, 0.0, 1.0);
  if (!root.ok()) return root.status().error();
  return c;
}

std::string_view day_metric_name(DayMetric metric) {
  switch (metric) {
    case DayMetric::presence:
      return "presence";
    case DayMetric::daily_return:
      return "daily_return";
    case DayMetric::fills:
      return "fills";
    case DayMetric::traded_value:
      return "traded_value";
  }
  return "?";
}

namespace {

// The first failed metric of a day, in words: both figures, their difference and the tolerance.
std::string failure_text(const DayComparison& c, const PromotionConfig& config) {
  const std::string day = core::format_date(c.day);
  if (!c.paper) return fmt::format("{}: the backtest traded this day and the paper account has no record of it", day);
  if (!c.backtest) return fmt::format("{}: the paper account traded a day the backtest's data does not have", day);
  const DayFigures& p = *c.paper;
  const DayFigures& b = *c.backtest;
  switch (c.failed.front()) {
    case DayMetric::daily_return:
      return fmt::format(
          "{}: daily_return: paper {:+.4f}% against backtest {:+.4f}%, a difference of {:.4f} percentage points "
          "> tolerance {:.4f}",
          day, 100.0 * p.day_return(), 100.0 * b.day_return(), 100.0 * std::abs(p.day_return() - b.day_return()),
          100.0 * config.daily_return);
    case DayMetric::fills:
      return fmt::format("{}: fills: paper {} against backtest {}, a difference of {} > tolerance {:g}", day, p.fills,
                         b.fills, p.fills > b.fills ? p.fills - b.fills : b.fills - p.fills, config.fills);
    case DayMetric::traded_value:
      return fmt::format(
          "{}: traded_value: paper {:.2f} against backtest {:.2f}, a difference of {:.4f} of the day's start equity "
          "> tolerance {:.4f}",
          day, p.traded_value, b.traded_value, std::abs(p.traded_value - b.traded_value) / b.start_equity,
          config.traded_value);
    case DayMetric::presence:
      break;
  }
  return day;
}

}  // namespace

PromotionVerdict compare_days(std::span<const DayFigures> paper, std::span<const DayFigures> backtest,
                              const PromotionConfig& config) {
  std::map<core::DayNumber, DayComparison> by_day;
  for (const DayFigures& d : paper) by_day[d.day].paper = d;
  for (const DayFigures& d : backtest) by_day[d.day].backtest = d;
  PromotionVerdict verdict;
  for (auto& [day, c] : by_day) {
    c.day = day;
    if (!c.paper || !c.backtest) {
      c.failed.push_back(DayMetric::presence);
    } else {
      const DayFigures& p = *c.paper;
      const DayFigures& b = *c.backtest;
      // NaN (a zero start equity) fails every comparison: such a day is never within tolerance.
      if (!(std::abs(p.day_return() - b.day_return()) <= config.daily_return)) c.failed.push_back(DayMetric::daily_return);
      const double fill_gap = std::abs(static_cast<double>(p.fills) - static_cast<double>(b.fills));
      if (!(fill_gap <= config.fills)) c.failed.push_back(DayMetric::fills);
      if (!(std::abs(p.traded_value - b.traded_value) <= config.traded_value * b.start_equity)) {
        c.failed.push_back(DayMetric::traded_value);
      }
    }
    verdict.days.push_back(std::move(c));
  }
  verdict.enough_days = paper.size() >= static_cast<std::size_t>(config.paper_days);
  for (const DayComparison& c : verdict.days) {
    if (!c.failed.empty()) {
      verdict.reason = failure_text(c, config);
      return verdict;
    }
  }
  std::size_t fills = 0;
  for (const DayFigures& d : paper) fills += d.fills;
  if (fills == 0) {
    verdict.reason = "the paper account made no fill: there is no trading to compare with the backtest";
    return verdict;
  }
  if (!verdict.enough_days) {
    verdict.reason = fmt::format("the paper account has {} trading day(s); promotion needs at least {} (paper_days)",
                                 paper.size(), config.paper_days);
    return verdict;
  }
  verdict.promoted = true;
  return verdict;
}

}  // namespace itrade::evaluation

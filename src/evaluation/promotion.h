#pragma once
// The promotion gate (docs/execution.md, "Promotion"): a paper account's days set against the
// backtest of the same model over the same days. A model is promoted only when the account has
// traded at least `paper_days` days and every one of them stays within the tolerances of
// config/promotion.yaml on every compared metric.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "evaluation/backtest_result.h"

namespace itrade::evaluation {

// What one New York trading day did to an account.
struct DayFigures {
  core::DayNumber day = 0;
  double start_equity = 0.0;  // at the previous day's end (the initial cash on the first day)
  double end_equity = 0.0;    // at the day's last bar
  std::size_t fills = 0;      // executions booked that day
  double traded_value = 0.0;  // sum of |quantity| x fill price of those executions

  double day_return() const { return end_equity / start_equity - 1.0; }
};

// The backtest's days from `first` to `last` (New York days) that have a bar in its timeline: the
// equity at each day's last instant, and the entry and exit fills of its trades by their time.
std::vector<DayFigures> backtest_days(const BacktestResult& backtest, core::DayNumber first, core::DayNumber last);

struct PromotionConfig {
  int paper_days = 3;              // at least this many paper days
  double daily_return = 0.001;     // |paper - backtest| of the day's return
  double fills = 2.0;              // |paper - backtest| of the day's number of fills
  double traded_value = 0.05;      // |paper - backtest| of the value traded, over the day's start equity
};

// config/promotion.yaml; errors name the file, line and key.
core::Result<PromotionConfig> load_promotion_config(const std::filesystem::path& file);

// The metrics compared per day, in the order they are checked.
enum class DayMetric { presence, daily_return, fills, traded_value };
std::string_view day_metric_name(DayMetric metric);

struct DayComparison {
  core::DayNumber day = 0;
  std::optional<DayFigures> paper;     // absent: the backtest has the day, the account does not
  std::optional<DayFigures> backtest;  // absent: the account traded a day the backtest does not have
  std::vector<DayMetric> failed;       // empty: the day passes
};

struct PromotionVerdict {
  std::vector<DayComparison> days;  // by day
  bool enough_days = false;         // the account has at least config.paper_days days
  bool promoted = false;
  std::string reason;  // why not, naming the first failing day and metric; empty when promoted
};

// Sets `paper` (by day, each at most once) against `backtest` day by day. The reason of a refusal
// names the first failing day and metric with both figures and the tolerance.
PromotionVerdict compare_days(std::span<const DayFigures> paper, std::span<const DayFigures> backtest,
                              const PromotionConfig& config);

}  // namespace itrade::evaluation

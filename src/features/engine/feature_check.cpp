#include "features/engine/feature_check.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "core/nyse_calendar.h"
#include "core/parallel.h"
#include "features/engine/batch.h"

namespace itrade::features {

namespace {

bool same_bits(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::memcmp(&a, &b, sizeof a) == 0;
}

std::string describe_bar(const core::BarSeries& bars, std::size_t i) {
  return fmt::format("bar {} ({})", i, core::format_utc(bars.ts[i]));
}

class TickerCheck {
 public:
  TickerCheck(const std::shared_ptr<const FeaturePlan>& plan, const core::BarSeries& bars, const CheckOptions& options,
              std::uint64_t seed)
      : plan_(plan), bars_(bars), options_(options), rng_(seed), reported_(plan->outputs.size() * 5, false) {}

  void run() {
    auto full = compute_features(plan_, bars_);
    if (!full) {
      add("input", "", full.error().message);
      return;
    }
    full_ = std::move(*full);
    check_lookback_and_finite();
    check_streaming();
    check_truncations();
    check_warmup();
  }

  std::vector<CheckProblem> problems;
  std::size_t truncations = 0;
  double max_warmup_error = 0.0;

 private:
  enum Check { kLookAhead, kLookback, kFinite, kStreaming, kWarmup };

  const FeatureDef& def(std::size_t column) const {
    return plan_->nodes[static_cast<std::size_t>(plan_->outputs[column])].def;
  }

  void add(std::string check, std::string feature, std::string detail) {
    problems.push_back({std::move(check), std::move(feature), bars_.ticker, std::move(detail)});
  }

  // Records a problem once per (check, feature).
  void report(Check check, std::size_t column, std::string detail) {
    static const char* const kNames[] = {"look-ahead", "lookback", "finite", "streaming", "warm-up"};
    const std::size_t slot = column * 5 + static_cast<std::size_t>(check);
    if (reported_[slot]) return;
    reported_[slot] = true;
    add(kNames[check], def(column).name, std::move(detail));
  }

  void check_lookback_and_finite() {
    const std::size_t n = full_.rows();
    for (std::size_t c = 0; c < full_.cols(); ++c) {
      const auto expected = static_cast<std::size_t>(def(c).first_valid);
      std::size_t first = n;
      for (std::size_t r = 0; r < n; ++r) {
        if (!std::isnan(full_.at(r, c))) {
          first = r;
          break;
        }
      }
      if (n > expected && first != expected) {
        report(kLookback, c,
               fmt::format("first value at {}, but the registry says bar {} (lookback {} bars)",
                           first < n ? describe_bar(bars_, first) : "no bar", expected, def(c).lookback_bars()));
      }
      for (std::size_t r = expected; r < n; ++r) {
        if (!std::isfinite(full_.at(r, c))) {
          report(kFinite, c, fmt::format("{} after warm-up at {}", full_.at(r, c), describe_bar(bars_, r)));
          break;
        }
      }
    }
  }

  void check_streaming() {
    FeatureEngine engine(plan_);
    std::vector<double> row(full_.cols());
    for (std::size_t r = 0; r < bars_.size(); ++r) {
      if (auto status = engine.update(bar_point(bars_, r), row); !status) {
        add("streaming", "", status.error().message);
        return;
      }
      for (std::size_t c = 0; c < row.size(); ++c) {
        if (!same_bits(row[c], full_.at(r, c))) {
          report(kStreaming, c,
                 fmt::format("streaming {} != batch {} at {}", row[c], full_.at(r, c), describe_bar(bars_, r)));
        }
      }
    }
  }

  // Session ends (the last bar of each New York day) are where a leak across the close would
  // show; random bars cover the rest.
  std::vector<std::size_t> truncation_points() {
    const std::size_t n = bars_.size();
    std::vector<std::size_t> ends;
    const auto& calendar = core::NyseCalendar::instance();
    for (std::size_t i = 0; i + 1 < n; ++i) {
      if (calendar.new_york_day(bars_.ts[i]) != calendar.new_york_day(bars_.ts[i + 1])) ends.push_back(i);
    }
    std::vector<std::size_t> points;
    const auto wanted = static_cast<std::size_t>(std::max(options_.truncations, 0));
    const std::size_t from_ends = std::min(ends.size(), wanted / 2);
    for (std::size_t k = 0; k < from_ends; ++k) points.push_back(ends[k * ends.size() / from_ends]);
    std::uniform_int_distribution<std::size_t> pick(0, n - 2);
    while (points.size() < wanted && n >= 2) points.push_back(pick(rng_));
    return points;
  }

  void check_truncations() {
    if (bars_.size() < 2) return;
    for (const std::size_t t : truncation_points()) {
      core::BarSeries head = bars_;
      head.keep_range(0, t + 1);
      auto truncated = compute_features(plan_, head);
      if (!truncated) return;
      ++truncations;
      for (std::size_t r = 0; r <= t; ++r) {
        for (std::size_t c = 0; c < full_.cols(); ++c) {
          if (!same_bits(truncated->at(r, c), full_.at(r, c))) {
            report(kLookAhead, c,
                   fmt::format("value at {} is {} on data ending there but {} on the full data: it reads later bars",
                               describe_bar(bars_, r), truncated->at(r, c), full_.at(r, c)));
          }
        }
      }
    }
  }

  void check_warmup() {
    const std::size_t n = bars_.size();
    const auto warmup = static_cast<std::size_t>(plan_->warmup_bars());
    if (n < warmup + 1 || options_.warmup_starts <= 0) return;
    const std::size_t span = n - warmup;
    std::vector<double> row(full_.cols());
    for (int k = 1; k <= options_.warmup_starts; ++k) {
      const std::size_t start = span * static_cast<std::size_t>(k) / static_cast<std::size_t>(options_.warmup_starts + 1);
      FeatureEngine engine(plan_);
      for (std::size_t r = start; r < n; ++r) {
        engine.step(bar_point(bars_, r), row.data());
        for (std::size_t c = 0; c < row.size(); ++c) {
          if (r + 1 < start + static_cast<std::size_t>(def(c).warmup_bars())) continue;
          const double expected = full_.at(r, c);
          const double error = std::abs(row[c] - expected) / std::max(1.0, std::abs(expected));
          max_warmup_error = std::max(max_warmup_error, std::isnan(error) ? 1.0 : error);
          if (!(error <= options_.warmup_tolerance)) {
            report(kWarmup, c,
                   fmt::format("started {} bars earlier: {} vs {} on all history at {} (relative {:.3g})",
                               def(c).warmup_bars(), row[c], expected, describe_bar(bars_, r), error));
          }
        }
      }
    }
  }

  std::shared_ptr<const FeaturePlan> plan_;
  const core::BarSeries& bars_;
  const CheckOptions& options_;
  std::mt19937_64 rng_;
  FeatureMatrix full_;
  std::vector<bool> reported_;
};

}  // namespace

CheckReport check_features(const FeatureSet& set, std::span<const core::BarSeries> series,
                           const CheckOptions& options) {
  const auto plan = set.plan_all();
  std::vector<TickerCheck> checks;
  checks.reserve(series.size());
  for (std::size_t i = 0; i < series.size(); ++i) checks.emplace_back(plan, series[i], options, options.seed + i);
  core::parallel_for(series.size(), options.threads, [&](std::size_t i) { checks[i].run(); });
  CheckReport report;
  report.tickers = series.size();
  for (std::size_t i = 0; i < series.size(); ++i) {
    report.bars += series[i].size();
    report.truncations += checks[i].truncations;
    report.max_warmup_error = std::max(report.max_warmup_error, checks[i].max_warmup_error);
    for (auto& problem : checks[i].problems) report.problems.push_back(std::move(problem));
  }
  return report;
}

}  // namespace itrade::features

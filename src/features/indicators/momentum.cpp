#include "features/indicators/momentum.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "features/indicators/families.h"
#include "features/indicators/operator_adapters.h"

namespace itrade::features {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// ---- Roc ----

Roc::Roc(int period) : period_(std::max(period, 1)), window_(static_cast<size_t>(period_), 0.0) {}

void Roc::reset() {
  std::fill(window_.begin(), window_.end(), 0.0);
  next_ = 0;
  count_ = 0;
}

double Roc::update(double value) {
  double& slot = window_[static_cast<size_t>(next_)];
  const double past = slot;  // value[t - period] once count_ >= period_
  slot = value;
  next_ = next_ + 1 == period_ ? 0 : next_ + 1;
  if (count_ < period_) {
    ++count_;
    return kNaN;
  }
  if (past == 0.0) return 0.0;  // TA-Lib's output for a zero reference
  return (value / past - 1.0) * 100.0;
}

// ---- Rsi ----

Rsi::Rsi(int period) : period_(std::max(period, 1)) {}

int Rsi::settle() const { return lookback() + bars_to_forget(1.0 / period_); }

void Rsi::reset() {
  count_ = 0;
  prev_value_ = 0.0;
  avg_gain_ = 0.0;
  avg_loss_ = 0.0;
}

double Rsi::update(double value) {
  if (count_ == 0) {
    prev_value_ = value;
    ++count_;
    return kNaN;
  }
  const double change = value - prev_value_;
  prev_value_ = value;
  const double gain = change > 0.0 ? change : 0.0;
  const double loss = change < 0.0 ? -change : 0.0;
  if (count_ < period_) {
    avg_gain_ += gain;
    avg_loss_ += loss;
    ++count_;
    return kNaN;
  }
  if (count_ == period_) {
    // First output: simple mean of the first `period` changes.
    avg_gain_ = (avg_gain_ + gain) / period_;
    avg_loss_ = (avg_loss_ + loss) / period_;
    ++count_;
  } else {
    avg_gain_ = (avg_gain_ * (period_ - 1) + gain) / period_;
    avg_loss_ = (avg_loss_ * (period_ - 1) + loss) / period_;
  }
  const double total = avg_gain_ + avg_loss_;
  if (total == 0.0) return 0.0;  // no movement over the averaging memory: TA-Lib returns 0
  return 100.0 * (avg_gain_ / total);
}

// ---- Macd ----

namespace {
// Orders (fast, slow) as TA-Lib does: the slower period is always `slow`.
std::pair<int, int> ordered(int fast, int slow) {
  fast = std::max(fast, 1);
  slow = std::max(slow, 1);
  return fast > slow ? std::pair{slow, fast} : std::pair{fast, slow};
}
}  // namespace

Macd::Macd(int fast, int slow, int signal)
    : fast_(ordered(fast, slow).first),
      slow_(ordered(fast, slow).second),
      signal_period_(std::max(signal, 1)),
      k_fast_(2.0 / (fast_ + 1.0)),
      k_slow_(2.0 / (slow_ + 1.0)),
      recent_(static_cast<size_t>(fast_), 0.0),
      signal_(signal_period_) {}

int Macd::settle() const { return lookback() + bars_to_forget(k_slow_) + bars_to_forget(signal_.k()); }

void Macd::reset() {
  std::fill(recent_.begin(), recent_.end(), 0.0);
  next_ = 0;
  count_ = 0;
  slow_seed_sum_ = 0.0;
  fast_ema_ = 0.0;
  slow_ema_ = 0.0;
  signal_.reset();
}

MacdValue Macd::update(double value) {
  if (count_ < slow_) {
    slow_seed_sum_ += value;
    recent_[static_cast<size_t>(next_)] = value;
    next_ = next_ + 1 == fast_ ? 0 : next_ + 1;
    if (++count_ < slow_) return {kNaN, kNaN, kNaN};
    // Bar slow - 1: both EMAs start here, each seeded with the SMA of its own period.
    slow_ema_ = slow_seed_sum_ / slow_;
    double fast_sum = 0.0;  // oldest first, the order TA-Lib sums in
    for (int i = 0, slot = next_; i < fast_; ++i, slot = slot + 1 == fast_ ? 0 : slot + 1) {
      fast_sum += recent_[static_cast<size_t>(slot)];
    }
    fast_ema_ = fast_sum / fast_;
  } else {
    fast_ema_ = (value - fast_ema_) * k_fast_ + fast_ema_;
    slow_ema_ = (value - slow_ema_) * k_slow_ + slow_ema_;
  }
  const double macd = fast_ema_ - slow_ema_;
  const double signal = signal_.update(macd);
  if (std::isnan(signal)) return {kNaN, kNaN, kNaN};  // signal still warming up: TA-Lib outputs nothing
  return {macd, signal, macd - signal};
}

// ---- Operators ----

namespace {

// One-bar change of a column: simple (x / x[-1] - 1) or log (ln(x / x[-1])). A previous value
// <= 0 (impossible for prices) gives 0 rather than inf or NaN.
class ChangeOperator final : public Operator {
 public:
  ChangeOperator(Column column, bool log) : column_(column), log_(log) {}

  double update(const BarPoint& bar, const BarClock&, const double*) override {
    const double value = read_column(bar, column_);
    const double previous = previous_;
    const bool first = !has_previous_;
    previous_ = value;
    has_previous_ = true;
    if (first) return kNaN;
    if (previous <= 0.0 || (log_ && value <= 0.0)) return 0.0;
    return log_ ? std::log(value / previous) : value / previous - 1.0;
  }
  int lookback() const override { return 1; }
  int settle() const override { return 1; }
  void reset() override {
    has_previous_ = false;
    previous_ = 0.0;
  }

 private:
  Column column_;
  bool log_;
  bool has_previous_ = false;
  double previous_ = 0.0;
};

enum class MacdOutput { macd, signal, histogram };

class MacdOperator final : public Operator {
 public:
  MacdOperator(Column column, Macd macd, MacdOutput output) : column_(column), macd_(std::move(macd)), output_(output) {}

  double update(const BarPoint& bar, const BarClock&, const double*) override {
    const MacdValue v = macd_.update(read_column(bar, column_));
    switch (output_) {
      case MacdOutput::macd: return v.macd;
      case MacdOutput::signal: return v.signal;
      case MacdOutput::histogram: return v.histogram;
    }
    return v.macd;
  }
  int lookback() const override { return macd_.lookback(); }
  int settle() const override { return macd_.settle(); }
  void reset() override { macd_.reset(); }

 private:
  Column column_;
  Macd macd_;
  MacdOutput output_;
};

MacdOutput macd_output(const std::string& name) {
  if (name == "signal") return MacdOutput::signal;
  if (name == "histogram") return MacdOutput::histogram;
  return MacdOutput::macd;
}

}  // namespace

void register_momentum(OperatorCatalog& catalog) {
  catalog.add({.function = "momentum.returns",
               .description = "one-bar simple return, x / x[t-1] - 1",
               .params = {ParamSpec::column("column", "bar column")},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<ChangeOperator>(p.column("column"), false);
               }});
  catalog.add({.function = "momentum.log_returns",
               .description = "one-bar log return, ln(x / x[t-1])",
               .params = {ParamSpec::column("column", "bar column")},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<ChangeOperator>(p.column("column"), true);
               }});
  catalog.add({.function = "momentum.roc",
               .description = "rate of change in percent (TA-Lib ROC), (x / x[t-window] - 1) * 100",
               .params = {ParamSpec::integer("window", "bars back", 1),
                          ParamSpec::column("column", "bar column")},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<ColumnOperator<Roc>>(p.column("column"), Roc(p.integer("window")));
               }});
  catalog.add({.function = "momentum.rsi",
               .description = "relative strength index, Wilder smoothing seeded as TA-Lib, 0..100",
               .params = {ParamSpec::integer("window", "Wilder period in bars", 1),
                          ParamSpec::column("column", "bar column")},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<ColumnOperator<Rsi>>(p.column("column"), Rsi(p.integer("window")));
               }});
  catalog.add({.function = "momentum.macd",
               .description = "MACD line, signal or histogram (TA-Lib MACD seeding and alignment)",
               .params = {ParamSpec::integer("fast", "fast EMA period", 1, 12),
                          ParamSpec::integer("slow", "slow EMA period", 1, 26),
                          ParamSpec::integer("signal", "signal EMA period", 1, 9),
                          ParamSpec::choice("output", "which MACD series", {"macd", "signal", "histogram"}, "macd"),
                          ParamSpec::column("column", "bar column")},
               .make = [](const Params& p) -> OperatorPtr {
                 return std::make_unique<MacdOperator>(p.column("column"),
                                                       Macd(p.integer("fast"), p.integer("slow"), p.integer("signal")),
                                                       macd_output(p.text("output")));
               }});
}

}  // namespace itrade::features

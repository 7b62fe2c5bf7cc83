// Time features: one field of the BarClock the engine computes per bar (features/engine/bar_clock.h
// defines the conventions: bar start, New York wall clock, NYSE sessions). The operators only
// select and convert; computing the clock once per bar in the engine keeps every time feature of a
// bar consistent and pays the time-zone and calendar work once, however many of them a config uses.

#include <memory>
#include <string>
#include <utility>

#include "features/indicators/families.h"
#include "features/registry/operator_catalog.h"

namespace itrade::features {
namespace {

enum class TimeField {
  hour,
  minute,
  day_of_week,
  day_of_month,
  month,
  quarter,
  market_open_minutes,
  is_market_open,
  is_pre_market,
  is_after_hours,
};

double flag(bool value) { return value ? 1.0 : 0.0; }

// Stateless, so lookback and settle are 0 and reset() has nothing to do.
class TimeFieldOperator final : public Operator {
 public:
  explicit TimeFieldOperator(TimeField field) : field_(field) {}

  double update(const BarPoint&, const BarClock& clock, const double*) override {
    switch (field_) {
      case TimeField::hour: return clock.hour;
      case TimeField::minute: return clock.minute;
      case TimeField::day_of_week: return clock.day_of_week;
      case TimeField::day_of_month: return clock.day_of_month;
      case TimeField::month: return clock.month;
      case TimeField::quarter: return (clock.month - 1) / 3 + 1;
      case TimeField::market_open_minutes: return clock.market_open_minutes;
      case TimeField::is_market_open: return flag(clock.market_open);
      case TimeField::is_pre_market: return flag(clock.pre_market);
      case TimeField::is_after_hours: return flag(clock.after_hours);
    }
    return clock.hour;
  }
  int lookback() const override { return 0; }
  int settle() const override { return 0; }
  void reset() override {}

 private:
  TimeField field_;
};

void add(OperatorCatalog& catalog, std::string function, std::string description, TimeField field) {
  catalog.add({.function = std::move(function),
               .description = std::move(description),
               .needs_clock = true,
               .make = [field](const Params&) -> OperatorPtr { return std::make_unique<TimeFieldOperator>(field); }});
}

}  // namespace

void register_time_features(OperatorCatalog& catalog) {
  add(catalog, "time.hour", "hour of the bar start, New York wall clock, 0..23", TimeField::hour);
  add(catalog, "time.minute", "minute of the bar start, New York wall clock, 0..59", TimeField::minute);
  add(catalog, "time.day_of_week", "weekday of the bar start in New York, 0 = Monday .. 6 = Sunday",
      TimeField::day_of_week);
  add(catalog, "time.day_of_month", "day of the month of the bar start in New York, 1..31", TimeField::day_of_month);
  add(catalog, "time.month", "month of the bar start in New York, 1..12", TimeField::month);
  add(catalog, "time.quarter", "calendar quarter of the bar start in New York, 1..4", TimeField::quarter);
  add(catalog, "time.market_open_minutes",
      "minutes from the day's regular open (09:30 New York if no session) to the bar start; negative before",
      TimeField::market_open_minutes);
  add(catalog, "time.is_market_open", "1 if the bar starts within the regular session [open, close), else 0",
      TimeField::is_market_open);
  add(catalog, "time.is_pre_market", "1 if a trading day's bar starts in [04:00 New York, open), else 0",
      TimeField::is_pre_market);
  add(catalog, "time.is_after_hours", "1 if a trading day's bar starts in [close, 20:00 New York), else 0",
      TimeField::is_after_hours);
}

}  // namespace itrade::features

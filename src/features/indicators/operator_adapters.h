#pragma once
// Adapters that turn a single-input streaming kernel (Sma, Ema, Roc, ...: update(double),
// lookback(), settle(), reset()) into an Operator, fed either from a bar column or from the
// feature's first dependency. Most operators are one of these two plus a factory.

#include <utility>

#include "features/operator.h"
#include "features/registry/operator_catalog.h"

namespace itrade::features {

// Feeds the kernel one bar column.
template <typename Kernel>
class ColumnOperator final : public Operator {
 public:
  ColumnOperator(Column column, Kernel kernel) : column_(column), kernel_(std::move(kernel)) {}

  double update(const BarPoint& bar, const BarClock&, const double*) override {
    return kernel_.update(read_column(bar, column_));
  }
  int lookback() const override { return kernel_.lookback(); }
  int settle() const override { return kernel_.settle(); }
  void reset() override { kernel_.reset(); }

 private:
  Column column_;
  Kernel kernel_;
};

// Feeds the kernel the feature's first dependency.
template <typename Kernel>
class InputOperator final : public Operator {
 public:
  explicit InputOperator(Kernel kernel) : kernel_(std::move(kernel)) {}

  double update(const BarPoint&, const BarClock&, const double* inputs) override { return kernel_.update(inputs[0]); }
  int lookback() const override { return kernel_.lookback(); }
  int settle() const override { return kernel_.settle(); }
  void reset() override { kernel_.reset(); }

 private:
  Kernel kernel_;
};

}  // namespace itrade::features

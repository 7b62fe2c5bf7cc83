#pragma once
// Which features predict: the information coefficient of every feature with every target
// (docs/importance.md). The IC is the Spearman rank correlation between a feature's value at bar t
// and the target's label at bar t. The label already looks forward (it reads bars t+1 .. t+horizon),
// so pairing the two on the same row is what a model trained on that row would see; no shift is
// applied here.
//
// A t-statistic comes with each IC. Labels of neighbouring bars share horizon - 1 of their bars, so
// the n rows are not n independent observations: the statistic uses the n / horizon
// non-overlapping ones,
//
//     n_eff = n / horizon,    t = IC * sqrt(n_eff - 2) / sqrt(1 - IC^2),
//
// NaN when IC is NaN, |IC| = 1 or n_eff <= 2.

#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "features/engine/feature_matrix.h"
#include "features/registry/target_registry.h"

namespace itrade::evaluation {

// One information coefficient and what it rests on.
struct IcStat {
  double ic = std::numeric_limits<double>::quiet_NaN();  // Spearman (average ranks for ties), -1..1; NaN: undefined
  double t = std::numeric_limits<double>::quiet_NaN();   // ic_t_statistic(ic, n, horizon)
  std::size_t n = 0;                                     // rows where both the feature and the label are defined
};

struct FeatureIc {
  std::string feature;
  std::string target;
  int horizon = 1;                 // bars the label reads (TargetDef::horizon(), at least 1)
  IcStat pooled;                   // every ticker's rows together
  std::vector<IcStat> per_ticker;  // one per input matrix, in input order
};

// t = ic sqrt(n / horizon - 2) / sqrt(1 - ic^2), with horizon < 1 read as 1. NaN when ic is not
// finite, |ic| >= 1, or n / horizon <= 2.
double ic_t_statistic(double ic, std::size_t n, int horizon);

// Spearman rank correlation of `a` and `b` over the rows where neither is NaN, as
// models::spearman() would give on those rows alone: average ranks for ties, NaN when either side
// is constant there or fewer than 2 rows remain. `n` (optional) receives the number of rows used.
// Sizes must match (a programming error otherwise).
double spearman_complete(std::span<const double> a, std::span<const double> b, std::size_t* n = nullptr);

// For every feature (outer) and target (inner) the IC, pooled and per ticker: element
// f * targets.size() + t pairs features[f] with targets[t]. Each matrix is one ticker's rows with
// the features and the target columns (features::append_targets); rows where either value is NaN
// are dropped pair by pair, so a feature's warm-up and a label's missing horizon cost only their
// own rows. Pooled ranks are taken over all tickers' rows together.
// Cost: each column is sorted once (per ticker and pooled); each side of a pair is then ranked in
// one pass over the rows the other defines, shared by partners that define the same rows. Features
// are scored in parallel (one thread per hardware thread).
// Input errors: a matrix without one of the columns (naming the ticker, the column and whether it
// is a feature or a target), a target pointer that is null.
core::Result<std::vector<FeatureIc>> feature_ic(std::span<const features::FeatureMatrix> matrices,
                                                const std::vector<std::string>& features,
                                                const std::vector<const features::TargetDef*>& targets);

}  // namespace itrade::evaluation

#pragma once
// The promotion decision as a page (runs/<id>/promotion.html, docs/execution.md, "Promotion"):
// the verdict and its reason, the end-of-day equity of the paper account against its backtest,
// and every day's figures on both sides with the metrics that failed. Self-contained like the
// report: inline SVG, nothing loaded.

#include <string>
#include <utility>
#include <vector>

#include "evaluation/promotion.h"

namespace itrade::evaluation {

struct PromotionPageInput {
  std::string paper_run;    // the paper run's id
  std::string decided_utc;  // ISO-8601
  std::vector<std::pair<std::string, std::string>> facts;  // label, value (model, tickers, ...)
  PromotionConfig config;
  PromotionVerdict verdict;
};

std::string render_promotion_page(const PromotionPageInput& input);

}  // namespace itrade::evaluation

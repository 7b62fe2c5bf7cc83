#pragma once
// Ticker -> sector, for the risk manager's sector exposure limit (docs/risk.md). Built from the
// sector columns of the universes (data/universes/*.csv, GICS sectors) and risk.yaml's own
// `sectors:` entries, which win (ETFs such as SPY are in no universe). A ticker found nowhere
// belongs to the sector "unmapped": all such tickers share one limit, the cautious reading.

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "execution/risk_config.h"

namespace itrade::execution {

class SectorMap {
 public:
  static constexpr std::string_view kUnmapped = "unmapped";

  SectorMap() = default;
  void set(const std::string& ticker, const std::string& sector) { sectors_[ticker] = sector; }
  // The ticker's sector, or kUnmapped.
  std::string_view sector(std::string_view ticker) const;
  std::size_t size() const { return sectors_.size(); }

 private:
  std::unordered_map<std::string, std::string> sectors_;
};

// Every universe in `universes_dir` that has a sector column, then `config.sectors` over them.
// Input error when two universes give one ticker different sectors (naming both files), or when
// the directory cannot be read.
core::Result<SectorMap> load_sector_map(const std::filesystem::path& universes_dir, const RiskConfig& config);

}  // namespace itrade::execution

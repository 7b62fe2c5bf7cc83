#include "execution/sector_map.h"

#include <map>
#include <utility>

#include "data/universe.h"

namespace itrade::execution {

std::string_view SectorMap::sector(std::string_view ticker) const {
  const auto it = sectors_.find(std::string(ticker));
  return it == sectors_.end() ? kUnmapped : std::string_view(it->second);
}

core::Result<SectorMap> load_sector_map(const std::filesystem::path& universes_dir, const RiskConfig& config) {
  auto names = data::list_universes(universes_dir);
  if (!names) return names.error();
  SectorMap map;
  std::map<std::string, std::pair<std::string, std::string>> seen;  // ticker -> (sector, universe)
  for (const std::string& name : *names) {
    auto universe = data::load_universe(name, universes_dir);
    if (!universe) return universe.error();
    for (std::size_t i = 0; i < universe->tickers.size(); ++i) {
      if (i >= universe->sectors.size() || universe->sectors[i].empty()) continue;
      const std::string& ticker = universe->tickers[i];
      const std::string& sector = universe->sectors[i];
      const auto [it, fresh] = seen.try_emplace(ticker, sector, name);
      if (!fresh && it->second.first != sector && !config.sectors.contains(ticker)) {
        return core::input_error(
            "{}: {} is in sector \"{}\" in universe {} but \"{}\" in {}; correct one file, or settle it with "
            "`sectors: {{ {}: ... }}` in risk.yaml",
            universes_dir.string(), ticker, it->second.first, it->second.second, sector, name, ticker);
      }
      map.set(ticker, sector);
    }
  }
  for (const auto& [ticker, sector] : config.sectors) map.set(ticker, sector);
  return map;
}

}  // namespace itrade::execution

#include "data/universe.h"

#include <algorithm>
#include <fstream>
#include <system_error>

#include "core/strings.h"

namespace itrade::data {

namespace {

bool is_letter(char c) { return c >= 'A' && c <= 'Z'; }

bool all_letters(std::string_view text, std::size_t min, std::size_t max) {
  if (text.size() < min || text.size() > max) return false;
  return std::all_of(text.begin(), text.end(), is_letter);
}

}  // namespace

bool is_valid_ticker(std::string_view ticker) {
  const std::size_t dot = ticker.find('.');
  if (dot == std::string_view::npos) return all_letters(ticker, 1, 5);
  return all_letters(ticker.substr(0, dot), 1, 5) && all_letters(ticker.substr(dot + 1), 1, 3);
}

core::Result<std::vector<std::string>> list_universes(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return core::input_error("{}: cannot list universes: {}; check the universes directory", dir.string(),
                             ec.message());
  }
  std::vector<std::string> names;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::filesystem::path& p = it->path();
    if (p.extension() == ".csv") names.push_back(core::to_upper(p.stem().string()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

core::Result<Universe> load_universe(std::string_view name, const std::filesystem::path& dir) {
  core::Result<std::vector<std::string>> known = list_universes(dir);
  if (!known) return known.error();
  const std::string wanted = core::to_upper(core::trim(name));

  // Find the file whose stem matches case-insensitively.
  std::filesystem::path file;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".csv" && core::to_upper(it->path().stem().string()) == wanted) file = it->path();
  }
  if (file.empty()) {
    const std::vector<std::string> near = core::nearest_names(wanted, *known);
    return core::input_error("unknown universe \"{}\"; {}known universes: {}", name,
                             near.empty() ? "" : fmt::format("did you mean {}? ", core::join(near, " or ")),
                             core::join(*known));
  }

  std::ifstream in(file);
  if (!in) return core::input_error("{}: cannot read universe file; check its permissions", file.string());

  Universe universe;
  universe.name = wanted;
  const std::string where = file.string();
  int ticker_column = -1;
  int name_column = -1;
  int sector_column = -1;
  std::size_t columns = 0;
  std::string raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    const std::string_view text = core::trim(raw);
    if (text.empty()) continue;
    if (text.front() == '#') {
      const std::string_view comment = core::trim(text.substr(1));
      if (comment.rfind("as_of:", 0) == 0) universe.as_of = std::string(core::trim(comment.substr(6)));
      if (comment.rfind("source:", 0) == 0) universe.source = std::string(core::trim(comment.substr(7)));
      continue;
    }
    const std::vector<std::string_view> fields = core::split(text, ',');
    if (ticker_column < 0) {  // the header
      columns = fields.size();
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string_view f = core::trim(fields[i]);
        if (f == "ticker")
          ticker_column = static_cast<int>(i);
        else if (f == "name")
          name_column = static_cast<int>(i);
        else if (f == "sector")
          sector_column = static_cast<int>(i);
        else
          return core::input_error("{}:{}: unknown column \"{}\"; the header is ticker[,name][,sector]", where, line,
                                   f);
      }
      if (ticker_column < 0) {
        return core::input_error("{}:{}: no `ticker` column in the header; start the list with a `ticker` line", where,
                                 line);
      }
      continue;
    }
    if (fields.size() != columns) {
      return core::input_error("{}:{}: {} fields, the header has {}; no commas inside names", where, line,
                               fields.size(), columns);
    }
    const std::string ticker(core::trim(fields[static_cast<std::size_t>(ticker_column)]));
    if (!is_valid_ticker(ticker)) {
      return core::input_error("{}:{}: ill-formed ticker \"{}\"; use upper-case letters, share classes as BRK.B", where,
                               line, ticker);
    }
    if (std::find(universe.tickers.begin(), universe.tickers.end(), ticker) != universe.tickers.end()) {
      return core::input_error("{}:{}: duplicate ticker {}; list each ticker once", where, line, ticker);
    }
    universe.tickers.push_back(ticker);
    universe.names.emplace_back(name_column >= 0 ? core::trim(fields[static_cast<std::size_t>(name_column)]) : "");
    universe.sectors.emplace_back(sector_column >= 0 ? core::trim(fields[static_cast<std::size_t>(sector_column)])
                                                     : "");
  }
  if (universe.as_of.empty() || universe.source.empty()) {
    return core::input_error("{}: missing `# as_of: YYYY-MM-DD` or `# source: ...` comment; add both at the top",
                             where);
  }
  if (universe.tickers.empty()) return core::input_error("{}: no tickers; list one ticker per line", where);
  return universe;
}

core::Result<std::vector<std::string>> resolve_tickers(std::string_view spec,
                                                       const std::filesystem::path& universes_dir) {
  const std::string_view trimmed = core::trim(spec);
  if (trimmed.empty()) {
    return core::input_error("empty ticker spec; give a universe name (e.g. DOW_30) or tickers (e.g. AAPL,MSFT)");
  }
  if (trimmed.find(',') == std::string_view::npos) {
    core::Result<std::vector<std::string>> known = list_universes(universes_dir);
    const std::string wanted = core::to_upper(trimmed);
    if (known) {
      if (std::find(known->begin(), known->end(), wanted) != known->end()) {
        core::Result<Universe> universe = load_universe(wanted, universes_dir);
        if (!universe) return universe.error();
        return std::move(universe->tickers);
      }
      if (!is_valid_ticker(wanted)) {
        const std::vector<std::string> near = core::nearest_names(wanted, *known);
        return core::input_error("\"{}\" is neither a universe nor a ticker; {}known universes: {}", trimmed,
                                 near.empty() ? "" : fmt::format("did you mean {}? ", core::join(near, " or ")),
                                 core::join(*known));
      }
    }
  }
  std::vector<std::string> tickers;
  std::size_t position = 0;
  for (const std::string_view item : core::split(trimmed, ',')) {
    ++position;
    const std::string ticker = core::to_upper(core::trim(item));
    if (ticker.empty()) {
      return core::input_error("ticker list \"{}\": item {} is empty; remove the extra comma", trimmed, position);
    }
    if (!is_valid_ticker(ticker)) {
      return core::input_error(
          "ticker list \"{}\": \"{}\" is not a ticker; use 1-5 letters, share classes as BRK.B (universes cannot be "
          "mixed with tickers)",
          trimmed, core::trim(item));
    }
    if (std::find(tickers.begin(), tickers.end(), ticker) == tickers.end()) tickers.push_back(ticker);
  }
  return tickers;
}

}  // namespace itrade::data

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "data/universe.h"

namespace itrade::data {
namespace {

namespace fs = std::filesystem;

const fs::path kUniverses = fs::path(ITRADE_SOURCE_DIR) / "data" / "universes";

bool letters_and_dots(const std::string& ticker) {
  if (ticker.empty()) return false;
  for (char c : ticker) {
    if (!((c >= 'A' && c <= 'Z') || c == '.')) return false;
  }
  return true;
}

const std::set<std::string> kGicsSectors = {"Communication Services",
                                            "Consumer Discretionary",
                                            "Consumer Staples",
                                            "Energy",
                                            "Financials",
                                            "Health Care",
                                            "Industrials",
                                            "Information Technology",
                                            "Materials",
                                            "Real Estate",
                                            "Utilities"};

TEST(Universe, ListsTheShippedUniverses) {
  core::Result<std::vector<std::string>> names = list_universes(kUniverses);
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(*names, (std::vector<std::string>{"DOW_30", "NAS_100", "SINGLE_TICKER", "SP_500"}));
}

TEST(Universe, ShippedFilesAreWellFormed) {
  struct Expected {
    const char* name;
    std::size_t min;
    std::size_t max;
  };
  const Expected expected[] = {{"DOW_30", 30, 30}, {"NAS_100", 98, 104}, {"SP_500", 495, 510}, {"SINGLE_TICKER", 1, 1}};
  for (const Expected& e : expected) {
    core::Result<Universe> universe = load_universe(e.name, kUniverses);
    ASSERT_TRUE(universe.ok()) << universe.error().message;
    EXPECT_GE(universe->tickers.size(), e.min) << e.name;
    EXPECT_LE(universe->tickers.size(), e.max) << e.name;
    EXPECT_EQ(universe->as_of, "2024-12-31") << e.name;
    EXPECT_FALSE(universe->source.empty()) << e.name;
    std::set<std::string> unique(universe->tickers.begin(), universe->tickers.end());
    EXPECT_EQ(unique.size(), universe->tickers.size()) << e.name << " has duplicates";
    ASSERT_EQ(universe->sectors.size(), universe->tickers.size());
    for (std::size_t i = 0; i < universe->tickers.size(); ++i) {
      EXPECT_TRUE(letters_and_dots(universe->tickers[i])) << e.name << ": " << universe->tickers[i];
      EXPECT_TRUE(kGicsSectors.count(universe->sectors[i]) == 1)
          << e.name << ": " << universe->tickers[i] << " sector \"" << universe->sectors[i] << "\"";
    }
  }
}

TEST(Universe, SubIndexesAgreeOnSectors) {
  core::Result<Universe> sp = load_universe("SP_500", kUniverses);
  core::Result<Universe> dow = load_universe("DOW_30", kUniverses);
  ASSERT_TRUE(sp.ok() && dow.ok());
  // Every Dow stock is in the S&P 500 with the same sector.
  for (std::size_t i = 0; i < dow->tickers.size(); ++i) {
    bool found = false;
    for (std::size_t j = 0; j < sp->tickers.size(); ++j) {
      if (sp->tickers[j] == dow->tickers[i]) {
        found = true;
        EXPECT_EQ(sp->sectors[j], dow->sectors[i]) << dow->tickers[i];
      }
    }
    EXPECT_TRUE(found) << dow->tickers[i];
  }
  // Share classes use dots.
  EXPECT_NE(std::find(sp->tickers.begin(), sp->tickers.end(), "BRK.B"), sp->tickers.end());
  EXPECT_NE(std::find(sp->tickers.begin(), sp->tickers.end(), "BF.B"), sp->tickers.end());
}

TEST(Universe, LoadIsCaseInsensitiveAndUnknownSuggests) {
  core::Result<Universe> universe = load_universe("dow_30", kUniverses);
  ASSERT_TRUE(universe.ok());
  EXPECT_EQ(universe->name, "DOW_30");
  core::Result<Universe> unknown = load_universe("SP500", kUniverses);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("did you mean SP_500?"), std::string::npos) << unknown.error().message;
}

TEST(ResolveTickers, UniverseNameAnyCase) {
  for (const char* spec : {"DOW_30", "dow_30", " Dow_30 "}) {
    core::Result<std::vector<std::string>> tickers = resolve_tickers(spec, kUniverses);
    ASSERT_TRUE(tickers.ok()) << tickers.error().message;
    EXPECT_EQ(tickers->size(), 30u) << spec;
  }
}

TEST(ResolveTickers, TickerListIsTrimmedUpperCasedDeduplicated) {
  core::Result<std::vector<std::string>> tickers = resolve_tickers("AAPL, msft,AAPL", kUniverses);
  ASSERT_TRUE(tickers.ok()) << tickers.error().message;
  EXPECT_EQ(*tickers, (std::vector<std::string>{"AAPL", "MSFT"}));
  core::Result<std::vector<std::string>> one = resolve_tickers("brk.b", kUniverses);
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(*one, std::vector<std::string>{"BRK.B"});
}

TEST(ResolveTickers, UnknownUniverseSuggestsNearest) {
  core::Result<std::vector<std::string>> tickers = resolve_tickers("DOW30", kUniverses);
  ASSERT_FALSE(tickers.ok());
  EXPECT_EQ(tickers.error().kind, core::ErrorKind::input);
  EXPECT_NE(tickers.error().message.find("did you mean DOW_30?"), std::string::npos) << tickers.error().message;
}

TEST(ResolveTickers, Errors) {
  const char* bad[] = {"AAPL,,MSFT", "", "  ", "AAPL,", "AAPL,MS FT", "AAPL,BRK-B", "AAPL,TOOLONG", "AAPL,DOW_30"};
  for (const char* spec : bad) {
    core::Result<std::vector<std::string>> tickers = resolve_tickers(spec, kUniverses);
    EXPECT_FALSE(tickers.ok()) << "accepted \"" << spec << "\"";
    if (!tickers.ok()) {
      EXPECT_EQ(tickers.error().kind, core::ErrorKind::input);
    }
  }
  core::Result<std::vector<std::string>> empty_item = resolve_tickers("AAPL,,MSFT", kUniverses);
  ASSERT_FALSE(empty_item.ok());
  EXPECT_NE(empty_item.error().message.find("item 2 is empty"), std::string::npos) << empty_item.error().message;
}

TEST(Universe, BadFilesAreErrorsWithLines) {
  const fs::path dir = fs::temp_directory_path() / "itrade_test_universe_bad";
  fs::create_directories(dir);
  std::ofstream(dir / "DUP.csv") << "# as_of: 2024-12-31\n# source: test\nticker\nAAPL\nMSFT\nAAPL\n";
  std::ofstream(dir / "BADTICKER.csv")
      << "# as_of: 2024-12-31\n# source: test\nticker,sector\nAAPL,Energy\nbrk-b,Energy\n";
  std::ofstream(dir / "NODATE.csv") << "# source: test\nticker\nAAPL\n";
  {
    core::Result<Universe> u = load_universe("DUP", dir);
    ASSERT_FALSE(u.ok());
    EXPECT_NE(u.error().message.find("DUP.csv:6: duplicate ticker AAPL"), std::string::npos) << u.error().message;
  }
  {
    core::Result<Universe> u = load_universe("BADTICKER", dir);
    ASSERT_FALSE(u.ok());
    EXPECT_NE(u.error().message.find("BADTICKER.csv:5: ill-formed ticker \"brk-b\""), std::string::npos)
        << u.error().message;
  }
  {
    core::Result<Universe> u = load_universe("NODATE", dir);
    ASSERT_FALSE(u.ok());
    EXPECT_NE(u.error().message.find("as_of"), std::string::npos) << u.error().message;
  }
  EXPECT_FALSE(list_universes(dir / "missing").ok());
}

}  // namespace
}  // namespace itrade::data

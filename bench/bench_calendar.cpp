// NYSE calendar lookups over random inputs: each should be a few table reads
// (no allocation).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/nyse_calendar.h"

namespace {

using itrade::core::DayNumber;
using itrade::core::NyseCalendar;
using itrade::core::Timestamp;

constexpr std::size_t kInputs = 4096;  // a power of two: index with a mask

std::vector<DayNumber> random_days() {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<DayNumber> pick(itrade::core::days_from_civil(2000, 1, 1),
                                                itrade::core::days_from_civil(2030, 12, 31));
  std::vector<DayNumber> days(kInputs);
  for (auto& d : days) d = pick(rng);
  return days;
}

std::vector<Timestamp> random_instants() {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<Timestamp> pick(
      itrade::core::start_of_day(itrade::core::days_from_civil(2000, 1, 2)),
      itrade::core::start_of_day(itrade::core::days_from_civil(2030, 12, 30)));
  std::vector<Timestamp> instants(kInputs);
  for (auto& t : instants) t = pick(rng);
  return instants;
}

void BM_IsTradingDay(benchmark::State& state) {
  const NyseCalendar& calendar = NyseCalendar::instance();
  const auto days = random_days();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(calendar.is_trading_day(days[i++ & (kInputs - 1)]));
}
BENCHMARK(BM_IsTradingDay);

void BM_Session(benchmark::State& state) {
  const NyseCalendar& calendar = NyseCalendar::instance();
  const auto days = random_days();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(calendar.session(days[i++ & (kInputs - 1)]));
}
BENCHMARK(BM_Session);

void BM_SessionContaining(benchmark::State& state) {
  const NyseCalendar& calendar = NyseCalendar::instance();
  const auto instants = random_instants();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(calendar.session_containing(instants[i++ & (kInputs - 1)]));
}
BENCHMARK(BM_SessionContaining);

void BM_NewYorkDay(benchmark::State& state) {
  const NyseCalendar& calendar = NyseCalendar::instance();
  const auto instants = random_instants();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(calendar.new_york_day(instants[i++ & (kInputs - 1)]));
}
BENCHMARK(BM_NewYorkDay);

void BM_MinutesSinceOpen(benchmark::State& state) {
  const NyseCalendar& calendar = NyseCalendar::instance();
  const auto instants = random_instants();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(calendar.minutes_since_open(instants[i++ & (kInputs - 1)]));
}
BENCHMARK(BM_MinutesSinceOpen);

}  // namespace

BENCHMARK_MAIN();

// How fast a binary bar cache loads (target: 50 million rows/s, 48 bytes a
// row), and what the two candidate checksums cost per byte (numbers in
// docs/cache-and-synth.md).

#include <benchmark/benchmark.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "data/bar_cache.h"
#include "data/synthetic_market.h"

namespace {

namespace fs = std::filesystem;
using namespace itrade;

constexpr std::size_t kRows = 1'000'000;
constexpr data::CacheStamp kStamp{0xC0FFEE};

// 1M 5-minute bars of a random walk; the calendar is not needed for a load
// benchmark.
core::BarSeries synthetic_like_series(std::size_t rows) {
  core::BarSeries bars;
  bars.ticker = "SYN0001";
  bars.reserve(rows);
  std::uint64_t state = 42;
  double price = 100.0;
  for (std::size_t i = 0; i < rows; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double step = (static_cast<double>(state >> 11) * 0x1.0p-53 - 0.5) * 0.002;
    const double open = price;
    price *= 1.0 + step;
    bars.push_back(1'704'205'800'000'000'000 + static_cast<core::Timestamp>(i) * 300'000'000'000, open,
                   std::max(open, price) * 1.0005, std::min(open, price) * 0.9995, price,
                   static_cast<double>(1000 + (state >> 54)));
  }
  return bars;
}

class CacheFile {
 public:
  CacheFile() {
    dir_ = fs::temp_directory_path() / ("itrade_bench_cache_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = dir_ / "SYN0001.bars";
    auto status = data::write_bar_cache(path_, synthetic_like_series(kRows), kStamp);
    if (!status) {
      std::fprintf(stderr, "bench_cache_load: %s\n", status.error().message.c_str());
      std::exit(1);
    }
  }
  ~CacheFile() { fs::remove_all(dir_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path dir_;
  fs::path path_;
};

const CacheFile& cache_file() {
  static const CacheFile file;
  return file;
}

void BM_ReadBarCache(benchmark::State& state) {
  const fs::path& path = cache_file().path();
  for (auto _ : state) {
    auto read = data::read_bar_cache(path, kStamp);
    if (read.status != data::CacheStatus::fresh) {
      state.SkipWithError(read.message.c_str());
      return;
    }
    benchmark::DoNotOptimize(read.bars.close.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kRows));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(fs::file_size(path)));
}
BENCHMARK(BM_ReadBarCache)->Unit(benchmark::kMillisecond);

void BM_WriteBarCache(benchmark::State& state) {
  const auto bars = synthetic_like_series(kRows);
  const fs::path path = cache_file().path().parent_path() / "write.bars";
  for (auto _ : state) {
    auto status = data::write_bar_cache(path, bars, kStamp);
    benchmark::DoNotOptimize(status.ok());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kRows));
}
BENCHMARK(BM_WriteBarCache)->Unit(benchmark::kMillisecond);

// The checksum candidates over one 48 MB buffer (a 1M-row file), in
// cache-missing sizes.
const std::vector<unsigned char>& checksum_input() {
  static const std::vector<unsigned char> bytes = [] {
    std::vector<unsigned char> out(kRows * 48);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<unsigned char>(i * 131 + (i >> 9));
    return out;
  }();
  return bytes;
}

void BM_ChecksumXxh64(benchmark::State& state) {
  const auto& bytes = checksum_input();
  for (auto _ : state) benchmark::DoNotOptimize(data::bar_cache_checksum(bytes.data(), bytes.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_ChecksumXxh64)->Unit(benchmark::kMillisecond);

void BM_ChecksumZlibCrc32(benchmark::State& state) {
  const auto& bytes = checksum_input();
  for (auto _ : state) {
    benchmark::DoNotOptimize(crc32_z(crc32_z(0, nullptr, 0), bytes.data(), bytes.size()));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_ChecksumZlibCrc32)->Unit(benchmark::kMillisecond);

// The "500 tickers x 252 days in a few seconds" claim of the synthetic market.
void BM_GenerateSyntheticMarket(benchmark::State& state) {
  data::SynthOptions options;
  options.tickers = static_cast<int>(state.range(0));
  options.days = 252;
  std::size_t rows = 0;
  for (auto _ : state) {
    const auto frame = data::generate_synthetic_market(options);
    rows = frame.rows();
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_GenerateSyntheticMarket)->Arg(500)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();

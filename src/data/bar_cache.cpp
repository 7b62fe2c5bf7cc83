#include "data/bar_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "core/file_descriptor.h"
#include "core/memory.h"

namespace itrade::data {
namespace {

template <typename T>
void append(std::vector<T>& column, const unsigned char* bytes, std::size_t size) {
  const auto* first = reinterpret_cast<const T*>(bytes);
  column.insert(column.end(), first, first + size / sizeof(T));
}

namespace fs = std::filesystem;

static_assert(std::endian::native == std::endian::little, "the bar cache format is little-endian");

// ---- Layout (docs/cache-and-synth.md has the byte table)
// ---------------------------------

constexpr std::array<char, 8> kMagic = {'I', 'T', 'R', 'B', 'A', 'R', 'S', '1'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::uint32_t kTypeInt64 = 1;
constexpr std::uint32_t kTypeFloat64 = 2;

struct ColumnSpec {
  std::array<char, 8> name;  // zero padded
  std::uint32_t type;
};
constexpr std::array<ColumnSpec, 6> kColumns = {{
    {{'t', 's'}, kTypeInt64},
    {{'o', 'p', 'e', 'n'}, kTypeFloat64},
    {{'h', 'i', 'g', 'h'}, kTypeFloat64},
    {{'l', 'o', 'w'}, kTypeFloat64},
    {{'c', 'l', 'o', 's', 'e'}, kTypeFloat64},
    {{'v', 'o', 'l', 'u', 'm', 'e'}, kTypeFloat64},
}};
constexpr std::size_t kColumnCount = kColumns.size();
constexpr std::size_t kCellBytes = 8;
constexpr std::size_t kRowBytes = kColumnCount * kCellBytes;  // 48

// Offsets inside the fixed part of the header.
constexpr std::size_t kOffMagic = 0;
constexpr std::size_t kOffVersion = 8;
constexpr std::size_t kOffHeaderBytes = 12;
constexpr std::size_t kOffRows = 16;
constexpr std::size_t kOffFingerprint = 24;
constexpr std::size_t kOffColumnCount = 32;
constexpr std::size_t kOffTickerBytes = 36;
constexpr std::size_t kFixedBytes = 40;       // enough to read the version and sizes
constexpr std::size_t kDescriptorBytes = 16;  // name[8], type u32, width u32
constexpr std::size_t kOffDescriptors = kFixedBytes;
constexpr std::size_t kOffTicker = kOffDescriptors + kColumnCount * kDescriptorBytes;  // 136
constexpr std::size_t kHeaderAlign = 64;                                               // columns start on a cache line
constexpr std::size_t kChecksumBytes = 8;
constexpr std::size_t kMaxTickerBytes = 4096;

template <typename T>
T load(const unsigned char* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

template <typename T>
void store(unsigned char* at, T value) {
  std::memcpy(at, &value, sizeof value);
}

std::size_t header_bytes_for(std::size_t ticker_bytes) {
  const std::size_t raw = kOffTicker + ticker_bytes;
  return (raw + kHeaderAlign - 1) / kHeaderAlign * kHeaderAlign;
}

// ---- Checksum: XXH64 (seed 0), 4 independent 64-bit lanes of multiply-rotate
// --------------

constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr std::uint64_t kP5 = 0x27D4EB2F165667C5ULL;

inline std::uint64_t hash_round(std::uint64_t acc, std::uint64_t word) {
  acc += word * kP2;
  acc = std::rotl(acc, 31);
  return acc * kP1;
}

inline std::uint64_t merge_round(std::uint64_t acc, std::uint64_t lane) {
  acc ^= hash_round(0, lane);
  return acc * kP1 + kP4;
}

// XXH64 in two steps, so that a reader can hash a file chunk by chunk while the chunk is
// hot in cache: consume() takes whole 32-byte stripes, finish() the tail and the length.
struct Xxh64 {
  std::uint64_t lane1 = kP1 + kP2;
  std::uint64_t lane2 = kP2;
  std::uint64_t lane3 = 0;
  std::uint64_t lane4 = 0 - kP1;

  void consume(const unsigned char* at, std::size_t bytes) {  // bytes % 32 == 0
    for (const unsigned char* const end = at + bytes; at < end; at += 32) {
      lane1 = hash_round(lane1, load<std::uint64_t>(at));
      lane2 = hash_round(lane2, load<std::uint64_t>(at + 8));
      lane3 = hash_round(lane3, load<std::uint64_t>(at + 16));
      lane4 = hash_round(lane4, load<std::uint64_t>(at + 24));
    }
  }

  std::uint64_t finish(const unsigned char* at, std::size_t tail, std::size_t total) const {  // tail < 32
    const unsigned char* const end = at + tail;
    std::uint64_t hash = kP5;
    if (total >= 32) {
      hash = std::rotl(lane1, 1) + std::rotl(lane2, 7) + std::rotl(lane3, 12) + std::rotl(lane4, 18);
      hash = merge_round(hash, lane1);
      hash = merge_round(hash, lane2);
      hash = merge_round(hash, lane3);
      hash = merge_round(hash, lane4);
    }
    hash += static_cast<std::uint64_t>(total);
    for (; at + 8 <= end; at += 8) {
      hash ^= hash_round(0, load<std::uint64_t>(at));
      hash = std::rotl(hash, 27) * kP1 + kP4;
    }
    if (at + 4 <= end) {
      hash ^= static_cast<std::uint64_t>(load<std::uint32_t>(at)) * kP1;
      hash = std::rotl(hash, 23) * kP2 + kP3;
      at += 4;
    }
    for (; at < end; ++at) {
      hash ^= static_cast<std::uint64_t>(*at) * kP5;
      hash = std::rotl(hash, 11) * kP1;
    }
    hash ^= hash >> 33;
    hash *= kP2;
    hash ^= hash >> 29;
    hash *= kP3;
    hash ^= hash >> 32;
    return hash;
  }
};

// ---- POSIX helpers
// ----------------------------------------------------------------------

using core::errno_text;
using core::FileDescriptor;

// A read-only private mapping of a whole file, unmapped on destruction.
class MappedFile {
 public:
  MappedFile(const void* data, std::size_t size) : data_(data), size_(size) {}
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<void*>(data_), size_);
  }
  const unsigned char* bytes() const { return static_cast<const unsigned char*>(data_); }
  std::size_t size() const { return size_; }

 private:
  const void* data_;
  std::size_t size_;
};

bool write_all(int fd, const unsigned char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

fs::path temporary_path_for(const fs::path& path) {
  // Unique per process and call, in the same directory so that rename() is
  // atomic.
  static std::atomic<std::uint64_t> counter{0};
  fs::path temporary = path;
  temporary += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  return temporary;
}

CacheRead corrupt(const fs::path& path, std::string what) {
  CacheRead read;
  read.status = CacheStatus::corrupt;
  read.message = "bar cache " + path.string() + " is corrupt: " + std::move(what);
  return read;
}

}  // namespace

std::string_view to_string(CacheStatus status) {
  switch (status) {
    case CacheStatus::fresh:
      return "fresh";
    case CacheStatus::missing:
      return "missing";
    case CacheStatus::stale:
      return "stale";
    case CacheStatus::corrupt:
      return "corrupt";
  }
  return "unknown";
}

std::uint64_t bar_cache_checksum(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  Xxh64 hash;
  const std::size_t whole = size / 32 * 32;
  hash.consume(bytes, whole);
  return hash.finish(bytes + whole, size - whole, size);
}

std::uint64_t fingerprint_files(const std::vector<fs::path>& files, std::string_view options) {
  std::string key;
  for (const fs::path& file : files) {
    key += file.string();
    key.push_back('\0');
    std::error_code error;
    std::uint64_t size = fs::file_size(file, error);
    if (error) size = ~std::uint64_t{0};
    std::int64_t mtime = 0;
    const auto written = fs::last_write_time(file, error);
    mtime = error ? std::int64_t{-1} : static_cast<std::int64_t>(written.time_since_epoch().count());
    key.append(reinterpret_cast<const char*>(&size), sizeof size);
    key.append(reinterpret_cast<const char*>(&mtime), sizeof mtime);
  }
  key.push_back('\0');
  key += "options=";
  key += options;
  return bar_cache_checksum(key.data(), key.size());
}

core::Status write_bar_cache(const fs::path& path, const core::BarSeries& bars, const CacheStamp& stamp) {
  const std::size_t rows = bars.ts.size();
  if (bars.open.size() != rows || bars.high.size() != rows || bars.low.size() != rows || bars.close.size() != rows ||
      bars.volume.size() != rows) {
    return core::input_error("cannot cache {}: its columns have different lengths", bars.ticker);
  }
  for (std::size_t i = 1; i < rows; ++i) {
    if (bars.ts[i] <= bars.ts[i - 1]) {
      return core::input_error("cannot cache {}: timestamps are not strictly increasing at row {}", bars.ticker, i);
    }
  }
  if (bars.ticker.size() > kMaxTickerBytes) {
    return core::input_error("cannot cache a ticker name of {} bytes (at most {})", bars.ticker.size(),
                             kMaxTickerBytes);
  }

  const std::size_t header_bytes = header_bytes_for(bars.ticker.size());
  const std::size_t column_bytes = rows * kCellBytes;
  std::vector<unsigned char> file(header_bytes + rows * kRowBytes + kChecksumBytes, 0);
  unsigned char* const out = file.data();
  std::memcpy(out + kOffMagic, kMagic.data(), kMagic.size());
  store<std::uint32_t>(out + kOffVersion, kFormatVersion);
  store<std::uint32_t>(out + kOffHeaderBytes, static_cast<std::uint32_t>(header_bytes));
  store<std::uint64_t>(out + kOffRows, rows);
  store<std::uint64_t>(out + kOffFingerprint, stamp.source_fingerprint);
  store<std::uint32_t>(out + kOffColumnCount, static_cast<std::uint32_t>(kColumnCount));
  store<std::uint32_t>(out + kOffTickerBytes, static_cast<std::uint32_t>(bars.ticker.size()));
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    unsigned char* const descriptor = out + kOffDescriptors + c * kDescriptorBytes;
    std::memcpy(descriptor, kColumns[c].name.data(), kColumns[c].name.size());
    store<std::uint32_t>(descriptor + 8, kColumns[c].type);
    store<std::uint32_t>(descriptor + 12, static_cast<std::uint32_t>(kCellBytes));
  }
  std::memcpy(out + kOffTicker, bars.ticker.data(), bars.ticker.size());
  const std::array<const void*, kColumnCount> columns = {bars.ts.data(),  bars.open.data(),  bars.high.data(),
                                                         bars.low.data(), bars.close.data(), bars.volume.data()};
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    if (rows > 0) std::memcpy(out + header_bytes + c * column_bytes, columns[c], column_bytes);
  }
  const std::size_t checked_bytes = file.size() - kChecksumBytes;
  store<std::uint64_t>(out + checked_bytes, bar_cache_checksum(out, checked_bytes));

  const fs::path temporary = temporary_path_for(path);
  FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    const int error = errno;
    return core::runtime_error(
        "cannot create the bar cache file {}: {} (does "
        "the directory exist and is it writable?)",
        temporary.string(), errno_text(error));
  }
  auto fail = [&](std::string_view step, int error) -> core::Status {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return core::runtime_error("cannot write the bar cache {}: {} failed: {}", path.string(), step, errno_text(error));
  };
  if (!write_all(fd.get(), out, file.size())) return fail("write", errno);
  // Flush before the rename so that a crash cannot leave the final name on
  // unwritten data.
  if (::fsync(fd.get()) != 0) return fail("fsync", errno);
  if (fd.close() != 0) return fail("close", errno);
  if (::rename(temporary.c_str(), path.c_str()) != 0) return fail("rename", errno);
  return {};
}

CacheRead read_bar_cache(const fs::path& path, const CacheStamp& expected) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) {
      CacheRead read;
      read.status = CacheStatus::missing;
      read.message = "no bar cache at " + path.string();
      return read;
    }
    return corrupt(path, "cannot open it: " + errno_text(error));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return corrupt(path, "cannot stat it: " + errno_text(errno));
  if (!S_ISREG(info.st_mode)) return corrupt(path, "not a regular file");
  const auto size = static_cast<std::size_t>(info.st_size);
  if (size == 0) return corrupt(path, "the file is empty");
  if (size < kOffTicker) return corrupt(path, "truncated inside the header (" + std::to_string(size) + " bytes)");

  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
  if (mapped == MAP_FAILED) return corrupt(path, "cannot map it: " + errno_text(errno));
  const MappedFile file(mapped, size);
  const unsigned char* const bytes = file.bytes();

  if (std::memcmp(bytes + kOffMagic, kMagic.data(), kMagic.size()) != 0) {
    return corrupt(path, "bad magic (not an itrade bar cache)");
  }
  const auto version = load<std::uint32_t>(bytes + kOffVersion);
  if (version != kFormatVersion) {
    return corrupt(path, "format version " + std::to_string(version) + ", this build reads version " +
                             std::to_string(kFormatVersion));
  }
  if (load<std::uint32_t>(bytes + kOffColumnCount) != kColumnCount) {
    return corrupt(path, "schema mismatch: " + std::to_string(load<std::uint32_t>(bytes + kOffColumnCount)) +
                             " columns, expected " + std::to_string(kColumnCount));
  }
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    const unsigned char* const descriptor = bytes + kOffDescriptors + c * kDescriptorBytes;
    if (std::memcmp(descriptor, kColumns[c].name.data(), kColumns[c].name.size()) != 0 ||
        load<std::uint32_t>(descriptor + 8) != kColumns[c].type || load<std::uint32_t>(descriptor + 12) != kCellBytes) {
      return corrupt(path, "schema mismatch at column " + std::to_string(c));
    }
  }
  const std::size_t ticker_bytes = load<std::uint32_t>(bytes + kOffTickerBytes);
  const std::size_t header_bytes = load<std::uint32_t>(bytes + kOffHeaderBytes);
  if (ticker_bytes > kMaxTickerBytes || header_bytes != header_bytes_for(ticker_bytes)) {
    return corrupt(path, "inconsistent header size");
  }
  if (size < header_bytes + kChecksumBytes) {
    return corrupt(path, "truncated inside the header (" + std::to_string(size) + " bytes)");
  }
  const std::uint64_t rows = load<std::uint64_t>(bytes + kOffRows);
  const std::size_t body_bytes = size - header_bytes - kChecksumBytes;
  // Compare by division so that a huge corrupt row count cannot overflow.
  if (body_bytes % kRowBytes != 0 || body_bytes / kRowBytes != rows) {
    const bool short_file = rows > body_bytes / kRowBytes;
    return corrupt(path, std::string(short_file ? "truncated" : "extra bytes") + ": " + std::to_string(size) +
                             " bytes for " + std::to_string(rows) + " rows");
  }
  // One pass over the file: each chunk is hashed, then copied into its column while it is
  // still in cache. The columns follow the header back to back, ts first.
  const std::size_t n = static_cast<std::size_t>(rows);
  const std::size_t column_bytes = n * kCellBytes;
  CacheRead read;
  core::BarSeries& bars = read.bars;
  bars.ts = core::reserve_populated<core::Timestamp>(n);
  std::vector<double>* const value_columns[] = {&bars.open, &bars.high, &bars.low, &bars.close, &bars.volume};
  for (auto* column : value_columns) *column = core::reserve_populated<double>(n);

  const std::size_t checked_bytes = size - kChecksumBytes;
  const std::size_t whole = checked_bytes / 32 * 32;
  constexpr std::size_t kChunk = 64 * 1024;  // fits in L2 with room to spare
  Xxh64 hash;
  for (std::size_t at = 0; at < checked_bytes; at += kChunk) {
    const std::size_t chunk_end = std::min(at + kChunk, checked_bytes);
    if (at < whole) hash.consume(bytes + at, std::min(chunk_end, whole) - at);
    // Copy the part of [at, chunk_end) that lies in the columns, column by column. Offsets
    // are multiples of 8: the header is a multiple of 64 and chunks of 32 bytes.
    for (std::size_t from = std::max(at, header_bytes); from < chunk_end;) {
      const std::size_t c = (from - header_bytes) / column_bytes;
      const std::size_t to = std::min(chunk_end, header_bytes + (c + 1) * column_bytes);
      if (c == 0) {
        append(bars.ts, bytes + from, to - from);
      } else {
        append(*value_columns[c - 1], bytes + from, to - from);
      }
      from = to;
    }
  }
  if (hash.finish(bytes + whole, checked_bytes - whole, checked_bytes) != load<std::uint64_t>(bytes + checked_bytes)) {
    return corrupt(path, "checksum mismatch");
  }
  const CacheStamp stamp{load<std::uint64_t>(bytes + kOffFingerprint)};
  if (stamp != expected) {
    CacheRead stale;
    stale.status = CacheStatus::stale;
    stale.message = "bar cache " + path.string() + " was built from other source files or options";
    return stale;
  }
  // A branch-free pass (it vectorizes); the failing row is searched for only on failure.
  const core::Timestamp* const ts = bars.ts.data();
  bool increasing = true;
  for (std::size_t i = 1; i < n; ++i) increasing &= ts[i] > ts[i - 1];
  if (!increasing) {
    std::size_t i = 1;
    while (ts[i] > ts[i - 1]) ++i;
    return corrupt(path, "timestamps not strictly increasing at row " + std::to_string(i));
  }
  read.status = CacheStatus::fresh;
  bars.ticker.assign(reinterpret_cast<const char*>(bytes + kOffTicker), ticker_bytes);
  return read;
}

}  // namespace itrade::data

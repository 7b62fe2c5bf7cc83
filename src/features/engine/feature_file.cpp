#include "features/engine/feature_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/file_descriptor.h"

namespace itrade::features {
namespace {

namespace fs = std::filesystem;

static_assert(std::endian::native == std::endian::little, "the feature file format is little-endian");

// ---- Layout (feature_file.h has the byte table)
// ------------------------------------------------

constexpr std::array<char, 8> kMagic = {'I', 'T', 'R', 'F', 'M', 'A', 'T', '1'};
constexpr std::string_view kFormatName = "itrade-feature-matrix";
constexpr std::uint64_t kFormatVersion = 1;
constexpr std::size_t kPreambleBytes = 16;  // magic + u64 header length
constexpr std::size_t kChecksumBytes = 8;
constexpr std::size_t kDataAlign = 8;
constexpr std::size_t kIoChunk = std::size_t{1} << 20;
constexpr std::string_view kRecompute = "recompute it with itrade features compute";

enum class Format { csv, ifm, other };

Format format_of(const fs::path& path) {
  const fs::path extension = path.extension();
  if (extension == ".csv") return Format::csv;
  if (extension == ".ifm") return Format::ifm;
  return Format::other;
}

// ---- POSIX helpers
// ---------------------------------------------------------------------------

using core::errno_text;
using core::FileDescriptor;

struct HashStateDeleter {
  void operator()(XXH64_state_t* state) const { XXH64_freeState(state); }
};
using HashState = std::unique_ptr<XXH64_state_t, HashStateDeleter>;

HashState new_hash_state() {
  HashState state(XXH64_createState());
  if (state && XXH64_reset(state.get(), 0) != XXH_OK) state.reset();
  return state;
}

// Removes the temporary file on destruction unless it was renamed into place.
class TemporaryFile {
 public:
  explicit TemporaryFile(fs::path path) : path_(std::move(path)) {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (!committed_) {
      std::error_code ignored;
      fs::remove(path_, ignored);
    }
  }
  const fs::path& path() const { return path_; }
  void committed() { committed_ = true; }

 private:
  fs::path path_;
  bool committed_ = false;
};

fs::path temporary_path_for(const fs::path& path) {
  // Unique per process and call, in the same directory so that rename() is atomic.
  static std::atomic<std::uint64_t> counter{0};
  fs::path temporary = path;
  temporary += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  return temporary;
}

// Buffered writer to a file descriptor that optionally feeds every byte to an XXH64 state.
// Keeps the first errno; later writes are ignored once one failed.
class Sink {
 public:
  explicit Sink(int fd) : fd_(fd), buffer_(kIoChunk) {}

  void hash_with(XXH64_state_t* hash) { hash_ = hash; }

  void write(const void* data, std::size_t size) {
    if (size == 0 || error_ != 0) return;
    if (hash_ != nullptr) XXH64_update(hash_, data, size);
    if (used_ + size > buffer_.size()) {
      flush();
      if (size >= buffer_.size()) {
        write_all(static_cast<const unsigned char*>(data), size);
        return;
      }
    }
    std::memcpy(buffer_.data() + used_, data, size);
    used_ += size;
  }
  void write(std::string_view text) { write(text.data(), text.size()); }

  // Writes out the buffer; returns 0 or the first errno seen.
  int flush() {
    if (used_ > 0 && error_ == 0) write_all(buffer_.data(), used_);
    used_ = 0;
    return error_;
  }

 private:
  void write_all(const unsigned char* data, std::size_t size) {
    while (size > 0 && error_ == 0) {
      const ssize_t written = ::write(fd_, data, size);
      if (written < 0) {
        if (errno != EINTR) error_ = errno;
        continue;
      }
      data += written;
      size -= static_cast<std::size_t>(written);
    }
  }

  int fd_;
  XXH64_state_t* hash_ = nullptr;
  std::vector<unsigned char> buffer_;
  std::size_t used_ = 0;
  int error_ = 0;
};

// ---- Writing
// ---------------------------------------------------------------------------------

// Same columns everywhere and values sized rows x columns.
core::Status check_matrices(const fs::path& path, std::span<const FeatureMatrix> matrices) {
  for (const FeatureMatrix& m : matrices) {
    const std::size_t cols = m.cols();
    const bool sized = cols == 0 ? m.values.empty() : m.values.size() % cols == 0 && m.values.size() / cols == m.rows();
    if (!sized) {
      return core::input_error("cannot write {}: ticker {} has {} values for {} rows x {} columns", path.string(),
                               m.ticker, m.values.size(), m.rows(), cols);
    }
  }
  if (matrices.empty()) return {};
  const FeatureMatrix& first = matrices.front();
  for (const FeatureMatrix& m : matrices.subspan(1)) {
    if (m.columns == first.columns) continue;
    std::size_t at = 0;
    while (at < m.cols() && at < first.cols() && m.columns[at] == first.columns[at]) ++at;
    std::string detail;
    if (at < m.cols() && at < first.cols()) {
      detail = fmt::format(", first at column {}: '{}' instead of '{}'", at, m.columns[at], first.columns[at]);
    }
    return core::input_error(
        "cannot write {}: the {} columns of ticker {} differ from the {} columns of ticker {}{}; all matrices in one "
        "feature file must have the same columns in the same order",
        path.string(), m.cols(), m.ticker, first.cols(), first.ticker, detail);
  }
  return {};
}

void append_csv_field(fmt::memory_buffer& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field.data(), field.data() + field.size());
    return;
  }
  out.push_back('"');
  for (const char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void write_csv(Sink& sink, std::span<const FeatureMatrix> matrices) {
  fmt::memory_buffer out;
  out.append(std::string_view("ticker,ts"));
  if (!matrices.empty()) {
    for (const std::string& column : matrices.front().columns) {
      out.push_back(',');
      append_csv_field(out, column);
    }
  }
  out.push_back('\n');
  for (const FeatureMatrix& m : matrices) {
    fmt::memory_buffer ticker;
    append_csv_field(ticker, m.ticker);
    const std::size_t cols = m.cols();
    for (std::size_t row = 0; row < m.rows(); ++row) {
      out.append(ticker.data(), ticker.data() + ticker.size());
      out.push_back(',');
      out.append(std::string_view(core::format_utc(m.ts[row])));
      for (std::size_t col = 0; col < cols; ++col) {
        out.push_back(',');
        const double value = m.values[row * cols + col];
        if (!std::isnan(value)) fmt::format_to(std::back_inserter(out), "{}", value);
      }
      out.push_back('\n');
      if (out.size() >= kIoChunk) {
        sink.write(out.data(), out.size());
        out.clear();
      }
    }
  }
  sink.write(out.data(), out.size());
}

// The JSON header, padded with spaces so that the data starts at a multiple of 8. Names
// that are not valid UTF-8 cannot be JSON strings: input error.
core::Result<std::string> ifm_header(const fs::path& path, std::span<const FeatureMatrix> matrices) {
  nlohmann::ordered_json header;
  header["format"] = kFormatName;
  header["version"] = kFormatVersion;
  header["columns"] = matrices.empty() ? std::vector<std::string>{} : matrices.front().columns;
  header["tickers"] = nlohmann::ordered_json::array();
  for (const FeatureMatrix& m : matrices) {
    header["tickers"].push_back(nlohmann::ordered_json{{"ticker", m.ticker}, {"rows", m.rows()}});
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception&) {
    auto valid = [](const std::string& name) {
      try {
        (void)nlohmann::json(name).dump();
        return true;
      } catch (const nlohmann::json::exception&) {
        return false;
      }
    };
    for (std::size_t i = 0; i < matrices.size(); ++i) {
      if (!valid(matrices[i].ticker)) {
        return core::input_error("cannot write {}: the name of ticker #{} is not valid UTF-8", path.string(), i + 1);
      }
    }
    const auto& columns = matrices.empty() ? std::vector<std::string>{} : matrices.front().columns;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (!valid(columns[i])) {
        return core::input_error("cannot write {}: the name of column {} is not valid UTF-8", path.string(), i);
      }
    }
    return core::input_error("cannot write {}: ticker or column names are not valid UTF-8", path.string());
  }
  const std::size_t misaligned = (kPreambleBytes + text.size()) % kDataAlign;
  if (misaligned != 0) text.append(kDataAlign - misaligned, ' ');
  return text;
}

void write_ifm(Sink& sink, XXH64_state_t* hash, const std::string& header, std::span<const FeatureMatrix> matrices) {
  sink.hash_with(hash);
  sink.write(kMagic.data(), kMagic.size());
  const std::uint64_t header_bytes = header.size();
  sink.write(&header_bytes, sizeof header_bytes);
  sink.write(header);
  for (const FeatureMatrix& m : matrices) {
    sink.write(m.ts.data(), m.ts.size() * sizeof(core::Timestamp));
    sink.write(m.values.data(), m.values.size() * sizeof(double));
  }
  sink.hash_with(nullptr);
  const std::uint64_t checksum = XXH64_digest(hash);
  sink.write(&checksum, sizeof checksum);
}

// ---- Reading
// ---------------------------------------------------------------------------------

// Reads exactly `size` bytes; 0 on success, -1 at a premature end of file, else the errno.
// Each chunk goes through `hash` while it is still in cache.
int read_exact(int fd, void* data, std::size_t size, XXH64_state_t* hash) {
  auto* at = static_cast<unsigned char*>(data);
  while (size > 0) {
    const std::size_t want = std::min(size, kIoChunk);
    std::size_t got = 0;
    while (got < want) {
      const ssize_t n = ::read(fd, at + got, want - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      if (n == 0) return -1;
      got += static_cast<std::size_t>(n);
    }
    if (hash != nullptr) XXH64_update(hash, at, want);
    at += want;
    size -= want;
  }
  return 0;
}

struct TickerEntry {
  std::string ticker;
  std::uint64_t rows = 0;
};

struct Header {
  std::vector<std::string> columns;
  std::vector<TickerEntry> tickers;
};

// Validates the parsed header; returns the problem, or an empty string.
std::string decode_header(const nlohmann::json& json, Header& out) {
  if (!json.is_object()) return "the header is not a JSON object";
  const auto format = json.find("format");
  if (format == json.end() || !format->is_string() || format->get_ref<const std::string&>() != kFormatName) {
    return fmt::format("the header field \"format\" is missing or not \"{}\"", kFormatName);
  }
  const auto version = json.find("version");
  if (version == json.end() || !version->is_number_integer()) {
    return "the header field \"version\" is missing or not an integer";
  }
  if (!version->is_number_unsigned() || version->get<std::uint64_t>() != kFormatVersion) {
    return fmt::format("format version {}, this build reads version {}", version->dump(), kFormatVersion);
  }
  const auto columns = json.find("columns");
  if (columns == json.end() || !columns->is_array()) return "the header field \"columns\" is missing or not an array";
  out.columns.reserve(columns->size());
  for (const auto& column : *columns) {
    if (!column.is_string()) return fmt::format("column {} in the header is not a string", out.columns.size());
    out.columns.push_back(column.get<std::string>());
  }
  const auto tickers = json.find("tickers");
  if (tickers == json.end() || !tickers->is_array()) return "the header field \"tickers\" is missing or not an array";
  out.tickers.reserve(tickers->size());
  for (const auto& entry : *tickers) {
    const std::size_t index = out.tickers.size();
    if (!entry.is_object()) return fmt::format("ticker entry {} in the header is not an object", index);
    const auto ticker = entry.find("ticker");
    if (ticker == entry.end() || !ticker->is_string()) {
      return fmt::format("ticker entry {} in the header has no string \"ticker\"", index);
    }
    const auto rows = entry.find("rows");
    if (rows == entry.end() || !rows->is_number_unsigned()) {
      return fmt::format("ticker entry {} in the header has no non-negative integer \"rows\"", index);
    }
    out.tickers.push_back(TickerEntry{ticker->get<std::string>(), rows->get<std::uint64_t>()});
  }
  return {};
}

// Size of the whole file the header describes, or false when it does not fit in 64 bits.
bool implied_file_size(const Header& header, std::uint64_t header_bytes, std::uint64_t& total) {
  std::uint64_t row_bytes = 0;
  if (__builtin_mul_overflow(std::uint64_t{header.columns.size()} + 1, std::uint64_t{8}, &row_bytes)) return false;
  if (__builtin_add_overflow(std::uint64_t{kPreambleBytes + kChecksumBytes}, header_bytes, &total)) return false;
  for (const TickerEntry& entry : header.tickers) {
    std::uint64_t bytes = 0;
    if (__builtin_mul_overflow(entry.rows, row_bytes, &bytes)) return false;
    if (__builtin_add_overflow(total, bytes, &total)) return false;
  }
  return true;
}

}  // namespace

core::Status write_feature_file(const fs::path& path, std::span<const FeatureMatrix> matrices) {
  const Format format = format_of(path);
  if (format == Format::other) {
    return core::input_error("cannot write {}: unknown feature file extension '{}'; use .csv (text) or .ifm (binary)",
                             path.string(), path.extension().string());
  }
  if (auto checked = check_matrices(path, matrices); !checked) return checked;

  std::string header;
  HashState hash;
  if (format == Format::ifm) {
    auto built = ifm_header(path, matrices);
    if (!built) return built.error();
    header = std::move(built).value();
    hash = new_hash_state();
    if (!hash) return core::runtime_error("cannot write {}: out of memory for the checksum state", path.string());
  }

  TemporaryFile temporary(temporary_path_for(path));
  FileDescriptor fd(::open(temporary.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    const int error = errno;
    return core::runtime_error(
        "cannot write the feature file {}: cannot create the temporary file {}: {} (does the directory exist and is "
        "it writable?)",
        path.string(), temporary.path().string(), errno_text(error));
  }
  auto fail = [&](std::string_view step, int error) -> core::Status {
    return core::runtime_error("cannot write the feature file {}: {} failed: {}", path.string(), step,
                               errno_text(error));
  };
  Sink sink(fd.get());
  if (format == Format::csv) {
    write_csv(sink, matrices);
  } else {
    write_ifm(sink, hash.get(), header, matrices);
  }
  if (const int error = sink.flush(); error != 0) return fail("write", error);
  if (fd.close() != 0) return fail("close", errno);
  if (::rename(temporary.path().c_str(), path.c_str()) != 0) return fail("rename", errno);
  temporary.committed();
  return {};
}

core::Result<std::vector<FeatureMatrix>> read_feature_file(const fs::path& path) {
  auto bad = [&](std::string_view problem) -> core::Error {
    return core::input_error("{}: {}; {}", path.string(), problem, kRecompute);
  };
  const Format format = format_of(path);
  if (format == Format::csv) {
    return core::input_error(
        "{}: CSV feature files cannot be read back, only .ifm files can; write it as .ifm with itrade features "
        "compute",
        path.string());
  }
  if (format != Format::ifm) {
    return core::input_error(
        "{}: not a feature file: only .ifm files can be read back; compute one with itrade "
        "features compute",
        path.string());
  }

  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return core::input_error("{}: no such file; compute it with itrade features compute", path.string());
    }
    return core::runtime_error("cannot open the feature file {}: {}", path.string(), errno_text(error));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return core::runtime_error("cannot stat the feature file {}: {}", path.string(), errno_text(errno));
  }
  if (!S_ISREG(info.st_mode)) return bad("not a regular file");
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size == 0) return bad("the file is empty");

  HashState hash = new_hash_state();
  if (!hash) return core::runtime_error("cannot read {}: out of memory for the checksum state", path.string());
  // The file may change under us: a premature end of file is reported as truncation.
  auto read_failed = [&](int result) -> core::Error {
    if (result < 0) return bad("truncated (the file ended early while reading)");
    return core::runtime_error("cannot read the feature file {}: {}", path.string(), errno_text(result));
  };

  std::array<unsigned char, kPreambleBytes> preamble{};
  const std::size_t preamble_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(size, kPreambleBytes));
  if (const int result = read_exact(fd.get(), preamble.data(), preamble_bytes, hash.get()); result != 0) {
    return read_failed(result);
  }
  if (size < kMagic.size()) return bad(fmt::format("truncated ({} bytes, shorter than the magic)", size));
  if (std::memcmp(preamble.data(), kMagic.data(), kMagic.size()) != 0) {
    return bad("bad magic (not an itrade feature matrix file)");
  }
  if (size < kPreambleBytes + kChecksumBytes) {
    return bad(
        fmt::format("truncated ({} bytes, the smallest feature file has {})", size, kPreambleBytes + kChecksumBytes));
  }
  std::uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, preamble.data() + kMagic.size(), sizeof header_bytes);
  if (header_bytes > size - kPreambleBytes - kChecksumBytes) {
    return bad(fmt::format("truncated or corrupt: the header length {} does not fit in the file of {} bytes",
                           header_bytes, size));
  }
  std::string header_text(static_cast<std::size_t>(header_bytes), '\0');
  if (const int result = read_exact(fd.get(), header_text.data(), header_text.size(), hash.get()); result != 0) {
    return read_failed(result);
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(header_text);
  } catch (const nlohmann::json::parse_error& e) {
    return bad(fmt::format("the header is not valid JSON (error at byte {} of the header)", e.byte));
  } catch (const nlohmann::json::exception&) {
    return bad("the header is not valid JSON");
  }
  Header header;
  if (const std::string problem = decode_header(json, header); !problem.empty()) return bad(problem);
  std::uint64_t expected = 0;
  if (!implied_file_size(header, header_bytes, expected)) {
    return bad(
        fmt::format("truncated or corrupt: the header announces more data than a file can hold ({} bytes here)", size));
  }
  if (expected != size) {
    return bad(fmt::format("{}: the header implies {} bytes, the file has {}",
                           size < expected ? "truncated" : "extra bytes at the end", expected, size));
  }

  // The size check bounds every allocation below by the file size.
  std::vector<FeatureMatrix> matrices;
  matrices.reserve(header.tickers.size());
  const std::size_t cols = header.columns.size();
  for (TickerEntry& entry : header.tickers) {
    FeatureMatrix& m = matrices.emplace_back();
    m.ticker = std::move(entry.ticker);
    m.columns = header.columns;
    const auto rows = static_cast<std::size_t>(entry.rows);
    m.ts.resize(rows);
    if (const int result = read_exact(fd.get(), m.ts.data(), rows * sizeof(core::Timestamp), hash.get()); result != 0) {
      return read_failed(result);
    }
    m.values.resize(rows * cols);
    if (const int result = read_exact(fd.get(), m.values.data(), m.values.size() * sizeof(double), hash.get());
        result != 0) {
      return read_failed(result);
    }
  }
  std::uint64_t stored = 0;
  if (const int result = read_exact(fd.get(), &stored, sizeof stored, nullptr); result != 0) return read_failed(result);
  if (stored != XXH64_digest(hash.get())) return bad("checksum mismatch (file corrupt or truncated)");
  return matrices;
}

}  // namespace itrade::features

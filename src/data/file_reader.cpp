#include "data/file_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>

namespace itrade::data {
namespace {

bool has_gzip_magic(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// zlib counts in uInt; feed large buffers in pieces.
constexpr std::size_t kMaxChunk = UINT_MAX / 2;

}  // namespace

core::Result<std::string> gunzip(std::string_view compressed, std::string_view name) {
  z_stream stream{};
  // 15 + 32: largest window, detect the gzip/zlib header automatically.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) {
    return core::runtime_error("{}: cannot start gzip decompression (zlib: out of memory?)", name);
  }
  std::string out;
  out.resize(std::max<std::size_t>(compressed.size() * 4, 4096));
  std::size_t in_pos = 0;
  std::size_t out_pos = 0;
  std::size_t members = 0;
  auto fail = [&](std::string what) -> core::Result<std::string> {
    inflateEnd(&stream);
    return core::input_error("{}: {} (after {} bytes of output); re-download or re-compress the file", name, what,
                             out_pos);
  };
  while (true) {
    if (stream.avail_in == 0 && in_pos < compressed.size()) {
      const std::size_t chunk = std::min(kMaxChunk, compressed.size() - in_pos);
      // zlib's API takes a non-const pointer but does not write through next_in.
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + in_pos));
      stream.avail_in = static_cast<uInt>(chunk);
      in_pos += chunk;
    }
    if (out_pos == out.size()) out.resize(out.size() * 2);
    const std::size_t out_chunk = std::min(kMaxChunk, out.size() - out_pos);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
    stream.avail_out = static_cast<uInt>(out_chunk);
    const int rc = inflate(&stream, Z_NO_FLUSH);
    out_pos += out_chunk - stream.avail_out;
    if (rc == Z_STREAM_END) {
      ++members;
      // Whatever input is left belongs to the next member (concatenated .gz files).
      const std::size_t left_in_buffer = stream.avail_in;
      const std::size_t rest_start = in_pos - left_in_buffer;
      const std::string_view rest = compressed.substr(rest_start);
      if (rest.empty()) break;
      if (std::all_of(rest.begin(), rest.end(), [](char c) { return c == 0; })) break;
      if (!has_gzip_magic(rest)) return fail("unexpected bytes after gzip member " + std::to_string(members));
      inflateReset(&stream);
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR) {
      // No progress possible: either the output is full (grow it) or the input ran out.
      if (stream.avail_out == 0) continue;
      if (stream.avail_in == 0 && in_pos < compressed.size()) continue;
      if (stream.avail_in == 0) return fail("truncated gzip stream");
      return fail("corrupt gzip data");
    }
    if (rc == Z_MEM_ERROR) {
      inflateEnd(&stream);
      return core::runtime_error("{}: out of memory while inflating gzip", name);
    }
    return fail(std::string("corrupt gzip data (zlib: ") + (stream.msg != nullptr ? stream.msg : "error") + ")");
  }
  inflateEnd(&stream);
  out.resize(out_pos);
  return out;
}

core::Result<std::string> read_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return core::input_error("{}: no such file; check the path (relative paths start at {})", name,
                             std::filesystem::current_path(ec).string());
  }
  if (std::filesystem::is_directory(status)) {
    return core::input_error("{}: is a directory; give the path of a data file inside it", name);
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(name.c_str(), "rb"));
  if (!file) {
    const int err = errno;
    return core::input_error("{}: cannot open ({}); check the file's permissions", name, std::strerror(err));
  }
  std::string content;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec) content.reserve(static_cast<std::size_t>(size));
  char buffer[1 << 16];
  while (true) {
    const std::size_t got = std::fread(buffer, 1, sizeof buffer, file.get());
    content.append(buffer, got);
    if (got < sizeof buffer) {
      if (std::ferror(file.get())) {
        const int err = errno;
        return core::runtime_error("{}: read failed after {} bytes ({}); check the disk and retry", name,
                                   content.size(), std::strerror(err));
      }
      break;
    }
  }
  const bool gz_name = name.size() >= 3 && name.compare(name.size() - 3, 3, ".gz") == 0;
  if (content.empty()) return content;
  if (has_gzip_magic(content)) return gunzip(content, name);
  if (gz_name) {
    return core::input_error("{}: the name ends in .gz but the content is not gzip; rename or re-compress it", name);
  }
  return content;
}

}  // namespace itrade::data

#include "models/model_dir.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <system_error>

namespace itrade::models {

namespace fs = std::filesystem;

core::Status write_model_dir(const fs::path& dir, const std::function<core::Status(const fs::path&)>& write) {
  std::error_code ec;
  if (fs::exists(dir, ec)) return core::input_error("{} already exists; save each model into a new directory", dir.string());
  fs::path staging = dir;
  staging += fmt::format(".tmp.{}", ::getpid());
  fs::remove_all(staging, ec);
  if (!fs::create_directories(staging, ec)) {
    return core::runtime_error("cannot create {}: {}", staging.string(), ec.message());
  }
  if (auto written = write(staging); !written) {
    fs::remove_all(staging, ec);
    return written.error();
  }
  fs::rename(staging, dir, ec);
  if (ec) {
    const std::string reason = ec.message();
    fs::remove_all(staging, ec);
    return core::runtime_error("cannot move the model into {}: {}", dir.string(), reason);
  }
  return {};
}

core::Status write_text_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return core::runtime_error("cannot write {}", path.string());
  return {};
}

core::Result<std::string> read_text_file(const fs::path& path, std::string_view expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::input_error("cannot read {}; is this {}?", path.string(), expected);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace itrade::models

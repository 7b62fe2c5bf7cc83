#include "features/engine/feature_file.h"
namespace itrade::features {
core::Status write_feature_file(const std::filesystem::path&, std::span<const FeatureMatrix>) { return core::runtime_error("not yet"); }
core::Result<std::vector<FeatureMatrix>> read_feature_file(const std::filesystem::path&) { return core::runtime_error("not yet"); }
}  // namespace itrade::features

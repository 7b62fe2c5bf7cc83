#pragma once
// TEMPORARY declarations until the feature file writer lands.
#include <filesystem>
#include <span>
#include <vector>
#include "core/result.h"
#include "features/engine/feature_matrix.h"
namespace itrade::features {
core::Status write_feature_file(const std::filesystem::path& path, std::span<const FeatureMatrix> matrices);
core::Result<std::vector<FeatureMatrix>> read_feature_file(const std::filesystem::path& path);
}  // namespace itrade::features

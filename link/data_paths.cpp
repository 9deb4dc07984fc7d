#include "link/data_paths.hpp"

#include <vector>

#include "optilane/version.hpp"

namespace optilane {

std::filesystem::path shipped_data_path(const std::string& installed,
                                        const std::string& in_source) {
  std::vector<std::filesystem::path> candidates;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  // Only a binary installed under a bin/ directory has a share/ beside it: a build-tree binary
  // (build/apps/optilane) must not pick up a stale install elsewhere.
  if (!ec && self.parent_path().filename() == "bin") {
    candidates.push_back(self.parent_path().parent_path() / "share" / "optilane" / installed);
  }
  candidates.push_back(std::filesystem::path(source_dir) / in_source);
  candidates.push_back(std::filesystem::path(install_data_dir) / installed);
  for (const auto& path : candidates) {
    if (std::filesystem::exists(path, ec)) return path;
  }
  return candidates.front();
}

std::filesystem::path examples_dir() {
  return shipped_data_path("examples", "examples");
}

std::filesystem::path validation_dir() {
  return shipped_data_path("validation", "validation");
}

}  // namespace optilane

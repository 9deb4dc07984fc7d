// Where the CLI finds the data it ships with — the example and tier presets, the validation cases
// and the plot script — both for a binary in its build tree and for an installed one
// (`cmake --install`, cmake/install.cmake: share/optilane/{examples,validation,optilane_plot.py}).
#pragma once

#include <filesystem>
#include <string>

namespace optilane {

/// The first of these that exists: `installed` under the running binary's own prefix
/// (<bin>/../share/optilane, so a relocated install keeps working), `in_source` under the source
/// tree the binary was built from (a build-tree binary, or an installed one whose clone is still
/// there), and `installed` under the configured install prefix. When none exists, the first
/// candidate (for messages). `installed` is relative to share/optilane, `in_source` to the
/// source tree's root.
[[nodiscard]] std::filesystem::path shipped_data_path(const std::string& installed,
                                                      const std::string& in_source);

/// The example presets (`extends:` names, `optilane presets`) and the tier presets under them.
[[nodiscard]] std::filesystem::path examples_dir();
/// The validation cases of `optilane validate`.
[[nodiscard]] std::filesystem::path validation_dir();

}  // namespace optilane

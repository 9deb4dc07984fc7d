// `optilane plot`: runs scripts/optilane_plot.py (Python 3 with h5py and matplotlib), which reads
// only the HDF5 file, so the figures prove the file serves the tools engineers already have.
#pragma once

#include <string>
#include <vector>

namespace optilane {

/// The plot script: beside an installed binary (PREFIX/share/optilane), at the configured install
/// prefix, or in the source tree. Throws InputError naming the places searched when none exists.
[[nodiscard]] std::string find_plot_script();

/// Runs the plot script with `arguments` (no shell in between) and returns its exit status
/// (0 written, 2 bad input, 3 internal error).
[[nodiscard]] int run_plot_script(const std::vector<std::string>& arguments);

}  // namespace optilane

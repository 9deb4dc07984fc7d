// HDF5 output (layout in docs/hdf5.md): provenance and config as root attributes, the JSON
// summary, and per segment and lane the eye histogram with its axes, level/threshold data and the
// first UIs of each block's output waveform; the power breakdown. Written to a temporary name and
// renamed, so a failed run leaves no partial file.
#pragma once

#include <string>

#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/sweep.hpp"

namespace optilane {

void write_hdf5(const std::string& path, const LinkConfig& config, const LinkResult& result,
                const std::string& summary_json_text);

/// A sweep's results table (layout in docs/hdf5.md, "Sweeps"): provenance and the base config as
/// root attributes, the JSON table, and under /sweep one dataset per column with one row per
/// point (rows in point order).
void write_sweep_hdf5(const std::string& path, const Sweep& sweep,
                      const std::vector<SweepRow>& rows, const std::string& sweep_json_text);

}  // namespace optilane

// HDF5 output (layout in docs/hdf5.md): provenance and config as root attributes, the JSON
// summary, and per segment and lane the eye histogram with its axes, level/threshold data and the
// first UIs of each block's output waveform; the power breakdown. Written to a temporary name and
// renamed, so a failed run leaves no partial file.
#pragma once

#include <string>

#include "link/lane_runner.hpp"
#include "link/link_config.hpp"

namespace optilane {

void write_hdf5(const std::string& path, const LinkConfig& config, const LinkResult& result,
                const std::string& summary_json_text);

}  // namespace optilane

// Reports of a run: the JSON summary (DESIGN.md §4), the stdout table, and atomic file writing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "link/lane_runner.hpp"
#include "link/link_config.hpp"

namespace optilane {

/// The JSON summary of a run, with the contract's keys.
[[nodiscard]] nlohmann::json summary_json(const LinkConfig& config, const LinkResult& result);

/// The readable summary table for standard output.
[[nodiscard]] std::string summary_table(const LinkConfig& config, const LinkResult& result);

/// Checks, before a run, that `path` can be written as write_file_atomically and the HDF5 writers
/// write it: creates its directory when missing and a file beside it (removed at once). Throws
/// InputError naming the path and the operating system's reason.
void check_output_writable(const std::string& path);

/// The lane's optical carrier wavelength, nm; NaN (null in the JSON) on an all-electrical chain,
/// whose lanes only take a slot of the lane grid (the table shows "-").
[[nodiscard]] double carrier_wavelength_nm(const LaneResult& lane);

/// Why the transmitter's TDECQ has no value when it is unbounded (+∞, null in the JSON); empty
/// otherwise.
[[nodiscard]] std::string tdecq_note(const TxResult& tx);

/// Writes `text` to `path` atomically: a temporary name in the same directory, then rename.
void write_file_atomically(const std::string& path, const std::string& text);

/// A temporary name next to `path` for atomic writing; registered so that an interrupted run
/// removes it (see remove_temporary_files).
[[nodiscard]] std::string temporary_name(const std::string& path);
/// Removes every temporary file still registered (called on errors and signals).
void remove_temporary_files() noexcept;
/// Renames a finished temporary file onto its final name and unregisters it.
void commit_temporary(const std::string& temporary, const std::string& path);

}  // namespace optilane

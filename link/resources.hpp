// Resource limits: a run whose memory estimate exceeds the machine's available memory (or
// --max-memory) is refused before it starts, with the estimate.
#pragma once

#include <cstdint>
#include <string>

#include "link/link_config.hpp"

namespace optilane {

/// Upper estimate of a run's peak memory in bytes with `threads` lanes in flight at once. Memory is
/// bounded by the chunk, not by the symbol count: signal buffers of both chain twins, one chunk of
/// filter state per block, the calibration record, the waveform probes and the histograms.
[[nodiscard]] std::uint64_t estimate_memory_bytes(const LinkConfig& config, int threads);

/// MemAvailable from /proc/meminfo (0 when unknown).
[[nodiscard]] std::uint64_t available_memory_bytes();

/// Parses "512MB", "2 GB", "1.5G", "1048576" into bytes (InputError otherwise).
[[nodiscard]] std::uint64_t parse_memory_size(const std::string& text);

/// Throws InputError when the estimate exceeds `limit_bytes` (0: the available memory).
void check_memory(const LinkConfig& config, int threads, std::uint64_t limit_bytes);

}  // namespace optilane

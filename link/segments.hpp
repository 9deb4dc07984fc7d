// Retimed segments (DESIGN.md §4): a `retimer` in the chain ends one segment and starts the next.
// Each segment runs as its own lane simulation: the segment ending at a retimer is received by
// the retimer's DSP (the runner's receiver DSP stage, built from the retimer's keys), and the next
// segment starts from a fresh PAM4 source, since the retimer regenerates the symbols; the blocks
// after the retimer (its Tx driver, modulator, or host-facing channel) follow that source. That
// source shapes its PAM4 levels (link/level_shaping.hpp) when the retimer's `tx_level_shaping` is
// set; the first segment's source does when `signal.level_shaping` is.
#pragma once

#include <vector>

#include "link/link_config.hpp"

namespace optilane {

/// The segments of `config`: one config per segment (the whole config when it has no retimer, or
/// only a retimer at its end). Segment s > 0 draws its noise from seed + s·segment_seed_stride so
/// the segments' noise is independent.
[[nodiscard]] std::vector<LinkConfig> split_segments(const LinkConfig& config);

inline constexpr std::uint64_t segment_seed_stride = 1000003;

}  // namespace optilane

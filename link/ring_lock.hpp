// The micro-ring's lock on its modulated levels, taken before the run on the pattern's whole
// period (devices/modulators/mrm.hpp, "Lock statistics").
//
// A ring's bias/thermal controller averages its monitor photodiode over microseconds to
// milliseconds (Padmaraju et al., Opt. Express 21(12), 14342, 2013: an in-ring photodiode and
// heater in a closed loop): millions of symbols, so it settles on the whole pattern's run
// statistics, not on the few thousand symbols of the run's first chunk. The lane runner therefore
// gives every ring that locks on its modulated levels (`lock: max_oma`, `lock_levels:
// modulated`), before the run, a noiseless record of the drive that reaches it: the run's own
// symbols (same pattern, seed, precoding and source levels) from their start, through noiseless
// fresh copies of the blocks upstream of the ring, long enough for one whole period of the pattern
// after the upstream start-up (the blocks' bulk delay plus 64 symbols, and 64 more the decisions
// start from) and 64 symbols past it, so that every run of the period is whole in the record and
// counted once, where it starts. Patterns longer than SSPRQ's 65535 symbols (PRBS31Q) are taken
// over 65535 symbols, a random pattern over 16384, as the transmitter analysis does
// (lane_runner.cpp). The ring locks on that record (Mrm::lock_on_record) and keeps the lock
// through the run.
//
// The record is built by noiseless_pre_pass below, which the transmitter analysis shares
// (lane_runner.cpp): when the run is shorter than one whole period after its start-up, the
// analysis reads the transmitter's output on such a pre-pass instead of the run's own capture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "link/link_config.hpp"
#include "phy/block.hpp"
#include "phy/prbs.hpp"

namespace optilane {

/// The window a whole-pattern measurement takes (IEEE 802.3 cl. 121.8.4-121.8.5 measure on the
/// whole test pattern): one period of the pattern, at most SSPRQ's 65535 symbols (cl.
/// 120.5.11.2.3's TDECQ pattern; PRBS31Q's period is taken over 65535), 16384 symbols of a random
/// pattern (each PAM4 level then has ~100 runs of three).
[[nodiscard]] std::int64_t whole_pattern_window_symbols(const SignalConfig& signal);

/// A noiseless record of the run's own symbols: what blocks [0, `end_block`) of a chain put out,
/// driven from the source as the run drives them.
struct NoiselessPrePass {
  Signal signal;  ///< output of block `end_block` − 1 (the source's when 0), sample 0 on
  std::vector<int> levels;  ///< the sent level of each symbol (after precoding)
};

/// The run's symbols (`pattern`: a copy of the run's pattern generator at its start; precoding
/// as the run; `source_level_v` the source's voltage of each level) from their start, `symbols`
/// of them in one piece, through noiseless fresh copies (clones, noise off) of blocks
/// [0, `end_block`) of `chain` (as built, not yet run). The copies' streaming filters give the
/// run's noiseless samples to round-off (the run feeds them in chunks). Throws std::logic_error
/// when a block changes the record's length.
[[nodiscard]] NoiselessPrePass noiseless_pre_pass(const std::vector<std::unique_ptr<Block>>& chain,
                                                  std::size_t end_block, const LinkConfig& config,
                                                  int lane, PatternGenerator pattern,
                                                  std::span<const double> source_level_v,
                                                  std::int64_t symbols);

/// Locks the rings of `chain` (as built, not yet run) that lock on their modulated levels, from
/// chain index `first_block` on (the blocks before it are replayed, not run), on the record
/// described above. `pattern` is a copy of the run's pattern generator at its start;
/// `source_level_v` the source's voltage for each symbol level. Returns how many rings it locked.
std::size_t lock_rings_on_pattern(const std::vector<std::unique_ptr<Block>>& chain,
                                  const LinkConfig& config, int lane, PatternGenerator pattern,
                                  std::span<const double> source_level_v,
                                  std::size_t first_block = 0);

}  // namespace optilane

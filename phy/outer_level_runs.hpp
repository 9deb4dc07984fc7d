// The runs a PAM transmitter's outer levels are measured on (IEEE 802.3 cl. 121.8.4), one
// reading shared by the transmitter analysis (phy/analysis/tdecq) and the micro-ring's lock on its
// modulated levels (devices/modulators/mrm).
//
// cl. 121.8.4 (reused by cl. 124/138/140/151/180; the clause itself is paywalled and was not
// retrieved): P3 is the mean optical power over the central 2 UI of "a run of 7 threes" of the
// test pattern, P0 over the central 2 UI of "a run of 6 zeros" (PRBS13Q and SSPRQ hold them);
// OMA_outer = P3 − P0 and ER = P3/P0 (Keysight FlexDCA's PAM outer ER help: "the central 2
// symbols from seven consecutive 3's and six consecutive 0's", S). Open TDECQ implementations in
// the public code index read "a run of 7" as a run of at least 7 (one takes the first such run,
// another averages every such run), and fall back to the longest runs (of at least three) when a
// pattern or window holds none (S). That is the reading here: every run at least `wanted` long,
// all of them averaged by the callers; when there is none, the longest ones.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "phy/pam.hpp"

namespace optilane {

/// The interior runs (phy/pam.hpp, interior_runs) of `symbol` that cl. 121.8.4 measures its level
/// on, as read above: every one at least `wanted` symbols long (7 for the top level, 6 for the
/// bottom), or, when none is, every one of the longest length present. Empty when `symbols` holds
/// no interior run of `symbol` at all.
[[nodiscard]] inline std::vector<SymbolRun> outer_level_runs(std::span<const int> symbols,
                                                             int symbol, std::size_t wanted) {
  std::vector<SymbolRun> runs = interior_runs(symbols, symbol);
  std::size_t longest = 0;
  for (const SymbolRun& run : runs) longest = std::max(longest, run.length);
  const std::size_t length = std::min(wanted, longest);
  std::erase_if(runs, [&](const SymbolRun& run) { return run.length < length; });
  return runs;
}

}  // namespace optilane

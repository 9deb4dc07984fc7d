// Transmit level shaping of a DSP (or SerDes) transmitter's PAM4 DAC: the four levels the source
// sends are set so that the transmitter's settled optical levels come out equally spaced.
//
// Why: a PAM4 optical transmitter's static transfer P(v) is not linear. An EML's absorption edge
// T(V_r) = exp(−(V_r/V_0)^n) (devices/modulators/eml.hpp) squeezes the upper levels, a
// quadrature-biased MZM's sine squeezes the outer ones, so equally spaced drive levels give an
// RLM (IEEE 802.3 cl. 120.5.11.2.2 / 120D.3.1.2) well below 1. A DSP transmitter sets each of its
// four DAC codes on its own (transmit level adjustment); a calibration against the optical
// output sets them so that the optical levels are equally spaced.
//
// Model: the outer levels stay at ±swing/2 (the DAC's full scale, so the extinction ratio and
// OMA_outer are those of the unshaped transmitter), and inner level k ∈ {1, 2} is the source
// voltage v_k with
//     P(v_k) = P(−swing/2) + (k/3)·[P(+swing/2) − P(−swing/2)],
// P(v) the settled (DC) optical power at the transmitter's output — the first block whose
// output is optical — for a constant source level v, measured on noiseless copies of the chain's
// blocks up to it (so the driver's gain, bandwidth and clipping and the modulator's swing, bias
// and insertion loss all set where the levels land, as they do for the real calibration). v_k is
// found on the bracket [−swing/2, +swing/2] (Illinois regula falsi, to 1e-14 of the optical
// span): P is continuous and P(±swing/2) bracket the target, so a root exists whether or not P
// is monotonic (it is for the EML and for an MZM within ±Vπ/2).
//
// Per-symbol levels, not a per-sample inverse: the DSP chooses the value of each symbol before
// its DAC, driver and modulator bandwidths; it does not see and cannot invert the band-limited
// waveform sample by sample (the MZM's `predistortion` flag is such a per-sample inverse, placed
// in the modulator). Level shaping corrects the static levels only; the transitions still pass
// the nonlinear curve, and what remains of that shows in TDECQ, not in RLM.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "phy/block.hpp"

namespace optilane {

struct ShapedLevels {
  std::array<double, 4> drive_v{};  ///< source levels of PAM4 symbols 0..3, V
  std::array<double, 4> power_w{};  ///< settled optical power at the transmitter for each, W
  std::size_t transmitter = 0;      ///< chain index of the transmitter (first optical output)
};

/// Settled optical power at the output of chain[transmitter] for a constant source level v:
/// noiseless fresh copies of chain[0..transmitter] run over `settle_symbols` symbols, the mean of
/// the last quarter. The chain's blocks must be as built (not yet run).
[[nodiscard]] double settled_transmitter_power_w(const std::vector<std::unique_ptr<Block>>& chain,
                                                 std::size_t transmitter, const LaneContext& lane,
                                                 double source_v);

/// The shaped PAM4 levels for the chain (as built); throws std::invalid_argument when the chain
/// has no optical transmitter or its outer levels give the same optical power.
[[nodiscard]] ShapedLevels shape_pam4_levels(const std::vector<std::unique_ptr<Block>>& chain,
                                             const LaneContext& lane, double swing_v);

/// Index of the transmitter: the first block whose output is optical from a non-optical input.
[[nodiscard]] std::optional<std::size_t> optical_transmitter_index(
    const std::vector<std::unique_ptr<Block>>& chain);

}  // namespace optilane

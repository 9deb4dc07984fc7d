// The frequency response shared by the photodetector and the TIA: an FIR with DC gain exactly 1.
//
// Order 1 (an RC pole) is sampled by impulse invariance, h[n] = (1 − a)·aⁿ with a = exp(−2πB/fs):
// the exact sampled RC, whose noise bandwidth fs/2·(1 − a)/(1 + a) → (π/2)·B for B ≪ fs. Frequency
// sampling (phy/filter_design.hpp) would instead cut the RC's discontinuous impulse response at
// t = 0 and lose a few per cent of gain. Higher orders use design_fir, renormalised to Σh = 1 (the
// truncation leaves ~1e-3 of DC error otherwise).
#pragma once

#include "phy/filter_design.hpp"

namespace optilane {

[[nodiscard]] FirDesign receiver_response(FilterShape shape, double bandwidth_hz, int order,
                                          double sample_rate_hz);

}  // namespace optilane

// The frequency response shared by the photodetector and the TIA: an FIR with DC gain exactly 1.
//
// Order 1 (an RC pole) is sampled by impulse invariance, h[n] = (1 − a)·aⁿ with a = exp(−2πB/fs):
// the exact sampled RC, whose noise bandwidth fs/2·(1 − a)/(1 + a) → (π/2)·B for B ≪ fs. Frequency
// sampling (phy/filter_design.hpp) would instead cut the RC's discontinuous impulse response at
// t = 0 and lose a few per cent of gain. Higher orders use design_analog_fir (frequency sampling
// with Im H(fs/2) ramped out above 0.3·fs, phy/filter_design.hpp: H exact below 0.3·fs, within
// |Im H(fs/2)| above; an order-2 Butterworth at 32 GHz and 850 GS/s takes 118 taps, not the 3,856
// of plain frequency sampling, whose ring from H's jump at fs/2 decays as 1/n), renormalised to
// Σh = 1.
#pragma once

#include "phy/filter_design.hpp"

namespace optilane {

[[nodiscard]] FirDesign receiver_response(FilterShape shape, double bandwidth_hz, int order,
                                          double sample_rate_hz);

}  // namespace optilane

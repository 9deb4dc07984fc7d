#pragma once
// Steady-state PAM levels of a noiseless waveform: what IEEE 802.3 measures as OMA_outer.
//
// Definition (IEEE 802.3 cl. 121.8.4, reused by cl. 124, 140, 151 and 802.3dj): OMA_outer = P3 −
// P0, the average power over the central 2 UI of the long runs of threes and zeros of the test
// pattern (SSPRQ holds runs of 7 threes and 6 zeros), i.e. the levels once the ISI has settled.
// Level means taken at the sampling instant over a random pattern read something else: each
// level's mean over all neighbour combinations, which for a linear chain is dc + s(a)·h0 (the main
// cursor alone), so their spread understates OMA_outer by h0/Σh when the channel has ISI
// (≈ 1.3 dB on a stressed 400GBASE-DR4 receiver).
//
// Method: the waveform averaged over each symbol period, y_k = (1/sps)·Σ_q x[(k+d)·sps + q] (d the
// bulk latency in whole symbols), is fitted by least squares as
//   y_k = c + Σ_{i=−pre}^{post} Σ_{l=1}^{M−1} g_{i,l}·[a_{k−i} = l]
// (one indicator per cursor and level, level 0 the reference). A chain linear in the sent
// amplitudes u(a) gives this exactly for any level spacing (RLM ≠ 1 included: u(a_k) = Σ_l u_l·[a_k
// = l]) and whatever the sampling phase, since the average covers a whole symbol. A constant
// sequence a_k = l then reads y = c + Σ_i g_{i,l}: level l's steady state, and OMA_outer =
// P_{M−1} − P_0. For a chain that is not linear in the symbols (square-law detection after
// dispersion) it is the steady state of the best description of that form.
#include <span>
#include <vector>

namespace optilane {

/// Steady-state value of each of the `level_count` levels (ascending level index) of `samples`
/// (`sps` samples per symbol, noiseless), driven by `levels` (the sent level of each symbol) and
/// delayed by `latency_samples`. `pre`/`post`: cursor window (symbols) about the bulk latency; it
/// must cover the response, or its tail is missing from the sum. Throws std::invalid_argument
/// when the record is too short for the window.
[[nodiscard]] std::vector<double> steady_state_levels(std::span<const double> samples, int sps,
                                                      std::span<const int> levels, int level_count,
                                                      double latency_samples, int pre = 8,
                                                      int post = 32);

}  // namespace optilane

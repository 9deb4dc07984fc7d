// The optical receiver's analyses of a lane (DESIGN.md §3–4): received OMA, the noise budget at
// the photodetector, the sensitivity by an attenuator sweep, and the margin.
//
// Received OMA (outer): the noiseless photocurrent's outer level means at their decision instant
// (the slicer's calibration on the chain cut just after the photodetector, noise off), divided by
// M·R. For an ISI-free signal this is P3 − P0; with ISI it is the pattern-averaged level spread.
// The noiseless photocurrent is the main run's twin at the photodetector (NoiselessTap), the very
// samples a re-run of the cut chain with noise off computes.
//
// Noise budget: the lane is re-run with one NoiseKind on at a time (Block::set_noise_mask) in
// lockstep with its noiseless twin; the slicer measures the variance of (noisy − noiseless) at the
// decision instant, averaged over levels, σ²_K. It is referred to the photodetector through the
// signal gain of everything after it, G = (slicer outer-level spread)/(photocurrent outer-level
// spread), both noiseless: σ_K,in = σ_K / G. This holds through any linear receiver (TIA,
// CTLE, FFE) because noise and signal see the same chain; a limiting TIA makes it approximate.
// Kinds: thermal, shot, rin, mpi, crosstalk, quantization, phase (laser phase noise turned into
// intensity noise by dispersion or a ring's slope), jitter (transmitter RJ/DJ), other (the host
// transmitter's SNDR, serdes_tx `snr`). "total" is the main run's (all noise on) σ referred the
// same way; kinds that do not add in power (a noise multiplied by another's slope) make it differ
// from the root-sum-square of the kinds.
//
// Sensitivity: an optical_attenuator is inserted just before the photodetector and swept; the
// semi-analytic BER (exact ISI, measured Gaussian noise per level) is found at each loss, the loss
// where it crosses the target BER is found in Q-dB (Newton steps at the thermal-limited slope
// until bracketed, then secant steps, to 0.02 dB). Sensitivity = received OMA − that loss. A
// Monte-Carlo run at the found point checks it. Margin = received OMA − sensitivity (the penalties
// of dispersion, MPI, crosstalk are inside the sensitivity found on the actual signal, so this is
// the link-budget margin). At each swept loss the receiver re-adapts (timing, thresholds, DSP
// taps), as a real one does when the received power changes; what precedes the attenuator does
// not change, so the search's first run records it and the others replay it (PrefixRecord, bit
// for bit the same signals).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "link/lane_runner.hpp"

namespace optilane {

/// The tap the main run records for the received OMA (the noiseless photocurrent over the
/// analysis' symbols); nullopt when the chain has no photodetector.
[[nodiscard]] std::optional<NoiselessTap> received_oma_tap(
    const LinkConfig& config, const std::vector<std::unique_ptr<Block>>& chain);

/// Fills result.optical_rx when the lane's chain has a photodetector; no-op otherwise. With the
/// main run's `tap` (received_oma_tap), the received OMA is read from it instead of a re-run of
/// the chain up to the photodetector (the same samples: the twin's blocks are the re-run's).
/// `fresh`: the lane's chain as built (unrun), else it is built again. `main_prefix`: the main
/// run's record of its blocks before the photodetector (both paths, the analysis' first chunks);
/// the noise-budget runs of kinds no block before the PD adds replay its noiseless path, the
/// sensitivity search its noisy path (the very signals those runs would compute).
void analyse_optical_receiver(const LinkConfig& config, int lane, LaneResult& result,
                              const NoiselessTap* tap = nullptr,
                              std::vector<std::unique_ptr<Block>> fresh = {},
                              const PrefixRecord* main_prefix = nullptr);

}  // namespace optilane

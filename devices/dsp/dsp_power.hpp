// DSP power model per function, in pJ/bit, by CMOS node.
//
// Anchor: an ADC-based 56 Gb/s PAM4 receiver data path (ADC + DSP equaliser) in 14 nm FinFET
// dissipates 270 mW = 4.8 pJ/bit (IBM, A-SSCC 2019, "A 4.8pJ/b 56Gb/s ADC-Based PAM-4 Wireline
// Receiver Data-Path with Cyclic Prefix in 14nm FinFET",
// https://research.ibm.com/publications/a-48pjb-56gbs-adc-based-pam-4-wireline-receiver-data-path-with-cyclic-prefix-in-14nm-finfet).
// The split between functions is ours (status U in the sense of figures.md: an estimate, not a
// retrieved figure): ADC 40 %, a 16-tap FFE 35 % (≈ 0.1 pJ/bit per tap), DFE/slicer 5 % per tap,
// CDR 10 %, MLSE (4-state Viterbi) ≈ the cost of 8 FFE taps. FEC: KP4 RS(544,514) decoding
// ≈ 0.5 pJ/bit at 14 nm (U). Node scaling: dynamic energy C·V² scales roughly linearly with the
// node's feature size at these nodes (E ∝ node/14 nm; U, a first-order rule — the 3 nm vs 5 nm
// module figure in figures.md §3, > 20 % lower module power, is consistent with it).
#pragma once

namespace optilane {

enum class DspFunction { adc, ffe_tap, dfe_tap, mlse, cdr, fec_kp4, fec_inner_hamming };

/// Energy per bit of one function at CMOS node `node_nm` (pJ/bit per tap for taps).
[[nodiscard]] double dsp_energy_pj_per_bit(DspFunction function, double node_nm);

}  // namespace optilane

// DSP power model per function, in pJ per line bit, by CMOS node and symbol rate.
//
//   E_f(node, R_s) = E_f,anchor · S(node) · C_f(R_s)
//
// Anchor (energy split of one measured receiver): an ADC-based 56 Gb/s (28 GBd) PAM4 receiver
// data path (ADC + DSP equaliser) in 14 nm FinFET dissipates 270 mW = 4.8 pJ/bit (IBM, A-SSCC
// 2019, "A 4.8pJ/b 56Gb/s ADC-Based PAM-4 Wireline Receiver Data-Path with Cyclic Prefix in 14nm
// FinFET",
// https://research.ibm.com/publications/a-48pjb-56gbs-adc-based-pam-4-wireline-receiver-data-path-with-cyclic-prefix-in-14nm-finfet;
// V, excludes the inverse DFT and the BER checker). Its split between functions is ours (U, an
// estimate, not a retrieved figure): ADC 40 %, a 16-tap FFE 35 %, DFE/slicer 5 % per tap, CDR
// 10 %; MLSE (4-state Viterbi) ≈ 8 FFE taps. Transmit FFE taps: a digital 8-tap FFE with a
// 1+0.5D precoder at 112 Gb/s in 14 nm draws 0.3 pJ/bit (IBM, VLSI 2018, "A 0.3pJ/bit 112Gb/s
// PAM4 1+0.5D TX-DFE precoder and 8-tap FFE in 14nm CMOS",
// https://research.ibm.com/publications/a-03pjbit-112gbs-pam4-105d-tx-dfe-precoder-and-8-tap-ffe-in-14nm-cmos;
// V), i.e. ≤ 0.0375 pJ/bit per tap. DAC: costed as the ADC of the same rate (U: both are ~6-bit
// converters clocked at the symbol rate; no DAC figure retrieved). FEC: KP4 RS(544,514) decoding
// ≈ 0.5 pJ/bit and the 802.3dj inner Hamming(128,120) soft decoder ≈ 0.15 pJ/bit at 14 nm (U).
//
// Node scaling S(node), energy per operation at iso-speed relative to the 14/16 nm FinFET class
// (the anchor's; U that IBM 14 nm and TSMC 16FF+ are one class), from the foundry's node-to-node
// power figures: N7 draws 60 % less than 16FF+ at the same speed (S:
// https://techgage.com/news/tsmc-has-begun-mass-production-of-chips-built-on-its-7nm-process/ ;
// TSMC's IEDM 2016 paper gave 65 %, S), N5 about 30 % less than N7 (V:
// https://www.tsmc.com/english/dedicatedFoundry/technology/5nm.htm), N3 25–30 % less than N5
// (S:
// https://www.thefpsreview.com/2020/08/25/tsmcs-3-nm-process-2022-will-be-30-percent-more-efficient-than-5-nm/,
// quoting TSMC's 2020 symposium): S = 1, 0.40, 0.28, 0.203 at 16 (and 14), 7, 5, 3 nm, log-log
// interpolated between them. Check: the interpolation puts 10 nm at 0.64, and TSMC gives N7 40 %
// below N10 (V: https://www.tsmc.com/english/dedicatedFoundry/technology/7nm.htm), i.e. 0.67. This
// is not linear in the node's name: 16 → 7 nm falls faster (0.40 vs 0.44), 5 → 3 nm slower (0.725
// vs 0.6). Outside 3–16 nm the classical C·V² ∝ feature size rule extends the table (U).
//
// Rate scaling C_f(R_s): the converters (ADC, DAC) follow the Schreier figure-of-merit envelope of
// the published ADC record (B. Murmann, ADC Performance Survey 1997–2026,
// github.com/bmurmann/ADC-survey, plots/foms_plot.ipynb and plots/foms_plot.json, V):
// FoM_S(f_s) = 186.7 dB − 10·log10(√(1 + (f_s/46.7 MHz)²)), so at a set SNDR the energy per
// conversion grows as √(1 + (f_s/f_c)²) — linearly with f_s far above the 46.7 MHz corner. With
// one conversion per symbol, energy per bit ∝ √(1 + (R_s/f_c)²)/√(1 + (R_s,anchor/f_c)²): a 200G
// lane's converters cost twice a 100G lane's per bit. The digital functions (FFE, DFE, MLSE,
// CDR logic, FEC) are parallel datapaths whose energy per operation does not depend on the
// throughput at a given node (U): C_f = 1.
#pragma once

namespace optilane {

enum class DspFunction {
  adc,
  dac,
  ffe_tap,
  tx_ffe_tap,
  dfe_tap,
  mlse,
  cdr,
  fec_kp4,
  fec_inner_hamming
};

/// Symbol rate of the receiver anchor (IBM A-SSCC 2019: 56 Gb/s PAM4), Bd.
inline constexpr double dsp_anchor_symbol_rate_bd = 28e9;
/// Corner of the ADC survey's FoM_S envelope (bmurmann/ADC-survey, plots/foms_plot.json), Hz.
inline constexpr double adc_fom_corner_hz = 46.7345e6;

/// Energy per operation at `node_nm` relative to the 14/16 nm FinFET class (see the header).
[[nodiscard]] double node_energy_scale(double node_nm);

/// Converter energy per bit at `symbol_rate_bd` relative to the anchor's 28 GBd (see the header).
[[nodiscard]] double converter_rate_scale(double symbol_rate_bd);

/// Energy per line bit of one function at CMOS node `node_nm` and symbol rate `symbol_rate_bd`
/// (pJ/bit; per tap for the FFE and DFE taps).
[[nodiscard]] double dsp_energy_pj_per_bit(DspFunction function, double node_nm,
                                           double symbol_rate_bd);

}  // namespace optilane

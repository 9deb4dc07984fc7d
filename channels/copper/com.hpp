// Channel Operating Margin (COM), IEEE 802.3 Annex 93A, with the 802.3ck and 802.3dj parameters.
//
// COM rates a passive electrical channel (its SDD21) by the margin of a reference transmitter and
// receiver over it: COM = 20 log10(A_s / A_ni), A_s the signal amplitude at the sampler,
// A_ni the noise-plus-interference amplitude exceeded with probability DER0. A channel passes with
// COM ≥ 3 dB (802.3ck cl. 162/163, 802.3dj; figures.md §4). The steps, by Annex 93A sub-clause
// (numbering as recalled from IEEE Std 802.3-2022; the standard's text was not retrieved, the
// structure was checked against PyChOpMarg, github.com/capn-freako/PyChOpMarg):
//  93A.1.2  reference package on each side of the channel (when the channel has none), cascaded
//           with the channel as S-parameter networks; H21(f) = SDD21 of the cascade (matched
//           100 Ω terminations, R_d = R_0). From the die outwards: the 802.3ck segmented die
//           model, shunt C_d(1), series L_s(1), shunt C_d(2), series L_s(2), shunt C_d(3),
//           series L_s(3) (a compensated ladder, ≈ 75 Ω differential), then the `package` block
//           (channels/copper/package.hpp) with its die capacitance set to the bump C_b:
//           shunt C_b, substrate line z_p, shunt C_p. Per-leg C is a differential jωC/2, per-leg
//           L a differential 2jωL.
//  93A.1.4.1 transmitter rise-time filter  H_t(f) = exp(−(π f T_r / 1.6832)²).
//  93A.1.4.2 transmitter FFE  H_ffe(f) = Σ_i c(i) exp(−j2π f i / f_b), c(0) = 1 − Σ_{i≠0}|c(i)|.
//  93A.1.4.3 receiver noise filter, 4th-order Butterworth at f_r:
//           H_r(f) = 1 / (1 − 3.414214 (f/f_r)² + (f/f_r)⁴ + j 2.613126 (f/f_r − (f/f_r)³)).
//  93A.1.4.4 CTLE (802.3ck form, two DC gains):
//           H_ctf(f) = (10^(g_DC/20) + j f/f_z)(10^(g_DC2/20) + j f/f_LF)
//                      / ((1 + j f/f_p1)(1 + j f/f_p2)(1 + j f/f_LF)).
//  93A.1.5  pulse response h(t) of A_v·H21·H_t·H_ffe·H_r·H_ctf to a 1-UI rectangle; the cursors
//           h(n) = h(t_s + n T_b). Figure of merit of each candidate (c, g_DC, g_DC2, t_s):
//           FOM = 10 log10(A_s² / (σ_TX² + σ_ISI² + σ_J² + σ_XT² + σ_N²))
//           with σ_X² = (L² − 1) / (3 (L − 1)²) the symbol variance (PAM4: 5/9),
//           A_s = R_LM h(0) / (L − 1)
//           σ_ISI² = σ_X² [Σ_{n∉DFE} h(n)² + Σ_{n=1..N_b} (h(n) − b(n) h(0))²],
//               b(n) = clamp(h(n)/h(0), ±b_max(n))  (reference DFE)
//           σ_J² = σ_X² (A_DD² + σ_RJ²) Σ_n h_J(n)²,
//               h_J(n) = (h(t_s + nT_b + T_b/M) − h(t_s + nT_b − T_b/M)) · M / 2   (per UI)
//           σ_N² = η0 ∫_0^∞ |H_r(f) H_ctf(f)|² df
//           σ_TX² = σ_X² h(0)² 10^(−SNR_TX/10)  (802.3ck); with a receiver FFE (802.3dj) the
//               transmitter noise passes the whole path: σ_X² 10^(−SNR_TX/10) Σ_n h(n)²
//           σ_XT² = 0: no crosstalk channels are given.
//           The candidate with the largest FOM is kept.
//  93A.1.6/7 For that candidate, the noise-plus-interference PDF is the convolution of
//           - each cursor's ISI PMF (1/L) Σ_l δ(y − (2l/(L−1) − 1) h(n)) (DFE residuals for
//             n = 1..N_b),
//           - the dual-Dirac jitter ½δ(y ± A_DD √(σ_X² Σ h_J²)),
//           - a Gaussian of σ_G² = σ_RJ² σ_X² Σ h_J² + σ_N² + σ_TX²;
//           A_ni is the amplitude with P(y < −A_ni) = DER0, and COM = 20 log10(A_s / A_ni).
//
// 802.3dj (178A) replaces most of the DFE by a receiver FFE (16 taps, 5 pre-cursor) ahead of a
// 1-tap DFE. Here the FFE taps w come from the minimum mean-square error solution under the same
// noise model: minimise σ_X² Σ_{n∉{0..N_b}} h_eq(n)² + wᵀ(R_N + R_J + R_TX)w with h_eq(0) = 1,
// R_N the noise autocorrelation at baud lags, R_N(m) = η0 ∫ |H_r H_ctf|² cos(2π f m T_b) df.
//
// Simplifications (stated again in the result's `method`):
//  - Tx FFE search over c(−1) and c(1) only (c(−2), c(−3), c(2) fixed at 0). 802.3ck: c(−1)
//    −0.34..0 and c(1) −0.2..0 in 0.02 steps. 802.3dj: c(−1) in 0.08 and c(1) in 0.1 steps, g_DC2
//    in 1 dB (not 0.5 dB) steps, 8 sampling phases per UI and a 160-UI post-cursor window in the
//    search, since the receiver FFE absorbs most of the Tx FFE (the final figures use the whole
//    window).
//  - The sampling instant is the phase, within ±½ UI of the pulse peak, with the best FOM, not the
//    Mueller–Müller point of the IEEE MATLAB reference: optimistic by up to a fraction of a dB on
//    channels with a large first pre-cursor.
//  - No floating DFE taps (802.3ck KR), receiver FFE tap limits (±0.7 of the main tap) applied by
//    clipping the MMSE solution, no crosstalk (σ_XT = 0), no ERL, die termination R_d = R_0
//    (matched), one reference package length per set (802.3ck 12 mm; 802.3dj 33 mm plus its
//    second 1.8 mm section at 92.5 Ω; each set's own line constants), and the standard's T_r for
//    802.3ck not retrieved (the 802.3dj 4 ps is used). Values marked U in com.cpp are
//    recollections, not retrieved tables.
//  - A 1024-UI circular time window (frequency step f_b/1024): echoes later than ~990 UI alias.
//  - Not validated against the IEEE MATLAB COM: no published COM values of the shared reference
//    channels were available (figures.md §4, ../shared/channels/README.md). Checked instead
//    against the ≈ 40 dB bump-to-bump budget of 802.3dj CR/KR at COM 3 dB (figures.md §4, S):
//    26 AWG twinax between the 802.3dj reference packages gives 4.6 dB at 38 dB and 2.6 dB at
//    42 dB (test_com.cpp).
//
// 802.3dj parameter check (2026-11-27). The standard's COM tables (cl. 178/179) were not retrieved
// (paywalled); each value was held against PyChOpMarg's 802.3dj set (src/pychopmarg/config/
// ieee_8023dj.py, D. Banas, Nov 2024, written against P802.3dj D1.2; S) and figures.md §4:
//   agrees: f_b 106.25 GBd, L 4, M 32, DER0 2e-4, T_r 4 ps, R_LM 0.95, A_v 0.413 V, A_DD 0.02 UI,
//     σ_RJ 0.01 UI, SNR_TX 33 dB, η0 6e-9 V²/GHz (= 6e-18 V²/Hz), f_r 0.58 f_b, f_z = f_p1 =
//     42.5 GHz (f_b/2.5), f_p2 106.25 GHz (f_b), f_LF 1.328125 GHz (f_b/80), g_DC −15..0 dB in
//     1 dB, c(0) ≥ 0.5, c(1) −0.2..0, DFE 1 tap b_max 0.85, Rx FFE 16 taps with 5 pre-cursors
//     and |w(i)| ≤ 0.7 w(0) (later PyChOpMarg versions allow ±1), R_d = R_0 = 50 Ω per leg
//     (matched), die ladder C_d 0.04/0.09/0.11 pF with L_s 0.13/0.15/0.14 nH, C_b 0.03 pF, C_p 0.04
//     pF, z_p 33 mm at Z_c 87.5 Ω then z_pB 1.8 mm at 92.5 Ω, τ 6.141e-3 ns/mm;
//   corrected: the package line's γ0 5e-4 /mm, a1 8.9e-4 √ns/mm, a2 2e-4 ns/mm (it had
//     802.3ck's 0, 9.909e-4, 2.772e-4: 1.2 dB more loss per 33 mm package at 53 GHz); c(−1)
//     grid now reaches −0.34;
//   coarser than the standard (speed): g_DC2 −5..0 in 1 dB (0.5 dB), c(−1) in 0.085 steps
//     (0.005), c(−2) 0..0.12 and c(−3) −0.06..0 not searched (fixed 0), 8 phases per UI;
//   not modelled: crosstalk (A_fe 0.413 V, A_ne 0.45 V), ERL.
//
// Why the DAC-200G tier's 802.3dj COM stayed near −3 dB at every cable length while its presets
// had the 802.3ck 12 mm package: the tier runs COM over its own `package` blocks
// (channel_report.cpp: they stand for the reference package), whose die was one lumped C_d 0.12 pF
// (package.hpp's default, an approximation of the compensated ladder).
// Each package then echoes between die and ball after 2 z_p τ = 15.7 UI at 106.25 GBd, ≈ 14 %
// of h(0) after the CTLE and Rx FFE, beyond the reference FFE's 10 post-cursor taps and the
// 1-tap DFE: that echo is most of σ_ISI, and it scales with h(0), so COM does not follow the
// cable's loss (test_com.cpp). At 53.125 GBd the same echo falls at 7.8 UI, inside the 802.3ck
// 12-tap DFE, so the 100G figures are not limited by it. Measured (DAC-200G chain, 0.5/1/2 m
// cable): −3.0/−3.1/−4.7 dB with the run's packages; 2.7/2.4/0.0 dB with the 802.3ck 12 mm
// reference package (die ladder); 4.6/3.8/0.0 dB with the 802.3dj reference package (32.8/37.4/46.4
// dB bump to bump at 53.125 GHz), which the 200G copper presets now carry as `package` blocks with
// the die ladder (the same network: test_package.cpp), so the tier's COM reads 4.6/3.8/0.0 dB.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "channels/copper/line.hpp"
#include "channels/copper/network.hpp"
#include "channels/copper/package.hpp"

namespace optilane {

/// The reference transmitter/receiver of a COM parameter set (802.3 Annex 93A tables).
struct ComParams {
  std::string name;                   ///< "802.3ck", "802.3dj"
  double symbol_rate_bd = 53.125e9;   ///< f_b
  int levels = 4;                     ///< L
  int samples_per_ui = 32;            ///< M
  double der0 = 1e-4;                 ///< target detector error ratio DER0
  double rise_time_s = 0.0;           ///< T_r of the Tx filter; 0 = no filter
  double rlm = 0.95;                  ///< R_LM, level mismatch ratio
  double amplitude_v = 0.413;         ///< A_v, peak transmitter amplitude
  double a_dd_ui = 0.02;              ///< dual-Dirac jitter A_DD, UI
  double sigma_rj_ui = 0.01;          ///< random jitter σ_RJ, UI
  double snr_tx_db = 33.0;            ///< SNR_TX
  double eta0_v2_per_hz = 8.2e-18;    ///< one-sided noise density η0 at the Rx input, V²/Hz
  double rx_bandwidth_hz = 0.0;       ///< f_r of H_r; 0 = no receiver filter
  double ctle_zero_hz = 0.0;          ///< f_z
  double ctle_pole1_hz = 0.0;         ///< f_p1
  double ctle_pole2_hz = 0.0;         ///< f_p2; 0 = no second pole
  double ctle_lf_hz = 0.0;            ///< f_LF of the low-frequency pole/zero pair
  std::vector<double> g_dc_db{0.0};   ///< CTLE DC gains searched
  std::vector<double> g_dc2_db{0.0};  ///< CTLE low-frequency gains searched
  std::vector<double> c_minus1{0.0};  ///< Tx pre-cursor tap values searched
  std::vector<double> c_plus1{0.0};   ///< Tx post-cursor tap values searched
  double c0_min = 0.5;                ///< smallest main tap allowed
  std::vector<double> dfe_max;        ///< b_max(n) of the reference DFE, n = 1..N_b
  int rx_ffe_pre = 0;                 ///< receiver FFE pre-cursor taps (0 with rx_ffe_post: none)
  int rx_ffe_post = 0;                ///< receiver FFE post-cursor taps
  double rx_ffe_max = 0.7;            ///< |w(i)| / w(0) limit of the receiver FFE taps
  bool add_packages = true;           ///< cascade the reference package on each side
  PackageParams package;              ///< the reference package (both sides), C_d := C_b
  /// Loss and delay of the reference package's substrate line (93A.1.2.3 form; its Zc is
  /// package.impedance_ohm). Default: the 802.3ck constants, as in PackageBlock.
  ComLineSpec package_line = com_package_line_802_3ck();
  std::vector<double> die_capacitance_f{0.04e-12, 0.09e-12, 0.11e-12};  ///< C_d(1..3) per leg
  std::vector<double> die_inductance_h{0.13e-9, 0.15e-9, 0.14e-9};      ///< L_s(1..3) per leg
  int ui_span = 1024;         ///< circular time window of the analysis, UI
  double threshold_db = 3.0;  ///< COM pass threshold
  /// With a receiver FFE: solve every candidate's MMSE FFE in full (the reference search).
  /// Otherwise (default) the candidates are screened by a cheaper evaluation of the same FOM
  /// and only those within 1e-3 of the best are solved in full, which provably picks the same
  /// candidate (com.cpp, `screened_search`); the screen falls back to the full search itself
  /// when its run-time check fails.
  bool exhaustive_search = false;
};

/// IEEE 802.3ck (cl. 162/163 COM tables, 53.125 GBd).
[[nodiscard]] ComParams com_params_802_3ck();
/// IEEE 802.3dj (draft D1.3 values of figures.md §4), at 106.25 or 113.4375 GBd.
[[nodiscard]] ComParams com_params_802_3dj(double symbol_rate_bd);
/// "802.3ck", "802.3dj", or "auto" (802.3ck below 80 GBd, else 802.3dj at the symbol rate).
[[nodiscard]] ComParams com_params(std::string_view name, double symbol_rate_bd);

/// The COM of a channel and its figures at the chosen reference equaliser.
struct ComResult {
  double com_db = 0.0;
  bool pass = false;    ///< com_db ≥ threshold
  double a_s_v = 0.0;   ///< A_s
  double a_ni_v = 0.0;  ///< A_ni at DER0
  double fom_db = 0.0;  ///< FOM of the chosen equaliser
  double c_minus1 = 0.0, c0 = 1.0, c_plus1 = 0.0;
  double g_dc_db = 0.0, g_dc2_db = 0.0;
  double sampling_offset_ui = 0.0;  ///< t_s relative to the pulse peak (before the Tx FFE), UI
  /// Largest relative difference between the screened search's fast FOM and the exact one over
  /// the candidates it solved in full (−1: no screened search, i.e. no receiver FFE or
  /// exhaustive_search). Diagnostic; not written to the outputs.
  double search_screen_discrepancy = -1.0;
  /// RMS terms at the sampler, V.
  double sigma_isi_v = 0.0, sigma_jitter_v = 0.0, sigma_noise_v = 0.0, sigma_tx_v = 0.0;
  std::vector<double> cursors_v;  ///< h(n), n = −pre .. post (after Rx FFE when there is one)
  int pre_cursors = 0;            ///< index of h(0) in cursors_v
  std::vector<double> rx_ffe;     ///< receiver FFE taps (main = 1), empty without
  std::vector<double> dfe;        ///< b(n) used
  /// Equalised pulse response (Tx FFE, packages, channel, H_t, H_r, CTLE; before the Rx FFE),
  /// M samples per UI, time from t_s.
  std::vector<double> pulse_time_ui, pulse_v;
  std::string parameter_set;
  std::string method;  ///< the simplifications in force
};

/// The reference package of `params` (93A.1.2): die ladder, bump C_b, substrate line z_p
/// (`package_line`, Zc = package.impedance_ohm), ball C_p; die first unless `receive_side`.
[[nodiscard]] TwoPortNetwork com_reference_package(const ComParams& params, bool receive_side);

/// COM of the channel `h21` (SDD21 vs frequency, Hz ≥ 0), with packages per `params`.
[[nodiscard]] ComResult channel_operating_margin(const TwoPortNetwork& channel,
                                                 const ComParams& params);
/// COM of a given transfer function (no packages added).
[[nodiscard]] ComResult channel_operating_margin(const std::function<Cplx(double)>& h21,
                                                 const ComParams& params);

/// A_ni (93A.1.7): the amplitude exceeded downwards with probability `der0` by the sum of the
/// ISI cursors (each a uniform L-level symbol), a dual-Dirac ±`dual_dirac_v` and a Gaussian of
/// `sigma_gaussian_v`.
[[nodiscard]] double com_noise_amplitude(const std::vector<double>& isi_cursors_v, int levels,
                                         double dual_dirac_v, double sigma_gaussian_v, double der0);

/// Pulse response of H(f) to a 1-UI rectangle of 1 V: `samples_per_ui` samples per UI over
/// `ui_span` UIs (circular), started `pre_ui` UIs before the peak.
struct SampledChannelPulse {
  std::vector<double> time_ui;  ///< from the peak
  std::vector<double> response_v;
};
[[nodiscard]] SampledChannelPulse channel_pulse_response(const std::function<Cplx(double)>& h21,
                                                         double symbol_rate_bd, int samples_per_ui,
                                                         int ui_span, int pre_ui, int post_ui);

}  // namespace optilane

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
//    (matched), one reference package length per set (802.3ck 12 mm; 802.3dj 33 mm, without the
//    second 1.8 mm section), and the standard's T_r for 802.3ck not retrieved (the 802.3dj 4 ps is
//    used). Values marked U in com.cpp are recollections, not retrieved tables.
//  - A 1024-UI circular time window (frequency step f_b/1024): echoes later than ~990 UI alias.
//  - Not validated against the IEEE MATLAB COM: no published COM values of the shared reference
//    channels were available (figures.md §4, ../shared/channels/README.md).
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
  ComLineSpec package_line{.gamma0_per_mm = 0.0,
                           .a1_per_mm_rtghz = 9.909e-4,
                           .a2_per_mm_ghz = 2.772e-4,
                           .tau_ns_per_mm = 6.141e-3,
                           .zc_ohm = 87.5};
  std::vector<double> die_capacitance_f{0.04e-12, 0.09e-12, 0.11e-12};  ///< C_d(1..3) per leg
  std::vector<double> die_inductance_h{0.13e-9, 0.15e-9, 0.14e-9};      ///< L_s(1..3) per leg
  int ui_span = 1024;         ///< circular time window of the analysis, UI
  double threshold_db = 3.0;  ///< COM pass threshold
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

// Differential two-port networks for cascading copper channel elements with their reflections.
//
// Each copper element (package, PCB trace, connector, cable, Touchstone file) is a differential
// two-port described by its mixed-mode S-parameters [SDD11 SDD12; SDD21 SDD22] referred to a real
// differential reference impedance (100 Ω = 2 × 50 Ω single-ended, the IEEE 802.3 COM convention,
// 802.3 Annex 93A). Elements are built from ABCD matrices (Pozar, Microwave Engineering, 4th ed.,
// Table 4.1: series impedance, shunt admittance, transmission line) and combined with the
// Redheffer star product
//     S21 = a21 b21 / (1 − a22 b11),   S11 = a11 + a12 a21 b11 / (1 − a22 b11),
//     S12 = a12 b12 / (1 − a22 b11),   S22 = b22 + b21 b12 a22 / (1 − a22 b11),
// which keeps the multiple reflections between elements and, unlike a product of ABCD or T
// matrices, stays finite when an element's S21 vanishes (a Touchstone file beyond its last
// frequency). A cascade is therefore not the product of the elements' insertion losses: a
// mismatched element adds the ripple of its reflections.
//
// The time-domain kernel `design_channel_fir` turns S21 into a causal FIR at the simulation rate:
// frequency sampling on a fine grid, inverse FFT, removal of the bulk propagation delay (a pure
// delay does not change the eye, only the latency), and truncation to the energy window.
#pragma once

#include <complex>
#include <functional>
#include <string>
#include <vector>

namespace optilane {

using Cplx = std::complex<double>;

/// Differential reference impedance of all copper networks, Ω (2 × 50 Ω, IEEE 802.3 93A R_0).
inline constexpr double differential_reference_ohm = 100.0;

/// Mixed-mode differential S-parameters of a two-port at one frequency.
struct SParams2 {
  Cplx s11{0.0, 0.0};
  Cplx s12{1.0, 0.0};
  Cplx s21{1.0, 0.0};
  Cplx s22{0.0, 0.0};
};

/// ABCD (chain) matrix of a two-port at one frequency.
struct Abcd {
  Cplx a{1.0, 0.0};
  Cplx b{0.0, 0.0};
  Cplx c{0.0, 0.0};
  Cplx d{1.0, 0.0};
};

[[nodiscard]] Abcd operator*(const Abcd& x, const Abcd& y);
/// S from ABCD with a real reference impedance z0 (Pozar Table 4.2).
[[nodiscard]] SParams2 s_from_abcd(const Abcd& m, double z0_ohm);
/// ABCD from S with a real reference impedance z0 (Pozar Table 4.2); needs S21 ≠ 0.
[[nodiscard]] Abcd abcd_from_s(const SParams2& s, double z0_ohm);
/// Redheffer star product: `first` followed by `second`.
[[nodiscard]] SParams2 cascade(const SParams2& first, const SParams2& second);

/// ABCD of a uniform transmission line: [cosh γl, Zc sinh γl; sinh γl / Zc, cosh γl].
[[nodiscard]] Abcd line_abcd(Cplx gamma_l, Cplx zc_ohm);
/// ABCD of a series impedance Z.
[[nodiscard]] Abcd series_abcd(Cplx z_ohm);
/// ABCD of a shunt admittance Y.
[[nodiscard]] Abcd shunt_abcd(Cplx y_siemens);

/// A differential two-port given by its S-parameters as a function of frequency (Hz, ≥ 0),
/// referred to `differential_reference_ohm`. Copies are cheap and immutable-safe across threads.
class TwoPortNetwork {
 public:
  using Response = std::function<SParams2(double frequency_hz)>;

  /// The identity (a zero-length, matched through).
  TwoPortNetwork();
  TwoPortNetwork(Response response, std::string description);

  [[nodiscard]] SParams2 s(double frequency_hz) const { return response_(frequency_hz); }
  /// Insertion loss −20 log10 |S21| in dB (positive for a lossy channel).
  [[nodiscard]] double insertion_loss_db(double frequency_hz) const;
  [[nodiscard]] const std::string& description() const { return description_; }
  [[nodiscard]] bool is_identity() const { return identity_; }

  /// `this` followed by `next`, with their interaction (star product).
  [[nodiscard]] TwoPortNetwork then(const TwoPortNetwork& next) const;
  /// The cascade of `parts` in signal order (identity when empty).
  [[nodiscard]] static TwoPortNetwork cascade_all(const std::vector<TwoPortNetwork>& parts);

 private:
  Response response_;
  std::string description_;
  bool identity_ = false;
};

/// A channel's causal FIR at a sample rate.
struct ChannelFir {
  std::vector<double> taps;
  double bulk_delay_s = 0.0;        ///< pure delay removed before the first tap
  double peak_delay_samples = 0.0;  ///< index of the largest tap (latency hint)
  double pre_arrival_energy = 0.0;  ///< fraction of energy discarded before the first tap
};

/// The impulse response of H(f) at sample rate fs on a circular grid of `grid` samples (power of
/// two): h[n] = IDFT of H(k fs / grid), t = n / fs (wrapped). Response must be
/// Hermitian-extendable.
[[nodiscard]] std::vector<double> impulse_response(const std::function<Cplx(double)>& response,
                                                   double sample_rate_hz, std::size_t grid);

/// Grid size used by design_channel_fir: frequency resolution ≤ 10 MHz, 2^16 .. 2^20 points.
[[nodiscard]] std::size_t channel_grid_size(double sample_rate_hz);

/// Designs the causal FIR of a channel's transfer function (S21) at sample rate fs. The bulk delay
/// is removed: the FIR starts where the response's energy first exceeds `energy_tolerance` of the
/// total, and ends when all but `energy_tolerance` is inside (capped at `max_taps`).
[[nodiscard]] ChannelFir design_channel_fir(const std::function<Cplx(double)>& response,
                                            double sample_rate_hz, double energy_tolerance = 1e-9,
                                            std::size_t max_taps = 32768);

}  // namespace optilane

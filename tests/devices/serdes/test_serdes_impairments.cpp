// The host SerDes impairments of the COM reference receiver (issue 7): Tx jitter (RJ and
// dual-Dirac DJ), Tx SNR held per UI, and crosstalk at the receiver input, each against its
// closed form (802.3 Annex 93A.1.6 terms; devices/serdes/serdes_tx.hpp, serdes_rx.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "devices/serdes/serdes_rx.hpp"
#include "devices/serdes/serdes_tx.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/filter_design.hpp"
#include "phy/overlap_save.hpp"
#include "phy/random.hpp"

using namespace optilane;

namespace {
const LaneContext lane{.symbol_rate_bd = 106.25e9, .samples_per_symbol = 8};

/// The Tx's output for a linear ramp of `per_sample` V per sample, with and without its noise.
struct RampRun {
  std::vector<double> noisy, clean;
};
RampRun ramp_through(const SerdesTxParams& p, std::size_t n, double per_sample) {
  RampRun r;
  for (bool noise : {true, false}) {
    SerdesTxBlock tx(p);
    tx.prepare(lane);
    tx.set_noise_enabled(noise);
    Signal chunk;
    chunk.electrical.resize(n);
    for (std::size_t i = 0; i < n; ++i) chunk.electrical[i] = per_sample * static_cast<double>(i);
    tx.process(chunk);
    (noise ? r.noisy : r.clean) = chunk.electrical;
  }
  return r;
}
}  // namespace

TEST_CASE("Tx random jitter on a linear ramp: amplitude noise σ = slope·σ_RJ",
          "[devices][serdes][jitter]") {
  // y(t − δ) = y(t) − δ·s on a ramp of slope s (exact: the central difference of a ramp is s),
  // so the deviation is Gaussian with σ = s·σ_RJ (COM 93A.1.6: σ_J = σ_RJ·|h'|).
  const double rj = 0.0941e-12;  // 0.01 UI at 106.25 GBd
  const double per_sample = 1e-3;
  const double slope = per_sample * lane.sample_rate_hz();  // V/s
  const RampRun r =
      ramp_through(SerdesTxParams{.ffe = {1.0}, .pre_taps = 0, .rj_s = rj, .snr_db = 300.0},
                   1'600'000, per_sample);
  double sum = 0.0, sum_sq = 0.0;
  std::size_t count = 0;
  for (std::size_t i = 2; i < r.noisy.size(); ++i) {
    const double d = r.noisy[i] - r.clean[i];
    sum += d;
    sum_sq += d * d;
    ++count;
  }
  const double mean = sum / static_cast<double>(count);
  const double sigma = std::sqrt(sum_sq / static_cast<double>(count) - mean * mean);
  // 200k independent δ (one per UI): σ's relative standard error 1/√(2·2e5) = 0.16 %.
  CHECK(sigma == Approx(slope * rj).epsilon(0.01));
  CHECK(std::abs(mean) < 0.01 * slope * rj);
}

TEST_CASE("Tx dual-Dirac jitter on a ramp is exactly ±slope·A_DD, equiprobable, one per UI",
          "[devices][serdes][jitter]") {
  const double a_dd = 0.188e-12;  // 0.02 UI
  const double per_sample = 1e-3;
  const double d = per_sample * lane.sample_rate_hz() * a_dd;
  const RampRun r =
      ramp_through(SerdesTxParams{.ffe = {1.0}, .pre_taps = 0, .dd_s = a_dd, .snr_db = 300.0},
                   800'000, per_sample);
  std::size_t plus = 0, total = 0;
  for (std::size_t i = 2; i < r.noisy.size(); ++i) {
    const double dev = r.noisy[i] - r.clean[i];
    REQUIRE(std::abs(std::abs(dev) - d) < 1e-9 * d);
    // The edge window (δ_k held over the UI) changes sign only at UI boundaries.
    if ((i - 1 + 4) % 8 != 0 && i >= 3) {
      REQUIRE(std::abs(dev - (r.noisy[i - 1] - r.clean[i - 1])) < 1e-9 * d);
    }
    if (dev > 0) ++plus;
    ++total;
  }
  // 1e5 UIs: the fraction of + has σ = 0.0016; 0.5 ± 0.01 is a 6σ band.
  CHECK(static_cast<double>(plus) / static_cast<double>(total) == Approx(0.5).margin(0.01));
}

TEST_CASE(
    "Dual-Dirac jitter plus Gaussian noise gives the two-Gaussian mixture BER "
    "½[Q((a−sA)/σ) + Q((a+sA)/σ)]; the Gaussian of equal variance agrees to second order",
    "[devices][serdes][jitter]") {
  // Monte-Carlo through the block: the DD deviations ±sA of the ramp plus N(0, σ²) noise, counted
  // past a threshold a (the eye's half height), against the mixture (COM 93A.1.7's dual Dirac).
  const double a_dd = 0.188e-12;
  const double per_sample = 1e-3;
  const double d = per_sample * lane.sample_rate_hz() * a_dd;
  const double sigma = d;  // DD as large as the Gaussian: the mixture and Gaussian differ
  const double a = 3.0 * sigma;
  const RampRun r =
      ramp_through(SerdesTxParams{.ffe = {1.0}, .pre_taps = 0, .dd_s = a_dd, .snr_db = 300.0},
                   4'000'000, per_sample);
  RandomStream noise(12345);
  std::uint64_t errors = 0, trials = 0;
  for (std::size_t i = 4; i < r.noisy.size(); i += 8) {  // one sample per UI
    if (r.noisy[i] - r.clean[i] + sigma * noise.gaussian() > a) ++errors;
    ++trials;
  }
  const double mc = static_cast<double>(errors) / static_cast<double>(trials);
  const double mixture = 0.5 * (q_function((a - d) / sigma) + q_function((a + d) / sigma));
  const double gaussian = q_function(a / std::hypot(sigma, d));
  // 5e5 trials at ~1.2e-2: ~6000 errors, 1.3 % standard error; 5 % is ~4σ.
  CHECK(mc == Approx(mixture).epsilon(0.05));
  // At d = σ the Gaussian of equal variance (what the semi-analytic BER assumes) is pessimistic
  // by ~50 % (1.69e-2 against 1.14e-2)...
  CHECK(gaussian / mixture > 1.3);
  // ...and at d ≪ σ the two agree: both are Q(a) + ½d²aφ(a) + O(d⁴) (serdes_tx.hpp); at the KP4
  // threshold (a = 3.5σ) and d = 0.2σ the Gaussian is 1.3 % high.
  const double s = 1.0, dd = 0.2, aa = 3.5;
  const double mix_small = 0.5 * (q_function((aa - dd) / s) + q_function((aa + dd) / s));
  const double gauss_small = q_function(aa / std::hypot(s, dd));
  CHECK(gauss_small >= mix_small);
  CHECK(gauss_small == Approx(mix_small).epsilon(0.02));
}

TEST_CASE("Tx SNR is held per UI ahead of the FFE: σ² at the output = σ_X² 10^(−SNR/10) Σc²",
          "[devices][serdes]") {
  // COM (802.3dj, Rx FFE): σ_TX² = σ_X² 10^(−SNR_TX/10) Σ_n h(n)²; through the Tx alone h = the
  // normalised FFE taps × swing.
  SerdesTxParams p{.ffe = {-0.1, 0.75, -0.15}, .pre_taps = 1, .swing_v = 0.8, .snr_db = 20.0};
  SerdesTxBlock tx(p);
  LaneContext l = lane;
  l.bits_per_symbol = 2;
  tx.prepare(l);
  Signal chunk;
  chunk.electrical.assign(1'600'000, 0.0);
  tx.process(chunk);
  double sum_c2 = 0.0;
  for (double c : tx.taps()) sum_c2 += c * c;
  const double sigma_x2 = 0.25 * 5.0 / 9.0;  // PAM4 levels ±½, ±⅙ of a 1 V source
  double var = 0.0;
  for (std::size_t i = 100; i < chunk.electrical.size(); ++i) {
    var += chunk.electrical[i] * chunk.electrical[i];
  }
  var /= static_cast<double>(chunk.electrical.size() - 100);
  // 2e5 UIs, a sum of 3 independent terms: ~0.4 % standard error; 2 % is 5σ.
  CHECK(var == Approx(0.8 * 0.8 * sum_c2 * sigma_x2 / 100.0).epsilon(0.02));
  // Held: with a unit FFE the 8 samples of a UI carry one value.
  SerdesTxBlock unit(SerdesTxParams{.ffe = {1.0}, .pre_taps = 0, .snr_db = 20.0});
  unit.prepare(l);
  Signal c2;
  c2.electrical.assign(800, 0.0);
  unit.process(c2);
  for (std::size_t i = 1; i + 8 < c2.electrical.size(); i += 8) {
    for (std::size_t j = 1; j < 8; ++j) {
      CHECK(c2.electrical[i + j] == Approx(c2.electrical[i]).margin(1e-12));
    }
  }
}

TEST_CASE(
    "Crosstalk: its RMS through the ICN reference filter is σ_ICN, and the front end "
    "shapes it as its response predicts",
    "[devices][serdes][crosstalk]") {
  const int sps = lane.samples_per_symbol;
  // 1) A held aggressor sequence through a 4th-order Butterworth at 0.75·f_b (an FIR design,
  //    independent of the integral) has the RMS the integral gives; the block's phase-averaged
  //    process has the same spectrum.
  const double predicted = SerdesRxBlock::held_rms_through_icn_filter(lane.symbol_rate_bd, sps);
  const FirDesign icn = design_fir(
      FilterSpec{.shape = FilterShape::butterworth, .bandwidth_hz = 0.75 * lane.symbol_rate_bd},
      lane.sample_rate_hz());
  RealFirFilter filter(icn.taps);
  RandomStream stream(7);
  std::vector<double> held(1'600'000);
  for (std::size_t k = 0; k < held.size() / static_cast<std::size_t>(sps); ++k) {
    const double v = stream.gaussian();
    for (int j = 0; j < sps; ++j)
      held[k * static_cast<std::size_t>(sps) + static_cast<std::size_t>(j)] = v;
  }
  std::vector<double> out(held.size());
  filter.process(held, out);
  double var = 0.0;
  for (std::size_t i = 1000; i < out.size(); ++i) var += out[i] * out[i];
  var /= static_cast<double>(out.size() - 1000);
  // 2e5 UIs of a correlated sequence (≈ 1 UI correlation): ~0.5 % standard error in σ.
  CHECK(std::sqrt(var) == Approx(predicted).epsilon(0.02));
  // Below the unity rate the ICN filter passes most of the sinc² spectrum.
  CHECK(predicted > 0.7);
  CHECK(predicted < 1.0);

  // 2) The block: σ_ICN = 2 mV in, output variance = σ_h² · 2∫ S(ν)|H_rx(ν f_s)|² dν.
  SerdesRxBlock rx(SerdesRxParams{
      .ctle_dc_gain_db = -10.0, .noise_density_v2_per_hz = 0.0, .crosstalk_icn_v = 2e-3});
  rx.prepare(lane);
  CHECK(rx.crosstalk_held_rms() * predicted == Approx(2e-3).epsilon(1e-12));
  Signal chunk;
  chunk.electrical.assign(1'600'000, 0.0);
  rx.process(chunk);
  double v_out = 0.0;
  for (std::size_t i = 1000; i < chunk.electrical.size(); ++i) {
    v_out += chunk.electrical[i] * chunk.electrical[i];
  }
  v_out /= static_cast<double>(chunk.electrical.size() - 1000);
  constexpr int steps = 1 << 14;
  double integral = 0.0;
  for (int i = 0; i < steps; ++i) {
    const double nu = 0.5 * (i + 0.5) / steps;
    const double dirichlet = std::sin(M_PI * nu * sps) / std::sin(M_PI * nu);
    integral += dirichlet * dirichlet / sps * std::norm(rx.response(nu * lane.sample_rate_hz()));
  }
  integral *= 2.0 * 0.5 / steps;
  const double expected = rx.crosstalk_held_rms() * rx.crosstalk_held_rms() * integral;
  CHECK(v_out == Approx(expected).epsilon(0.03));
  // 3) Stationary (the aggressors' phase averaged): the same variance at every phase of the UI,
  //    so the crosstalk at the slicer does not depend on the channel's delay.
  std::vector<double> phase_var(static_cast<std::size_t>(sps), 0.0);
  for (std::size_t i = 1000; i < chunk.electrical.size(); ++i) {
    phase_var[i % static_cast<std::size_t>(sps)] += chunk.electrical[i] * chunk.electrical[i];
  }
  for (double pv : phase_var) {
    // 2e5 samples a phase, correlated over ~1 UI: ~1 % standard error in the variance.
    CHECK(pv * sps / static_cast<double>(chunk.electrical.size() - 1000) ==
          Approx(v_out).epsilon(0.05));
  }
  // Off with its noise kind (the noiseless twin).
  SerdesRxBlock quiet(SerdesRxParams{.noise_density_v2_per_hz = 0.0, .crosstalk_icn_v = 2e-3});
  quiet.prepare(lane);
  quiet.set_noise_enabled(false);
  Signal zero;
  zero.electrical.assign(4096, 0.0);
  quiet.process(zero);
  for (double v : zero.electrical) CHECK(v == 0.0);
}

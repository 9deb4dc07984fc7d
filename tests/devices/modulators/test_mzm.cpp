// Tests of the silicon push-pull MZM (devices/modulators/mzm.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <numeric>

#include "../tx_helpers.hpp"
#include "devices/modulators/mzm.hpp"
#include "phy/errors.hpp"
#include "phy/fast_sin.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {

MzmParams lossless() {
  MzmParams p;
  p.rf_loss_db_per_m = 0.0;
  p.insertion_loss_db = 0.0;
  return p;
}

/// Amplitude of the component at f of x (least squares on cos/sin over the window).
double tone_amplitude(const std::vector<double>& x, double f, double fs, std::size_t from) {
  double c = 0.0, s = 0.0, cc = 0.0, ss = 0.0, mean = 0.0;
  for (std::size_t i = from; i < x.size(); ++i) mean += x[i];
  mean /= static_cast<double>(x.size() - from);
  for (std::size_t i = from; i < x.size(); ++i) {
    const double w = 2.0 * pi * f * static_cast<double>(i) / fs;
    c += (x[i] - mean) * std::cos(w);
    s += (x[i] - mean) * std::sin(w);
    cc += std::cos(w) * std::cos(w);
    ss += std::sin(w) * std::sin(w);
  }
  return std::hypot(c / cc, s / ss);
}

}  // namespace

TEST_CASE("MZM refuses bad settings and needs a carrier", "[devices][modulators][mzm]") {
  CHECK_THROWS_AS(Mzm(MzmParams{.vpi_l_v_m = 0.0}), ParameterError);
  CHECK_THROWS_AS(Mzm(MzmParams{.length_m = -1e-3}), ParameterError);
  CHECK_THROWS_AS(Mzm(MzmParams{.rf_loss_db_per_m = -1.0}), ParameterError);
  CHECK_THROWS_AS(Mzm(MzmParams{.insertion_loss_db = -1.0}), ParameterError);
  CHECK_THROWS_AS(Mzm(MzmParams{.termination_ohm = 0.0}), ParameterError);
  CHECK_THROWS_AS(Mzm(MzmParams{.driver_efficiency = 2.0}), ParameterError);
  // Pre-distortion needs the swing below Vπ (6 V here).
  CHECK_THROWS_AS(Mzm(MzmParams{.swing_v = 7.0, .predistortion = true}), ParameterError);
  Mzm m(MzmParams{});
  CHECK_FALSE(m.check_input(Domain::electrical, false).empty());
  CHECK(m.check_input(Domain::electrical, true).empty());
}

TEST_CASE("MZM static transfer is sin²(Δφ/2) with Δφ = θ_b + πV/Vπ; quadrature at V = 0",
          "[devices][modulators][mzm]") {
  Mzm m(lossless());
  m.prepare(test::tx_lane());
  const double vpi = m.vpi_v();
  CHECK(vpi == Approx(0.018 / 3e-3));
  std::vector<double> drive;
  for (int i = -10; i <= 10; ++i) drive.push_back(vpi * i / 10.0);
  Signal s = test::carrier_chunk(drive, 1e-3);
  m.process(s);
  for (std::size_t i = 0; i < drive.size(); ++i) {
    const double expected = std::pow(std::sin(0.5 * (pi / 2 + pi * drive[i] / vpi)), 2);
    REQUIRE(std::norm(s.optical[i]) / 1e-3 == Approx(expected).margin(1e-12));
    // Push-pull: chirp-free (phase 0 or π only).
    REQUIRE(std::abs(s.optical[i].imag()) < 1e-15);
  }
  CHECK(std::norm(s.optical[10]) / 1e-3 == Approx(0.5));                // quadrature
  CHECK(std::norm(s.optical[20]) / 1e-3 == Approx(0.5).margin(1e-12));  // V = Vπ: half again
}

TEST_CASE("MZM at quadrature compresses PAM4 outer levels: RLM = 2 − 3 sin(πa/3)/sin(πa)",
          "[devices][modulators][mzm]") {
  // a = V_pp / (2Vπ); IEEE 802.3 120D.3.1.2 RLM of the four levels of ½(1 + sin(πv/Vπ)).
  for (double swing : {1.0, 2.0, 3.0, 4.5}) {
    MzmParams p = lossless();
    p.swing_v = swing;
    Mzm m(p);
    m.prepare(test::tx_lane());
    std::vector<double> drive;
    for (int l = 0; l < 4; ++l) drive.push_back(swing / 2 * symbol_level(l, 4));
    Signal s = test::carrier_chunk(drive, 1e-3);
    m.process(s);
    const double rlm = test::rlm_of_levels(std::norm(s.optical[0]), std::norm(s.optical[1]),
                                           std::norm(s.optical[2]), std::norm(s.optical[3]));
    const double a = swing / (2.0 * m.vpi_v());
    const double expected = 2.0 - 3.0 * std::sin(pi * a / 3.0) / std::sin(pi * a);
    CHECK(rlm == Approx(expected).epsilon(1e-12));
    CHECK(rlm < 1.0);
    // Pre-distortion restores equally spaced optical levels.
    p.predistortion = true;
    Mzm pd(p);
    pd.prepare(test::tx_lane());
    Signal t = test::carrier_chunk(drive, 1e-3);
    pd.process(t);
    CHECK(test::rlm_of_levels(std::norm(t.optical[0]), std::norm(t.optical[1]),
                              std::norm(t.optical[2]),
                              std::norm(t.optical[3])) == Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("MZM EO 3-dB bandwidth matches the velocity-matched closed form (1−e^{−αL})/(αL)",
          "[devices][modulators][mzm]") {
  // Small-signal tone through the block at quadrature; optical modulation depth relative to a
  // low-frequency tone equals |H(f)|. Closed form: |H| = 1/√2 at α(f)L = 0.7384 Np (6.41 dB).
  const MzmParams p{};  // defaults: 20 dB/cm at 50 GHz, 3 mm
  const double f3 = mzm_velocity_matched_bandwidth_hz(p);
  CHECK(f3 == Approx(50e9 * std::pow(0.738369 * 8.685889638 / (2000.0 * 3e-3), 2)).epsilon(1e-6));
  Mzm m(p);
  const LaneContext lane = test::tx_lane(106.25e9, 16);
  const double fs = lane.sample_rate_hz();
  m.prepare(lane);
  CHECK(std::abs(m.electrode_response(f3)) == Approx(1.0 / std::sqrt(2.0)).epsilon(1e-5));
  auto measure = [&](double f) {
    auto block = m.clone();
    block->reset();
    std::vector<double> drive(36864);
    for (std::size_t i = 0; i < drive.size(); ++i) {
      drive[i] = 0.01 * std::sin(2.0 * pi * f * static_cast<double>(i) / fs);
    }
    Signal s = test::carrier_chunk(drive, 1e-3);
    block->process(s);
    std::vector<double> power(s.optical.size());
    for (std::size_t i = 0; i < power.size(); ++i) power[i] = std::norm(s.optical[i]);
    return tone_amplitude(power, f, fs, 18432);
  };
  // Reference tone at 2 GHz (the √f loss has a cusp at DC that a finite FIR cannot hold, so the
  // reference is not taken at DC; the closed form's value there is divided out).
  const double f_ref = 2e9;
  const double reference = measure(f_ref) / std::abs(m.electrode_response(f_ref));
  // FIR truncation of the slowly decaying √f impulse response and the tone fit: 2 %.
  constexpr double fir_tolerance = 0.02;
  CHECK(measure(f3) / reference == Approx(1.0 / std::sqrt(2.0)).epsilon(fir_tolerance));
  CHECK(measure(0.5 * f3) / reference ==
        Approx(std::abs(m.electrode_response(0.5 * f3))).epsilon(fir_tolerance));
  CHECK(measure(1.5 * f3) / reference ==
        Approx(std::abs(m.electrode_response(1.5 * f3))).epsilon(fir_tolerance));
}

TEST_CASE("MZM driver power is <v²>/R_term/η; copies and resets are identical",
          "[devices][modulators][mzm]") {
  // Hand calculation: 2 Vpp PAM4 → <v²> = 1² · 5/9; / 50 Ω / 0.25 = 44.4 mW.
  Mzm m(MzmParams{});
  m.prepare(test::tx_lane());
  const auto items = m.power();
  REQUIRE(items.size() == 1);
  CHECK(items[0].category == PowerCategory::driver);
  CHECK(items[0].power_w == Approx(5.0 / 9.0 / 50.0 / 0.25));
  auto copy = m.clone();
  const auto drive = test::pam4_drive(512, 16, 1.0);
  Signal a = test::carrier_chunk(drive, 1e-3), b = a, c = a;
  m.process(a);
  copy->process(b);
  m.reset();
  m.process(c);
  for (std::size_t i = 0; i < a.optical.size(); ++i) {
    REQUIRE(a.optical[i] == b.optical[i]);
    REQUIRE(a.optical[i] == c.optical[i]);
  }
}

TEST_CASE(
    "MZM noisy path and noiseless twin processed together equal two separate runs, bit for "
    "bit, with a shared drive and with drives that differ",
    "[devices][modulators][mzm]") {
  Mzm prototype(MzmParams{.predistortion = true});
  prototype.prepare(test::tx_lane());
  // Separate: the noisy block and its twin, each on its own (the reference).
  auto noisy_alone = prototype.clone();
  auto twin_alone = prototype.clone();
  // Together: process_twin.
  auto noisy_pair = prototype.clone();
  auto twin_pair = prototype.clone();
  const std::vector<std::complex<double>> field_noise = [] {
    RandomStream rng(5);
    std::vector<std::complex<double>> f(2048 * 16);
    for (auto& v : f) v = {1.0 + 0.01 * rng.gaussian(), 0.01 * rng.gaussian()};
    return f;
  }();
  for (std::int64_t chunk = 0; chunk < 4; ++chunk) {
    INFO("chunk " << chunk);
    const auto drive = test::pam4_drive(2048, 16, 1.0, nullptr, 10 + chunk);
    // Chunk 2: the noisy drive differs (noise before the modulator): the pair falls back to two
    // runs, after which the electrode histories differ and stay unshared.
    auto noisy_drive = drive;
    if (chunk == 2) noisy_drive[100] += 1e-3;
    Signal noisy = test::carrier_chunk(noisy_drive, 1e-3, chunk);
    for (std::size_t i = 0; i < noisy.optical.size(); ++i) noisy.optical[i] *= field_noise[i];
    Signal clean = test::carrier_chunk(drive, 1e-3, chunk);
    Signal noisy_ref = noisy, clean_ref = clean;
    noisy_alone->process(noisy_ref);
    twin_alone->process(clean_ref);
    noisy_pair->process_twin(noisy, *twin_pair, clean);
    REQUIRE(noisy.domain == Domain::optical);
    REQUIRE(clean.domain == Domain::optical);
    REQUIRE(noisy.optical == noisy_ref.optical);
    REQUIRE(clean.optical == clean_ref.optical);
    REQUIRE(noisy.electrical == noisy_ref.electrical);
    REQUIRE(clean.electrical == clean_ref.electrical);
  }
}

TEST_CASE("MZM transfer kernel equals its per-sample expression bit for bit",
          "[devices][modulators][mzm]") {
  // The transfer loop runs on an AVX2 clone where the CPU has one (phy/simd.hpp); its values must
  // be those of E·√IL·fast_sin(θ_b/2 + πV/2Vπ) evaluated one sample at a time, exactly.
  MzmParams p;
  p.rf_loss_db_per_m = 0.0;  // no electrode filter: the drive reaches the transfer as given
  Mzm m(p);
  m.prepare(test::tx_lane());
  std::vector<double> drive;
  for (int i = 0; i < 1001; ++i) drive.push_back(3.0 * std::sin(0.37 * i) + 1e-3 * i);
  const std::complex<double> carrier(0.03, -0.01);
  Signal s = test::carrier_chunk(drive, 1e-3);
  for (auto& e : s.optical) e = carrier;
  m.process(s);
  const double loss = db_to_field_ratio(-p.insertion_loss_db);
  const double k = pi / m.vpi_v();
  for (std::size_t i = 0; i < drive.size(); ++i) {
    std::complex<double> expected = carrier;
    expected *= loss * fast_sin(0.5 * (p.bias_rad + k * drive[i]));
    REQUIRE(s.optical[i] == expected);
  }
}

// The stand-alone CTLE block (devices/serdes/ctle.hpp) against its transfer function written out
// here from IEEE 802.3 Annex 93A.1.4.3 (with 802.3ck's low-frequency pair).
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>

#include "devices/serdes/ctle.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"
#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {

using C = std::complex<double>;

/// H(f) = [g + j f/f_z] / [(1 + j f/f_p1)(1 + j f/f_p2)] · [g2 + j f/f_lf] / [1 + j f/f_lf].
C com_ctle(double f, double g_dc_db, double g_dc2_db, double fz, double fp1, double fp2,
           double flf) {
  const double g = std::pow(10.0, g_dc_db / 20.0), g2 = std::pow(10.0, g_dc2_db / 20.0);
  return (g + C(0, f / fz)) / ((1.0 + C(0, f / fp1)) * (1.0 + C(0, f / fp2))) *
         (g2 + C(0, f / flf)) / (1.0 + C(0, f / flf));
}

/// The FIR's response at f: Σ_n h[n]·e^{−j2πfn/fs}.
C fir_response(const std::vector<double>& taps, double f, double fs) {
  C sum = 0.0;
  for (std::size_t n = 0; n < taps.size(); ++n) {
    sum += taps[n] * std::polar(1.0, -2.0 * pi * f * static_cast<double>(n) / fs);
  }
  return sum;
}

const LaneContext lane{.symbol_rate_bd = 53.125e9, .samples_per_symbol = 16};

}  // namespace

TEST_CASE("CTLE FIR follows the COM CTLE's magnitude with its default poles and zero",
          "[devices][serdes][ctle]") {
  CtleBlock ctle(CtleParams{.dc_gain_db = -9.0, .dc_gain2_db = -3.0});
  ctle.prepare(lane);
  const double fb = lane.symbol_rate_bd, fs = lane.sample_rate_hz();
  // The defaults: f_z = f_p1 = f_b/2.5, f_p2 = f_b, f_lf = f_b/80.
  CHECK(ctle.spec().f_z_hz == Approx(fb / 2.5));
  CHECK(ctle.spec().f_p1_hz == Approx(fb / 2.5));
  CHECK(ctle.spec().f_p2_hz == Approx(fb));
  CHECK(ctle.spec().f_lf_hz == Approx(fb / 80.0));
  for (const double f : {0.0, 0.2e9, 1e9, 5e9, 13.28e9, 26.5625e9, 40e9}) {
    INFO("f = " << f / 1e9 << " GHz");
    const double want =
        20.0 * std::log10(std::abs(com_ctle(f, -9.0, -3.0, fb / 2.5, fb / 2.5, fb, fb / 80.0)));
    const double got = 20.0 * std::log10(std::abs(fir_response(ctle.taps(), f, fs)));
    CHECK(got == Approx(want).margin(0.02));  // dB; the FIR's truncation leaves ≤ 1e-10 energy
  }
  // DC gain g·g2 = −12 dB (the taps' sum); at f_b/2, f/f_z = f/f_p1 = 1.25, f/f_p2 = 0.5 and
  // f/f_lf = 40, so |H| = |g + 1.25j| / (|1 + 1.25j|·|1 + 0.5j|) · |g2 + 40j| / |1 + 40j|
  // = 1.2994 / (1.6008 · 1.1180) · 0.99985 = 0.7260 (g = 10^(−9/20), g2 = 10^(−3/20)).
  double dc = 0.0;
  for (double t : ctle.taps()) dc += t;
  CHECK(20.0 * std::log10(dc) == Approx(-12.0).margin(0.02));
  CHECK(std::abs(fir_response(ctle.taps(), fb / 2, fs)) == Approx(0.7260).epsilon(1e-3));
}

TEST_CASE("CTLE pole and zero frequencies can be set; gains out of range are refused",
          "[devices][serdes][ctle]") {
  CtleBlock ctle(CtleParams{.dc_gain_db = -6.0,
                            .zero_hz = 10e9,
                            .pole1_hz = 20e9,
                            .pole2_hz = 60e9,
                            .low_corner_hz = 0.5e9});
  ctle.prepare(lane);
  for (const double f : {0.0, 3e9, 10e9, 30e9}) {
    CHECK(std::abs(ctle.response(f) - com_ctle(f, -6.0, 0.0, 10e9, 20e9, 60e9, 0.5e9)) < 1e-12);
  }
  CHECK_THROWS_AS(CtleBlock(CtleParams{.dc_gain_db = -21.0}), ParameterError);
  CHECK_THROWS_AS(CtleBlock(CtleParams{.dc_gain2_db = 1.0}), ParameterError);
  CHECK(ctle.power().empty());  // part of the stage it sits in unless `power` is set
}

TEST_CASE("A ctle block in a config equalises an electrical signal and is refused on light",
          "[devices][serdes][ctle][config]") {
  const std::string head = R"(name: ctle
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, symbols: 4096}
chain:
)";
  const LinkConfig ok = test::config_from_text(head + R"(  - {block: pcb_trace, length: 10 cm}
  - {block: ctle, dc_gain: -6 dB, power: 20 mW}
  - {block: awgn, snr: 30 dB}
)");
  REQUIRE(ok.chain.size() == 3);
  CHECK(ok.chain[1].block == "ctle");
  try {
    (void)test::config_from_text(head + R"(  - {block: laser, kind: cw, power: 0 dBm}
  - {block: mzm}
  - {block: ctle, dc_gain: -6 dB}
  - {block: photodetector}
)");
    FAIL("a ctle on the optical signal was accepted");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), Contains("ctle equalises an electrical signal"));
    CHECK_THAT(std::string(e.what()), Contains("test.yaml:6"));
  }
}

TEST_CASE("CTLE peaking is read off its response; a CTLE on a photocurrent is refused",
          "[devices][serdes][ctle][config]") {
  // COM's poles and zero: the peaking up to f_b is at most −g_DC − g_DC2 = 12 dB (reached only
  // without f_p2's roll-off) and at least its value at f_b/2, 20·log10(0.7260 / 10^(−12/20)).
  CtleBlock com(CtleParams{.dc_gain_db = -9.0, .dc_gain2_db = -3.0});
  com.prepare(lane);
  CHECK(com.peaking_db() <= 12.0);
  CHECK(com.peaking_db() >= 20.0 * std::log10(0.7260 / std::pow(10.0, -0.6)));
  // A zero at 5 GHz under a pole at 30 GHz: above f_p1 the main term tends to f_p1/f_z = 6 against
  // its DC value g = 10^(−6/20), 20·log10(6/g) = 21.6 dB, which f_p2 = f_b rolls off before it
  // is reached; far more than the 6 dB −g_DC alone would say.
  CtleBlock moved(CtleParams{.dc_gain_db = -6.0, .zero_hz = 5e9, .pole1_hz = 30e9});
  moved.prepare(lane);
  CHECK(moved.peaking_db() > 12.0);
  CHECK(moved.peaking_db() < 20.0 * std::log10(6.0 / std::pow(10.0, -0.3)));
  try {
    (void)test::config_from_text(R"(name: ctle
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, symbols: 4096}
chain:
  - {block: laser, kind: cw, power: 0 dBm}
  - {block: mzm}
  - {block: photodetector}
  - {block: ctle, dc_gain: -6 dB}
  - {block: tia}
)");
    FAIL("a ctle on the photocurrent was accepted");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), Contains("test.yaml:7") && Contains("after the tia"));
  }
}

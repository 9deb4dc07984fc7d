// Host SerDes transmitter and receiver front end (devices/serdes/).
#include <catch2/catch.hpp>

#include <cmath>

#include "devices/serdes/serdes_rx.hpp"
#include "devices/serdes/serdes_tx.hpp"
#include "phy/errors.hpp"

using namespace optilane;

namespace {
const LaneContext lane{.symbol_rate_bd = 53.125e9, .samples_per_symbol = 8};

std::vector<double> pulse_through(Block& block, std::size_t n, std::size_t at, int width) {
  Signal chunk;
  chunk.electrical.assign(n, 0.0);
  for (int i = 0; i < width; ++i) chunk.electrical[at + static_cast<std::size_t>(i)] = 1.0;
  block.process(chunk);
  return chunk.electrical;
}
}  // namespace

TEST_CASE("Tx FFE taps appear at symbol spacing in the pulse response", "[devices][serdes]") {
  // 802.3 COM: taps normalised to Σ|c| = 1; a one-UI pulse becomes c(−1), c(0), c(1) one UI apart.
  SerdesTxParams p{.ffe = {-0.1, 0.7, -0.2}, .pre_taps = 1, .swing_v = 0.8, .snr_db = 300.0};
  SerdesTxBlock tx(p);
  tx.prepare(lane);
  const auto y = pulse_through(tx, 256, 64, 8);
  // Latency: pre_taps·sps + 1 (jitter stage); sample mid-UI.
  const std::size_t mid = 64 + 4 + 1;
  CHECK(y[mid] == Approx(0.8 * -0.1).margin(1e-9));
  CHECK(y[mid + 8] == Approx(0.8 * 0.7).margin(1e-9));
  CHECK(y[mid + 16] == Approx(0.8 * -0.2).margin(1e-9));
  CHECK(y[mid + 24] == Approx(0.0).margin(1e-9));
}

TEST_CASE("Tx with noise off and a unit FFE is the identity; bad taps are refused",
          "[devices][serdes]") {
  SerdesTxBlock tx(SerdesTxParams{.ffe = {1.0}, .pre_taps = 0});
  tx.prepare(lane);
  tx.set_noise_enabled(false);
  const auto y = pulse_through(tx, 64, 10, 8);
  for (std::size_t i = 0; i + 1 < y.size(); ++i) {
    CHECK(y[i + 1] == Approx(i >= 10 && i < 18 ? 1.0 : 0.0).margin(1e-12));
  }
  CHECK_THROWS_AS(SerdesTxBlock(SerdesTxParams{.ffe = {0.0, 0.0}}), ParameterError);
  CHECK_THROWS_AS(SerdesTxBlock(SerdesTxParams{.ffe = {1.0}, .pre_taps = 1}), ParameterError);
  CHECK_THROWS_AS(SerdesTxBlock(SerdesTxParams{.reach = "ultra"}), ParameterError);
}

TEST_CASE("Tx SNR sets the added noise: σ² = P_levels / 10^(SNR/10)", "[devices][serdes]") {
  SerdesTxParams p{.ffe = {1.0}, .pre_taps = 0, .swing_v = 1.0, .snr_db = 20.0};
  SerdesTxBlock tx(p);
  LaneContext l = lane;
  l.bits_per_symbol = 2;
  tx.prepare(l);
  Signal chunk;
  chunk.electrical.assign(200000, 0.0);
  tx.process(chunk);
  double var = 0.0;
  for (double v : chunk.electrical) var += v * v;
  var /= static_cast<double>(chunk.electrical.size());
  // PAM4 levels ±0.5, ±1/6: mean square 0.25·5/9.
  CHECK(var == Approx(0.25 * 5.0 / 9.0 / 100.0).epsilon(0.02));  // 2 %: 2e5 samples → 0.3 % σ
}

TEST_CASE("A cloned serdes_tx with jitter repeats the original exactly", "[devices][serdes]") {
  SerdesTxBlock tx(SerdesTxParams{.rj_s = 0.3e-12, .sj_s = 0.5e-12, .sj_frequency_hz = 1e8});
  tx.prepare(lane);
  auto copy = tx.clone();
  const auto a = pulse_through(tx, 512, 100, 8);
  const auto b = pulse_through(*copy, 512, 100, 8);
  CHECK(a == b);
  tx.reset();
  CHECK(pulse_through(tx, 512, 100, 8) == a);
}

TEST_CASE("CTLE peaking equals −g_DC at high frequency and its FIR follows the transfer function",
          "[devices][serdes]") {
  // H = (g + jf/f_z)/((1 + jf/f_p1)(1 + jf/f_p2)) with f_z = f_p1: |H(f)|/|H(0)| → 1/g below f_p2.
  const CtleSpec ctle = CtleSpec::com(53.125e9, -10.0, 0.0);
  CHECK(20 * std::log10(std::abs(ctle.response(0.0))) == Approx(-10.0).margin(1e-9));
  const double f = 10e9;
  const std::complex<double> expected =
      (std::pow(10.0, -0.5) + std::complex<double>(0, f / ctle.f_z_hz)) /
      ((1.0 + std::complex<double>(0, f / ctle.f_p1_hz)) *
       (1.0 + std::complex<double>(0, f / ctle.f_p2_hz)));
  CHECK(std::abs(ctle.response(f) - expected) < 1e-12);
  // The realised FIR (CTLE × Rx filter) matches the response: DTFT of the taps at f.
  SerdesRxBlock rx(SerdesRxParams{.ctle_dc_gain_db = -10.0, .noise_density_v2_per_hz = 0.0});
  rx.prepare(lane);
  for (double fk : {1e9, 13.28e9, 26.5625e9}) {
    std::complex<double> dtft = 0.0;
    const auto& taps = rx.taps();
    for (std::size_t n = 0; n < taps.size(); ++n) {
      dtft += taps[n] *
              std::polar(1.0, -2 * M_PI * fk * static_cast<double>(n) / lane.sample_rate_hz());
    }
    CHECK(std::abs(dtft) == Approx(std::abs(rx.response(fk))).epsilon(1e-3));
  }
  CHECK_THROWS_AS(SerdesRxBlock(SerdesRxParams{.ctle_dc_gain_db = -25.0}), ParameterError);
  CHECK_THROWS_AS(SerdesRxBlock(SerdesRxParams{.reach = "far"}), ParameterError);
}

TEST_CASE("SerDes power follows the reach class's energy per bit", "[devices][serdes]") {
  // figures.md §3: MR 5.02 pJ/bit (V); Tx + Rx shares add to the class figure.
  SerdesTxBlock tx(SerdesTxParams{.reach = "mr"});
  SerdesRxBlock rx(SerdesRxParams{.reach = "mr"});
  tx.prepare(lane);
  rx.prepare(lane);
  CHECK(tx.power()[0].power_w + rx.power()[0].power_w ==
        Approx(5.02e-12 * lane.bit_rate_bps()).epsilon(1e-12));
}

// Cascading copper two-ports with reflections (channels/copper/network.hpp), and the twinax,
// package and connector elements built on it.
#include <catch2/catch.hpp>

#include <cmath>

#include "channels/copper/connector.hpp"
#include "channels/copper/package.hpp"
#include "channels/copper/pcb_trace.hpp"
#include "channels/copper/twinax.hpp"
#include "phy/errors.hpp"

using namespace optilane;

namespace {
TwoPortNetwork line(double length_m, double impedance_ohm) {
  PcbTraceParams p;
  p.material = "megtron6";
  p.length_m = length_m;
  p.impedance_ohm = impedance_ohm;
  return PcbTraceBlock(p).network();
}
}  // namespace

TEST_CASE("Two cascaded halves of a line equal the whole line", "[channels][cascade]") {
  // cosh/sinh addition: ABCD(l1)·ABCD(l2) = ABCD(l1 + l2) for one line, whatever its Zc.
  for (double z : {100.0, 85.0}) {
    const TwoPortNetwork halves = line(0.04, z).then(line(0.06, z));
    const TwoPortNetwork whole = line(0.10, z);
    for (double f : {1e9, 13.28e9, 26.5625e9, 53.125e9}) {
      CHECK(std::abs(halves.s(f).s21 - whole.s(f).s21) < 1e-9);
      CHECK(std::abs(halves.s(f).s11 - whole.s(f).s11) < 1e-9);
    }
  }
}

TEST_CASE("A matched element adds no reflection; a mismatched one adds the reflection ripple",
          "[channels][cascade]") {
  const TwoPortNetwork a = line(0.05, 100.0);
  const TwoPortNetwork b = line(0.05, 100.0);
  CHECK(std::abs(a.then(b).s(20e9).s11) < 0.01);  // only the lossy Zc's small imaginary part
  // A 70 Ω section between two 100 Ω lines against the same cascade with a matched section: the
  // difference is the reflections' ripple, periodic in f with period 1/(2τ) of the section
  // (Pozar §2.4), vanishing where the section is a half wave long.
  const TwoPortNetwork mismatched = a.then(line(0.02, 70.0)).then(b);
  const TwoPortNetwork matched = a.then(line(0.02, 100.0)).then(b);
  double max_diff = 0.0, min_diff = 1e9;
  for (double f = 5e9; f < 15e9; f += 0.05e9) {
    const double diff = mismatched.insertion_loss_db(f) - matched.insertion_loss_db(f);
    max_diff = std::max(max_diff, diff);
    min_diff = std::min(min_diff, diff);
  }
  // Γ = (70 − 100)/(70 + 100) = −0.176: the quarter-wave peak is 10 log10 of
  // 1/(1 − (2Γ/(1 + Γ²))²) ≈ 0.54 dB; at the half wave the section disappears.
  // 0.1 dB: the 70 Ω section's higher conductor loss R/(2Z) remains at the half wave.
  CHECK(min_diff < 0.1);
  CHECK(max_diff - min_diff > 0.2);
}

TEST_CASE("Twinax loss matches its gauge fit a√f + b·f per metre", "[channels][twinax]") {
  // figures.md §4: 26 AWG 5–7.5 dB/m @ 26.56 GHz, 8–10 dB/m @ 53.1 GHz; 30 AWG 8–10 / 11–14.
  TwinaxParams p;
  p.length_m = 2.0;
  CHECK(TwinaxBlock(p).network().insertion_loss_db(26.56e9) / 2.0 == Approx(6.25).margin(0.01));
  CHECK(TwinaxBlock(p).network().insertion_loss_db(53.1e9) / 2.0 == Approx(9.0).margin(0.01));
  const auto [a30, b30] = TwinaxParams::gauge_fit(30);
  p.a_db_per_m_rtghz = a30;
  p.b_db_per_m_ghz = b30;
  const double l26 = TwinaxBlock(p).network().insertion_loss_db(26.56e9) / 2.0;
  const double l53 = TwinaxBlock(p).network().insertion_loss_db(53.1e9) / 2.0;
  CHECK((l26 >= 8.0 && l26 <= 10.0));
  CHECK((l53 >= 11.0 && l53 <= 14.0));
  p.length_m = -1;
  CHECK_THROWS_AS(TwinaxBlock(p), ParameterError);
  CHECK_THROWS_AS(TwinaxParams::gauge_fit(24), ParameterError);
}

TEST_CASE("Twinax impulse response is causal", "[channels][twinax]") {
  TwinaxParams p;
  p.length_m = 1.0;
  TwinaxBlock block(p);
  block.prepare(LaneContext{.symbol_rate_bd = 106.25e9, .samples_per_symbol = 8});
  CHECK(block.pre_arrival_energy() < 1e-3);
  CHECK(block.bulk_delay_s() < 1.0 / (0.7 * 299792458.0));
  CHECK(block.bulk_delay_s() > 0.5 / (0.7 * 299792458.0));
}

TEST_CASE("Package: capacitances load the line; bare line is matched when Zc = 100 Ω",
          "[channels][package]") {
  PackageParams p;
  const double loaded = PackageBlock(p).network().insertion_loss_db(26.5625e9);
  p.die_capacitance_f = p.ball_capacitance_f = 0.0;
  p.impedance_ohm = 100.0;
  const TwoPortNetwork bare = PackageBlock(p).network();
  CHECK(loaded > bare.insertion_loss_db(26.5625e9));
  CHECK(std::abs(bare.s(26.5625e9).s11) < 0.02);
  // Shunt C alone: |S21|² = 1/(1 + (ωC Z0/4)²) for a differential shunt jωC/2 in 100 Ω.
  p.length_m = 0.0;
  p.die_capacitance_f = 0.2e-12;
  const double w = 2 * M_PI * 30e9;
  const double expected = 10 * std::log10(1 + std::pow(w * 0.2e-12 * 100 / 4, 2));
  CHECK(PackageBlock(p).network().insertion_loss_db(30e9) == Approx(expected).epsilon(1e-9));
  p.die_capacitance_f = -1;
  CHECK_THROWS_AS(PackageBlock(p), ParameterError);
}

TEST_CASE("Connector: loss at its reference frequency and reflection from its reflectance",
          "[channels][connector]") {
  ConnectorParams p;
  p.reflectance_db = -60.0;  // nearly matched: the loss is the set loss
  CHECK(ConnectorBlock(p).network().insertion_loss_db(26.5625e9) == Approx(0.5).margin(0.01));
  p.reflectance_db = -20.0;
  const ConnectorBlock c(p);
  CHECK(c.impedance_ohm() == Approx(100.0 * 1.1 / 0.9));
  double worst = 0.0;
  for (double f = 1e9; f < 20e9; f += 0.1e9)
    worst = std::max(worst, std::abs(c.network().s(f).s11));
  CHECK(worst == Approx(0.2).epsilon(0.1));  // two steps of Γ = 0.1 add to ≈ 2Γ at a quarter wave
  p.reflectance_db = 1.0;
  CHECK_THROWS_AS(ConnectorBlock(p), ParameterError);
}

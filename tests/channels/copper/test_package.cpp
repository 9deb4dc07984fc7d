// The `package` block's segmented die (channels/copper/package.hpp): the IEEE 802.3 COM reference
// package (Annex 93A.1.2; die ladder C_d/L_s, bump C_b, substrate line, ball C_p).
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "channels/copper/com.hpp"
#include "channels/copper/package.hpp"

using namespace optilane;

namespace {

/// The package of a COM parameter set, written as `package` block parameters.
PackageParams package_of(const ComParams& com, bool receive_side) {
  PackageParams p = com.package;
  p.ladder_capacitance_f = com.die_capacitance_f;
  p.ladder_inductance_h = com.die_inductance_h;
  p.line = com.package_line;
  p.receive_side = receive_side;
  return p;
}

}  // namespace

TEST_CASE("Package with a die ladder equals the COM reference package (802.3ck and 802.3dj)",
          "[channels][package]") {
  // Same physics, assembled independently (com_reference_package builds its cascade from a list
  // of parts): S21, S11 and S22 must agree to rounding at every frequency and on both sides.
  for (const ComParams& com : {com_params_802_3ck(), com_params_802_3dj(106.25e9)}) {
    for (bool rx : {false, true}) {
      const TwoPortNetwork block = PackageBlock(package_of(com, rx)).network();
      const TwoPortNetwork reference = com_reference_package(com, rx);
      for (double f_ghz : {0.1, 1.0, 13.28125, 26.5625, 53.125, 80.0, 106.25}) {
        const SParams2 a = block.s(f_ghz * 1e9), b = reference.s(f_ghz * 1e9);
        INFO(com.name << ", rx " << rx << ", " << f_ghz << " GHz");
        CHECK(std::abs(a.s21 - b.s21) < 1e-12);
        CHECK(std::abs(a.s11 - b.s11) < 1e-12);
        CHECK(std::abs(a.s22 - b.s22) < 1e-12);
      }
    }
  }
}

TEST_CASE("Package die ladder: one C-L section matches its ABCD closed form and compensates",
          "[channels][package]") {
  // One shunt C then one series L per leg, no line, no C_b or C_p, in Z0 = 100 Ω differential:
  // ABCD = [1 0; Y 1][1 Z; 0 1], Y = jωC/2, Z = 2jωL, so (Pozar Table 4.2)
  //   S21 = 2 / (2 + YZ + Z/Z0 + Y Z0),   S11 = (−YZ + Z/Z0 − Y Z0) / (2 + YZ + Z/Z0 + Y Z0).
  // With L = C (Z0/2)² the first-order terms cancel (the section is a 50 Ω per-leg low-pass
  // constant-k half section): |S11| ≈ ω²LC grows as f², against ωCZ0/4 (∝ f) for the C alone.
  constexpr double c = 0.1e-12, z0 = 100.0, l = c * (z0 / 2) * (z0 / 2);
  PackageParams p;
  p.length_m = 0.0;
  p.die_capacitance_f = p.ball_capacitance_f = 0.0;
  p.ladder_capacitance_f = {c};
  p.ladder_inductance_h = {l};
  const TwoPortNetwork section = PackageBlock(p).network();
  for (double f : {5e9, 26.5625e9, 53.125e9}) {
    const double w = 2.0 * std::numbers::pi * f;
    const Cplx y(0.0, w * c / 2.0), z(0.0, 2.0 * w * l);
    const Cplx den = 2.0 + y * z + z / z0 + y * z0;
    INFO(f / 1e9 << " GHz");
    CHECK(std::abs(section.s(f).s21 - 2.0 / den) < 1e-14);
    CHECK(std::abs(section.s(f).s11 - (-y * z + z / z0 - y * z0) / den) < 1e-14);
  }
  const double r_ladder = std::abs(section.s(2e9).s11) / std::abs(section.s(1e9).s11);
  CHECK(r_ladder == Approx(4.0).epsilon(1e-3));
  p.ladder_inductance_h = {0.0};  // the lumped C: first order
  const TwoPortNetwork lumped = PackageBlock(p).network();
  CHECK(std::abs(lumped.s(2e9).s11) / std::abs(lumped.s(1e9).s11) == Approx(2.0).epsilon(1e-3));
  // Without inductance the ladder's capacitances sum: |S21|² = 1/(1 + (ω C_tot Z0/4)²).
  p.ladder_capacitance_f = {0.04e-12, 0.09e-12, 0.11e-12};
  p.ladder_inductance_h = {0.0, 0.0, 0.0};
  p.die_capacitance_f = 0.03e-12;
  const double w = 2.0 * std::numbers::pi * 53.125e9, c_tot = 0.27e-12;
  CHECK(PackageBlock(p).network().insertion_loss_db(53.125e9) ==
        Approx(10.0 * std::log10(1.0 + std::pow(w * c_tot * z0 / 4.0, 2))).epsilon(1e-9));
}

TEST_CASE("802.3dj package: the die ladder removes most of the lumped die's reflection",
          "[channels][package]") {
  // The 802.3dj die ladder (C_d 0.04/0.09/0.11 pF, L_s 0.13/0.15/0.14 nH, C_b 0.03 pF) against
  // the same 0.27 pF lumped at the die (no line, no ball): the lumped C reflects
  // |S11| = (ωCZ0/4)/√(1 + (ωCZ0/4)²) (closed form, 0.41 at 26.5625 GHz); the compensated ladder
  // (2√(L/C) ≈ 75 Ω differential per section) reflects far less below its cut-off.
  PackageParams p;
  p.length_m = 0.0;
  p.ball_capacitance_f = 0.0;
  p.die_capacitance_f = 0.27e-12;
  const double f = 26.5625e9, x = 2.0 * std::numbers::pi * f * 0.27e-12 * 100.0 / 4.0;
  const double lumped = std::abs(PackageBlock(p).network().s(f).s11);
  CHECK(lumped == Approx(x / std::sqrt(1.0 + x * x)).epsilon(1e-12));
  const ComParams dj = com_params_802_3dj(106.25e9);
  p.die_capacitance_f = dj.package.die_capacitance_f;
  p.ladder_capacitance_f = dj.die_capacitance_f;
  p.ladder_inductance_h = dj.die_inductance_h;
  const double ladder = std::abs(PackageBlock(p).network().s(f).s11);
  INFO("|S11| lumped " << lumped << ", ladder " << ladder);
  CHECK(ladder < 0.5 * lumped);
  // Reciprocal and turned round: S21 of the tx and rx orders agree, S11 of one is S22 of the other.
  PackageParams rx = p;
  rx.receive_side = true;
  CHECK(std::abs(PackageBlock(rx).network().s(f).s21 - PackageBlock(p).network().s(f).s21) < 1e-14);
  CHECK(std::abs(PackageBlock(rx).network().s(f).s11 - PackageBlock(p).network().s(f).s22) < 1e-14);
}

TEST_CASE("802.3dj package: the second section z_pB matches the terminated-line closed form",
          "[channels][package]") {
  // One lossy line section of impedance Zc and length l between 100 Ω terminations (93A-9…14
  // form, as PyChOpMarg's sPkgTline): ρ = (Zc − 100)/(Zc + 100),
  //   S21 = (1 − ρ²) e^{−γl} / (1 − ρ² e^{−2γl}),  S11 = ρ (1 − e^{−2γl}) / (1 − ρ² e^{−2γl}).
  // The 802.3dj set's z_pB is 1.8 mm at 92.5 Ω (PyChOpMarg ieee_8023dj.py; S); alone (no z_p, no
  // capacitances) the block must equal the closed form with the 802.3dj γ(f).
  const ComParams dj = com_params_802_3dj(106.25e9);
  CHECK(dj.package.ball_section_length_m == 1.8e-3);
  CHECK(dj.package.ball_section_impedance_ohm == 92.5);
  PackageParams p;
  p.length_m = 0.0;
  p.die_capacitance_f = p.ball_capacitance_f = 0.0;
  p.line = dj.package_line;
  p.ball_section_length_m = 1.8e-3;
  p.ball_section_impedance_ohm = 92.5;
  const TwoPortNetwork section = PackageBlock(p).network();
  const double rho = (92.5 - 100.0) / (92.5 + 100.0);
  for (double f_ghz : {1.0, 26.5625, 53.125, 106.25}) {
    const Cplx e1 = std::exp(-dj.package_line.gamma_per_mm(f_ghz * 1e9) * 1.8);
    const Cplx den = 1.0 - rho * rho * e1 * e1;
    INFO(f_ghz << " GHz");
    CHECK(std::abs(section.s(f_ghz * 1e9).s21 - (1.0 - rho * rho) * e1 / den) < 1e-14);
    CHECK(std::abs(section.s(f_ghz * 1e9).s11 - rho * (1.0 - e1 * e1) / den) < 1e-14);
  }
  // In the whole 802.3dj package the section sits between z_p and the ball, mirrored on the
  // receive side (ball, z_pB, z_p, die): reciprocal, so S21 agrees and S11 of one is S22 of the
  // other.
  PackageParams tx = dj.package;
  tx.ladder_capacitance_f = dj.die_capacitance_f;
  tx.ladder_inductance_h = dj.die_inductance_h;
  tx.line = dj.package_line;
  PackageParams rx = tx;
  rx.receive_side = true;
  for (double f_ghz : {13.28125, 53.125}) {
    const double f = f_ghz * 1e9;
    CHECK(std::abs(PackageBlock(rx).network().s(f).s21 - PackageBlock(tx).network().s(f).s21) <
          1e-14);
    CHECK(std::abs(PackageBlock(rx).network().s(f).s11 - PackageBlock(tx).network().s(f).s22) <
          1e-14);
  }
}

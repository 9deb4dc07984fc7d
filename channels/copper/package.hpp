// `package`: the IEEE 802.3 COM package model (Annex 93A.1.2): the die, a substrate transmission
// line of length z_p in the causal COM line form (channels/copper/line.hpp), and the ball
// capacitance C_p, cascaded as two-ports. From the die outwards:
//     [shunt C_d(1)] → [series L_s(1)] → … → [shunt C_d(n)] → [series L_s(n)]   (die ladder)
//     → [shunt C_d] → [line z_p, Zc] → [line z_pB, Zc_B] → [shunt C_p]
// The die ladder is optional (`die_ladder_capacitance`, `die_ladder_inductance`): without it the
// die is the one lumped C_d; with it, C_d is the bump capacitance C_b between ladder and line, as
// in the 802.3ck/802.3dj COM reference package (its segmented die model, a compensated ladder
// ≈ 75 Ω differential). A single-ended capacitance C to ground on each leg is a differential shunt
// admittance jωC/2; a per-leg series inductance L a differential series impedance 2jωL.
// Order: the die faces the SerDes. For a receive-side package, set `side: rx` (ball first).
//
// Line constants (`line`): 802.3ck γ0 = 0, a1 = 9.909e-4 √ns/mm, a2 = 2.772e-4 ns/mm; 802.3dj
// γ0 = 5e-4 /mm, a1 = 8.9e-4 √ns/mm, a2 = 2e-4 ns/mm (PyChOpMarg ieee_8023dj.py, written against
// P802.3dj D1.2; S); both τ = 6.141e-3 ns/mm.
// Second line section (`ball_section_length`, `ball_section_impedance`): the 802.3dj package has
// two substrate sections, z_p = 33 mm at Zc 87.5 Ω then z_pB = 1.8 mm at 92.5 Ω toward the ball
// (PyChOpMarg ieee_8023dj.py `z_c` [87.5, 92.5], `z_p` [33, 1.8]; S), both with the same γ(f).
// Each section alone between 100 Ω terminations is (PyChOpMarg utility sPkgTline, 93A-9…14 form)
//     ρ = (Zc − 100)/(Zc + 100),  S11 = ρ(1 − e^{−2γl}) / (1 − ρ² e^{−2γl}),
//     S21 = (1 − ρ²) e^{−γl} / (1 − ρ² e^{−2γl}).
// A receive-side package is the mirror image: ball, z_pB, z_p, die. (PyChOpMarg cascades the two
// sections in the same order on both sides, so its Rx package has z_pB next to the die; the
// physical mirror is used here. For 1.8 mm at 92.5 Ω the two orders differ by < 0.01 dB in IL.)
//
// Defaults (no ladder, 802.3ck line) follow the 802.3ck COM package with its die lumped (U,
// recalled, the IEEE text was not retrieved): Zc = 87.5 Ω, z_p = 12 mm, C_p = 0.87e-4 nF, one
// lumped C_d = 1.2e-4 nF in place of the segmented die (C_d = 0.4/0.9/1.1e-4 nF with bump
// inductances L_s = 0.13/0.15/0.14 nH between them) — an approximation whose die–ball echo the
// ladder's compensation removes (com.hpp). The older 802.3bj values (C_d 2.5e-4, C_p 1.8e-4 nF,
// Zc 78.2 Ω) cost about 3 dB per capacitor at 26.6 GHz, too much for 100G/lane and beyond.
#pragma once

#include "channels/copper/copper_block.hpp"
#include "channels/copper/line.hpp"
#include "phy/params.hpp"

#include <vector>

namespace optilane {

/// The 802.3ck COM package line (γ0 0, a1 9.909e-4 √ns/mm, a2 2.772e-4 ns/mm, τ 6.141e-3 ns/mm,
/// Zc 87.5 Ω; U, recalled).
[[nodiscard]] inline ComLineSpec com_package_line_802_3ck() {
  return {.gamma0_per_mm = 0.0,
          .a1_per_mm_rtghz = 9.909e-4,
          .a2_per_mm_ghz = 2.772e-4,
          .tau_ns_per_mm = 6.141e-3,
          .zc_ohm = 87.5};
}
/// The 802.3dj COM package line (γ0 5e-4 /mm, a1 8.9e-4 √ns/mm, a2 2e-4 ns/mm, τ 6.141e-3
/// ns/mm, Zc 87.5 Ω; PyChOpMarg ieee_8023dj.py, P802.3dj D1.2, S).
[[nodiscard]] inline ComLineSpec com_package_line_802_3dj() {
  return {.gamma0_per_mm = 5e-4,
          .a1_per_mm_rtghz = 8.9e-4,
          .a2_per_mm_ghz = 2e-4,
          .tau_ns_per_mm = 6.141e-3,
          .zc_ohm = 87.5};
}

struct PackageParams {
  double length_m = 12e-3;                   ///< substrate trace z_p
  double impedance_ohm = 87.5;               ///< differential Zc of the substrate trace
  double die_capacitance_f = 0.12e-12;       ///< C_d per leg (the bump C_b after a die ladder)
  double ball_capacitance_f = 0.087e-12;     ///< C_p per leg
  double ball_section_length_m = 0.0;        ///< second substrate section z_pB (0: none)
  double ball_section_impedance_ohm = 92.5;  ///< differential Zc of the second section
  std::vector<double> ladder_capacitance_f;  ///< die ladder shunt C_d(1..n) per leg, die first
  std::vector<double> ladder_inductance_h;   ///< die ladder series L_s(1..n) per leg
  /// Loss and delay of the substrate line (93A.1.2.3 form; zc_ohm is ignored: impedance_ohm).
  ComLineSpec line = com_package_line_802_3ck();
  bool receive_side = false;  ///< true: ball first, die last

  static PackageParams read(ParamReader& reader);
};

/// The package as a two-port (what PackageBlock::network() returns), for use outside a chain.
[[nodiscard]] TwoPortNetwork package_network(const PackageParams& params);

class PackageBlock final : public CopperBlock {
 public:
  explicit PackageBlock(const PackageParams& params);
  [[nodiscard]] std::string_view kind() const override { return "package"; }
  [[nodiscard]] TwoPortNetwork network() const override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<PackageBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;

 private:
  PackageParams params_;
};

}  // namespace optilane

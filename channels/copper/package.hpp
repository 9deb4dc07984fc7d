// `package`: the IEEE 802.3 COM package model (Annex 93A.1.2): die pad capacitance C_d, a
// substrate transmission line of length z_p in the causal COM line form
// (channels/copper/line.hpp), and the ball capacitance C_p, cascaded as two-ports:
//     [shunt C_d] → [line z_p, Zc] → [shunt C_p]
// A single-ended capacitance C to ground on each leg is a differential shunt admittance jωC/2.
// Order: the die faces the SerDes. For a receive-side package, set `side: rx` (ball first).
//
// Defaults follow the 802.3ck COM package (U, recalled, the IEEE text was not retrieved):
// Zc = 87.5 Ω, γ0 = 0, a1 = 9.909e-4 √ns/mm, a2 = 2.772e-4 ns/mm, τ = 6.141e-3 ns/mm,
// z_p = 12 mm, C_p = 0.87e-4 nF; its segmented die model (C_d = 0.4/0.9/1.1e-4 nF with bump
// inductances L_s = 0.13/0.15/0.14 nH between them, which compensate the capacitance) is
// replaced by one lumped C_d = 1.2e-4 nF — an approximation. The older 802.3bj values
// (C_d 2.5e-4, C_p 1.8e-4 nF, Zc 78.2 Ω) cost about 3 dB per capacitor at 26.6 GHz, too much for
// 100G/lane and beyond.
#pragma once

#include "channels/copper/copper_block.hpp"
#include "channels/copper/line.hpp"
#include "phy/params.hpp"

namespace optilane {

struct PackageParams {
  double length_m = 12e-3;                ///< substrate trace z_p
  double impedance_ohm = 87.5;            ///< differential Zc of the substrate trace
  double die_capacitance_f = 0.12e-12;    ///< C_d per leg
  double ball_capacitance_f = 0.087e-12;  ///< C_p per leg
  bool receive_side = false;              ///< true: ball first, die last

  static PackageParams read(ParamReader& reader);
};

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

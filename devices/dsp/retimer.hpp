// `retimer`: the DSP of a pluggable module (or any retiming chip). In a chain it ends one segment
// and starts the next (DESIGN.md §4): the signal arriving at it is received by its DSP — a
// symbol-rate FFE/DFE/MLSE pipeline (phy/analysis/rx_dsp.hpp), the same stage the lane runner
// builds from `ffe`/`dfe`/`mlse` blocks — and the symbols are regenerated, so the next segment
// starts from a fresh PAM4 source, followed by the retimer's transmit chain (driver, modulator,
// or a host-facing channel). Segments are split by link/segments.hpp; on a chain run as a whole
// this block carries settings only (it is a DspStageBlock).
//
// Power (one retimer = the receive half of its input link + the transmit half of its output
// link, per lane and direction), from devices/dsp/dsp_power.hpp at the retimer's CMOS node and
// the lane's symbol rate:
//   P = R_b · [E_adc + N_ffe·E_tap + N_dfe·E_dfe (or E_mlse) + E_cdr     (receive data path)
//             + E_dac + N_txffe·E_txtap                                  (transmit path)
//             + E_inner_fec]                                             (802.3dj inner code)
// with R_b the lane's line bit rate. A module's DSP chip is two retimers per lane in a
// one-direction chain (the module's transmit-side DSP at one end, the receive-side DSP at the
// other end), i.e. one module's Tx + Rx per lane.
//
// Host-facing halves: a retimer's side that faces a host over a C2M channel is part of the same
// DSP chip, at its node, and is costed here with the same functions: the `serdes_rx` right before
// the retimer (its C2M front end: CTLE and noise in the simulation) and the `serdes_tx` right
// after it (its C2M transmitter) report 0 W "included in" the retimer (link_config.cpp,
// share_serdes_power). The receive half's FFE/DFE are those the retimer simulates on that
// channel, so what is costed is what equalises.
//
// Transmit level shaping (`tx_level_shaping`): the line-side DAC sets its two inner PAM4 levels so
// that the optical transmitter it drives gives equally spaced settled levels, the outer levels
// staying at full scale: inner level k is the drive v_k with P(v_k) = P_0 + (k/3)(P_3 − P_0), P
// the transmitter's settled (DC) optical power (for the EML's T(V_r) = exp(−(V_r/V_0)^n),
// V_r,k = V_0·(−ln T_k)^{1/n}). The static RLM (IEEE 802.3 cl. 120.5.11.2.2) is then 1, ER and
// OMA_outer are unchanged. It needs the blocks it drives, so it is computed where the chain is
// assembled (link/level_shaping.hpp) and applied to the segment this retimer starts.
#pragma once

#include "devices/dsp/rx_dsp_blocks.hpp"

namespace optilane {

struct RetimerParams {
  int ffe_taps = 16;       ///< receive FFE span, symbols (802.3dj COM reference Rx FFE: 16)
  int ffe_pre_taps = 5;    ///< pre-cursor taps (802.3dj COM reference: 5 pre, 10 post)
  int dfe_taps = 1;        ///< DFE taps (802.3dj COM reference: 1-tap DFE, b_max 0.85)
  bool mlse = false;       ///< MLSE (Viterbi 1+αD) instead of the DFE
  int tx_ffe_taps = 4;     ///< transmit FFE taps (power only; 802.3ck/dj Tx FFE has 4–5 taps)
  bool inner_fec = false;  ///< terminates the 802.3dj inner Hamming(128,120) code (113.4375 GBd)
  /// The line-side DAC shapes its PAM4 levels so the optical transmitter it drives gives equally
  /// spaced levels (link/level_shaping.hpp; applied by link/segments.cpp to the next segment).
  bool tx_level_shaping = false;
  /// R_LM of the line-side DAC's PAM4 levels (signal.rlm's meaning) for the segment it drives.
  double tx_rlm = 1.0;
  double node_m = 7e-9;  ///< CMOS node of the power model

  static RetimerParams read(ParamReader& reader);
};

class Retimer final : public DspStageBlock {
 public:
  explicit Retimer(const RetimerParams& params);
  [[nodiscard]] std::string_view kind() const override { return "retimer"; }
  void contribute(RxDspSettings& settings) const override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<Retimer>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::vector<PowerItem> power() const override;
  /// Energy per line bit of the receive path, transmit path and inner FEC, pJ/bit.
  [[nodiscard]] double receive_pj_per_bit() const;
  [[nodiscard]] double transmit_pj_per_bit() const;
  [[nodiscard]] double fec_pj_per_bit() const;
  [[nodiscard]] const RetimerParams& params() const { return params_; }

 private:
  RetimerParams params_;
};

}  // namespace optilane

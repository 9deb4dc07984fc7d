// `ffe`, `dfe`, `mlse`: the receiver DSP stages named in a chain.
//
// These act after sampling, at the symbol rate, with decisions (DFE feedback, LMS, Viterbi), so
// they do not process the sample stream: each block only carries its settings. The lane runner
// collects the DSP blocks that end the chain, in order, into one RxDsp pipeline
// (phy/analysis/rx_dsp.hpp) applied at the sampling phase it chooses (the phase with the lowest
// equalised MSE), with taps trained on the calibration record and frozen for the run. A retimer
// builds the same pipeline from its own keys. The three blocks share this file because they are
// three faces of one pipeline; the maths is in RxDsp.
//
// Power: dsp_energy_pj_per_bit (devices/dsp/dsp_power.hpp) × the lane's bit rate.
#pragma once

#include "phy/analysis/rx_dsp.hpp"
#include "phy/block.hpp"
#include "phy/params.hpp"

namespace optilane {

/// A block that contributes settings to the receiver DSP pipeline instead of processing samples.
class DspStageBlock : public Block {
 public:
  /// Adds this stage's settings to the pipeline's.
  virtual void contribute(RxDspSettings& settings) const = 0;
  /// Identity: the runner applies the pipeline after sampling (see the file comment).
  void process(Signal& chunk) override { (void)chunk; }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override {
    (void)has_carrier;
    return input == Domain::electrical
               ? std::string()
               : std::string(kind()) + " is receiver DSP; place it after the photodetector";
  }
};

struct FfeParams {
  int taps = 8;      ///< symbol-spaced span, pre + 1 + post (802.3dj COM uses 16)
  int pre_taps = 2;  ///< pre-cursor taps
  int spacing = 1;   ///< 1 = T-spaced, 2 = T/2 (fractionally spaced)
  FfeAdaptation adaptation = FfeAdaptation::mmse;
  double step = 0.05;    ///< normalised LMS step μ (misadjustment μ/2; phy/analysis/rx_dsp.hpp)
  double node_m = 7e-9;  ///< CMOS node of the power model

  static FfeParams read(ParamReader& reader);
};

class FfeBlock final : public DspStageBlock {
 public:
  explicit FfeBlock(const FfeParams& params);
  [[nodiscard]] std::string_view kind() const override { return "ffe"; }
  void contribute(RxDspSettings& settings) const override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<FfeBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::vector<PowerItem> power() const override;

 private:
  FfeParams params_;
};

struct DfeParams {
  int taps = 1;          ///< feedback taps
  double node_m = 7e-9;  ///< CMOS node of the power model

  static DfeParams read(ParamReader& reader);
};

class DfeBlock final : public DspStageBlock {
 public:
  explicit DfeBlock(const DfeParams& params);
  [[nodiscard]] std::string_view kind() const override { return "dfe"; }
  void contribute(RxDspSettings& settings) const override { settings.dfe_taps = params_.taps; }
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<DfeBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::vector<PowerItem> power() const override;

 private:
  DfeParams params_;
};

struct MlseParams {
  double alpha = -1.0;   ///< 1+αD target, in [0, 1]; < 0 fits α from the pulse response
  int traceback = 48;    ///< Viterbi decision delay, symbols
  double node_m = 7e-9;  ///< CMOS node of the power model

  static MlseParams read(ParamReader& reader);
};

class MlseBlock final : public DspStageBlock {
 public:
  explicit MlseBlock(const MlseParams& params);
  [[nodiscard]] std::string_view kind() const override { return "mlse"; }
  void contribute(RxDspSettings& settings) const override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<MlseBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::vector<PowerItem> power() const override;

 private:
  MlseParams params_;
};

struct CdrParams {
  CdrKind kind = CdrKind::mueller_muller;
  double gain = 0.02;     ///< loop gain (see phy/analysis/cdr.hpp)
  double start_ui = 0.0;  ///< initial phase from the slicer's optimum instant, UI
  double node_m = 7e-9;   ///< CMOS node of the power model

  static CdrParams read(ParamReader& reader);
};

/// `cdr`: the DSP stage's sampling phase from a Mueller–Müller or bang-bang loop instead of the
/// optimum-phase search (phy/analysis/cdr.hpp).
class CdrBlock final : public DspStageBlock {
 public:
  explicit CdrBlock(const CdrParams& params);
  [[nodiscard]] std::string_view kind() const override { return "cdr"; }
  void contribute(RxDspSettings& settings) const override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<CdrBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::vector<PowerItem> power() const override;

 private:
  CdrParams params_;
};

}  // namespace optilane

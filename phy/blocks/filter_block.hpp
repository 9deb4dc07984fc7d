// `filter`: a plain linear filter usable anywhere in a chain (electrical waveform or the complex
// envelope of an optical field). Shapes and their equations: phy/filter_design.hpp.
#pragma once

#include "phy/block.hpp"
#include "phy/filter_design.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

struct FilterParams {
  FilterShape shape = FilterShape::bessel;
  double bandwidth_hz = std::numeric_limits<double>::quiet_NaN();  ///< 3-dB (6-dB for RC)
  int order = 4;         ///< Bessel/Butterworth order 1..10
  double rolloff = 0.5;  ///< raised-cosine roll-off 0..1

  static FilterParams read(ParamReader& reader);
};

class FilterBlock final : public Block {
 public:
  explicit FilterBlock(const FilterParams& params);

  [[nodiscard]] std::string_view kind() const override { return "filter"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<FilterBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  /// The bandwidth must lie inside the simulated band (below half the sample rate): above it
  /// the filter would leave every simulated frequency as it is, which a filter put in a chain
  /// is not meant to do.
  void check_signal(const LaneContext& lane) const override;
  [[nodiscard]] double latency_samples() const override { return delay_samples_; }
  /// Every shape has |H(f)| <= 1 (no peaking), so the filter cannot add energy.
  [[nodiscard]] bool is_passive() const override { return true; }
  [[nodiscard]] const std::vector<double>& taps() const { return real_.taps(); }

 private:
  FilterParams params_;
  RealFirFilter real_;
  ComplexFirFilter complex_;
  double delay_samples_ = 0.0;
};

}  // namespace optilane

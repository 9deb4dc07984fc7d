// `optical_connector`: a mated optical connector pair with insertion loss and, optionally,
// multipath interference (MPI) from a pair of reflections.
//
// Two reflecting interfaces of reflectance R1 = R2 = R (power ratios) a distance d apart send a
// doubly reflected copy forward, delayed by τ = 2·n_g·d/c and attenuated in field by √(R1·R2):
//   E_out(t) = 10^(−IL/20)·[ E(t) + √(R1R2)·E(t − τ)·e^{jθ} ].
// The interferometric phase θ drifts with the laser's phase noise and the temperature of the
// path; over a chunk (≈ 40 ns at 53 GBd, far below a 1 MHz laser's 300 ns coherence time) it is
// quasi-static, so θ is drawn uniform in [0, 2π) afresh for each chunk (NoiseKind::mpi), and a
// run samples its distribution. For a CW input of power P the detected power then fluctuates by
//   P·(1 + R1R2 + 2√(R1R2)·cos θ),  variance σ² = 2·R1R2·P²
// (co-polarised worst case; the incoherent regime of Gimlett & Cheung, JLT 7, 888 (1989)).
// With MPI off (the noiseless twin, or mpi disabled) only the insertion loss applies.
#pragma once

#include <optional>

#include "phy/block.hpp"
#include "phy/params.hpp"

namespace optilane {

struct OpticalConnectorParams {
  /// Insertion loss, dB, >= 0. Default 0.5 dB (a typical mated SM connector; the IEEE 802.3
  /// DR channel allocates 2.75 dB to connections and splices, figures.md §1.4).
  double loss_db = 0.5;
  /// Reflectance of each of the two interfaces, dB (< 0); absent: no MPI.
  std::optional<double> reflectance_db = std::nullopt;
  /// Distance between the two reflections, m (> 0). Default 2 m (a patch cord).
  double reflection_spacing_m = 2.0;
  /// Group index of the fibre between them. Default 1.4677 (SMF-28 at 1310 nm, Corning data).
  double group_index = 1.4677;

  static OpticalConnectorParams read(ParamReader& reader);
};

class OpticalConnectorBlock final : public Block {
 public:
  explicit OpticalConnectorBlock(const OpticalConnectorParams& params);

  [[nodiscard]] std::string_view kind() const override { return "optical_connector"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<OpticalConnectorBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::mpi);
  }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;

  [[nodiscard]] double loss_db() const { return params_.loss_db; }
  /// R1·R2 (power ratio), 0 without reflections.
  [[nodiscard]] double reflection_product() const;
  [[nodiscard]] std::size_t delay_samples() const { return delay_; }

 private:
  OpticalConnectorParams params_;
  double field_gain_ = 1.0;
  std::size_t delay_ = 0;
  std::vector<Complex> line_;  ///< ring buffer of the last `delay_` inputs
  std::size_t head_ = 0;
};

}  // namespace optilane

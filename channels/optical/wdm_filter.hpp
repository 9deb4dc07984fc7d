// `mux` and `demux`: WDM multiplexer and demultiplexer ports (thin-film filter or AWG), each a
// super-Gaussian passband with an insertion loss and an isolation floor:
//   T(Δλ) = IL · max( exp(−ln2 · |2Δλ/B|^(2m)), 10^(−isolation/10) ),
// Δλ the offset of a carrier from the port's centre, B the full 3-dB width, m the order (m = 1 is
// a Gaussian; larger m is flatter-topped, as thin-film filters are). The floor stands for the
// filter's finite rejection (figures.md §2.8: adjacent isolation > 30 dB for a CWDM4 TFF demux).
//
// In-band, the passband is flat over a lane's modulated spectrum (±~100 GHz against a 13 nm ≈
// 2.3 THz CWDM4 passband), so a port acts on its own lane as the scalar T(Δλ_lane) (Δλ_lane = 0
// when the laser sits on the grid).
//
// Crosstalk (demux only): every lane of a WDM fibre reaches every demux port. The link layer gives
// the demux, for each other lane of the fibre, a clone of that lane's chain up to the demux,
// prepared for that lane (its wavelength, so its fibre has its own dispersion), and a
// decorrelated copy of the pattern to drive it (link_config.cpp, build_chain). On each chunk the
// demux runs them and adds their power leaked through its passband at their offset from its
// centre. The leaked light beats with the lane's own only at the channel spacing (3.5 THz on
// CWDM4, 800 GHz on LWDM), far beyond any receiver bandwidth (and beyond the simulated band), so
// the leaked power adds incoherently: |E_out|² = T_own·|E_in|² + Σ_k T(Δλ_k)·P_k, the phase of
// E_out being the lane's own. Crosstalk is noise of kind NoiseKind::crosstalk: it is absent from
// the noiseless reference path, so the semi-analytic BER and the noise budget count it as noise
// at the slicer (a Gaussian approximation of a bounded interferer: conservative). The neighbours'
// own noise (RIN, …) is not simulated: at −30 dB it is negligible.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "phy/block.hpp"
#include "phy/pam.hpp"
#include "phy/params.hpp"
#include "phy/prbs.hpp"

namespace optilane {

struct WdmFilterParams {
  /// Insertion loss at the passband centre, dB, >= 0. Default 1.5 dB (figures.md §2.8: CWDM4 box
  /// ≤ 1.6 dB, V; in-module 1.0–2.5 dB, U).
  double insertion_loss_db = 1.5;
  /// Full 3-dB passband width, m. Default 13 nm (figures.md §2.8: CWDM4 TFF passband > 13 nm, V;
  /// suits the 20 nm CWDM4 grid; an 800 GHz LWDM grid needs about 3 nm).
  double bandwidth_m = 13e-9;
  /// Super-Gaussian order m (1 = Gaussian). Default 3 (U: flat-topped, TFF-like).
  int order = 3;
  /// Isolation floor, dB: the least rejection away from the passband. Default 30 dB
  /// (figures.md §2.8: adjacent-channel isolation > 30 dB of a CWDM4 demux, V).
  double isolation_db = 30.0;
  /// Port centre wavelength, m; absent: the lane's grid wavelength.
  std::optional<double> centre_m{};

  static WdmFilterParams read(ParamReader& reader);
};

/// Power transmission of the passband (with its insertion loss) at offset `offset_m`.
[[nodiscard]] double wdm_transmission(const WdmFilterParams& params, double offset_m);

/// A mux port: the lane's own light through its passband.
class MuxBlock : public Block {
 public:
  explicit MuxBlock(const WdmFilterParams& params);

  [[nodiscard]] std::string_view kind() const override { return "mux"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<MuxBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] bool is_passive() const override { return true; }

  [[nodiscard]] const WdmFilterParams& params() const { return params_; }
  /// The port's centre wavelength (after prepare), m.
  [[nodiscard]] double centre_m() const { return centre_m_; }
  /// Loss of the lane's own light, dB.
  [[nodiscard]] double loss_db() const;

 protected:
  WdmFilterParams params_;
  double centre_m_ = 0.0;
  double own_field_gain_ = 1.0;
};

/// Another lane of the same fibre as seen by a demux port.
struct DemuxNeighbour {
  int lane = 0;
  double wavelength_m = 0.0;
  /// That lane's chain up to the demux, prepared for that lane; run noiseless.
  std::vector<std::unique_ptr<Block>> chain;
  /// Its drive: the link's pattern from a decorrelated start, mapped as the lane source does.
  PatternKind pattern = PatternKind::random;
  Modulation modulation = Modulation::pam4;
  std::uint64_t pattern_seed = 1;
  std::uint64_t skip_symbols = 0;  ///< symbols skipped at the start (decorrelates PRBS copies)
  bool precoding = false;
  double swing_v = 1.0;
};

/// A demux port: the lane's own light through its passband, plus the other lanes' leaked power.
class DemuxBlock final : public MuxBlock {
 public:
  explicit DemuxBlock(const WdmFilterParams& params);
  DemuxBlock(const DemuxBlock& other);
  DemuxBlock& operator=(const DemuxBlock&) = delete;

  [[nodiscard]] std::string_view kind() const override { return "demux"; }
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<DemuxBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  /// Crosstalk adds light, so the passive energy audit does not apply.
  [[nodiscard]] bool is_passive() const override { return neighbours_.empty(); }
  [[nodiscard]] unsigned noise_sources() const override {
    return neighbours_.empty() ? 0u : static_cast<unsigned>(NoiseKind::crosstalk);
  }

  /// Adds another lane of the fibre (the link layer calls this after prepare()).
  void add_neighbour(DemuxNeighbour neighbour);
  [[nodiscard]] std::size_t neighbour_count() const { return neighbours_.size(); }
  [[nodiscard]] const DemuxNeighbour& neighbour(std::size_t i) const { return neighbours_[i].spec; }
  /// Power transmission (with insertion loss) of neighbour i into this port.
  [[nodiscard]] double neighbour_transmission(std::size_t i) const {
    return neighbours_[i].transmission;
  }

 private:
  struct Running {
    DemuxNeighbour spec;
    PatternGenerator generator;
    Precoder precoder;
    double transmission = 0.0;
    Signal buffer;
    std::vector<int> symbols;
  };
  static Running start(DemuxNeighbour spec, double transmission);
  static void restart(Running& running);

  std::vector<Running> neighbours_;
  std::vector<double> leak_w_;
};

}  // namespace optilane

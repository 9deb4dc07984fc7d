// The common base of copper channel blocks (package, pcb_trace, connector, twinax, touchstone).
//
// Each copper block is a differential two-port (its `network()`). Consecutive copper blocks in a
// chain must combine as S-parameter networks, with the reflections between them, not as a product
// of their insertion losses. The link layer does this after building a chain
// (`cascade_copper_runs` in link/link_config.cpp): for each run of consecutive copper blocks, the
// first block is given the cascade of the run (`filter_with`) and the others are marked absorbed
// (they pass the signal through unchanged, but keep describing themselves). A block used alone
// filters with its own network. Source and load are the matched differential reference
// (100 Ω): the SerDes terminations on either side of a run are modelled as ideal, their
// capacitance belongs to the `package` block.
#pragma once

#include <optional>

#include "channels/copper/network.hpp"
#include "phy/block.hpp"
#include "phy/overlap_save.hpp"

namespace optilane {

class CopperBlock : public Block {
 public:
  /// This element's own two-port.
  [[nodiscard]] virtual TwoPortNetwork network() const = 0;

  /// Makes this block filter with `combined` (the cascade of a run it heads). Call before prepare.
  void filter_with(TwoPortNetwork combined, int run_length);
  /// Makes this block a pass-through: its network is part of an upstream block's cascade.
  void set_absorbed(bool absorbed) { absorbed_ = absorbed; }
  [[nodiscard]] bool absorbed() const { return absorbed_; }
  /// The network this block filters with (its own, or the cascade it heads).
  [[nodiscard]] TwoPortNetwork effective_network() const;

  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override { fir_.reset(); }
  [[nodiscard]] double latency_samples() const override { return absorbed_ ? 0.0 : peak_delay_; }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

  /// The causal FIR in use (empty when absorbed).
  [[nodiscard]] const std::vector<double>& taps() const { return fir_.taps(); }
  /// The bulk propagation delay removed from the FIR, s.
  [[nodiscard]] double bulk_delay_s() const { return bulk_delay_s_; }
  /// Fraction of the impulse response's energy before its first tap (a causality figure).
  [[nodiscard]] double pre_arrival_energy() const { return pre_arrival_energy_; }

 protected:
  /// Suffix for describe(): how the block filters ("", "cascade head of 3", "in the cascade
  /// above").
  [[nodiscard]] std::string cascade_note() const;

 private:
  std::optional<TwoPortNetwork> combined_;
  int run_length_ = 1;
  bool absorbed_ = false;
  RealFirFilter fir_;
  double bulk_delay_s_ = 0.0;
  double peak_delay_ = 0.0;
  double pre_arrival_energy_ = 0.0;
};

}  // namespace optilane

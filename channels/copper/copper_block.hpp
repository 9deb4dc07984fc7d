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
#include <string>

#include "channels/copper/network.hpp"
#include "phy/block.hpp"
#include "phy/overlap_save.hpp"

namespace optilane {

class CopperBlock : public Block {
 public:
  /// This element's own two-port.
  [[nodiscard]] virtual TwoPortNetwork network() const = 0;

  /// Makes this block filter with `combined` (the cascade of a run it heads). Call before prepare.
  /// `design_key`: the exact inputs of `combined` (the run's blocks' own_design_key(), in order;
  /// empty when one is unknown: then the FIR is designed afresh).
  void filter_with(TwoPortNetwork combined, int run_length, std::string design_key = {});
  /// Makes this block a pass-through: its network is part of an upstream block's cascade.
  void set_absorbed(bool absorbed) { absorbed_ = absorbed; }
  [[nodiscard]] bool absorbed() const { return absorbed_; }
  /// The network this block filters with (its own, or the cascade it heads).
  [[nodiscard]] TwoPortNetwork effective_network() const;

  /// The exact inputs of network() as the link layer built the block: its registry name and its
  /// config entry as text (link_config.cpp). A block's network is a pure function of its
  /// parameters and of the data it read from files (content_key()), so two blocks with equal
  /// keys have equal networks, whatever their lane. Empty (a block built in code): not known.
  void set_design_key(std::string key) { design_key_ = std::move(key); }
  /// The set key and the file data behind it; empty when no key was set.
  [[nodiscard]] std::string own_design_key() const;
  /// The key of effective_network(): own_design_key(), or the cascade's key given to
  /// filter_with. Equal keys, equal networks: the FIR design of prepare() and the channel report
  /// (channel_report.cpp) are kept per key and shared between lanes and runs. Empty: not kept.
  [[nodiscard]] std::string effective_design_key() const;

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
  /// The data a block read from files, exactly (a Touchstone block's sampled S-parameters): the
  /// part of its network's inputs its config text does not hold. Empty for parametric blocks.
  [[nodiscard]] virtual std::string content_key() const { return {}; }
  /// Suffix for describe(): how the block filters ("", "cascade head of 3", "in the cascade
  /// above").
  [[nodiscard]] std::string cascade_note() const;

 private:
  std::optional<TwoPortNetwork> combined_;
  int run_length_ = 1;
  std::string design_key_;    ///< set_design_key
  std::string combined_key_;  ///< filter_with's key of combined_
  bool absorbed_ = false;
  RealFirFilter fir_;
  double bulk_delay_s_ = 0.0;
  double peak_delay_ = 0.0;
  double pre_arrival_energy_ = 0.0;
};

}  // namespace optilane

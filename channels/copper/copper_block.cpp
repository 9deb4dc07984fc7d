#include "channels/copper/copper_block.hpp"

#include <cmath>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "phy/design_cache.hpp"

namespace optilane {

void CopperBlock::filter_with(TwoPortNetwork combined, int run_length, std::string design_key) {
  combined_ = std::move(combined);
  combined_key_ = std::move(design_key);
  run_length_ = run_length;
  absorbed_ = false;
}

std::string CopperBlock::own_design_key() const {
  if (design_key_.empty()) return {};
  const std::string content = content_key();
  // Length-prefixed parts: no two different (text, data) pairs give one key.
  return fmt::format("{}:{}{}:", design_key_.size(), design_key_, content.size()) + content;
}

std::string CopperBlock::effective_design_key() const {
  if (absorbed_) return {};
  return combined_ ? combined_key_ : own_design_key();
}

TwoPortNetwork CopperBlock::effective_network() const {
  if (absorbed_) return TwoPortNetwork{};
  return combined_ ? *combined_ : network();
}

void CopperBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  if (absorbed_) {
    fir_ = RealFirFilter({1.0});  // unused; a default RealFirFilter cannot be copied
    bulk_delay_s_ = 0.0;
    peak_delay_ = 0.0;
    pre_arrival_energy_ = 0.0;
    return;
  }
  const TwoPortNetwork net = effective_network();
  if (net.is_identity()) {
    fir_ = RealFirFilter({1.0});
    return;
  }
  // The design evaluates the network at every point of a 2^16..2^20-point grid (the S-parameter
  // cascade's complex divisions): the costliest part of building a copper chain, and the same
  // for every lane of a port and every chain built from the same entries. Kept per (design key,
  // sample rate): a kept design is the very FIR a fresh one would compute.
  using Key = std::pair<std::string, double>;
  static DesignCache<Key, std::shared_ptr<const ChannelFir>, 32> cache;
  const double fs = lane.sample_rate_hz();
  std::string key = effective_design_key();
  const bool cacheable = !key.empty() && std::isfinite(fs);
  const std::shared_ptr<const ChannelFir> fir =
      cache.get(Key{std::move(key), fs}, cacheable, [&net, fs] {
        return std::make_shared<const ChannelFir>(
            design_channel_fir([&net](double f) { return net.s(f).s21; }, fs));
      });
  bulk_delay_s_ = fir->bulk_delay_s;
  peak_delay_ = fir->peak_delay_samples;
  pre_arrival_energy_ = fir->pre_arrival_energy;
  fir_ = RealFirFilter(fir->taps);
}

void CopperBlock::process(Signal& chunk) {
  if (absorbed_) return;
  fir_.process(chunk.electrical, chunk.electrical);
}

std::string CopperBlock::check_input(Domain input, bool has_carrier) const {
  (void)has_carrier;
  if (input != Domain::electrical) {
    return fmt::format(
        "{} is a copper element and needs an electrical signal (the signal here is "
        "optical; put it before the modulator or after the photodetector)",
        kind());
  }
  return {};
}

std::string CopperBlock::cascade_note() const {
  if (absorbed_) return " [in the S-parameter cascade of the copper block above]";
  if (combined_ && run_length_ > 1) {
    return fmt::format(" [filters with the S-parameter cascade of {} copper blocks: {}]",
                       run_length_, combined_->description());
  }
  return {};
}

// Figures for validation: the SDD21 insertion loss of this element's own two-port at a frequency
// (argument, Hz), as the datasheets and IEEE channel tables quote it.
std::optional<double> CopperBlock::metric(std::string_view name, double argument) const {
  if (name == "insertion_loss_db") return network().insertion_loss_db(argument);
  return std::nullopt;
}

std::vector<std::string> CopperBlock::metric_names() const {
  return {"insertion_loss_db (argument: frequency)"};
}

}  // namespace optilane

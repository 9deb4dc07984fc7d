#include "link/channel_report.hpp"

#include <cmath>

#include "channels/copper/copper_block.hpp"
#include "link/link_config.hpp"

namespace optilane {

std::vector<CopperChannelReport> copper_channel_reports(
    const LinkConfig& config, const std::vector<std::unique_ptr<Block>>& chain) {
  std::vector<CopperChannelReport> reports;
  const double rate = config.signal.symbol_rate_bd;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const auto* head = dynamic_cast<const CopperBlock*>(chain[i].get());
    if (head == nullptr || head->absorbed()) continue;
    CopperChannelReport report;
    report.block = head->label();
    report.members.push_back(head->label());
    bool has_package = head->kind() == "package";
    for (std::size_t k = i + 1; k < chain.size(); ++k) {
      const auto* member = dynamic_cast<const CopperBlock*>(chain[k].get());
      if (member == nullptr || !member->absorbed()) break;
      report.members.push_back(member->label());
      has_package = has_package || member->kind() == "package";
    }
    const TwoPortNetwork network = head->effective_network();
    constexpr int points = 512;
    for (int k = 0; k <= points; ++k) {
      const double f = rate * k / points;
      report.frequency_hz.push_back(f);
      report.sdd21_db.push_back(20.0 * std::log10(std::abs(network.s(f).s21)));
    }
    const SampledChannelPulse pulse =
        channel_pulse_response([&](double f) { return network.s(f).s21; }, rate, 32, 1024, 4, 60);
    report.pulse_time_ui = pulse.time_ui;
    report.pulse_v = pulse.response_v;
    if (config.analysis.com != "off") {
      ComParams params = com_params(config.analysis.com, rate);
      // The reference packages (93A.1.2) only where the run has none of its own.
      params.add_packages = !has_package;
      report.com = channel_operating_margin(network, params);
      if (has_package)
        report.com->method += "; the run's own package blocks stand for the reference package";
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace optilane

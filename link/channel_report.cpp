#include "link/channel_report.hpp"

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "channels/copper/copper_block.hpp"
#include "link/link_config.hpp"
#include "phy/design_cache.hpp"

namespace optilane {
namespace {

// COM of a channel, kept per (parameter set, symbol rate, reference packages or not, the
// channel's four S-parameters on the report's 513-point grid to the symbol rate): the 8 lanes of a
// port usually share one channel, and COM's equaliser search is the costliest part of a copper
// lane's report. Channels built from the same blocks are bit-identical on the grid; two different
// passive networks agreeing at all 513 points would have to differ only between them.
using ComKey = std::tuple<std::string, double, bool, std::vector<double>>;
DesignCache<ComKey, ComResult, 64>& com_cache() {
  static auto* cache = new DesignCache<ComKey, ComResult, 64>();  // never destroyed (FFTW-style)
  return *cache;
}

/// What a copper run's report computes from its network: kept per (the run's design key, symbol
/// rate, COM parameter set, reference packages or not), the exact inputs of these figures, so the
/// 8 lanes of a port (and every chain built from the same entries) evaluate the network once.
struct ChannelFigures {
  std::vector<double> frequency_hz, sdd21_db, pulse_time_ui, pulse_v;
  std::optional<ComResult> com;
};
using FiguresKey = std::tuple<std::string, double, std::string, bool>;
DesignCache<FiguresKey, std::shared_ptr<const ChannelFigures>, 32>& figures_cache() {
  static auto* cache = new DesignCache<FiguresKey, std::shared_ptr<const ChannelFigures>, 32>();
  return *cache;
}

}  // namespace

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
    auto compute = [&] {
      auto figures = std::make_shared<ChannelFigures>();
      constexpr int points = 512;
      std::vector<double> grid;  // the COM memo's key: S11, S12, S21, S22 at every point
      grid.reserve(8 * (points + 1));
      bool finite = true;
      for (int k = 0; k <= points; ++k) {
        const double f = rate * k / points;
        const SParams2 sp = network.s(f);
        figures->frequency_hz.push_back(f);
        figures->sdd21_db.push_back(20.0 * std::log10(std::abs(sp.s21)));
        for (const Cplx c : {sp.s11, sp.s12, sp.s21, sp.s22}) {
          grid.push_back(c.real());
          grid.push_back(c.imag());
          finite = finite && std::isfinite(c.real()) && std::isfinite(c.imag());
        }
      }
      const SampledChannelPulse pulse =
          channel_pulse_response([&](double f) { return network.s(f).s21; }, rate, 32, 1024, 4, 60);
      figures->pulse_time_ui = pulse.time_ui;
      figures->pulse_v = pulse.response_v;
      if (config.analysis.com != "off") {
        ComParams params = com_params(config.analysis.com, rate);
        // The reference packages (93A.1.2) only where the run has none of its own.
        params.add_packages = !has_package;
        figures->com =
            com_cache().get(ComKey{config.analysis.com, rate, params.add_packages, std::move(grid)},
                            finite && std::isfinite(rate),
                            [&] { return channel_operating_margin(network, params); });
      }
      return std::shared_ptr<const ChannelFigures>(std::move(figures));
    };
    std::string key = head->effective_design_key();
    const bool cacheable = !key.empty() && std::isfinite(rate);
    const std::shared_ptr<const ChannelFigures> figures = figures_cache().get(
        FiguresKey{std::move(key), rate, config.analysis.com, has_package}, cacheable, compute);
    report.frequency_hz = figures->frequency_hz;
    report.sdd21_db = figures->sdd21_db;
    report.pulse_time_ui = figures->pulse_time_ui;
    report.pulse_v = figures->pulse_v;
    report.com = figures->com;
    if (report.com && has_package) {
      report.com->method += "; the run's own package blocks stand for the reference package";
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace optilane

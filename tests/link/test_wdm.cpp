// WDM mux/demux (channels/optical/wdm_filter.hpp) and the crosstalk the demux adds from the other
// lanes of the fibre, built by link/link_config.cpp (build_chain).
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <string>

#include "channels/optical/fiber.hpp"
#include "channels/optical/wdm_filter.hpp"
#include "link/config_tree.hpp"
#include "link/link_config.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {

// The neighbour's mean power over one PRBS13Q period (8192 symbols ≈ 8191) is its static mean to
// 1/8191, and the fibre's start-up transient spans a few symbols of 8192: 0.3 % covers both.
constexpr double crosstalk_tolerance = 3e-3;

std::string wdm_yaml(const std::string& second_wavelength) {
  return R"(
name: wdm-crosstalk
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 8192, seed: 1}
lanes: {count: 2, wdm: [1311 nm, )" +
         second_wavelength + R"(]}
chain:
  - block: laser
    kind: cw
    power: 0 dBm
    rin: -200 dB/Hz
    linewidth: 0 Hz
  - block: intensity_modulator
    extinction_ratio: 6 dB
  - block: mux
    loss: 1 dB
  - block: fiber
    length: 2 km
  - block: demux
    loss: 1.5 dB
    isolation: 30 dB
  - block: photodetector
    ideal: true
analysis: {monte_carlo: false}
)";
}

}  // namespace

TEST_CASE("mux and demux refuse bad settings", "[channels][wdm]") {
  CHECK_THROWS_AS(MuxBlock(WdmFilterParams{.insertion_loss_db = -1.0}), ParameterError);
  CHECK_THROWS_AS(DemuxBlock(WdmFilterParams{.bandwidth_m = 0.0}), ParameterError);
  CHECK_THROWS_AS(DemuxBlock(WdmFilterParams{.order = 0}), ParameterError);
  CHECK_THROWS_AS(DemuxBlock(WdmFilterParams{.isolation_db = -3.0}), ParameterError);
}

TEST_CASE("the passband is IL·max(exp(−ln2·|2Δλ/B|^(2m)), isolation floor)", "[channels][wdm]") {
  const WdmFilterParams p{
      .insertion_loss_db = 1.0, .bandwidth_m = 13e-9, .order = 3, .isolation_db = 30.0};
  const double il = db_to_power_ratio(-1.0);
  CHECK(wdm_transmission(p, 0.0) == Approx(il));
  CHECK(wdm_transmission(p, 6.5e-9) == Approx(il / 2.0));  // the 3-dB half width
  CHECK(wdm_transmission(p, 7e-9) ==
        Approx(il * std::exp(-std::numbers::ln2 * std::pow(14.0 / 13.0, 6.0))));
  CHECK(wdm_transmission(p, 20e-9) == Approx(il * 1e-3));  // CWDM4 neighbour: the floor
}

TEST_CASE(
    "crosstalk power from a neighbour equals its power times the demux's transmission at "
    "its offset, and each lane's fibre uses its own wavelength",
    "[link][wdm][crosstalk]") {
  const auto [second, offset_m] =
      GENERATE(std::pair<std::string, double>{"1331 nm", 20e-9},  // isolation floor
               std::pair<std::string, double>{"1318 nm", 7e-9});  // on the passband's skirt
  INFO(second);
  const LinkConfig config = parse_link_config(parse_yaml(wdm_yaml(second), "<test>"));
  const auto chain = build_chain(config, 0);
  const auto* demux = dynamic_cast<const DemuxBlock*>(chain[4].get());
  REQUIRE(demux != nullptr);
  REQUIRE(demux->neighbour_count() == 1);
  const DemuxNeighbour& n = demux->neighbour(0);
  CHECK(n.lane == 1);
  const WdmFilterParams p{.insertion_loss_db = 1.5, .isolation_db = 30.0};
  const double transmission = wdm_transmission(p, offset_m);
  CHECK(demux->neighbour_transmission(0) == Approx(transmission));

  // Dispersion: the victim's fibre at 1311 nm, the neighbour's copy at its own wavelength.
  const auto* own_fibre = dynamic_cast<const FiberBlock*>(chain[3].get());
  const auto* their_fibre = dynamic_cast<const FiberBlock*>(n.chain.at(3).get());
  REQUIRE(own_fibre != nullptr);
  REQUIRE(their_fibre != nullptr);
  CHECK(own_fibre->designed_wavelength_m() == Approx(1311e-9));
  CHECK(their_fibre->designed_wavelength_m() == Approx(1311e-9 + offset_m));
  CHECK(their_fibre->dispersion_at(their_fibre->designed_wavelength_m()) !=
        Approx(own_fibre->dispersion_at(1311e-9)));

  // Leaked power: the same input through the demux with crosstalk on and off.
  std::vector<std::unique_ptr<Block>> on, off;
  for (std::size_t i = 0; i < 5; ++i) {
    on.push_back(chain[i]->clone());
    on.back()->set_noise_mask(static_cast<unsigned>(NoiseKind::crosstalk));
    off.push_back(chain[i]->clone());
    off.back()->set_noise_mask(0u);
  }
  const int sps = config.signal.samples_per_symbol;
  const std::size_t chunk = 2048 * static_cast<std::size_t>(sps);
  double leak = 0.0;
  std::size_t samples = 0;
  for (int c = 0; c < 4; ++c) {
    Signal a;
    a.domain = Domain::electrical;
    a.electrical.assign(chunk, 0.25);
    a.sample_rate_hz = config.signal.symbol_rate_bd * sps;
    a.wavelength_m = 1311e-9;
    a.first_sample = static_cast<std::int64_t>(c * chunk);
    a.chunk_index = c;
    Signal b = a;
    for (auto& block : on) block->process(a);
    for (auto& block : off) block->process(b);
    for (std::size_t i = 0; i < chunk; ++i) {
      leak += std::norm(a.optical[i]) - std::norm(b.optical[i]);
    }
    samples += chunk;
  }
  leak /= static_cast<double>(samples);
  // The neighbour at the demux input: 1 mW · mean IM transmission (1 + 1/ER)/2 · mux · fibre.
  const double er = db_to_power_ratio(6.0);
  const double at_demux = 1e-3 * (1.0 + 1.0 / er) / 2.0 * db_to_power_ratio(-1.0) *
                          db_to_power_ratio(-their_fibre->loss_db());
  CHECK(leak == Approx(at_demux * transmission).epsilon(crosstalk_tolerance));

  // A copy runs identically (deep copy of the neighbours' chains and pattern state).
  const auto copy = on[4]->clone();
  Signal x;
  x.domain = Domain::optical;
  x.optical.assign(chunk, Complex(1e-2, 0.0));
  x.sample_rate_hz = config.signal.symbol_rate_bd * sps;
  x.first_sample = static_cast<std::int64_t>(4 * chunk);
  x.chunk_index = 4;
  Signal y = x;
  on[4]->process(x);
  copy->process(y);
  CHECK(x.optical == y.optical);
}

TEST_CASE("a lane alone on its fibre (wdm none) gets no crosstalk", "[link][wdm]") {
  std::string yaml = wdm_yaml("1331 nm");
  yaml.replace(yaml.find("lanes: {count: 2, wdm: [1311 nm, 1331 nm]}"),
               std::string("lanes: {count: 2, wdm: [1311 nm, 1331 nm]}").size(),
               "lanes: {count: 2}");
  const LinkConfig config = parse_link_config(parse_yaml(yaml, "<test>"));
  const auto chain = build_chain(config, 1);
  const auto* demux = dynamic_cast<const DemuxBlock*>(chain[4].get());
  REQUIRE(demux != nullptr);
  CHECK(demux->neighbour_count() == 0);
}

// Designs shared between lanes and chains (issue 9): a copper run's FIR and channel report are kept
// per the exact inputs of its network (the entries' text and the data read from files), the host
// receiver's front-end FIR per its exact parameters. A kept value must be bit for bit what a fresh
// computation gives, on every lane, and a changed input must be computed afresh.
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <string>

#include <fmt/format.h>

#include "channels/copper/com.hpp"
#include "channels/copper/copper_block.hpp"
#include "devices/serdes/serdes_rx.hpp"
#include "link/channel_report.hpp"
#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "phy/filter_design.hpp"
#include "test_support.hpp"

using namespace optilane;

namespace {

/// A host-to-module run of three copper blocks (one S-parameter cascade) between two SerDes.
std::string cascade_link(const std::string& cable_length) {
  return fmt::format(R"(name: cascade
signal: {{format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 4096, seed: 1}}
lanes: {{count: 4}}
chain:
  - block: serdes_tx
    class: lr
  - block: package
    length: 12 mm
  - block: pcb_trace
    length: 0.1 m
  - block: twinax
    gauge: 26
    length: {}
  - block: serdes_rx
    class: lr
    ctle_dc_gain: -6 dB
analysis:
  monte_carlo: false
)",
                     cable_length);
}

LinkConfig config_of(const std::string& yaml) {
  return parse_link_config(parse_yaml(yaml, "<test>"));
}

/// The FIR of the run headed by chain[1], designed afresh from its network.
ChannelFir fresh_fir(const std::vector<std::unique_ptr<Block>>& chain, double sample_rate_hz) {
  const TwoPortNetwork net = dynamic_cast<const CopperBlock&>(*chain[1]).effective_network();
  return design_channel_fir([&net](double f) { return net.s(f).s21; }, sample_rate_hz);
}

}  // namespace

TEST_CASE("a copper cascade's FIR served from the design memo equals a fresh design on every lane",
          "[link][copper][cache]") {
  const LinkConfig config = config_of(cascade_link("1 m"));
  const double fs = 53.125e9 * 8;
  const auto first = build_chain(config, 0);  // designs (or finds) the run's FIR
  const ChannelFir fresh = fresh_fir(first, fs);
  for (int lane : {0, 1, 3}) {
    const auto chain = build_chain(config, lane);
    const auto& head = dynamic_cast<const CopperBlock&>(*chain[1]);
    REQUIRE_FALSE(head.effective_design_key().empty());  // the memo is in use
    CHECK(head.taps() == fresh.taps);                    // bit for bit
    CHECK(head.bulk_delay_s() == fresh.bulk_delay_s);
    CHECK(head.latency_samples() == fresh.peak_delay_samples);
    CHECK(head.pre_arrival_energy() == fresh.pre_arrival_energy);
    CHECK(dynamic_cast<const CopperBlock&>(*chain[2]).absorbed());
  }
  // A longer cable is another network: designed afresh, not served the 1 m run's FIR.
  const auto longer = build_chain(config_of(cascade_link("2 m")), 0);
  const auto& longer_head = dynamic_cast<const CopperBlock&>(*longer[1]);
  CHECK(longer_head.effective_design_key() !=
        dynamic_cast<const CopperBlock&>(*first[1]).effective_design_key());
  CHECK(longer_head.taps() == fresh_fir(longer, fs).taps);
  CHECK(longer_head.taps() != fresh.taps);
}

TEST_CASE("a copper run's channel report served from the memo equals a fresh computation",
          "[link][copper][cache][com]") {
  const LinkConfig config = config_of(cascade_link("1.5 m"));
  const auto lane0 = copper_channel_reports(config, build_chain(config, 0));
  const auto chain = build_chain(config, 2);
  const auto lane2 = copper_channel_reports(config, chain);  // from the memo
  REQUIRE(lane0.size() == 1);
  REQUIRE(lane2.size() == 1);
  const TwoPortNetwork net = dynamic_cast<const CopperBlock&>(*chain[1]).effective_network();
  const double rate = config.signal.symbol_rate_bd;
  // Fresh: the same formulas as channel_report.cpp, evaluated here.
  const SampledChannelPulse pulse =
      channel_pulse_response([&](double f) { return net.s(f).s21; }, rate, 32, 1024, 4, 60);
  ComParams params = com_params("802.3ck", rate);
  params.add_packages = false;  // the run has a package block of its own
  const ComResult com = channel_operating_margin(net, params);
  for (const auto* report : {&lane0[0], &lane2[0]}) {
    CHECK(report->members == std::vector<std::string>{"package", "pcb_trace", "twinax"});
    REQUIRE(report->frequency_hz.size() == 513);
    for (std::size_t k = 0; k < report->frequency_hz.size(); ++k) {
      const double f = rate * static_cast<double>(k) / 512.0;
      CHECK(report->frequency_hz[k] == f);
      CHECK(report->sdd21_db[k] == 20.0 * std::log10(std::abs(net.s(f).s21)));
    }
    CHECK(report->pulse_time_ui == pulse.time_ui);
    CHECK(report->pulse_v == pulse.response_v);
    REQUIRE(report->com.has_value());
    CHECK(report->com->com_db == com.com_db);
    CHECK(report->com->cursors_v == com.cursors_v);
  }
}

TEST_CASE("a copper report from the unprepared chain equals a fresh computation",
          "[link][copper][cache][com]") {
  // run_link computes the reports in tasks of their own from build_copper_networks (so one thread
  // computes COM while the others run lanes). A cable length no other test uses, so the memo is
  // cold and the unprepared chain's report is what computes it.
  const LinkConfig config = config_of(cascade_link("1.25 m"));
  const auto unprepared = build_copper_networks(config, 0);
  const auto prepared = build_chain(config, 1);
  REQUIRE(unprepared.size() == prepared.size());
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    const auto* a = dynamic_cast<const CopperBlock*>(unprepared[i].get());
    const auto* b = dynamic_cast<const CopperBlock*>(prepared[i].get());
    REQUIRE((a == nullptr) == (b == nullptr));
    if (a == nullptr) continue;
    CHECK(a->absorbed() == b->absorbed());
    CHECK(a->effective_design_key() == b->effective_design_key());
    CHECK(a->taps().empty());  // nothing designed
    if (a->absorbed()) continue;
    const TwoPortNetwork na = a->effective_network();
    const TwoPortNetwork nb = b->effective_network();
    for (int k = 0; k <= 512; ++k) {
      const double f = 53.125e9 * k / 512.0;
      const SParams2 sa = na.s(f);
      const SParams2 sb = nb.s(f);
      CHECK(sa.s11 == sb.s11);
      CHECK(sa.s12 == sb.s12);
      CHECK(sa.s21 == sb.s21);
      CHECK(sa.s22 == sb.s22);
    }
  }
  const auto warm = copper_channel_reports(config, unprepared);
  const auto reports = copper_channel_reports(config, prepared);  // from the memo
  REQUIRE(warm.size() == 1);
  REQUIRE(reports.size() == 1);
  CHECK(warm[0].sdd21_db == reports[0].sdd21_db);
  CHECK(warm[0].com->com_db == reports[0].com->com_db);
  const TwoPortNetwork net = dynamic_cast<const CopperBlock&>(*prepared[1]).effective_network();
  const double rate = config.signal.symbol_rate_bd;
  const SampledChannelPulse pulse =
      channel_pulse_response([&](double f) { return net.s(f).s21; }, rate, 32, 1024, 4, 60);
  ComParams params = com_params("802.3ck", rate);
  params.add_packages = false;
  const ComResult com = channel_operating_margin(net, params);
  CHECK(reports[0].members == std::vector<std::string>{"package", "pcb_trace", "twinax"});
  CHECK(reports[0].pulse_v == pulse.response_v);
  REQUIRE(reports[0].com.has_value());
  CHECK(reports[0].com->com_db == com.com_db);
  CHECK(reports[0].com->cursors_v == com.cursors_v);
  // The whole link on one and on two threads: the same reports and BERs.
  const LinkResult one = run_link(config, 1);
  const LinkResult two = run_link(config, 2);
  REQUIRE(one.lanes.size() == two.lanes.size());
  for (std::size_t lane = 0; lane < one.lanes.size(); ++lane) {
    REQUIRE(two.lanes[lane].copper.size() == 1);
    CHECK(two.lanes[lane].copper[0].com->com_db == com.com_db);
    CHECK(two.lanes[lane].copper[0].sdd21_db == one.lanes[lane].copper[0].sdd21_db);
    CHECK(two.lane_ber[lane] == one.lane_ber[lane]);
  }
}

TEST_CASE("a Touchstone channel is keyed on its file's data, not its path",
          "[link][copper][cache][touchstone]") {
  // The same path holding other data (a file rewritten between runs of one process) must not be
  // served the first data's FIR: the block's key carries the S-parameters it read.
  test::TempDir dir;
  auto write_s2p = [&](double il_db_per_ghz) {
    std::string text = "! synthetic\n# GHz S RI R 100\n";
    for (int k = 0; k <= 60; ++k) {
      const double f_ghz = k;
      const std::complex<double> s21 =
          std::polar(std::pow(10.0, -il_db_per_ghz * f_ghz / 20.0), -2.0 * M_PI * f_ghz * 0.37);
      text += fmt::format("{} 0.05 0 {:.15g} {:.15g} {:.15g} {:.15g} 0.05 0\n", f_ghz, s21.real(),
                          s21.imag(), s21.real(), s21.imag());
    }
    return dir.write("channel.s2p", text);
  };
  const std::string yaml = R"(name: ts
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 4096, seed: 1}
chain:
  - block: serdes_tx
    class: vsr
  - block: touchstone
    file: )";
  const double fs = 53.125e9 * 8;
  const std::string path = write_s2p(0.3);
  const LinkConfig config = config_of(yaml + path + "\n  - block: serdes_rx\n    class: vsr\n");
  const auto a = build_chain(config, 0);
  const std::vector<double> taps_a = dynamic_cast<const CopperBlock&>(*a[1]).taps();
  CHECK(taps_a == fresh_fir(a, fs).taps);
  write_s2p(0.5);  // same path, other data
  const auto b = build_chain(config, 0);
  const auto& head_b = dynamic_cast<const CopperBlock&>(*b[1]);
  CHECK(head_b.taps() == fresh_fir(b, fs).taps);
  CHECK(head_b.taps() != taps_a);
}

TEST_CASE("a host receiver's front-end FIR served from its memo equals a fresh design",
          "[link][serdes][cache]") {
  const LinkConfig config = config_of(cascade_link("1 m"));
  const double fs = 53.125e9 * 8;
  for (int lane : {0, 3}) {
    const auto chain = build_chain(config, lane);
    const auto& rx = dynamic_cast<const SerdesRxBlock&>(*chain[4]);
    const FirDesign fresh = design_analog_fir([&rx](double f) { return rx.response(f); }, fs);
    CHECK(rx.taps() == fresh.taps);
    CHECK(rx.latency_samples() == fresh.delay_samples);
  }
  // Another CTLE gain: another design.
  std::string yaml = cascade_link("1 m");
  yaml.replace(yaml.find("-6 dB"), 5, "-9 dB");
  const auto other = build_chain(config_of(yaml), 0);
  const auto& rx9 = dynamic_cast<const SerdesRxBlock&>(*other[4]);
  CHECK(rx9.taps() == design_analog_fir([&rx9](double f) { return rx9.response(f); }, fs).taps);
  CHECK(rx9.taps() != dynamic_cast<const SerdesRxBlock&>(*build_chain(config, 0)[4]).taps());
}

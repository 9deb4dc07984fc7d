// Tests of retimed segments (link/segments.hpp) through the lane runner and the reports.
#include <catch2/catch.hpp>

#include "link/lane_runner.hpp"
#include "link/report.hpp"
#include "link/segments.hpp"
#include "test_support.hpp"

using namespace optilane;

namespace {

const char* two_segments_yaml = R"(
name: two-segments
signal: {format: pam4, symbol_rate: 26.5625 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 8192, seed: 2}
lanes: {count: 2}
chain:
  - block: filter
    shape: bessel
    bandwidth: 15 GHz
  - block: awgn
    snr: 19 dB
  - block: retimer
    ffe: 6
    pre_taps: 1
    dfe: 1
  - block: filter
    shape: bessel
    bandwidth: 12 GHz
  - block: awgn
    snr: 18 dB
analysis: {target_ber: 2.4e-4, monte_carlo: false}
)";

}  // namespace

TEST_CASE("A chain without a retimer is one segment, unchanged", "[link][segments]") {
  const LinkConfig config = test::config_from_text(R"(
name: plain
signal: {symbol_rate: 26.5625 GBd, samples_per_symbol: 8, symbols: 4096}
chain:
  - block: awgn
    snr: 20 dB
  - block: retimer
)");
  const auto segments = split_segments(config);
  REQUIRE(segments.size() == 1);
  CHECK(segments[0].name == "plain");
  CHECK(segments[0].chain.size() == 2);
  CHECK(segments[0].signal.seed == config.signal.seed);
}

TEST_CASE(
    "A retimer splits the chain; the link BER of each lane is the sum of its segments' "
    "BERs and the JSON reports each segment",
    "[link][segments]") {
  const LinkConfig config = test::config_from_text(two_segments_yaml);
  const auto segments = split_segments(config);
  REQUIRE(segments.size() == 2);
  CHECK(segments[0].chain.back().block == "retimer");
  CHECK(segments[1].chain.front().block == "filter");
  CHECK(segments[1].signal.seed != segments[0].signal.seed);

  const LinkResult link = run_link(config, 1);
  REQUIRE(link.segments.size() == 2);
  for (std::size_t lane = 0; lane < 2; ++lane) {
    const double a = lane_ber(config, link.segments[0].lanes[lane]);
    const double b = lane_ber(config, link.segments[1].lanes[lane]);
    CHECK(a > 0.0);
    CHECK(b > 0.0);
    CHECK(link.lane_ber[lane] == Approx(a + b).epsilon(1e-12));
    CHECK(link.lane_post_fec_ber[lane] == Approx(post_fec_ber("kp4", a + b)).epsilon(1e-12));
  }
  // The segment received by the retimer's DSP ran its FFE/DFE.
  REQUIRE(link.segments[0].lanes[0].dsp.has_value());
  CHECK(link.segments[0].lanes[0].dsp->ffe_taps.size() == 6);
  CHECK_FALSE(link.segments[1].lanes[0].dsp.has_value());

  const nlohmann::json json = summary_json(config, link);
  REQUIRE(json["segments"].size() == 2);
  CHECK(json["segments"][0]["lanes"].size() == 2);
  CHECK(json["link"]["ber"].get<double>() == Approx(link.worst_ber));
}

TEST_CASE("The run table shows the transmitter of every segment, not only the last one's",
          "[link][segments]") {
  // An optical first segment ended by a retimer, then an electrical one: the transmitter
  // analysis belongs to segment 0 (before, the table read the last segment's lanes only).
  const LinkConfig config = test::config_from_text(R"(
name: tx-first
signal: {format: pam4, symbol_rate: 26.5625 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 8192}
chain:
  - {block: laser, kind: cw, power: 3 dBm}
  - {block: mzm}
  - {block: photodetector}
  - {block: tia}
  - {block: retimer, ffe: 6, pre_taps: 1}
  - {block: awgn, snr: 20 dB}
analysis: {monte_carlo: false}
)");
  const LinkResult link = run_link(config, 1);
  REQUIRE(link.segments.size() == 2);
  REQUIRE(link.segments[0].lanes[0].tx.has_value());
  const std::string table = summary_table(config, link);
  INFO(table);
  CHECK(table.find("tx segment 0 lane 0 (mzm): P_ave") != std::string::npos);
}

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <cmath>

#include "devices/dsp/adc.hpp"
#include "link/lane_runner.hpp"
#include "phy/errors.hpp"
#include "support/optical_helpers.hpp"
#include "test_support.hpp"

using namespace optilane;

TEST_CASE("adc refuses a bad ENOB or full scale", "[devices][dsp][adc]") {
  CHECK_THROWS_AS(AdcBlock(AdcParams{.enob = 0.5}), ParameterError);
  CHECK_THROWS_AS(AdcBlock(AdcParams{.enob = 20.0}), ParameterError);
  CHECK_THROWS_AS(AdcBlock(AdcParams{.full_scale_v = 0.0}), ParameterError);
  CHECK_THROWS_AS(AdcBlock(AdcParams{.full_scale_v = -1.0}), ParameterError);
}

TEST_CASE("adc quantisation noise has σ = FS/(√12·2^ENOB) (Walden 1999)", "[devices][dsp][adc]") {
  for (double enob : {4.0, 6.0}) {
    AdcBlock adc(AdcParams{.enob = enob, .full_scale_v = 1.0});
    adc.prepare(test::test_lane(53.125e9, 4));
    const std::vector<double> x(200000, 0.1);
    const std::vector<double> y = test::run_electrical(adc, x, 53.125e9 * 4);
    const double expected = 1.0 / (std::sqrt(12.0) * std::pow(2.0, enob));
    // 2e5 samples: the sample σ is within 0.5 % (3 standard errors of √(1/(2N))).
    CHECK(std::sqrt(test::variance_of(y)) == Approx(expected).epsilon(0.005));
    CHECK(test::mean_of(y) == Approx(0.1).margin(3.0 * expected / std::sqrt(2e5) * 3));
  }
}

TEST_CASE("adc with its noise off only clips to the full scale", "[devices][dsp][adc]") {
  AdcBlock adc(AdcParams{.enob = 6.0, .full_scale_v = 1.0, .offset_v = 0.2});
  adc.prepare(test::test_lane(53.125e9, 4));
  adc.set_noise_enabled(false);
  const std::vector<double> x{-1.0, -0.3, 0.0, 0.5, 0.7, 2.0};
  const std::vector<double> y = test::run_electrical(adc, x, 53.125e9 * 4);
  const std::vector<double> expected{-0.3, -0.3, 0.0, 0.5, 0.7, 0.7};
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(y[i] == Approx(expected[i]));
}

TEST_CASE("adc copies and resets to the same noise", "[devices][dsp][adc]") {
  AdcBlock adc(AdcParams{.enob = 5.0, .full_scale_v = 1.0});
  adc.prepare(test::test_lane(53.125e9, 4));
  const auto copy = adc.clone();
  const std::vector<double> x(4096, 0.0);
  const auto a = test::run_electrical(adc, x, 53.125e9 * 4);
  const auto b = test::run_electrical(*copy, x, 53.125e9 * 4);
  CHECK(a == b);
}

TEST_CASE("an adc before the FFE adds its quantisation noise to the equalised link",
          "[devices][dsp][adc][link]") {
  auto run = [](const std::string& enob) {
    return run_link(test::config_from_text(fmt::format(R"(
signal: {{format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 4, pattern: prbs13q,
         symbols: 16384, seed: 2, swing: 1 V}}
chain:
  - block: filter
    shape: bessel
    order: 4
    bandwidth: 25 GHz
  - block: adc
    enob: {}
    full_scale: 1.2 V
  - block: ffe
    taps: 7
    pre_taps: 1
analysis:
  monte_carlo: {{symbols: 16384, min_errors: 10}}
)",
                                                       enob)),
                    1)
        .lanes.at(0);
  };
  const LaneResult fine = run("12");
  const LaneResult coarse = run("4");
  // σ_q = 1.2/(√12·16) = 21.7 mV at ENOB 4 vs 0.085 mV at ENOB 12; after the FFE the noise
  // scales with it (same taps up to the MMSE regularisation), so the SNR drops by tens of dB.
  CHECK(coarse.slicer.snr_db < fine.slicer.snr_db - 20.0);
  CHECK(coarse.slicer.ber_semi_analytic > fine.slicer.ber_semi_analytic);
}

namespace {

std::string cdr_link(const std::string& cdr) {
  return fmt::format(R"(
signal: {{format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 8192, seed: 4}}
chain:
  - block: filter
    shape: bessel
    order: 4
    bandwidth: 30 GHz
  - block: awgn
    snr: 40 dB
{}
analysis:
  monte_carlo: false
)",
                     cdr);
}

}  // namespace

TEST_CASE(
    "Mueller-Muller and bang-bang CDRs lock within ⅛ UI of the optimum phase on a clean "
    "eye from inside their pull-in range",
    "[devices][dsp][cdr][link]") {
  const LaneResult optimum =
      run_link(test::config_from_text(cdr_link("  - block: cdr\n    kind: optimum")), 1)
          .lanes.at(0);
  REQUIRE(optimum.dsp);
  // A symmetric (Bessel) pulse peaks where h_1 = h_{−1} (MM's lock) and its symmetric
  // transitions cross the middle ½ UI from the peak (bang-bang's lock): both at the optimum up to
  // the Bessel filter's small asymmetry and one sample (⅛ UI at 8 samples/UI).
  constexpr double lock_tolerance_ui = 0.125;
  // Pull-in: decision-directed MM has a false lock near +0.3 UI on this channel (where the
  // decisions are ~10 % wrong and h_1 = h_{−1} again), so it starts within ±0.2 UI; bang-bang
  // pulls in from ±0.3 UI.
  const std::vector<std::pair<const char*, double>> starts{
      {"mueller_muller", -0.2}, {"mueller_muller", 0.2}, {"bang_bang", -0.3}, {"bang_bang", 0.3}};
  for (const auto& [kind, start] : starts) {
    {
      const LaneResult lane =
          run_link(test::config_from_text(cdr_link(fmt::format(
                       "  - block: cdr\n    kind: {}\n    start_phase: {}", kind, start))),
                   1)
              .lanes.at(0);
      REQUIRE(lane.dsp);
      INFO(kind << " from " << start << " UI: lock " << lane.dsp->cdr_phase_ui << " UI (jitter "
                << lane.dsp->cdr_jitter_rms_ui << " UI), optimum " << optimum.dsp->phase_ui);
      CHECK(std::abs(lane.dsp->cdr_phase_ui - optimum.dsp->phase_ui) <= lock_tolerance_ui);
      CHECK(lane.dsp->cdr_jitter_rms_ui < 0.05);
      CHECK(lane.slicer.ber_semi_analytic < 1e-12);
    }
  }
}

TEST_CASE("a DSP block before the end of the chain is refused", "[devices][dsp][cdr][link]") {
  const std::string text = R"(
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 4, pattern: prbs13q,
         symbols: 4096}
chain:
  - block: ffe
  - block: awgn
    snr: 30 dB
)";
  CHECK_THROWS(run_link(test::config_from_text(text), 1));
}

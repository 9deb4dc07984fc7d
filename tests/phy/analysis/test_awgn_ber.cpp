#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <cmath>

#include "link/lane_runner.hpp"
#include "phy/analysis/statistics.hpp"
#include "test_support.hpp"

using namespace optilane;

namespace {

/// Exact BER of Gray-coded PAM4 with equally spaced levels (spacing d) in Gaussian noise σ,
/// thresholds midway: BER = ¼[3Q(a) + 2Q(3a) − Q(5a)], a = d/(2σ) (derived by counting bit
/// errors of each symbol-to-symbol transition; Proakis, Digital Communications, §4.3).
double pam4_gray_ber(double a) {
  return 0.25 * (3.0 * q_function(a) + 2.0 * q_function(3.0 * a) - q_function(5.0 * a));
}

/// SER = 2(1 − 1/M)·Q(d/2σ) for M-PAM (Proakis eq. 4.3-5).
double pam4_ser(double a) {
  return 1.5 * q_function(a);
}

std::string awgn_config(double density, int sps, std::uint64_t symbols) {
  return fmt::format(R"(
name: awgn-closed-form
signal: {{format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: {}, pattern: prbs13q,
          symbols: {}, seed: 11, swing: 1 V}}
chain:
  - block: awgn
    density: {}
analysis:
  monte_carlo: {{symbols: {}, min_errors: 300}}
)",
                     sps, symbols, density, 12 * symbols);
}

}  // namespace

TEST_CASE(
    "PAM4 over AWGN: closed form lies in the Monte-Carlo 95 % interval and semi-analytic "
    "within 5 %",
    "[phy][analysis][ber]") {
  // Per-sample σ = density·√(fs/2) (white noise, one-sided density); the levels are ±½, ±⅙ V, so
  // d = ⅓ V and a = d/(2σ).
  constexpr int sps = 4;
  constexpr double fs = 53.125e9 * sps;
  // Semi-analytic uses the measured noise σ; 5 % in BER corresponds to ~0.3 % in σ at these Q.
  constexpr double semi_analytic_tolerance = 0.05;
  for (double target_a : {2.3, 3.0, 3.5}) {
    const double sigma = (1.0 / 3.0) / (2.0 * target_a);
    const double density = sigma / std::sqrt(fs / 2.0);
    const LinkConfig config = test::config_from_text(awgn_config(density, sps, 100000));
    const LinkResult result = run_link(config, 1);
    const SlicerResult& s = result.lanes.at(0).slicer;
    const double expected = pam4_gray_ber(target_a);
    INFO("a = " << target_a << ", closed form " << expected << ", MC " << s.ber_monte_carlo << " ["
                << s.ber_ci95_low << ", " << s.ber_ci95_high << "], semi " << s.ber_semi_analytic
                << ", errors " << s.bit_errors);
    CHECK(s.bit_errors >= 300);
    CHECK(s.ber_ci95_low <= expected);
    CHECK(expected <= s.ber_ci95_high);
    CHECK(s.ber_semi_analytic == Approx(expected).epsilon(semi_analytic_tolerance));
    const double ser = pam4_ser(target_a);
    CHECK(s.ser_semi_analytic == Approx(ser).epsilon(semi_analytic_tolerance));
  }
}

TEST_CASE("without noise the link has no errors and a fully open eye", "[phy][analysis][ber]") {
  const LinkConfig config = test::config_from_text(R"(
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 16384}
chain:
  - block: awgn
    density: 0
)");
  const SlicerResult s = run_link(config, 1).lanes.at(0).slicer;
  CHECK(s.bit_errors == 0);
  CHECK(s.ber_semi_analytic == 0.0);
  REQUIRE(s.eye_height.size() == 3);
  for (double h : s.eye_height) CHECK(h == Approx(1.0 / 3.0));  // the level spacing
  for (double w : s.eye_width_ui) CHECK(w == Approx(1.0));
  // Thresholds midway between the levels ±½, ±⅙.
  REQUIRE(s.thresholds.size() == 3);
  CHECK(s.thresholds[1] == Approx(0.0).margin(1e-9));
}

TEST_CASE("Clopper-Pearson interval matches tabulated values", "[phy][analysis][statistics]") {
  // Exact binomial 95 % interval for 0 of 100 trials: [0, 0.0362] (1 − 0.025^(1/100));
  // for 10 of 100: [0.0490, 0.1762] (Clopper & Pearson 1934, standard tables).
  const auto zero = clopper_pearson_95(0, 100);
  CHECK(zero.first == 0.0);
  CHECK(zero.second == Approx(1.0 - std::pow(0.025, 0.01)).epsilon(1e-6));
  const auto ten = clopper_pearson_95(10, 100);
  CHECK(ten.first == Approx(0.0490).epsilon(2e-3));
  CHECK(ten.second == Approx(0.1762).epsilon(2e-3));
  CHECK(q_function(q_inverse(1e-12)) == Approx(1e-12).epsilon(1e-9));
}

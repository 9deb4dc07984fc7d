// Settings checked against the lane's signal once a chain is built (Block::check_signal) and the
// chain-level defaults that depend on the blocks around one: each refusal is an InputError
// naming the file, the line and the key, and what was expected (exit status 2 from the CLI).
#include <catch2/catch.hpp>

#include <cmath>

#include "link/lane_runner.hpp"
#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {

/// The InputError message of a config that must be refused ("" when it was accepted).
std::string refusal(const std::string& text) {
  try {
    (void)test::config_from_text(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}

const std::string head = R"(name: checks
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 4096}
chain:
)";

/// A 2-port Touchstone file: S21 0.8 (MA) at `last` and 1/100 of it, in `unit`.
std::string two_port(const char* unit, double last) {
  return fmt::format("# {} S MA R 50\n{} 0.1 0 0.8 0 0.8 0 0.1 0\n{} 0.1 0 0.7 -90 0.7 -90 0.1 0\n",
                     unit, last / 100.0, last);
}

double q_function(double x) {
  return 0.5 * std::erfc(x / std::sqrt(2.0));
}

}  // namespace

TEST_CASE("A Touchstone file whose data end below the signal's Nyquist frequency is refused",
          "[link][config][touchstone]") {
  test::TempDir dir;
  const std::string config = head + "  - {block: touchstone, file: " + dir.path().string() +
                             "/short.s2p}\n  - {block: awgn, snr: 30 dB}\n";
  // 53.125 GBd: Nyquist 26.5625 GHz.
  (void)dir.write("short.s2p", two_port("GHz", 20.0));
  const std::string message = refusal(config);
  INFO(message);
  CHECK_THAT(message, Contains("test.yaml:5"));
  CHECK_THAT(message, Contains("(touchstone).file"));
  CHECK_THAT(message, Contains("the data end at 20 GHz, below the signal's Nyquist frequency "
                               "26.56 GHz"));
  CHECK_THAT(message, !Contains("option line"));  // GHz data: no larger unit would cover it
  // Data written in GHz under a `# Hz` option line: the hint names the likely slip.
  (void)dir.write("short.s2p", two_port("Hz", 30.0));
  CHECK_THAT(refusal(config), Contains("the option line gives the frequencies in Hz; in GHz they "
                                       "would cover the band"));
  // Data to the Nyquist frequency is enough.
  (void)dir.write("short.s2p", two_port("GHz", 26.5625));
  CHECK(refusal(config).empty());
  // The CLI: exit status 2 and the same message.
  (void)dir.write("short.s2p", two_port("GHz", 20.0));
  const std::string path = dir.write("bad.yaml", config);
  const auto result = test::run_optilane("check " + path);
  CHECK(result.exit_status == 2);
  CHECK_THAT(result.output, Contains("bad.yaml:5") && Contains("Nyquist"));
}

TEST_CASE("Settings outside what the simulation holds are refused with their key",
          "[link][config]") {
  // A fibre whose loss leaves the double's useful range: 1e6 km at 0.4 dB/km (O band default).
  const std::string fibre = refusal(head + R"(  - {block: laser, kind: cw, power: 0 dBm}
  - {block: mzm}
  - {block: fiber, length: 1e6 km}
  - {block: photodetector}
)");
  CHECK_THAT(fibre, Contains("test.yaml:7") && Contains("(fiber).length") &&
                        Contains("4e+05 dB of loss") && Contains("at most 300 dB"));
  // A filter at or above half the sample rate (8 × 53.125 GBd / 2 = 212.5 GHz) does nothing.
  const std::string filter = refusal(head + "  - {block: filter, bandwidth: 5 THz}\n");
  CHECK_THAT(filter,
             Contains("test.yaml:5") && Contains("(filter).bandwidth") && Contains("212.5 GHz"));
  CHECK(refusal(head + "  - {block: filter, bandwidth: 200 GHz}\n").empty());
  // A laser of more than 10 W (40 dBm).
  const std::string laser = refusal(head + R"(  - {block: laser, kind: cw, power: 200 dBm}
  - {block: mzm}
  - {block: photodetector}
)");
  CHECK_THAT(laser, Contains("test.yaml:5") && Contains("(laser).power"));
}

// DESIGN.md §3: "a `laser` placed before a modulator supplies that modulator's carrier; a `laser`
// of kind `dfb` with no modulator after it is modulated directly".
TEST_CASE("A DFB laser is a carrier before a modulator and modulated directly without one",
          "[link][config][lasers]") {
  auto describe_laser = [](const std::string& chain) {
    const LinkConfig config = test::config_from_text(head + chain);
    return build_chain(config, 0).front()->describe();
  };
  const std::string carrier = describe_laser(R"(  - {block: laser, kind: dfb}
  - {block: mzm}
  - {block: photodetector}
)");
  CHECK_THAT(carrier, Contains("CW carrier"));
  const std::string direct = describe_laser(R"(  - {block: laser, kind: dfb}
  - {block: photodetector}
)");
  CHECK_THAT(direct, Contains("directly modulated"));
  // An explicit key is kept: a DFB said to be modulated directly cannot feed a modulator.
  CHECK_THAT(refusal(head + R"(  - {block: laser, kind: dfb, direct_modulation: true}
  - {block: mzm}
  - {block: photodetector}
)"),
             Contains("mzm modulates a laser's carrier"));
}

// signal.rlm: the COM symbol levels −1, −R_LM/3, +R_LM/3, +1 (IEEE 802.3 Annex 93A.1.6), whose
// R_LM by cl. 120D.3.1.2 (V_mid = (V0 + V3)/2, ES1 = (V1 − V_mid)/(V0 − V_mid),
// ES2 = (V2 − V_mid)/(V3 − V_mid), R_LM = min(3ES1, 3ES2, 2 − 3ES1, 2 − 3ES2)) is R_LM again. On
// an AWGN lane (no ISI) the semi-analytic BER is the Gray-coded sum over adjacent decisions,
//   BER = (1/8)·Σ_l [Q((t_l − L_l)/σ_l) + Q((L_l − t_(l−1))/σ_l)]   (t_(−1) = −∞, t_3 = +∞),
// with the slicer's thresholds t and the noise σ_l measured per level (two-level jumps are
// Q(> 10) here).
TEST_CASE("signal.rlm sets the PAM4 levels' mismatch, read back as R_LM and in the BER",
          "[link][config][signal]") {
  const double rlm = 0.8;
  const LinkConfig config = test::config_from_text(fmt::format(
      R"(name: rlm
signal: {{format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 4, pattern: prbs13q,
         symbols: 16384, swing: 1 V, rlm: {}}}
chain:
  - {{block: awgn, snr: 24 dB}}
analysis: {{monte_carlo: false, statistical_eye: false}}
)",
      rlm));
  const LinkResult result = run_link(config, 1);
  const SlicerResult& s = result.segments.at(0).lanes.at(0).slicer;
  REQUIRE(s.level_means.size() == 4);
  const double a = 0.5;  // swing/2
  CHECK(s.level_means[0] == Approx(-a).margin(1e-12));
  CHECK(s.level_means[1] == Approx(-a * rlm / 3).margin(1e-12));
  CHECK(s.level_means[2] == Approx(a * rlm / 3).margin(1e-12));
  CHECK(s.level_means[3] == Approx(a).margin(1e-12));
  const double mid = 0.5 * (s.level_means[0] + s.level_means[3]);
  const double es1 = (s.level_means[1] - mid) / (s.level_means[0] - mid);
  const double es2 = (s.level_means[2] - mid) / (s.level_means[3] - mid);
  CHECK(std::min({3 * es1, 3 * es2, 2 - 3 * es1, 2 - 3 * es2}) == Approx(rlm).epsilon(1e-12));
  REQUIRE(s.thresholds.size() == 3);
  REQUIRE(s.noise_rms_per_level.size() == 4);
  double closed = 0.0;
  for (std::size_t l = 0; l < 4; ++l) {
    const double sigma = s.noise_rms_per_level[l], level = s.level_means[l];
    if (l < 3) closed += q_function((s.thresholds[l] - level) / sigma);
    if (l > 0) closed += q_function((level - s.thresholds[l - 1]) / sigma);
  }
  closed /= 8.0;
  INFO("semi-analytic " << s.ber_semi_analytic << ", closed form " << closed);
  REQUIRE(closed > 1e-6);
  // The closed form weighs the levels equally; PRBS13Q's period of 8191 symbols holds one level
  // once less than the others (the missing all-zero state), a 1.2e-4 relative difference.
  CHECK(s.ber_semi_analytic == Approx(closed).epsilon(1e-3));

  CHECK_THAT(refusal(R"(name: x
signal: {format: pam4, symbol_rate: 53.125 GBd, rlm: 1.2}
chain: [{block: awgn, snr: 20 dB}]
)"),
             Contains("test.yaml:2") && Contains("signal.rlm"));
  CHECK_THAT(refusal(R"(name: x
signal: {format: nrz, symbol_rate: 53.125 GBd, rlm: 0.9}
chain: [{block: awgn, snr: 20 dB}]
)"),
             Contains("R_LM is a PAM4 figure"));
}

TEST_CASE("A retimer's line-side PAM4 level settings are refused on an NRZ signal",
          "[link][config][signal]") {
  for (const char* setting : {"tx_rlm: 0.9", "tx_level_shaping: true"}) {
    const std::string message = refusal(fmt::format(R"(name: x
signal: {{format: nrz, symbol_rate: 26.5625 GBd, samples_per_symbol: 8, symbols: 4096}}
chain:
  - {{block: awgn, snr: 20 dB}}
  - {{block: retimer, {}}}
  - {{block: awgn, snr: 20 dB}}
)",
                                                    setting));
    INFO(message);
    CHECK_THAT(message, Contains("(retimer)") && Contains("the signal is NRZ"));
  }
}

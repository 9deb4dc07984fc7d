// Touchstone 1.x reader and mixed-mode conversion (channels/copper/touchstone.hpp).
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <cmath>
#include <filesystem>

#include "channels/copper/touchstone.hpp"
#include "phy/errors.hpp"

using namespace optilane;

namespace {

std::filesystem::path shared_channels() {
  return std::filesystem::path(OPTILANE_SOURCE_DIR) / ".." / "shared" / "channels";
}

double nearest_sdd21_db(const TouchstoneData& data, double f_hz) {
  const auto s = differential_sparams(data, {1, 3, 2, 4});
  std::size_t best = 0;
  for (std::size_t k = 0; k < data.frequency_hz.size(); ++k) {
    if (std::abs(data.frequency_hz[k] - f_hz) < std::abs(data.frequency_hz[best] - f_hz)) best = k;
  }
  return -20.0 * std::log10(std::abs(s[best].s21));
}

/// A 2-port written from a known channel: |S21| = 10^(−IL/20), phase −2π f τ, S11 = 0.1.
std::string synthetic_s2p(const std::string& format, const std::string& unit) {
  std::string text = "! synthetic\n# " + unit + " S " + format + " R 100\n";
  const double scale = unit == "Hz" ? 1.0 : unit == "MHz" ? 1e6 : 1e9;
  for (int k = 0; k <= 10; ++k) {
    const double f = k * 1e9;
    const double il_db = 0.5 * k;
    const double phase_deg = -360.0 * f * 1e-9 * 0.37;
    const std::complex<double> s21 =
        std::polar(std::pow(10.0, -il_db / 20.0), phase_deg * M_PI / 180);
    const std::complex<double> s11(0.1, -0.02);
    const auto pair = [&](std::complex<double> v) {
      if (format == "RI") return fmt::format("{:.12g} {:.12g}", v.real(), v.imag());
      const double mag = std::abs(v), ang = std::arg(v) * 180 / M_PI;
      if (format == "MA") return fmt::format("{:.12g} {:.12g}", mag, ang);
      return fmt::format("{:.12g} {:.12g}", 20 * std::log10(mag), ang);
    };
    text +=
        fmt::format("{:.12g} {} {} {} {}\n", f / scale, pair(s11), pair(s21), pair(s21), pair(s11));
  }
  return text;
}

}  // namespace

TEST_CASE("IEEE 802.3ck reference channels read back with the README's SDD21 losses within 0.05 dB",
          "[channels][touchstone]") {
  // Source: ../shared/channels/README.md (values read at the nearest listed frequency).
  constexpr double tolerance_db = 0.05;  // the README's stated agreement
  if (!std::filesystem::exists(shared_channels() / "README.md")) {
    WARN("../shared/channels absent: reference-channel check skipped");
    return;
  }
  struct Case {
    const char* file;
    double il[3];
  };
  const Case cases[] = {{"CA_19p75dB_thru.s4p", {11.62, 19.75, 35.74}},
                        {"C2M_IL14_THRU.s4p", {7.18, 13.96, NAN}},
                        {"DPO_4in_Meg7_THRU.s4p", {7.03, 12.17, 88.97}}};
  const double freqs[] = {13.28e9, 26.5625e9, 53.125e9};
  for (const auto& c : cases) {
    const TouchstoneData data = read_touchstone((shared_channels() / c.file).string());
    CHECK(data.ports == 4);
    for (int i = 0; i < 3; ++i) {
      if (std::isnan(c.il[i])) continue;
      INFO(c.file << " at " << freqs[i] / 1e9 << " GHz");
      CHECK(nearest_sdd21_db(data, freqs[i]) == Approx(c.il[i]).margin(tolerance_db));
    }
  }
}

TEST_CASE("RI, MA and DB formats and Hz/MHz/GHz units parse to the same S-parameters",
          "[channels][touchstone]") {
  const TouchstoneData ri = parse_touchstone(synthetic_s2p("RI", "GHz"), 2, "ri.s2p");
  for (const auto& [format, unit] : std::vector<std::pair<std::string, std::string>>{
           {"MA", "Hz"}, {"DB", "MHz"}, {"RI", "Hz"}, {"DB", "GHz"}}) {
    const TouchstoneData other = parse_touchstone(synthetic_s2p(format, unit), 2, "x.s2p");
    REQUIRE(other.frequency_hz.size() == ri.frequency_hz.size());
    for (std::size_t k = 0; k < ri.frequency_hz.size(); ++k) {
      CHECK(other.frequency_hz[k] == Approx(ri.frequency_hz[k]).margin(1e-3));
      for (std::size_t j = 0; j < 4; ++j) CHECK(std::abs(other.s[k][j] - ri.s[k][j]) < 1e-9);
    }
  }
  // The 1.x 2-port order is S11 S21 S12 S22; the written S21 reads back as the loss written.
  CHECK(-20 * std::log10(std::abs(ri.at(4, 2, 1))) == Approx(2.0).margin(1e-9));
}

TEST_CASE("A channel written from an analytic model reads back to the same SDD21 between points",
          "[channels][touchstone]") {
  const TouchstoneData data = parse_touchstone(synthetic_s2p("MA", "GHz"), 2, "a.s2p");
  const TwoPortNetwork net =
      sampled_network(data.frequency_hz, differential_sparams(data, {1, 3, 2, 4}), "a");
  // Magnitude is interpolated linearly: exact at data points, within the chord error between them
  // (0.5 dB per GHz step → < 0.01 dB at mid-points).
  CHECK(net.insertion_loss_db(3e9) == Approx(1.5).margin(1e-9));
  CHECK(net.insertion_loss_db(3.5e9) == Approx(1.75).margin(0.01));
  CHECK(std::arg(net.s(3.5e9).s21) ==
        Approx(std::remainder(-2 * M_PI * 3.5e9 * 0.37e-9, 2 * M_PI)).margin(1e-9));
}

TEST_CASE("Malformed Touchstone files fail with their line number", "[channels][touchstone]") {
  const auto message = [](const std::string& text, int ports) {
    try {
      (void)parse_touchstone(text, ports, "bad.sNp");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Bad option line.
  CHECK_THAT(message("! c\n# GHz S XY R 50\n1 0 0 1 0 1 0 0 0\n", 2),
             Catch::Contains("bad.sNp:2") && Catch::Contains("option"));
  CHECK_THAT(message("# GHz Z MA R 50\n1 0 0 1 0 1 0 0 0\n", 2), Catch::Contains("bad.sNp:1"));
  // Non-monotonic frequencies.
  CHECK_THAT(
      message("# GHz S RI R 50\n1 0 0 1 0 1 0 0 0\n2 0 0 1 0 1 0 0 0\n1.5 0 0 1 0 1 0 0 0\n", 2),
      Catch::Contains("bad.sNp:4") && Catch::Contains("increase"));
  // Wrong column count on a 2-port line.
  CHECK_THAT(message("# GHz S RI R 50\n1 0 0 1 0 1 0 0\n", 2),
             Catch::Contains("bad.sNp:2") && Catch::Contains("column"));
  // Truncated 4-port record (wrapped over lines, last line missing).
  std::string four = "# Hz S RI R 50\n";
  four += "0 1 0 0 0 0 0 0 0\n 0 0 1 0 0 0 0 0\n 0 0 0 0 1 0 0 0\n 0 0 0 0 0 0 1 0\n";
  four += "1e9 1 0 0 0 0 0 0 0\n 0 0 1 0 0 0 0 0\n 0 0 0 0 1 0 0 0\n";
  CHECK_THAT(message(four, 4), Catch::Contains("bad.sNp:6") && Catch::Contains("truncated"));
  // Not a number; Touchstone 2 keyword; empty.
  CHECK_THAT(message("# GHz S RI R 50\n1 0 0 x 0 1 0 0 0\n", 2), Catch::Contains("bad.sNp:2"));
  CHECK_THAT(message("[Version] 2.0\n", 2), Catch::Contains("bad.sNp:1"));
  CHECK_THAT(message("! nothing\n", 2), Catch::Contains("no network data"));
}

TEST_CASE("Mixed-mode SDD21 of an ideal differential through is 1 for either port order",
          "[channels][touchstone]") {
  // Ports 1,3 → 2,4: S21 = S43 = 1 (and reciprocal); everything else 0.
  std::string text = "# Hz S RI R 50\n0";
  auto row = [](int r, int a, int b) {
    std::string s;
    for (int c = 1; c <= 4; ++c) s += (c == a || c == b) && r != c ? " 1 0" : " 0 0";
    return s + "\n";
  };
  text += row(1, 2, 0) + row(2, 1, 0) + row(3, 4, 0) + row(4, 3, 0);
  const TouchstoneData data = parse_touchstone(text, 4, "thru.s4p");
  CHECK(std::abs(differential_sparams(data, {1, 3, 2, 4})[0].s21 - 1.0) < 1e-12);
  CHECK(std::abs(differential_sparams(data, {1, 3, 2, 4})[0].s11) < 1e-12);
  CHECK_THROWS_AS(differential_sparams(data, {1, 1, 2, 4}), ParameterError);
}

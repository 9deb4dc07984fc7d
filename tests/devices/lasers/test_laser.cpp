// Tests of the CW / ELS laser (devices/lasers/laser.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <numeric>

#include "../tx_helpers.hpp"
#include "devices/lasers/laser.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {

/// A statistical estimate from 2^17 samples has a relative standard error of about
/// √(2/N) ≈ 0.4 %; the issue asks for 10 %, so 10 % is a generous bound, not a fitted one.
constexpr double statistical_tolerance = 0.10;

Signal drive_chunk(std::size_t n, std::int64_t index = 0) {
  Signal s;
  s.electrical.assign(n, 0.0);
  s.chunk_index = index;
  return s;
}

}  // namespace

TEST_CASE("Laser refuses non-physical settings", "[devices][lasers][laser]") {
  CHECK_THROWS_AS(Laser(LaserParams{.power_w = 0.0}), ParameterError);
  CHECK_THROWS_AS(Laser(LaserParams{.power_w = -1e-3}), ParameterError);
  CHECK_THROWS_AS(Laser(LaserParams{.rin_db_per_hz = 3.0}), ParameterError);
  CHECK_THROWS_AS(Laser(LaserParams{.linewidth_hz = -1.0}), ParameterError);
  CHECK_THROWS_AS(Laser(LaserParams{.wall_plug_efficiency = 1.5}), ParameterError);
  CHECK_THROWS_AS(Laser(LaserParams{.wall_plug_efficiency = 0.0}), ParameterError);
  CHECK_THROWS_AS(Laser(LaserParams{.coupling_loss_db = -1.0}), ParameterError);
  Laser laser(LaserParams{.rin_shape = RinShape::relaxation, .relaxation_frequency_hz = 1e12});
  CHECK_THROWS_AS(laser.prepare(test::tx_lane()), ParameterError);
  CHECK_FALSE(laser.check_input(Domain::optical, false).empty());
  CHECK(laser.check_input(Domain::electrical, false).empty());
}

TEST_CASE("Noiseless laser is a constant carrier at the set power and the lane's wavelength",
          "[devices][lasers][laser]") {
  Laser laser(LaserParams{.power_w = 0.02});
  laser.prepare(test::tx_lane());
  laser.set_noise_enabled(false);
  Signal s = drive_chunk(4096);
  laser.process(s);
  CHECK(s.domain == Domain::electrical);
  CHECK(s.has_carrier);
  CHECK(s.wavelength_m == 1311e-9);
  REQUIRE(s.optical.size() == 4096);
  for (const auto& e : s.optical) {
    REQUIRE(std::norm(e) == Approx(0.02).epsilon(1e-12));
    REQUIRE(std::arg(e) == Approx(0.0).margin(1e-12));
  }
  CHECK(laser.supplies_carrier(false));
}

TEST_CASE("ELS delivers its power less the fibre-coupling loss; power = P/WPE + TEC",
          "[devices][lasers][laser]") {
  // Hand calculation: 100 mW at 25 % WPE = 400 mW, plus 0.5 W TEC; 1.25 dB → 74.99 mW out.
  Laser els(LaserParams{.els = true,
                        .power_w = 0.1,
                        .wall_plug_efficiency = 0.25,
                        .tec_power_w = 0.5,
                        .coupling_loss_db = 1.25});
  CHECK(els.output_power_w() == Approx(0.1 * std::pow(10.0, -0.125)).epsilon(1e-12));
  const auto items = els.power();
  const double total = std::accumulate(items.begin(), items.end(), 0.0,
                                       [](double a, const PowerItem& p) { return a + p.power_w; });
  CHECK(total == Approx(0.9).epsilon(1e-12));
  for (const auto& item : items) CHECK(item.category == PowerCategory::laser);
}

TEST_CASE("Laser noise is reproducible: a clone and a reset give identical fields",
          "[devices][lasers][laser]") {
  Laser laser(LaserParams{.rin_db_per_hz = -140.0, .rin_shape = RinShape::relaxation});
  laser.prepare(test::tx_lane());
  auto copy = laser.clone();
  Signal a = drive_chunk(2048, 3), b = drive_chunk(2048, 3), c = drive_chunk(2048, 3);
  laser.process(a);
  copy->process(b);
  laser.reset();
  laser.process(c);
  for (std::size_t i = 0; i < a.optical.size(); ++i) {
    REQUIRE(a.optical[i] == b.optical[i]);
    REQUIRE(a.optical[i] == c.optical[i]);
  }
}

TEST_CASE("CW laser reproduces its set RIN and linewidth within 10 %", "[devices][lasers][laser]") {
  // RIN one-sided: var(δ) = RIN·fs/2 for white δ (one-sided convention). Linewidth of a Wiener
  // phase: var(Δφ per sample) = 2π·Δν·T (Henry 1982).
  const LaneContext lane = test::tx_lane();
  const double fs = lane.sample_rate_hz();
  Laser laser(LaserParams{.power_w = 0.05, .rin_db_per_hz = -150.0, .linewidth_hz = 2e6});
  laser.prepare(lane);
  double sum_d = 0.0, sum_d2 = 0.0, sum_dphi2 = 0.0;
  std::size_t count = 0;
  std::complex<double> previous{};
  for (int chunk = 0; chunk < 16; ++chunk) {
    Signal s = drive_chunk(8192, chunk);
    laser.process(s);
    for (const auto& e : s.optical) {
      const double d = std::norm(e) / 0.05 - 1.0;
      sum_d += d;
      sum_d2 += d * d;
      if (count > 0) {
        const double dphi = std::arg(e * std::conj(previous));
        sum_dphi2 += dphi * dphi;
      }
      previous = e;
      ++count;
    }
  }
  const double mean = sum_d / count;
  const double var = sum_d2 / count - mean * mean;
  const double rin_measured = var / (fs / 2.0);
  CHECK(power_ratio_to_db(rin_measured) ==
        Approx(-150.0).margin(power_ratio_to_db(1.0 + statistical_tolerance)));
  const double linewidth = sum_dphi2 / (count - 1) * fs / (2.0 * pi);
  CHECK(linewidth == Approx(2e6).epsilon(statistical_tolerance));
}

TEST_CASE("Relaxation-shaped RIN peaks near the relaxation frequency", "[devices][lasers][laser]") {
  // |H(f)|² = f_r⁴ / ((f_r² − f²)² + (fγ/2π)²) peaks at f_p = √(f_r² − (γ/2π)²/2)
  // (Coldren et al. §5.5). Averaged periodogram of δ, 1024-point segments.
  const LaneContext lane = test::tx_lane(26.5625e9, 8);  // fs = 212.5 GHz
  const double fs = lane.sample_rate_hz();
  const double fr = 10e9, gamma = 2.0 * pi * 4e9;
  Laser laser(LaserParams{.power_w = 0.01,
                          .rin_db_per_hz = -145.0,
                          .rin_shape = RinShape::relaxation,
                          .relaxation_frequency_hz = fr,
                          .damping_rate_per_s = gamma,
                          .linewidth_hz = 0.0});
  laser.prepare(lane);
  constexpr std::size_t segment = 1024;
  const std::size_t max_bin = static_cast<std::size_t>(20e9 / fs * segment);
  std::vector<double> psd(max_bin, 0.0);
  int segments = 0;
  for (int chunk = 0; chunk < 96; ++chunk) {
    Signal s = drive_chunk(segment, chunk);
    laser.process(s);
    if (chunk < 4) continue;  // FIR start-up
    for (std::size_t k = 1; k < max_bin; ++k) {
      std::complex<double> acc{};
      const double w = -2.0 * pi * static_cast<double>(k) / segment;
      for (std::size_t i = 0; i < segment; ++i) {
        acc += (std::norm(s.optical[i]) / 0.01 - 1.0) * std::polar(1.0, w * static_cast<double>(i));
      }
      psd[k] += std::norm(acc);
    }
    ++segments;
  }
  // Smooth over 5 bins (about 1 GHz) and find the peak.
  double best = 0.0, best_f = 0.0;
  for (std::size_t k = 3; k + 2 < max_bin; ++k) {
    const double v = psd[k - 2] + psd[k - 1] + psd[k] + psd[k + 1] + psd[k + 2];
    if (v > best) {
      best = v;
      best_f = static_cast<double>(k) * fs / segment;
    }
  }
  const double f_peak = std::sqrt(fr * fr - 0.5 * std::pow(gamma / (2.0 * pi), 2));
  // Resolution 0.21 GHz, smoothing 1 GHz, and a broad peak (Q ≈ 2.5): 10 % of f_p.
  CHECK(best_f == Approx(f_peak).epsilon(0.10));
  // The set spectrum at the peak matches the closed form.
  CHECK(laser.rin_spectrum_per_hz(f_peak) / laser.rin_spectrum_per_hz(0.0) ==
        Approx(1.0 / (std::pow(gamma / (2 * pi) / fr, 2) *
                      (1.0 - 0.25 * std::pow(gamma / (2 * pi) / fr, 2))))
            .epsilon(1e-9));
}

#include <catch2/catch.hpp>

#include <cmath>

#include "channels/optical/optical_attenuator.hpp"
#include "channels/optical/optical_connector.hpp"
#include "phy/errors.hpp"
#include "tests/support/optical_helpers.hpp"

using namespace optilane;
using optilane::test::run_optical;
using optilane::test::test_lane;
using optilane::test::variance_of;

namespace {
// 4000 chunks, each with an independent uniform phase: the variance of cos θ is estimated to
// 0.71/√4000 ≈ 1.1 % (one standard error); 5 % is four and a half of those.
constexpr double mpi_variance_tolerance = 0.05;
}  // namespace

TEST_CASE("Optical attenuator and connector refuse bad parameters", "[channels][connector]") {
  CHECK_THROWS_AS(OpticalAttenuatorBlock(OpticalAttenuatorParams{.loss_db = -1.0}), ParameterError);
  CHECK_THROWS_AS(OpticalConnectorBlock(OpticalConnectorParams{.loss_db = -0.1}), ParameterError);
  CHECK_THROWS_AS(OpticalConnectorBlock(OpticalConnectorParams{.reflectance_db = 3.0}),
                  ParameterError);
  CHECK_THROWS_AS(OpticalConnectorBlock(
                      OpticalConnectorParams{.reflectance_db = -30.0, .reflection_spacing_m = 0.0}),
                  ParameterError);
}

TEST_CASE("Attenuator and connector losses are exact; 0 dB is the identity",
          "[channels][connector]") {
  const LaneContext lane = test_lane();
  std::vector<Complex> field;
  for (int i = 0; i < 3000; ++i) field.emplace_back(std::polar(0.02 + 0.001 * (i % 9), 0.3 * i));
  OpticalAttenuatorBlock none(OpticalAttenuatorParams{.loss_db = 0.0});
  CHECK(run_optical(none, field, lane.sample_rate_hz(), lane.wavelength_m).optical == field);
  OpticalAttenuatorBlock att(OpticalAttenuatorParams{.loss_db = 7.5});
  OpticalConnectorBlock con(OpticalConnectorParams{.loss_db = 0.35});
  con.prepare(lane);
  const auto a = run_optical(att, field, lane.sample_rate_hz(), lane.wavelength_m).optical;
  const auto c = run_optical(con, field, lane.sample_rate_hz(), lane.wavelength_m).optical;
  for (std::size_t i = 0; i < field.size(); i += 37) {
    CHECK(std::norm(a[i]) == Approx(std::norm(field[i]) * std::pow(10.0, -0.75)).epsilon(1e-13));
    CHECK(std::norm(c[i]) == Approx(std::norm(field[i]) * std::pow(10.0, -0.035)).epsilon(1e-13));
  }
}

TEST_CASE("MPI power variance on a CW input is 2·R1R2·P² (incoherent interferometric noise)",
          "[channels][connector]") {
  const double reflectance_db = -20.0;  // R1R2 = 1e-4
  OpticalConnectorBlock con(OpticalConnectorParams{
      .loss_db = 0.0, .reflectance_db = reflectance_db, .reflection_spacing_m = 0.01});
  const LaneContext lane = test_lane();
  con.prepare(lane);
  REQUIRE(con.delay_samples() == 83);  // 2·1.4677·1 cm / c · 850 GS/s = 83.2
  const double p = 1e-3;
  const std::size_t chunk = 256, chunks = 4000;
  const std::vector<Complex> field(chunk * chunks, Complex(std::sqrt(p), 0.0));
  const Signal out = run_optical(con, field, lane.sample_rate_hz(), lane.wavelength_m, chunk);
  std::vector<double> power;  // one settled sample per chunk (after the echo arrives)
  for (std::size_t k = 1; k < chunks; ++k) power.push_back(std::norm(out.optical[k * chunk + 200]));
  const double r1r2 = 1e-4;
  CHECK(variance_of(power) == Approx(2.0 * r1r2 * p * p).epsilon(mpi_variance_tolerance));
  SECTION("and with MPI off only the loss remains") {
    con.reset();
    con.set_noise_mask(all_noise & ~static_cast<unsigned>(NoiseKind::mpi));
    const Signal quiet = run_optical(con, field, lane.sample_rate_hz(), lane.wavelength_m, chunk);
    CHECK(std::norm(quiet.optical[5000]) == Approx(p).epsilon(1e-14));
  }
}

TEST_CASE("Optical connector copies and resets deterministically", "[channels][connector]") {
  OpticalConnectorBlock con(
      OpticalConnectorParams{.reflectance_db = -25.0, .reflection_spacing_m = 0.05});
  const LaneContext lane = test_lane();
  con.prepare(lane);
  std::vector<Complex> field;
  for (int i = 0; i < 20000; ++i) field.emplace_back(std::sqrt(1e-3 * (1 + (i / 16) % 4)), 0.0);
  auto copy = con.clone();
  const auto a = run_optical(con, field, lane.sample_rate_hz(), lane.wavelength_m, 4096).optical;
  const auto b = run_optical(*copy, field, lane.sample_rate_hz(), lane.wavelength_m, 4096).optical;
  con.reset();
  const auto c = run_optical(con, field, lane.sample_rate_hz(), lane.wavelength_m, 4096).optical;
  CHECK(a == b);
  CHECK(a == c);
}

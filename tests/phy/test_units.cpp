#include <catch2/catch.hpp>

#include "phy/errors.hpp"
#include "phy/units.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {
// Unit conversions are exact decimal scalings; 1e-12 relative covers double rounding.
constexpr double exact = 1e-12;
}  // namespace

TEST_CASE("every listed unit parses to SI", "[phy][units]") {
  struct Case {
    const char* text;
    Dimension dimension;
    double si;
  };
  const Case cases[] = {
      {"53.125 GBd", Dimension::symbol_rate, 53.125e9},
      {"10 kBd", Dimension::symbol_rate, 1e4},
      {"2 MBd", Dimension::symbol_rate, 2e6},
      {"1 Bd", Dimension::symbol_rate, 1.0},
      {"60 GHz", Dimension::frequency, 60e9},
      {"1 THz", Dimension::frequency, 1e12},
      {"5 MHz", Dimension::frequency, 5e6},
      {"3 kHz", Dimension::frequency, 3e3},
      {"7 Hz", Dimension::frequency, 7.0},
      {"500 m", Dimension::length, 500.0},
      {"2 km", Dimension::length, 2000.0},
      {"5 mm", Dimension::length, 5e-3},
      {"3 um", Dimension::length, 3e-6},
      {"3 µm", Dimension::length, 3e-6},
      {"1311 nm", Dimension::length, 1311e-9},
      {"1 W", Dimension::power, 1.0},
      {"20 mW", Dimension::power, 20e-3},
      {"5 uW", Dimension::power, 5e-6},
      {"5 µW", Dimension::power, 5e-6},
      {"0 dBm", Dimension::power, 1e-3},
      {"13 dBm", Dimension::power, 1e-3 * std::pow(10.0, 1.3)},
      {"3 dB", Dimension::ratio_db, 3.0},
      {"-150 dB/Hz", Dimension::per_hz_db, -150.0},
      {"0.8 A/W", Dimension::responsivity, 0.8},
      {"2 mA", Dimension::current, 2e-3},
      {"1 A", Dimension::current, 1.0},
      {"15 pA/rtHz", Dimension::current_density, 15e-12},
      {"15 pA/√Hz", Dimension::current_density, 15e-12},
      {"0.8 V", Dimension::voltage, 0.8},
      {"400 mV", Dimension::voltage, 0.4},
      {"50 ohm", Dimension::resistance, 50.0},
      {"1 s", Dimension::time, 1.0},
      {"10 ps", Dimension::time, 10e-12},
      {"100 fs", Dimension::time, 100e-15},
      {"0.4 dB/km", Dimension::attenuation, 0.4e-3},
      {"2 dB/m", Dimension::attenuation, 2.0},
      {"1 dB/inch", Dimension::attenuation, 1.0 / 0.0254},
      {"17 ps/nm/km", Dimension::dispersion, 17e-6},
      {"0.092 ps/nm^2/km", Dimension::dispersion_slope, 92.0},
      {"1.8 V*cm", Dimension::voltage_length, 0.018},
      {"16 pm/V", Dimension::length_per_voltage, 16e-12},
      {"2.5 pJ/bit", Dimension::energy_per_bit, 2.5e-12},
      {"25 degC", Dimension::temperature, 298.15},
      {"42", Dimension::length, 42.0},
      {"+3 dB", Dimension::ratio_db, 3.0},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(parse_quantity(c.text, c.dimension) == Approx(c.si).epsilon(exact));
  }
}

TEST_CASE("a unit of the wrong dimension is refused with the accepted units", "[phy][units]") {
  CHECK_THROWS_WITH(parse_quantity("2 km", Dimension::frequency),
                    Contains("'km' is a length") && Contains("GHz"));
  CHECK_THROWS_WITH(parse_quantity("13 dBm", Dimension::ratio_db), Contains("a power"));
}

TEST_CASE("junk, unknown units, NaN and Inf are refused", "[phy][units]") {
  CHECK_THROWS_AS(parse_quantity("", Dimension::length), InputError);
  CHECK_THROWS_WITH(parse_quantity("five km", Dimension::length),
                    Contains("does not start with a number"));
  CHECK_THROWS_WITH(parse_quantity("5 furlongs", Dimension::length), Contains("unknown unit"));
  CHECK_THROWS_WITH(parse_quantity("nan", Dimension::length), Contains("finite"));
  CHECK_THROWS_WITH(parse_quantity("inf m", Dimension::length), Contains("finite"));
  CHECK_THROWS_AS(parse_quantity("5 KM", Dimension::length), InputError);  // case matters
}

TEST_CASE("decibel conversions keep power and field ratios apart", "[phy][units]") {
  CHECK(db_to_power_ratio(10.0) == Approx(10.0));
  CHECK(db_to_field_ratio(20.0) == Approx(10.0));
  CHECK(power_ratio_to_db(2.0) == Approx(3.0103).epsilon(1e-4));
  CHECK(w_to_dbm(dbm_to_w(-7.3)) == Approx(-7.3));
  static_assert(speed_of_light_m_per_s == 299'792'458.0);
}

// Units layer: SI inside, engineering units only at the edges (STYLE.md habit 3).
//
// A quantity in a config is a plain number in SI units or a string "<number> <unit>". The parser
// checks the unit's dimension against what the key expects and converts once to SI. Logarithmic
// units are kept apart: a level in dBm converts to watts (it is a power), whereas a ratio in dB
// stays a ratio in dB (dimension `ratio_db`), as does a relative intensity noise in dB/Hz.
#pragma once

#include <cmath>
#include <numbers>
#include <string>
#include <string_view>

namespace optilane {

// Physical constants (CODATA 2018, exact where SI defines them).
inline constexpr double speed_of_light_m_per_s = 299'792'458.0;
inline constexpr double elementary_charge_c = 1.602'176'634e-19;
inline constexpr double planck_constant_j_s = 6.626'070'15e-34;
inline constexpr double boltzmann_constant_j_per_k = 1.380'649e-23;
inline constexpr double pi = std::numbers::pi;

/// What a config key measures. Each value lists the units it accepts in units.cpp.
enum class Dimension {
  dimensionless,       ///< plain number, no unit (or "%": 50 % = 0.5)
  symbol_rate,         ///< Bd
  bit_rate,            ///< b/s
  frequency,           ///< Hz
  length,              ///< m (also wavelength)
  time,                ///< s
  power,               ///< W; accepts dBm (level)
  ratio_db,            ///< dB (a ratio, not converted)
  per_hz_db,           ///< dB/Hz (RIN)
  responsivity,        ///< A/W
  current,             ///< A
  current_density,     ///< A/sqrt(Hz) (input-referred noise)
  voltage,             ///< V
  voltage_density,     ///< V/sqrt(Hz)
  resistance,          ///< ohm
  capacitance,         ///< F
  inductance,          ///< H
  attenuation,         ///< dB/m (accepts dB/km, dB/inch, dB/cm)
  dispersion,          ///< s/m^2 (accepts ps/nm/km)
  dispersion_slope,    ///< s/m^3 (accepts ps/nm^2/km)
  voltage_length,      ///< V*m (accepts V*cm, V.cm, V-cm)
  length_per_voltage,  ///< m/V (accepts pm/V, nm/V)
  length_per_power,    ///< m/W (accepts pm/mW, nm/mW)
  energy_per_bit,      ///< J/bit (accepts pJ/bit, fJ/bit)
  temperature,         ///< K (accepts degC)
  angle,               ///< rad (accepts deg)
};

/// Human-readable name of a dimension with its SI unit, for error messages and docs.
[[nodiscard]] std::string_view dimension_name(Dimension dimension);

/// Parses "<number> [unit]" and returns the value in SI units (or dB for ratio_db / per_hz_db).
/// Throws InputError naming the text, the expected dimension and the units it accepts; the caller
/// adds file, line and key.
[[nodiscard]] double parse_quantity(std::string_view text, Dimension expected);

/// The units accepted for a dimension, e.g. "Hz, kHz, MHz, GHz, THz".
[[nodiscard]] std::string accepted_units(Dimension dimension);

// Decibel conversions: power ratios and field (amplitude) ratios use differently named functions
// (STYLE.md habit 4).
[[nodiscard]] inline double db_to_power_ratio(double db) {
  return std::pow(10.0, db / 10.0);
}
[[nodiscard]] inline double power_ratio_to_db(double ratio) {
  return 10.0 * std::log10(ratio);
}
[[nodiscard]] inline double db_to_field_ratio(double db) {
  return std::pow(10.0, db / 20.0);
}
[[nodiscard]] inline double field_ratio_to_db(double ratio) {
  return 20.0 * std::log10(ratio);
}
[[nodiscard]] inline double dbm_to_w(double dbm) {
  return 1e-3 * std::pow(10.0, dbm / 10.0);
}
[[nodiscard]] inline double w_to_dbm(double w) {
  return 10.0 * std::log10(w / 1e-3);
}

/// Optical carrier frequency of a vacuum wavelength.
[[nodiscard]] inline double wavelength_to_frequency_hz(double wavelength_m) {
  return speed_of_light_m_per_s / wavelength_m;
}

}  // namespace optilane

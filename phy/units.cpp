#include "phy/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string>

#include "phy/errors.hpp"

namespace optilane {
namespace {

enum class Scale { linear, dbm, celsius, percent };

struct UnitEntry {
  std::string_view symbol;
  Dimension dimension;
  double to_si;  ///< multiply the number by this to get SI (linear units)
  Scale scale = Scale::linear;
};

constexpr double inch_m = 0.0254;

// Symbols are case-sensitive (mW is not MW). "rtHz" and "√Hz" both mean sqrt(Hz).
constexpr std::array unit_table{
    UnitEntry{"%", Dimension::dimensionless, 0.01, Scale::percent},
    UnitEntry{"Bd", Dimension::symbol_rate, 1.0},
    UnitEntry{"kBd", Dimension::symbol_rate, 1e3},
    UnitEntry{"MBd", Dimension::symbol_rate, 1e6},
    UnitEntry{"GBd", Dimension::symbol_rate, 1e9},
    UnitEntry{"b/s", Dimension::bit_rate, 1.0},
    UnitEntry{"kb/s", Dimension::bit_rate, 1e3},
    UnitEntry{"Mb/s", Dimension::bit_rate, 1e6},
    UnitEntry{"Gb/s", Dimension::bit_rate, 1e9},
    UnitEntry{"Gbps", Dimension::bit_rate, 1e9},
    UnitEntry{"Tb/s", Dimension::bit_rate, 1e12},
    UnitEntry{"Hz", Dimension::frequency, 1.0},
    UnitEntry{"kHz", Dimension::frequency, 1e3},
    UnitEntry{"MHz", Dimension::frequency, 1e6},
    UnitEntry{"GHz", Dimension::frequency, 1e9},
    UnitEntry{"THz", Dimension::frequency, 1e12},
    UnitEntry{"m", Dimension::length, 1.0},
    UnitEntry{"km", Dimension::length, 1e3},
    UnitEntry{"cm", Dimension::length, 1e-2},
    UnitEntry{"mm", Dimension::length, 1e-3},
    UnitEntry{"um", Dimension::length, 1e-6},
    UnitEntry{"µm", Dimension::length, 1e-6},
    UnitEntry{"nm", Dimension::length, 1e-9},
    UnitEntry{"pm", Dimension::length, 1e-12},
    UnitEntry{"inch", Dimension::length, inch_m},
    UnitEntry{"in", Dimension::length, inch_m},
    UnitEntry{"mil", Dimension::length, inch_m * 1e-3},
    UnitEntry{"s", Dimension::time, 1.0},
    UnitEntry{"ms", Dimension::time, 1e-3},
    UnitEntry{"us", Dimension::time, 1e-6},
    UnitEntry{"µs", Dimension::time, 1e-6},
    UnitEntry{"ns", Dimension::time, 1e-9},
    UnitEntry{"ps", Dimension::time, 1e-12},
    UnitEntry{"fs", Dimension::time, 1e-15},
    UnitEntry{"W", Dimension::power, 1.0},
    UnitEntry{"mW", Dimension::power, 1e-3},
    UnitEntry{"uW", Dimension::power, 1e-6},
    UnitEntry{"µW", Dimension::power, 1e-6},
    UnitEntry{"nW", Dimension::power, 1e-9},
    UnitEntry{"dBm", Dimension::power, 1.0, Scale::dbm},
    UnitEntry{"dB", Dimension::ratio_db, 1.0},
    UnitEntry{"dB/Hz", Dimension::per_hz_db, 1.0},
    UnitEntry{"A/W", Dimension::responsivity, 1.0},
    UnitEntry{"mA/W", Dimension::responsivity, 1e-3},
    UnitEntry{"A", Dimension::current, 1.0},
    UnitEntry{"mA", Dimension::current, 1e-3},
    UnitEntry{"uA", Dimension::current, 1e-6},
    UnitEntry{"µA", Dimension::current, 1e-6},
    UnitEntry{"nA", Dimension::current, 1e-9},
    UnitEntry{"pA", Dimension::current, 1e-12},
    UnitEntry{"A/rtHz", Dimension::current_density, 1.0},
    UnitEntry{"pA/rtHz", Dimension::current_density, 1e-12},
    UnitEntry{"pA/√Hz", Dimension::current_density, 1e-12},
    UnitEntry{"pA/sqrt(Hz)", Dimension::current_density, 1e-12},
    UnitEntry{"A/√Hz", Dimension::current_density, 1.0},
    UnitEntry{"V", Dimension::voltage, 1.0},
    UnitEntry{"mV", Dimension::voltage, 1e-3},
    UnitEntry{"uV", Dimension::voltage, 1e-6},
    UnitEntry{"Vpp", Dimension::voltage, 1.0},
    UnitEntry{"mVpp", Dimension::voltage, 1e-3},
    UnitEntry{"mVppd", Dimension::voltage, 1e-3},
    UnitEntry{"Vppd", Dimension::voltage, 1.0},
    UnitEntry{"V/rtHz", Dimension::voltage_density, 1.0},
    UnitEntry{"nV/rtHz", Dimension::voltage_density, 1e-9},
    UnitEntry{"nV/√Hz", Dimension::voltage_density, 1e-9},
    UnitEntry{"ohm", Dimension::resistance, 1.0},
    UnitEntry{"Ohm", Dimension::resistance, 1.0},
    UnitEntry{"Ω", Dimension::resistance, 1.0},
    UnitEntry{"kohm", Dimension::resistance, 1e3},
    UnitEntry{"kΩ", Dimension::resistance, 1e3},
    UnitEntry{"F", Dimension::capacitance, 1.0},
    UnitEntry{"pF", Dimension::capacitance, 1e-12},
    UnitEntry{"fF", Dimension::capacitance, 1e-15},
    UnitEntry{"H", Dimension::inductance, 1.0},
    UnitEntry{"nH", Dimension::inductance, 1e-9},
    UnitEntry{"pH", Dimension::inductance, 1e-12},
    UnitEntry{"dB/m", Dimension::attenuation, 1.0},
    UnitEntry{"dB/km", Dimension::attenuation, 1e-3},
    UnitEntry{"dB/cm", Dimension::attenuation, 1e2},
    UnitEntry{"dB/mm", Dimension::attenuation, 1e3},
    UnitEntry{"dB/inch", Dimension::attenuation, 1.0 / inch_m},
    UnitEntry{"dB/in", Dimension::attenuation, 1.0 / inch_m},
    // 1 ps/(nm km) = 1e-12 s / (1e-9 m * 1e3 m) = 1e-6 s/m^2
    UnitEntry{"ps/nm/km", Dimension::dispersion, 1e-6},
    UnitEntry{"ps/(nm*km)", Dimension::dispersion, 1e-6},
    // 1 ps/(nm^2 km) = 1e-12 / (1e-18 * 1e3) = 1e3 s/m^3
    UnitEntry{"ps/nm^2/km", Dimension::dispersion_slope, 1e3},
    UnitEntry{"ps/nm2/km", Dimension::dispersion_slope, 1e3},
    UnitEntry{"ps/(nm^2*km)", Dimension::dispersion_slope, 1e3},
    UnitEntry{"V*m", Dimension::voltage_length, 1.0},
    UnitEntry{"V*cm", Dimension::voltage_length, 1e-2},
    UnitEntry{"V.cm", Dimension::voltage_length, 1e-2},
    UnitEntry{"V-cm", Dimension::voltage_length, 1e-2},
    UnitEntry{"V·cm", Dimension::voltage_length, 1e-2},
    UnitEntry{"V*mm", Dimension::voltage_length, 1e-3},
    UnitEntry{"m/V", Dimension::length_per_voltage, 1.0},
    UnitEntry{"nm/V", Dimension::length_per_voltage, 1e-9},
    UnitEntry{"pm/V", Dimension::length_per_voltage, 1e-12},
    UnitEntry{"m/W", Dimension::length_per_power, 1.0},
    UnitEntry{"nm/mW", Dimension::length_per_power, 1e-9 / 1e-3},
    UnitEntry{"pm/mW", Dimension::length_per_power, 1e-12 / 1e-3},
    UnitEntry{"nm/W", Dimension::length_per_power, 1e-9},
    UnitEntry{"J/bit", Dimension::energy_per_bit, 1.0},
    UnitEntry{"pJ/bit", Dimension::energy_per_bit, 1e-12},
    UnitEntry{"pJ/b", Dimension::energy_per_bit, 1e-12},
    UnitEntry{"fJ/bit", Dimension::energy_per_bit, 1e-15},
    UnitEntry{"fJ/b", Dimension::energy_per_bit, 1e-15},
    UnitEntry{"K", Dimension::temperature, 1.0},
    UnitEntry{"degC", Dimension::temperature, 1.0, Scale::celsius},
    UnitEntry{"°C", Dimension::temperature, 1.0, Scale::celsius},
    UnitEntry{"rad", Dimension::angle, 1.0},
    UnitEntry{"deg", Dimension::angle, pi / 180.0},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const UnitEntry* find_unit(std::string_view symbol) {
  for (const auto& entry : unit_table) {
    if (entry.symbol == symbol) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string_view dimension_name(Dimension dimension) {
  switch (dimension) {
    case Dimension::dimensionless:
      return "a plain number";
    case Dimension::symbol_rate:
      return "a symbol rate (Bd)";
    case Dimension::bit_rate:
      return "a bit rate (b/s)";
    case Dimension::frequency:
      return "a frequency (Hz)";
    case Dimension::length:
      return "a length (m)";
    case Dimension::time:
      return "a time (s)";
    case Dimension::power:
      return "a power (W or dBm)";
    case Dimension::ratio_db:
      return "a ratio in dB";
    case Dimension::per_hz_db:
      return "a noise level in dB/Hz";
    case Dimension::responsivity:
      return "a responsivity (A/W)";
    case Dimension::current:
      return "a current (A)";
    case Dimension::current_density:
      return "a noise current density (A/rtHz)";
    case Dimension::voltage:
      return "a voltage (V)";
    case Dimension::voltage_density:
      return "a noise voltage density (V/rtHz)";
    case Dimension::resistance:
      return "a resistance (ohm)";
    case Dimension::capacitance:
      return "a capacitance (F)";
    case Dimension::inductance:
      return "an inductance (H)";
    case Dimension::attenuation:
      return "an attenuation (dB/m)";
    case Dimension::dispersion:
      return "a dispersion (ps/nm/km)";
    case Dimension::dispersion_slope:
      return "a dispersion slope (ps/nm^2/km)";
    case Dimension::voltage_length:
      return "a modulation efficiency V*length (V*cm)";
    case Dimension::length_per_voltage:
      return "a tuning efficiency (pm/V)";
    case Dimension::length_per_power:
      return "a thermal tuning efficiency (pm/mW)";
    case Dimension::energy_per_bit:
      return "an energy per bit (pJ/bit)";
    case Dimension::temperature:
      return "a temperature (K or degC)";
    case Dimension::angle:
      return "an angle (rad or deg)";
  }
  return "a quantity";
}

std::string accepted_units(Dimension dimension) {
  std::string list;
  for (const auto& entry : unit_table) {
    if (entry.dimension != dimension) continue;
    if (!list.empty()) list += ", ";
    list += entry.symbol;
  }
  return list.empty() ? std::string("no unit") : list;
}

double parse_quantity(std::string_view text, Dimension expected) {
  const std::string_view trimmed = trim(text);
  const auto fail = [&](const std::string& why) -> InputError {
    return InputError("'" + std::string(text) + "' is not " +
                      std::string(dimension_name(expected)) + ": " + why);
  };
  if (trimmed.empty()) throw fail("empty value");

  double number = 0.0;
  const char* begin = trimmed.data();
  const char* end = trimmed.data() + trimmed.size();
  if (*begin == '+') ++begin;  // from_chars does not take a leading '+'
  const auto [ptr, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || ptr == begin) throw fail("it does not start with a number");
  if (!std::isfinite(number)) throw fail("the number must be finite (no NaN or Inf)");

  const std::string_view unit = trim(std::string_view(ptr, static_cast<std::size_t>(end - ptr)));
  // A plain number is already in SI (or dB for ratio_db / per_hz_db).
  if (unit.empty()) return number;
  const UnitEntry* entry = find_unit(unit);
  if (entry == nullptr) {
    throw fail("unknown unit '" + std::string(unit) +
               "'; expected one of: " + accepted_units(expected));
  }
  if (entry->dimension != expected) {
    throw fail("'" + std::string(unit) + "' is " + std::string(dimension_name(entry->dimension)) +
               "; expected one of: " + accepted_units(expected));
  }
  switch (entry->scale) {
    case Scale::dbm:
      return dbm_to_w(number);
    case Scale::celsius:
      return number + 273.15;
    case Scale::percent:
    case Scale::linear:
      return number * entry->to_si;
  }
  return number * entry->to_si;
}

}  // namespace optilane

#include "devices/modulators/mzm.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstring>
#include <memory>

#include "devices/modulators/intensity_modulator.hpp"
#include "phy/design_cache.hpp"
#include "phy/errors.hpp"
#include "phy/fast_sin.hpp"
#include "phy/filter_design.hpp"
#include "phy/simd.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

constexpr double db_per_neper = 8.685889638065035;  // 20/ln 10
/// x with (1 − e^{−x})/x = 1/√2: the loss (Np) at the EO 3-dB point of a velocity-matched
/// electrode.
constexpr double velocity_matched_3db_np = 0.738369;

/// field[i] *= loss·sin(½(bias + k·drive[i])) by fast_sin: a loop the compiler vectorises, to AVX2
/// where the CPU has it (phy/simd.hpp; the same values bit for bit).
OPTILANE_SIMD_CLONES void fast_sine_transfer(const double* drive, std::complex<double>* field,
                                             std::size_t count, double loss, double k,
                                             double bias) {
  for (std::size_t i = 0; i < count; ++i) field[i] *= loss * fast_sin(0.5 * (bias + k * drive[i]));
}

}  // namespace

MzmParams MzmParams::read(ParamReader& reader) {
  MzmParams p;
  p.vpi_l_v_m = reader.quantity(
      "vpi_l", Dimension::voltage_length, p.vpi_l_v_m,
      "Modulation efficiency VπL (push-pull). Default 1.8 V·cm, an assumption between the imec "
      "ISIPP50G 1.7 and the AMF 2.2 V·cm O-band devices (figures.md §2.3, secondary).",
      Range::positive());
  p.length_m = reader.quantity("length", Dimension::length, p.length_m,
                               "Phase-shifter and electrode length. Default 3 mm, an assumption "
                               "(no device length retrieved): Vpi = 6 V at the default VpiL.",
                               Range::positive());
  p.rf_loss_db_per_m = reader.quantity(
      "rf_loss", Dimension::attenuation, p.rf_loss_db_per_m,
      "RF loss of the travelling-wave electrode at rf_loss_frequency (scales as √f). Default "
      "20 dB/cm at 50 GHz, chosen so a 3 mm electrode has the closed-form EO bandwidth ≈ 57 GHz, "
      "inside the 40-60 GHz production range (figures.md §2.3, unverified).",
      Range::non_negative());
  p.rf_loss_frequency_hz =
      reader.quantity("rf_loss_frequency", Dimension::frequency, p.rf_loss_frequency_hz,
                      "Frequency at which rf_loss is given. Default 50 GHz.", Range::positive());
  p.index_mismatch = reader.quantity(
      "index_mismatch", Dimension::dimensionless, p.index_mismatch,
      "RF index minus optical group index (velocity mismatch). Default 0: velocity matched.");
  p.bias_rad = reader.quantity("bias", Dimension::angle, p.bias_rad,
                               "Bias phase difference θ_b between the arms. Default 90 deg "
                               "(quadrature).");
  p.insertion_loss_db = reader.quantity(
      "insertion_loss", Dimension::ratio_db, p.insertion_loss_db,
      "Optical insertion loss. Default 3 dB (figures.md §2.3: 2.1-4.6 dB, secondary).",
      Range::non_negative());
  p.swing_v = reader.quantity("swing", Dimension::voltage, p.swing_v,
                              "Nominal differential drive swing (peak-to-peak) for the driver "
                              "power and pre-distortion. Default 2 V, an assumption near the "
                              "1.8 Vppd of the Intel 224 Gb/s modulator (figures.md §2.3, S).",
                              Range::positive());
  p.predistortion =
      reader.flag("predistortion", false,
                  "Pre-distort the drive so PAM4 optical levels are equally spaced "
                  "at quadrature (inverse of the sine transfer at the nominal swing).");
  p.termination_ohm = reader.quantity("termination", Dimension::resistance, p.termination_ohm,
                                      "Electrode termination. Default 50 Ω.", Range::positive());
  p.driver_efficiency = reader.quantity(
      "driver_efficiency", Dimension::dimensionless, p.driver_efficiency,
      "Power in the termination over the driver's supply power. Default 0.25, an assumption (no "
      "driver datasheet retrieved): a back-terminated linear driver sends at most half its output "
      "power to the line, and its bias headroom halves that again.",
      {.min = 0.0, .max = 1.0, .min_exclusive = true});
  return p;
}

Mzm::Mzm(const MzmParams& params) : params_(params) {
  auto positive = [](const char* key, double value, const char* unit) {
    if (!(value > 0.0) || !std::isfinite(value)) {
      throw ParameterError(key, fmt::format("mzm.{} = {} {} must be > 0", key, value, unit));
    }
  };
  positive("vpi_l", params_.vpi_l_v_m, "V·m");
  positive("length", params_.length_m, "m");
  positive("rf_loss_frequency", params_.rf_loss_frequency_hz, "Hz");
  positive("swing", params_.swing_v, "V");
  positive("termination", params_.termination_ohm, "ohm");
  if (!(params_.rf_loss_db_per_m >= 0.0)) {
    throw ParameterError(
        "rf_loss", fmt::format("mzm.rf_loss = {} dB/m must be >= 0", params_.rf_loss_db_per_m));
  }
  if (!(params_.insertion_loss_db >= 0.0)) {
    throw ParameterError("insertion_loss", fmt::format("mzm.insertion_loss = {} dB must be >= 0",
                                                       params_.insertion_loss_db));
  }
  if (!(params_.driver_efficiency > 0.0 && params_.driver_efficiency <= 1.0)) {
    throw ParameterError(
        "driver_efficiency",
        fmt::format("mzm.driver_efficiency = {} must be in (0, 1]", params_.driver_efficiency));
  }
  if (params_.predistortion && params_.swing_v >= vpi_v()) {
    throw ParameterError("swing", fmt::format("mzm.swing = {} V must be below Vπ = {:.3g} V for "
                                              "pre-distortion",
                                              params_.swing_v, vpi_v()));
  }
}

std::complex<double> Mzm::electrode_response(double frequency_hz) const {
  const double f = std::abs(frequency_hz);
  const double alpha_np_per_m =
      params_.rf_loss_db_per_m / db_per_neper * std::sqrt(f / params_.rf_loss_frequency_hz);
  const std::complex<double> gamma_l(
      alpha_np_per_m * params_.length_m,
      2.0 * pi * frequency_hz * params_.index_mismatch / speed_of_light_m_per_s * params_.length_m);
  if (std::abs(gamma_l) < 1e-9) return 1.0;
  return (1.0 - std::exp(-gamma_l)) / gamma_l;
}

double mzm_velocity_matched_bandwidth_hz(const MzmParams& params) {
  const double loss_np_at_ref = params.rf_loss_db_per_m / db_per_neper * params.length_m;
  const double ratio = velocity_matched_3db_np / loss_np_at_ref;
  return params.rf_loss_frequency_hz * ratio * ratio;
}

void Mzm::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  bits_per_symbol_ = lane.bits_per_symbol;
  electrode_ = HeldFirFilter();
  delay_samples_ = 0.0;
  if (params_.rf_loss_db_per_m > 0.0 || params_.index_mismatch != 0.0) {
    const std::shared_ptr<const FirDesign> design = electrode_design(lane.sample_rate_hz());
    electrode_ = HeldFirFilter(design->taps, lane.samples_per_symbol);
    delay_samples_ = design->delay_samples;
  }
}

std::shared_ptr<const FirDesign> Mzm::electrode_design(double sample_rate_hz) const {
  // The design samples H(f) on a 2^18-point grid and transforms it: a chain is built several
  // times per lane (its noise-budget and sensitivity re-runs) and per sweep point, always with the
  // same electrode, so designs are kept per (electrode parameters, sample rate). A cached design
  // is the very vector a fresh one would compute. At most 32 designs (≈ 128 kB each).
  using Key = std::array<double, 5>;
  static DesignCache<Key, std::shared_ptr<const FirDesign>, 32> cache;
  const Key key{params_.rf_loss_db_per_m, params_.rf_loss_frequency_hz, params_.length_m,
                params_.index_mismatch, sample_rate_hz};
  auto design_now = [&] {
    return std::make_shared<const FirDesign>(
        design_fir([this](double f) { return electrode_response(f); }, sample_rate_hz,
                   /*zero_phase=*/true, 1e-9, 16384));
  };
  const bool cacheable =
      std::all_of(key.begin(), key.end(), [](double field) { return std::isfinite(field); });
  return cache.get(key, cacheable, design_now);
}

void Mzm::reset() {
  if (!electrode_.empty()) electrode_.reset();
}

double Mzm::predistort(double drive_v) const {
  if (!params_.predistortion) return drive_v;
  const double a = pi * params_.swing_v / (2.0 * vpi_v());
  const double x = std::clamp(2.0 * drive_v / params_.swing_v * std::sin(a), -1.0, 1.0);
  return vpi_v() / pi * std::asin(x);
}

double Mzm::transmission(double drive_v) const {
  const double s = std::sin(0.5 * (params_.bias_rad + pi * drive_v / vpi_v()));
  return s * s;
}

void Mzm::apply_transfer(std::span<const double> drive_v, std::span<std::complex<double>> field,
                         std::span<std::complex<double>> twin_field) const {
  // E_out = E_in·√IL·sin(θ_b/2 + πV/2Vπ) (header), the sine by fast_sin (phy/fast_sin.hpp: within
  // 4 ulp of 1 of sin, in a loop the compiler vectorises). A drive beyond its argument range (|V|
  // of order 1e6·Vπ, or not finite) takes std::sin for the chunk.
  const double field_loss = db_to_field_ratio(-params_.insertion_loss_db);
  const double k = pi / vpi_v();
  const double bias = params_.bias_rad;
  bool in_range = true;
  for (const double v : drive_v) in_range &= fast_sin_in_range(0.5 * (bias + k * v));
  if (in_range) {
    fast_sine_transfer(drive_v.data(), field.data(), field.size(), field_loss, k, bias);
    fast_sine_transfer(drive_v.data(), twin_field.data(), twin_field.size(), field_loss, k, bias);
    return;
  }
  for (std::size_t i = 0; i < field.size(); ++i) {
    field[i] *= field_loss * std::sin(0.5 * (bias + k * drive_v[i]));
  }
  for (std::size_t i = 0; i < twin_field.size(); ++i) {
    twin_field[i] *= field_loss * std::sin(0.5 * (bias + k * drive_v[i]));
  }
}

void Mzm::process(Signal& chunk) {
  if (params_.predistortion) {
    for (double& v : chunk.electrical) v = predistort(v);
  }
  if (!electrode_.empty()) {
    electrode_.process(chunk.electrical, chunk.electrical, chunk.first_sample);
  }
  apply_transfer(chunk.electrical, chunk.optical, {});
  chunk.domain = Domain::optical;
  chunk.has_carrier = false;
}

void Mzm::process_twin(Signal& noisy, Block& twin_block, Signal& clean) {
  auto* twin = dynamic_cast<Mzm*>(&twin_block);
  const bool shared = twin != nullptr && twin->params_ == params_ &&
                      noisy.electrical.size() == clean.electrical.size() &&
                      noisy.optical.size() == clean.optical.size() &&
                      noisy.optical.size() == noisy.electrical.size() &&
                      std::memcmp(noisy.electrical.data(), clean.electrical.data(),
                                  noisy.electrical.size() * sizeof(double)) == 0 &&
                      (electrode_.empty() || electrode_.same_state(twin->electrode_));
  if (!shared) {
    process(noisy);
    twin_block.process(clean);
    return;
  }
  // The same computation as process() on each, done once: the drive, its filtering and the
  // transfer are bit for bit those the twin would compute.
  if (params_.predistortion) {
    for (double& v : noisy.electrical) v = predistort(v);
  }
  if (!electrode_.empty()) {
    electrode_.process(noisy.electrical, noisy.electrical, noisy.first_sample);
    twin->electrode_.copy_state_from(electrode_);
  }
  std::copy(noisy.electrical.begin(), noisy.electrical.end(), clean.electrical.begin());
  apply_transfer(noisy.electrical, noisy.optical, clean.optical);
  for (Signal* chunk : {&noisy, &clean}) {
    chunk->domain = Domain::optical;
    chunk->has_carrier = false;
  }
}

std::string Mzm::describe() const {
  return fmt::format(
      "mzm: VπL {:.3g} V·cm, L {:.3g} mm (Vπ {:.3g} V), electrode {:.3g} dB/cm at {:.3g} GHz "
      "(EO BW {:.3g} GHz velocity-matched), bias {:.1f} deg, IL {:.2f} dB{}",
      params_.vpi_l_v_m * 100.0, params_.length_m * 1e3, vpi_v(), params_.rf_loss_db_per_m / 100.0,
      params_.rf_loss_frequency_hz / 1e9,
      params_.rf_loss_db_per_m > 0.0 ? mzm_velocity_matched_bandwidth_hz(params_) / 1e9 : INFINITY,
      params_.bias_rad * 180.0 / pi, params_.insertion_loss_db,
      params_.predistortion ? ", pre-distorted" : "");
}

std::vector<PowerItem> Mzm::power() const {
  const double peak = params_.swing_v / 2.0;
  const double mean_square = bits_per_symbol_ == 2 ? peak * peak * 5.0 / 9.0 : peak * peak;
  const double p_term = mean_square / params_.termination_ohm;
  return {{PowerCategory::driver, p_term / params_.driver_efficiency,
           fmt::format("<v²>/R_term / η = {:.3g} V² / {:.3g} Ω / {:.2f}", mean_square,
                       params_.termination_ohm, params_.driver_efficiency)}};
}

std::string Mzm::check_input(Domain input, bool has_carrier) const {
  return modulator_input_problem("mzm", input, has_carrier);
}

// Figures for validation: Vπ, the EO 3-dB bandwidth found on the electrode response |H(f)| = 1/√2
// (includes the index mismatch), the insertion loss and the static transmission at a drive.
std::optional<double> Mzm::metric(std::string_view name, double argument) const {
  if (name == "vpi_v") return vpi_v();
  if (name == "insertion_loss_db") return params_.insertion_loss_db;
  if (name == "eo_bandwidth_hz") {
    const double target = 1.0 / std::sqrt(2.0);
    double lo = 0.0, hi = 1e9;
    while (std::abs(electrode_response(hi)) > target) {
      lo = hi;
      hi *= 2.0;
      if (hi > 1e14) return std::nullopt;
    }
    for (int i = 0; i < 80; ++i) {
      const double m = 0.5 * (lo + hi);
      (std::abs(electrode_response(m)) > target ? lo : hi) = m;
    }
    return 0.5 * (lo + hi);
  }
  if (name == "transmission") return transmission(argument);
  return std::nullopt;
}

std::vector<std::string> Mzm::metric_names() const {
  return {"vpi_v", "eo_bandwidth_hz", "insertion_loss_db", "transmission (argument: drive V)"};
}

}  // namespace optilane

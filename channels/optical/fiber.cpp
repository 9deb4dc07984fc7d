#include "channels/optical/fiber.hpp"

#include <fmt/format.h>
#include <cmath>
#include <functional>

#include "phy/errors.hpp"
#include "phy/fft.hpp"
#include "phy/filter_design.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

/// Complex FIR of an all-pass-times-loss response by frequency sampling on an N-point grid,
/// truncated to the centred window holding all but 1e-12 of the impulse response's energy, and
/// scaled so the DC response equals H(0) exactly (the loss is exact). Returns the taps and the
/// centre (delay) index.
std::pair<std::vector<Complex>, std::size_t> design_complex_fir(
    const std::function<Complex(double)>& response, double sample_rate_hz, std::size_t grid) {
  std::vector<Complex> bins(grid);
  for (std::size_t k = 0; k < grid; ++k) {
    const double index =
        k < grid / 2 ? static_cast<double>(k) : static_cast<double>(k) - static_cast<double>(grid);
    bins[k] = response(index * sample_rate_hz / static_cast<double>(grid));
  }
  const std::vector<Complex> h = ifft(bins);
  double total = 0.0;
  for (const auto& v : h) total += std::norm(v);
  std::size_t half = 0;
  double inside = std::norm(h[0]);
  while (inside < (1.0 - 1e-12) * total && 2 * half + 3 <= grid) {
    ++half;
    inside += std::norm(h[half]) + std::norm(h[grid - half]);
  }
  std::vector<Complex> taps(2 * half + 1);
  Complex sum(0.0, 0.0);
  for (std::size_t i = 0; i <= 2 * half; ++i) {
    const auto n = static_cast<std::ptrdiff_t>(i) - static_cast<std::ptrdiff_t>(half);
    taps[i] = h[static_cast<std::size_t>((n + static_cast<std::ptrdiff_t>(grid)) %
                                         static_cast<std::ptrdiff_t>(grid))];
    sum += taps[i];
  }
  const Complex dc = response(0.0);
  for (auto& t : taps) t *= dc / sum;
  return {std::move(taps), half};
}

}  // namespace

FiberParams FiberParams::read(ParamReader& reader) {
  FiberParams p;
  p.length_m =
      reader.required_quantity("length", Dimension::length, "Fibre length.", Range::non_negative());
  p.attenuation_db_per_m = reader.optional_quantity(
      "attenuation", Dimension::attenuation,
      "Attenuation; default 0.4 dB/km below 1450 nm (IEEE link model, OS2; figures.md §2.7) and "
      "0.28 dB/km above (cabled G.652/G.657 maximum at 1550 nm, §2.7).",
      Range::non_negative());
  p.zero_dispersion_wavelength_m =
      reader.optional_quantity("zero_dispersion_wavelength", Dimension::length,
                               "λ0; default from `corner` (G.652: 1300–1324 nm, figures.md §2.7).",
                               Range::between(1000e-9, 2000e-9));
  p.corner = reader.choice(
      "corner", "typical", {"typical", "min", "max"},
      "G.652 corner used when λ0 is not given: typical λ0 = 1312 nm; min λ0 = 1324 nm (Dmin); "
      "max λ0 = 1300 nm (Dmax) (figures.md §2.7).");
  p.dispersion_slope_s_per_m3 = reader.quantity(
      "dispersion_slope", Dimension::dispersion_slope, 0.092e3,
      "Zero-dispersion slope S0. Default 0.092 ps/nm^2/km (G.652 maximum, figures.md §2.7).",
      Range::non_negative());
  p.dispersion_s_per_m2 = reader.optional_quantity(
      "dispersion", Dimension::dispersion,
      "Dispersion D at the lane's wavelength; overrides λ0 and S0 (no dispersion slope then).");
  p.nonlinear = reader.flag("nonlinear", false, "Kerr nonlinearity by split-step.");
  p.gamma_per_w_m =
      reader.quantity("gamma", Dimension::dimensionless, 1.3,
                      "Nonlinear coefficient γ in 1/(W·km). Default 1.3 (standard SMF at 1550 nm, "
                      "Agrawal, Nonlinear Fiber Optics §2.3).",
                      Range::non_negative()) *
      1e-3;
  p.steps = static_cast<int>(reader.integer("steps", 20, "Split-step sections (nonlinear only).",
                                            Range::between(1, 10000)));
  return p;
}

FiberBlock::FiberBlock(const FiberParams& params) : params_(params) {
  if (!(params_.length_m >= 0.0) || !std::isfinite(params_.length_m)) {
    throw ParameterError("length",
                         fmt::format("fiber.length = {} m must be >= 0", params_.length_m));
  }
  if (params_.attenuation_db_per_m && !(*params_.attenuation_db_per_m >= 0.0)) {
    throw ParameterError("attenuation", fmt::format("fiber.attenuation = {} dB/km must be >= 0",
                                                    *params_.attenuation_db_per_m * 1e3));
  }
  if (params_.zero_dispersion_wavelength_m && !(*params_.zero_dispersion_wavelength_m > 0.0)) {
    throw ParameterError("zero_dispersion_wavelength",
                         "fiber.zero_dispersion_wavelength must be > 0");
  }
  if (params_.corner != "typical" && params_.corner != "min" && params_.corner != "max") {
    throw ParameterError("corner", "fiber.corner must be typical, min or max");
  }
  if (!(params_.dispersion_slope_s_per_m3 >= 0.0)) {
    throw ParameterError("dispersion_slope", "fiber.dispersion_slope must be >= 0");
  }
  if (params_.dispersion_s_per_m2 && !std::isfinite(*params_.dispersion_s_per_m2)) {
    throw ParameterError("dispersion", "fiber.dispersion must be finite");
  }
  if (!(params_.gamma_per_w_m >= 0.0) || params_.steps < 1) {
    throw ParameterError(params_.steps < 1 ? "steps" : "gamma",
                         "fiber.gamma must be >= 0 and fiber.steps >= 1");
  }
}

void FiberBlock::check_signal(const LaneContext& lane) const {
  const double loss_db = attenuation_db_per_m(lane.wavelength_m) * params_.length_m;
  if (!(loss_db <= max_loss_db)) {
    throw ParameterError(
        "length", fmt::format("fiber.length = {:g} km gives {:.4g} dB of loss at {:.1f} nm "
                              "({:g} dB/km); at most {:g} dB is simulated (no link closes there)",
                              params_.length_m * 1e-3, loss_db, lane.wavelength_m * 1e9,
                              attenuation_db_per_m(lane.wavelength_m) * 1e3, max_loss_db));
  }
}

double FiberBlock::zero_dispersion_wavelength_m() const {
  if (params_.zero_dispersion_wavelength_m) return *params_.zero_dispersion_wavelength_m;
  if (params_.corner == "min") return 1324e-9;
  if (params_.corner == "max") return 1300e-9;
  return 1312e-9;
}

double FiberBlock::dispersion_at(double wavelength_m) const {
  if (params_.dispersion_s_per_m2) return *params_.dispersion_s_per_m2;
  const double l0 = zero_dispersion_wavelength_m();
  const double l = wavelength_m;
  return params_.dispersion_slope_s_per_m3 / 4.0 * (l - std::pow(l0, 4) / std::pow(l, 3));
}

double FiberBlock::beta2_at(double wavelength_m) const {
  return -dispersion_at(wavelength_m) * wavelength_m * wavelength_m /
         (2.0 * pi * speed_of_light_m_per_s);
}

double FiberBlock::attenuation_db_per_m(double wavelength_m) const {
  if (params_.attenuation_db_per_m) return *params_.attenuation_db_per_m;
  return wavelength_m < 1450e-9 ? 0.4e-3 : 0.28e-3;
}

void FiberBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  design(lane.wavelength_m);
}

void FiberBlock::design(double wavelength_m) {
  wavelength_m_ = wavelength_m;
  const double fs = lane_.sample_rate_hz();
  const double l = wavelength_m;
  const double d = dispersion_at(l);
  const double slope =
      params_.dispersion_s_per_m2
          ? 0.0
          : params_.dispersion_slope_s_per_m3 / 4.0 *
                (1.0 + 3.0 * std::pow(zero_dispersion_wavelength_m(), 4) / std::pow(l, 4));
  const double beta2 = beta2_at(l);
  const double scale = l * l / (2.0 * pi * speed_of_light_m_per_s);
  const double beta3 = scale * scale * (slope + 2.0 * d / l);
  const double alpha_db = attenuation_db_per_m(l);
  loss_db_ = alpha_db * params_.length_m;

  const int sections = params_.nonlinear ? 2 * params_.steps : 1;
  const double h = params_.length_m / (params_.nonlinear ? 2.0 * params_.steps : 1.0);
  // Grid: at least 4x the dispersive spread |β2|·h·2π·fs² (+ β3's), and 1024.
  const double spread =
      (std::abs(beta2) * 2.0 * pi * fs + std::abs(beta3) * 2.0 * pi * pi * fs * fs) * fs * h;
  const std::size_t grid =
      next_power_of_two(std::max<std::size_t>(1024, static_cast<std::size_t>(8.0 * spread) + 256));
  const double field_gain = db_to_field_ratio(-alpha_db * h);
  auto response = [&](double f) {
    const double w = 2.0 * pi * f;
    const double phase = beta2 * w * w * h / 2.0 + beta3 * w * w * w * h / 6.0;
    // The dispersive phase tapered to 0 at ±fs/2 (phy/filter_design.hpp): |H| exact everywhere,
    // the phase exact where the signal is, and no jump at fs/2 to leave a slowly decaying tail.
    return field_gain * std::exp(Complex(0.0, -phase * nyquist_phase_window(f, fs)));
  };
  sections_.clear();
  delay_samples_ = 0.0;
  if (h == 0.0) {
    field_gain_ = 1.0;
    return;
  }
  auto [taps, centre] = design_complex_fir(response, fs, grid);
  for (int s = 0; s < sections; ++s) sections_.emplace_back(taps);
  delay_samples_ = static_cast<double>(centre) * sections;
  nonlinear_phase_per_w_ = params_.gamma_per_w_m * 2.0 * h;
  field_gain_ = field_gain;
}

void FiberBlock::process(Signal& chunk) {
  if (chunk.wavelength_m > 0.0 && std::abs(chunk.wavelength_m - wavelength_m_) > 1e-12) {
    // A laser set its own wavelength: redesign once for it (the first chunk).
    design(chunk.wavelength_m);
  }
  auto& e = chunk.optical;
  if (sections_.empty()) return;
  if (!params_.nonlinear) {
    sections_[0].process(e, e);
    return;
  }
  for (std::size_t s = 0; s < sections_.size(); s += 2) {
    sections_[s].process(e, e);
    for (auto& v : e) v *= std::exp(Complex(0.0, -nonlinear_phase_per_w_ * std::norm(v)));
    sections_[s + 1].process(e, e);
  }
}

void FiberBlock::reset() {
  for (auto& s : sections_) s.reset();
}

std::string FiberBlock::check_input(Domain input, bool has_carrier) const {
  if (has_carrier) return "fiber: the laser's carrier has no modulator before the fibre";
  return input == Domain::optical ? std::string()
                                  : "fiber needs an optical input (place it after the modulator)";
}

std::string FiberBlock::describe() const {
  return fmt::format(
      "fiber: {:.4g} m at {:.2f} nm, {:.3g} dB/km ({:.3g} dB), D = {:.3g} ps/nm/km{}",
      params_.length_m, wavelength_m_ * 1e9, attenuation_db_per_m(wavelength_m_) * 1e3, loss_db_,
      dispersion_at(wavelength_m_) * 1e6,
      params_.nonlinear ? fmt::format(", Kerr γ = {:.3g} /W/km, {} steps",
                                      params_.gamma_per_w_m * 1e3, params_.steps)
                        : std::string());
}

// Figures for validation (link/validation.hpp). `argument` is a wavelength (0: the designed one)
// for the dispersion and attenuation figures, and the null index k = 0, 1, … for
// dispersion_null_hz, which is found on the designed FIR itself: the small-signal intensity
// response of a chirp-free signal is Re[G(f) + G*(−f)]/(2|G(0)|), G the FIR's response with its
// bulk delay removed (cos(β2ω²L/2) in closed form), and the k-th null is its k-th sign change.
std::optional<double> FiberBlock::metric(std::string_view name, double argument) const {
  const double wavelength = argument > 0.0 ? argument : wavelength_m_;
  if (name == "dispersion_ps_per_nm_km") return dispersion_at(wavelength) * 1e6;
  if (name == "dispersion_ps_per_nm")
    return dispersion_at(wavelength) * 1e6 * params_.length_m * 1e-3;
  if (name == "attenuation_db_per_km") return attenuation_db_per_m(wavelength) * 1e3;
  if (name == "insertion_loss_db") return loss_db_;
  if (name == "dispersion_null_hz") {
    if (sections_.empty() || params_.nonlinear) return std::nullopt;
    const double fs = lane_.sample_rate_hz();
    auto response = [&](double f) {
      Complex g(1.0, 0.0);
      for (const auto& section : sections_) {
        Complex sum(0.0, 0.0);
        const auto& taps = section.taps();
        for (std::size_t n = 0; n < taps.size(); ++n) {
          sum += taps[n] * std::exp(Complex(0.0, -2.0 * pi * f * static_cast<double>(n) / fs));
        }
        g *= sum;
      }
      return g * std::exp(Complex(0.0, 2.0 * pi * f * delay_samples_ / fs));
    };
    const double g0 = std::abs(response(0.0));
    auto im = [&](double f) { return (response(f) + std::conj(response(-f))).real() / (2.0 * g0); };
    const int wanted = static_cast<int>(std::lround(argument));
    const double step = fs / 4000.0;
    int found = -1;
    double f_lo = step, v_lo = im(f_lo);
    // Below 0.3·fs the phase of the designed response is exact (the taper starts at 0.6·fs/2).
    for (double f = 2.0 * step; f < 0.3 * fs; f += step) {
      const double v = im(f);
      if ((v < 0.0) != (v_lo < 0.0) && ++found == wanted) {
        double a = f_lo, b = f;
        for (int i = 0; i < 60; ++i) {
          const double m = 0.5 * (a + b);
          if ((im(m) < 0.0) == (v_lo < 0.0))
            a = m;
          else
            b = m;
        }
        return 0.5 * (a + b);
      }
      f_lo = f;
      v_lo = v;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::vector<std::string> FiberBlock::metric_names() const {
  return {"dispersion_ps_per_nm_km", "dispersion_ps_per_nm", "attenuation_db_per_km",
          "insertion_loss_db", "dispersion_null_hz"};
}

}  // namespace optilane

#include "phy/filter_design.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "phy/design_cache.hpp"
#include "phy/errors.hpp"
#include "phy/fft.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

using Cplx = std::complex<double>;

/// Coefficients of the reverse Bessel polynomial θ_n, lowest power first.
std::vector<double> bessel_coefficients(int n) {
  std::vector<double> c(static_cast<std::size_t>(n) + 1);
  for (int k = 0; k <= n; ++k) {
    // (2n−k)! / (2^(n−k) k! (n−k)!) computed in logs to stay finite.
    const double log_c = std::lgamma(2.0 * n - k + 1) - (n - k) * std::log(2.0) -
                         std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
    c[static_cast<std::size_t>(k)] = std::exp(log_c);
  }
  return c;
}

Cplx bessel_normalised(int n, const std::vector<double>& c, double w) {
  // H(jw) with ω_0 = 1: θ_n(0)/θ_n(jw).
  Cplx s(0.0, w), power(1.0, 0.0), sum(0.0, 0.0);
  for (double coefficient : c) {
    sum += coefficient * power;
    power *= s;
  }
  (void)n;
  return c[0] / sum;
}

/// ω at which the unit Bessel filter of order n is 3 dB down (bisection, done once per order).
double bessel_3db(int n, const std::vector<double>& c) {
  double lo = 0.0, hi = 10.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (std::norm(bessel_normalised(n, c, mid)) > 0.5)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

Cplx butterworth(int n, double x) {
  // H(s) = Π 1/(s − p_k), s = jx, poles on the unit circle in the left half plane.
  Cplx s(0.0, x), h(1.0, 0.0);
  for (int k = 0; k < n; ++k) {
    const double angle = pi * (2.0 * k + n + 1) / (2.0 * n);
    const Cplx pole(std::cos(angle), std::sin(angle));
    h *= -pole / (s - pole);  // −p_k normalises H(0) to 1 (product of −p_k over k is 1)
  }
  return h;
}

}  // namespace

FilterShape parse_filter_shape(std::string_view name) {
  if (name == "bessel") return FilterShape::bessel;
  if (name == "butterworth") return FilterShape::butterworth;
  if (name == "gaussian") return FilterShape::gaussian;
  if (name == "raised_cosine") return FilterShape::raised_cosine;
  if (name == "brick_wall") return FilterShape::brick_wall;
  throw ParameterError("shape", "unknown filter shape '" + std::string(name) + "'");
}

std::string_view filter_shape_name(FilterShape shape) {
  switch (shape) {
    case FilterShape::bessel:
      return "bessel";
    case FilterShape::butterworth:
      return "butterworth";
    case FilterShape::gaussian:
      return "gaussian";
    case FilterShape::raised_cosine:
      return "raised_cosine";
    case FilterShape::brick_wall:
      return "brick_wall";
  }
  return "?";
}

bool is_zero_phase(FilterShape shape) {
  return shape == FilterShape::gaussian || shape == FilterShape::raised_cosine ||
         shape == FilterShape::brick_wall;
}

Cplx filter_response(const FilterSpec& spec, double frequency_hz) {
  const double f = std::abs(frequency_hz);
  const double b = spec.bandwidth_hz;
  Cplx h;
  switch (spec.shape) {
    case FilterShape::bessel: {
      // Cache per thread: coefficients and 3-dB point depend only on the order.
      thread_local int cached_order = -1;
      thread_local std::vector<double> c;
      thread_local double w3 = 1.0;
      if (cached_order != spec.order) {
        c = bessel_coefficients(spec.order);
        w3 = bessel_3db(spec.order, c);
        cached_order = spec.order;
      }
      h = bessel_normalised(spec.order, c, w3 * f / b);
      break;
    }
    case FilterShape::butterworth:
      h = butterworth(spec.order, f / b);
      break;
    case FilterShape::gaussian:
      h = std::exp(-0.5 * std::log(2.0) * (f / b) * (f / b));
      break;
    case FilterShape::raised_cosine: {
      const double beta = spec.rolloff;
      const double f1 = (1.0 - beta) * b, f2 = (1.0 + beta) * b;
      if (f <= f1)
        h = 1.0;
      else if (f >= f2)
        h = 0.0;
      else
        h = 0.5 * (1.0 + std::cos(pi * (f - f1) / (2.0 * beta * b)));
      break;
    }
    case FilterShape::brick_wall:
      h = f <= b ? 1.0 : 0.0;
      break;
  }
  return frequency_hz < 0.0 ? std::conj(h) : h;
}

double nyquist_phase_window(double frequency_hz, double sample_rate_hz) {
  const double x = std::abs(frequency_hz) / (sample_rate_hz / 2.0);
  if (x <= 0.6) return 1.0;
  if (x >= 1.0) return 0.0;
  return 0.5 * (1.0 + std::cos(pi * (x - 0.6) / 0.4));
}

namespace {

FirDesign design_fir_on_grid(const std::function<Cplx(double)>& response, double sample_rate_hz,
                             bool zero_phase, double energy_tolerance, std::size_t max_taps,
                             bool remove_nyquist_step) {
  // Fine grid: at least 16x the maximum length so truncation, not grid aliasing, sets the error.
  const std::size_t grid = std::max<std::size_t>(1u << 16, next_power_of_two(16 * max_taps));
  FftPlan inverse(FftPlan::Kind::real_inverse, grid);
  auto bins = inverse.spectrum();
  // design_analog_fir: H_w = H − j·Im H(fs/2)·(1 − w), w = nyquist_phase_window, real at fs/2.
  const double im_nyquist = remove_nyquist_step ? response(sample_rate_hz / 2.0).imag() : 0.0;
  for (std::size_t k = 0; k < bins.size(); ++k) {
    const double f = static_cast<double>(k) * sample_rate_hz / static_cast<double>(grid);
    bins[k] = response(f);
    if (remove_nyquist_step) {
      bins[k] -= Cplx(0.0, im_nyquist * (1.0 - nyquist_phase_window(f, sample_rate_hz)));
    }
  }
  bins[bins.size() - 1] = bins[bins.size() - 1].real();  // the Nyquist bin of a real signal
  inverse.execute();
  std::vector<double> h(inverse.real().begin(), inverse.real().end());
  for (double& v : h) v /= static_cast<double>(grid);

  const double total = std::inner_product(h.begin(), h.end(), h.begin(), 0.0);
  if (!(total > 0.0)) throw ParameterError("bandwidth", "filter response is zero everywhere");
  FirDesign design;
  if (zero_phase) {
    // Centred at index 0 (wrapped): grow a symmetric window until the energy outside is small.
    std::size_t half = 0;
    double inside = h[0] * h[0];
    while (inside < (1.0 - energy_tolerance) * total && 2 * half + 1 < max_taps) {
      ++half;
      inside += h[half] * h[half] + h[grid - half] * h[grid - half];
    }
    design.taps.resize(2 * half + 1);
    for (std::size_t i = 0; i <= 2 * half; ++i) {
      const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(i) - static_cast<std::ptrdiff_t>(half);
      design.taps[i] = h[static_cast<std::size_t>((n + static_cast<std::ptrdiff_t>(grid)) %
                                                  static_cast<std::ptrdiff_t>(grid))];
    }
    design.delay_samples = static_cast<double>(half);
    design.dropped_energy = std::max(0.0, total - inside) / total;
  } else {
    // Causal response: most energy at n >= 0. Frequency sampling up to fs/2 of a response that has
    // not died out there (a first-order pole) leaves a short pre-response at negative time
    // (wrapped to the end of the grid); keep it, with the matching delay, rather than drop it.
    const double budget = energy_tolerance * total;
    // Walk from the earliest candidate (a quarter grid before n = 0) towards n = 0, dropping
    // samples while their summed energy stays within half the budget. Plain frequency sampling of
    // an analog response leaves a step at fs/2 that makes the pre-response ring like 1/n, so there
    // it is capped at max_pre samples (which hold all but ~1e-4 of its energy at 16 samples per
    // symbol); design_analog_fir's pre-response decays as 1/n² and is kept to the budget.
    constexpr std::size_t max_pre = 64;
    std::size_t keep_pre = remove_nyquist_step ? std::min(grid / 4, max_taps / 2)
                                               : std::min<std::size_t>(grid / 4, max_pre);
    for (double dropped = 0.0; keep_pre > 0; --keep_pre) {
      const double e = h[grid - keep_pre] * h[grid - keep_pre];
      if (dropped + e > 0.5 * budget) break;
      dropped += e;
    }
    std::size_t length = 0;
    double inside = 0.0;
    if (remove_nyquist_step) {
      // All but `energy_tolerance` of the whole energy kept, pre-response and tail together.
      double kept_pre = 0.0;
      for (std::size_t i = 1; i <= keep_pre; ++i) kept_pre += h[grid - i] * h[grid - i];
      while (total - kept_pre - inside > budget && keep_pre + length < max_taps) {
        inside += h[length] * h[length];
        ++length;
      }
    } else {
      double causal = 0.0;
      for (std::size_t i = 0; i < grid / 2; ++i) causal += h[i] * h[i];
      while (inside < causal * (1.0 - energy_tolerance) && keep_pre + length < max_taps) {
        inside += h[length] * h[length];
        ++length;
      }
    }
    design.taps.reserve(keep_pre + length);
    for (std::size_t i = 0; i < keep_pre; ++i) design.taps.push_back(h[grid - keep_pre + i]);
    design.taps.insert(design.taps.end(), h.begin(),
                       h.begin() + static_cast<std::ptrdiff_t>(length));
    // Group delay at DC: Σ n h[n] / Σ h[n].
    const double sum = std::accumulate(design.taps.begin(), design.taps.end(), 0.0);
    double moment = 0.0;
    for (std::size_t n = 0; n < design.taps.size(); ++n) moment += n * design.taps[n];
    design.delay_samples = sum != 0.0 ? moment / sum : 0.0;
    double dropped = 0.0;  // summed directly: total minus the kept energy would lose digits
    for (std::size_t i = length; i < grid - keep_pre; ++i) dropped += h[i] * h[i];
    design.dropped_energy = dropped / total;
  }
  return design;
}

}  // namespace

FirDesign design_fir(const std::function<Cplx(double)>& response, double sample_rate_hz,
                     bool zero_phase, double energy_tolerance, std::size_t max_taps) {
  return design_fir_on_grid(response, sample_rate_hz, zero_phase, energy_tolerance, max_taps,
                            /*remove_nyquist_step=*/false);
}

FirDesign design_analog_fir(const FilterSpec& spec, double sample_rate_hz,
                            double energy_tolerance) {
  if (is_zero_phase(spec.shape)) {
    throw ParameterError("shape", "design_analog_fir: '" +
                                      std::string(filter_shape_name(spec.shape)) +
                                      "' is not an analog (causal) response");
  }
  auto design_now = [&] {
    return design_fir_on_grid([&spec](double f) { return filter_response(spec, f); },
                              sample_rate_hz, /*zero_phase=*/false, energy_tolerance, 8192,
                              /*remove_nyquist_step=*/true);
  };
  // Kept per (spec, sample rate, tolerance) as design_fir(FilterSpec) keeps its designs.
  using Key = std::tuple<int, double, int, double, double>;
  static DesignCache<Key, FirDesign, 64> cache;
  const Key key{static_cast<int>(spec.shape), spec.bandwidth_hz, spec.order, sample_rate_hz,
                energy_tolerance};
  const bool cacheable = std::isfinite(spec.bandwidth_hz) && std::isfinite(sample_rate_hz) &&
                         std::isfinite(energy_tolerance);
  return cache.get(key, cacheable, design_now);
}

FirDesign design_analog_fir(const std::function<Cplx(double)>& response, double sample_rate_hz,
                            double energy_tolerance, std::size_t max_taps) {
  return design_fir_on_grid(response, sample_rate_hz, /*zero_phase=*/false, energy_tolerance,
                            max_taps, /*remove_nyquist_step=*/true);
}

FirDesign design_filter_fir(const FilterSpec& spec, double sample_rate_hz) {
  return is_zero_phase(spec.shape) ? design_fir(spec, sample_rate_hz)
                                   : design_analog_fir(spec, sample_rate_hz);
}

FirDesign design_fir(const FilterSpec& spec, double sample_rate_hz) {
  auto design_now = [&] {
    return design_fir([&spec](double f) { return filter_response(spec, f); }, sample_rate_hz,
                      is_zero_phase(spec.shape));
  };
  // Each design samples the response on a grid of at least 2^16 points and transforms it; the same
  // few filters (photodetector, TIA, the TDECQ reference receiver) are designed again for every
  // chain built (a lane's noise-budget and sensitivity re-runs, every sweep point), so designs
  // are kept per (spec, sample rate): a kept design is the very vector a new one would be.
  using Key = std::tuple<int, double, int, double, double>;
  static DesignCache<Key, FirDesign, 64> cache;
  const Key key{static_cast<int>(spec.shape), spec.bandwidth_hz, spec.order, spec.rolloff,
                sample_rate_hz};
  const bool cacheable = std::isfinite(spec.bandwidth_hz) && std::isfinite(spec.rolloff) &&
                         std::isfinite(sample_rate_hz);
  return cache.get(key, cacheable, design_now);
}

double noise_bandwidth_hz(const std::vector<double>& taps, double sample_rate_hz) {
  const double sum = std::accumulate(taps.begin(), taps.end(), 0.0);
  const double energy = std::inner_product(taps.begin(), taps.end(), taps.begin(), 0.0);
  return 0.5 * sample_rate_hz * energy / (sum * sum);
}

}  // namespace optilane

#include "channels/copper/network.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "phy/fft.hpp"

namespace optilane {

Abcd operator*(const Abcd& x, const Abcd& y) {
  return {.a = x.a * y.a + x.b * y.c,
          .b = x.a * y.b + x.b * y.d,
          .c = x.c * y.a + x.d * y.c,
          .d = x.c * y.b + x.d * y.d};
}

SParams2 s_from_abcd(const Abcd& m, double z0_ohm) {
  const Cplx b_n = m.b / z0_ohm;
  const Cplx c_n = m.c * z0_ohm;
  const Cplx delta = m.a + b_n + c_n + m.d;
  return {.s11 = (m.a + b_n - c_n - m.d) / delta,
          .s12 = 2.0 * (m.a * m.d - m.b * m.c) / delta,
          .s21 = 2.0 / delta,
          .s22 = (-m.a + b_n - c_n + m.d) / delta};
}

Abcd abcd_from_s(const SParams2& s, double z0_ohm) {
  const Cplx t = 2.0 * s.s21;
  const Cplx x = s.s12 * s.s21;
  return {.a = ((1.0 + s.s11) * (1.0 - s.s22) + x) / t,
          .b = z0_ohm * ((1.0 + s.s11) * (1.0 + s.s22) - x) / t,
          .c = ((1.0 - s.s11) * (1.0 - s.s22) - x) / (t * z0_ohm),
          .d = ((1.0 - s.s11) * (1.0 + s.s22) + x) / t};
}

SParams2 cascade(const SParams2& x, const SParams2& y) {
  const Cplx loop = 1.0 / (1.0 - x.s22 * y.s11);
  return {.s11 = x.s11 + x.s12 * x.s21 * y.s11 * loop,
          .s12 = x.s12 * y.s12 * loop,
          .s21 = x.s21 * y.s21 * loop,
          .s22 = y.s22 + y.s21 * y.s12 * x.s22 * loop};
}

Abcd line_abcd(Cplx gamma_l, Cplx zc_ohm) {
  const Cplx ch = std::cosh(gamma_l);
  const Cplx sh = std::sinh(gamma_l);
  return {.a = ch, .b = zc_ohm * sh, .c = sh / zc_ohm, .d = ch};
}

Abcd series_abcd(Cplx z_ohm) {
  return {.a = 1.0, .b = z_ohm, .c = 0.0, .d = 1.0};
}

Abcd shunt_abcd(Cplx y_siemens) {
  return {.a = 1.0, .b = 0.0, .c = y_siemens, .d = 1.0};
}

TwoPortNetwork::TwoPortNetwork()
    : response_([](double) { return SParams2{}; }), description_("through"), identity_(true) {}

TwoPortNetwork::TwoPortNetwork(Response response, std::string description)
    : response_(std::move(response)), description_(std::move(description)) {}

double TwoPortNetwork::insertion_loss_db(double frequency_hz) const {
  return -20.0 * std::log10(std::abs(s(frequency_hz).s21));
}

TwoPortNetwork TwoPortNetwork::then(const TwoPortNetwork& next) const {
  if (identity_) return next;
  if (next.identity_) return *this;
  Response a = response_, b = next.response_;
  return {[a, b](double f) { return cascade(a(f), b(f)); },
          description_ + " → " + next.description_};
}

TwoPortNetwork TwoPortNetwork::cascade_all(const std::vector<TwoPortNetwork>& parts) {
  TwoPortNetwork total;
  for (const auto& part : parts) total = total.then(part);
  return total;
}

std::vector<double> impulse_response(const std::function<Cplx(double)>& response,
                                     double sample_rate_hz, std::size_t grid) {
  FftPlan inverse(FftPlan::Kind::real_inverse, grid);
  auto bins = inverse.spectrum();
  for (std::size_t k = 0; k < bins.size(); ++k) {
    bins[k] = response(static_cast<double>(k) * sample_rate_hz / static_cast<double>(grid));
  }
  bins[0] = bins[0].real();
  bins[bins.size() - 1] = bins[bins.size() - 1].real();
  inverse.execute();
  std::vector<double> h(inverse.real().begin(), inverse.real().end());
  for (double& v : h) v /= static_cast<double>(grid);
  return h;
}

std::size_t channel_grid_size(double sample_rate_hz) {
  const auto wanted = static_cast<std::size_t>(std::ceil(sample_rate_hz / 10e6));
  return std::clamp<std::size_t>(next_power_of_two(wanted), 1u << 16, 1u << 20);
}

ChannelFir design_channel_fir(const std::function<Cplx(double)>& response, double sample_rate_hz,
                              double energy_tolerance, std::size_t max_taps) {
  const std::size_t grid = channel_grid_size(sample_rate_hz);
  const std::vector<double> h = impulse_response(response, sample_rate_hz, grid);
  const double total = std::inner_product(h.begin(), h.end(), h.begin(), 0.0);
  ChannelFir fir;
  if (!(total > 0.0)) {
    fir.taps = {0.0};
    return fir;
  }
  // The arrival: walking back from the peak while the response stays above 1e-3 of the peak
  // (a lossy line's rise is monotonic; lower levels are reached by the wrapped low-frequency tail
  // of a long line), then as much margin again as the rise took. Indices are circular; the
  // quarter grid before the arrival holds, for a causal response, only the wrapped end of its own
  // tail, and its energy is the causality figure.
  std::size_t peak = 0;
  for (std::size_t n = 1; n < grid; ++n) {
    if (std::abs(h[n]) > std::abs(h[peak])) peak = n;
  }
  const auto g = static_cast<std::ptrdiff_t>(grid);
  const auto at = [&](std::ptrdiff_t n) { return h[static_cast<std::size_t>(((n % g) + g) % g)]; };
  const double threshold = 1e-3 * std::abs(h[peak]);
  std::ptrdiff_t start = static_cast<std::ptrdiff_t>(peak);
  while (start > static_cast<std::ptrdiff_t>(peak) - g / 4 && std::abs(at(start - 1)) > threshold) {
    --start;
  }
  start -= static_cast<std::ptrdiff_t>(peak) - start + 4;
  double before = 0.0;
  for (std::ptrdiff_t n = start - g / 4; n < start; ++n) before += at(n) * at(n);
  fir.pre_arrival_energy = before / total;
  // The response: from the arrival over half the grid; keep all but energy_tolerance of it.
  double window = 0.0;
  for (std::ptrdiff_t n = start; n < start + g / 2; ++n) window += at(n) * at(n);
  double inside = 0.0;
  for (std::ptrdiff_t n = start; n < start + g / 2 && fir.taps.size() < max_taps; ++n) {
    if (inside >= (1.0 - energy_tolerance) * window) break;
    fir.taps.push_back(at(n));
    inside += at(n) * at(n);
  }
  const std::ptrdiff_t wrapped_start = ((start % g) + g) % g;
  // Delays beyond half the grid are indistinguishable from negative ones; copper channels are far
  // shorter than half the grid (≥ 2^15 samples, 19 ns at 1.7 TSa/s), so start < half is a delay.
  fir.bulk_delay_s =
      static_cast<double>(wrapped_start < g / 2 ? wrapped_start : wrapped_start - g) /
      sample_rate_hz;
  fir.peak_delay_samples = static_cast<double>(static_cast<std::ptrdiff_t>(peak) - start);
  return fir;
}

}  // namespace optilane

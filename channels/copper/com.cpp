#include "channels/copper/com.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <Eigen/Dense>

#include "phy/errors.hpp"
#include "phy/fft.hpp"

namespace optilane {
namespace {

std::vector<double> range_values(double first, double last, double step) {
  std::vector<double> values;
  const int n = static_cast<int>(std::lround((last - first) / step));
  for (int i = 0; i <= n; ++i) values.push_back(first + step * i);
  return values;
}

double symbol_variance(int levels) {
  const double l = levels;
  return (l * l - 1.0) / (3.0 * (l - 1.0) * (l - 1.0));
}

/// 93A.1.4.3: 4th-order Butterworth of the receiver.
Cplx receiver_filter(double f, double fr) {
  if (fr <= 0.0) return {1.0, 0.0};
  const double x = f / fr;
  return 1.0 / Cplx(1.0 - 3.414214 * x * x + x * x * x * x, 2.613126 * (x - x * x * x));
}

void validate(const ComParams& p) {
  auto require = [&](bool ok, const std::string& what) {
    if (!ok)
      throw InputError({"", 0, "com"}, fmt::format("COM parameter set {}: {}", p.name, what));
  };
  require(p.symbol_rate_bd > 0.0, "symbol rate must be > 0");
  require(p.levels >= 2, "levels must be >= 2");
  require(p.samples_per_ui >= 4 && (p.samples_per_ui & (p.samples_per_ui - 1)) == 0,
          "samples_per_ui must be a power of two >= 4");
  require(p.der0 > 0.0 && p.der0 < 0.5, "DER0 must be in (0, 0.5)");
  require(p.ctle_zero_hz > 0.0 && p.ctle_pole1_hz > 0.0, "CTLE f_z and f_p1 must be > 0");
  require(!p.g_dc_db.empty() && !p.g_dc2_db.empty(), "the CTLE gain lists must not be empty");
  require(!p.c_minus1.empty() && !p.c_plus1.empty(), "the Tx FFE tap lists must not be empty");
  require(p.ui_span >= 64 && (p.ui_span & (p.ui_span - 1)) == 0,
          "ui_span must be a power of two >= 64");
  require(p.rx_ffe_pre >= 0 && p.rx_ffe_post >= 0, "receiver FFE tap counts must be >= 0");
}

/// The analysis grid: N = M · ui_span samples, f_k = k f_b / ui_span.
struct Grid {
  int m = 32;
  int span = 1024;
  std::size_t n = 0;
  double df = 0.0;
  std::vector<double> f;
};

Grid make_grid(const ComParams& p) {
  Grid g;
  g.m = p.samples_per_ui;
  g.span = p.ui_span;
  g.n = static_cast<std::size_t>(g.m) * static_cast<std::size_t>(g.span);
  g.df = p.symbol_rate_bd / g.span;
  g.f.resize(g.n / 2 + 1);
  for (std::size_t k = 0; k < g.f.size(); ++k) g.f[k] = static_cast<double>(k) * g.df;
  return g;
}

/// Spectrum of a 1-UI rectangle (unit height) with the (M/N) factor of the sampled inverse DFT.
Cplx rectangle(double f, double symbol_rate_bd) {
  const double x = f / symbol_rate_bd;
  const double sinc = x == 0.0 ? 1.0 : std::sin(std::numbers::pi * x) / (std::numbers::pi * x);
  return std::polar(sinc, -std::numbers::pi * x);
}

/// Circular pulse response of the spectrum X (N/2+1 bins) to the 1-UI rectangle.
std::vector<double> pulse_of(const std::vector<Cplx>& spectrum, const Grid& g, FftPlan& plan) {
  auto bins = plan.spectrum();
  std::copy(spectrum.begin(), spectrum.end(), bins.begin());
  plan.execute();
  const double scale = static_cast<double>(g.m) / static_cast<double>(g.n);
  std::vector<double> p(g.n);
  auto out = plan.real();
  for (std::size_t i = 0; i < g.n; ++i) p[i] = out[i] * scale;
  return p;
}

/// Circular index on a power-of-two grid of n samples.
std::size_t wrap(std::int64_t index, std::size_t n) {
  return static_cast<std::size_t>(index) & (n - 1);
}

/// Noise, ISI and jitter terms of equalised cursors h (h[pre] = h(0)) and jitter cursors hj.
struct Terms {
  double h0 = 0.0;
  double isi_var = 0.0, jitter_var = 0.0, tx_var = 0.0, noise_var = 0.0;
  double jitter_sum_sq = 0.0;       ///< Σ h_J²
  std::vector<double> isi_cursors;  ///< cursors n ≠ 0 after the DFE
  std::vector<double> dfe;
};

Terms evaluate(const std::vector<double>& h, const std::vector<double>& hj, int pre,
               double noise_var, const ComParams& p, bool tx_noise_full_path) {
  Terms t;
  const double sx2 = symbol_variance(p.levels);
  t.h0 = h[static_cast<std::size_t>(pre)];
  double total = 0.0;
  for (std::size_t k = 0; k < h.size(); ++k) {
    const int n = static_cast<int>(k) - pre;
    if (n == 0) continue;
    double v = h[k];
    if (n >= 1 && n <= static_cast<int>(p.dfe_max.size())) {
      const double bmax = p.dfe_max[static_cast<std::size_t>(n - 1)];
      const double b = std::clamp(v / t.h0, -bmax, bmax);
      t.dfe.push_back(b);
      v -= b * t.h0;
    }
    t.isi_cursors.push_back(v);
    total += v * v;
  }
  double all = 0.0;
  for (double v : h) all += v * v;
  for (double v : hj) t.jitter_sum_sq += v * v;
  t.isi_var = sx2 * total;
  t.jitter_var = sx2 * (p.a_dd_ui * p.a_dd_ui + p.sigma_rj_ui * p.sigma_rj_ui) * t.jitter_sum_sq;
  const double tx_ratio = std::pow(10.0, -p.snr_tx_db / 10.0);
  t.tx_var = sx2 * tx_ratio * (tx_noise_full_path ? all : t.h0 * t.h0);
  t.noise_var = noise_var;
  return t;
}

double fom_of(const Terms& t, const ComParams& p) {
  const double a_s = p.rlm * t.h0 / (p.levels - 1);
  return 10.0 * std::log10(a_s * a_s / (t.isi_var + t.jitter_var + t.tx_var + t.noise_var));
}

std::vector<double> cd_pf(const ComParams& p) {
  std::vector<double> v;
  for (double c : p.die_capacitance_f) v.push_back(c * 1e12);
  return v;
}
std::vector<double> ls_nh(const ComParams& p) {
  std::vector<double> v;
  for (double l : p.die_inductance_h) v.push_back(l * 1e9);
  return v;
}

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

}  // namespace

namespace {

/// The values 802.3ck and 802.3dj share (sources in com_params_802_3ck/3dj below): T_r, R_LM,
/// A_v, A_DD, σ_RJ, SNR_TX and the CTLE's zero and poles relative to f_b.
ComParams shared_com_params(std::string name, double symbol_rate_bd) {
  ComParams p;
  p.name = std::move(name);
  p.symbol_rate_bd = symbol_rate_bd;
  p.rise_time_s = 4e-12;
  p.rlm = 0.95;
  p.amplitude_v = 0.413;
  p.a_dd_ui = 0.02;
  p.sigma_rj_ui = 0.01;
  p.snr_tx_db = 33.0;
  p.ctle_zero_hz = symbol_rate_bd / 2.5;
  p.ctle_pole1_hz = symbol_rate_bd / 2.5;
  p.ctle_pole2_hz = symbol_rate_bd;
  p.ctle_lf_hz = symbol_rate_bd / 80.0;
  return p;
}

}  // namespace

ComParams com_params_802_3ck() {
  // Sources: figures.md §4 (f_b, DER0, η0, SNR_TX, DFE b_max, c(−1) range, c(0) min; "IEEE COM
  // 3.70 configuration sheets"); PyChOpMarg's 802.3dj set for the values 802.3ck shares with it
  // (A_v, R_LM, A_DD, σ_RJ, CTLE f_z = f_p1 = f_b/2.5, f_p2 = f_b, f_LF = f_b/80, c(1) range).
  // U (recalled, not retrieved): f_r = 0.75 f_b, g_DC −20..0 dB, g_DC2 −6..0 dB, tap step 0.02,
  // T_r = 4 ps (the 802.3dj value).
  ComParams p = shared_com_params("802.3ck", 53.125e9);
  p.der0 = 1e-4;
  p.eta0_v2_per_hz = 8.2e-9 * 1e-9;
  p.rx_bandwidth_hz = 0.75 * p.symbol_rate_bd;
  p.g_dc_db = range_values(-20.0, 0.0, 1.0);
  p.g_dc2_db = range_values(-6.0, 0.0, 1.0);
  p.c_minus1 = range_values(-0.34, 0.0, 0.02);
  p.c_plus1 = range_values(-0.20, 0.0, 0.02);
  p.c0_min = 0.54;
  p.dfe_max.assign(12, 0.3);
  p.dfe_max[0] = 0.85;
  p.package = PackageParams{};
  p.package.die_capacitance_f = 0.03e-12;  // bump C_b; the die is the ladder
  return p;
}

ComParams com_params_802_3dj(double symbol_rate_bd) {
  // Sources: figures.md §4 (802.3dj D1.3 via PyChOpMarg: DER0 2e-4, η0 6e-9 V²/GHz, SNR_TX 33 dB,
  // σ_RJ 0.01 UI, A_DD 0.02 UI, f_r 0.58 f_b, Rx FFE 16 taps (5 pre, |w| ≤ 0.7), 1-tap DFE 0.85);
  // PyChOpMarg ieee_8023dj.py for A_v 0.413, R_LM 0.95, T_r 4 ps, CTLE (f_z = f_p1 = f_b/2.5,
  // f_p2 = f_b, f_LF = f_b/80, g_DC 0..−15 dB, g_DC2 0..−5 dB in 0.5 dB), c(0) ≥ 0.5 and the
  // package (z_p 33 mm, C_p 0.04 pF).
  ComParams p = shared_com_params("802.3dj", symbol_rate_bd);
  p.der0 = 2e-4;
  p.eta0_v2_per_hz = 6e-9 * 1e-9;
  p.rx_bandwidth_hz = 0.58 * symbol_rate_bd;
  p.g_dc_db = range_values(-15.0, 0.0, 1.0);
  p.g_dc2_db = range_values(-5.0, 0.0, 1.0);     // reduced from 0.5 dB steps
  p.c_minus1 = range_values(-0.34, 0.0, 0.085);  // reduced: the Rx FFE absorbs most of it
  p.c_plus1 = range_values(-0.2, 0.0, 0.1);
  p.c0_min = 0.5;
  p.dfe_max = {0.85};
  p.rx_ffe_pre = 5;
  p.rx_ffe_post = 10;
  p.rx_ffe_max = 0.7;
  p.package = PackageParams{};
  p.package.die_capacitance_f = 0.03e-12;  // bump C_b; the die is the ladder
  p.package.length_m = 33e-3;
  p.package.ball_capacitance_f = 0.04e-12;
  // Second substrate section toward the ball: z_pB 1.8 mm at Zc 92.5 Ω (PyChOpMarg
  // ieee_8023dj.py z_c [87.5, 92.5], z_p [33, 1.8]; S).
  p.package.ball_section_length_m = 1.8e-3;
  p.package.ball_section_impedance_ohm = 92.5;
  // The 802.3dj package line: γ0 5e-4 /mm, a1 8.9e-4 √ns/mm, a2 2e-4 ns/mm, τ 6.141e-3 ns/mm
  // (PyChOpMarg ieee_8023dj.py; 802.3ck: γ0 0, a1 9.909e-4, a2 2.772e-4).
  p.package_line = com_package_line_802_3dj();
  return p;
}

ComParams com_params(std::string_view name, double symbol_rate_bd) {
  if (name == "802.3ck") return com_params_802_3ck();
  if (name == "802.3dj") {
    return com_params_802_3dj(symbol_rate_bd > 80e9 ? symbol_rate_bd : 106.25e9);
  }
  if (name == "auto") {
    return symbol_rate_bd < 80e9 ? com_params_802_3ck() : com_params_802_3dj(symbol_rate_bd);
  }
  throw std::invalid_argument(
      fmt::format("unknown COM parameter set '{}' (802.3ck, 802.3dj or auto)", name));
}

double com_noise_amplitude(const std::vector<double>& isi_cursors_v, int levels,
                           double dual_dirac_v, double sigma_gaussian_v, double der0) {
  // Discrete ISI PMF on a grid of step Δ; cursors below Δ/4 join the Gaussian by their variance.
  double span = 0.0;
  for (double h : isi_cursors_v) span += std::abs(h);
  const double scale = std::max({span, sigma_gaussian_v, dual_dirac_v, 1e-12});
  const double delta = scale / 4000.0;
  double gaussian_var = sigma_gaussian_v * sigma_gaussian_v;
  const double sx2 = symbol_variance(levels);
  const auto half = static_cast<std::int64_t>(std::ceil(span / delta)) + 2;
  std::vector<double> pmf(static_cast<std::size_t>(2 * half + 1), 0.0), next, scaled;
  pmf[static_cast<std::size_t>(half)] = 1.0;
  std::int64_t lo = half, hi = half;  // occupied index range
  for (double h : isi_cursors_v) {
    if (std::abs(h) < delta / 4.0) {
      gaussian_var += sx2 * h * h;
      continue;
    }
    // The same additions in the same order as one clamped scatter per level over [lo, hi]
    // (bit for bit): pmf[i]/levels once per bin instead of once per level, only the bins the
    // step can write zeroed first (the rest of `next` is never read), and the clamp kept to the
    // ends where i + shift leaves the grid (in i order: below, inside, above).
    const std::int64_t top = 2 * half;
    std::int64_t shifts[16];
    const int kept_levels = std::min(levels, 16);
    std::int64_t new_lo = lo, new_hi = hi;
    for (int l = 0; l < levels; ++l) {
      const double a = (2.0 * l / (levels - 1) - 1.0) * h;
      const auto shift = static_cast<std::int64_t>(std::llround(a / delta));
      if (l < kept_levels) shifts[l] = shift;
      new_lo = std::min(new_lo, std::max<std::int64_t>(lo + shift, 0));
      new_hi = std::max(new_hi, std::min<std::int64_t>(hi + shift, top));
    }
    next.resize(pmf.size());
    std::fill(next.begin() + new_lo, next.begin() + new_hi + 1, 0.0);
    scaled.resize(pmf.size());
    for (std::int64_t i = lo; i <= hi; ++i) {
      scaled[static_cast<std::size_t>(i)] = pmf[static_cast<std::size_t>(i)] / levels;
    }
    for (int l = 0; l < levels; ++l) {
      std::int64_t shift = 0;
      if (l < kept_levels) {
        shift = shifts[l];
      } else {
        shift = static_cast<std::int64_t>(std::llround((2.0 * l / (levels - 1) - 1.0) * h / delta));
      }
      const std::int64_t inside_from = std::max(lo, -shift), inside_to = std::min(hi, top - shift);
      std::int64_t i = lo;
      for (; i <= hi && i < inside_from; ++i) {
        next[static_cast<std::size_t>(std::clamp<std::int64_t>(i + shift, 0, top))] +=
            scaled[static_cast<std::size_t>(i)];
      }
      if (i <= inside_to) {
        double* __restrict out = next.data() + (i + shift);
        const double* __restrict in = scaled.data() + i;
        const std::int64_t count = inside_to - i + 1;
        for (std::int64_t k = 0; k < count; ++k) out[k] += in[k];
        i += count;
      }
      for (; i <= hi; ++i) {
        next[static_cast<std::size_t>(std::clamp<std::int64_t>(i + shift, 0, top))] +=
            scaled[static_cast<std::size_t>(i)];
      }
    }
    pmf.swap(next);
    lo = new_lo;
    hi = new_hi;
  }
  const double sigma = std::sqrt(gaussian_var);
  // CDF of ISI + dual-Dirac + Gaussian at y. Φ(z) = ½·erfc(−z/√2) is exactly 1 in double for
  // z ≥ 10 (erfc(−7.07) = 2 − 1.6e-23, which rounds to 2: its half-ulp is 2.2e-16), so there the
  // term is ½·w·1 without the erfc: the same value, added in the same order.
  constexpr double phi_is_one = 10.0;
  // And exactly 0 for z ≤ −40: erfc(28.3) underflows to 0 (erfc(x) < 1e-308·2^−52 beyond
  // x ≈ 27.3), and ½·w·0 adds +0.
  constexpr double phi_is_zero = -40.0;
  auto cdf = [&](double y) {
    double sum = 0.0;
    for (std::int64_t i = lo; i <= hi; ++i) {
      const double w = pmf[static_cast<std::size_t>(i)];
      if (w == 0.0) continue;
      const double x = static_cast<double>(i - half) * delta;
      for (double dd : {-dual_dirac_v, dual_dirac_v}) {
        const double m = x + dd;
        double phi = 0.0;
        if (!(sigma > 0.0)) {
          phi = m <= y ? 1.0 : 0.0;
        } else {
          const double z = (y - m) / sigma;
          phi = z >= phi_is_one ? 1.0 : (z <= phi_is_zero ? 0.0 : normal_cdf(z));
        }
        sum += 0.5 * w * phi;
      }
    }
    return sum;
  };
  double a = -(span + dual_dirac_v + 12.0 * sigma + delta), b = 0.0;
  double fb = cdf(b);
  if (fb < der0) return 0.0;  // cannot happen for a symmetric distribution; guard anyway
  // The root of cdf(y) = DER0 in [a, b] by the Illinois variant of regula falsi on
  // g(y) = ln cdf(y) − ln DER0 (nearly linear in y where the Gaussian tail dominates: ~6–12
  // evaluations, where plain bisection took 60), a bisection step whenever g is not finite or the
  // interpolated point falls outside the bracket; stopped once the bracket is within 2e-15 of
  // its ends (a few ulps). The earlier 60 bisections found the same root to an ulp.
  const double log_der0 = std::log(der0);
  const auto g = [&](double c) { return c > 0.0 ? std::log(c) - log_der0 : -HUGE_VAL; };
  double ga = g(cdf(a)), gb = g(fb);
  int side = 0;
  for (int it = 0; it < 200; ++it) {
    if (!(b - a > 2e-15 * std::max(std::abs(a), std::abs(b)))) break;
    double mid = 0.5 * (a + b);
    if (std::isfinite(ga) && std::isfinite(gb) && gb > ga) {
      const double x = a - ga * (b - a) / (gb - ga);
      if (x > a && x < b) mid = x;
    }
    const double gm = g(cdf(mid));
    if (gm < 0.0) {
      a = mid;
      ga = gm;
      if (side == -1) gb *= 0.5;  // the other end stayed twice: halve its weight (Illinois)
      side = -1;
    } else {
      b = mid;
      gb = gm;
      if (side == 1) ga *= 0.5;
      side = 1;
    }
  }
  return -0.5 * (a + b);
}

SampledChannelPulse channel_pulse_response(const std::function<Cplx(double)>& h21,
                                           double symbol_rate_bd, int samples_per_ui, int ui_span,
                                           int pre_ui, int post_ui) {
  auto power_of_two = [](int v) { return v > 0 && (v & (v - 1)) == 0; };
  if (!power_of_two(samples_per_ui) || !power_of_two(ui_span)) {
    throw std::invalid_argument(
        "channel_pulse_response: samples_per_ui and ui_span must be powers of two");
  }
  ComParams p;
  p.symbol_rate_bd = symbol_rate_bd;
  p.samples_per_ui = samples_per_ui;
  p.ui_span = ui_span;
  const Grid g = make_grid(p);
  std::vector<Cplx> x(g.f.size());
  for (std::size_t k = 0; k < g.f.size(); ++k)
    x[k] = h21(g.f[k]) * rectangle(g.f[k], symbol_rate_bd);
  FftPlan plan(FftPlan::Kind::real_inverse, g.n);
  const std::vector<double> pulse = pulse_of(x, g, plan);
  const auto peak =
      static_cast<std::int64_t>(std::max_element(pulse.begin(), pulse.end()) - pulse.begin());
  SampledChannelPulse out;
  for (std::int64_t i = -static_cast<std::int64_t>(pre_ui) * samples_per_ui;
       i <= static_cast<std::int64_t>(post_ui) * samples_per_ui; ++i) {
    out.time_ui.push_back(static_cast<double>(i) / samples_per_ui);
    out.response_v.push_back(pulse[wrap(peak + i, g.n)]);
  }
  return out;
}

TwoPortNetwork com_reference_package(const ComParams& params, bool receive_side) {
  const std::vector<double> cd = params.die_capacitance_f, ls = params.die_inductance_h;
  ComLineSpec line = params.package_line;
  line.zc_ohm = params.package.impedance_ohm;
  const double length_mm = params.package.length_m * 1e3;
  const double ball_section_mm = params.package.ball_section_length_m * 1e3;
  const double ball_section_ohm = params.package.ball_section_impedance_ohm;
  const double cb = params.package.die_capacitance_f, cp = params.package.ball_capacitance_f;
  return {
      [cd, ls, line, length_mm, ball_section_mm, ball_section_ohm, cb, cp, receive_side](double f) {
        const double w = 2.0 * std::numbers::pi * f;
        // From the die outwards: ladder C_d(1), L_s(1), .., then C_b, the line z_p, the
        // second section z_pB (802.3dj), C_p.
        std::vector<Abcd> parts;
        for (std::size_t i = 0; i < cd.size(); ++i) {
          parts.push_back(shunt_abcd(Cplx(0.0, w * cd[i] / 2.0)));
          if (i < ls.size()) parts.push_back(series_abcd(Cplx(0.0, 2.0 * w * ls[i])));
        }
        parts.push_back(shunt_abcd(Cplx(0.0, w * cb / 2.0)));
        parts.push_back(line_abcd(line.gamma_per_mm(f) * length_mm, line.zc_ohm));
        if (ball_section_mm > 0.0) {
          parts.push_back(line_abcd(line.gamma_per_mm(f) * ball_section_mm, ball_section_ohm));
        }
        parts.push_back(shunt_abcd(Cplx(0.0, w * cp / 2.0)));
        if (receive_side) std::reverse(parts.begin(), parts.end());
        Abcd m;
        for (const Abcd& part : parts) m = m * part;
        return s_from_abcd(m, differential_reference_ohm);
      },
      receive_side ? "COM reference package (rx)" : "COM reference package (tx)"};
}

ComResult channel_operating_margin(const TwoPortNetwork& channel, const ComParams& params) {
  if (!params.add_packages) {
    return channel_operating_margin([&](double f) { return channel.s(f).s21; }, params);
  }
  const TwoPortNetwork whole = TwoPortNetwork::cascade_all(
      {com_reference_package(params, false), channel, com_reference_package(params, true)});
  ComResult r = channel_operating_margin([&](double f) { return whole.s(f).s21; }, params);
  r.method += fmt::format(
      "; reference package on each side (die ladder C_d {:.3g} pF / L_s {:.3g} nH, bump {:.3g} pF, "
      "z_p {:.3g} mm (Zc {:.3g} ohm, a1 {:.3g}, a2 {:.3g}){}, C_p {:.3g} pF)",
      fmt::join(cd_pf(params), "/"), fmt::join(ls_nh(params), "/"),
      params.package.die_capacitance_f * 1e12, params.package.length_m * 1e3,
      params.package.impedance_ohm, params.package_line.a1_per_mm_rtghz,
      params.package_line.a2_per_mm_ghz,
      params.package.ball_section_length_m > 0.0
          ? fmt::format(", z_pB {:.3g} mm (Zc {:.3g} ohm)",
                        params.package.ball_section_length_m * 1e3,
                        params.package.ball_section_impedance_ohm)
          : std::string(),
      params.package.ball_capacitance_f * 1e12);
  return r;
}

ComResult channel_operating_margin(const std::function<Cplx(double)>& h21, const ComParams& p) {
  validate(p);
  const Grid g = make_grid(p);
  const int m = g.m;
  const double sx2 = symbol_variance(p.levels);
  const bool rx_ffe = p.rx_ffe_pre + p.rx_ffe_post > 0;
  const double tx_noise_ratio = std::pow(10.0, -p.snr_tx_db / 10.0);
  const double jitter_factor = sx2 * (p.a_dd_ui * p.a_dd_ui + p.sigma_rj_ui * p.sigma_rj_ui);
  const double signal_factor = p.rlm / (p.levels - 1);

  // Base spectrum: A_v · H21 · H_t · H_r · rectangle.
  std::vector<Cplx> base(g.f.size());
  std::vector<double> rx_power(g.f.size());
  for (std::size_t k = 0; k < g.f.size(); ++k) {
    const double f = g.f[k];
    const double ht = p.rise_time_s > 0.0
                          ? std::exp(-std::pow(std::numbers::pi * f * p.rise_time_s / 1.6832, 2))
                          : 1.0;
    const Cplx hr = receiver_filter(f, p.rx_bandwidth_hz);
    rx_power[k] = std::norm(hr);
    base[k] = p.amplitude_v * h21(f) * ht * hr * rectangle(f, p.symbol_rate_bd);
  }

  // Cursor window relative to t_s: [−pre, post] UI, clear of the circular wrap.
  const int pre = 32;
  const int post = g.span - pre - 4;
  const int count = pre + post + 1;
  const int w_pre = rx_ffe ? p.rx_ffe_pre : 0;
  const int w_post = rx_ffe ? p.rx_ffe_post : 0;
  const int taps = w_pre + w_post + 1;
  const int nb = static_cast<int>(p.dfe_max.size());
  // Receiver-FFE search: post-cursor window of each candidate (reduced for speed).
  const int search_post = std::min(post, 160);

  struct Best {
    double ratio = 0.0;  ///< A_s² over the noise sum (the FOM as a power ratio)
    std::size_t g1 = 0, g2 = 0;
    std::int64_t ts = 0;
    double cm1 = 0.0, cp1 = 0.0;
  } best;

  FftPlan plan(FftPlan::Kind::real_inverse, g.n);
  std::vector<Cplx> spectrum(g.f.size());
  std::vector<double> ctle_power(g.f.size());
  // Samples q[k] = p(t_s + k T) for k = −pre−1 .. post+1 (index k + pre + 1), and jitter slopes.
  std::vector<double> q(static_cast<std::size_t>(count + 2)), qj(q.size());
  auto gather = [&](const std::vector<double>& pulse, std::int64_t ts, int last) {
    for (int k = -pre - 1; k <= last + 1; ++k) {
      const std::int64_t i = ts + static_cast<std::int64_t>(k) * m;
      q[static_cast<std::size_t>(k + pre + 1)] = pulse[wrap(i, g.n)];
      qj[static_cast<std::size_t>(k + pre + 1)] =
          (pulse[wrap(i + 1, g.n)] - pulse[wrap(i - 1, g.n)]) * m / 2.0;
    }
  };
  std::vector<double> cosine(static_cast<std::size_t>(g.span));
  for (std::size_t j = 0; j < cosine.size(); ++j) {
    cosine[j] = std::cos(2.0 * std::numbers::pi * static_cast<double>(j) / g.span);
  }
  // R_N(lag) = Σ_k S_k·cos(2π f_k·lag·T_b), S_k the noise PSD through H_r and the CTLE times Δf.
  // cos(2π f_k m T_b) = cos(2π k m / span) depends on k only modulo span (a power of two), so
  // the bins are first folded, S'_j = Σ_{k ≡ j mod span} S_k (k ascending), and the lags summed
  // over the span folded bins: the same sum regrouped (round-off only), span·lags products
  // instead of (N/2 + 1)·lags — 32× fewer on the 32-samples-per-UI grid.
  std::vector<double> folded(cosine.size());
  auto noise_autocorrelation = [&](int lags) {
    std::fill(folded.begin(), folded.end(), 0.0);
    for (std::size_t k = 0; k < g.f.size(); ++k) {
      const double weight = (k == 0 || k + 1 == g.f.size()) ? 0.5 : 1.0;
      folded[k & (cosine.size() - 1)] +=
          p.eta0_v2_per_hz * ctle_power[k] * rx_power[k] * g.df * weight;
    }
    std::vector<double> r(static_cast<std::size_t>(lags), 0.0);
    for (std::size_t j = 0; j < folded.size(); ++j) {
      for (int lag = 0; lag < lags; ++lag) {
        r[static_cast<std::size_t>(lag)] +=
            folded[j] * cosine[(j * static_cast<std::size_t>(lag)) & (cosine.size() - 1)];
      }
    }
    return r;
  };
  // Equalised cursors (Tx FFE c, then the Rx FFE w) over the window, with jitter slopes.
  auto tx_combine = [&](double cm1, double c0, double cp1, std::vector<double>& h,
                        std::vector<double>& hj, int length) {
    h.resize(static_cast<std::size_t>(length));
    hj.resize(h.size());
    for (int k = 0; k < length; ++k) {
      const auto i = static_cast<std::size_t>(k + 1);
      h[static_cast<std::size_t>(k)] = cm1 * q[i + 1] + c0 * q[i] + cp1 * q[i - 1];
      hj[static_cast<std::size_t>(k)] = cm1 * qj[i + 1] + c0 * qj[i] + cp1 * qj[i - 1];
    }
  };
  auto apply_ffe = [&](const std::vector<double>& w, const std::vector<double>& x) {
    std::vector<double> y(x.size(), 0.0);
    for (std::size_t k = 0; k < x.size(); ++k) {
      for (int j = -w_pre; j <= w_post; ++j) {
        const auto src = static_cast<std::int64_t>(k) - j;
        if (src < 0 || src >= static_cast<std::int64_t>(x.size())) continue;
        y[k] += w[static_cast<std::size_t>(j + w_pre)] * x[static_cast<std::size_t>(src)];
      }
    }
    return y;
  };
  // MMSE receiver FFE for the Tx-equalised cursors h (h[pre] = h(0)); main tap 1, others clipped.
  // MMSE receiver FFE for the Tx-equalised cursors h (h[pre] = h(0)); main tap 1, others
  // clipped. Also returns the candidate's FOM (as a power ratio) from quadratic forms:
  // Σ h_eq² = wᵀ T_h w, Σ h_J,eq² = wᵀ T_J w, σ_N² = wᵀ R_N w (T Toeplitz autocorrelations).
  struct FfeFit {
    std::vector<double> w;
    double ratio = 0.0;
  };
  auto solve_ffe = [&](const std::vector<double>& h, const std::vector<double>& hj,
                       const std::vector<double>& rn) {
    Eigen::MatrixXd th(taps, taps), tj(taps, taps), tn(taps, taps);
    {
      // Autocorrelations R(lag) = Σ_{k ≥ lag} x[k]·x[k − lag] of h and hj, four lags of each at
      // a time over k: each sum still runs over k in increasing order (the same additions as one
      // lag at a time, bit for bit), but eight independent sums overlap instead of each waiting
      // on its previous add.
      std::vector<double> rh(static_cast<std::size_t>(taps), 0.0), rj(rh.size(), 0.0);
      const auto lag_sums = [](const std::vector<double>& x, std::size_t first, std::size_t count,
                               double* r) {
        // Sums of lags first … first + 3 (those past `count` are computed and dropped).
        double s[4] = {0.0, 0.0, 0.0, 0.0};
        const std::size_t n = x.size();
        std::size_t k = first;
        for (; k < n && k < first + 3; ++k) {  // lag first + i starts at k = first + i
          for (std::size_t i = 0; i <= k - first; ++i) s[i] += x[k] * x[k - first - i];
        }
        double s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
        for (; k < n; ++k) {
          const double xk = x[k];
          const double* back = x.data() + (k - first);
          s0 += xk * back[0];
          s1 += xk * back[-1];
          s2 += xk * back[-2];
          s3 += xk * back[-3];
        }
        const double sums[4] = {s0, s1, s2, s3};
        for (std::size_t i = 0; i < count; ++i) r[first + i] = sums[i];
      };
      for (std::size_t first = 0; first < rh.size(); first += 4) {
        const std::size_t count = std::min<std::size_t>(4, rh.size() - first);
        lag_sums(h, first, count, rh.data());
        lag_sums(hj, first, count, rj.data());
      }
      for (int r = 0; r < taps; ++r) {
        for (int c = 0; c < taps; ++c) {
          const auto lag = static_cast<std::size_t>(std::abs(r - c));
          th(r, c) = rh[lag];
          tj(r, c) = rj[lag];
          tn(r, c) = rn[lag];
        }
      }
    }
    // a_n[j] = h(n − j): the cursor n of the equalised response is a_nᵀ w.
    auto column = [&](int n) {
      Eigen::VectorXd v(taps);
      for (int j = -w_pre; j <= w_post; ++j) {
        const int idx = n - j + pre;
        v(j + w_pre) =
            (idx >= 0 && idx < static_cast<int>(h.size())) ? h[static_cast<std::size_t>(idx)] : 0.0;
      }
      return v;
    };
    std::vector<Eigen::VectorXd> an;
    for (int n = 0; n <= nb; ++n) an.push_back(column(n));
    // Minimise the noise and the ISI outside the cursors n = 0 .. N_b (target and DFE's).
    Eigen::MatrixXd a = (sx2 + sx2 * tx_noise_ratio) * th + jitter_factor * tj + tn;
    for (const auto& v : an) a -= sx2 * v * v.transpose();
    a += 1e-12 * a.trace() / taps * Eigen::MatrixXd::Identity(taps, taps);
    const Eigen::VectorXd sol = a.ldlt().solve(an[0]);
    Eigen::VectorXd w(taps);
    const double main = sol(w_pre);
    for (int j = 0; j < taps; ++j) {
      const double v = main != 0.0 ? sol(j) / main : (j == w_pre ? 1.0 : 0.0);
      w(j) = j == w_pre ? 1.0 : std::clamp(v, -p.rx_ffe_max, p.rx_ffe_max);
    }
    FfeFit fit;
    fit.w.assign(w.data(), w.data() + taps);
    const double h0 = an[0].dot(w);
    if (!(h0 > 0.0)) return fit;
    const double sum_h2 = w.dot(th * w);
    double isi = sum_h2 - h0 * h0;
    for (int n = 1; n <= nb; ++n) {
      const double hn = an[static_cast<std::size_t>(n)].dot(w);
      const double bmax = p.dfe_max[static_cast<std::size_t>(n - 1)];
      const double r = hn - std::clamp(hn / h0, -bmax, bmax) * h0;
      isi += r * r - hn * hn;
    }
    const double total = sx2 * std::max(isi, 0.0) + jitter_factor * w.dot(tj * w) +
                         sx2 * tx_noise_ratio * sum_h2 + w.dot(tn * w);
    const double a_s = signal_factor * h0;
    fit.ratio = a_s * a_s / total;
    return fit;
  };
  auto ffe_noise = [&](const std::vector<double>& w, const std::vector<double>& rn) {
    double s = 0.0;
    for (int a = 0; a < taps; ++a) {
      for (int b = 0; b < taps; ++b) {
        s += w[static_cast<std::size_t>(a)] * w[static_cast<std::size_t>(b)] *
             rn[static_cast<std::size_t>(std::abs(a - b))];
      }
    }
    return s;
  };

  // The CTLE's gain-independent parts: H_ctf = (g1 + j f/f_z)(g2 + j f/f_LF) / den(f).
  std::vector<Cplx> zero_term(g.f.size()), lf_term(g.f.size()), inv_den(g.f.size());
  for (std::size_t k = 0; k < g.f.size(); ++k) {
    const double f = g.f[k];
    zero_term[k] = Cplx(0.0, f / p.ctle_zero_hz);
    Cplx den(1.0, f / p.ctle_pole1_hz);
    if (p.ctle_pole2_hz > 0.0) den *= Cplx(1.0, f / p.ctle_pole2_hz);
    if (p.ctle_lf_hz > 0.0) {
      lf_term[k] = Cplx(0.0, f / p.ctle_lf_hz);
      den *= Cplx(1.0, f / p.ctle_lf_hz);
    }
    inv_den[k] = 1.0 / den;
  }
  auto set_ctle = [&](double g_dc_db, double g_dc2_db) {
    const double g1 = std::pow(10.0, g_dc_db / 20.0);
    const double g2 = p.ctle_lf_hz > 0.0 ? std::pow(10.0, g_dc2_db / 20.0) : 1.0;
    for (std::size_t k = 0; k < g.f.size(); ++k) {
      const Cplx c = (g1 + zero_term[k]) * (p.ctle_lf_hz > 0.0 ? g2 + lf_term[k] : Cplx(1.0, 0.0)) *
                     inv_den[k];
      ctle_power[k] = std::norm(c);
      spectrum[k] = base[k] * c;
    }
  };

  std::vector<double> h, hj;
  double screen_discrepancy = -1.0;  // the screened search's measured δ (−1: not screened)
  // Every candidate in full (802.3ck: the 3×3 Gram form; 802.3dj: solve_ffe per candidate).
  auto exhaustive_search = [&] {
    for (std::size_t i1 = 0; i1 < p.g_dc_db.size(); ++i1) {
      for (std::size_t i2 = 0; i2 < p.g_dc2_db.size(); ++i2) {
        set_ctle(p.g_dc_db[i1], p.g_dc2_db[i2]);
        const std::vector<double> pulse = pulse_of(spectrum, g, plan);
        const std::vector<double> rn = noise_autocorrelation(std::max(taps, 1));
        const auto peak =
            static_cast<std::int64_t>(std::max_element(pulse.begin(), pulse.end()) - pulse.begin());
        const int phase_step = rx_ffe ? 4 : 1;
        for (int d = -m / 2; d < m / 2; d += phase_step) {
          const std::int64_t ts = peak + d;
          gather(pulse, ts, rx_ffe ? search_post : post);
          if (!rx_ffe) {
            // Gram matrices of s_k = (q[k+1], q[k], q[k−1]) over the window, Σ h² = cᵀ G c; G is
            // Toeplitz up to the window's edges, where the pulse has decayed: G(a, b) = R(|a−b|).
            double rq[3] = {}, rjq[3] = {};
            for (std::size_t i = 1; i + 1 < q.size(); ++i) {
              for (std::size_t lag = 0; lag < 3 && i + lag < q.size(); ++lag) {
                rq[lag] += q[i] * q[i + lag];
                rjq[lag] += qj[i] * qj[i + lag];
              }
            }
            double gm[3][3], gj[3][3];
            for (int a = 0; a < 3; ++a) {
              for (int b = 0; b < 3; ++b) {
                gm[a][b] = rq[std::abs(a - b)];
                gj[a][b] = rjq[std::abs(a - b)];
              }
            }
            for (double cm1 : p.c_minus1) {
              for (double cp1 : p.c_plus1) {
                const double c0 = 1.0 - std::abs(cm1) - std::abs(cp1);
                if (c0 < p.c0_min - 1e-12) continue;
                const double c[3] = {cm1, c0, cp1};
                auto cursor = [&](int n) {
                  const auto i = static_cast<std::size_t>(n + pre + 1);
                  return cm1 * q[i + 1] + c0 * q[i] + cp1 * q[i - 1];
                };
                const double h0 = cursor(0);
                if (!(h0 > 0.0)) continue;
                double total = 0.0, jsum = 0.0;
                for (int a = 0; a < 3; ++a) {
                  for (int b = 0; b < 3; ++b) {
                    total += c[a] * c[b] * gm[a][b];
                    jsum += c[a] * c[b] * gj[a][b];
                  }
                }
                total -= h0 * h0;
                for (int n = 1; n <= nb; ++n) {
                  const double hn = cursor(n);
                  const double bmax = p.dfe_max[static_cast<std::size_t>(n - 1)];
                  const double r = hn - std::clamp(hn / h0, -bmax, bmax) * h0;
                  total += r * r - hn * hn;
                }
                const double isi = sx2 * std::max(total, 0.0);
                const double jit = jitter_factor * jsum;
                const double txv = sx2 * h0 * h0 * tx_noise_ratio;
                const double a_s = signal_factor * h0;
                const double ratio = a_s * a_s / (isi + jit + txv + rn[0]);
                if (ratio > best.ratio) best = {ratio, i1, i2, ts - peak, cm1, cp1};
              }
            }
          } else {
            for (double cm1 : p.c_minus1) {
              for (double cp1 : p.c_plus1) {
                const double c0 = 1.0 - std::abs(cm1) - std::abs(cp1);
                if (c0 < p.c0_min - 1e-12) continue;
                // The search sees the first search_post post-cursors (the final figures see all).
                tx_combine(cm1, c0, cp1, h, hj, pre + search_post + 1);
                const double ratio = solve_ffe(h, hj, rn).ratio;
                if (ratio > best.ratio) best = {ratio, i1, i2, ts - peak, cm1, cp1};
              }
            }
          }
        }
      }
    }
  };
  // 802.3dj search, screened: every candidate's FOM first by a cheaper evaluation of the same
  // formula (`fast`, below), then the exact evaluation (the exhaustive search's code, solve_ffe on
  // tx_combine's cursors) of every candidate whose fast FOM is within `screen_margin` of the
  // largest, in the exhaustive loop's order with its strict ">" (the first of equal FOMs wins).
  // Why the choice is the exhaustive search's: let δ bound |fast − exact|/exact over the
  // candidates. The exhaustive winner W has exact E_W ≥ E_i for all i, so
  // fast_W ≥ (1 − δ)E_W ≥ (1 − δ)E_max-fast ≥ (1 − δ)/(1 + δ)·fast_max ≥ (1 − 2δ)·fast_max: W is
  // re-evaluated whenever 2δ ≤ screen_margin, and among the re-evaluated, in loop order, the strict
  // ">" on exact values lands on W as it did over all. The two evaluations differ only by
  // round-off (the autocorrelations regrouped, an unpivoted LDLᵀ instead of Eigen's pivoted one):
  // δ is ~1e-13 (measured in test_com.cpp), the margin 1e-3, so 2δ ≤ margin with ~10 orders to
  // spare. The re-evaluated candidates check it at run time: if any differs by more than
  // margin/8, or a fast solve meets a non-positive pivot (kept for the exact pass instead), the
  // search falls back to the exhaustive one. Returns false for that fallback.
  auto screened_search = [&]() -> bool {
    constexpr double screen_margin = 1e-3;
    const int n_search = pre + search_post + 1;  // tx_combine's cursor count in the search
    const auto ntaps = static_cast<std::size_t>(taps);
    const auto dd = static_cast<std::size_t>(taps + 2);  // lags D = 0 .. taps + 1 of q
    struct Screened {
      double ratio;
      std::uint32_t i1, i2;
      std::int32_t d;
      std::uint16_t a, b;  // c_minus1[a], c_plus1[b]
      bool exact;          // the fast solve was unsure: evaluate exactly regardless
    };
    std::vector<Screened> list;
    list.reserve(p.g_dc_db.size() * p.g_dc2_db.size() * static_cast<std::size_t>(m / 4) *
                 p.c_minus1.size() * p.c_plus1.size());
    std::vector<double> tq(dd), tqj(dd), xq(9 * ntaps), xj(9 * ntaps), tn(ntaps * ntaps),
        mat(ntaps * ntaps), lower(ntaps * ntaps), diag(ntaps), sol(ntaps), w(ntaps), rh(ntaps),
        rj(ntaps), tmp(ntaps);
    std::vector<std::vector<double>> an(static_cast<std::size_t>(nb + 1),
                                        std::vector<double>(ntaps));
    // T_D = Σ_{i=D}^{n+1} x[i]·x[i − D] over the gathered samples 0 .. n + 1; then
    // X_ab(L) = Σ_{k=L}^{n−1} x[k + 2 − a]·x[k − L + 2 − b] (a, b = 0, 1, 2 for c(−1), c(0),
    // c(1)), which is T_|D| at D = L + b − a less its head and tail terms outside the window
    // i = k + 2 − a ∈ [L + 2 − a, n + 1 − a] (T is symmetric: T_{−D} = T_D).
    const auto last = static_cast<std::int64_t>(n_search) + 1;
    auto lag_table = [&](const std::vector<double>& x, std::vector<double>& t,
                         std::vector<double>& xab) {
      for (std::size_t d = 0; d < dd; ++d) {
        double s = 0.0;
        for (auto i = static_cast<std::int64_t>(d); i <= last; ++i) {
          s += x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i) - d];
        }
        t[d] = s;
      }
      for (int a = 0; a < 3; ++a) {
        for (int b = 0; b < 3; ++b) {
          for (int lag = 0; lag < taps; ++lag) {
            const int dl = lag + b - a;
            // Full range of i for T_D: [max(0, D), min(n + 1, n + 1 + D)], terms x[i]·x[i − D].
            const std::int64_t lo = std::max(0, dl), hi = std::min(last, last + dl);
            const std::int64_t from = lag + 2 - a, to = last - a;
            double v = t[static_cast<std::size_t>(std::abs(dl))];
            for (std::int64_t i = lo; i < from; ++i) {
              v -= x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i - dl)];
            }
            for (std::int64_t i = to + 1; i <= hi; ++i) {
              v -= x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i - dl)];
            }
            xab[static_cast<std::size_t>((a * 3 + b) * taps + lag)] = v;
          }
        }
      }
    };
    // The fast FOM of one candidate: solve_ffe's formula on the autocorrelations
    // R(L) = Σ_ab c_a c_b X_ab(L), an LDLᵀ without pivoting; NaN when a pivot is not positive.
    auto fast = [&](double cm1, double c0, double cp1) -> double {
      const double c[3] = {cm1, c0, cp1};
      for (int lag = 0; lag < taps; ++lag) {
        double sh = 0.0, sj = 0.0;
        for (int a = 0; a < 3; ++a) {
          for (int b = 0; b < 3; ++b) {
            const auto i = static_cast<std::size_t>((a * 3 + b) * taps + lag);
            sh += c[a] * c[b] * xq[i];
            sj += c[a] * c[b] * xj[i];
          }
        }
        rh[static_cast<std::size_t>(lag)] = sh;
        rj[static_cast<std::size_t>(lag)] = sj;
      }
      // a_n[j] = h(n − j), h[k] = c(−1) q[k + 2] + c(0) q[k + 1] + c(1) q[k] (tx_combine).
      for (int n = 0; n <= nb; ++n) {
        for (int j = -w_pre; j <= w_post; ++j) {
          const int idx = n - j + pre;
          const auto k = static_cast<std::size_t>(idx);
          an[static_cast<std::size_t>(n)][static_cast<std::size_t>(j + w_pre)] =
              (idx >= 0 && idx < n_search) ? cm1 * q[k + 2] + c0 * q[k + 1] + cp1 * q[k] : 0.0;
        }
      }
      const double coef = sx2 + sx2 * tx_noise_ratio;
      double trace = 0.0;
      for (std::size_t r = 0; r < ntaps; ++r) {
        for (std::size_t cc = 0; cc < ntaps; ++cc) {
          const std::size_t lag = r > cc ? r - cc : cc - r;
          double v = coef * rh[lag] + jitter_factor * rj[lag] + tn[r * ntaps + cc];
          for (const auto& v_n : an) v -= sx2 * v_n[r] * v_n[cc];
          mat[r * ntaps + cc] = v;
        }
        trace += mat[r * ntaps + r];
      }
      const double reg = 1e-12 * trace / taps;
      for (std::size_t r = 0; r < ntaps; ++r) mat[r * ntaps + r] += reg;
      // LDLᵀ: lower unit-triangular L (row-major), D diagonal.
      for (std::size_t j = 0; j < ntaps; ++j) {
        double dj = mat[j * ntaps + j];
        for (std::size_t k = 0; k < j; ++k)
          dj -= lower[j * ntaps + k] * lower[j * ntaps + k] * diag[k];
        if (!(dj > 0.0)) return std::numeric_limits<double>::quiet_NaN();
        diag[j] = dj;
        for (std::size_t i = j + 1; i < ntaps; ++i) {
          double v = mat[i * ntaps + j];
          for (std::size_t k = 0; k < j; ++k)
            v -= lower[i * ntaps + k] * lower[j * ntaps + k] * diag[k];
          lower[i * ntaps + j] = v / dj;
        }
      }
      const std::vector<double>& rhs = an[0];
      for (std::size_t i = 0; i < ntaps; ++i) {
        double v = rhs[i];
        for (std::size_t k = 0; k < i; ++k) v -= lower[i * ntaps + k] * sol[k];
        sol[i] = v;
      }
      for (std::size_t i = 0; i < ntaps; ++i) sol[i] /= diag[i];
      for (std::size_t i = ntaps; i-- > 0;) {
        double v = sol[i];
        for (std::size_t k = i + 1; k < ntaps; ++k) v -= lower[k * ntaps + i] * sol[k];
        sol[i] = v;
      }
      const double main = sol[static_cast<std::size_t>(w_pre)];
      for (std::size_t j = 0; j < ntaps; ++j) {
        const double v =
            main != 0.0 ? sol[j] / main : (j == static_cast<std::size_t>(w_pre) ? 1.0 : 0.0);
        w[j] =
            j == static_cast<std::size_t>(w_pre) ? 1.0 : std::clamp(v, -p.rx_ffe_max, p.rx_ffe_max);
      }
      auto dot = [&](const std::vector<double>& x) {
        double s = 0.0;
        for (std::size_t j = 0; j < ntaps; ++j) s += x[j] * w[j];
        return s;
      };
      auto toeplitz_form = [&](const std::vector<double>& r) {  // wᵀ T(r) w
        double s = 0.0;
        for (std::size_t i = 0; i < ntaps; ++i) {
          double t = 0.0;
          for (std::size_t j = 0; j < ntaps; ++j) t += r[i > j ? i - j : j - i] * w[j];
          s += w[i] * t;
        }
        return s;
      };
      const double h0 = dot(an[0]);
      if (!(h0 > 0.0)) return 0.0;
      const double sum_h2 = toeplitz_form(rh);
      double isi = sum_h2 - h0 * h0;
      for (int n = 1; n <= nb; ++n) {
        const double hn = dot(an[static_cast<std::size_t>(n)]);
        const double bmax = p.dfe_max[static_cast<std::size_t>(n - 1)];
        const double r = hn - std::clamp(hn / h0, -bmax, bmax) * h0;
        isi += r * r - hn * hn;
      }
      double noise = 0.0;
      for (std::size_t i = 0; i < ntaps; ++i) {
        double t = 0.0;
        for (std::size_t j = 0; j < ntaps; ++j) t += tn[i * ntaps + j] * w[j];
        noise += w[i] * t;
      }
      const double total = sx2 * std::max(isi, 0.0) + jitter_factor * toeplitz_form(rj) +
                           sx2 * tx_noise_ratio * sum_h2 + noise;
      const double a_s = signal_factor * h0;
      return a_s * a_s / total;
    };
    double fast_max = 0.0;
    for (std::size_t i1 = 0; i1 < p.g_dc_db.size(); ++i1) {
      for (std::size_t i2 = 0; i2 < p.g_dc2_db.size(); ++i2) {
        set_ctle(p.g_dc_db[i1], p.g_dc2_db[i2]);
        const std::vector<double> pulse = pulse_of(spectrum, g, plan);
        const std::vector<double> rn = noise_autocorrelation(std::max(taps, 1));
        for (std::size_t r = 0; r < ntaps; ++r) {
          for (std::size_t cc = 0; cc < ntaps; ++cc)
            tn[r * ntaps + cc] = rn[r > cc ? r - cc : cc - r];
        }
        const auto peak =
            static_cast<std::int64_t>(std::max_element(pulse.begin(), pulse.end()) - pulse.begin());
        for (int d = -m / 2; d < m / 2; d += 4) {
          gather(pulse, peak + d, search_post);
          lag_table(q, tq, xq);
          lag_table(qj, tqj, xj);
          for (std::size_t a = 0; a < p.c_minus1.size(); ++a) {
            for (std::size_t b = 0; b < p.c_plus1.size(); ++b) {
              const double cm1 = p.c_minus1[a], cp1 = p.c_plus1[b];
              const double c0 = 1.0 - std::abs(cm1) - std::abs(cp1);
              if (c0 < p.c0_min - 1e-12) continue;
              const double ratio = fast(cm1, c0, cp1);
              const bool unsure = !std::isfinite(ratio);
              if (!unsure) fast_max = std::max(fast_max, ratio);
              list.push_back({unsure ? 0.0 : ratio, static_cast<std::uint32_t>(i1),
                              static_cast<std::uint32_t>(i2), d, static_cast<std::uint16_t>(a),
                              static_cast<std::uint16_t>(b), unsure});
            }
          }
        }
      }
    }
    // The exact pass over the screened candidates, one pulse per CTLE setting met.
    const double threshold = fast_max * (1.0 - screen_margin);
    std::size_t current = std::numeric_limits<std::size_t>::max();
    std::vector<double> pulse, rn;
    std::int64_t peak = 0;
    double discrepancy = 0.0;
    for (const Screened& s : list) {
      if (!s.exact && !(s.ratio >= threshold && s.ratio > 0.0)) continue;
      const std::size_t key = static_cast<std::size_t>(s.i1) * p.g_dc2_db.size() + s.i2;
      if (key != current) {
        current = key;
        set_ctle(p.g_dc_db[s.i1], p.g_dc2_db[s.i2]);
        pulse = pulse_of(spectrum, g, plan);
        rn = noise_autocorrelation(std::max(taps, 1));
        peak =
            static_cast<std::int64_t>(std::max_element(pulse.begin(), pulse.end()) - pulse.begin());
      }
      const double cm1 = p.c_minus1[s.a], cp1 = p.c_plus1[s.b];
      const double c0 = 1.0 - std::abs(cm1) - std::abs(cp1);
      gather(pulse, peak + s.d, search_post);
      tx_combine(cm1, c0, cp1, h, hj, n_search);
      const double ratio = solve_ffe(h, hj, rn).ratio;
      if (!s.exact) {
        discrepancy = std::max(discrepancy, std::abs(s.ratio - ratio) / std::max(ratio, s.ratio));
      }
      if (ratio > best.ratio) best = {ratio, s.i1, s.i2, s.d, cm1, cp1};
    }
    screen_discrepancy = discrepancy;
    return discrepancy <= screen_margin / 8.0 && best.ratio > 0.0;
  };
  if (rx_ffe && !p.exhaustive_search) {
    if (!screened_search()) {
      best = Best{};
      exhaustive_search();
    }
  } else {
    exhaustive_search();
  }
  if (!(best.ratio > 0.0)) {
    throw NumericError("COM: no equaliser setting gives a positive main cursor");
  }

  // The chosen setting, in full.
  ComResult r;
  r.parameter_set = p.name;
  r.g_dc_db = p.g_dc_db[best.g1];
  r.g_dc2_db = p.g_dc2_db[best.g2];
  r.c_minus1 = best.cm1;
  r.c_plus1 = best.cp1;
  r.c0 = 1.0 - std::abs(best.cm1) - std::abs(best.cp1);
  r.sampling_offset_ui = static_cast<double>(best.ts) / m;
  r.search_screen_discrepancy = screen_discrepancy;
  set_ctle(r.g_dc_db, r.g_dc2_db);
  const std::vector<double> raw = pulse_of(spectrum, g, plan);
  const auto peak =
      static_cast<std::int64_t>(std::max_element(raw.begin(), raw.end()) - raw.begin());
  const std::int64_t ts = peak + best.ts;
  // Tx-equalised pulse: c(−1) p(t + T) + c(0) p(t) + c(1) p(t − T).
  std::vector<double> pulse(g.n);
  for (std::size_t i = 0; i < g.n; ++i) {
    const auto s = static_cast<std::int64_t>(i);
    pulse[i] =
        r.c_minus1 * raw[wrap(s + m, g.n)] + r.c0 * raw[i] + r.c_plus1 * raw[wrap(s - m, g.n)];
  }
  gather(pulse, ts, post);
  h.assign(q.begin() + 1, q.end() - 1);
  hj.assign(qj.begin() + 1, qj.end() - 1);
  const std::vector<double> rn = noise_autocorrelation(std::max(taps, 1));
  double noise_var = rn[0];
  if (rx_ffe) {
    // The search combined the Tx taps on cursors; here they are in the pulse already.
    const std::vector<double> w = solve_ffe(h, hj, rn).w;
    h = apply_ffe(w, h);
    hj = apply_ffe(w, hj);
    noise_var = ffe_noise(w, rn);
    r.rx_ffe = w;
  }
  const Terms t = evaluate(h, hj, pre, noise_var, p, rx_ffe);
  r.fom_db = fom_of(t, p);
  r.dfe = t.dfe;
  r.a_s_v = p.rlm * t.h0 / (p.levels - 1);
  r.sigma_isi_v = std::sqrt(t.isi_var);
  r.sigma_jitter_v = std::sqrt(t.jitter_var);
  r.sigma_noise_v = std::sqrt(t.noise_var);
  r.sigma_tx_v = std::sqrt(t.tx_var);
  const double gaussian =
      std::sqrt(p.sigma_rj_ui * p.sigma_rj_ui * sx2 * t.jitter_sum_sq + t.noise_var + t.tx_var);
  const double dual_dirac = p.a_dd_ui * std::sqrt(sx2 * t.jitter_sum_sq);
  r.a_ni_v = com_noise_amplitude(t.isi_cursors, p.levels, dual_dirac, gaussian, p.der0);
  r.com_db = 20.0 * std::log10(r.a_s_v / r.a_ni_v);
  r.pass = r.com_db >= p.threshold_db;
  // Report 40 cursors after h(0) and the pre-cursors.
  const int keep_post = std::min(post, 40);
  r.pre_cursors = pre;
  r.cursors_v.assign(h.begin(), h.begin() + pre + keep_post + 1);
  for (std::int64_t i = -4 * m; i <= 40 * m; ++i) {
    r.pulse_time_ui.push_back(static_cast<double>(i) / m);
    r.pulse_v.push_back(pulse[wrap(ts + i, g.n)]);
  }
  r.method = fmt::format(
      "IEEE 802.3 Annex 93A COM, {} set ({:.6g} GBd, DER0 {:g}): Tx FFE c(-1)/c(1) grid search "
      "({}x{} values, c(-2), c(-3), c(2) = 0), CTLE g_DC {}..{} dB x g_DC2 {}..{} dB, {}; "
      "sampling phase of best FOM among {} per UI (not Mueller-Mueller); no crosstalk; "
      "{}-UI circular window",
      p.name, p.symbol_rate_bd / 1e9, p.der0, p.c_minus1.size(), p.c_plus1.size(),
      p.g_dc_db.front(), p.g_dc_db.back(), p.g_dc2_db.front(), p.g_dc2_db.back(),
      rx_ffe ? fmt::format("{}-tap MMSE Rx FFE ({} pre, taps clipped to +-{} of the main) + {}-tap "
                           "DFE",
                           taps, w_pre, p.rx_ffe_max, nb)
             : fmt::format("{}-tap DFE (no floating taps)", nb),
      rx_ffe ? m / 4 : m, g.span);
  return r;
}

}  // namespace optilane

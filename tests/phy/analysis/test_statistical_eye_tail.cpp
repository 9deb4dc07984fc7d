// The statistical eye's ISI outside its fitted cursors (phy/analysis/statistical_eye.hpp:
// SampledPulse::residual, StatisticalEyeSettings::unmodelled_isi and unmodelled_isi_rms).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "phy/analysis/pam_reference.hpp"
#include "phy/analysis/statistical_eye.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/pam.hpp"
#include "phy/random.hpp"

using namespace optilane;

TEST_CASE("statistical eye: the ISI outside the fitted window is the fit's residual, a·σ_X",
          "[phy][analysis][statistical_eye]") {
  // A linear PAM4 channel sampled once per symbol: h0 = 1, h1 = 0.3, h2 = −0.1 inside the window
  // and one echo a = 0.05 at n = 40, beyond the fit's 24 post-cursors. With independent
  // equiprobable symbols the least-squares fit finds the in-window cursors and leaves the echo:
  // residual = a·s_{k−40}, whose RMS is a·σ_X, σ_X² = E[s²] = (1 + 1/9)/2 = 5/9 (levels ±1, ±⅓).
  // Sampling: the sample mean of s² over N symbols has relative s.d. √Var(s²)/E[s²]/√N =
  // 0.80/√N, so the RMS 0.40/√N (0.28 % at N = 20000); allowed: 4 s.d., plus the fit's 31
  // parameters' share of the residual's degrees of freedom (31/N).
  constexpr int n_symbols = 20000, echo = 40;
  constexpr double a = 0.05;
  RandomStream rng(7);
  std::vector<int> levels(n_symbols);
  for (int& l : levels) l = static_cast<int>(rng.next_u64() % 4);
  std::vector<double> x(n_symbols, 0.0);
  const std::vector<double> h{1.0, 0.3, -0.1};
  for (int k = 0; k < n_symbols; ++k) {
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (k >= static_cast<int>(i)) x[k] += h[i] * symbol_level(levels[k - i], 4);
    }
    if (k >= echo) x[k] += a * symbol_level(levels[k - echo], 4);
  }
  const SampledPulse pulse = fit_sampled_pulse(x, levels, 4, 1, 0, 6, 24);
  const double expected = a * std::sqrt(5.0 / 9.0);
  const double tolerance = 4.0 * 0.40 / std::sqrt(n_symbols) + 31.0 / n_symbols;
  INFO("residual RMS " << pulse.residual_rms_at_decisions() << ", a·σ_X " << expected);
  CHECK(pulse.residual_rms_at_decisions() == Approx(expected).epsilon(tolerance));
  CHECK(pulse.fit_residual_rms == Approx(expected).epsilon(tolerance));
  // The in-window cursors are found (the echo is uncorrelated with them).
  const PulseResponse fitted = pulse.cursors_at(0.0, 6, 24);
  CHECK(fitted.cursors[static_cast<std::size_t>(fitted.main)] == Approx(1.0).margin(0.01));
}

TEST_CASE(
    "statistical eye: unmodelled ISI of RMS u adds to the noise as σ² + u² (Gray closed form)",
    "[phy][analysis][statistical_eye]") {
  // ISI-free PAM4 (h0 = 1, d = ⅔) with noise σ and unmodelled ISI u taken as Gaussian:
  // BER = ¼[3Q(a) + 2Q(3a) − Q(5a)], a = d / (2√(σ² + u²)) (Proakis §4.3).
  const double sigma = 0.08, u = 0.06;
  const std::vector<double> s(4, sigma);
  const std::vector<double> t{-2.0 / 3.0, 0.0, 2.0 / 3.0};
  const auto flat = [](double) { return PulseResponse{.cursors = {1.0}, .main = 0, .dc = 0.0}; };
  const StatisticalEye eye =
      statistical_eye(flat, s, t, {.levels = 4, .target_ber = 1e-6, .unmodelled_isi_rms = u});
  const double a_eff = (2.0 / 3.0) / (2.0 * std::hypot(sigma, u));
  const double expected =
      0.25 * (3.0 * q_function(a_eff) + 2.0 * q_function(3.0 * a_eff) - q_function(5.0 * a_eff));
  CHECK(eye.ber == Approx(expected).epsilon(1e-6));
}

namespace {

/// Exact PAM-M BER (Gray bits) of received points with Gaussian noise σ and thresholds t:
/// points[l] holds (x, weight) of the noiseless samples of sent level l (weights sum to 1 per
/// level, levels equiprobable).
double ber_of_points(const std::vector<std::vector<std::pair<double, double>>>& points,
                     double sigma, const std::vector<double>& t) {
  const int m = static_cast<int>(points.size());
  double bits = 0.0;
  for (int l = 0; l < m; ++l) {
    for (const auto& [x, w] : points[static_cast<std::size_t>(l)]) {
      for (int j = 0; j < m; ++j) {
        if (j == l) continue;
        bits += w * test::region_probability(x, sigma, t, j) * test::gray_bit_errors(l, j) / m;
      }
    }
  }
  return bits / std::log2(m);
}

}  // namespace

TEST_CASE(
    "statistical eye: a memoryless compression's unequal PAM4 levels are its level means "
    "(the residual's per-level mean e_l), and its BER is the closed form",
    "[phy][analysis][statistical_eye]") {
  // x = f(s) = s − c·s³ on an ISI-free channel (a modulator's compression: outer levels ±0.85,
  // inner ±0.3278, RLM 0.77). The linear fit x ≈ dc + h_0·s spreads the levels evenly; its
  // residual is f(s_l) − dc − h_0·s_l, one value per level, so e_l restores every level exactly
  // and nothing is left to convolve. Reference: ber_of_points with the true levels, one point
  // each (Proakis §4.3, per region). Fit with no cursors beside h_0 (pre = post = 0), so the
  // residual holds no spurious cursor of the finite record.
  constexpr double c = 0.15, sigma = 0.07;
  auto f = [](double s) { return s - c * s * s * s; };
  RandomStream rng(11);
  std::vector<int> levels(4000);
  for (int& l : levels) l = static_cast<int>(rng.next_u64() % 4);
  std::vector<double> x;
  for (int l : levels) x.push_back(f(symbol_level(l, 4)));
  const SampledPulse pulse = fit_sampled_pulse(x, levels, 4, 1, 0, 0, 0);
  std::vector<double> truth;
  for (int l = 0; l < 4; ++l) truth.push_back(f(symbol_level(l, 4)));
  const std::vector<double> t{0.5 * (truth[0] + truth[1]), 0.5 * (truth[1] + truth[2]),
                              0.5 * (truth[2] + truth[3])};
  const std::vector<double> s(4, sigma);
  auto response = [&](double tau) { return pulse.cursors_at(tau, 0, 0); };
  StatisticalEyeSettings settings{.levels = 4, .target_ber = 1e-6};
  settings.unmodelled_isi = pulse.residual_at_decisions();
  const StatisticalEye eye = statistical_eye(response, s, t, settings);
  std::vector<std::vector<std::pair<double, double>>> points;
  for (double v : truth) points.push_back({{v, 1.0}});
  const double exact = ber_of_points(points, sigma, t);
  REQUIRE(eye.level_means.size() == 4);
  for (int l = 0; l < 4; ++l) CHECK(eye.level_means[l] == Approx(truth[l]).margin(1e-12));
  INFO("statistical " << eye.ber << ", closed form " << exact);
  CHECK(eye.ber == Approx(exact).epsilon(1e-9));
  // The test has power: the evenly spread linear levels read the BER otherwise.
  const StatisticalEye linear = statistical_eye(response, s, t, {.levels = 4, .target_ber = 1e-6});
  CHECK(std::abs(linear.ber / exact - 1.0) > 0.1);
}

TEST_CASE(
    "statistical eye: an echo beyond the fitted window enters with its measured distribution, "
    "not as a Gaussian of its RMS: the enumeration over the fitted cursors and the measured "
    "residual, and the true channel's within its sampling",
    "[phy][analysis][statistical_eye]") {
  // h = [1, 0.08, −0.04] fitted (pre 0, post 2) and an echo a = 0.12 at n = 40 outside the fit:
  // the residual is a·s_{k−40} (four values) plus the fit's sampling, the same for every sent
  // level, so the levels' residual variances agree within their standard errors and form one
  // group (statistical_eye.hpp). Reference 1, the model's own definition: the 16 sequences of
  // the fitted h_1, h_2 (uniform) times every residual sample less its level's mean e_l (each
  // 1/N) at dc + h_0·s_l + e_l, through ber_of_points. The statistical eye differs from it by
  // its grids only: the fine grid (σ/32) and the noise-step bins (σ/8), every atom's mass, mean
  // and variance kept (~0.1 % on the 4^5-sequence test of test_statistical_eye.cpp), and the
  // residual's atoms, here one per echo value (0.08 apart, many atom widths), so exact: 1 %
  // allowed.
  // Reference 2, the true channel: the 64 sequences of (s_1, s_2, s_40), uniform. The measured
  // residual's four values carry weights of relative s.d. √(0.75/(0.25·N)) ≈ 1.2 % (N ≈ 20000)
  // and the fitted cursors errors ~a/√N: 10 % allowed. The Gaussian of the residual's RMS (the
  // earlier model) is reported, and must lie outside that.
  constexpr int n_symbols = 20000, echo = 40;
  constexpr double a = 0.12, sigma = 0.03;
  RandomStream rng(7);
  std::vector<int> levels(n_symbols);
  for (int& l : levels) l = static_cast<int>(rng.next_u64() % 4);
  const std::vector<double> h{1.0, 0.08, -0.04};
  std::vector<double> x(n_symbols, 0.0);
  for (int k = 0; k < n_symbols; ++k) {
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (k >= static_cast<int>(i)) x[k] += h[i] * symbol_level(levels[k - i], 4);
    }
    if (k >= echo) x[k] += a * symbol_level(levels[k - echo], 4);
  }
  const SampledPulse pulse = fit_sampled_pulse(x, levels, 4, 1, 0, 0, 2);
  const PulseResponse fitted = pulse.cursors_at(0.0, 0, 2);
  const UnmodelledIsi residual = pulse.residual_at_decisions();
  const double h0 = fitted.cursors[0];
  const std::vector<double> t{-2.0 / 3.0 * h0 + fitted.dc, fitted.dc, 2.0 / 3.0 * h0 + fitted.dc};
  const std::vector<double> s(4, sigma);
  StatisticalEyeSettings settings{.levels = 4, .target_ber = 1e-6};
  settings.unmodelled_isi = residual;
  const StatisticalEye eye = statistical_eye([&](double) { return fitted; }, s, t, settings);

  std::vector<std::vector<std::pair<double, double>>> model(4), truth(4);
  std::vector<double> count(4, 0.0), mean(4, 0.0);
  for (std::size_t k = 0; k < residual.residual.size(); ++k) {
    count[static_cast<std::size_t>(residual.levels[k])] += 1.0;
    mean[static_cast<std::size_t>(residual.levels[k])] += residual.residual[k];
  }
  for (int l = 0; l < 4; ++l) mean[l] /= count[l];
  const auto n = static_cast<double>(residual.residual.size());
  for (int l1 = 0; l1 < 4; ++l1) {
    for (int l2 = 0; l2 < 4; ++l2) {
      const double isi =
          fitted.cursors[1] * symbol_level(l1, 4) + fitted.cursors[2] * symbol_level(l2, 4);
      for (int l = 0; l < 4; ++l) {
        for (std::size_t k = 0; k < residual.residual.size(); ++k) {
          const double r = residual.residual[k] - mean[residual.levels[k]];
          model[static_cast<std::size_t>(l)].push_back(
              {fitted.dc + h0 * symbol_level(l, 4) + mean[l] + isi + r, 1.0 / (16.0 * n)});
        }
      }
      for (int l = 0; l < 4; ++l) {
        for (int le = 0; le < 4; ++le) {
          truth[static_cast<std::size_t>(l)].push_back(
              {h[0] * symbol_level(l, 4) + h[1] * symbol_level(l1, 4) + h[2] * symbol_level(l2, 4) +
                   a * symbol_level(le, 4),
               1.0 / 64.0});
        }
      }
    }
  }
  const double reference = ber_of_points(model, sigma, t);
  const double exact = ber_of_points(truth, sigma, t);
  StatisticalEyeSettings gaussian{.levels = 4, .target_ber = 1e-6};
  gaussian.unmodelled_isi_rms = pulse.residual_rms_at_decisions();
  const double as_gaussian = statistical_eye([&](double) { return fitted; }, s, t, gaussian).ber;
  INFO("statistical " << eye.ber << ", enumeration of the model " << reference << ", true channel "
                      << exact << ", Gaussian of the RMS " << as_gaussian);
  CHECK(exact > 1e-5);
  CHECK(eye.ber == Approx(reference).epsilon(0.01));
  CHECK(eye.ber == Approx(exact).epsilon(0.10));
  CHECK(std::abs(as_gaussian / exact - 1.0) > 0.10);
}

TEST_CASE(
    "statistical eye: a residual whose spread differs by level (a nonlinearity's) is convolved "
    "per group of levels: the exact per-level enumeration",
    "[phy][analysis][statistical_eye]") {
  // An ISI-free PAM4 pulse (h_0 = 1) whose outer levels carry a residual of ±0.1 (half each)
  // and whose inner levels carry none, as a compressing modulator distorts its outer levels: the
  // variances (0.01 and 0) differ by far more than their standard errors, so the outer and the
  // inner levels form two groups. Reference: ber_of_points with each level's own points (the
  // outer ones at x_l ± 0.1, weight ½ each). Every atom is one residual value and the ISI is a
  // single bin, so the statistical eye is exact up to the erfc evaluation: 1e-9.
  constexpr double sigma = 0.08;
  UnmodelledIsi residual;
  for (int k = 0; k < 400; ++k) {
    for (int l = 0; l < 4; ++l) {
      residual.levels.push_back(l);
      residual.residual.push_back(l == 0 || l == 3 ? (k % 2 == 0 ? 0.1 : -0.1) : 0.0);
    }
  }
  const PulseResponse flat{.cursors = {1.0}, .main = 0, .dc = 0.0};
  const std::vector<double> t{-2.0 / 3.0, 0.0, 2.0 / 3.0};
  const std::vector<double> s(4, sigma);
  StatisticalEyeSettings settings{.levels = 4, .target_ber = 1e-6};
  settings.unmodelled_isi = residual;
  const StatisticalEye eye = statistical_eye([&](double) { return flat; }, s, t, settings);
  std::vector<std::vector<std::pair<double, double>>> points(4), pooled(4);
  for (int l = 0; l < 4; ++l) {
    const double x = symbol_level(l, 4);
    if (l == 0 || l == 3) {
      points[l] = {{x + 0.1, 0.5}, {x - 0.1, 0.5}};
    } else {
      points[l] = {{x, 1.0}};
    }
    // One distribution for all levels (the pooled samples) puts ±0.1 on the inner levels too.
    pooled[l] = {{x + 0.1, 0.25}, {x - 0.1, 0.25}, {x, 0.5}};
  }
  const double exact = ber_of_points(points, sigma, t);
  const double one_group = ber_of_points(pooled, sigma, t);
  INFO("statistical " << eye.ber << ", per level " << exact << ", pooled " << one_group);
  CHECK(eye.ber == Approx(exact).epsilon(1e-9));
  CHECK(std::abs(one_group / exact - 1.0) > 0.1);
}

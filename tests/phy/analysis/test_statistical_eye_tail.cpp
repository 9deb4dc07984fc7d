// The statistical eye's ISI outside its fitted cursors (phy/analysis/statistical_eye.hpp:
// SampledPulse::residual, StatisticalEyeSettings::unmodelled_isi_rms).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

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

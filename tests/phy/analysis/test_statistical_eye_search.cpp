// The statistical eye's and the DFE chain's cheaper searches against their reference
// evaluations (issue 9, benchmark B).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "phy/analysis/dfe_propagation.hpp"
#include "phy/analysis/statistical_eye.hpp"

using namespace optilane;

namespace {

/// Φ(z) = ½·erfc(−z/√2) and Q(z) = ½·erfc(z/√2) (Abramowitz & Stegun 26.2.2, 7.1.2).
double phi(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}
double q_tail(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

/// P(x + n lands in region j), n ~ N(0, σ²), thresholds t: each region by its two bounds, the
/// tail beyond each bound taken on the side away from x (Φ below x, Q above) so both tails keep
/// their precision — one region at a time, as gaussian_region_probabilities did before it
/// evaluated each threshold's tail once.
std::vector<double> regions_by_bounds(double x, double sigma, const std::vector<double>& t) {
  const int m = static_cast<int>(t.size()) + 1;
  std::vector<double> p(static_cast<std::size_t>(m));
  for (int j = 0; j < m; ++j) {
    const bool has_lo = j > 0, has_hi = j < m - 1;
    const double lo = has_lo ? t[static_cast<std::size_t>(j - 1)] : 0.0;
    const double hi = has_hi ? t[static_cast<std::size_t>(j)] : 0.0;
    double v = 0.0;
    if (has_hi && hi <= x) {
      v = phi((hi - x) * (1.0 / sigma)) - (has_lo ? phi((lo - x) * (1.0 / sigma)) : 0.0);
    } else if (has_lo && lo >= x) {
      v = q_tail((lo - x) * (1.0 / sigma)) - (has_hi ? q_tail((hi - x) * (1.0 / sigma)) : 0.0);
    } else {
      v = 1.0 - (has_lo ? phi((lo - x) * (1.0 / sigma)) : 0.0) -
          (has_hi ? q_tail((hi - x) * (1.0 / sigma)) : 0.0);
    }
    p[static_cast<std::size_t>(j)] = std::max(v, 0.0);
  }
  return p;
}

/// A symbol-spaced response that varies with the phase: a raised-cosine-like main lobe with
/// one pre- and two post-cursors, cos²(πτ/2) of the main cursor's value at τ.
PulseResponse response_at(double tau, double pre, double post1, double post2) {
  const double c = std::cos(0.5 * M_PI * tau);
  return PulseResponse{.cursors = {pre + 0.1 * tau, c * c, post1 - 0.2 * tau, post2}, .main = 1};
}

}  // namespace

TEST_CASE("Gaussian decision regions: one tail per threshold equals each region's two bounds",
          "[statistical_eye][dfe][speed]") {
  // PAM4 thresholds at 0, ±2/3 (levels ±1, ±1/3); x in every region, on a threshold, and far in
  // the tails (|z| up to 40: the erfc, table and asymptotic-series ranges).
  const std::vector<double> t = {-2.0 / 3.0, 0.0, 2.0 / 3.0};
  for (const double sigma : {0.02, 0.1, 0.3}) {
    for (const double x : {-1.7, -1.0, -2.0 / 3.0, -0.3, 0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0, 1.6}) {
      std::vector<double> p(4);
      gaussian_region_probabilities(x, sigma, t, p, false);
      const std::vector<double> ref = regions_by_bounds(x, sigma, t);
      double sum = 0.0;
      for (std::size_t j = 0; j < p.size(); ++j) {
        INFO("σ " << sigma << ", x " << x << ", region " << j);
        CHECK(p[j] == ref[j]);  // the same erfc values and subtractions: bit for bit
        sum += p[j];
      }
      CHECK(sum == Approx(1.0).margin(1e-15));  // the regions partition the line
    }
  }
  // Tabulated tails: each region within the table's relative bound (≈ 3.5e-7; 4e-7 here) of
  // the erfc one, plus the tails beyond the table's end (|z| ≥ 13) taken as 0: at most
  // 2·Q(13) = 1.2e-38 absolute per region. x = 0.2, σ = 0.05 puts the thresholds at z = −17.3,
  // −4 and 9.3: one tail beyond the table, one inside it, one in the deep table.
  std::vector<double> exact(4), table(4);
  gaussian_region_probabilities(0.2, 0.05, t, exact, false);
  gaussian_region_probabilities(0.2, 0.05, t, table, true);
  for (std::size_t j = 0; j < 4; ++j) {
    INFO("region " << j << ": " << table[j] << " vs " << exact[j]);
    CHECK(std::abs(table[j] - exact[j]) <= 4e-7 * exact[j] + 2.0 * q_tail(13.0));
  }
  CHECK(table[0] == 0.0);  // beyond the table's end
  CHECK(table[3] > 0.0);   // Q(9.3) ≈ 7e-21, inside the table
}

TEST_CASE("statistical eye: eye heights bracketed on the vertical bathtub equal the scan's",
          "[statistical_eye][speed]") {
  // Both searches bisect the same crossing of B_j(0, v) = target: the reference from a 512-step
  // scan and 60 halvings of [inside, edge limit] (≈ 1e-18 of the axis), the bracketed one from
  // one grid step and 44 halvings (≤ 2.2e-16 of the axis). So they agree to round-off of the
  // axis (~1e-15 of the amplitude range); 1e-12 of the height leaves room for the bisections'
  // last comparisons on a flat B_j near its crossing, and is far below any physical meaning.
  struct Case {
    double pre, post1, post2, sigma;
    std::vector<double> dfe;
  };
  const std::vector<Case> cases = {
      {0.0, 0.0, 0.0, 0.03, {}},         // Gaussian eye, no ISI
      {0.05, 0.2, -0.05, 0.02, {}},      // ISI and noise
      {0.08, 0.3, 0.1, 0.015, {}},       // nearly closed middle eyes
      {0.03, 0.25, 0.06, 0.02, {0.25}},  // 1-tap DFE: averaged over its error states
      {0.02, 0.1, 0.02, 0.05, {}},       // noise-limited, heights well below the spacing
  };
  for (const double target : {1e-4, 2.4e-4, 1e-12}) {
    for (const Case& c : cases) {
      StatisticalEyeSettings fast{.levels = 4, .target_ber = target};
      fast.contours = false;
      fast.dfe_feedback = c.dfe;
      StatisticalEyeSettings reference = fast;
      reference.height_by_scan = true;
      auto response = [&](double tau) { return response_at(tau, c.pre, c.post1, c.post2); };
      const std::vector<double> sigma(4, c.sigma);
      const std::vector<double> thresholds = {-2.0 / 3.0, 0.0, 2.0 / 3.0};
      const StatisticalEye a = statistical_eye(response, sigma, thresholds, fast);
      const StatisticalEye b = statistical_eye(response, sigma, thresholds, reference);
      REQUIRE(a.eye_height.size() == b.eye_height.size());
      const double axis = a.amplitude.back() - a.amplitude.front();
      for (std::size_t j = 0; j < a.eye_height.size(); ++j) {
        INFO("target " << target << ", σ " << c.sigma << ", eye " << j << ": " << a.eye_height[j]
                       << " vs " << b.eye_height[j]);
        CHECK(std::abs(a.eye_height[j] - b.eye_height[j]) <=
              std::max(1e-12 * b.eye_height[j], 1e-15 * axis));
      }
      CHECK(a.ber == b.ber);  // the rest of the eye is untouched
      CHECK(a.eye_width_ui == b.eye_width_ui);
    }
  }
}

TEST_CASE("statistical eye: a noise-only PAM4 eye's height is the closed form's",
          "[statistical_eye][speed]") {
  // No ISI, σ per level, midway thresholds: B(v) = ½[Q((v − μ_j)/σ) + Q((μ_{j+1} − v)/σ)]. At the
  // eye's edges the far level's term is below 1e-30 of the near one's for spacing 2/3 and
  // σ = 0.03 (Q(22) against Q(5)), so the edge is where ½·Q(d/σ) = target, d the distance from
  // the level: height = spacing − 2σ·Q⁻¹(2·target). Q⁻¹ by bisection on erfc.
  const double sigma = 0.03, target = 1e-6;
  double lo = 0.0, hi = 40.0;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (q_tail(mid) > 2.0 * target ? lo : hi) = mid;
  }
  const double expected = 2.0 / 3.0 - 2.0 * sigma * 0.5 * (lo + hi);
  StatisticalEyeSettings settings{.levels = 4, .target_ber = target};
  settings.contours = false;
  settings.exact_q = true;  // erfc throughout, as the closed form
  const StatisticalEye eye = statistical_eye(
      [](double) { return PulseResponse{.cursors = {1.0}, .main = 0}; },
      std::vector<double>(4, sigma), std::vector<double>{-2.0 / 3.0, 0.0, 2.0 / 3.0}, settings);
  // The bisection's 2^−44 of a grid step is ~1e-16; the closed form drops the far level's term
  // (relative 1e-30): they agree to round-off, 1e-12 of the height.
  for (double h : eye.eye_height) CHECK(h == Approx(expected).epsilon(1e-12));
}

TEST_CASE("statistical eye behind a DFE: tabulated burst states keep the chain's BER",
          "[statistical_eye][dfe][speed]") {
  // The error-free state by erfc, the burst states by the Q table (relative ε ≈ 3.5e-7 per
  // tail). A decision probability is a difference of two tails, relative error ≤ ε(1 + r)/(1 − r)
  // with r their ratio (≤ Q(z + d/σ)/Q(z), here below 1e-3, so ≤ 1.01ε); the chain's BER is a
  // rational function of them of degree ≤ the burst length, and the bursts that carry its mass
  // are a few decisions long (the tap weights decay): within 1e-5 relative of erfc throughout.
  struct Case {
    std::vector<double> cursors;  // main first, then post-cursors
    std::vector<double> dfe;      // c_i = b_i·g·2/(M−1)
    double sigma;
  };
  const std::vector<Case> cases = {
      {{1.0, 0.35}, {0.2}, 0.06},                           // 1-tap, 0.05 of the cursor left
      {{1.0, 0.45, 0.25, 0.1}, {0.3, 0.133, 0.067}, 0.05},  // 3-tap DFE, some residual ISI
      {{1.0, 0.2, 0.1, 0.05, 0.03}, {0.133, 0.067, 0.033, 0.02}, 0.07},
  };
  const std::vector<double> thresholds = {-2.0 / 3.0, 0.0, 2.0 / 3.0};
  for (const Case& c : cases) {
    std::vector<double> residual = c.cursors;  // the DFE cancels c_i·(M−1)/2 of cursor i
    for (std::size_t i = 0; i < c.dfe.size(); ++i) residual[i + 1] -= c.dfe[i] * 1.5;
    auto response = [&](double) { return PulseResponse{.cursors = residual, .main = 0}; };
    StatisticalEyeSettings fast{.levels = 4, .target_ber = 1e-6};
    fast.contours = false;
    fast.dfe_feedback = c.dfe;
    StatisticalEyeSettings exact = fast;
    exact.exact_q = true;
    const std::vector<double> sigma(4, c.sigma);
    const StatisticalEye a = statistical_eye(response, sigma, thresholds, fast);
    const StatisticalEye b = statistical_eye(response, sigma, thresholds, exact);
    INFO("BER " << a.ber << " (tabulated bursts) vs " << b.ber << " (erfc)");
    REQUIRE(b.ber > 0.0);
    CHECK(a.ber == Approx(b.ber).epsilon(1e-5));
    CHECK(a.ser == Approx(b.ser).epsilon(1e-5));
    CHECK(a.ber != b.ber);  // the burst states did take the table (else this tests nothing)
  }
}

TEST_CASE("statistical eye: the trimmed contour map stays within its stated bound of the full one",
          "[statistical_eye][dfe][speed]") {
  // Each map point is Σ_E π_E·½[P(x + n > v | j) + P(x + n < v | j+1)], every P a sum of
  // non-negative terms p_b·Q(z_b). The trimmed evaluation counts the bins at least k·s_max beyond
  // v on the near side as their mass (each term overestimated by at most Q(k)/(1 − Q(k)) =
  // ½·tolerance of itself) and leaves out the far side's bins once their largest possible sum
  // (their mass times Q at their nearest distance) is within ½·tolerance of the sum so far, a
  // lower bound on the whole (an underestimate of at most that). So every P, their half-sum
  // and the π-weighted average move by at most `tolerance` of themselves, relative — except where
  // the DFE average's own stop (the states left can add at most dfe_state_tolerance of the sum)
  // falls one state earlier or later on the trimmed sum: that point may move by that tolerance
  // more. Everything else of the eye (BER, bathtubs, heights, widths) is the full evaluation,
  // bit for bit.
  struct Case {
    double pre, post1, post2, sigma;
    std::vector<double> dfe;
  };
  const std::vector<Case> cases = {
      {0.0, 0.0, 0.0, 0.03, {}},         // Gaussian eye, no ISI
      {0.05, 0.2, -0.05, 0.02, {}},      // ISI and noise
      {0.08, 0.3, 0.1, 0.015, {}},       // nearly closed middle eyes
      {0.03, 0.25, 0.06, 0.02, {0.25}},  // 1-tap DFE: averaged over its error states
      {0.03, 0.35, 0.06, 0.06, {0.25}},  // 1-tap DFE with a high error rate: many states
      {0.02, 0.1, 0.02, 0.05, {}},       // noise-limited
  };
  for (const double tolerance : {1e-4, 1e-2}) {
    std::size_t moved = 0, points = 0;
    for (const Case& c : cases) {
      StatisticalEyeSettings trimmed{.levels = 4, .target_ber = 2.4e-4};
      trimmed.dfe_feedback = c.dfe;
      trimmed.contour_tolerance = tolerance;
      StatisticalEyeSettings full = trimmed;
      full.contour_tolerance = 0.0;
      auto response = [&](double tau) { return response_at(tau, c.pre, c.post1, c.post2); };
      const std::vector<double> sigma(4, c.sigma);
      const std::vector<double> thresholds = {-2.0 / 3.0, 0.0, 2.0 / 3.0};
      const StatisticalEye a = statistical_eye(response, sigma, thresholds, trimmed);
      const StatisticalEye b = statistical_eye(response, sigma, thresholds, full);
      REQUIRE(a.contour_ber.size() == b.contour_ber.size());
      CHECK(a.contour_tolerance == tolerance);  // the map states the bound it holds
      CHECK(b.contour_tolerance == 0.0);
      REQUIRE(!b.contour_ber.empty());
      const double bound = tolerance + (c.dfe.empty() ? 0.0 : full.dfe_state_tolerance);
      for (std::size_t i = 0; i < a.contour_ber.size(); ++i) {
        const double exact = b.contour_ber[i];
        INFO("tolerance " << tolerance << ", σ " << c.sigma << ", point " << i << ": "
                          << a.contour_ber[i] << " vs " << exact);
        CHECK(std::abs(a.contour_ber[i] - exact) <= bound * exact);
        moved += a.contour_ber[i] != exact ? 1 : 0;
        ++points;
      }
      CHECK(a.ber == b.ber);
      CHECK(a.ser == b.ser);
      CHECK(a.eye_height == b.eye_height);
      CHECK(a.eye_width_ui == b.eye_width_ui);
      CHECK(a.horizontal_ber == b.horizontal_ber);
      CHECK(a.vertical_ber == b.vertical_ber);
    }
    // The trimming did leave terms out (else this tests nothing): most points moved.
    INFO(moved << " of " << points << " points moved");
    CHECK(moved > points / 4);
  }
}

// The tabulated Gaussian tail (phy/analysis/gaussian_tail_table.hpp) against ½·erfc(z/√2): the
// measured relative error stays within the bound derived from the cubic Hermite remainder
// (h⁴/384·max|Q⁽⁴⁾|, Q⁽⁴⁾ = (z³ − 3z)φ), and the bound is the remainder's size, not a loose figure.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "phy/analysis/gaussian_tail_table.hpp"
#include "phy/random.hpp"

using namespace optilane;

namespace {
/// The points the bit-for-bit tests compare at: ±0, the table's end on both sides and just
/// inside it, the series beyond, the erfc beyond that, a sweep over both signs and the nodes.
std::vector<double> bit_for_bit_points() {
  std::vector<double> zs = {0.0,
                            -0.0,
                            GaussianTailTable::z_max,
                            -GaussianTailTable::z_max,
                            std::nextafter(GaussianTailTable::z_max, 0.0),
                            20.0,
                            -40.0};
  for (double z = -14.0; z <= 14.0; z += 0.0137) zs.push_back(z);
  for (int k = 0; k <= 1664; k += 7) zs.push_back(k * GaussianTailTable::step);
  return zs;
}
}  // namespace

TEST_CASE("Tabulated Q(z) is within its derived relative error bound of erfc, on both sides",
          "[phy][analysis][statistical_eye]") {
  const GaussianTailTable& table = GaussianTailTable::instance();
  const double bound = table.relative_error_bound();
  INFO("bound " << bound);
  // The remainder at the table's end: h⁴/384·(z³ − 3z)·φ(z)/Q(z) ≈ 3.6e-7 at z = 13, h = 1/128.
  CHECK(bound < 1e-6);
  double worst = 0.0;
  // Off the nodes (an irrational step), over the table's span and beyond its end (erfc there).
  for (double z = -14.0; z <= 14.0; z += 1.0 / 1024.0 / M_PI) {
    const double exact = 0.5 * std::erfc(z / std::sqrt(2.0));
    const double e = std::abs(table(z) - exact) / exact;
    worst = std::max(worst, e);
    if (e > bound) FAIL_CHECK("z = " << z << ": relative error " << e);
  }
  INFO("worst measured " << worst);
  // The bound is the interpolation remainder itself: the worst error reaches a fair part of it
  // (a bound many decades above the error would test nothing).
  CHECK(worst > 0.1 * bound);
  // Nodes are erfc values (to the last bit: the compiler may fold a constant erfc exactly
  // where the library's is within an ulp).
  CHECK(table(1.0) == Approx(GaussianTailTable::exact(1.0)).epsilon(1e-15));
  CHECK(table(0.0) == 0.5);
}

TEST_CASE("Beyond the table, Q(z) by its asymptotic series is within 105·z⁻⁸ of erfc (A&S 26.2.12)",
          "[phy][analysis][statistical_eye]") {
  // Q(z) = φ(z)/z·(1 − z⁻² + 3z⁻⁴ − 15z⁻⁶ + R): the remainder of this alternating asymptotic
  // series is below the first term left out, 105·z⁻⁸ (1.3e-7 at z = 13), plus exp's rounding.
  const GaussianTailTable& table = GaussianTailTable::instance();
  constexpr double rounding = 1e-13;  // ½z² ≤ 703 rounded to an ulp, inside exp
  double worst_over_term = 0.0;
  for (double z = GaussianTailTable::z_max; z < GaussianTailTable::z_series_max;
       z += 1.0 / 64.0 / M_PI) {
    const double exact = GaussianTailTable::exact(z);
    const double e = std::abs(table(z) - exact) / exact;
    const double term = 105.0 / std::pow(z, 8);
    if (e > term + rounding) FAIL_CHECK("z = " << z << ": relative error " << e);
    if (e > table.relative_error_bound()) FAIL_CHECK("z = " << z << ": beyond the stated bound");
    worst_over_term = std::max(worst_over_term, e / term);
    // The lower side: 1 − Q(z) rounds to 1 here, as erfc's complement does.
    CHECK(table(-z) == 1.0 - exact);
  }
  // The remainder is a fair part of the first term left out (the bound is not loose).
  CHECK(worst_over_term > 0.5);
  CHECK(worst_over_term < 1.0);
  // Past the series' end, erfc itself.
  CHECK(table(40.0) == GaussianTailTable::exact(40.0));
}

TEST_CASE("Tabulated Q at two points at a time is the one-point evaluation, bit for bit",
          "[phy][analysis][speed]") {
  // GaussianTailTable::two performs operator()'s operations in the same order two lanes at a
  // time (no fused multiply-add), so each result must be identical, not merely close: over both
  // signs, the nodes themselves, the table's end and the series beyond, ±0 and NaN.
  const GaussianTailTable& table = GaussianTailTable::instance();
  const std::vector<double> zs = bit_for_bit_points();
  for (std::size_t i = 0; i + 1 < zs.size(); ++i) {
    for (const std::size_t j : {i + 1, zs.size() - 1 - i}) {
      double q0 = -1.0, q1 = -1.0;
      table.two(zs[i], zs[j], q0, q1);
      INFO("z " << zs[i] << ", " << zs[j]);
      CHECK(q0 == table(zs[i]));
      CHECK(q1 == table(zs[j]));
    }
  }
  double q0 = 0.0, q1 = 0.0;
  table.two(std::nan(""), 1.0, q0, q1);
  CHECK(std::isnan(q0));
  CHECK(q1 == table(1.0));
}

TEST_CASE(
    "Tabulated Q at many points (AVX2 four at a time, or two) is the one-point evaluation, "
    "bit for bit",
    "[phy][analysis][speed]") {
  // GaussianTailTable::many takes AVX2 where the CPU has it: the same operations in the same order
  // four lanes at a time; without it, two() and operator(). Both paths must give operator()'s
  // bits: over both signs, the nodes, the table's end and the series beyond, ±0, NaN, and every
  // group position (a point beyond z_max sends its group of four to operator()).
  const GaussianTailTable& table = GaussianTailTable::instance();
  std::vector<double> zs = bit_for_bit_points();
  zs.insert(zs.begin() + 7, {std::nan(""), 0.5});  // NaN among the first groups
  const bool had_simd = gaussian_simd_active();
  for (const bool simd : {true, false}) {
    set_gaussian_simd(simd);
    INFO("AVX2 path: " << gaussian_simd_active());
    // Every length up to 9 from every start: each remainder and group alignment.
    for (std::size_t n = 1; n <= 9; ++n) {
      for (std::size_t first = 0; first + n <= zs.size(); ++first) {
        std::vector<double> q(n, -1.0);
        table.many(zs.data() + first, q.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
          const double z = zs[first + i];
          INFO("z " << z << " at " << i << " of " << n);
          if (std::isnan(z)) {
            CHECK(std::isnan(q[i]));
          } else {
            CHECK(q[i] == table(z));
          }
        }
      }
    }
    std::vector<double> q(zs.size());
    table.many_portable(zs.data(), q.data(), zs.size());
    for (std::size_t i = 0; i < zs.size(); ++i) {
      if (!std::isnan(zs[i])) CHECK(q[i] == table(zs[i]));
    }
  }
  set_gaussian_simd(had_simd);
  if (!had_simd) WARN("no AVX2 on this CPU: only the portable path was compared");
}

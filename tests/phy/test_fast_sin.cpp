#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>

#include "phy/fast_sin.hpp"
#include "phy/random.hpp"

using namespace optilane;

namespace {
/// The reference: long-double sinl (x87, 64-bit mantissa: its own error ~1e-19, far below the
/// bound tested).
double exact_sin(double x) {
  return static_cast<double>(std::sin(static_cast<long double>(x)));
}
}  // namespace

TEST_CASE("fast_sin is within its stated bound of sin x over its argument range",
          "[phy][fast_sin]") {
  static_assert(std::numeric_limits<long double>::digits >= 64,
                "the reference needs an extended-precision sinl");
  double worst = 0.0, worst_relative_small = 0.0;
  auto check = [&](double x) {
    const double error = std::abs(fast_sin(x) - exact_sin(x));
    worst = std::max(worst, error);
    if (std::abs(x) < 0.1 && x != 0.0) {
      worst_relative_small = std::max(worst_relative_small, error / std::abs(exact_sin(x)));
    }
  };
  // Dense over [−4π, 4π] (the MZM's arguments lie in [−π, π]), the reduction's switching points
  // (odd multiples of π/2, where n changes) and the multiples of π (where sin x is small), then
  // random arguments over the whole range.
  for (int i = -400000; i <= 400000; ++i) check(i * (4.0 * std::numbers::pi / 400000.0));
  for (int j = -64; j <= 64; ++j) {
    for (const double centre : {(j + 0.5) * std::numbers::pi, j * std::numbers::pi}) {
      for (const double d : {0.0, 1e-15, -1e-15, 1e-9, -1e-9, 1e-6, -1e-6}) check(centre + d);
    }
  }
  RandomStream rng(5);
  for (int i = 0; i < 200000; ++i) check((2.0 * rng.uniform() - 1.0) * fast_sin_max_argument);
  check(fast_sin_max_argument);
  check(-fast_sin_max_argument);
  INFO("worst absolute error " << worst << ", relative below |x| = 0.1 " << worst_relative_small);
  CHECK(worst <= fast_sin_abs_error);
  // Near zero the series is r·(1 + r²·…): a few ε relative, as libm (the MZM's null).
  CHECK(worst_relative_small <= 4.0 * std::numeric_limits<double>::epsilon());
  CHECK(fast_sin(0.0) == 0.0);
  CHECK(std::isnan(fast_sin(std::numeric_limits<double>::quiet_NaN())));
  CHECK_FALSE(fast_sin_in_range(std::numeric_limits<double>::infinity()));
  CHECK_FALSE(fast_sin_in_range(std::numeric_limits<double>::quiet_NaN()));
  CHECK_FALSE(fast_sin_in_range(2.0 * fast_sin_max_argument));
}

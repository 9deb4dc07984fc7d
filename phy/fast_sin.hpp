// sin(x) without a library call, in straight-line code the compiler vectorises (the MZM's transfer
// per sample: libm's sin is a call per sample, a branch on the argument's size inside).
//
// Reduction by π (Cody & Waite, "Software Manual for the Elementary Functions", 1980, ch. 8):
// n = round(x/π), r = ((x − n·C₁) − n·C₂) − n·C₃ with π = C₁ + C₂ + C₃ + O(2⁻¹²³), C₁ and C₂
// of 32 significant bits, so n·C₁ and n·C₂ are exact for |n| < 2²¹ and x − n·C₁ is exact
// (Sterbenz) for n ≠ 0; then sin x = (−1)ⁿ sin r, |r| ≤ π/2 (+ rounding), and sin r from its
// Taylor series to r²¹. The first omitted term, |r|²³/23! ≤ (π/2)²³/23! = 1.3e-18, is below the
// rounding of the sum.
//
// Error bound: |fast_sin(x) − sin x| ≤ fast_sin_abs_error (absolute, 4 ulp of 1) for
// |x| ≤ fast_sin_max_argument; relative to |sin x| it is a few ε near x = 0 (the series is
// r·(1 + r²·…)). tests/phy/test_fast_sin.cpp holds it against long-double sinl on a dense grid
// and random arguments. Beyond fast_sin_max_argument the reduction is not exact: callers test
// the argument (fast_sin_in_range) and fall back to std::sin.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace optilane {

/// Largest |x| for which fast_sin meets its bound (|n| = |x|/π < 2²¹ keeps n·C₁ exact).
inline constexpr double fast_sin_max_argument = 0x1.0p20;
/// Bound on |fast_sin(x) − sin x| for |x| ≤ fast_sin_max_argument: 4 ulp of 1 (the measured
/// worst case in the test is about 1 ulp; the rest is margin for the Horner sum's rounding).
inline constexpr double fast_sin_abs_error = 0x1.0p-50;

[[nodiscard]] inline bool fast_sin_in_range(double x) {
  return std::abs(x) <= fast_sin_max_argument;
}

/// sin x for |x| ≤ fast_sin_max_argument, within fast_sin_abs_error (see the header).
[[nodiscard]] inline double fast_sin(double x) {
  constexpr double inv_pi = 0x1.45f306dc9c883p-2;
  constexpr double c1 = 0x1.921fb54400000p+1;
  constexpr double c2 = 0x1.0b4611a600000p-33;
  constexpr double c3 = 0x1.3198a2e037073p-68;
  // Round to nearest by the 1.5·2⁵² shift (exact for |x/π| < 2⁵¹; the default rounding mode):
  // the shifted value's lowest mantissa bit is n's parity.
  constexpr double shift = 0x1.8p52;
  const double shifted = x * inv_pi + shift;
  const double n = shifted - shift;
  const double r = ((x - n * c1) - n * c2) - n * c3;
  const double r2 = r * r;
  // Taylor coefficients (−1)ᵏ/(2k+1)!, k = 1 … 10, rounded to double.
  double p = 1.9572941063391263e-20;
  p = p * r2 - 8.22063524662433e-18;
  p = p * r2 + 2.8114572543455206e-15;
  p = p * r2 - 7.647163731819816e-13;
  p = p * r2 + 1.6059043836821613e-10;
  p = p * r2 - 2.505210838544172e-08;
  p = p * r2 + 2.7557319223985893e-06;
  p = p * r2 - 0.0001984126984126984;
  p = p * r2 + 0.008333333333333333;
  p = p * r2 - 0.16666666666666666;
  const double s = r + r * (r2 * p);
  // (−1)ⁿ by the sign bit: n's parity moved to bit 63.
  const std::uint64_t parity = std::bit_cast<std::uint64_t>(shifted) << 63;
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(s) ^ parity);
}

}  // namespace optilane

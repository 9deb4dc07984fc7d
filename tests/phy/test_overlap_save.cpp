#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <cstdint>
#include <vector>

#include "phy/overlap_save.hpp"
#include "phy/random.hpp"

using namespace optilane;

namespace {
// Overlap-save equals direct convolution up to FFT round-off, ~1e-15 relative per operation.
constexpr double round_off = 1e-11;
}  // namespace

TEST_CASE("overlap-save equals direct convolution across arbitrary chunk boundaries",
          "[phy][fir]") {
  RandomStream rng(3);
  std::vector<double> taps(37), input(5000);
  for (auto& t : taps) t = rng.gaussian();
  for (auto& x : input) x = rng.gaussian();
  std::vector<double> direct(input.size(), 0.0);
  for (std::size_t n = 0; n < input.size(); ++n) {
    for (std::size_t k = 0; k < taps.size() && k <= n; ++k) direct[n] += taps[k] * input[n - k];
  }
  RealFirFilter filter(taps);
  std::vector<double> output(input.size());
  std::size_t start = 0;
  for (std::size_t size : {1u, 7u, 100u, 255u, 1000u, 3637u}) {
    const std::size_t n = std::min(size, input.size() - start);
    filter.process(std::span(input).subspan(start, n), std::span(output).subspan(start, n));
    start += n;
  }
  REQUIRE(start == input.size());
  for (std::size_t n = 0; n < input.size(); ++n)
    CHECK(output[n] == Approx(direct[n]).margin(round_off));

  // Reset returns to the initial state: the same input gives the same output.
  filter.reset();
  std::vector<double> again(input.size());
  filter.process(input, again);
  for (std::size_t n = 0; n < input.size(); n += 97)
    CHECK(again[n] == Approx(direct[n]).margin(round_off));
}

TEST_CASE("complex overlap-save filters in place like direct convolution", "[phy][fir]") {
  RandomStream rng(4);
  std::vector<std::complex<double>> taps(20), signal(3000);
  for (auto& t : taps) t = {rng.gaussian(), rng.gaussian()};
  for (auto& x : signal) x = {rng.gaussian(), rng.gaussian()};
  std::vector<std::complex<double>> direct(signal.size());
  for (std::size_t n = 0; n < signal.size(); ++n) {
    for (std::size_t k = 0; k < taps.size() && k <= n; ++k) direct[n] += taps[k] * signal[n - k];
  }
  ComplexFirFilter filter(taps);
  filter.process(signal, signal);  // in place
  for (std::size_t n = 0; n < signal.size(); ++n) {
    CHECK(std::abs(signal[n] - direct[n]) < round_off);
  }
}

TEST_CASE("a copied filter continues identically", "[phy][fir]") {
  RealFirFilter a(std::vector<double>{0.5, 0.3, 0.2});
  std::vector<double> x{1, 2, 3, 4}, ya(4), yb(4);
  a.process(x, ya);
  RealFirFilter b = a;
  a.process(x, ya);
  b.process(x, yb);
  CHECK(ya == yb);
}

TEST_CASE("A held FIR leaves the symbol-rate path for any input that is not a staircase",
          "[phy][fir]") {
  // HeldFirFilter's staircase test compares every sample with its value's first (no early exit,
  // so it vectorises): one differing sample in the last value, a NaN, a chunk that does not
  // start on a value boundary, or a length that is not whole values each send it to the plain
  // FIR; a true staircase keeps it.
  const int hold = 4;
  const std::vector<double> taps = {0.5, 0.25, 0.125, 0.0625, 0.03125};
  auto staircase = [&](std::size_t values) {
    std::vector<double> x(values * hold);
    for (std::size_t j = 0; j < x.size(); ++j) x[j] = static_cast<double>(j / hold % 3) - 1.0;
    return x;
  };
  auto held_after = [&](std::vector<double> x, std::int64_t first) {
    HeldFirFilter filter(taps, hold);
    std::vector<double> y(x.size());
    filter.process(x, y, first);
    return filter.held();
  };
  CHECK(held_after(staircase(50), 0));
  CHECK(held_after(staircase(50), 8));
  auto last_differs = staircase(50);
  last_differs.back() += 1e-9;
  CHECK_FALSE(held_after(last_differs, 0));
  auto with_nan = staircase(50);
  with_nan[hold * 10] = std::nan("");
  CHECK_FALSE(held_after(with_nan, 0));
  CHECK_FALSE(held_after(staircase(50), 2));
  auto ragged = staircase(50);
  ragged.pop_back();
  CHECK_FALSE(held_after(ragged, 0));
}

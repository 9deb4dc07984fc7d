#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <span>
#include <vector>

#include "phy/analysis/statistics.hpp"
#include "phy/random.hpp"

using namespace optilane;

namespace {
constexpr std::size_t draws = 1u << 23;
/// Statistical tolerances: 5 standard errors of each estimate at `draws` samples (a correct
/// generator fails one check in ~1.7 million; the seed is fixed, so the outcome is too).
constexpr double standard_errors = 5.0;

std::vector<double> normal_sample(std::uint64_t seed) {
  RandomStream stream(seed);
  std::vector<double> x(draws);
  for (double& v : x) v = stream.gaussian();
  return x;
}
}  // namespace

TEST_CASE("Gaussian variates have mean 0, variance 1 and the normal third and fourth moments",
          "[phy][random]") {
  const std::vector<double> x = normal_sample(11);
  double m1 = 0.0, m2 = 0.0, m3 = 0.0, m4 = 0.0;
  for (double v : x) {
    m1 += v;
    m2 += v * v;
    m3 += v * v * v;
    m4 += v * v * v * v;
  }
  const auto n = static_cast<double>(draws);
  m1 /= n;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  // Standard errors: sqrt(Var(x^k)/n) with E x^2 = 1, E x^4 = 3, E x^6 = 15, E x^8 = 105.
  CHECK(std::abs(m1) < standard_errors * std::sqrt(1.0 / n));
  CHECK(std::abs(m2 - 1.0) < standard_errors * std::sqrt(2.0 / n));
  CHECK(std::abs(m3) < standard_errors * std::sqrt(15.0 / n));
  CHECK(std::abs(m4 - 3.0) < standard_errors * std::sqrt(96.0 / n));
}

TEST_CASE(
    "Gaussian variates follow the normal CDF, in the body, at the ziggurat's layer edges "
    "and in the tail beyond its base layer (r = 3.654)",
    "[phy][random]") {
  const std::vector<double> x = normal_sample(12);
  const auto n = static_cast<double>(draws);
  // Points in the body, near the top layers (|x| < 0.3), across the base edge r, and in the tail
  // (P(x > 4.5) = 3.4e-6: ~28 draws).
  for (double t : {-4.5, -3.9, -3.6541528853610088, -3.0, -2.0, -1.0, -0.25, -0.1, 0.0, 0.1, 0.25,
                   1.0, 2.0, 3.0, 3.6541528853610088, 3.9, 4.5}) {
    INFO("x = " << t);
    double below = 0.0;
    for (double v : x) below += v < t ? 1.0 : 0.0;
    const double p = t < 0.0 ? q_function(-t) : 1.0 - q_function(t);
    const double sigma = std::sqrt(p * (1.0 - p) / n);
    CHECK(std::abs(below / n - p) < standard_errors * sigma);
  }
}

TEST_CASE("A random stream is a pure function of its identifier", "[phy][random]") {
  const StreamId id{.seed = 7, .lane = 1, .block = 2, .chunk = 3, .substream = 0};
  RandomStream a(id), b(id);
  StreamId other = id;
  other.chunk = 4;
  RandomStream c(other);
  int same = 0;
  for (int i = 0; i < 1000; ++i) {
    const double va = a.gaussian();
    REQUIRE(va == b.gaussian());
    same += va == c.gaussian() ? 1 : 0;
  }
  CHECK(same == 0);
}

namespace {
/// `count` variates from the block generator, drawn in blocks of the given sizes in turn (the
/// noise sources draw a chunk at a time; odd sizes exercise the 256-word buffer's ends).
std::vector<double> block_sample(std::uint64_t seed, std::size_t count, double sigma = 1.0) {
  RandomStream stream(seed);
  std::vector<double> x(count);
  const std::size_t sizes[] = {32768, 1000, 37, 256, 1, 65536};
  std::size_t at = 0, which = 0;
  while (at < count) {
    const std::size_t n = std::min(sizes[which++ % 6], count - at);
    stream.fill_gaussian(std::span<double>(x).subspan(at, n), sigma);
    at += n;
  }
  return x;
}
}  // namespace

TEST_CASE("Block Gaussian variates (fill_gaussian) have the normal moments", "[phy][random]") {
  // σ = 2.5 scales every moment: E x² = σ², E x⁴ = 3σ⁴ (standard errors as above, in σ units).
  const double sigma = 2.5;
  const std::vector<double> x = block_sample(31, draws, sigma);
  double m1 = 0.0, m2 = 0.0, m3 = 0.0, m4 = 0.0;
  for (double raw : x) {
    const double v = raw / sigma;
    m1 += v;
    m2 += v * v;
    m3 += v * v * v;
    m4 += v * v * v * v;
  }
  const auto n = static_cast<double>(draws);
  CHECK(std::abs(m1 / n) < standard_errors * std::sqrt(1.0 / n));
  CHECK(std::abs(m2 / n - 1.0) < standard_errors * std::sqrt(2.0 / n));
  CHECK(std::abs(m3 / n) < standard_errors * std::sqrt(15.0 / n));
  CHECK(std::abs(m4 / n - 3.0) < standard_errors * std::sqrt(96.0 / n));
}

TEST_CASE("Block Gaussian variates pass a Kolmogorov-Smirnov test against the normal CDF",
          "[phy][random]") {
  // D_n = sup |F_n(x) − Φ(x)| over 2^20 sorted draws; under H0, √n·D_n follows Kolmogorov's
  // distribution, whose 99 % quantile is 1.6276 (Smirnov 1948; significance α = 0.01).
  std::vector<double> x = block_sample(32, std::size_t{1} << 20);
  std::sort(x.begin(), x.end());
  const auto n = static_cast<double>(x.size());
  double d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double phi = x[i] < 0.0 ? q_function(-x[i]) : 1.0 - q_function(x[i]);
    d = std::max({d, std::abs(static_cast<double>(i + 1) / n - phi),
                  std::abs(phi - static_cast<double>(i) / n)});
  }
  INFO("sqrt(n) D_n = " << std::sqrt(n) * d);
  CHECK(std::sqrt(n) * d < 1.6276);
}

TEST_CASE("Block Gaussian variates' tails at 3, 4, 4.5 and 5 sigma match erfc", "[phy][random]") {
  // P(|x| > t) = erfc(t/√2) = 2Q(t): the count of 2^25 draws beyond t against its exact binomial
  // 99.9 % interval (the 0.05 % and 99.95 % quantiles). Expected counts 90,590, 2125, 228 and 19.
  const std::size_t count = std::size_t{1} << 25;
  const std::vector<double> x = block_sample(33, count);
  for (double t : {3.0, 4.0, 4.5, 5.0}) {
    std::uint64_t beyond = 0;
    for (double v : x) beyond += std::abs(v) > t ? 1u : 0u;
    const double p = std::erfc(t / std::sqrt(2.0));
    const boost::math::binomial_distribution<double> binomial(static_cast<double>(count), p);
    const double low = boost::math::quantile(binomial, 0.0005);
    const double high = boost::math::quantile(boost::math::complement(binomial, 0.0005));
    INFO("t = " << t << ": " << beyond << " beyond, expected " << p * static_cast<double>(count)
                << ", interval [" << low << ", " << high << "]");
    CHECK(static_cast<double>(beyond) >= low);
    CHECK(static_cast<double>(beyond) <= high);
  }
}

TEST_CASE("Block Gaussian variates are independent within a block and across streams",
          "[phy][random]") {
  // Within a block, neighbours at lags 1…8 come from the other lanes (lags 1–3, 5–7) and from
  // the same lane (4, 8); across streams, two chunks' identifiers. For independent N(0, 1),
  // E[xy] = 0 with standard error 1/√n and E[(x² − 1)(y² − 1)] = 0 with standard error 2/√n:
  // each checked to 5 standard errors.
  const std::size_t count = std::size_t{1} << 22;
  auto check_pair = [&](std::span<const double> a, std::span<const double> b) {
    double xy = 0.0, squares = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      xy += a[i] * b[i];
      squares += (a[i] * a[i] - 1.0) * (b[i] * b[i] - 1.0);
    }
    const auto m = static_cast<double>(a.size());
    CHECK(std::abs(xy / m) < standard_errors / std::sqrt(m));
    CHECK(std::abs(squares / m) < standard_errors * 2.0 / std::sqrt(m));
  };
  const std::vector<double> x = block_sample(34, count);
  for (std::size_t lag = 1; lag <= 8; ++lag) {
    INFO("lag " << lag);
    check_pair(std::span<const double>(x).first(count - lag),
               std::span<const double>(x).subspan(lag));
  }
  StreamId id{.seed = 5, .lane = 0, .block = 3, .chunk = 0, .substream = 0};
  std::vector<double> a(count), b(count);
  RandomStream(id).fill_gaussian(a, 1.0);
  id.chunk = 1;
  RandomStream(id).fill_gaussian(b, 1.0);
  check_pair(a, b);
  id.chunk = 0;
  std::vector<double> again(count);
  RandomStream(id).fill_gaussian(again, 1.0);
  CHECK(again == a);  // a pure function of the identifier
}

TEST_CASE("The AVX2 block kernel gives the portable kernel's variates bit for bit",
          "[phy][random]") {
  // Lengths around the four-word vector and the 256-word buffer, σ of the noise sources' orders;
  // the stream's state after the block (the wedge and tail draws come from it) must agree too.
  if (!gaussian_simd_active()) {
    WARN("no AVX2 on this CPU: only the portable kernel runs");
    return;
  }
  for (const std::size_t n :
       {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{5}, std::size_t{255},
        std::size_t{256}, std::size_t{257}, std::size_t{32768}, std::size_t{100003}}) {
    for (const double sigma : {1.0, 2.7e-3, 3.1e-6}) {
      INFO("n = " << n << ", sigma = " << sigma);
      const StreamId id{.seed = 9, .lane = 1, .block = 2, .chunk = n, .substream = 0};
      std::vector<double> fast(n), portable(n);
      RandomStream a(id), b(id);
      a.fill_gaussian(fast, sigma);
      set_gaussian_simd(false);
      b.fill_gaussian(portable, sigma);
      set_gaussian_simd(true);
      CHECK(std::equal(fast.begin(), fast.end(), portable.begin(), [](double x, double y) {
        return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
      }));
      CHECK(a.next_u64() == b.next_u64());
    }
  }
}

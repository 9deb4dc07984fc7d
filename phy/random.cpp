#include "phy/random.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define OPTILANE_GAUSSIAN_AVX2 1
#endif

namespace optilane {
namespace {
constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

/// Ziggurat of the half-normal density f(x) = exp(−x²/2) in 256 layers of equal area v
/// (Marsaglia & Tsang 2000, Table 1 for 256 layers: r = 3.6541528853610088,
/// v = 4.92867323399e-3). x[0] = v/f(r) is the base layer's pseudo-width (rectangle plus tail),
/// x[1] = r, x[i+1] = f⁻¹(f(x[i]) + v/x[i]), x[256] = 0; layer i spans heights f(x[i])…f(x[i+1])
/// and abscissae 0…x[i], of which 0…x[i+1] lie wholly under the curve.
struct Ziggurat {
  static constexpr int layers = 256;
  static constexpr double r = 3.6541528853610088;
  static constexpr double v = 4.92867323399e-3;
  std::array<double, layers + 1> x{};
  std::array<double, layers + 1> f{};  ///< f(x[i])
  /// (x[i], x[i+1]) side by side: the rectangle test's two abscissae in one 16-byte load.
  alignas(16) std::array<std::array<double, 2>, layers> pair{};
  Ziggurat() {
    x[0] = v / std::exp(-0.5 * r * r);
    x[1] = r;
    for (int i = 1; i < layers - 1; ++i) {
      x[static_cast<std::size_t>(i) + 1] =
          std::sqrt(-2.0 * std::log(v / x[static_cast<std::size_t>(i)] +
                                    std::exp(-0.5 * x[static_cast<std::size_t>(i)] *
                                             x[static_cast<std::size_t>(i)])));
    }
    x[layers] = 0.0;
    for (std::size_t i = 0; i <= layers; ++i) f[i] = std::exp(-0.5 * x[i] * x[i]);
    f[0] = 0.0;  // the base layer's wedge test is never reached (its excess is the tail)
    for (std::size_t i = 0; i < layers; ++i) pair[i] = {x[i], x[i + 1]};
  }
};

const Ziggurat& ziggurat() {
  static const Ziggurat table;
  return table;
}

std::atomic<bool> simd_allowed{true};

bool use_avx2() {
#ifdef OPTILANE_GAUSSIAN_AVX2
  static const bool supported = __builtin_cpu_supports("avx2") != 0;
  return supported && simd_allowed.load(std::memory_order_relaxed);
#else
  return false;
#endif
}
}  // namespace

void set_gaussian_simd(bool allowed) {
  simd_allowed.store(allowed, std::memory_order_relaxed);
}

bool gaussian_simd_active() {
  return use_avx2();
}

RandomStream::RandomStream(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (auto& word : s_) word = splitmix64(state);
}

RandomStream::RandomStream(const StreamId& id) {
  // Hash the identifier fields one after another so that neighbouring ids give unrelated streams.
  std::uint64_t state = id.seed;
  std::uint64_t h = splitmix64(state);
  for (std::uint64_t field : {id.lane, id.block, id.chunk, id.substream}) {
    state = h ^ (field + 0x632BE59BD9B4E019ULL);
    h = splitmix64(state);
  }
  state = h;
  for (auto& word : s_) word = splitmix64(state);
}

std::uint64_t RandomStream::next_u64() {
  const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double RandomStream::outside(std::size_t layer, double x, double sign) {
  const Ziggurat& z = ziggurat();
  if (layer == 0) {
    // The tail beyond r (Marsaglia 1964): a = −ln(U₁)/r, b = −ln(U₂), accepted when 2b > a².
    double a = 0.0, b = 0.0;
    do {
      a = -std::log(1.0 - uniform()) / Ziggurat::r;
      b = -std::log(1.0 - uniform());
    } while (2.0 * b <= a * a);
    return sign * (Ziggurat::r + a);
  }
  // The wedge: a uniform height within the layer against the density at x; rejected, the
  // ziggurat restarts with a whole new draw.
  const double y = z.f[layer] + uniform() * (z.f[layer + 1] - z.f[layer]);
  if (y < std::exp(-0.5 * x * x)) return sign * x;
  return gaussian();
}

double RandomStream::gaussian() {
  const Ziggurat& z = ziggurat();
  // Bits 0–7: layer; bit 8: sign; bits 11–63: the abscissa's 53-bit uniform.
  const std::uint64_t u = next_u64();
  const auto layer = static_cast<std::size_t>(u & 0xFFu);
  const double sign = (u & 0x100u) != 0u ? -1.0 : 1.0;
  const double x = static_cast<double>(u >> 11) * 0x1.0p-53 * z.x[layer];
  if (x < z.x[layer + 1]) return sign * x;  // inside the layer's rectangle
  return outside(layer, x, sign);
}

void RandomStream::fill_gaussian(std::span<double> out, double sigma) {
  // Four xoshiro256++ lanes, each seeded by SplitMix64 from one word of this stream.
  alignas(32) std::uint64_t s0[block_lanes], s1[block_lanes], s2[block_lanes], s3[block_lanes];
  for (std::size_t l = 0; l < block_lanes; ++l) {
    std::uint64_t seed = next_u64();
    s0[l] = splitmix64(seed);
    s1[l] = splitmix64(seed);
    s2[l] = splitmix64(seed);
    s3[l] = splitmix64(seed);
  }
#ifdef OPTILANE_GAUSSIAN_AVX2
  if (use_avx2()) {
    fill_gaussian_avx2(out, sigma, s0, s1, s2, s3);
    return;
  }
#endif
  fill_gaussian_portable(out, sigma, s0, s1, s2, s3);
}

void RandomStream::fill_gaussian_portable(std::span<double> out, double sigma, std::uint64_t* s0,
                                          std::uint64_t* s1, std::uint64_t* s2, std::uint64_t* s3) {
  const Ziggurat& z = ziggurat();
  constexpr std::size_t lanes = block_lanes;
  constexpr std::size_t block = 256;
  alignas(32) std::uint64_t words[block];
  std::size_t n = 0;
  while (n < out.size()) {
    for (std::size_t i = 0; i < block; i += lanes) {
      for (std::size_t l = 0; l < lanes; ++l) {
        words[i + l] = rotl(s0[l] + s3[l], 23) + s0[l];
        const std::uint64_t t = s1[l] << 17;
        s2[l] ^= s0[l];
        s3[l] ^= s1[l];
        s1[l] ^= s2[l];
        s0[l] ^= s3[l];
        s2[l] ^= t;
        s3[l] = rotl(s3[l], 45);
      }
    }
    const std::size_t count = std::min(block, out.size() - n);
    for (std::size_t i = 0; i < count; ++i) {
      // Bits 0–7: layer; bit 8: sign; bits 12–63: the abscissa's 52-bit uniform in [0, 1).
      const std::uint64_t w = words[i];
      const auto layer = static_cast<std::size_t>(w & 0xFFu);
      const double u = std::bit_cast<double>((w >> 12) | 0x3FF0000000000000ULL) - 1.0;
      const double x = u * z.x[layer];
      // ±x by the sign bit (bit 8 moved to bit 63): no branch on a coin flip.
      const double signed_x =
          std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) ^ ((w & 0x100u) << 55));
      out[n + i] = sigma * signed_x;
      if (!(x < z.x[layer + 1])) [[unlikely]] {
        out[n + i] = sigma * outside(layer, x, (w & 0x100u) != 0u ? -1.0 : 1.0);
      }
    }
    n += count;
  }
}

#ifdef OPTILANE_GAUSSIAN_AVX2
namespace {
/// rotl of each 64-bit element (AVX2 has no 64-bit rotate).
template <int k>
__attribute__((target("avx2"), always_inline)) inline __m256i rotl4(__m256i v) {
  return _mm256_or_si256(_mm256_slli_epi64(v, k), _mm256_srli_epi64(v, 64 - k));
}
}  // namespace

// The same variates as fill_gaussian_portable, bit for bit: the four lanes' states in one AVX2
// register (lane l in element l, so each step's four words are words[i…i+3] of the portable
// buffer, in order), the rectangle test on four candidates at once with the same products and
// comparison, and the candidates outside their rectangles resolved by outside() in index order,
// as the portable loop does (outside() draws from this stream, so the order matters). Only
// integer operations, IEEE products and comparisons: no FMA (not enabled by target("avx2")), so
// no rounding differs.
__attribute__((target("avx2"))) void RandomStream::fill_gaussian_avx2(
    std::span<double> out, double sigma, std::uint64_t* s0, std::uint64_t* s1, std::uint64_t* s2,
    std::uint64_t* s3) {
  const Ziggurat& z = ziggurat();
  __m256i a = _mm256_load_si256(reinterpret_cast<const __m256i*>(s0));
  __m256i b = _mm256_load_si256(reinterpret_cast<const __m256i*>(s1));
  __m256i c = _mm256_load_si256(reinterpret_cast<const __m256i*>(s2));
  __m256i d = _mm256_load_si256(reinterpret_cast<const __m256i*>(s3));
  const __m256i one_bits = _mm256_set1_epi64x(0x3FF0000000000000LL);
  const __m256i sign_bit = _mm256_set1_epi64x(0x100);
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d scale = _mm256_set1_pd(sigma);
  alignas(32) std::uint64_t w[4];
  alignas(32) double xs[4];
  const std::size_t size = out.size();
  for (std::size_t n = 0; n < size; n += 4) {
    // One xoshiro256++ step of the four lanes.
    const __m256i word = _mm256_add_epi64(rotl4<23>(_mm256_add_epi64(a, d)), a);
    const __m256i t = _mm256_slli_epi64(b, 17);
    c = _mm256_xor_si256(c, a);
    d = _mm256_xor_si256(d, b);
    b = _mm256_xor_si256(b, c);
    a = _mm256_xor_si256(a, d);
    c = _mm256_xor_si256(c, t);
    d = rotl4<45>(d);
    _mm256_store_si256(reinterpret_cast<__m256i*>(w), word);
    // x[layer] and x[layer + 1] of each word's layer (its low byte), one pair per load.
    const __m128d p0 = _mm_load_pd(z.pair[w[0] & 0xFFu].data());
    const __m128d p1 = _mm_load_pd(z.pair[w[1] & 0xFFu].data());
    const __m128d p2 = _mm_load_pd(z.pair[w[2] & 0xFFu].data());
    const __m128d p3 = _mm_load_pd(z.pair[w[3] & 0xFFu].data());
    const __m256d lo = _mm256_insertf128_pd(_mm256_castpd128_pd256(p0), p2, 1);
    const __m256d hi = _mm256_insertf128_pd(_mm256_castpd128_pd256(p1), p3, 1);
    const __m256d width = _mm256_unpacklo_pd(lo, hi);  // x[layer] of words 0, 1, 2, 3
    const __m256d inner = _mm256_unpackhi_pd(lo, hi);  // x[layer + 1]
    const __m256d u = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(word, 12), one_bits)), one);
    const __m256d x = _mm256_mul_pd(u, width);
    const __m256d signed_x = _mm256_xor_pd(
        x, _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_and_si256(word, sign_bit), 55)));
    const __m256d y = _mm256_mul_pd(scale, signed_x);
    const int outside_mask = _mm256_movemask_pd(_mm256_cmp_pd(x, inner, _CMP_NLT_UQ));
    const std::size_t count = std::min<std::size_t>(4, size - n);
    if (count == 4) {
      _mm256_storeu_pd(out.data() + n, y);
    } else {
      alignas(32) double last[4];
      _mm256_store_pd(last, y);
      std::copy(last, last + count, out.data() + n);
    }
    if (outside_mask != 0) [[unlikely]] {
      _mm256_store_pd(xs, x);
      for (std::size_t l = 0; l < count; ++l) {
        if ((outside_mask & (1 << l)) == 0) continue;
        const auto layer = static_cast<std::size_t>(w[l] & 0xFFu);
        out[n + l] = sigma * outside(layer, xs[l], (w[l] & 0x100u) != 0u ? -1.0 : 1.0);
      }
    }
  }
}
#endif

}  // namespace optilane

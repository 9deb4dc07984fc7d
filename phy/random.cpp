#include "phy/random.hpp"

#include <algorithm>
#include <array>
#include <bit>

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
  }
};

const Ziggurat& ziggurat() {
  static const Ziggurat table;
  return table;
}
}  // namespace

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
  const Ziggurat& z = ziggurat();
  // Four xoshiro256++ lanes, each seeded by SplitMix64 from one word of this stream.
  constexpr std::size_t lanes = 4;
  alignas(32) std::uint64_t s0[lanes], s1[lanes], s2[lanes], s3[lanes];
  for (std::size_t l = 0; l < lanes; ++l) {
    std::uint64_t seed = next_u64();
    s0[l] = splitmix64(seed);
    s1[l] = splitmix64(seed);
    s2[l] = splitmix64(seed);
    s3[l] = splitmix64(seed);
  }
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

}  // namespace optilane

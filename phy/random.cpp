#include "phy/random.hpp"

#include <array>

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

double RandomStream::gaussian() {
  const Ziggurat& z = ziggurat();
  while (true) {
    // Bits 0–7: layer; bit 8: sign; bits 11–63: the abscissa's 53-bit uniform.
    const std::uint64_t u = next_u64();
    const auto layer = static_cast<std::size_t>(u & 0xFFu);
    const double sign = (u & 0x100u) != 0u ? -1.0 : 1.0;
    const double x = static_cast<double>(u >> 11) * 0x1.0p-53 * z.x[layer];
    if (x < z.x[layer + 1]) return sign * x;  // inside the layer's rectangle
    if (layer == 0) {
      // The tail beyond r (Marsaglia 1964): a = −ln(U₁)/r, b = −ln(U₂), accepted when 2b > a².
      double a = 0.0, b = 0.0;
      do {
        a = -std::log(1.0 - uniform()) / Ziggurat::r;
        b = -std::log(1.0 - uniform());
      } while (2.0 * b <= a * a);
      return sign * (Ziggurat::r + a);
    }
    // The wedge: a uniform height within the layer against the density at x.
    const double y = z.f[layer] + uniform() * (z.f[layer + 1] - z.f[layer]);
    if (y < std::exp(-0.5 * x * x)) return sign * x;
  }
}

void RandomStream::fill_gaussian(std::span<double> out, double sigma) {
  for (double& x : out) x = sigma * gaussian();
}

}  // namespace optilane

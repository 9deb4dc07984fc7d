#include "phy/random.hpp"

namespace optilane {
namespace {
constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
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
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u = 0.0, v = 0.0, s = 0.0;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * factor;
  has_spare_ = true;
  return u * factor;
}

void RandomStream::fill_gaussian(std::span<double> out, double sigma) {
  for (double& x : out) x = sigma * gaussian();
}

}  // namespace optilane

// Explicit randomness (STYLE.md habit 8). No global generator: every stochastic block draws from a
// stream derived from (seed, lane, block, chunk, substream), so a chunk's noise is the same
// whatever thread runs it and whatever order chunks of other lanes are processed in.
//
// Engine: xoshiro256++ (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
// ACM TOMS 2021), seeded through SplitMix64. Gaussian variates: the ziggurat method (Marsaglia &
// Tsang, "The Ziggurat Method for Generating Random Variables", J. Stat. Softw. 5(8), 2000) with
// 256 layers, on our own uniforms, so the sequence is identical across standard libraries. It is
// exact, not an approximation: each layer's rectangle is accepted outright (98.5 % of draws, one
// 64-bit word: layer index, sign and abscissa from disjoint bits), its wedge against exp(−x²/2)
// and the base layer's tail beyond R by Marsaglia's exponential method (1964). It replaced the
// polar method (one log, sqrt and division per pair, ~21 % rejections) for speed.
//
// Blocks of variates (fill_gaussian, what the noise sources draw): four xoshiro256++ lanes, seeded
// through SplitMix64 from four words of the stream, step side by side (four independent dependency
// chains, in SIMD registers where the compiler vectorises them) into a buffer of 64-bit words, and
// the ziggurat's rectangle test runs over the buffer with the abscissa's uniform made by the
// exponent trick (52 bits: (w >> 12) as the mantissa of a double in [1, 2), minus 1) instead of an
// integer conversion, and the sign applied by flipping the sign bit (no branch on a coin flip).
// A candidate outside its layer's rectangle (1.5 %) takes the wedge or tail test as gaussian()
// does, with uniforms from the stream itself, and a rejected one is replaced by a whole scalar
// draw (the ziggurat restarted): the distribution is exactly the normal one. The values depend only
// on the stream's state and the block's length: the same stream identifier gives the same block
// whatever thread computes it. Where the CPU has AVX2 the four lanes step in one 256-bit register
// and the rectangle test runs on four candidates at once (x[layer] and x[layer + 1] from one
// 16-byte load of a table of pairs): the same variates bit for bit (integer steps, the same IEEE
// products and comparisons, no FMA; a test holds the two kernels equal), about twice as fast.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace optilane {

/// SplitMix64 step (Steele, Lea & Flood 2014), used to seed and to hash stream identifiers.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Identifies one stream of random numbers.
struct StreamId {
  std::uint64_t seed = 1;
  std::uint64_t lane = 0;
  std::uint64_t block = 0;      ///< the block's position in the chain
  std::uint64_t chunk = 0;      ///< chunk index within the lane
  std::uint64_t substream = 0;  ///< distinguishes several noise sources inside one block
};

class RandomStream {
 public:
  explicit RandomStream(const StreamId& id);
  explicit RandomStream(std::uint64_t seed);

  /// Uniform 64-bit integer.
  std::uint64_t next_u64();
  /// Uniform in [0, 1) with 53 bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Standard normal variate.
  double gaussian();
  /// Fills `out` with independent N(0, sigma^2) variates (the block generator above; not the
  /// sequence that out.size() calls of gaussian() would give).
  void fill_gaussian(std::span<double> out, double sigma);

 private:
  /// The variate for a candidate ±x of `layer` that fell outside the layer's rectangle: the tail
  /// (layer 0) or the wedge test, the ziggurat restarted (a whole new draw) on rejection.
  double outside(std::size_t layer, double x, double sign);
  static constexpr std::size_t block_lanes = 4;
  /// fill_gaussian's kernels over the four lanes' states (s0…s3: one word of each lane's state).
  /// Both give the same variates bit for bit; the AVX2 one runs where the CPU has AVX2.
  void fill_gaussian_portable(std::span<double> out, double sigma, std::uint64_t* s0,
                              std::uint64_t* s1, std::uint64_t* s2, std::uint64_t* s3);
  void fill_gaussian_avx2(std::span<double> out, double sigma, std::uint64_t* s0, std::uint64_t* s1,
                          std::uint64_t* s2, std::uint64_t* s3);
  std::uint64_t s_[4]{};
};

/// Lets the AVX2 kernels run where the CPU has AVX2 (the default) or not (tests: each kernel and
/// its portable twin give the same values bit for bit): fill_gaussian's variates and
/// GaussianTailTable::many's Q. Process-wide.
void set_gaussian_simd(bool allowed);
/// True when those AVX2 kernels run.
[[nodiscard]] bool gaussian_simd_active();

}  // namespace optilane

// PAM-M mapping as IEEE 802.3 defines it for PAM4 (clause 120.5.7.1): bit pairs {A,B} (A the
// first, most significant bit) Gray-map to symbols {00→0, 01→1, 11→2, 10→3}, and symbol s maps to
// the level −1 + 2s/(M−1), i.e. {−1, −1/3, +1/3, +1}. Optional 1/(1+D) mod 4 precoding
// (clause 120.5.7.2): P(j) = (G(j) − P(j−1)) mod 4; the receiver decodes (d(j) + d(j−1)) mod 4.
// NRZ (M = 2) maps bit b to level 2b − 1.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace optilane {

enum class Modulation { nrz, pam4 };

[[nodiscard]] constexpr int levels_of(Modulation m) {
  return m == Modulation::nrz ? 2 : 4;
}
[[nodiscard]] constexpr int bits_per_symbol(Modulation m) {
  return m == Modulation::nrz ? 1 : 2;
}

/// Normalised level of symbol s (0..M−1): −1 + 2s/(M−1).
[[nodiscard]] constexpr double symbol_level(int symbol, int levels) {
  return -1.0 + 2.0 * symbol / (levels - 1);
}

/// Gray map: the bits (MSB first, as an integer 0..3) of a PAM4 symbol index and back.
inline constexpr std::array<int, 4> pam4_gray_bits_to_symbol{0, 1, 3, 2};  // 00,01,10,11 → 0,1,3,2
inline constexpr std::array<int, 4> pam4_symbol_to_gray_bits{0, 1, 3, 2};  // 0,1,2,3 → 00,01,11,10

/// Number of bit errors when symbol `sent` is decided as `decided` (Gray-coded for PAM4).
[[nodiscard]] constexpr int bit_errors(int sent, int decided, int levels) {
  if (levels == 2) return sent != decided ? 1 : 0;
  // The set bits of the two 2-bit Gray words' XOR, by table: std::popcount is a library call on
  // x86-64 without POPCNT, and this runs per sample and region in the semi-analytic BER.
  constexpr std::array<int, 4> ones{0, 1, 1, 2};
  return ones[static_cast<std::size_t>(pam4_symbol_to_gray_bits[sent] ^
                                       pam4_symbol_to_gray_bits[decided])];
}

/// 1/(1+D) mod M precoder state machine (IEEE 802.3 clause 120.5.7.2).
class Precoder {
 public:
  explicit Precoder(int levels) : levels_(levels) {}
  int encode(int gray_symbol) {
    previous_ = ((gray_symbol - previous_) % levels_ + levels_) % levels_;
    return previous_;
  }
  void reset() { previous_ = 0; }

 private:
  int levels_;
  int previous_ = 0;
};

/// Receiver side of the precoder: (d(j) + d(j−1)) mod M.
class PrecodeDecoder {
 public:
  explicit PrecodeDecoder(int levels) : levels_(levels) {}
  int decode(int decided) {
    const int out = (decided + previous_) % levels_;
    previous_ = decided;
    return out;
  }
  void reset() { previous_ = 0; }

 private:
  int levels_;
  int previous_ = 0;
};

/// A run of one symbol: symbols [first, first + length) all carry it.
struct SymbolRun {
  std::size_t first = 0;
  std::size_t length = 0;
};

/// The runs of `symbol` in `symbols` that lie wholly inside the sequence: a run touching either
/// end is left out, since it may continue outside (the long runs IEEE 802.3 cl. 121.8.4 measures
/// P3 and P0 on), in order.
[[nodiscard]] inline std::vector<SymbolRun> interior_runs(std::span<const int> symbols,
                                                          int symbol) {
  std::vector<SymbolRun> runs;
  for (std::size_t k = 0; k < symbols.size();) {
    std::size_t end = k;
    while (end < symbols.size() && symbols[end] == symbols[k]) ++end;
    if (symbols[k] == symbol && k > 0 && end < symbols.size()) runs.push_back({k, end - k});
    k = end;
  }
  return runs;
}

}  // namespace optilane

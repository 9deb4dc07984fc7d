// Pseudo-random test patterns of IEEE 802.3.
//
// PRBSn bits satisfy s[t] = XOR of s[t−e] over the exponents e > 0 of the generator polynomial
// (a Fibonacci LFSR), period 2^n − 1:
//   PRBS7  1 + x^6 + x^7        (IEEE 802.3 clause 92.8.3.8.1 / ITU-T O.150)
//   PRBS9  1 + x^5 + x^9        (IEEE 802.3 clause 68.6.1, ITU-T O.150)
//   PRBS11 1 + x^9 + x^11       (ITU-T O.150)
//   PRBS13 1 + x + x^2 + x^12 + x^13   (IEEE 802.3 clause 94.2.9.1, the basis of PRBS13Q)
//   PRBS15 1 + x^14 + x^15      (ITU-T O.150)
//   PRBS20 1 + x^3 + x^20       (ITU-T O.150)
//   PRBS23 1 + x^18 + x^23      (ITU-T O.150)
//   PRBS31 1 + x^28 + x^31      (IEEE 802.3 clause 49.2.8, the basis of PRBS31Q)
// PAM4 forms (IEEE 802.3 clause 120.5.11.2): PRBS13Q and PRBS31Q take successive bit pairs of the
// PRBS (first bit the MSB) and Gray-map them; PRBS13Q repeats every 8191 symbols (two periods of
// PRBS13 bits). SSPRQ (clause 120.5.11.2.3) is a 65535-symbol pattern assembled from PRBS31
// segments; see prbs.cpp for its construction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "phy/pam.hpp"
#include "phy/random.hpp"

namespace optilane {

/// Fibonacci LFSR for one of the PRBS orders above.
class Prbs {
 public:
  /// `order` in {7, 9, 11, 13, 15, 20, 23, 31}; `state` the initial n bits (non-zero), bit i of
  /// `state` being s[t−1−i] (the most recent output in bit 0). Default: all ones.
  explicit Prbs(int order, std::uint32_t state = 0xFFFFFFFFu);
  /// Next bit of the sequence.
  int next_bit();
  [[nodiscard]] int order() const { return order_; }
  [[nodiscard]] std::uint64_t period() const { return (std::uint64_t{1} << order_) - 1; }

 private:
  int order_;
  std::uint32_t taps_mask_ = 0;  ///< bit (e−1) set for each exponent e of the polynomial
  std::uint32_t state_ = 0;      ///< bit i = s[t−1−i]
  std::uint32_t order_mask_ = 0;
};

enum class PatternKind {
  prbs7,
  prbs9,
  prbs11,
  prbs13,
  prbs15,
  prbs20,
  prbs23,
  prbs31,
  prbs13q,
  prbs31q,
  ssprq,
  random
};

[[nodiscard]] PatternKind parse_pattern(std::string_view name);
[[nodiscard]] std::string_view pattern_name(PatternKind kind);
/// Period of the pattern in symbols for the given modulation (0 for `random`).
[[nodiscard]] std::uint64_t pattern_period_symbols(PatternKind kind, Modulation modulation);

/// Generates symbol indices 0..M−1 (after Gray mapping, before precoding) in a stream.
class PatternGenerator {
 public:
  PatternGenerator(PatternKind kind, Modulation modulation, std::uint64_t seed);
  void next(std::span<int> symbols);
  void reset();

 private:
  int next_symbol();

  PatternKind kind_;
  Modulation modulation_;
  std::uint64_t seed_;
  Prbs prbs_;
  RandomStream random_;
  std::vector<int> table_;  ///< whole period for tabulated patterns (SSPRQ)
  std::size_t table_position_ = 0;
};

/// The 65535 symbols of SSPRQ (IEEE 802.3 clause 120.5.11.2.3), Gray-mapped symbol indices.
[[nodiscard]] std::vector<int> ssprq_symbols();

}  // namespace optilane

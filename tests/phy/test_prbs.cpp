#include <catch2/catch.hpp>

#include <array>
#include <string>

#include "phy/pam.hpp"
#include "phy/prbs.hpp"

using namespace optilane;

namespace {
std::string symbols_text(PatternGenerator& generator, std::size_t count) {
  std::vector<int> symbols(count);
  generator.next(symbols);
  std::string text;
  for (int s : symbols) text += static_cast<char>('0' + s);
  return text;
}
}  // namespace

TEST_CASE("PRBS generators have period 2^n - 1 and the balance of a maximal-length sequence",
          "[phy][prbs]") {
  // A maximal-length LFSR sequence of order n has period 2^n − 1 with 2^(n−1) ones per period
  // (Golomb, Shift Register Sequences, 1967).
  for (int order : {7, 9, 11, 13, 15, 20}) {
    INFO("PRBS" << order);
    Prbs prbs(order);
    const std::uint64_t period = prbs.period();
    std::vector<int> first(2 * static_cast<std::size_t>(order));
    std::uint64_t ones = 0;
    for (std::uint64_t i = 0; i < period; ++i) {
      const int bit = prbs.next_bit();
      ones += static_cast<std::uint64_t>(bit);
      if (i < first.size()) first[i] = bit;
    }
    CHECK(ones == (std::uint64_t{1} << (order - 1)));
    // After one period the sequence starts again.
    for (int expected : first) CHECK(prbs.next_bit() == expected);
  }
}

TEST_CASE("PRBS31 has the IEEE 802.3 Figure 49-9 inverted output", "[phy][prbs]") {
  // With an all-ones state the feedback is 1 XOR 1 = 0, so the inverted output starts with ones.
  Prbs prbs(31);
  for (int i = 0; i < 20; ++i) CHECK(prbs.next_bit() == 1);
}

TEST_CASE("PRBS13Q starts as the IEEE 802.3 clause 120.5.11.2.1 example", "[phy][prbs]") {
  // First 46 symbols of PRBS13Q with the example seed S0..S12 = 0000010101011, as given by the
  // public IMDD_Codex test vectors (which cite IEEE 802.3-2022).
  PatternGenerator generator(PatternKind::prbs13q, Modulation::pam4, 1);
  CHECK(symbols_text(generator, 46) == "1031320220111130103121231210012102121023131112");
  CHECK(pattern_period_symbols(PatternKind::prbs13q, Modulation::pam4) == 8191);
}

TEST_CASE("PRBS13Q repeats every 8191 symbols with balanced levels", "[phy][prbs]") {
  PatternGenerator generator(PatternKind::prbs13q, Modulation::pam4, 1);
  std::vector<int> two_periods(2 * 8191);
  generator.next(two_periods);
  std::array<int, 4> counts{};
  for (std::size_t i = 0; i < 8191; ++i) {
    CHECK(two_periods[i] == two_periods[i + 8191]);
    counts[static_cast<std::size_t>(two_periods[i])]++;
  }
  // 16382 bits = two PRBS13 periods: every non-zero 2-bit pair except one 00 pair appears equally.
  CHECK(counts == std::array<int, 4>{2047, 2048, 2048, 2048});
}

TEST_CASE("PRBS31Q starts as the IEEE 802.3 clause 120.5.11.2.2 example", "[phy][prbs]") {
  PatternGenerator generator(PatternKind::prbs31q, Modulation::pam4, 1);
  CHECK(symbols_text(generator, 50) == "22222222222222012222222222220002222222222201201222");
}

TEST_CASE("SSPRQ matches IEEE 802.3 clause 120.5.11.2.3", "[phy][prbs]") {
  // First 64 symbols and level counts of the 65535-symbol SSPRQ, from two public implementations
  // that agree with IEEE's machine-readable SSPRQ_sequence.csv.
  const std::vector<int> ssprq = ssprq_symbols();
  REQUIRE(ssprq.size() == 65535);
  std::string first;
  for (std::size_t i = 0; i < 64; ++i) first += static_cast<char>('0' + ssprq[i]);
  CHECK(first == "2222222222222132222222222221221222222222213213222222222122222122");
  std::array<int, 4> counts{};
  for (int s : ssprq) counts[static_cast<std::size_t>(s)]++;
  CHECK(counts == std::array<int, 4>{15215, 17553, 17552, 15215});
}

TEST_CASE("Gray mapping and 1/(1+D) precoding follow IEEE 802.3 clause 120.5.7", "[phy][pam]") {
  // 00→0, 01→1, 11→2, 10→3; adjacent levels differ by one bit.
  CHECK(pam4_gray_bits_to_symbol[0b00] == 0);
  CHECK(pam4_gray_bits_to_symbol[0b01] == 1);
  CHECK(pam4_gray_bits_to_symbol[0b11] == 2);
  CHECK(pam4_gray_bits_to_symbol[0b10] == 3);
  for (int s = 0; s < 3; ++s) CHECK(bit_errors(s, s + 1, 4) == 1);
  CHECK(bit_errors(0, 2, 4) == 2);
  // Every pair: the Hamming distance of the two Gray words (00, 01, 11, 10 for levels 0 … 3).
  const int gray[4] = {0b00, 0b01, 0b11, 0b10};
  for (int a = 0; a < 4; ++a) {
    for (int b = 0; b < 4; ++b) {
      const int x = gray[a] ^ gray[b];
      CHECK(bit_errors(a, b, 4) == (x & 1) + (x >> 1));
    }
  }
  CHECK(symbol_level(0, 4) == -1.0);
  CHECK(symbol_level(2, 4) == Approx(1.0 / 3.0));
  // Precode then decode returns the data.
  Precoder precoder(4);
  PrecodeDecoder decoder(4);
  PatternGenerator generator(PatternKind::prbs13q, Modulation::pam4, 1);
  std::vector<int> data(1000);
  generator.next(data);
  for (int d : data) CHECK(decoder.decode(precoder.encode(d)) == d);
}

TEST_CASE("random patterns are reproducible from the seed", "[phy][prbs]") {
  PatternGenerator a(PatternKind::random, Modulation::pam4, 7);
  PatternGenerator b(PatternKind::random, Modulation::pam4, 7);
  PatternGenerator c(PatternKind::random, Modulation::pam4, 8);
  const std::string sa = symbols_text(a, 200);
  CHECK(sa == symbols_text(b, 200));
  CHECK(sa != symbols_text(c, 200));
}

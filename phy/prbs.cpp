#include "phy/prbs.hpp"

#include <bit>
#include <stdexcept>

#include "phy/errors.hpp"

namespace optilane {
namespace {

std::uint32_t exponents_mask(int order) {
  auto mask = [](std::initializer_list<int> exponents) {
    std::uint32_t m = 0;
    for (int e : exponents) m |= 1u << (e - 1);
    return m;
  };
  switch (order) {
    case 7:
      return mask({6, 7});
    case 9:
      return mask({5, 9});
    case 11:
      return mask({9, 11});
    case 13:
      return mask({1, 2, 12, 13});
    case 15:
      return mask({14, 15});
    case 20:
      return mask({3, 20});
    case 23:
      return mask({18, 23});
    case 31:
      return mask({28, 31});
    default:
      throw std::invalid_argument("PRBS order must be 7, 9, 11, 13, 15, 20, 23 or 31");
  }
}

}  // namespace

Prbs::Prbs(int order, std::uint32_t state)
    : order_(order), taps_mask_(exponents_mask(order)), order_mask_((1u << order) - 1u) {
  state_ = state & order_mask_;
  if (state_ == 0) throw std::invalid_argument("PRBS state must be non-zero");
}

int Prbs::next_bit() {
  const int bit = std::popcount(state_ & taps_mask_) & 1;
  state_ = ((state_ << 1) | static_cast<std::uint32_t>(bit)) & order_mask_;
  // IEEE 802.3 Figure 49-9: the PRBS31 generator's output is the inverted feedback bit.
  return order_ == 31 ? bit ^ 1 : bit;
}

std::vector<int> ssprq_symbols() {
  // IEEE 802.3 clause 120.5.11.2.3 (Table 120-2): sequence A is 32768 bits from three sections
  // of the Figure 49-9 PRBS31 generator, restarted at each section with the tabulated seed (bit i
  // of the seed presets stage S_i); sequence B is A twice with the first and last bit removed.
  // The 65535 symbols are Gray(A), 3 − Gray(A), Gray(first 32766 bits of B) and
  // 3 − Gray(last 32768 bits of B). Checked against public implementations that match IEEE's
  // machine-readable SSPRQ_sequence.csv (first symbols and level counts in test_prbs.cpp).
  struct Section {
    std::uint32_t seed;
    int bits;
  };
  constexpr Section sections[] = {{0x00000002u, 10924}, {0x34013FF7u, 10922}, {0x0CCCCCCCu, 10922}};
  std::vector<int> a;
  a.reserve(32768);
  for (const auto& section : sections) {
    Prbs prbs(31, section.seed);
    for (int i = 0; i < section.bits; ++i) a.push_back(prbs.next_bit());
  }
  std::vector<int> b;
  b.reserve(65534);
  b.insert(b.end(), a.begin() + 1, a.end());
  b.insert(b.end(), a.begin(), a.end() - 1);

  std::vector<int> symbols;
  symbols.reserve(65535);
  auto gray = [&](const std::vector<int>& bits, std::size_t first, std::size_t count, bool invert) {
    for (std::size_t i = first; i + 1 < first + count; i += 2) {
      const int s = pam4_gray_bits_to_symbol[static_cast<std::size_t>(2 * bits[i] + bits[i + 1])];
      symbols.push_back(invert ? 3 - s : s);
    }
  };
  gray(a, 0, a.size(), false);
  gray(a, 0, a.size(), true);
  gray(b, 0, 32766, false);
  gray(b, 32766, 32768, true);
  return symbols;
}

PatternKind parse_pattern(std::string_view name) {
  static constexpr std::pair<std::string_view, PatternKind> names[] = {
      {"prbs7", PatternKind::prbs7},     {"prbs9", PatternKind::prbs9},
      {"prbs11", PatternKind::prbs11},   {"prbs13", PatternKind::prbs13},
      {"prbs15", PatternKind::prbs15},   {"prbs20", PatternKind::prbs20},
      {"prbs23", PatternKind::prbs23},   {"prbs31", PatternKind::prbs31},
      {"prbs13q", PatternKind::prbs13q}, {"prbs31q", PatternKind::prbs31q},
      {"ssprq", PatternKind::ssprq},     {"random", PatternKind::random}};
  for (const auto& [text, kind] : names) {
    if (text == name) return kind;
  }
  throw ParameterError("pattern", "unknown pattern '" + std::string(name) + "'");
}

std::string_view pattern_name(PatternKind kind) {
  switch (kind) {
    case PatternKind::prbs7:
      return "prbs7";
    case PatternKind::prbs9:
      return "prbs9";
    case PatternKind::prbs11:
      return "prbs11";
    case PatternKind::prbs13:
      return "prbs13";
    case PatternKind::prbs15:
      return "prbs15";
    case PatternKind::prbs20:
      return "prbs20";
    case PatternKind::prbs23:
      return "prbs23";
    case PatternKind::prbs31:
      return "prbs31";
    case PatternKind::prbs13q:
      return "prbs13q";
    case PatternKind::prbs31q:
      return "prbs31q";
    case PatternKind::ssprq:
      return "ssprq";
    case PatternKind::random:
      return "random";
  }
  return "?";
}

namespace {
int prbs_order(PatternKind kind) {
  switch (kind) {
    case PatternKind::prbs7:
      return 7;
    case PatternKind::prbs9:
      return 9;
    case PatternKind::prbs11:
      return 11;
    case PatternKind::prbs13:
    case PatternKind::prbs13q:
      return 13;
    case PatternKind::prbs15:
      return 15;
    case PatternKind::prbs20:
      return 20;
    case PatternKind::prbs23:
      return 23;
    case PatternKind::prbs31:
    case PatternKind::prbs31q:
    case PatternKind::ssprq:
      return 31;
    case PatternKind::random:
      return 31;
  }
  return 31;
}
}  // namespace

std::uint64_t pattern_period_symbols(PatternKind kind, Modulation modulation) {
  if (kind == PatternKind::random) return 0;
  if (kind == PatternKind::ssprq) return 65535;
  const std::uint64_t bits = (std::uint64_t{1} << prbs_order(kind)) - 1;
  // An odd bit period paired into PAM4 symbols repeats after 2 bit periods = 2^n − 1 symbols.
  return bits;
  (void)modulation;
}

PatternGenerator::PatternGenerator(PatternKind kind, Modulation modulation, std::uint64_t seed)
    : kind_(kind),
      modulation_(modulation),
      seed_(seed),
      // PRBS13Q: the example seed of IEEE 802.3 clause 120.5.11.2.1, S0..S12 = 0000010101011.
      prbs_(prbs_order(kind), kind == PatternKind::prbs13q ? 0b1101010100000u : 0xFFFFFFFFu),
      random_(StreamId{.seed = seed, .lane = 0, .block = 0xFFFF, .chunk = 0, .substream = 0}) {
  if (kind == PatternKind::ssprq) table_ = ssprq_symbols();
  if (kind == PatternKind::ssprq && modulation != Modulation::pam4) {
    throw ParameterError("pattern", "ssprq is a PAM4 pattern");
  }
}

void PatternGenerator::reset() {
  *this = PatternGenerator(kind_, modulation_, seed_);
}

int PatternGenerator::next_symbol() {
  if (!table_.empty()) {
    const int s = table_[table_position_];
    table_position_ = (table_position_ + 1) % table_.size();
    return s;
  }
  const int m = levels_of(modulation_);
  if (kind_ == PatternKind::random) return static_cast<int>(random_.next_u64() >> 62) % m;
  if (m == 2) return prbs_.next_bit();
  const int msb = prbs_.next_bit();
  const int lsb = prbs_.next_bit();
  return pam4_gray_bits_to_symbol[static_cast<std::size_t>(2 * msb + lsb)];
}

void PatternGenerator::next(std::span<int> symbols) {
  for (int& s : symbols) s = next_symbol();
}

}  // namespace optilane

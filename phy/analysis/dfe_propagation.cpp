#include "phy/analysis/dfe_propagation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "phy/analysis/gaussian_tail_table.hpp"
#include "phy/pam.hpp"

namespace optilane {
namespace {

double lower_tail(double z) {  // Φ(z)
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}
double upper_tail(double z) {  // Q(z)
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

/// One burst state's decision statistics.
struct StateInfo {
  std::vector<double> error_probability;  ///< P(e_k = e | E), index e + M − 1
  double bits = 0.0;                      ///< β(E): expected bit errors of the decision
  double symbols = 0.0;                   ///< expected data symbol errors of the decision
  double shift = 0.0;                     ///< δ(E)
};

}  // namespace

void gaussian_region_probabilities(double x, double sigma, std::span<const double> thresholds,
                                   std::span<double> p, bool tabulated) {
  const auto m = static_cast<int>(p.size());
  if (!(sigma > 0.0)) {
    int decided = 0;
    while (decided < m - 1 && x > thresholds[static_cast<std::size_t>(decided)]) ++decided;
    for (int j = 0; j < m; ++j) p[static_cast<std::size_t>(j)] = j == decided ? 1.0 : 0.0;
    return;
  }
  const double inverse = 1.0 / sigma;
  const GaussianTailTable* table = tabulated ? &GaussianTailTable::instance() : nullptr;
  const auto phi = [table](double z) { return table ? (*table)(-z) : lower_tail(z); };
  const auto q_function = [table](double z) { return table ? (*table)(z) : upper_tail(z); };
  // The tail beyond each threshold on the side away from x, once per threshold: Φ for t_k ≤ x,
  // Q for t_k > x (at t_k = x both are ½ exactly). Each region below is a difference of these,
  // the same values and operations as evaluating its two bounds separately, with half the tail
  // evaluations (each inner threshold bounds two regions).
  constexpr int stack_thresholds = 31;
  double stack_tail[stack_thresholds];
  std::vector<double> heap_tail;
  double* tail = stack_tail;
  if (m - 1 > stack_thresholds) {
    heap_tail.resize(static_cast<std::size_t>(m - 1));
    tail = heap_tail.data();
  }
  // Tabulated: a tail beyond the table's end (|z| ≥ 13, Q < 6.1e-39) is 0 rather than the
  // asymptotic series (an exp each; the DFE chain's burst states shift atoms far past the
  // thresholds, tens of millions of such tails on a 12-tap DFE): an absolute error below
  // Q(13) per tail, where the chain prunes transitions below 1e-12 of the burst start.
  const double beyond = table ? GaussianTailTable::z_max : std::numeric_limits<double>::infinity();
  for (int k = 0; k + 1 < m; ++k) {
    const double t = thresholds[static_cast<std::size_t>(k)];
    const double z = (t - x) * inverse;
    if (std::abs(z) >= beyond) {
      tail[k] = 0.0;
      continue;
    }
    tail[k] = t <= x ? phi(z) : q_function(z);
  }
  for (int j = 0; j < m; ++j) {
    const bool has_lo = j > 0, has_hi = j < m - 1;
    const double lo = has_lo ? thresholds[static_cast<std::size_t>(j - 1)] : 0.0;
    const double hi = has_hi ? thresholds[static_cast<std::size_t>(j)] : 0.0;
    const double tail_lo = has_lo ? tail[j - 1] : 0.0;
    const double tail_hi = has_hi ? tail[j] : 0.0;
    double v = 0.0;
    if (has_hi && hi <= x) {  // entirely below x: lower tails
      v = tail_hi - tail_lo;
    } else if (has_lo && lo >= x) {  // entirely above x: upper tails
      v = tail_lo - tail_hi;
    } else {  // contains x
      v = 1.0 - tail_lo - tail_hi;
    }
    p[static_cast<std::size_t>(j)] = std::max(v, 0.0);
  }
}

DfePropagation dfe_error_propagation(std::span<const double> feedback,
                                     std::span<const double> level_probability, int levels,
                                     bool precoding, const DecisionProbabilities& decide) {
  const int m = levels;
  const int taps = static_cast<int>(feedback.size());
  if (taps < 1 || static_cast<int>(level_probability.size()) != m || m < 2) {
    throw std::invalid_argument("dfe_error_propagation: need ≥ 1 feedback tap and M level weights");
  }
  const int base = 2 * m - 1;  // digits e + M − 1 of the errors e_{k−1} (least significant) …
  if (static_cast<double>(taps) * std::log2(static_cast<double>(base)) > 62.0) {
    throw std::invalid_argument("dfe_error_propagation: too many DFE taps for the state code");
  }
  std::uint64_t top = 1;  // base^(D−1)
  for (int i = 1; i < taps; ++i) top *= static_cast<std::uint64_t>(base);
  std::uint64_t zero_code = 0;
  for (int i = 0; i < taps; ++i) zero_code = zero_code * base + static_cast<std::uint64_t>(m - 1);

  // Bit and symbol errors of deciding j for level l after a previous error e1 (precoding: the
  // data symbols, averaged over the previous levels that e1 allows).
  const auto mm = static_cast<std::size_t>(m);
  std::vector<double> bit_cost(mm * mm * static_cast<std::size_t>(base)),
      symbol_cost(bit_cost.size());
  for (int e1 = -(m - 1); e1 <= m - 1; ++e1) {
    for (int l = 0; l < m; ++l) {
      for (int j = 0; j < m; ++j) {
        const auto i =
            (static_cast<std::size_t>(e1 + m - 1) * mm + static_cast<std::size_t>(l)) * mm +
            static_cast<std::size_t>(j);
        if (!precoding) {
          bit_cost[i] = bit_errors(l, j, m);
          symbol_cost[i] = j != l ? 1.0 : 0.0;
          continue;
        }
        double bits = 0.0, count = 0.0;
        for (int a = 0; a < m; ++a) {
          if (a + e1 < 0 || a + e1 >= m) continue;
          bits += bit_errors((l + a) % m, (j + a + e1) % m, m);
          count += 1.0;
        }
        bit_cost[i] = bits / count;
        symbol_cost[i] = ((j - l + e1) % m + m) % m != 0 ? 1.0 : 0.0;
      }
    }
  }

  std::unordered_map<std::uint64_t, StateInfo> cache;
  std::vector<double> p(mm * mm);
  auto info_of = [&](std::uint64_t code) -> const StateInfo& {
    auto it = cache.find(code);
    if (it != cache.end()) return it->second;
    double shift = 0.0;
    std::uint64_t c = code;
    int e1 = 0;
    for (int i = 0; i < taps; ++i) {
      const int e = static_cast<int>(c % static_cast<std::uint64_t>(base)) - (m - 1);
      if (i == 0) e1 = e;
      shift -= feedback[static_cast<std::size_t>(i)] * e;
      c /= static_cast<std::uint64_t>(base);
    }
    decide(shift, p);
    StateInfo info;
    info.shift = shift;
    info.error_probability.assign(static_cast<std::size_t>(base), 0.0);
    for (int l = 0; l < m; ++l) {
      const double pl = level_probability[static_cast<std::size_t>(l)];
      for (int j = 0; j < m; ++j) {
        const double pj = p[static_cast<std::size_t>(l) * mm + static_cast<std::size_t>(j)];
        const auto i =
            (static_cast<std::size_t>(e1 + m - 1) * mm + static_cast<std::size_t>(l)) * mm +
            static_cast<std::size_t>(j);
        info.bits += pl * pj * bit_cost[i];
        info.symbols += pl * pj * symbol_cost[i];
        if (j != l) info.error_probability[static_cast<std::size_t>(j - l + m - 1)] += pl * pj;
      }
    }
    return cache.emplace(code, std::move(info)).first->second;
  };
  auto next_code = [&](std::uint64_t code, int e) {
    return (code % top) * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(e + m - 1);
  };

  DfePropagation out;
  const StateInfo zero = info_of(zero_code);
  const double log2m = std::log2(static_cast<double>(m));
  out.ber_ideal = zero.bits / log2m;
  double exit = 0.0;
  for (int e = -(m - 1); e <= m - 1; ++e) {
    if (e != 0) exit += zero.error_probability[static_cast<std::size_t>(e + m - 1)];
  }
  double visits = 0.0, bits = 0.0, symbols = 0.0;
  std::unordered_map<std::uint64_t, double> visits_of;  // r(E)
  // The burst's state distribution m_n as (code, weight) sorted by code. A step appends every
  // (successor, weight) in the order of the walk, then a stable sort by code and a sum of equal
  // codes in that order: the same additions in the same order as an ordered map keyed on the
  // code, without a node per state.
  using Weighted = std::pair<std::uint64_t, double>;
  std::vector<Weighted> current, next;
  const auto merge = [](std::vector<Weighted>& from, std::vector<Weighted>& to) {
    std::stable_sort(from.begin(), from.end(),
                     [](const Weighted& a, const Weighted& b) { return a.first < b.first; });
    to.clear();
    for (const auto& [code, w] : from) {
      if (!to.empty() && to.back().first == code) {
        to.back().second += w;
      } else {
        to.emplace_back(code, w);
      }
    }
  };
  if (exit > 0.0) {
    // A 1-tap chain has only the 2(M−1) single-error states: keep every path; longer DFEs prune.
    const double prune = (taps == 1 ? 1e-16 : 1e-12) * exit;
    for (int e = -(m - 1); e <= m - 1; ++e) {
      const double w = zero.error_probability[static_cast<std::size_t>(e + m - 1)];
      if (e != 0 && w > 0.0) next.emplace_back(next_code(zero_code, e), w);
    }
    merge(next, current);
    for (int step = 0; step < 100000 && !current.empty(); ++step) {
      double mass = 0.0;
      for (const auto& [code, w] : current) mass += w;
      if (mass < 1e-13 * exit) break;
      next.clear();
      for (const auto& [code, w] : current) {
        const StateInfo& info = info_of(code);
        visits += w;
        visits_of[code] += w;
        bits += w * info.bits;
        symbols += w * info.symbols;
        for (int e = -(m - 1); e <= m - 1; ++e) {
          const double q = w * info.error_probability[static_cast<std::size_t>(e + m - 1)];
          if (e == 0) {
            // No new error: the burst ends when the window holds no error any more.
            const std::uint64_t c = next_code(code, 0);
            if (c == zero_code) continue;
            double stay = 1.0;
            for (double x : info.error_probability) stay -= x;
            const double w0 = w * std::max(stay, 0.0);
            if (w0 > prune) next.emplace_back(c, w0);
            continue;
          }
          if (q > prune) next.emplace_back(next_code(code, e), q);
        }
      }
      merge(next, current);
    }
  }
  out.error_free_probability = 1.0 / (1.0 + visits);
  out.ber = out.error_free_probability * (zero.bits + bits) / log2m;
  out.ser = out.error_free_probability * (zero.symbols + symbols);
  out.burst_states = static_cast<int>(cache.size()) - 1;
  out.states.push_back({0.0, out.error_free_probability});
  std::vector<Weighted> visited(visits_of.begin(), visits_of.end());
  std::sort(visited.begin(), visited.end());  // by code, as the ordered map listed them
  for (const auto& [code, r] : visited) {
    out.states.push_back({cache.at(code).shift, out.error_free_probability * r});
  }
  std::stable_sort(out.states.begin(), out.states.end(),
                   [](const DfeStateProbability& a, const DfeStateProbability& b) {
                     return a.probability > b.probability;
                   });
  return out;
}

}  // namespace optilane

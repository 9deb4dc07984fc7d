// TDECQ, OMA(outer), ER and RLM (IEEE 802.3 cl. 121.8.5, 120.5.11.2.2).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>
#include <vector>

#include "phy/analysis/gaussian_tail_table.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/analysis/tdecq.hpp"
#include "phy/filter_design.hpp"
#include "phy/prbs.hpp"
#include "phy/random.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {

std::vector<int> random_levels(std::size_t n, std::uint64_t seed) {
  RandomStream rng(seed);
  std::vector<int> levels;
  for (std::size_t k = 0; k < n; ++k) levels.push_back(static_cast<int>(rng.next_u64() % 4));
  return levels;
}

/// Piecewise-constant optical power: P0 + (l_k + a·(l_{k−1} − 1.5))·Δ per symbol.
std::vector<double> waveform(const std::vector<int>& levels, int sps, double p0, double delta,
                             double a) {
  std::vector<double> p;
  for (std::size_t k = 0; k < levels.size(); ++k) {
    const int prev = levels[(k + levels.size() - 1) % levels.size()];
    const double v = p0 + (levels[k] + a * (prev - 1.5)) * delta;
    for (int i = 0; i < sps; ++i) p.push_back(v);
  }
  return p;
}

}  // namespace

TEST_CASE("An ideal PAM4 transmitter without reference receiver or FFE has TDECQ 0 dB, RLM 1",
          "[phy][analysis][tdecq]") {
  // 1.5·Q(Q_t) = 4.8e-4 with Q_t = 3.414: an ISI-free eye gives σ_G = OMA/(6·Q_t) exactly.
  const auto levels = random_levels(4096, 2);
  const auto p = waveform(levels, 16, 0.2e-3, 0.4e-3, 0.0);
  const auto r = tdecq(p, levels, {.reference_bandwidth_hz = -1.0, .ffe_taps = 1});
  CHECK(r.tdecq_db == Approx(0.0).margin(0.01));
  CHECK(r.oma_outer_w == Approx(1.2e-3).epsilon(1e-9));
  CHECK(r.extinction_ratio_db == Approx(10.0 * std::log10(1.4 / 0.2)).epsilon(1e-9));
  CHECK(r.rlm == Approx(1.0).epsilon(1e-9));
  CHECK(r.average_power_w == Approx(0.8e-3).epsilon(0.01));
}

TEST_CASE(
    "Gaussian transmitter noise σ_t raises TDECQ of an ideal eye to −5·log10(1 − (6·x·σ_t/OMA)²)",
    "[phy][analysis][tdecq]") {
  // cl. 121.8.5.3: σ_G is the noise that may be added before 1.5·Q(OMA/(6·√(σ_G² + σ_t²))) reaches
  // 4.8e-4, so √(σ_G² + σ_t²) = OMA/(6·x) with x = Q⁻¹(3.2e-4) and TDECQ = 10·log10(x/Q_t) −
  // 5·log10(1 − (6·x·σ_t/OMA)²). The base-4 digits of 0 … 4⁶−1 make the four levels exactly
  // equiprobable, as the 1.5·Q(·) form assumes.
  constexpr double search_tolerance_db = 1e-4;  // σ_G is searched to 1e-6 relative (4e-6 dB)
  std::vector<int> levels;
  for (int k = 0; k < 4096; ++k) {
    for (int d = 5; d >= 0; --d) levels.push_back((k >> (2 * d)) & 3);
  }
  const auto p = waveform(levels, 4, 0.0, 1.0, 0.0);  // levels 0 … 3 W: OMA 3 W
  const double x = q_inverse(3.2e-4);
  for (double ratio : {0.02, 0.03, 0.04}) {
    const auto r = tdecq(p, levels,
                         {.samples_per_symbol = 4,
                          .reference_bandwidth_hz = -1.0,
                          .ffe_taps = 1,
                          .tx_noise_rms_w = ratio * 3.0});
    const double u = 6.0 * x * ratio;
    const double expected = 10.0 * std::log10(x / 3.414) - 5.0 * std::log10(1.0 - u * u);
    INFO("σ_t/OMA " << ratio);
    CHECK(r.tdecq_db == Approx(expected).margin(search_tolerance_db));
  }
}

TEST_CASE(
    "Transmitter noise beyond the budget leaves TDECQ unbounded and reports the eye's SER "
    "1.5·Q(OMA/(6·σ_t)) at no added noise",
    "[phy][analysis][tdecq]") {
  // cl. 121.8.5.3: with σ_G = 0 the SER of an ISI-free eye of four exactly equiprobable levels
  // is (1 + 2 + 2 + 1)/4 · Q(Δ/2/σ_t) = 1.5·Q(OMA/(6·σ_t)); once that exceeds 4.8e-4 no noise can
  // be added, TDECQ is +∞ and the figure reported is that SER (here 1.5·Q(2) = 0.0341 and
  // 1.5·Q(2.5) = 0.00932). Below the budget the SER field stays NaN.
  constexpr double sum_tolerance = 1e-12;  // the same Q terms summed; 9σ cut-off: < 1e-18
  std::vector<int> levels;
  for (int k = 0; k < 4096; ++k) {
    for (int d = 5; d >= 0; --d) levels.push_back((k >> (2 * d)) & 3);
  }
  const auto p = waveform(levels, 4, 0.0, 1.0, 0.0);  // OMA 3 W, Δ = 1 W
  for (double q_arg : {2.0, 2.5}) {
    const auto r = tdecq(p, levels,
                         {.samples_per_symbol = 4,
                          .reference_bandwidth_hz = -1.0,
                          .ffe_taps = 1,
                          .tx_noise_rms_w = 3.0 / (6.0 * q_arg)});
    INFO("OMA/(6σ_t) " << q_arg);
    CHECK(std::isinf(r.tdecq_db));
    CHECK(r.ser_without_added_noise == Approx(1.5 * q_function(q_arg)).epsilon(sum_tolerance));
  }
  const auto within = tdecq(p, levels,
                            {.samples_per_symbol = 4,
                             .reference_bandwidth_hz = -1.0,
                             .ffe_taps = 1,
                             .tx_noise_rms_w = 0.03 * 3.0});
  CHECK(std::isfinite(within.tdecq_db));
  CHECK(std::isnan(within.ser_without_added_noise));
}

TEST_CASE(
    "A clean full-bandwidth transmitter through the Rs/2 reference receiver and 5-tap FFE "
    "has TDECQ near 0 dB",
    "[phy][analysis][tdecq]") {
  // The reference receiver's own ISI is mostly undone by the reference FFE; what remains (and
  // C_eq) costs a few tenths of a dB at most.
  constexpr double clean_max_db = 0.6;  // measured 0.50 dB with the MMSE (not TDECQ-optimal) FFE
  const auto levels = random_levels(4096, 4);
  const auto p = waveform(levels, 16, 0.2e-3, 0.4e-3, 0.0);
  const auto r = tdecq(p, levels, {.symbol_rate_bd = 53.125e9, .samples_per_symbol = 16});
  INFO("TDECQ " << r.tdecq_db << " dB, C_eq " << r.c_eq);
  CHECK(r.tdecq_db >= -0.05);
  CHECK(r.tdecq_db < clean_max_db);
  double sum = 0.0;
  for (double w : r.ffe_taps) sum += w;
  CHECK(sum == Approx(1.0).epsilon(1e-9));
}

TEST_CASE("TDECQ of a transmitter with a post-cursor matches the hand calculation of the clause",
          "[phy][analysis][tdecq]") {
  // Hand calculation (cl. 121.8.5.3 steps with no reference filter and no FFE): the symbol
  // centre value is P0 + (l + a(l' − 1.5))Δ for the 16 pairs (l, l'); OMA_outer from runs is
  // 3Δ(1+a); thresholds P_ave ± OMA/3 and P_ave; σ_G solves (1/16)Σ SER(l, l'; σ_G) = 4.8e-4;
  // TDECQ = 10·log10(OMA/(6·3.414·σ_G)).
  constexpr double tolerance_db = 0.3;
  const double p0 = 0.2e-3, delta = 0.4e-3, a = 0.08;
  const auto levels = random_levels(16384, 9);
  const auto r = tdecq(waveform(levels, 16, p0, delta, a), levels,
                       {.reference_bandwidth_hz = -1.0, .ffe_taps = 1});
  const double oma = 3.0 * delta * (1.0 + a);
  const double p_ave = p0 + 1.5 * delta;
  const double t[3] = {p_ave - oma / 3.0, p_ave, p_ave + oma / 3.0};
  auto ser = [&](double sigma) {
    double e = 0.0;
    for (int l = 0; l < 4; ++l) {
      for (int prev = 0; prev < 4; ++prev) {
        const double y = p0 + (l + a * (prev - 1.5)) * delta;
        if (l > 0) e += q_function((y - t[l - 1]) / sigma);
        if (l < 3) e += q_function((t[l] - y) / sigma);
      }
    }
    return e / 16.0;
  };
  double lo = 1e-9, hi = oma;
  for (int i = 0; i < 80; ++i) {
    const double mid = 0.5 * (lo + hi);
    (ser(mid) > 4.8e-4 ? hi : lo) = mid;
  }
  const double hand = 10.0 * std::log10(oma / (6.0 * 3.414 * lo));
  INFO("hand " << hand << " dB, tdecq " << r.tdecq_db << " dB");
  CHECK(hand > 1.0);  // the case is not trivial
  CHECK(r.tdecq_db == Approx(hand).margin(tolerance_db));
}

TEST_CASE("TDECQ rises as the transmitter bandwidth falls", "[phy][analysis][tdecq]") {
  const auto levels = random_levels(4096, 5);
  const auto p_clean = waveform(levels, 16, 0.2e-3, 0.4e-3, 0.0);
  const auto p_slow = waveform(levels, 16, 0.2e-3, 0.4e-3, 0.25);
  const TdecqSettings s{.symbol_rate_bd = 53.125e9, .samples_per_symbol = 16};
  CHECK(tdecq(p_slow, levels, s).tdecq_db > tdecq(p_clean, levels, s).tdecq_db + 0.3);
}

namespace {

/// A run of `length` symbols of `level`.
struct Run {
  int level = 0;
  int length = 0;
};

/// Symbols of the runs, with random filler (runs of one or two, each level differing from the
/// runs on both sides) before every run group: no other run reaches three.
std::vector<int> runs_with_filler(const std::vector<std::vector<Run>>& groups, std::uint64_t seed) {
  RandomStream rng(seed);
  std::vector<int> levels;
  auto push = [&](int level, int length) { levels.insert(levels.end(), length, level); };
  for (const auto& group : groups) {
    for (int i = 0; i < 6; ++i) {
      int level = 0;
      do {
        level = static_cast<int>(rng.next_u64() % 4);
      } while ((!levels.empty() && level == levels.back()) || level == group.front().level);
      push(level, 1 + static_cast<int>(rng.next_u64() % 2));
    }
    for (const Run& run : group) push(run.level, run.length);
  }
  // Ends on a lone symbol unlike its neighbours, the one before and (round the period) the first.
  for (int level : {1, 2, 0, 3}) {
    if (level != levels.back() && level != levels.front()) {
      push(level, 1);
      break;
    }
  }
  return levels;
}

/// Optical power in which every run of equal symbols settles from the level of the run before it
/// with time constant τ (a first-order step response restarted at every level change): sample j
/// of a run of level l after a run of level l′ is P_l + (P_l′ − P_l)·e^{−j/(sps·τ_UI)}, P_l =
/// P0 + l·Δ. The first run starts settled.
std::vector<double> settling_waveform(const std::vector<int>& levels, int sps, double p0,
                                      double delta, double tau_ui) {
  std::vector<double> p;
  int previous = levels.front();
  int j = 0;
  for (std::size_t k = 0; k < levels.size(); ++k) {
    if (k > 0 && levels[k] != levels[k - 1]) {
      previous = levels[k - 1];
      j = 0;
    }
    for (int i = 0; i < sps; ++i, ++j) {
      p.push_back(p0 +
                  (levels[k] + (previous - levels[k]) * std::exp(-j / (sps * tau_ui))) * delta);
    }
  }
  return p;
}

/// Mean of e^{−j·a} over j = first … first + n − 1 (a geometric series).
double mean_decay(int first, int n, double a) {
  return std::exp(-first * a) * (1.0 - std::exp(-n * a)) / (n * (1.0 - std::exp(-a)));
}

}  // namespace

// cl. 121.8.4: P3 and P0 are the central-2-UI means of the runs of 7 threes and 6 zeros; on a
// first-order settling, the closed form P_l + (P_l′ − P_l)·e^{−t/τ} averaged there.
TEST_CASE("P3, P0 are central-2-UI means of the long runs of a first-order settling",
          "[phy][analysis][tdecq]") {
  // Every run settles from the previous run's level with τ = 0.5 UI (as slow as leaves the eye
  // open: a 0 → 3 step still lacks 3·e^{−15/8} = 0.46 Δ at the first symbol's last sample, where
  // the inner eyes open by 0.39 Δ). The run of 7 threes follows zeros and the run of 6 zeros
  // follows threes; the only other repeated symbols sit in runs of three (1 1 1, 2 2 2, 0 0 0
  // after twos, 3 3 3 after zeros). The eye of a waveform that settles monotonically within every
  // symbol is widest at its last sample, phase c = sps − 1, so symbol
  // k spans c ± UI/2 about k·sps and a run of L starting at sample 0 has its central 2 UI at
  // samples j = (L − 1)·sps/2 − sps + c … + 2·sps − 1: j0 = 2·sps + c (L = 7), 1.5·sps + c (L = 6).
  constexpr int sps = 16;
  constexpr double tau_ui = 0.5, p0 = 0.2e-3, delta = 0.4e-3;
  constexpr double a = 1.0 / (sps * tau_ui);  // per sample
  constexpr double rounding = 1e-12;          // sums of a few thousand doubles
  std::vector<std::vector<Run>> groups;
  for (int i = 0; i < 40; ++i) groups.push_back({{1, 3}, {2, 3}, {0, 3}, {3, 3}});
  for (int i = 0; i < 2; ++i) groups.push_back({{3, 2}, {0, 6}, {3, 7}});
  const auto levels = runs_with_filler(groups, 11);
  const auto p = settling_waveform(levels, sps, p0, delta, tau_ui);
  const auto r = tdecq(p, levels, {.samples_per_symbol = sps, .reference_bandwidth_hz = -1.0});
  constexpr int c = sps - 1;
  REQUIRE(r.centre_ui == Approx(static_cast<double>(c) / sps));
  CHECK(r.outer_levels_from_runs);
  CHECK(r.longest_run_threes == 7);
  CHECK(r.longest_run_zeros == 6);
  const double p3 = p0 + 3 * delta - 3 * delta * mean_decay(2 * sps + c, 2 * sps, a);
  const double p0_run = p0 + 3 * delta * mean_decay(3 * sps / 2 + c, 2 * sps, a);
  CHECK(r.levels_w[3] == Approx(p3).epsilon(rounding));
  CHECK(r.levels_w[0] == Approx(p0_run).epsilon(rounding));
  CHECK(r.oma_outer_w == Approx(p3 - p0_run).epsilon(rounding));
  CHECK(r.extinction_ratio_db == Approx(10.0 * std::log10(p3 / p0_run)).epsilon(rounding));
  // The same against the continuous step response averaged over the window's 2 UI: a left
  // Riemann sum of the decreasing e^{−t/τ} exceeds its integral by at most (f(t1) − f(t2))·dt/2UI.
  const auto continuous = [&](int first) {
    const double t1 = first * a, t2 = (first + 2 * sps) * a;  // in units of τ
    return (std::exp(-t1) - std::exp(-t2)) / (t2 - t1);
  };
  const double g3 = mean_decay(2 * sps + c, 2 * sps, a), i3 = continuous(2 * sps + c);
  CHECK(g3 >= i3);
  CHECK(g3 - i3 <= (std::exp(-(2 * sps + c) * a) - std::exp(-(4 * sps + c) * a)) / (2 * sps));
  // The eye-centre means (RLM's, and the former P3/P0) read the settling at phase c of the
  // repeated symbols: the middle of each run of three, m = 1, and m = 1 … 5 (7 threes), 1 … 4
  // (6 zeros), e^{−(m·sps + c)·a} of the step each.
  double three_sum = 40 * std::exp(-(sps + c) * a), zero_sum = 40 * std::exp(-(sps + c) * a);
  for (int m = 1; m <= 5; ++m) three_sum += 2 * std::exp(-(m * sps + c) * a);
  double zero_run_sum = 0.0;
  for (int m = 1; m <= 4; ++m) zero_run_sum += 2 * std::exp(-(m * sps + c) * a);
  const double eye_p3 = p0 + 3 * delta - 3 * delta * three_sum / (40 + 10);
  // Zeros of the runs of three follow twos (step 2Δ); those of the run of six follow threes (3Δ).
  const double eye_p0 = p0 + (2 * delta * zero_sum + 3 * delta * zero_run_sum) / (40 + 8);
  CHECK(r.eye_levels_w[3] == Approx(eye_p3).epsilon(rounding));
  CHECK(r.eye_levels_w[0] == Approx(eye_p0).epsilon(rounding));
  INFO("run P3 " << p3 << " W, eye-centre P3 " << eye_p3 << " W");
  CHECK(p3 - eye_p3 >
        0.01 * delta);  // what the runs of three miss, 0.05·Δ: the test tells them apart
  CHECK(r.levels_w[1] == r.eye_levels_w[1]);
  CHECK(r.levels_w[2] == r.eye_levels_w[2]);
  const auto& v = r.eye_levels_w;
  const double mid = 0.5 * (v[0] + v[3]);
  const double es1 = (v[1] - mid) / (v[0] - mid), es2 = (v[2] - mid) / (v[3] - mid);
  CHECK(r.rlm == Approx(std::min({3 * es1, 3 * es2, 2 - 3 * es1, 2 - 3 * es2})).epsilon(rounding));
}

// cl. 121.8.4 as open TDECQ implementations read it (phy/outer_level_runs.hpp): every run of at
// least 7 threes and 6 zeros, all averaged — runs longer than 7/6 (SSPRQ's 14s) count with them.
TEST_CASE("P3, P0 average the central 2 UI of every run of at least 7 threes / 6 zeros",
          "[phy][analysis][tdecq]") {
  // The settling pattern of the test above with a run of 9 threes and a run of 8 zeros beside the
  // runs of 7 and 6: a run of L starting at sample 0 has its central 2 UI from
  // (L − 1)·sps/2 − sps + c, i.e. 2·sps + c (7), 3·sps + c (9), 1.5·sps + c (6), 2.5·sps + c
  // (8), and P3, P0 are the means over both runs of each (equal windows, so the plain average).
  constexpr int sps = 16;
  constexpr double tau_ui = 0.5, p0 = 0.2e-3, delta = 0.4e-3;
  constexpr double a = 1.0 / (sps * tau_ui);
  constexpr double rounding = 1e-12;
  std::vector<std::vector<Run>> groups;
  for (int i = 0; i < 40; ++i) groups.push_back({{1, 3}, {2, 3}, {0, 3}, {3, 3}});
  groups.push_back({{3, 2}, {0, 6}, {3, 7}});
  groups.push_back({{3, 2}, {0, 8}, {3, 9}});
  const auto levels = runs_with_filler(groups, 11);
  const auto p = settling_waveform(levels, sps, p0, delta, tau_ui);
  const auto r = tdecq(p, levels, {.samples_per_symbol = sps, .reference_bandwidth_hz = -1.0});
  constexpr int c = sps - 1;
  REQUIRE(r.centre_ui == Approx(static_cast<double>(c) / sps));
  CHECK(r.outer_levels_from_runs);
  CHECK(r.longest_run_threes == 9);
  CHECK(r.longest_run_zeros == 8);
  CHECK(r.runs_threes == 2);
  CHECK(r.runs_zeros == 2);
  const double p3 =
      p0 + 3 * delta -
      3 * delta * 0.5 * (mean_decay(2 * sps + c, 2 * sps, a) + mean_decay(3 * sps + c, 2 * sps, a));
  const double p0_run =
      p0 + 3 * delta * 0.5 *
               (mean_decay(3 * sps / 2 + c, 2 * sps, a) + mean_decay(5 * sps / 2 + c, 2 * sps, a));
  CHECK(r.levels_w[3] == Approx(p3).epsilon(rounding));
  CHECK(r.levels_w[0] == Approx(p0_run).epsilon(rounding));
  // The longest runs alone (the former reading) settle further: the test tells the two apart.
  const double p3_longest = p0 + 3 * delta - 3 * delta * mean_decay(3 * sps + c, 2 * sps, a);
  CHECK(p3_longest - p3 > 1e-4 * delta);
}

// Without runs of 7 threes and 6 zeros P3 and P0 fall back to the eye-centre means of symbols
// between equal neighbours.
TEST_CASE("Without long runs P3, P0 are eye-centre means of runs of three",
          "[phy][analysis][tdecq]") {
  // The pattern above without its long runs: the runs of three give the only repeated symbols,
  // and their middle symbols at phase c read P3 − 3Δ·e^{−(sps + c)·a}, P0 + 2Δ·e^{−(sps + c)·a}.
  constexpr int sps = 16;
  constexpr double tau_ui = 0.5, p0 = 0.2e-3, delta = 0.4e-3;
  constexpr double a = 1.0 / (sps * tau_ui);
  constexpr double rounding = 1e-12;
  std::vector<std::vector<Run>> groups;
  for (int i = 0; i < 40; ++i) groups.push_back({{1, 3}, {2, 3}, {0, 3}, {3, 3}});
  const auto levels = runs_with_filler(groups, 11);
  const auto p = settling_waveform(levels, sps, p0, delta, tau_ui);
  const auto r = tdecq(p, levels, {.samples_per_symbol = sps, .reference_bandwidth_hz = -1.0});
  constexpr int c = sps - 1;
  REQUIRE(r.centre_ui == Approx(static_cast<double>(c) / sps));
  CHECK_FALSE(r.outer_levels_from_runs);
  CHECK(r.longest_run_threes == 3);
  CHECK(r.longest_run_zeros == 3);
  const double p3 = p0 + 3 * delta - 3 * delta * std::exp(-(sps + c) * a);
  const double p0_eye = p0 + 2 * delta * std::exp(-(sps + c) * a);
  CHECK(r.levels_w[3] == Approx(p3).epsilon(rounding));
  CHECK(r.levels_w[0] == Approx(p0_eye).epsilon(rounding));
  CHECK(r.oma_outer_w == Approx(p3 - p0_eye).epsilon(rounding));
  CHECK(r.levels_w == r.eye_levels_w);
}

TEST_CASE("PRBS13Q's longest runs are 7 threes and 6 zeros (cl. 121.8.4)",
          "[phy][analysis][tdecq]") {
  // As quoted by open TDECQ implementations and Keysight's FlexDCA help (S): P3 over the run of
  // seven 3s, P0 over the run of six 0s of PRBS13Q and SSPRQ.
  PatternGenerator generator(PatternKind::prbs13q, Modulation::pam4, 1);
  std::vector<int> symbols(8191);
  generator.next(symbols);
  auto longest = [&](int level) {
    int best = 0, count = 0;
    for (std::size_t k = 0; k < 2 * symbols.size(); ++k) {  // twice round: runs at the seam
      count = symbols[k % symbols.size()] == level ? count + 1 : 0;
      best = std::max(best, count);
    }
    return best;
  };
  CHECK(longest(3) == 7);
  CHECK(longest(0) == 6);
}

TEST_CASE("σ_G's table-first decisions are the erfc decisions, and TDECQ is bit for bit the same",
          "[phy][analysis][tdecq]") {
  // ser_above_target with the table decides only where its relative bound ε proves the erfc
  // walk's answer (tdecq.hpp); near the target it falls back to that walk. Sweep σ finely through
  // the crossing (steps of 1e-7 relative about it, where the bound cannot decide) and coarsely
  // over two decades, on distances of a noisy-looking eye.
  const GaussianTailTable& table = GaussianTailTable::instance();
  RandomStream rng(11);
  std::vector<double> distances;
  for (int i = 0; i < 6000; ++i) {
    distances.push_back(0.1 + 0.3 * static_cast<double>(rng.next_u64() % 1000000) / 1e6);
  }
  std::sort(distances.begin(), distances.end());
  const double samples = 3000.0, target = 4.8e-4;
  // The crossing by bisection on the erfc decisions.
  double lo = 1e-3, hi = 1.0;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (ser_above_target(distances, samples, mid, target, nullptr) ? hi : lo) = mid;
  }
  int checked = 0, flips = 0;
  auto check = [&](double sigma) {
    const bool exact = ser_above_target(distances, samples, sigma, target, nullptr);
    CHECK(ser_above_target(distances, samples, sigma, target, &table) == exact);
    flips += exact ? 1 : 0;
    ++checked;
  };
  for (int i = -200; i <= 200; ++i) check(lo * (1.0 + 1e-7 * i));
  for (int i = 0; i <= 400; ++i) check(lo * std::pow(10.0, -1.0 + 2.0 * i / 400.0));
  CHECK(checked == 802);
  CHECK(flips > 100);  // both answers occur
  CHECK(flips < 700);

  // The whole analysis: a band-limited, noisy transmitter, table-first against erfc only.
  const auto levels = random_levels(4096, 7);
  const auto p = waveform(levels, 16, 0.2e-3, 0.4e-3, 0.1);
  for (double noise : {0.0, 1e-5, 2.5e-5}) {
    TdecqSettings s{.symbol_rate_bd = 53.125e9, .samples_per_symbol = 16, .tx_noise_rms_w = noise};
    const TdecqResult fast = tdecq(p, levels, s);
    s.exact_decisions = true;
    const TdecqResult exact = tdecq(p, levels, s);
    CHECK(fast.sigma_g_w == exact.sigma_g_w);
    CHECK(fast.tdecq_db == exact.tdecq_db);
    CHECK(std::isfinite(exact.tdecq_db));
  }
}

TEST_CASE(
    "the TDECQ reference receiver is cl. 121.8.5.1's Bessel-Thomson, short at 8 and 16 "
    "samples per symbol",
    "[phy][tdecq][filter]") {
  // H = 105/(105 + 105y + 45y² + 10y³ + y⁴), y = j·ω_3dB-normalised frequency (ω_3dB/ω_0 =
  // 2.1139, found by bisection), 3 dB down at Rs/2. Held at the design grid's frequencies
  // k·fs/M (M = 2^17) within the Parseval bound √(M·ε·Σh²) of the 1e-10 energy truncation, |H|
  // up to fs/2, plus above 0.3·fs the |Im H(fs/2)|·(1 − w) the design subtracts there.
  auto unit = [](double w) {
    const std::complex<double> y(0.0, w);
    return 105.0 / (105.0 + y * (105.0 + y * (45.0 + y * (10.0 + y))));
  };
  double lo = 1.0, hi = 4.0;
  for (int i = 0; i < 100; ++i)
    (std::norm(unit(0.5 * (lo + hi))) > 0.5 ? lo : hi) = 0.5 * (lo + hi);
  const double w3 = 0.5 * (lo + hi);
  const double rs = 53.125e9;
  for (int sps : {8, 16}) {
    INFO(sps << " samples per symbol");
    const TdecqSettings settings{.symbol_rate_bd = rs, .samples_per_symbol = sps};
    const std::vector<double> taps = reference_receiver_taps(settings);
    CHECK(taps.size() <= 100);  // 51 and 69; plain frequency sampling gave 3,430 at 8
    const double fs = rs * sps;
    const double energy = std::inner_product(taps.begin(), taps.end(), taps.begin(), 0.0);
    const double bound = std::sqrt(131072.0 * 1e-10 * energy / (1.0 - 1e-10));
    for (double k : {1.0, 1000.0, 4096.0, 8192.0, 20000.0, 39321.0, 50000.0, 65536.0}) {
      const double f = k * fs / 131072.0;
      std::complex<double> h;
      for (std::size_t n = 0; n < taps.size(); ++n) {
        h += taps[n] * std::exp(std::complex<double>(0.0, -2.0 * pi * f * n / fs));
      }
      INFO("f = " << f / 1e9 << " GHz");
      const double allowance =
          std::abs(unit(w3 * fs / 2.0 / (rs / 2.0)).imag()) * (1.0 - nyquist_phase_window(f, fs));
      CHECK(std::abs(std::abs(h) - std::abs(unit(w3 * f / (rs / 2.0)))) <= bound + allowance);
    }
  }
}

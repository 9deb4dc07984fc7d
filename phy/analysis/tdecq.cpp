#include "phy/analysis/tdecq.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <stdexcept>
#include <utility>

#include "phy/analysis/gaussian_tail_table.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/filter_design.hpp"
#include "phy/outer_level_runs.hpp"
#include "phy/overlap_save.hpp"
#include "phy/pam.hpp"

namespace optilane {
namespace {

constexpr double q_t = 3.414;  // cl. 121.8.5.3: 1.5·Q(3.414) = 4.8e-4
// cl. 121.8.4: the runs of PRBS13Q and SSPRQ that P3 and P0 are measured on (S, as quoted by
// open TDECQ implementations and by Keysight FlexDCA's "PAM Outer Extinction Ratio" help,
// rfmw.em.keysight.com/DigitalPhotonics/flexdca/UG/Content/Topics/Eye-Mask-Mode/PAM-Measurements/
// pam_outer_er.htm; RLM per 120D "a function of the mean signal level transmitted for each PAM4
// symbol level": helpfiles.keysight.com/scopes/FlexDCA-PG/Content/Topics/Commands/MEASure/
// PLEVel_LINearity_DEFinition.htm). PRBS13Q's longest runs are these (test_tdecq.cpp); a pattern
// with longer ones (SSPRQ: 14 and 14) is measured on every run at least this long, as open TDECQ
// implementations read "a run of 7 threes" (phy/outer_level_runs.hpp).
constexpr std::int64_t min_run_threes = 7;
constexpr std::int64_t min_run_zeros = 6;

/// Relative slack of the table-first decisions beyond the table's own bound: the rounding of up
/// to ~10^5 additions (~1e-11) and of q_function's erfc against the table's reference.
constexpr double decision_slack = 1e-9;

}  // namespace

bool ser_above_target(std::span<const double> distances, double samples, double sigma,
                      double target_ser, const GaussianTailTable* table) {
  if (table != nullptr) {
    const double eps = table->relative_error_bound();
    // Table Q̃ within [Q(1 − ε), Q(1 + ε)]: a partial sum ẽ bounds the reference's
    // e ∈ [ẽ/(1 + ε), ẽ/(1 − ε)] (up to rounding: decision_slack).
    const double above = target_ser * samples * (1.0 + eps) * (1.0 + decision_slack);
    const double below = target_ser * samples * (1.0 - eps) / (1.0 + eps) / (1.0 + decision_slack);
    double e = 0.0;
    std::size_t i = 0;
    for (; i < distances.size() && distances[i] < 9.0 * sigma; ++i) {
      const double term = (*table)(distances[i] / sigma);
      e += term;
      if (e > above) return true;
      const auto left = static_cast<double>(distances.size() - i - 1);
      if (e + left * term < below) return false;
    }
    if (i == distances.size() || !(distances[i] < 9.0 * sigma)) {
      // The whole sum: decided unless it lies within the bounds' gap about the target.
      if (e > above) return true;
      if (e < below) return false;
    }
  }
  double e = 0.0;
  for (std::size_t i = 0; i < distances.size() && distances[i] < 9.0 * sigma; ++i) {
    const double term = q_function(distances[i] / sigma);
    e += term;
    if (e / samples > target_ser) return true;
    const auto left = static_cast<double>(distances.size() - i - 1);
    if ((e + left * term) / samples <= target_ser) return false;
  }
  return e / samples > target_ser;
}

std::vector<double> reference_receiver_taps(const TdecqSettings& settings) {
  if (settings.reference_bandwidth_hz < 0.0) return {1.0};
  const double bw = settings.reference_bandwidth_hz > 0.0 ? settings.reference_bandwidth_hz
                                                          : settings.symbol_rate_bd / 2.0;
  // Cl. 121.8.5.1 specifies the reference receiver as a fourth-order Bessel-Thomson response, an
  // ideal analog one (the O/E converter and oscilloscope together; deviation from it may be
  // compensated), not a digital filter, so it is designed as the chain's analog responses are.
  // Plain frequency sampling (exact phase to fs/2) is short at 16 samples per symbol (82 taps,
  // Im H(fs/2) = 2e-5) but rings at 8 (the tier presets: Im H(fs/2) = 7e-4, 3,430 taps, 6e-9 of
  // the energy dropped by its capped pre-response against the 1e-10 tolerance); here H is exact
  // below 0.3·fs (4.8× the bandwidth at 8 samples per symbol) and within |Im H(fs/2)| above.
  return design_analog_fir(FilterSpec{.shape = FilterShape::bessel, .bandwidth_hz = bw, .order = 4},
                           settings.symbol_rate_bd * settings.samples_per_symbol)
      .taps;
}

TdecqResult tdecq(std::span<const double> power_w, std::span<const int> levels,
                  const TdecqSettings& settings) {
  const int sps = settings.samples_per_symbol;
  const auto n = static_cast<std::int64_t>(power_w.size());
  const auto symbols = static_cast<std::int64_t>(levels.size());
  if (sps < 2 || symbols < 64 || n < symbols * sps) {
    throw std::invalid_argument("tdecq: need >= 64 symbols and >= 2 samples per symbol");
  }
  // 1. Reference receiver (circular: the pattern is taken as periodic, like SSPRQ/PRBS13Q).
  std::vector<double> y(power_w.begin(), power_w.begin() + symbols * sps);
  const std::int64_t len = symbols * sps;
  const std::vector<double> h = reference_receiver_taps(settings);
  if (settings.reference_bandwidth_hz >= 0.0) {
    // Circular convolution y ⊛ h over the pattern period: the linear convolution of the period
    // preceded by its own last L−1 samples (its periodic extension), by overlap-save on
    // power-of-two FFTs. (An FFT of the period's own length, 16·(2^k − 1) samples, has large
    // prime factors — 8191 for PRBS13Q, 257 for SSPRQ — and its planning alone was 15 % of
    // lane A.) Both compute the same sum Σ_t h[t]·y[(i − t) mod len].
    const std::size_t size = static_cast<std::size_t>(len);
    const std::size_t lead = h.size() - 1;
    std::vector<double> extended(lead + size);
    for (std::size_t j = 0; j < lead; ++j) {
      extended[j] = y[(size - (lead - j) % size) % size];
    }
    std::copy(y.begin(), y.end(), extended.begin() + static_cast<std::ptrdiff_t>(lead));
    RealFirFilter reference(h);
    reference.process(extended, extended);
    std::copy(extended.begin() + static_cast<std::ptrdiff_t>(lead), extended.end(), y.begin());
  }
  auto at = [&](std::int64_t k, std::int64_t offset) {
    // Index modulo the period; the callers stay within one period of [0, len), where a
    // subtraction or an addition does what the (much slower) division would.
    std::int64_t i = k * sps + offset;
    if (i >= len) i -= len;
    if (i < 0) i += len;
    if (i < 0 || i >= len) {
      i %= len;
      if (i < 0) i += len;
    }
    return y[static_cast<std::size_t>(i)];
  };
  // 2. Delay: the offset whose samples correlate best with the levels. Offset d = a·sps + r
  // reads y[((k + a) mod N)·sps + r]: per phase r the samples are gathered once into a
  // contiguous run (the strided reads missed the cache at every sample), and each offset's sums
  // run over k in the same order as before, so they and the chosen offset are bit for bit the same.
  std::int64_t delay = 0;
  double best = -std::numeric_limits<double>::infinity();
  const std::int64_t probe = std::min<std::int64_t>(symbols, 4096);
  const std::int64_t offsets = std::min<std::int64_t>(len, 64 * sps);
  const std::int64_t lags = (offsets + sps - 1) / sps;
  std::vector<double> corr(static_cast<std::size_t>(offsets));
  std::vector<double> run(static_cast<std::size_t>(probe + lags));
  std::vector<double> sxy(static_cast<std::size_t>(lags)), sx(sxy.size()), sxx(sxy.size());
  for (std::int64_t phase = 0; phase < std::min<std::int64_t>(sps, offsets); ++phase) {
    for (std::int64_t i = 0; i < probe + lags; ++i) {
      run[static_cast<std::size_t>(i)] = y[static_cast<std::size_t>((i % symbols) * sps + phase)];
    }
    // Four offsets at a time, k innermost: each offset's three sums still add their terms in
    // k order (bit for bit the sums of one offset at a time), and the four offsets' 12 sums
    // are independent chains held in registers (the loop over the four vectorises).
    const std::int64_t count = (offsets - phase + sps - 1) / sps;  // a·sps + phase < offsets
    constexpr std::int64_t block = 4;
    for (std::int64_t a0 = 0; a0 < count; a0 += block) {
      const std::int64_t width = std::min(block, count - a0);
      double bxy[block] = {}, bx[block] = {}, bxx[block] = {};
      if (width == block) {
        for (std::int64_t k = 0; k < probe; ++k) {
          const double* x = run.data() + k + a0;
          const double c = levels[static_cast<std::size_t>(k)] - 1.5;
          for (std::int64_t i = 0; i < block; ++i) {
            bxy[i] += x[i] * c;
            bx[i] += x[i];
            bxx[i] += x[i] * x[i];
          }
        }
      } else {
        for (std::int64_t k = 0; k < probe; ++k) {
          const double* x = run.data() + k + a0;
          const double c = levels[static_cast<std::size_t>(k)] - 1.5;
          for (std::int64_t i = 0; i < width; ++i) {
            bxy[i] += x[i] * c;
            bx[i] += x[i];
            bxx[i] += x[i] * x[i];
          }
        }
      }
      for (std::int64_t i = 0; i < width; ++i) {
        const auto a = static_cast<std::size_t>(a0 + i);
        sxy[a] = bxy[i];
        sx[a] = bx[i];
        sxx[a] = bxx[i];
      }
    }
    for (std::int64_t a = 0; a < count; ++a) {
      const auto i = static_cast<std::size_t>(a);
      const double var = sxx[i] - sx[i] * sx[i] / probe;
      corr[static_cast<std::size_t>(a * sps + phase)] = var > 0 ? sxy[i] / std::sqrt(var) : -1e300;
    }
  }
  for (std::int64_t d = 0; d < offsets; ++d) {
    if (corr[static_cast<std::size_t>(d)] > best) {
      best = corr[static_cast<std::size_t>(d)];
      delay = d;
    }
  }
  // Eye centre: the phase with the widest unequalised inner-eye opening (an approximation of the
  // clause's crossing-time centre).
  // Searched over ±1 UI about the delay; ties (a flat-topped eye) take the middle of the plateau.
  // One pass over the symbols for all 2·sps phases (symbol k's phases are adjacent samples;
  // a pass per phase strided through the record): minima and maxima are exact in any order.
  std::vector<double> opening;
  const std::int64_t first_phase = delay - sps;
  const auto phase_count = static_cast<std::size_t>(2 * sps);
  std::vector<std::array<double, 4>> lo(phase_count), hi(phase_count);
  for (std::size_t i = 0; i < phase_count; ++i) {
    lo[i].fill(std::numeric_limits<double>::infinity());
    hi[i].fill(-std::numeric_limits<double>::infinity());
  }
  for (std::int64_t k = 0; k < symbols; ++k) {
    const auto l = static_cast<std::size_t>(levels[static_cast<std::size_t>(k)]);
    for (std::size_t i = 0; i < phase_count; ++i) {
      const double v = at(k, first_phase + static_cast<std::int64_t>(i));
      lo[i][l] = std::min(lo[i][l], v);
      hi[i][l] = std::max(hi[i][l], v);
    }
  }
  for (std::size_t i = 0; i < phase_count; ++i) {
    opening.push_back(std::min({lo[i][1] - hi[i][0], lo[i][2] - hi[i][1], lo[i][3] - hi[i][2]}));
  }
  const auto best_it = std::max_element(opening.begin(), opening.end());
  const double tie = *best_it - 1e-9 * std::abs(*best_it);
  auto plateau_end = best_it;
  while (plateau_end + 1 != opening.end() && *(plateau_end + 1) >= tie) ++plateau_end;
  const std::int64_t centre =
      first_phase + ((best_it - opening.begin()) + (plateau_end - opening.begin())) / 2;
  TdecqResult r;
  r.centre_ui = static_cast<double>(((centre % sps) + sps) % sps) / sps;
  // 3. Levels, OMA, ER, RLM. At the centre, the mean of the symbols whose two neighbours carry
  // the same level: RLM's V0 … V3 (120D.3.1.2: the mean level of each symbol), and P0/P3 when
  // the window lacks the long runs.
  std::vector<double> sum(4, 0.0), count(4, 0.0);
  double total = 0.0;
  for (std::int64_t k = 0; k < symbols; ++k) {
    const int l = levels[static_cast<std::size_t>(k)];
    total += at(k, centre);
    const int prev = levels[static_cast<std::size_t>((k + symbols - 1) % symbols)];
    const int next = levels[static_cast<std::size_t>((k + 1) % symbols)];
    if (prev == l && next == l) {
      sum[static_cast<std::size_t>(l)] += at(k, centre);
      count[static_cast<std::size_t>(l)] += 1.0;
    }
  }
  for (int l = 0; l < 4; ++l) {
    if (count[static_cast<std::size_t>(l)] == 0)
      throw std::invalid_argument("tdecq: a level never repeats");
    r.eye_levels_w.push_back(sum[static_cast<std::size_t>(l)] / count[static_cast<std::size_t>(l)]);
  }
  r.levels_w = r.eye_levels_w;
  // cl. 121.8.4: P3 and P0 over the central 2 UI of the pattern's runs of 7 threes and 6 zeros:
  // every run of at least 7 threes and of at least 6 zeros inside the window, all averaged
  // (phy/outer_level_runs.hpp, the reading the ring's lock shares), counted without wrapping and
  // without the runs that touch either end (they may continue outside it); the symbols are timed
  // by the eye centre (symbol k spans centre ± UI/2 about sample k·sps).
  {
    auto central_mean = [&](const std::vector<SymbolRun>& runs) {
      // The run [s, s + L) spans samples [s·sps + centre − sps/2, (s + L)·sps + centre − sps/2);
      // its central 2 UI start sps before its middle.
      double s = 0.0;
      for (const SymbolRun& run : runs) {
        const auto length = static_cast<std::int64_t>(run.length);
        const std::int64_t first = ((length - 1) * sps) / 2 - sps + centre;
        for (std::int64_t i = 0; i < 2 * sps; ++i) {
          s += at(static_cast<std::int64_t>(run.first), first + i);
        }
      }
      return s / static_cast<double>(2 * sps * static_cast<std::int64_t>(runs.size()));
    };
    auto longest = [](const std::vector<SymbolRun>& runs) {
      std::int64_t l = 0;
      for (const SymbolRun& run : runs) l = std::max(l, static_cast<std::int64_t>(run.length));
      return l;
    };
    const std::vector<SymbolRun> threes = outer_level_runs(levels, 3, min_run_threes);
    const std::vector<SymbolRun> zeros = outer_level_runs(levels, 0, min_run_zeros);
    r.longest_run_threes = longest(threes);
    r.longest_run_zeros = longest(zeros);
    if (r.longest_run_threes >= min_run_threes && r.longest_run_zeros >= min_run_zeros) {
      r.levels_w[3] = central_mean(threes);
      r.levels_w[0] = central_mean(zeros);
      r.outer_levels_from_runs = true;
      r.runs_threes = static_cast<std::int64_t>(threes.size());
      r.runs_zeros = static_cast<std::int64_t>(zeros.size());
    }
  }
  r.average_power_w = total / symbols;
  r.oma_outer_w = r.levels_w[3] - r.levels_w[0];
  r.extinction_ratio_db = r.levels_w[0] > 0 ? 10.0 * std::log10(r.levels_w[3] / r.levels_w[0])
                                            : std::numeric_limits<double>::infinity();
  const auto& v = r.eye_levels_w;
  const double v_mid = 0.5 * (v[0] + v[3]);
  const double es1 = (v[1] - v_mid) / (v[0] - v_mid);
  const double es2 = (v[2] - v_mid) / (v[3] - v_mid);
  r.rlm = std::min({3.0 * es1, 3.0 * es2, 2.0 - 3.0 * es1, 2.0 - 3.0 * es2});

  // Noise autocorrelation of the reference receiver at symbol lags.
  const int taps = std::max(1, settings.ffe_taps);
  const int pre = (taps - 1) / 2;
  std::vector<double> rn(static_cast<std::size_t>(taps), 0.0);
  for (int m = 0; m < taps; ++m) {
    for (std::size_t i = 0; i + static_cast<std::size_t>(m * sps) < h.size(); ++i) {
      rn[static_cast<std::size_t>(m)] += h[i] * h[i + static_cast<std::size_t>(m * sps)];
    }
  }
  const double r0 = rn[0];
  // 4. Reference FFE: MMSE to the ideal levels P0 + l·OMA/3 with Σw = 1 (Lagrange multiplier).
  // Regressors stacked as rows: R = ZᵀZ/N as one symmetric rank-k update (blocked GEMM).
  Eigen::MatrixXd z_rows(symbols, taps);
  Eigen::VectorXd desired(symbols);
  for (std::int64_t k = 0; k < symbols; ++k) {
    for (int t = 0; t < taps; ++t) z_rows(k, t) = at(k + pre - t, centre);
    desired(k) = r.levels_w[0] + levels[static_cast<std::size_t>(k)] * r.oma_outer_w / 3.0;
  }
  Eigen::MatrixXd rm = Eigen::MatrixXd::Zero(taps, taps);
  rm.selfadjointView<Eigen::Lower>().rankUpdate(z_rows.transpose(),
                                                1.0 / static_cast<double>(symbols));
  rm = rm.selfadjointView<Eigen::Lower>();
  const Eigen::VectorXd p = z_rows.transpose() * desired / static_cast<double>(symbols);
  const double s2 = settings.tx_noise_rms_w * settings.tx_noise_rms_w;
  for (int i = 0; i < taps; ++i) {
    for (int j = 0; j < taps; ++j)
      rm(i, j) += s2 * rn[static_cast<std::size_t>(std::abs(i - j))] / r0;
  }
  rm.diagonal().array() += 1e-12 * rm.trace() / taps;
  const auto ldlt = rm.ldlt();
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(taps);
  const Eigen::VectorXd a = ldlt.solve(p), b = ldlt.solve(ones);
  const double lambda = (ones.dot(a) - 1.0) / ones.dot(b);
  const Eigen::VectorXd w = a - lambda * b;
  double ceq2 = 0.0;
  for (int i = 0; i < taps; ++i) {
    r.ffe_taps.push_back(w(i));
    for (int j = 0; j < taps; ++j)
      ceq2 += w(i) * w(j) * rn[static_cast<std::size_t>(std::abs(i - j))] / r0;
  }
  r.c_eq = std::sqrt(ceq2);

  // 5. Histograms at the two instants, SER(σ), and σ_G.
  const double thresholds[3] = {r.average_power_w - r.oma_outer_w / 3.0, r.average_power_w,
                                r.average_power_w + r.oma_outer_w / 3.0};
  const double sigma_tx = r.c_eq * settings.tx_noise_rms_w;
  double sigma_g = std::numeric_limits<double>::infinity();
  for (double side : {-0.5, 0.5}) {
    const double instant = centre + side * settings.instant_separation_ui * sps;
    const double half_window = 0.5 * settings.window_ui * sps;
    std::vector<std::int64_t> phases;
    for (auto q = static_cast<std::int64_t>(std::ceil(instant - half_window));
         q <= static_cast<std::int64_t>(std::floor(instant + half_window)); ++q) {
      phases.push_back(q);
    }
    if (phases.empty()) phases.push_back(static_cast<std::int64_t>(std::lround(instant)));
    std::vector<double> eq;
    std::vector<int> lv;
    for (std::int64_t q : phases) {
      for (std::int64_t k = 0; k < symbols; ++k) {
        double v = 0.0;
        for (int t = 0; t < taps; ++t) v += w(t) * at(k + pre - t, q);
        eq.push_back(v);
        lv.push_back(levels[static_cast<std::size_t>(k)]);
      }
    }
    // Each sample's distance to the thresholds that bound its level's decision region, sorted
    // ascending, so the terms Q(d/σ) of the SER come largest first. A bisection step only asks
    // whether SER(σ) exceeds the target, and that is decided as soon as the partial sum exceeds
    // it, or the partial sum plus (terms left) × (the last term, their bound) stays within it:
    // the decision of the whole sum, without its tail. Terms beyond 9σ (below 1.2e-19, far under
    // any target SER) are zero, as before.
    std::vector<double> distances;
    distances.reserve(2 * eq.size());
    for (std::size_t i = 0; i < eq.size(); ++i) {
      if (lv[i] > 0) distances.push_back(eq[i] - thresholds[lv[i] - 1]);
      if (lv[i] < 3) distances.push_back(thresholds[lv[i]] - eq[i]);
    }
    std::sort(distances.begin(), distances.end());
    const auto samples = static_cast<double>(eq.size());
    const GaussianTailTable* table =
        settings.exact_decisions ? nullptr : &GaussianTailTable::instance();
    auto above_target = [&](double sigma) {
      const double s = std::sqrt(sigma * sigma + sigma_tx * sigma_tx);
      if (!(s > 0.0)) {
        // No noise: a sample outside its region is an error (at most one distance is negative).
        const auto outside = std::lower_bound(distances.begin(), distances.end(), 0.0);
        return static_cast<double>(outside - distances.begin()) / samples > settings.target_ser;
      }
      return ser_above_target(distances, samples, s, settings.target_ser, table);
    };
    double lo = 0.0, hi = r.oma_outer_w;
    if (above_target(lo)) {
      // Unbounded: report the whole SER sum at no added noise, the worse instant's.
      const double s = sigma_tx;
      double e = 0.0;
      for (std::size_t i = 0; i < distances.size(); ++i) {
        if (s > 0.0) {
          if (distances[i] >= 9.0 * s) break;
          e += q_function(distances[i] / s);
        } else if (distances[i] < 0.0) {
          e += 1.0;
        }
      }
      const double ser = e / samples;
      r.ser_without_added_noise =
          std::isnan(r.ser_without_added_noise) ? ser : std::max(r.ser_without_added_noise, ser);
      sigma_g = 0.0;
      continue;
    }
    // σ_G to 1e-6 relative (TDECQ to 4e-6 dB).
    for (int it = 0; it < 60 && hi - lo > 1e-6 * hi; ++it) {
      const double mid = 0.5 * (lo + hi);
      (above_target(mid) ? hi : lo) = mid;
    }
    sigma_g = std::min(sigma_g, lo);
  }
  r.sigma_g_w = sigma_g / r.c_eq;  // referred to the equaliser input, as the clause's σ_G
  r.tdecq_db = sigma_g > 0.0 ? 10.0 * std::log10(r.oma_outer_w / (6.0 * q_t * r.sigma_g_w))
                             : std::numeric_limits<double>::infinity();
  return r;
}

}  // namespace optilane

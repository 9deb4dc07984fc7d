#include "phy/analysis/slicer.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "phy/analysis/dfe_propagation.hpp"
#include "phy/analysis/record_memo.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/fft.hpp"
#include "phy/pam.hpp"

namespace optilane {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

/// Φ(z), the standard normal CDF, with the infinities handled.
double phi(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

/// Expected bit and symbol errors for one noiseless sample x at level l.
void sample_error(double x, int level, double sigma, std::span<const double> thresholds, int m,
                  double& bit_error_sum, double& symbol_error_sum) {
  if (sigma <= 0.0) {
    int decided = 0;
    while (decided < m - 1 && x > thresholds[static_cast<std::size_t>(decided)]) ++decided;
    bit_error_sum += bit_errors(level, decided, m);
    symbol_error_sum += decided != level ? 1.0 : 0.0;
    return;
  }
  double below = 0.0;  // Φ((t_j − x)/σ) for the lower edge of region j
  for (int j = 0; j < m; ++j) {
    const double upper_edge = j == m - 1 ? infinity : thresholds[static_cast<std::size_t>(j)];
    const double above = j == m - 1 ? 1.0 : phi((upper_edge - x) / sigma);
    const double p = above - below;
    below = above;
    if (j == level) continue;
    bit_error_sum += p * bit_errors(level, j, m);
    symbol_error_sum += p;
  }
}

/// Optimum threshold between levels j and j+1: the stationary point of the expected errors
///   C(t) = Σ_{l_k ≤ j} Q((t − x_k)/σ_k) + Σ_{l_k > j} Q((x_k − t)/σ_k),
///   C'(t) = Σ_{l_k > j} φ(z_k)/σ_k − Σ_{l_k ≤ j} φ(z_k)/σ_k,  z_k = (t − x_k)/σ_k,
/// found on g(t) = ln Σ_upper − ln Σ_lower (the sign of C') in [lo, hi] (the level means), to a
/// bracket of 1e-4 of the smaller σ. The two sums are compared in the log domain (log-sum-exp of
/// −z²/2 − ln σ), so the search is steered to the eye's centre even where every φ underflows (a
/// wide-open eye); one exp per sample and no erfc. g is smooth and nearly linear about its root
/// (exactly linear for equal σ and one sample per side), so the steps are the Illinois variant of
/// regula falsi inside the bracket (superlinear; a bisection step whenever a step did not halve
/// the bracket): ~6 evaluations of g where bisection took ~17. The answer is the final bracket's
/// midpoint, within 0.5e-4 σ of the root as bisection's was.
double optimise_threshold(std::span<const double> x, std::span<const int> levels,
                          std::span<const double> sigma, int j, double lo, double hi) {
  const double sigma_lower = sigma[static_cast<std::size_t>(j)];
  const double sigma_upper = sigma[static_cast<std::size_t>(j + 1)];
  // Without noise on either side the cost is a step: centre the threshold in the open eye.
  if (sigma_lower == 0.0 && sigma_upper == 0.0) {
    double lower_max = -infinity, upper_min = infinity;
    for (std::size_t k = 0; k < x.size(); ++k) {
      if (levels[k] <= j)
        lower_max = std::max(lower_max, x[k]);
      else
        upper_min = std::min(upper_min, x[k]);
    }
    if (std::isfinite(lower_max) && std::isfinite(upper_min)) return 0.5 * (lower_max + upper_min);
  }
  std::vector<double> inverse_sigma(sigma.size()), log_sigma(sigma.size());
  for (std::size_t l = 0; l < sigma.size(); ++l) {
    const double s = std::max(sigma[l], 1e-300);
    inverse_sigma[l] = 1.0 / s;
    log_sigma[l] = std::log(s);
  }
  // The samples split by side once, each side in record order, with their level's 1/σ and ln σ:
  // the passes below add the same terms in the same order as one pass over the record testing
  // each sample's side (bit for bit), without that test's unpredictable branch (PAM data).
  struct Side {
    std::vector<double> x, inverse_sigma, log_sigma, exponent, kept;
  } lower_side, upper_side;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const auto l = static_cast<std::size_t>(levels[k]);
    Side& side = levels[k] <= j ? lower_side : upper_side;
    side.x.push_back(x[k]);
    side.inverse_sigma.push_back(inverse_sigma[l]);
    side.log_sigma.push_back(log_sigma[l]);
  }
  for (Side* side : {&lower_side, &upper_side}) {
    side->exponent.resize(side->x.size());
    side->kept.resize(side->x.size());
  }
  // Each sample's log density (up to a constant) at t, and the side's largest.
  auto exponents = [](Side& side, double t) {
    double largest = -infinity;
    for (std::size_t k = 0; k < side.x.size(); ++k) {
      const double z = (t - side.x[k]) * side.inverse_sigma[k];
      side.exponent[k] = -0.5 * z * z - side.log_sigma[k];
      largest = std::max(largest, side.exponent[k]);
    }
    return largest;
  };
  // Σ exp(exponent − largest) over the side in record order. Terms below e⁻⁴⁰ of the side's
  // largest change the sum by < 1e-17 relative: skipped (those kept are gathered first, without
  // a branch: each is written and the count advances only when it is kept).
  auto scaled_sum = [](Side& side, double largest) {
    std::size_t n = 0;
    for (std::size_t k = 0; k < side.x.size(); ++k) {
      const double e = side.exponent[k] - largest;
      side.kept[n] = e;
      n += e > -40.0 ? 1 : 0;
    }
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += std::exp(side.kept[i]);
    return sum;
  };
  // g(t) = ln Σ_upper − ln Σ_lower: > 0 (the optimum lies below t) when the density of
  // upper-level samples at t exceeds that of the lower-level ones; 0 when neither side has any.
  auto log_ratio = [&](double t) {
    const double max_lower = exponents(lower_side, t);
    const double max_upper = exponents(upper_side, t);
    if (!std::isfinite(max_lower) && !std::isfinite(max_upper)) return 0.0;
    const double lower = scaled_sum(lower_side, max_lower);
    const double upper = scaled_sum(upper_side, max_upper);
    const double log_lower = lower > 0.0 ? max_lower + std::log(lower) : -infinity;
    const double log_upper = upper > 0.0 ? max_upper + std::log(upper) : -infinity;
    if (log_upper == log_lower) return 0.0;
    return log_upper - log_lower;  // ±∞ when one side has no samples
  };
  const double positive_sigma = sigma_lower > 0.0 && sigma_upper > 0.0
                                    ? std::min(sigma_lower, sigma_upper)
                                    : std::max(sigma_lower, sigma_upper);
  const double resolution = std::max(1e-4 * positive_sigma, 1e-12 * (hi - lo));
  // The bracket [a, b] holds the root: g(a) < 0 < g(b). The level means bracket it unless the
  // optimum sits at or beyond one of them, where the search ends at that end as bisection did.
  double a = lo, b = hi;
  double g_a = log_ratio(a), g_b = log_ratio(b);
  if (!(g_a < 0.0)) return a + 0.5 * std::min(resolution, b - a);
  if (!(g_b > 0.0)) return b - 0.5 * std::min(resolution, b - a);
  int kept_side = 0;  // +1: b was kept by the last step, −1: a
  for (int iteration = 0; iteration < 80 && b - a > resolution; ++iteration) {
    const double width = b - a;
    double t = 0.5 * (a + b);
    if (std::isfinite(g_a) && std::isfinite(g_b)) {
      t = a + width * (-g_a) / (g_b - g_a);
      // Never closer than half the resolution to an end, so every step shrinks the bracket.
      t = std::clamp(t, a + 0.5 * resolution, b - 0.5 * resolution);
    }
    const double g = log_ratio(t);
    if (g > 0.0) {
      b = t;
      g_b = g;
      if (kept_side == -1) g_a *= 0.5;  // Illinois: a kept twice, halve its weight
      kept_side = -1;
    } else if (g < 0.0) {
      a = t;
      g_a = g;
      if (kept_side == +1) g_b *= 0.5;
      kept_side = +1;
    } else {
      return t;
    }
    if (b - a > 0.5 * width && iteration % 2 == 1) {
      // A slow step (regula falsi creeping from one side): bisect once.
      const double mid = 0.5 * (a + b);
      const double g_mid = log_ratio(mid);
      if (g_mid > 0.0) {
        b = mid;
        g_b = g_mid;
      } else if (g_mid < 0.0) {
        a = mid;
        g_a = g_mid;
      } else {
        return mid;
      }
      kept_side = 0;
    }
  }
  return 0.5 * (a + b);
}

/// Coarse delay: the offset o in [0, max_offset] maximising the correlation of the samples
/// x[k·sps + o] with the centred transmitted levels y_k, Σ x·y / √(Σx² − (Σx)²/K) over the K
/// symbols inside the record. With o = q·sps + r, Σ_k y_k·x[k·sps + o] = Σ_k y_k·x_r[k + q] on the
/// decimated phase x_r[j] = x[j·sps + r]: per phase, a cross-correlation of two symbol-rate
/// sequences for the lags 0 … Q = max_offset/sps, by FFT of a size ≥ N + Q + 1 (a lag ≤ Q never
/// wraps onto a sample of x_r). That is 2·sps + 1 transforms of ~N + Q points instead of three of
/// the full record's L + N·sps (a 4× smaller operation count at 16 samples per symbol, and buffers
/// that stay in cache); Σ x and Σ x² come from prefix sums along each phase. O(L log N).
std::int64_t coarse_delay(std::span<const double> x, std::span<const int> sent, int m, int sps,
                          std::int64_t max_offset) {
  const auto length = static_cast<std::int64_t>(x.size());
  const auto symbols = static_cast<std::int64_t>(sent.size());
  std::vector<double> centred(sent.size());
  double level_mean = 0.0;
  for (std::size_t k = 0; k < sent.size(); ++k) {
    centred[k] = symbol_level(sent[k], m);
    level_mean += centred[k];
  }
  level_mean /= static_cast<double>(symbols);
  for (double& y : centred) y -= level_mean;

  const std::int64_t max_lag = std::max<std::int64_t>(0, max_offset) / sps + 1;
  const std::int64_t phase_length = (length + sps - 1) / sps;  // longest decimated phase
  std::size_t size = 1;
  while (size < static_cast<std::size_t>(std::max(phase_length, symbols) + max_lag + 1)) size <<= 1;
  // The transforms' buffers are kept per thread and size: every lane run calibrates once, at the
  // same size, and fresh buffers cost their allocation, page faults and zeroing.
  thread_local std::map<std::size_t, std::pair<FftPlan, FftPlan>> kept;
  auto found = kept.find(size);
  if (found == kept.end()) {
    found = kept.emplace(size, std::pair{FftPlan(FftPlan::Kind::real_forward, size),
                                         FftPlan(FftPlan::Kind::real_inverse, size)})
                .first;
  }
  FftPlan& forward = found->second.first;
  FftPlan& inverse = found->second.second;
  std::fill(forward.real().begin(), forward.real().end(), 0.0);
  std::copy(centred.begin(), centred.end(), forward.real().begin());
  forward.execute();
  std::vector<std::complex<double>> spectrum_y(forward.spectrum().begin(),
                                               forward.spectrum().end());
  // correlation[o] for o = q·sps + r, q ≤ max_lag (× size: FFTW is unnormalised).
  std::vector<double> correlation(static_cast<std::size_t>((max_lag + 1) * sps), 0.0);
  for (int r = 0; r < sps; ++r) {
    std::fill(forward.real().begin(), forward.real().end(), 0.0);
    std::size_t j = 0;
    for (std::int64_t n = r; n < length; n += sps)
      forward.real()[j++] = x[static_cast<std::size_t>(n)];
    forward.execute();
    for (std::size_t b = 0; b < spectrum_y.size(); ++b) {
      inverse.spectrum()[b] = forward.spectrum()[b] * std::conj(spectrum_y[b]);
    }
    inverse.execute();
    for (std::int64_t q = 0; q <= max_lag; ++q) {
      correlation[static_cast<std::size_t>(q * sps + r)] =
          inverse.real()[static_cast<std::size_t>(q)];
    }
  }

  // Prefix sums of x and x² along each decimated phase r: x[r], x[r + sps], …
  std::vector<std::vector<double>> sum(static_cast<std::size_t>(sps)),
      sum_sq(static_cast<std::size_t>(sps));
  for (int r = 0; r < sps; ++r) {
    auto& s1 = sum[static_cast<std::size_t>(r)];
    auto& s2 = sum_sq[static_cast<std::size_t>(r)];
    s1.push_back(0.0);
    s2.push_back(0.0);
    for (std::int64_t n = r; n < length; n += sps) {
      const double v = x[static_cast<std::size_t>(n)];
      s1.push_back(s1.back() + v);
      s2.push_back(s2.back() + v * v);
    }
  }
  std::int64_t best_offset = 0;
  double best_corr = -infinity;
  const double scale = 1.0 / static_cast<double>(size);
  for (std::int64_t offset = 0; offset <= max_offset && offset < length; ++offset) {
    const std::int64_t q = offset / sps;
    const auto r = static_cast<std::size_t>(offset % sps);
    const std::int64_t usable = (length - offset + sps - 1) / sps;
    const std::int64_t count = std::min(usable, symbols);
    if (count < 16) break;
    const auto i0 = static_cast<std::size_t>(q), i1 = static_cast<std::size_t>(q + count);
    const double sx = sum[r][i1] - sum[r][i0];
    const double sxx = sum_sq[r][i1] - sum_sq[r][i0];
    const double var = sxx - sx * sx / static_cast<double>(count);
    const double sxy = correlation[static_cast<std::size_t>(offset)] * scale;
    const double corr = var > 0 ? sxy / std::sqrt(var) : -infinity;
    if (corr > best_corr) {
      best_corr = corr;
      best_offset = offset;
    }
  }
  return best_offset;
}

struct PhaseStats {
  std::vector<double> clean;
  std::vector<int> levels;
  std::vector<double> sigma;   // per level
  std::vector<double> means;   // per level
  std::vector<double> minima;  // per level: the smallest noiseless sample (+∞ if none)
  std::vector<double> maxima;  // per level: the largest (−∞ if none)
};

/// The statistics of every offset in [first, end): the samples x[k·sps + offset] of symbol k,
/// their levels, and per level the noiseless mean, min and max and the noise RMS. One pass over
/// the symbols for all offsets (symbol k's offsets are adjacent samples; a pass per offset
/// strided through the record, a cache line per sample); each offset's sums still add their
/// terms in symbol order.
std::vector<PhaseStats> phase_stats(std::span<const double> noiseless,
                                    std::span<const double> noisy, std::span<const int> sent, int m,
                                    int sps, std::int64_t first, std::int64_t end) {
  const auto offsets = static_cast<std::size_t>(std::max<std::int64_t>(0, end - first));
  const auto mm = static_cast<std::size_t>(m);
  std::vector<PhaseStats> out(offsets);
  std::vector<double> sum(offsets * mm, 0.0), sq(offsets * mm, 0.0), count(offsets * mm, 0.0);
  std::vector<double> minima(offsets * mm, infinity), maxima(offsets * mm, -infinity);
  std::vector<std::size_t> filled(offsets, 0);
  for (PhaseStats& s : out) {
    s.clean.resize(sent.size());
    s.levels.resize(sent.size());
  }
  const auto size = static_cast<std::int64_t>(noiseless.size());
  for (std::size_t k = 0; k < sent.size(); ++k) {
    const int l = sent[k];
    const auto li = static_cast<std::size_t>(l);
    const std::int64_t base = static_cast<std::int64_t>(k) * sps + first;
    for (std::size_t i = 0; i < offsets; ++i) {
      const std::int64_t n = base + static_cast<std::int64_t>(i);
      if (n < 0 || n >= size) continue;
      const auto idx = static_cast<std::size_t>(n);
      const double x = noiseless[idx];
      out[i].clean[filled[i]] = x;
      out[i].levels[filled[i]] = l;
      ++filled[i];
      const std::size_t c = i * mm + li;
      minima[c] = std::min(minima[c], x);
      maxima[c] = std::max(maxima[c], x);
      const double e = noisy[idx] - x;
      sum[c] += x;
      sq[c] += e * e;
      count[c] += 1.0;
    }
  }
  for (std::size_t i = 0; i < offsets; ++i) {
    out[i].clean.resize(filled[i]);
    out[i].levels.resize(filled[i]);
    out[i].minima.assign(minima.begin() + static_cast<std::ptrdiff_t>(i * mm),
                         minima.begin() + static_cast<std::ptrdiff_t>((i + 1) * mm));
    out[i].maxima.assign(maxima.begin() + static_cast<std::ptrdiff_t>(i * mm),
                         maxima.begin() + static_cast<std::ptrdiff_t>((i + 1) * mm));
  }
  for (std::size_t i = 0; i < offsets; ++i) {
    for (std::size_t l = 0; l < mm; ++l) {
      const std::size_t c = i * mm + l;
      out[i].means.push_back(count[c] > 0 ? sum[c] / count[c] : 0.0);
      out[i].sigma.push_back(count[c] > 0 ? std::sqrt(sq[c] / count[c]) : 0.0);
    }
  }
  return out;
}

std::vector<double> best_thresholds(const PhaseStats& s, int m) {
  std::vector<double> thresholds;
  for (int j = 0; j + 1 < m; ++j) {
    double lo = s.means[static_cast<std::size_t>(j)];
    double hi = s.means[static_cast<std::size_t>(j + 1)];
    if (hi < lo) std::swap(lo, hi);
    thresholds.push_back(optimise_threshold(s.clean, s.levels, s.sigma, j, lo, hi));
  }
  return thresholds;
}

}  // namespace

double gaussian_ber(std::span<const double> noiseless, std::span<const int> levels,
                    std::span<const double> sigma_per_level, std::span<const double> thresholds,
                    int level_count) {
  double bits = 0.0, symbols = 0.0;
  for (std::size_t k = 0; k < noiseless.size(); ++k) {
    const int l = levels[k];
    sample_error(noiseless[k], l, sigma_per_level[static_cast<std::size_t>(l)], thresholds,
                 level_count, bits, symbols);
  }
  const double n = static_cast<double>(noiseless.size());
  return n > 0 ? bits / (n * std::log2(level_count)) : 0.0;
}

SlicerTiming calibrate_slicer(std::span<const double> noiseless, std::span<const double> noisy,
                              std::span<const int> sent_levels, const SlicerSettings& settings,
                              std::int64_t max_offset_samples) {
  const int sps = settings.samples_per_symbol;
  const int m = settings.levels;
  if (noiseless.size() != noisy.size()) throw std::invalid_argument("calibration: size mismatch");
  // Coarse: the offset whose samples correlate best with the sent levels.
  // A function of the noiseless record alone: the lanes that share it share the result
  // (record_memo.hpp; the same bytes in, the same offset out).
  static RecordMemo<std::int64_t, 8> delays;
  const std::int64_t best_offset =
      delays.get(RecordKey("coarse_delay")
                     .add(noiseless)
                     .add(sent_levels)
                     .add(m)
                     .add(sps)
                     .add(max_offset_samples),
                 [&] { return coarse_delay(noiseless, sent_levels, m, sps, max_offset_samples); });
  // Fine: within ±1 UI of the coarse offset, rank phases by their smallest inner-eye opening at
  // the target BER (noiseless extremes ∓ Q⁻¹(BER)·σ); in a run of equally open phases (a flat
  // eye) take its centre. Then, among the phases ±2 samples around it, take the one with the
  // lowest semi-analytic BER with thresholds optimised at that phase (ties: the central one).
  struct Candidate {
    std::int64_t offset;
    PhaseStats stats;
    double opening;
  };
  std::vector<Candidate> candidates;
  const double q = q_inverse(settings.target_ber);
  const std::int64_t first_offset = std::max<std::int64_t>(0, best_offset - sps);
  std::vector<PhaseStats> stats =
      phase_stats(noiseless, noisy, sent_levels, m, sps, first_offset, best_offset + sps);
  for (std::size_t i = 0; i < stats.size(); ++i) {
    PhaseStats& s = stats[i];
    if (s.clean.empty()) continue;
    double opening = infinity;
    for (int j = 0; j + 1 < m; ++j) {
      const auto lower = static_cast<std::size_t>(j), upper = lower + 1;
      const double h =
          (s.minima[upper] - q * s.sigma[upper]) - (s.maxima[lower] + q * s.sigma[lower]);
      opening = std::min(opening, h);
    }
    candidates.push_back({first_offset + static_cast<std::int64_t>(i), std::move(s), opening});
  }
  if (candidates.empty()) throw std::invalid_argument("calibration: record too short");
  auto more_open = [](double a, double b) { return a > b + 1e-12 * std::abs(b); };
  std::size_t best = 0;
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    if (more_open(candidates[i].opening, candidates[best].opening)) best = i;
  }
  std::size_t first = best, last = best;
  while (first > 0 && !more_open(candidates[best].opening, candidates[first - 1].opening)) --first;
  while (last + 1 < candidates.size() &&
         !more_open(candidates[best].opening, candidates[last + 1].opening)) {
    ++last;
  }
  const std::size_t centre = (first + last + 1) / 2;

  SlicerTiming timing;
  double best_ber = infinity;
  std::size_t best_distance = 0;
  for (std::size_t i = centre >= 2 ? centre - 2 : 0; i <= centre + 2 && i < candidates.size();
       ++i) {
    const PhaseStats& s = candidates[i].stats;
    std::vector<double> thresholds = best_thresholds(s, m);
    const double ber = gaussian_ber(s.clean, s.levels, s.sigma, thresholds, m);
    const std::size_t distance = i > centre ? i - centre : centre - i;
    const double tie = 1e-9 * std::max(ber, best_ber == infinity ? 0.0 : best_ber);
    if (ber < best_ber - tie || (ber <= best_ber + tie && distance < best_distance)) {
      best_ber = ber;
      best_distance = distance;
      timing.offset_samples = candidates[i].offset;
      timing.thresholds = std::move(thresholds);
      timing.level_means = s.means;
    }
  }
  // Amplitude ranges, with a margin: the whole noisy calibration record's (the ISI histogram's
  // base) and the eye's, from symbol 1's UI on (symbol 0's half UI before its instant may still
  // be the start-up: the few samples there that fall outside are counted in the edge bins).
  auto range_of = [](std::span<const double> x, double& low, double& high) {
    const auto [lo_it, hi_it] = std::minmax_element(x.begin(), x.end());
    const double span = *hi_it - *lo_it;
    low = span > 0.0 ? *lo_it - 0.15 * span : *lo_it - 1.0;
    high = span > 0.0 ? *hi_it + 0.15 * span : *hi_it + 1.0;
  };
  range_of(noisy, timing.record_min, timing.record_max);
  const auto eye_first = static_cast<std::size_t>(std::clamp<std::int64_t>(
      timing.offset_samples + sps - sps / 2, 0, static_cast<std::int64_t>(noisy.size()) - 1));
  range_of(noisy.subspan(eye_first), timing.amplitude_min, timing.amplitude_max);
  return timing;
}

SlicerAccumulator::SlicerAccumulator(const SlicerSettings& settings, const SlicerTiming& timing)
    : settings_(settings), timing_(timing), half_(settings.samples_per_symbol / 2) {
  const int sps = settings.samples_per_symbol;
  const int m = settings.levels;
  const auto cells = static_cast<std::size_t>(sps * m);
  min_.assign(cells, infinity);
  max_.assign(cells, -infinity);
  noise_sq_.assign(cells, 0.0);
  count_.assign(cells, 0);
  isi_hist_.assign(static_cast<std::size_t>(m * settings.isi_bins), 0);
  isi_sum_.assign(isi_hist_.size(), 0.0);
  isi_sum_sq_.assign(isi_hist_.size(), 0.0);
  // The ISI histogram spans three times the whole calibration record's range, so rare extreme
  // ISI stays resolved.
  const bool have_record = std::isfinite(timing.record_min) && std::isfinite(timing.record_max);
  const double record_min = have_record ? timing.record_min : timing.amplitude_min;
  const double record_span = (have_record ? timing.record_max : timing.amplitude_max) - record_min;
  isi_min_ = record_min - record_span;
  isi_bin_ = 3.0 * record_span / settings.isi_bins;
  inverse_isi_bin_ = 1.0 / isi_bin_;
  const double span = timing.amplitude_max - timing.amplitude_min;
  columns_ = sps > 1 ? std::max(1, (settings.eye_columns_per_ui + sps - 1) / sps) : 1;
  const int per_ui = sps * columns_;
  eye_.columns_per_sample = columns_;
  eye_.time_bins = 2 * per_ui;
  eye_.amplitude_bins = settings.eye_amplitude_bins;
  eye_bin_ = span / settings.eye_amplitude_bins;
  for (int t = 0; t < eye_.time_bins; ++t)
    eye_.time_ui.push_back(static_cast<double>(t - per_ui) / per_ui);
  for (int a = 0; a < eye_.amplitude_bins; ++a) {
    eye_.amplitude.push_back(timing.amplitude_min + (a + 0.5) * eye_bin_);
  }
  eye_.counts.assign(static_cast<std::size_t>(eye_.time_bins * eye_.amplitude_bins), 0);
  ui_counts_.assign(static_cast<std::size_t>(per_ui * eye_.amplitude_bins), 0);
}

void SlicerAccumulator::decide(double noisy, int level, int symbol) {
  const int m = settings_.levels;
  int decided = 0;
  while (decided < m - 1 && noisy > timing_.thresholds[static_cast<std::size_t>(decided)]) {
    ++decided;
  }
  count_decision(decided, level, symbol);
}

void SlicerAccumulator::add_statistics(double noisy, double noiseless, int level) {
  // As add() at phase 0 with one sample per symbol.
  const auto cell = static_cast<std::size_t>(half_ * settings_.levels + level);
  const double noise = noisy - noiseless;
  min_[cell] = std::min(min_[cell], noiseless);
  max_[cell] = std::max(max_[cell], noiseless);
  noise_sq_[cell] += noise * noise;
  ++count_[cell];
  int a = static_cast<int>((noisy - timing_.amplitude_min) / eye_bin_);
  a = std::clamp(a, 0, eye_.amplitude_bins - 1);
  const int sps = settings_.samples_per_symbol;
  eye_.counts[static_cast<std::size_t>(sps * columns_ * eye_.amplitude_bins + a)]++;
  add_isi(level, noiseless);
}

void SlicerAccumulator::count_decision(int decided, int level, int symbol) {
  const int m = settings_.levels;
  int data = decided;
  int reference = level;
  if (settings_.precoding) {
    data = (decided + previous_decision_) % m;  // 1/(1+D) decoding, IEEE 802.3 cl. 120.5.7.2
    previous_decision_ = decided;
    reference = symbol;
  }
  ++symbols_;
  if (data != reference) {
    ++symbol_errors_;
    bit_errors_ += static_cast<std::uint64_t>(optilane::bit_errors(reference, data, m));
  }
}

SlicerResult SlicerAccumulator::result() const {
  const int sps = settings_.samples_per_symbol;
  const int m = settings_.levels;
  SlicerResult r;
  r.symbols = symbols_;
  r.symbol_errors = symbol_errors_;
  r.bits = symbols_ * static_cast<std::uint64_t>(std::log2(m));
  r.bit_errors = bit_errors_;
  r.ber_monte_carlo = r.bits > 0 ? static_cast<double>(bit_errors_) / r.bits : 0.0;
  r.ser_monte_carlo = symbols_ > 0 ? static_cast<double>(symbol_errors_) / symbols_ : 0.0;
  std::tie(r.ber_ci95_low, r.ber_ci95_high) = clopper_pearson_95(bit_errors_, r.bits);
  r.thresholds = timing_.thresholds;

  auto cell = [&](int p, int l) { return static_cast<std::size_t>((p + half_) * m + l); };
  auto sigma_at = [&](int p, int l) {
    const auto c = cell(p, l);
    return count_[c] > 0 ? std::sqrt(noise_sq_[c] / static_cast<double>(count_[c])) : 0.0;
  };

  // Semi-analytic BER from the ISI histogram at the decision instant.
  std::vector<double> sigma(static_cast<std::size_t>(m));
  for (int l = 0; l < m; ++l) sigma[static_cast<std::size_t>(l)] = sigma_at(0, l);
  // Each ISI bin's samples as one Gaussian atom: their mean x̄ and spread v (exact, not the bin
  // centre), with Φ((t − x̄)/√(σ² + v)) for Σ Φ((t − x_k)/σ) over them (matches the first two
  // moments; v ≤ bin²/4 ≪ σ²). A noiseless level keeps its steps at x̄.
  struct Atom {
    double x, sigma, count;
  };
  std::vector<std::vector<Atom>> atoms(static_cast<std::size_t>(m));
  double bits = 0.0, symbol_errors = 0.0, total = 0.0;
  std::vector<double> sum(static_cast<std::size_t>(m)), n_level(static_cast<std::size_t>(m));
  for (int l = 0; l < m; ++l) {
    const auto li = static_cast<std::size_t>(l);
    for (int b = 0; b < settings_.isi_bins; ++b) {
      const auto index = static_cast<std::size_t>(l * settings_.isi_bins + b);
      const auto count = isi_hist_[index];
      if (count == 0) continue;
      const double n = static_cast<double>(count);
      const double offset = isi_sum_[index] / n;
      const double spread = std::max(0.0, isi_sum_sq_[index] / n - offset * offset);
      const double s = sigma[li];
      const Atom atom{isi_min_ + (b + 0.5) * isi_bin_ + offset,
                      s > 0.0 ? std::sqrt(s * s + spread) : 0.0, n};
      atoms[li].push_back(atom);
      double be = 0.0, se = 0.0;
      sample_error(atom.x, l, atom.sigma, timing_.thresholds, m, be, se);
      bits += be * n;
      symbol_errors += se * n;
      total += n;
      sum[li] += atom.x * n;
      n_level[li] += n;
    }
  }
  const double precoding_factor = settings_.precoding ? 2.0 : 1.0;
  r.ber_semi_analytic = total > 0 ? precoding_factor * bits / (total * std::log2(m)) : 0.0;
  r.ser_semi_analytic = total > 0 ? precoding_factor * symbol_errors / total : 0.0;
  if (!settings_.dfe_feedback.empty() && total > 0) {
    // Behind a DFE: the decision-error chain over the same atoms (dfe_propagation.hpp).
    std::vector<double> probability(static_cast<std::size_t>(m));
    for (int l = 0; l < m; ++l) {
      const auto li = static_cast<std::size_t>(l);
      probability[li] = n_level[li] / total;
    }
    std::vector<double> region(static_cast<std::size_t>(m));
    const DfePropagation chain = dfe_error_propagation(
        settings_.dfe_feedback, probability, m, settings_.precoding,
        [&](double shift, std::span<double> p) {
          // The error-free state (shift 0) by erfc, as the ideal-feedback BER; the burst states
          // (12-tap DFEs visit thousands near the reach) by the tabulated tails: their share of
          // the BER is then within ~1e-6 relative (dfe_propagation.hpp), far inside what any
          // figure built on it resolves, at a fraction of erfc's cost.
          const bool tabulated = shift != 0.0;
          std::fill(p.begin(), p.end(), 0.0);
          for (int l = 0; l < m; ++l) {
            for (const Atom& a : atoms[static_cast<std::size_t>(l)]) {
              gaussian_region_probabilities(a.x + shift, a.sigma, timing_.thresholds, region,
                                            tabulated);
              for (int j = 0; j < m; ++j) {
                p[static_cast<std::size_t>(l * m + j)] += a.count /
                                                          n_level[static_cast<std::size_t>(l)] *
                                                          region[static_cast<std::size_t>(j)];
              }
            }
          }
        });
    r.ber_semi_analytic = chain.ber;
    r.ser_semi_analytic = chain.ser;
  }

  // Levels and SNR at the slicer.
  double mean_of_means = 0.0, noise_var = 0.0;
  for (int l = 0; l < m; ++l) {
    const auto i = static_cast<std::size_t>(l);
    r.level_means.push_back(n_level[i] > 0 ? sum[i] / n_level[i] : 0.0);
    r.noise_rms_per_level.push_back(sigma[i]);
    mean_of_means += r.level_means.back() / m;
    noise_var += sigma[i] * sigma[i] / m;
  }
  double signal_var = 0.0;
  for (double mu : r.level_means) signal_var += (mu - mean_of_means) * (mu - mean_of_means) / m;
  r.snr_db = noise_var > 0 ? 10.0 * std::log10(signal_var / noise_var) : infinity;

  // Eye height and width per eye at the target BER.
  const double q = q_inverse(settings_.target_ber);
  auto height_at = [&](int p, int j) {
    const auto lower = cell(p, j), upper = cell(p, j + 1);
    if (count_[lower] == 0 || count_[upper] == 0) return -infinity;
    return (min_[upper] - q * sigma_at(p, j + 1)) - (max_[lower] + q * sigma_at(p, j));
  };
  for (int j = 0; j + 1 < m; ++j) {
    r.eye_height.push_back(std::max(0.0, height_at(0, j)));
    // Walk left and right from the decision instant while the eye is open.
    double width = 0.0;
    if (height_at(0, j) > 0.0) {
      for (int dir : {-1, 1}) {
        int p = 0;
        double h_prev = height_at(0, j);
        double extent = 0.0;
        while (true) {
          const int next = p + dir;
          if (next < -half_ || next >= sps - half_) {
            extent = std::abs(p) + 0.5;  // open to the edge of the window
            break;
          }
          const double h = height_at(next, j);
          if (h <= 0.0) {
            extent = std::abs(p) + h_prev / (h_prev - h);  // linear interpolation to zero
            break;
          }
          h_prev = h;
          p = next;
        }
        width += extent;
      }
    }
    r.eye_width_ui.push_back(std::min(1.0, width / sps));
  }
  r.eye = eye_;
  // add()'s one-UI histogram into the 2-UI window (−n … n − 1, n columns per UI): column
  // c = (p + sps/2)·columns + j, at time c − n/2 (in columns) from the decision instant, goes to
  // window column c − n/2 + n and to its copy one UI away, at c − n/2 + 2n before the instant
  // and at c − n/2 otherwise.
  const auto bins = static_cast<std::size_t>(eye_.amplitude_bins);
  const int per_ui = settings_.samples_per_symbol * columns_;
  const int half_columns = half_ * columns_;
  for (int c = 0; c < per_ui; ++c) {
    const int from_instant = c - half_columns;
    const std::uint64_t* from = ui_counts_.data() + static_cast<std::size_t>(c) * bins;
    for (const int t :
         {from_instant + per_ui, from_instant < 0 ? from_instant + 2 * per_ui : from_instant}) {
      std::uint64_t* to = r.eye.counts.data() + static_cast<std::size_t>(t) * bins;
      for (std::size_t a = 0; a < bins; ++a) to[a] += from[a];
    }
  }
  return r;
}

}  // namespace optilane

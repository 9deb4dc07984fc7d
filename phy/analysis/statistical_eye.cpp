#include "phy/analysis/statistical_eye.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "phy/analysis/dfe_propagation.hpp"
#include "phy/analysis/gaussian_tail_table.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/pam.hpp"

namespace optilane {
namespace {

/// Beyond ±8.5σ the Gaussian tail (Q(8.5) ≈ 1e−17) is below any BER worth quoting.
constexpr double noise_window_sigmas = 8.5;
/// Fine ISI grid step as a fraction of σ. Splitting a cursor's shift between the two
/// neighbouring bins keeps every atom's mean and adds a zero-mean error of variance
/// f(1−f)·dx² (f the fractional shift); that variance is tracked and taken out of the noise (see
/// IsiDistribution), so the grid step only sets the size of the residual, ~K·dx²/4 for K
/// significant cursors.
constexpr double fine_bins_per_sigma = 32.0;
/// Noise-step grid: each coarse bin keeps the mass, mean position and variance of the fine bins
/// it holds, so rebinning changes no atom's first two moments.
constexpr double coarse_bins_per_sigma = 8.0;
/// The split-variance correction is limited to half the noise variance: it is a second-order
/// (moment-matching) correction, exact only while small. It only comes near the limit when the
/// fine grid is capped by max_isi_bins (ISI reach beyond ~250σ).
constexpr double max_split_correction = 0.5;

/// The contour map's evaluation within a stated relative bound of the full one
/// (StatisticalEyeSettings::contour_tolerance, ε). A map point is ½(A + B), A and B the two
/// tails P(x + n > v | j) and P(x + n < v | j+1), each a sum of non-negative terms, each
/// trimmed with h = ε/4 (IsiDistribution::upper_trimmed). The tail whose level lies nearer v
/// (A, usually the larger) is summed first, with no floor: its terms counted as their mass are
/// over by at most h·A, its left-out bins under by at most h·(1 + h)·A (the sum so far is at most
/// (1 + h)·A), in opposite directions, so |A' − A| ≤ h·(1 + h)·A and A ≥ A'/(1 + h) ≥
/// (1 − ε/2)·A' =: F. The other (B) is summed with F as its floor: over by at most h·B, under by
/// at most h·((1 + h)·B + A). So
///   |A' + B' − (A + B)| ≤ h·(1 + h)·A + h·A + h·(1 + h)·B ≤ ε·(A + B)   (ε ≤ 4):
/// within ε of the point, while B, where it is negligible beside A (a point in a level's band),
/// stops within a few bins instead of crossing its whole noise window.
struct ContourTrim {
  explicit ContourTrim(double relative)
      : half(0.25 * relative),
        // Q(k)/(1 − Q(k)) ≤ ε/4: Q(k) = h/(1 + h); q_inverse's result nudged up by 1e-9 (its
        // own accuracy is far finer), so the bound holds with the nudge.
        k_one(relative > 0.0 ? q_inverse(half / (1.0 + half)) + 1e-9 : 0.0),
        floor_scale(1.0 - 0.5 * relative) {}
  /// ½ of each tail's own relative bound ε/2: the share of its terms counted as their mass, and
  /// the share of the sum its left-out bins may take.
  double half;
  double k_one;
  /// F = floor_scale·A': a lower bound on the first tail A from its trimmed sum A'.
  double floor_scale;
  /// The tabulated Q used in the bound check against the true Q: (1 + ε)/(1 − ε) with the
  /// table's ε ≈ 3.5e-7, rounded up.
  double margin = 1.0 + 1e-6;
};

/// llround(y) for 0 ≤ y < 2^52 without the library call (one per fine ISI bin): y minus its
/// integer part is exact there, and a fraction of at least ½ rounds away from zero, as llround's
/// halfway cases do.
inline std::size_t nearest_index(double y) {
  const auto whole = static_cast<std::size_t>(y);
  return y - static_cast<double>(whole) >= 0.5 ? whole + 1 : whole;
}

/// Bins evaluated between two checks of the trimmed sums' remainder bound.
constexpr std::int64_t trim_block = 8;

/// The pulse fit's residual, less its per-level means, as a discrete distribution: its samples
/// gathered into at most `max_residual_atoms` atoms of width at least σ/4 at τ = 0 and σ
/// elsewhere (statistical_eye.hpp), each keeping the mass, mean and variance of the samples it
/// holds, as the ISI's noise-step bins do.
struct ResidualKernel {
  std::vector<double> position;  ///< the atom's mean, signal units
  std::vector<double> weight;    ///< sums to 1
  std::vector<double> variance;  ///< of the samples in the atom, signal units²
  double reach = 0.0;            ///< max |sample|
};

constexpr int max_residual_atoms = 257;
/// Residual atoms per σ at τ = 0 (the BER, the vertical bathtub, the eye heights).
constexpr double residual_atoms_per_sigma = 4.0;
/// The same at τ ≠ 0 (the horizontal bathtub, the eye width, the contour picture).
constexpr double residual_atoms_per_sigma_off = 1.0;
/// ISI bins of less mass than this at the ends of the distribution are not convolved with the
/// residual (IsiDistribution::convolve_residual).
constexpr double negligible_mass = 1e-30;
/// Samples per level below which the residual's distribution is pooled over the levels.
constexpr std::size_t min_level_samples = 64;

/// Distribution of the ISI term Σ_{i≠0} h_i·s_i, with the Gaussian noise added analytically.
///
/// Fine grid: each cursor's shift h_i·s_l is split between the bins ⌊·⌋ and ⌊·⌋+1 with weights
/// 1−f and f. Every atom of the exact distribution (one per symbol sequence) then lands on the
/// grid smeared by a sum of independent zero-mean two-point errors, of variance
///   v = Σ_i f_{i,l_i}(1 − f_{i,l_i})·dx²,
/// whose average over the sequences, v̄ = Σ_i (1/M)Σ_l f_{i,l}(1 − f_{i,l})·dx², is subtracted from
/// the noise variance (without it the smear acts as extra noise: +5 % in BER at 1e-4 on a
/// first-order pole channel with the σ/8 grid). Coarse grid: bin b carries its mass p_b, mean
/// position m_b and variance v_b, and
///   P(X + n > u) = Σ_b p_b·Q((u − m_b)/s_b),   s_b² = σ² − v̄ + v_b,
/// which matches every bin's first two moments (rounding each fine bin to the coarse centre did
/// not: it moved the atoms of a nearly discrete ISI by up to σ/16, +5 % in BER).
/// The cursors' distribution on the fine grid (IsiDistribution's first step), sized for a
/// residual term of reach `residual_reach` still to come.
struct FineIsi {
  std::unique_ptr<double[]> pdf;  ///< n bins, meaningful in [lo, hi] only
  std::int64_t n = 1, half = 0, lo = 0, hi = 0;
  double dx = 1.0;
  double split_variance = 0.0;  ///< v̄ of the cursors' splits, bins²
  bool trivial = true;          ///< no ISI and no residual: one atom at 0

  FineIsi(const PulseResponse& h, int m, double sigma_min, int max_bins, double residual_reach) {
    double reach = 0.0;
    for (std::size_t i = 0; i < h.cursors.size(); ++i) {
      if (static_cast<int>(i) != h.main) reach += std::abs(h.cursors[i]);
    }
    reach += residual_reach;
    if (!(reach > 0.0)) return;
    trivial = false;
    // Fine grid, odd size, 0 at the centre bin. Each split can carry mass one bin beyond the exact
    // position, so the grid reaches `pad` bins past ±reach: clamping that mass to the edge moved
    // the worst sequences inward by up to K bins (−5 % in BER at 1e-14 with two cursors, σ/32).
    std::int64_t pad = 1;
    for (std::size_t i = 0; i < h.cursors.size(); ++i) {
      if (static_cast<int>(i) != h.main && h.cursors[i] != 0.0) ++pad;
    }
    const std::int64_t half_max = std::max<std::int64_t>((max_bins - 1) / 2, pad + 1);
    half = half_max;
    dx = reach / static_cast<double>(half_max - pad);
    if (sigma_min > 0.0) {
      const double wanted = sigma_min / fine_bins_per_sigma;
      const auto needed = static_cast<std::int64_t>(std::ceil(reach / wanted)) + pad;
      if (needed <= half_max) {
        half = needed;
        dx = wanted;
      }
    }
    n = 2 * half + 1;
    const auto size = static_cast<std::size_t>(n);
    // Two buffers in turn (the step's input and output) and the weighted masses, none of them
    // cleared: every bin a step reads lies in the range [lo, hi] the step before wrote in full.
    pdf.reset(new double[size]);
    std::unique_ptr<double[]> next(new double[size]), scaled(new double[size]);
    const std::int64_t centre = (n - 1) / 2;
    pdf[static_cast<std::size_t>(centre)] = 1.0;
    lo = centre;
    hi = centre;
    const double weight = 1.0 / m;
    // Cursors smallest first: each convolution step costs the occupied range so far, which then
    // grows slowly through the many small late cursors of an equalised response and reaches its
    // full width only with the few large ones. The distribution is the same convolution in any
    // order (each cursor's split is fixed by its own shift); only the round-off differs.
    std::vector<std::size_t> order;
    order.reserve(h.cursors.size());
    for (std::size_t i = 0; i < h.cursors.size(); ++i) {
      if (static_cast<int>(i) != h.main && h.cursors[i] != 0.0) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::abs(h.cursors[a]) < std::abs(h.cursors[b]);
    });
    std::vector<std::int64_t> whole(static_cast<std::size_t>(m));
    std::vector<double> frac(static_cast<std::size_t>(m));
    for (const std::size_t i : order) {
      std::int64_t new_lo = n - 1, new_hi = 0;
      bool inside = true;  // every level's shifted range on the grid (always, see below)
      for (int l = 0; l < m; ++l) {
        const auto li = static_cast<std::size_t>(l);
        const double shift = h.cursors[i] * symbol_level(l, m) / dx;
        whole[li] = static_cast<std::int64_t>(std::floor(shift));
        frac[li] = shift - static_cast<double>(whole[li]);
        new_lo = std::min(new_lo, std::clamp<std::int64_t>(lo + whole[li], 0, n - 1));
        new_hi = std::max(new_hi, std::clamp<std::int64_t>(hi + whole[li] + 1, 0, n - 1));
        inside = inside && lo + whole[li] >= 0 && hi + whole[li] + 1 <= n - 1;
      }
      // The weighted masses w_b = p_b/M, the same for every level.
      for (std::int64_t b = lo; b <= hi; ++b) {
        scaled[static_cast<std::size_t>(b)] = pdf[static_cast<std::size_t>(b)] * weight;
      }
      const double* w = scaled.get();
      const std::int64_t count = hi - lo;
      if (inside) {
        // Level 0's range [lo + whole_0, hi + whole_0 + 1] is written (its terms added to a
        // zero: 0 + x = x, the masses being ≥ +0), the rest of the new range cleared, then the
        // other levels add theirs: the same sums, in the same order, as adding every level into
        // a cleared range.
        const std::int64_t first = lo + whole[0], last = hi + whole[0] + 1;
        std::fill(next.get() + new_lo, next.get() + first, 0.0);
        std::fill(next.get() + last + 1, next.get() + new_hi + 1, 0.0);
        const double f = frac[0], g = 1.0 - f;
        double* out = next.get() + first;  // out[k] is bin lo + whole_0 + k
        out[0] = g * w[lo];
        for (std::int64_t k = 1; k <= count; ++k) out[k] = f * w[lo + k - 1] + g * w[lo + k];
        out[count + 1] = f * w[hi];
      } else {
        std::fill(next.get() + new_lo, next.get() + new_hi + 1, 0.0);
      }
      for (int l = 0; l < m; ++l) {
        const auto li = static_cast<std::size_t>(l);
        const double f = frac[li];
        split_variance += weight * f * (1.0 - f);
        if (inside && l == 0) continue;  // written above
        if (!inside) {
          // Never reached (the grid reaches `pad` bins past the whole ISI), kept for safety:
          // mass past the grid's edge is clamped to it.
          for (std::int64_t b = lo; b <= hi; ++b) {
            const double wb = w[b];
            if (wb == 0.0) continue;
            const std::int64_t target = std::clamp<std::int64_t>(b + whole[li], 0, n - 1);
            const std::int64_t target2 = std::clamp<std::int64_t>(b + whole[li] + 1, 0, n - 1);
            next[static_cast<std::size_t>(target)] += (1.0 - f) * wb;
            next[static_cast<std::size_t>(target2)] += f * wb;
          }
          continue;
        }
        // Bin x receives frac·w_{x−whole−1} and then (1 − frac)·w_{x−whole}: the two adds of the
        // scatter over b (b = x − whole − 1 as the upper neighbour, then b = x − whole), in the
        // same order, as a gather over x that vectorises (no clamps, no branch; a zero mass adds
        // +0, which changes no sum of non-negative terms). Bit for bit the scatter's result.
        const double g = 1.0 - f;
        double* out = next.get() + (lo + whole[li]);  // out[k] is bin lo + whole + k
        out[0] += g * w[lo];
        for (std::int64_t k = 1; k <= count; ++k) {
          out[k] = (out[k] + f * w[lo + k - 1]) + g * w[lo + k];
        }
        out[count + 1] += f * w[hi];
      }
      std::swap(pdf, next);
      lo = new_lo;
      hi = new_hi;
    }
  }
};

class IsiDistribution {
 public:
  /// The cursors' distribution `fine` gathered onto the noise-step grid.
  IsiDistribution(const FineIsi& fine, double sigma_min) {
    if (fine.trivial) {
      p_ = {1.0};
      mean_ = {0.0};
      var_ = {0.0};
      finish();
      return;
    }
    const std::int64_t n = fine.n, half = fine.half;
    const double dx = fine.dx;
    const auto size = static_cast<std::size_t>(n);
    const std::int64_t lo = fine.lo, hi = fine.hi;
    const double split_variance = fine.split_variance;
    const double* pdf = fine.pdf.get();
    split_variance_ = split_variance * dx * dx;
    // Coarse grid for the noise step: mass, mean and variance of the fine bins in each.
    const double extent = static_cast<double>(half) * dx;
    x0_ = -extent;
    std::size_t nc = size;
    double coarse = dx;
    if (sigma_min > 0.0 && dx < sigma_min / coarse_bins_per_sigma) {
      // At least three bins (−extent, 0, extent): a negligible ISI still has a well-defined grid.
      nc = std::max<std::size_t>(
          3,
          static_cast<std::size_t>(std::llround(2.0 * extent * coarse_bins_per_sigma / sigma_min)) +
              1);
      coarse = 2.0 * extent / static_cast<double>(nc - 1);
    }
    p_.assign(nc, 0.0);
    mean_.assign(nc, 0.0);
    var_.assign(nc, 0.0);
    for (std::int64_t b = lo; b <= hi; ++b) {
      const double p = pdf[static_cast<std::size_t>(b)];
      if (p == 0.0) continue;
      const double x = static_cast<double>(b) * dx;  // from x0
      const auto c = std::min<std::size_t>(nc - 1, nearest_index(x / coarse));
      const double offset = x - static_cast<double>(c) * coarse;  // from the coarse centre
      p_[c] += p;
      mean_[c] += p * offset;
      var_[c] += p * offset * offset;
    }
    for (std::size_t c = 0; c < nc; ++c) {
      double offset = 0.0;
      if (p_[c] > 0.0) {
        offset = mean_[c] / p_[c];
        var_[c] = std::max(0.0, var_[c] / p_[c] - offset * offset);
      }
      mean_[c] = x0_ + static_cast<double>(c) * coarse + offset;
    }
    dx_ = coarse;
    finish();
  }

  /// A copy with the residual term `residual` convolved in (its reach within the one the
  /// FineIsi was sized for).
  [[nodiscard]] IsiDistribution with_residual(const ResidualKernel& residual) const {
    IsiDistribution out = *this;
    out.convolve_residual(residual);
    out.finish();
    return out;
  }

  /// The residual's atoms convolved into the noise-step bins: every (bin, atom) pair is an atom
  /// of mass p_b·w_a at m_b + r_a with variance v_b + v_a, gathered into the bin nearest its
  /// mean with its mass, mean and variance kept (the grid reaches past ±(Σ|h_i| + max|r|)).
  ///
  /// With bin b's mean at its centre plus o_b·Δ (|o_b| ≤ ½) and r_a/Δ = k_a + f_a (0 ≤ f_a < 1),
  /// the pair's nearest bin is b + k_a + s, s = [o_b + f_a ≥ ½] ∈ {0, 1}, at offset
  /// (o_b + f_a − s)·Δ from its centre: per atom one branch-free pass over b, the moved pairs
  /// carried to the next bin.
  ///
  /// Bins of mass below `negligible_mass` at either end stay where they are, unconvolved: every
  /// figure moves by less than their mass, far below the noise window's own floor (terms beyond
  /// 8.5σ are taken as 0 or 1, ~1e−17 of a bin's mass).
  void convolve_residual(const ResidualKernel& residual) {
    const auto nc = static_cast<std::int64_t>(p_.size());
    std::int64_t lo = 0, hi = nc - 1;
    while (lo < nc && p_[static_cast<std::size_t>(lo)] < negligible_mass) ++lo;
    while (hi >= lo && p_[static_cast<std::size_t>(hi)] < negligible_mass) --hi;
    if (lo > hi) return;
    const auto count = static_cast<std::size_t>(hi - lo + 1);
    // Per bin b = lo … hi: its mass, its mean's offset from its centre in bins (o_b), its
    // variance.
    std::vector<double> work(3 * count);
    double* in_mass = work.data();
    double* in_offset = in_mass + count;
    double* in_variance = in_offset + count;
    for (std::size_t i = 0; i < count; ++i) {
      const auto b = static_cast<std::size_t>(lo) + i;
      in_mass[i] = p_[b];
      in_offset[i] = (mean_[b] - (x0_ + static_cast<double>(b) * dx_)) / dx_;
      in_variance[i] = var_[b];
    }
    std::vector<double> mass(p_.size(), 0.0), first(p_.size(), 0.0), second(p_.size(), 0.0);
    for (std::int64_t b = 0; b < nc; ++b) {
      if (b >= lo && b <= hi) continue;  // the negligible ends, kept as they are
      const auto i = static_cast<std::size_t>(b);
      const double off = mean_[i] - (x0_ + static_cast<double>(b) * dx_);
      mass[i] = p_[i];
      first[i] = p_[i] * off;
      second[i] = p_[i] * (var_[i] + off * off);
    }
    for (std::size_t a = 0; a < residual.position.size(); ++a) {
      const double shift = residual.position[a] / dx_;
      const double whole = std::floor(shift);
      const double frac = shift - whole;
      const auto k = static_cast<std::int64_t>(whole);
      const double w = residual.weight[a];
      const double va = residual.variance[a];
      const std::int64_t first_bin = lo + k;  // where b = lo lands without a move
      if (first_bin < 0 || first_bin + static_cast<std::int64_t>(count) >= nc) {
        // Never reached (the grid reaches past the ISI and the residual), kept for safety.
        for (std::size_t i = 0; i < count; ++i) {
          const double u = in_offset[i] + frac;
          const int move = u >= 0.5 ? 1 : 0;
          const double off = (u - move) * dx_;
          const double pm = in_mass[i] * w;
          const auto c = static_cast<std::size_t>(
              std::clamp<std::int64_t>(first_bin + static_cast<std::int64_t>(i) + move, 0, nc - 1));
          mass[c] += pm;
          first[c] += pm * off;
          second[c] += pm * (in_variance[i] + va + off * off);
        }
        continue;
      }
      // Bin first_bin + i receives the pairs of b = lo + i that stay and those of b = lo + i − 1
      // that move (carried), one pass.
      double* out_m = mass.data() + first_bin;
      double* out_f = first.data() + first_bin;
      double* out_s = second.data() + first_bin;
      double carry_m = 0.0, carry_f = 0.0, carry_s = 0.0;
      for (std::size_t i = 0; i < count; ++i) {
        const double u = in_offset[i] + frac;
        const double move = u >= 0.5 ? 1.0 : 0.0;
        const double off = (u - move) * dx_;
        const double pm = in_mass[i] * w;
        const double pf = pm * off;
        const double ps = pm * (in_variance[i] + va + off * off);
        const double mm = move * pm, mf = move * pf, ms = move * ps;
        out_m[i] += (pm - mm) + carry_m;
        out_f[i] += (pf - mf) + carry_f;
        out_s[i] += (ps - ms) + carry_s;
        carry_m = mm;
        carry_f = mf;
        carry_s = ms;
      }
      out_m[count] += carry_m;
      out_f[count] += carry_f;
      out_s[count] += carry_s;
    }
    for (std::size_t c = 0; c < p_.size(); ++c) {
      double off = 0.0, var = 0.0;
      if (mass[c] > 0.0) {
        off = first[c] / mass[c];
        var = std::max(0.0, second[c] / mass[c] - off * off);
      }
      p_[c] = mass[c];
      mean_[c] = x0_ + static_cast<double>(c) * dx_ + off;
      var_[c] = var;
    }
  }

  /// 1/s_b for noise σ, per bin (0 where σ = 0: the bins are then steps at their means).
  [[nodiscard]] std::vector<double> inverse_spreads(double sigma) const {
    std::vector<double> inv(p_.size(), 0.0);
    for (std::size_t b = 0; b < p_.size(); ++b) {
      const double s = spread(b, sigma);
      inv[b] = s > 0.0 ? 1.0 / s : 0.0;
    }
    return inv;
  }

  /// P(X + n > u), n ~ N(0, σ²), with `inv` = inverse_spreads(σ); Q from `table` (null: erfc).
  [[nodiscard]] double upper(double u, double sigma, std::span<const double> inv,
                             const GaussianTailTable* table) const {
    const auto [lo, hi] = window(u, sigma);
    double sum = hi + 1 < size() ? suffix_[static_cast<std::size_t>(hi + 1)] : 0.0;
    if (!(sigma > 0.0)) {
      for (std::int64_t b = lo; b <= hi; ++b) {
        const auto i = static_cast<std::size_t>(b);
        sum += mean_[i] > u ? p_[i] : 0.0;
      }
      return sum;
    }
    // An empty bin adds p·Q = +0, which leaves the (non-negative) sum as it is: no test for it,
    // whose branch mispredicts on the sparse distributions of a few large cursors.
    const double* p = p_.data();
    const double* mean = mean_.data();
    const double* in = inv.data();
    if (table != nullptr) {
      // Q in blocks (GaussianTailTable::many, each Q bit for bit the scalar one's), the products
      // added in bin order.
      double z[trim_block], q[trim_block];
      for (std::int64_t b = lo; b <= hi; b += trim_block) {
        const auto count = static_cast<std::size_t>(std::min(trim_block, hi - b + 1));
        for (std::size_t i = 0; i < count; ++i) z[i] = (u - mean[b + i]) * in[b + i];
        table->many(z, q, count);
        for (std::size_t i = 0; i < count; ++i) sum += p[b + i] * q[i];
      }
    } else {
      for (std::int64_t b = lo; b <= hi; ++b) sum += p[b] * q_function((u - mean[b]) * in[b]);
    }
    return sum;
  }

  /// P(X + n < u).
  [[nodiscard]] double lower(double u, double sigma, std::span<const double> inv,
                             const GaussianTailTable* table) const {
    const auto [lo, hi] = window(u, sigma);
    double sum = prefix_[static_cast<std::size_t>(lo)];
    if (!(sigma > 0.0)) {
      for (std::int64_t b = lo; b <= hi; ++b) {
        const auto i = static_cast<std::size_t>(b);
        sum += mean_[i] < u ? p_[i] : 0.0;
      }
      return sum;
    }
    const double* p = p_.data();
    const double* mean = mean_.data();
    const double* in = inv.data();
    if (table != nullptr) {
      double z[trim_block], q[trim_block];
      for (std::int64_t b = lo; b <= hi; b += trim_block) {
        const auto count = static_cast<std::size_t>(std::min(trim_block, hi - b + 1));
        for (std::size_t i = 0; i < count; ++i) z[i] = (mean[b + i] - u) * in[b + i];
        table->many(z, q, count);
        for (std::size_t i = 0; i < count; ++i) sum += p[b + i] * q[i];
      }
    } else {
      for (std::int64_t b = lo; b <= hi; ++b) sum += p[b] * q_function((mean[b] - u) * in[b]);
    }
    return sum;
  }

  /// upper() over fewer bins, for the contour map (a picture; ContourTrim gives the bound on
  /// the map's point): the same terms p_b·Q(z_b), z_b = (u − m_b)/s_b. Every bin's mean lies
  /// within half a bin of its centre, and s_b ≤ s_max (`max_spread`), so
  ///  - a bin whose every point lies at least k·s_max above u has z_b ≤ −k, so
  ///    Q(z_b) ∈ [1 − Q(k), 1]: counting it as its mass p_b (as the suffix sum beyond the window
  ///    does) overestimates that term by at most Q(k)/(1 − Q(k)) ≤ h of it (k = `trim.k_one`,
  ///    h = `trim.half`);
  ///  - the bins below u are evaluated from the top down, and once those left (means at most
  ///    g below u, g > 0, mass at most the prefix sum P) can add at most P·Q(g/s_max) ≤
  ///    h·(the sum so far + `floor`) they are left out (checked before each block of bins).
  /// The first change overestimates the sum by at most h of it, the second underestimates it by
  /// at most h·(sum so far + floor) ≤ h·((1 + h)·upper + floor): with floor 0, |trimmed − upper|
  /// ≤ h·(1 + h)·upper (ContourTrim bounds the map's point; the table's own error is common to
  /// the trimmed and full sums, its monotonicity in the bound check within (1 + 2ε)/(1 − ε) of
  /// Q's, covered by `trim.margin`).
  [[nodiscard]] double upper_trimmed(double u, double sigma, std::span<const double> inv,
                                     const GaussianTailTable& table, double s_max,
                                     const ContourTrim& trim, double floor) const {
    const auto [lo, hi] = window(u, sigma);
    if (!(sigma > 0.0) || !(s_max > 0.0) || lo > hi) return upper(u, sigma, inv, &table);
    // First bin whose lower edge (centre − ½ bin) lies k·s_max or more above u.
    const double first_one = std::ceil((u + trim.k_one * s_max - x0_) / dx_ + 0.5);
    std::int64_t top = hi;
    if (first_one <= static_cast<double>(hi)) {
      top = std::max(lo - 1, static_cast<std::int64_t>(first_one) - 1);
    }
    double sum = suffix_[static_cast<std::size_t>(top + 1)];
    const double* p = p_.data();
    const double* mean = mean_.data();
    const double* in = inv.data();
    std::int64_t b = top;
    while (b >= lo) {
      // Bins lo … b are left: their means lie at most (centre_b + ½ bin) from x0.
      const double gap = u - (x0_ + (static_cast<double>(b) + 0.5) * dx_);
      if (gap > 0.0 &&
          prefix_[static_cast<std::size_t>(b + 1)] * table(gap / s_max) * trim.margin <=
              trim.half * (sum + floor)) {
        break;
      }
      const std::int64_t end = std::max(lo, b - (trim_block - 1));
      // The block's Q at once (GaussianTailTable::many, each Q bit for bit the scalar one's), the
      // products added from the top bin down.
      const auto count = static_cast<std::size_t>(b - end + 1);
      double z[trim_block], q[trim_block];
      for (std::size_t i = 0; i < count; ++i) {
        const std::int64_t c = b - static_cast<std::int64_t>(i);
        z[i] = (u - mean[c]) * in[c];
      }
      table.many(z, q, count);
      for (std::size_t i = 0; i < count; ++i) sum += p[b - static_cast<std::int64_t>(i)] * q[i];
      b = end - 1;
    }
    return sum;
  }

  /// lower() over fewer bins: upper_trimmed() mirrored.
  [[nodiscard]] double lower_trimmed(double u, double sigma, std::span<const double> inv,
                                     const GaussianTailTable& table, double s_max,
                                     const ContourTrim& trim, double floor) const {
    const auto [lo, hi] = window(u, sigma);
    if (!(sigma > 0.0) || !(s_max > 0.0) || lo > hi) return lower(u, sigma, inv, &table);
    // Last bin whose upper edge (centre + ½ bin) lies k·s_max or more below u.
    const double last_one = std::floor((u - trim.k_one * s_max - x0_) / dx_ - 0.5);
    std::int64_t bottom = lo;
    if (last_one >= static_cast<double>(lo)) {
      bottom = std::min(hi + 1, static_cast<std::int64_t>(last_one) + 1);
    }
    double sum = prefix_[static_cast<std::size_t>(bottom)];
    const double* p = p_.data();
    const double* mean = mean_.data();
    const double* in = inv.data();
    std::int64_t b = bottom;
    while (b <= hi) {
      // Bins b … hi are left: their means lie at least (centre_b − ½ bin) from x0.
      const double gap = (x0_ + (static_cast<double>(b) - 0.5) * dx_) - u;
      if (gap > 0.0 && suffix_[static_cast<std::size_t>(b)] * table(gap / s_max) * trim.margin <=
                           trim.half * (sum + floor)) {
        break;
      }
      const std::int64_t end = std::min(hi, b + (trim_block - 1));
      const auto count = static_cast<std::size_t>(end - b + 1);
      double z[trim_block], q[trim_block];
      for (std::size_t i = 0; i < count; ++i) z[i] = (mean[b + i] - u) * in[b + i];
      table.many(z, q, count);
      for (std::size_t i = 0; i < count; ++i) sum += p[b + i] * q[i];
      b = end + 1;
    }
    return sum;
  }

  /// v̄: the variance the fine grid's splitting adds to each atom, on average (signal units²).
  [[nodiscard]] double split_variance() const { return split_variance_; }

 private:
  void finish() {
    prefix_.assign(p_.size() + 1, 0.0);
    suffix_.assign(p_.size() + 1, 0.0);
    for (std::size_t b = 0; b < p_.size(); ++b) prefix_[b + 1] = prefix_[b] + p_[b];
    for (std::size_t b = p_.size(); b-- > 0;) suffix_[b] = suffix_[b + 1] + p_[b];
  }
  /// s_b for noise σ: √(σ² − v̄ + v_b), the correction capped (see max_split_correction); 0 for a
  /// noiseless level (the bins are then steps at their means).
  [[nodiscard]] double spread(std::size_t b, double sigma) const {
    if (!(sigma > 0.0)) return 0.0;
    const double s2 = sigma * sigma;
    return std::sqrt(s2 - std::min(split_variance_, max_split_correction * s2) + var_[b]);
  }
  /// Bins whose terms are evaluated for a threshold at u: those whose centre lies within the
  /// noise window (plus one bin, as a bin's mean may sit up to half a bin from its centre);
  /// beyond it the terms are 0 or 1 to below 1e−17. Returns [lo, hi], possibly empty (lo > hi).
  [[nodiscard]] std::pair<std::int64_t, std::int64_t> window(double u, double sigma) const {
    const double w = (sigma > 0.0 ? noise_window_sigmas * sigma * 1.01 : 0.0) + dx_;
    const double a = std::ceil((u - w - x0_) / dx_);
    const double b = std::floor((u + w - x0_) / dx_);
    const auto n = static_cast<double>(size());
    const auto lo = static_cast<std::int64_t>(std::clamp(a, 0.0, n));
    const auto hi = static_cast<std::int64_t>(std::clamp(b, -1.0, n - 1.0));
    return {lo, std::max(hi, lo - 1)};
  }
  [[nodiscard]] std::int64_t size() const { return static_cast<std::int64_t>(p_.size()); }

  std::vector<double> p_, mean_, var_, prefix_, suffix_;
  double x0_ = 0.0, dx_ = 1.0;
  double split_variance_ = 0.0;
};

/// One phase's eye: the ISI distribution and the level means.
struct PhaseEye {
  /// `level_offset`: e_l, added to the level means (empty: none); `residual`: the residual's
  /// distributions less e_l, one per group of levels (empty: none); `level_group`: each level's
  /// group.
  PhaseEye(const PulseResponse& h, std::span<const double> sigma, int m, int max_bins,
           const GaussianTailTable* table, std::span<const double> level_offset,
           std::span<const ResidualKernel> residual, std::span<const int> level_group)
      : sigma(sigma), m(m), table(table), group(level_group.begin(), level_group.end()) {
    double residual_reach = 0.0;
    for (const ResidualKernel& k : residual) residual_reach = std::max(residual_reach, k.reach);
    const double sigma_min = positive_min(sigma);
    const FineIsi fine(h, m, sigma_min, max_bins, residual_reach);
    // The cursors' noise-step bins once, then each group's residual into a copy of them.
    IsiDistribution cursors(fine, sigma_min);
    if (residual.empty()) {
      isi.push_back(std::move(cursors));
    } else {
      for (const ResidualKernel& k : residual) isi.push_back(cursors.with_residual(k));
    }
    const double h0 = h.cursors.at(static_cast<std::size_t>(h.main));
    for (int l = 0; l < m; ++l) {
      const double e = level_offset.empty() ? 0.0 : level_offset[static_cast<std::size_t>(l)];
      means.push_back(h.dc + h0 * symbol_level(l, m) + e);
    }
    reach = residual_reach;
    for (std::size_t i = 0; i < h.cursors.size(); ++i) {
      if (static_cast<int>(i) != h.main) reach += std::abs(h.cursors[i]);
    }
    // 1/s_b per level, once per phase (levels of equal σ share theirs; reserved, as push_back
    // copies an element of the vector itself).
    inverse_spread.reserve(static_cast<std::size_t>(m));
    for (int l = 0; l < m; ++l) {
      int same = -1;
      for (int k = 0; k < l && same < 0; ++k) {
        if (sigma_of(k) == sigma_of(l) && &isi_of(k) == &isi_of(l)) same = k;
      }
      inverse_spread.push_back(same >= 0 ? inverse_spread[static_cast<std::size_t>(same)]
                                         : isi_of(l).inverse_spreads(sigma_of(l)));
      // s_max = 1/min_b(1/s_b), raised by 1e-12 for the reciprocal's rounding; 0 when a bin has
      // no spread (σ = 0: the trimmed evaluation is then the full one).
      double smallest = std::numeric_limits<double>::infinity();
      for (double inv : inverse_spread.back()) smallest = std::min(smallest, inv);
      max_spread.push_back(smallest > 0.0 && std::isfinite(smallest) ? (1.0 + 1e-12) / smallest
                                                                     : 0.0);
    }
  }
  static double positive_min(std::span<const double> s) {
    double v = std::numeric_limits<double>::infinity();
    for (double x : s) {
      if (x > 0.0) v = std::min(v, x);
    }
    return std::isfinite(v) ? v : 0.0;
  }
  [[nodiscard]] double sigma_of(int l) const { return sigma[static_cast<std::size_t>(l)]; }
  /// Level l's ISI distribution (its group's).
  [[nodiscard]] const IsiDistribution& isi_of(int l) const {
    return isi.size() == 1 ? isi.front()
                           : isi[static_cast<std::size_t>(group[static_cast<std::size_t>(l)])];
  }
  /// P(received > v | level l) and P(received < v | level l); `exact`: erfc, not the table.
  [[nodiscard]] double above(int l, double v, bool exact = false) const {
    const auto i = static_cast<std::size_t>(l);
    return isi_of(l).upper(v - means[i], sigma_of(l), inverse_spread[i], exact ? nullptr : table);
  }
  [[nodiscard]] double below(int l, double v, bool exact = false) const {
    const auto i = static_cast<std::size_t>(l);
    return isi_of(l).lower(v - means[i], sigma_of(l), inverse_spread[i], exact ? nullptr : table);
  }
  /// B_j(v): the eye-j error probability with its threshold at v.
  [[nodiscard]] double eye_ber(int j, double v) const {
    return 0.5 * (above(j, v) + below(j + 1, v));
  }
  /// B_j(v) within relative ε of eye_ber(j, v) by the table (the contour map's evaluation):
  /// the tail of the level nearer v first, the other with its floor (ContourTrim).
  [[nodiscard]] double eye_ber_trimmed(int j, double v, const ContourTrim& trim) const {
    if (table == nullptr) return eye_ber(j, v);
    const auto a = static_cast<std::size_t>(j), b = static_cast<std::size_t>(j + 1);
    auto upper = [&](double floor) {
      return isi_of(j).upper_trimmed(v - means[a], sigma_of(j), inverse_spread[a], *table,
                                     max_spread[a], trim, floor);
    };
    auto lower = [&](double floor) {
      return isi_of(j + 1).lower_trimmed(v - means[b], sigma_of(j + 1), inverse_spread[b], *table,
                                         max_spread[b], trim, floor);
    };
    if (std::abs(v - means[a]) <= std::abs(v - means[b])) {
      const double near = upper(0.0);
      return 0.5 * (near + lower(trim.floor_scale * near));
    }
    const double near = lower(0.0);
    return 0.5 * (upper(trim.floor_scale * near) + near);
  }

  std::vector<IsiDistribution> isi;  ///< one per group of levels
  std::span<const double> sigma;
  int m;
  const GaussianTailTable* table;  ///< null: every Q by erfc
  std::vector<int> group;          ///< each level's
  std::vector<double> means;
  std::vector<std::vector<double>> inverse_spread;  ///< [level][bin]
  std::vector<double> max_spread;                   ///< [level]: max_b s_b (0: σ = 0)
  double reach = 0.0;
};

/// e_l: the residual's mean over the samples sent at level l (0 for a level never sent).
std::vector<double> residual_level_means(const UnmodelledIsi& isi, int m) {
  if (isi.levels.size() != isi.residual.size()) {
    throw std::invalid_argument("statistical eye: one level per residual sample");
  }
  std::vector<double> sum(static_cast<std::size_t>(m), 0.0), count(sum.size(), 0.0);
  for (std::size_t k = 0; k < isi.residual.size(); ++k) {
    const int l = isi.levels[k];
    if (l < 0 || l >= m)
      throw std::invalid_argument("statistical eye: residual level out of range");
    sum[static_cast<std::size_t>(l)] += isi.residual[k];
    count[static_cast<std::size_t>(l)] += 1.0;
  }
  for (std::size_t l = 0; l < sum.size(); ++l) sum[l] = count[l] > 0.0 ? sum[l] / count[l] : 0.0;
  return sum;
}

/// Which residual distribution each level takes (group index per level): one for all levels
/// when every level's residual (less its level mean) has the pooled variance and third moment
/// within 4 standard errors of its own estimates, √((m4 − v²)/N_l) and √((m6 − m3²)/N_l) (m_k
/// the k-th central moment): a level-independent term (echoes beyond the window), whose levels
/// differ by sampling only and which one distribution describes at a quarter of the convolutions.
/// Otherwise every level its own: a nonlinearity distorts the levels unequally (an EML compresses
/// its outer levels' ISI, a directly modulated laser overshoots on its rising edges), and the BER
/// follows each level's own tails, which like moments need not tell apart (dfb-direct-26g:
/// grouping levels 1 and 2, whose moments agree, read 2.3e-7 against 4.6e-8 per level and the
/// semi-analytic 1.4e-8). One group when a level has fewer than `min_level_samples`.
std::vector<int> residual_groups(const UnmodelledIsi& isi, std::span<const double> level_offset,
                                 int m) {
  const auto levels = static_cast<std::size_t>(m);
  // Per level: count and the sums of r², r³, r⁴, r⁶.
  std::vector<std::array<double, 5>> sums(levels, {0.0, 0.0, 0.0, 0.0, 0.0});
  for (std::size_t k = 0; k < isi.residual.size(); ++k) {
    const auto l = static_cast<std::size_t>(isi.levels[k]);
    const double r = isi.residual[k] - level_offset[l];
    const double r2 = r * r;
    sums[l][0] += 1.0;
    sums[l][1] += r2;
    sums[l][2] += r2 * r;
    sums[l][3] += r2 * r2;
    sums[l][4] += r2 * r2 * r2;
  }
  std::vector<int> one(levels, 0);
  double n = 0.0, second = 0.0, third = 0.0;
  for (const auto& level : sums) {
    if (level[0] < static_cast<double>(min_level_samples)) return one;
    n += level[0];
    second += level[1];
    third += level[2];
  }
  const double pooled_v = second / n, pooled_m3 = third / n;
  for (const auto& level : sums) {
    const double count = level[0];
    const double v = level[1] / count, m3 = level[2] / count;
    const double se_v = std::sqrt(std::max(0.0, level[3] / count - v * v) / count);
    const double se_m3 = std::sqrt(std::max(0.0, level[4] / count - m3 * m3) / count);
    if (std::abs(v - pooled_v) > 4.0 * se_v || std::abs(m3 - pooled_m3) > 4.0 * se_m3) {
      std::vector<int> own(levels);
      for (std::size_t l = 0; l < levels; ++l) own[l] = static_cast<int>(l);
      return own;
    }
  }
  return one;
}

/// The residual of the samples sent at the levels of group `group` (residual_groups) less their
/// level means, as a ResidualKernel (statistical_eye.hpp); nullopt when it is nil (a linear chain
/// whose ISI lies within the fitted cursors) or holds no sample.
std::optional<ResidualKernel> residual_kernel(const UnmodelledIsi& isi,
                                              std::span<const double> level_offset, double min_step,
                                              std::span<const int> groups, int group) {
  auto in_group = [&](int level) { return groups[static_cast<std::size_t>(level)] == group; };
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -lowest;
  std::size_t count = 0;
  for (std::size_t k = 0; k < isi.residual.size(); ++k) {
    if (!in_group(isi.levels[k])) continue;
    const double r = isi.residual[k] - level_offset[static_cast<std::size_t>(isi.levels[k])];
    lowest = std::min(lowest, r);
    highest = std::max(highest, r);
    ++count;
  }
  const double span = highest - lowest;
  if (count == 0 || !(span > 0.0) || !std::isfinite(span)) return std::nullopt;
  const double step = std::max(span / (max_residual_atoms - 1), min_step);
  const auto atoms = static_cast<std::size_t>(std::floor(span / step)) + 1;
  std::vector<double> weight(atoms, 0.0), sum(atoms, 0.0), square(atoms, 0.0);
  for (std::size_t k = 0; k < isi.residual.size(); ++k) {
    if (!in_group(isi.levels[k])) continue;
    const double r = isi.residual[k] - level_offset[static_cast<std::size_t>(isi.levels[k])];
    const auto a = std::min(atoms - 1, static_cast<std::size_t>(std::floor((r - lowest) / step)));
    weight[a] += 1.0;
    sum[a] += r;
    square[a] += r * r;
  }
  ResidualKernel kernel;
  kernel.reach = std::max(std::abs(lowest), std::abs(highest));
  const double n = static_cast<double>(count);
  for (std::size_t a = 0; a < atoms; ++a) {
    if (weight[a] == 0.0) continue;
    const double mean = sum[a] / weight[a];
    kernel.position.push_back(mean);
    kernel.weight.push_back(weight[a] / n);
    kernel.variance.push_back(std::max(0.0, square[a] / weight[a] - mean * mean));
  }
  return kernel;
}

/// Half-width of the region about `centre` where f ≤ target along one direction, with the
/// crossing interpolated in log10; f sampled at `values` (step `step`).
double open_extent(const std::vector<double>& values, std::size_t centre, int direction,
                   double step, double target) {
  const double log_target = std::log10(target);
  std::size_t i = centre;
  while (true) {
    const std::int64_t next = static_cast<std::int64_t>(i) + direction;
    if (next < 0 || next >= static_cast<std::int64_t>(values.size())) {
      return static_cast<double>(i > centre ? i - centre : centre - i) * step;
    }
    const double b = values[static_cast<std::size_t>(next)];
    if (b > target) {
      const double a = std::max(values[i], 1e-300);
      const double la = std::log10(a), lb = std::log10(b);
      const double f = lb > la ? std::clamp((log_target - la) / (lb - la), 0.0, 1.0) : 0.0;
      return (static_cast<double>(i > centre ? i - centre : centre - i) + f) * step;
    }
    i = static_cast<std::size_t>(next);
  }
}

}  // namespace

double SampledPulse::at(double sample) const {
  const double pos = sample - static_cast<double>(first_sample);
  if (response.empty() || pos < 0.0 || pos > static_cast<double>(response.size() - 1)) return 0.0;
  const auto i = static_cast<std::size_t>(std::floor(pos));
  const double f = pos - static_cast<double>(i);
  if (i + 1 >= response.size()) return response[i];
  return (1.0 - f) * response[i] + f * response[i + 1];
}

int SampledPulse::pre_cursors() const {
  return static_cast<int>(std::ceil(static_cast<double>(-first_sample) / samples_per_symbol));
}

int SampledPulse::post_cursors() const {
  const double last = static_cast<double>(first_sample) + static_cast<double>(response.size());
  return static_cast<int>(std::ceil(last / samples_per_symbol));
}

PulseResponse SampledPulse::cursors_at(double tau_ui, int pre, int post) const {
  PulseResponse h;
  h.main = pre;
  h.dc = dc;
  const double sps = samples_per_symbol;
  for (int i = -pre; i <= post; ++i) h.cursors.push_back(at((i + tau_ui) * sps));
  return h;
}

SampledPulse fit_sampled_pulse(std::span<const double> clean, std::span<const int> levels,
                               int level_count, int samples_per_symbol, std::int64_t offset_samples,
                               int pre, int post) {
  const int sps = samples_per_symbol;
  SampledPulse pulse;
  pulse.samples_per_symbol = sps;
  const int half = sps / 2;
  pulse.first_sample = -static_cast<std::int64_t>(pre) * sps - half;
  pulse.response.assign(static_cast<std::size_t>((pre + post + 1) * sps), 0.0);
  std::vector<double> x;
  std::vector<int> lv;
  double dc_sum = 0.0, residual_sq = 0.0, signal_sq = 0.0, count = 0.0;
  pulse.residual.assign(clean.size(), std::numeric_limits<double>::quiet_NaN());
  for (int q = -half; q < sps - half; ++q) {
    x.clear();
    lv.clear();
    for (std::size_t k = 0; k < levels.size(); ++k) {
      const std::int64_t n = static_cast<std::int64_t>(k) * sps + offset_samples + q;
      if (n < 0) continue;
      if (n >= static_cast<std::int64_t>(clean.size())) break;
      x.push_back(clean[static_cast<std::size_t>(n)]);
      lv.push_back(levels[k]);
    }
    const std::span<const double> xs(x);
    const std::span<const int> ls(lv);
    if (xs.size() < static_cast<std::size_t>(4 * (pre + post + 2))) {
      throw std::invalid_argument("statistical eye: calibration record too short for the fit");
    }
    const PulseResponse h = fit_pulse_response(xs, ls, level_count, pre, post);
    for (int i = -pre; i <= post; ++i) {
      const std::int64_t n = static_cast<std::int64_t>(i) * sps + q - pulse.first_sample;
      pulse.response[static_cast<std::size_t>(n)] = h.cursors[static_cast<std::size_t>(i + pre)];
    }
    dc_sum += h.dc;
    for (std::size_t k = static_cast<std::size_t>(post);
         k + static_cast<std::size_t>(pre) < xs.size(); ++k) {
      double y = h.dc;
      for (int i = -pre; i <= post; ++i) {
        y += h.cursors[static_cast<std::size_t>(i + pre)] *
             symbol_level(ls[k - static_cast<std::size_t>(i)], level_count);
      }
      residual_sq += (xs[k] - y) * (xs[k] - y);
      const std::int64_t n = static_cast<std::int64_t>(k) * sps + offset_samples + q;
      if (n >= 0) pulse.residual[static_cast<std::size_t>(n)] = xs[k] - y;
      signal_sq += (xs[k] - h.dc) * (xs[k] - h.dc);
      count += 1.0;
    }
  }
  pulse.decision_offset = offset_samples;
  pulse.levels.assign(levels.begin(), levels.end());
  pulse.dc = dc_sum / sps;
  pulse.fit_residual_rms = count > 0 ? std::sqrt(residual_sq / count) : 0.0;
  pulse.signal_rms = count > 0 ? std::sqrt(signal_sq / count) : 0.0;
  return pulse;
}

double SampledPulse::residual_rms_at_decisions() const {
  const UnmodelledIsi isi = residual_at_decisions();
  double sum = 0.0;
  for (double y : isi.residual) sum += y * y;
  return isi.residual.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(isi.residual.size()));
}

UnmodelledIsi SampledPulse::residual_at_decisions() const {
  const double unit[1] = {1.0};
  const std::int64_t here[1] = {0};
  return residual_through(unit, here, decision_offset);
}

UnmodelledIsi SampledPulse::residual_through(std::span<const double> taps,
                                             std::span<const std::int64_t> tap_offsets,
                                             std::int64_t first_instant) const {
  if (taps.empty() || taps.size() != tap_offsets.size()) {
    throw std::invalid_argument("residual_through: one offset per tap");
  }
  const auto [lowest, highest] = std::minmax_element(tap_offsets.begin(), tap_offsets.end());
  const auto n = static_cast<std::int64_t>(residual.size());
  UnmodelledIsi out;
  std::size_t symbol = 0;
  for (std::int64_t instant = first_instant; instant + *highest < n;
       instant += samples_per_symbol, ++symbol) {
    if (instant + *lowest < 0) continue;
    double y = 0.0;
    bool fitted = true;
    for (std::size_t t = 0; t < taps.size() && fitted; ++t) {
      const double r = residual[static_cast<std::size_t>(instant + tap_offsets[t])];
      fitted = !std::isnan(r);  // NaN: outside the fitted span
      y += taps[t] * r;
    }
    if (!fitted || symbol >= levels.size()) continue;
    out.residual.push_back(y);
    out.levels.push_back(levels[symbol]);
  }
  return out;
}

StatisticalEye statistical_eye(const std::function<PulseResponse(double)>& response_at,
                               std::span<const double> sigma_per_level,
                               std::span<const double> thresholds,
                               const StatisticalEyeSettings& settings) {
  const int m = settings.levels;
  if (static_cast<int>(sigma_per_level.size()) != m ||
      static_cast<int>(thresholds.size()) != m - 1) {
    throw std::invalid_argument("statistical eye: need M noise figures and M − 1 thresholds");
  }
  // The ISI outside the fitted cursors (reflections beyond the window), as Gaussian noise.
  std::vector<double> sigma_with_tail(sigma_per_level.begin(), sigma_per_level.end());
  for (double& sd : sigma_with_tail) sd = std::hypot(sd, settings.unmodelled_isi_rms);
  sigma_per_level = sigma_with_tail;
  const double target = settings.target_ber;
  const int time_points = settings.time_points | 1;  // odd: τ = 0 is a grid point
  const auto centre = static_cast<std::size_t>(time_points / 2);
  const int eyes = m - 1;
  StatisticalEye out;

  // What the cursors leave out: per-level means and the distribution of the rest.
  std::vector<double> level_offset;
  std::vector<ResidualKernel> kernel, kernel_off;  // at τ = 0, elsewhere
  std::vector<int> level_group(static_cast<std::size_t>(m), 0);
  if (settings.unmodelled_isi.residual.size() >= static_cast<std::size_t>(2 * m)) {
    const UnmodelledIsi& isi = settings.unmodelled_isi;
    level_offset = residual_level_means(isi, m);
    const double sigma_min = PhaseEye::positive_min(sigma_per_level);
    level_group = residual_groups(isi, level_offset, m);
    const int groups = *std::max_element(level_group.begin(), level_group.end()) + 1;
    for (int g = 0; g < groups; ++g) {
      for (const bool centre_phase : {true, false}) {
        const double per_sigma =
            centre_phase ? residual_atoms_per_sigma : residual_atoms_per_sigma_off;
        std::optional<ResidualKernel> k =
            residual_kernel(isi, level_offset, sigma_min / per_sigma, level_group, g);
        (centre_phase ? kernel : kernel_off)
            .push_back(k ? std::move(*k)
                         : ResidualKernel{.position = {0.0}, .weight = {1.0}, .variance = {0.0}});
      }
    }
    // A nil residual: no kernel at all (the linear chain's figures as they were).
    if (std::all_of(kernel.begin(), kernel.end(),
                    [](const ResidualKernel& k) { return k.reach == 0.0; })) {
      kernel.clear();
      kernel_off.clear();
      std::fill(level_group.begin(), level_group.end(), 0);
    }
  }

  // τ = 0: the BER over all regions, the vertical bathtubs and the eye heights.
  const GaussianTailTable* table = settings.exact_q ? nullptr : &GaussianTailTable::instance();
  out.q_relative_error_bound = table != nullptr ? table->relative_error_bound() : 0.0;
  // The trimmed evaluation needs the table (eye_ber_trimmed): with erfc throughout it is the full.
  out.contour_tolerance =
      table != nullptr && settings.contour_tolerance > 0.0 ? settings.contour_tolerance : 0.0;
  const PhaseEye zero(response_at(0.0), sigma_per_level, m, settings.max_isi_bins, table,
                      level_offset, kernel, level_group);
  out.level_means = zero.means;
  // The tail of level l beyond threshold k on the side away from it (above for k ≥ l, below
  // for k < l), once per (l, k): each region j ≠ l is a difference of two of them (regions above
  // l: above(t_{j−1}) − above(t_j); below: below(t_j) − below(t_{j−1})), and each inner threshold
  // bounds two regions. The same values and subtractions as evaluating the bounds per region.
  std::vector<double> tail(static_cast<std::size_t>(m - 1));
  // The error-free state (shift 0) by erfc; the DFE chain's burst states by the tabulated Q
  // (relative ε ≈ 3.5e-7 per tail, as the semi-analytic chain in slicer.cpp): a 12-tap DFE visits
  // thousands of them, each a full window of bins per threshold and level.
  auto tails = [&](int l, double shift) {
    const bool exact = shift == 0.0;
    for (int k = 0; k + 1 < m; ++k) {
      const double t = thresholds[static_cast<std::size_t>(k)] - shift;
      tail[static_cast<std::size_t>(k)] =
          k >= l ? zero.above(l, t, exact) : zero.below(l, t, exact);
    }
  };
  auto region = [&](int l, int j) {
    const auto at = [&](int k) { return tail[static_cast<std::size_t>(k)]; };
    return j > l ? at(j - 1) - (j == m - 1 ? 0.0 : at(j)) : at(j) - (j == 0 ? 0.0 : at(j - 1));
  };
  double bits = 0.0, symbol_errors = 0.0;
  for (int l = 0; l < m; ++l) {
    tails(l, 0.0);
    for (int j = 0; j < m; ++j) {
      if (j == l) continue;
      const double p = std::max(region(l, j), 0.0);
      bits += p * bit_errors(l, j, m);
      symbol_errors += p;
    }
  }
  out.ber = bits / (m * std::log2(m));
  std::vector<DfeStateProbability> dfe_states;
  out.ser = symbol_errors / m;
  if (!settings.dfe_feedback.empty()) {
    // Error propagation: the same regions with the sample shifted by δ (thresholds by −δ).
    const std::vector<double> equiprobable(static_cast<std::size_t>(m), 1.0 / m);
    const DfePropagation chain = dfe_error_propagation(
        settings.dfe_feedback, equiprobable, m, false, [&](double shift, std::span<double> p) {
          for (int l = 0; l < m; ++l) {
            tails(l, shift);
            double rest = 0.0;
            for (int j = 0; j < m; ++j) {
              if (j == l) continue;
              const double v = std::max(region(l, j), 0.0);
              p[static_cast<std::size_t>(l * m + j)] = v;
              rest += v;
            }
            p[static_cast<std::size_t>(l * m + l)] = std::max(0.0, 1.0 - rest);
          }
        });
    out.ber = chain.ber;
    out.ser = chain.ser;
    // The contours and bathtubs average over the chain's states: B_j(τ, v) = Σ_E π(E)·B_j(τ,
    // v − δ(E)), the largest `dfe_states` states kept, the rest's mass given to Z.
    double kept = 0.0;
    for (const DfeStateProbability& state : chain.states) {
      if (static_cast<int>(dfe_states.size()) >= std::max(settings.dfe_states, 1)) break;
      dfe_states.push_back(state);
      kept += state.probability;
    }
    out.dfe_dropped_probability = std::max(0.0, 1.0 - kept);
    for (DfeStateProbability& state : dfe_states) {
      if (state.shift == 0.0) {
        state.probability += out.dfe_dropped_probability;
        break;
      }
    }
  }
  out.dfe_states = static_cast<int>(dfe_states.size());
  // Σ of π over the kept states from index i on (largest first): what the states not yet
  // evaluated can add at most (B ≤ 1).
  std::vector<double> dfe_rest(dfe_states.size() + 1, 0.0);
  for (std::size_t i = dfe_states.size(); i-- > 0;) {
    dfe_rest[i] = dfe_rest[i + 1] + dfe_states[i].probability;
  }
  // B_j(τ, v) of the eye at phase τ, over the DFE's error states when it has any; the sum stops
  // once the states left can add at most `dfe_state_tolerance` of it.
  auto eye_ber = [&](const PhaseEye& eye, int j, double v) {
    if (dfe_states.empty()) return eye.eye_ber(j, v);
    double sum = 0.0;
    for (std::size_t i = 0; i < dfe_states.size(); ++i) {
      if (i > 0 && dfe_rest[i] <= settings.dfe_state_tolerance * sum) break;
      sum += dfe_states[i].probability * eye.eye_ber(j, v - dfe_states[i].shift);
    }
    return sum;
  };
  // The contour map's points: the same average with each B_j by the trimmed evaluation (within
  // relative contour_tolerance of it; 0: the full one).
  const ContourTrim trim(settings.contour_tolerance);
  auto contour_ber = [&](const PhaseEye& eye, int j, double v) {
    if (!(settings.contour_tolerance > 0.0)) return eye_ber(eye, j, v);
    if (dfe_states.empty()) return eye.eye_ber_trimmed(j, v, trim);
    double sum = 0.0;
    for (std::size_t i = 0; i < dfe_states.size(); ++i) {
      if (i > 0 && dfe_rest[i] <= settings.dfe_state_tolerance * sum) break;
      sum += dfe_states[i].probability * eye.eye_ber_trimmed(j, v - dfe_states[i].shift, trim);
    }
    return sum;
  };

  double sigma_max = 0.0;
  for (double s : sigma_per_level) sigma_max = std::max(sigma_max, s);
  const double margin = zero.reach + 6.0 * sigma_max;
  const double v_min = std::min(zero.means.front(), zero.means.back()) - margin;
  const double v_max = std::max(zero.means.front(), zero.means.back()) + margin;
  const int na = std::max(settings.amplitude_points, 2);
  for (int a = 0; a < na; ++a) out.amplitude.push_back(v_min + (v_max - v_min) * a / (na - 1));
  out.vertical_ber.assign(static_cast<std::size_t>(eyes), {});
  for (int j = 0; j < eyes; ++j) {
    for (double v : out.amplitude)
      out.vertical_ber[static_cast<std::size_t>(j)].push_back(eye_ber(zero, j, v));
  }
  // Eye heights. The vertical bathtub above is B_j(0, v) on the amplitude grid: its smallest
  // value between the two level means gives a point inside the eye, and walking the grid outward
  // from it gives each edge's bracket (the last grid point at or below the target, the first
  // above it, or the edge's limit `far`), bisected to a 2^−44 of a grid step (≤ 2.2e-16 of the
  // axis: round-off). Only when no grid point between the means is at or below the target (an
  // opening narrower than a grid step) does a finer scan (512 steps between the means) look for
  // one. The earlier scan-and-bisect (512 evaluations, then 60 halvings of [inside, far] per
  // edge) found the same crossing wherever B_j is unimodal between the means (test).
  constexpr int height_scan = 512;
  constexpr int height_bisections = 44;
  const double grid_step = (v_max - v_min) / (na - 1);
  for (int j = 0; j < eyes; ++j) {
    const auto& bathtub = out.vertical_ber[static_cast<std::size_t>(j)];
    const double a = zero.means[static_cast<std::size_t>(j)];
    const double b = zero.means[static_cast<std::size_t>(j + 1)];
    const double low = std::min(a, b), high = std::max(a, b);
    std::int64_t best_index = -1;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < bathtub.size() && !settings.height_by_scan; ++i) {
      const double v = out.amplitude[i];
      if (v >= low && v <= high && bathtub[i] < best) {
        best = bathtub[i];
        best_index = static_cast<std::int64_t>(i);
      }
    }
    double best_v = best_index >= 0 ? out.amplitude[static_cast<std::size_t>(best_index)] : a;
    if (!(best <= target)) {
      best_index = -1;
      for (int i = 0; i <= height_scan; ++i) {
        const double v = a + (b - a) * i / height_scan;
        const double e = eye_ber(zero, j, v);
        if (e < best) {
          best = e;
          best_v = v;
        }
      }
    }
    if (!(best <= target)) {
      out.eye_height.push_back(0.0);
      continue;
    }
    double edges[2];
    for (int side = 0; side < 2; ++side) {
      const int direction = side == 0 ? -1 : 1;
      const double far = side == 0 ? low - margin : high + margin;
      double inside = best_v, outside = far;
      bool bracketed = false;
      if (best_index >= 0) {
        // Walk the grid outward while it stays at or below the target, short of `far`.
        for (std::int64_t i = best_index + direction;
             i >= 0 && i < static_cast<std::int64_t>(bathtub.size()); i += direction) {
          const double v = out.amplitude[static_cast<std::size_t>(i)];
          if (direction * (v - far) >= 0.0) break;
          if (bathtub[static_cast<std::size_t>(i)] > target) {
            outside = v;
            bracketed = true;
            break;
          }
          inside = v;
        }
      }
      if (!bracketed && eye_ber(zero, j, outside) <= target) {
        edges[side] = outside;
        continue;
      }
      // From the grid's bracket (one step wide) 44 halvings; from [best_v, far], as many as
      // bring it to the same 2^−44 of a grid step.
      int steps = settings.height_by_scan ? 60 : height_bisections;
      if (!bracketed && !settings.height_by_scan) {
        steps += std::max(0, static_cast<int>(std::ceil(std::log2(
                                 std::max(std::abs(outside - inside) / grid_step, 1.0)))));
      }
      for (int it = 0; it < steps; ++it) {
        const double mid = 0.5 * (inside + outside);
        (eye_ber(zero, j, mid) <= target ? inside : outside) = mid;
      }
      edges[side] = 0.5 * (inside + outside);
    }
    out.eye_height.push_back(std::abs(edges[1] - edges[0]));
  }

  // Phase sweep: horizontal bathtubs and the contour map.
  out.horizontal_ber.assign(static_cast<std::size_t>(eyes), {});
  if (settings.contours) {
    out.contour_ber.reserve(static_cast<std::size_t>(time_points) * out.amplitude.size());
  }
  std::vector<int> eye_of(out.amplitude.size());
  for (std::size_t a = 0; a < out.amplitude.size(); ++a) {
    int best = 0;
    for (int j = 1; j < eyes; ++j) {
      if (std::abs(out.amplitude[a] - thresholds[static_cast<std::size_t>(j)]) <
          std::abs(out.amplitude[a] - thresholds[static_cast<std::size_t>(best)])) {
        best = j;
      }
    }
    eye_of[a] = best;
  }
  for (int t = 0; t < time_points; ++t) {
    const double tau = -0.5 + static_cast<double>(t) / (time_points - 1);
    out.time_ui.push_back(tau);
    const PhaseEye eye = static_cast<std::size_t>(t) == centre
                             ? zero
                             : PhaseEye(response_at(tau), sigma_per_level, m, settings.max_isi_bins,
                                        table, level_offset, kernel_off, level_group);
    for (int j = 0; j < eyes; ++j) {
      out.horizontal_ber[static_cast<std::size_t>(j)].push_back(
          eye_ber(eye, j, thresholds[static_cast<std::size_t>(j)]));
    }
    // At τ = 0 the map's row is the vertical bathtub of each point's eye (the same B_j(0, v)).
    for (std::size_t a = 0; settings.contours && a < out.amplitude.size(); ++a) {
      out.contour_ber.push_back(static_cast<std::size_t>(t) == centre
                                    ? out.vertical_ber[static_cast<std::size_t>(eye_of[a])][a]
                                    : contour_ber(eye, eye_of[a], out.amplitude[a]));
    }
  }
  const double step = 1.0 / (time_points - 1);
  for (int j = 0; j < eyes; ++j) {
    const auto& h = out.horizontal_ber[static_cast<std::size_t>(j)];
    if (!(h[centre] <= target)) {
      out.eye_width_ui.push_back(0.0);
      continue;
    }
    out.eye_width_ui.push_back(open_extent(h, centre, -1, step, target) +
                               open_extent(h, centre, 1, step, target));
  }
  return out;
}

}  // namespace optilane

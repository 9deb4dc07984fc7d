#include "phy/analysis/rx_dsp.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "phy/analysis/statistics.hpp"
#include "phy/errors.hpp"
#include "phy/pam.hpp"

namespace optilane {
namespace {

double level_value(int level, int m) {
  return 2.0 * level / (m - 1) - 1.0;
}

/// Convergence of NLMS: the frozen taps' excess MSE over Wiener may reach this many times the
/// steady-state misadjustment μ/2 (the excess is a weighted sum of squared tap errors, close to
/// a scaled χ² with one degree of freedom per significant mode: 3× its mean is exceeded with
/// probability ~8 % for one mode and < 1 % for five).
constexpr double lms_misadjustment_spread = 3.0;
/// An excess below 1e-6 of E[d²] (−60 dB) counts as converged whatever the Wiener MSE (a
/// noiseless, exactly equalisable record has J_min ≈ 0).
constexpr double lms_excess_floor = 1e-6;

double sign(double v) {
  return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0);
}

}  // namespace

std::string RxDspSettings::describe() const {
  std::string out;
  if (ffe_pre_taps + ffe_post_taps > 0) {
    out += fmt::format("FFE {} taps ({} pre, {} post, {}), {}; ", ffe_length(), ffe_pre_taps,
                       ffe_post_taps, spacing == 1 ? "T-spaced" : "T/2-spaced",
                       adaptation == FfeAdaptation::mmse  ? "MMSE"
                       : adaptation == FfeAdaptation::lms ? "LMS"
                                                          : "sign-sign LMS");
  }
  if (dfe_taps > 0) out += fmt::format("DFE {} taps; ", dfe_taps);
  if (mlse) {
    out += mlse_alpha < 0 ? std::string("MLSE 1+αD (α fitted); ")
                          : fmt::format("MLSE 1+{:.2f}D; ", mlse_alpha);
  }
  if (out.empty()) return "symbol-rate slicer";
  out.resize(out.size() - 2);
  return out;
}

namespace {

/// The least-squares system of a pulse fit depends on the symbols alone (R = ZᵀZ of the level
/// regressors), not on the samples: the receiver DSP's phase search fits the same training
/// symbols at 16 phases, and the statistical eye's pulse fit the same symbols at every sample
/// phase. Each thread keeps its last system (the symbols compared in full, O(N) against the
/// O(N·n²) update), so a repeated fit computes only Zᵀy and the solve, bit for bit what a fresh
/// fit computes.
struct PulseFitSystem {
  std::vector<int> levels;
  int level_count = 0, pre = -1, post = -1;
  std::uint64_t last_use = 0;  ///< fit_pulse_response's cache: when it last served a fit
  Eigen::MatrixXd z_rows;
  Eigen::LDLT<Eigen::MatrixXd> solver;

  [[nodiscard]] bool matches(std::span<const int> lv, int m, int pr, int po) const {
    return m == level_count && pr == pre && po == post && lv.size() == levels.size() &&
           std::equal(lv.begin(), lv.end(), levels.begin());
  }
  void build(std::span<const int> lv, int m, int pr, int po) {
    levels.assign(lv.begin(), lv.end());
    level_count = m;
    pre = pr;
    post = po;
    const int n = pre + post + 2;  // cursors and dc
    const auto count = static_cast<std::int64_t>(lv.size());
    const std::int64_t rows = std::max<std::int64_t>(0, count - pre - post);
    // Regressors stacked as rows: R = ZᵀZ as one symmetric rank-k update (blocked GEMM).
    z_rows.resize(rows, n);
    for (std::int64_t k = post; k + pre < count; ++k) {
      for (int i = -pre; i <= post; ++i) {
        z_rows(k - post, i + pre) = level_value(lv[static_cast<std::size_t>(k - i)], m);
      }
      z_rows(k - post, n - 1) = 1.0;
    }
    Eigen::MatrixXd r = Eigen::MatrixXd::Zero(n, n);
    r.selfadjointView<Eigen::Lower>().rankUpdate(z_rows.transpose());
    r = r.selfadjointView<Eigen::Lower>();
    r.diagonal().array() += 1e-12 * (r.trace() + 1.0);
    solver.compute(r);
  }
};

}  // namespace

PulseResponse fit_pulse_response(std::span<const double> samples, std::span<const int> levels,
                                 int level_count, int pre, int post) {
  const int n = pre + post + 2;  // cursors and dc
  const auto count = static_cast<std::int64_t>(std::min(samples.size(), levels.size()));
  const std::span<const int> lv = levels.first(static_cast<std::size_t>(count));
  // The last few systems: a lane's input fit (two level windows across its phases) and its
  // receiver DSP's output fit alternate, and the lanes of one pattern share them. A miss rebuilds
  // the least recently used entry in place.
  thread_local std::array<PulseFitSystem, 4> systems;
  thread_local std::uint64_t uses = 0;
  auto hit = std::find_if(systems.begin(), systems.end(), [&](const PulseFitSystem& s) {
    return s.matches(lv, level_count, pre, post);
  });
  if (hit == systems.end()) {
    hit = std::min_element(
        systems.begin(), systems.end(),
        [](const PulseFitSystem& a, const PulseFitSystem& b) { return a.last_use < b.last_use; });
    hit->build(lv, level_count, pre, post);
  }
  hit->last_use = ++uses;
  const PulseFitSystem& system = *hit;
  const std::int64_t rows = system.z_rows.rows();
  Eigen::VectorXd y(rows);
  for (std::int64_t k = post; k + pre < count; ++k) {
    y(k - post) = samples[static_cast<std::size_t>(k)];
  }
  const Eigen::VectorXd p = system.z_rows.transpose() * y;
  const Eigen::VectorXd h = system.solver.solve(p);
  PulseResponse out;
  out.main = pre;
  for (int i = 0; i + 1 < n; ++i) out.cursors.push_back(h(i));
  out.dc = h(n - 1);
  return out;
}

RxDsp::RxDsp(const RxDspSettings& settings) : settings_(settings) {
  if (settings_.levels < 2) throw ParameterError("levels", "the DSP needs at least 2 levels");
  if (settings_.spacing != 1 && settings_.spacing != 2) {
    throw ParameterError("spacing", "FFE spacing must be T (1) or T/2 (2)");
  }
  if (settings_.ffe_pre_taps < 0 || settings_.ffe_post_taps < 0 || settings_.dfe_taps < 0) {
    throw ParameterError("taps", "tap counts must be >= 0");
  }
  if (settings_.mlse && settings_.dfe_taps > 0) {
    throw ParameterError("dfe", "MLSE and DFE together are not supported: choose one");
  }
  if (!(settings_.lms_step > 0.0 && settings_.lms_step < 2.0)) {
    throw ParameterError("step", "LMS step must be in (0, 2)");
  }
  if (settings_.mlse_alpha > 1.0) throw ParameterError("alpha", "MLSE α must be <= 1");
  if (settings_.mlse_traceback < 4)
    throw ParameterError("traceback", "MLSE traceback must be >= 4");
  ffe_.assign(static_cast<std::size_t>(settings_.ffe_length()), 0.0);
  ffe_[static_cast<std::size_t>(settings_.ffe_post_taps * settings_.spacing)] = 1.0;
  dfe_.assign(static_cast<std::size_t>(settings_.dfe_taps), 0.0);
  alpha_ = std::max(0.0, settings_.mlse_alpha);
  const int m = settings_.levels;
  for (int l = 0; l + 1 < m; ++l)
    thresholds_.push_back(gain_ * level_value(l, m) + gain_ / (m - 1));
  reset();
}

void RxDsp::reset() {
  const auto n = static_cast<std::size_t>(settings_.ffe_length());
  clean_hist_.assign(2 * n, 0.0);
  noisy_hist_.assign(2 * n, 0.0);
  head_ = 0;
  fed_ = 0;
  past_decisions_.assign(static_cast<std::size_t>(std::max(settings_.dfe_taps, 1)), 0);
  const auto m = static_cast<std::size_t>(settings_.levels);
  metric_.assign(m, 0.0);
  metric_next_.assign(m, 0.0);
  backpointer_.assign(static_cast<std::size_t>(settings_.mlse_traceback) * m, 0);
  viterbi_steps_ = 0;
}

namespace {

/// What train() and wiener_mse() derive alike from the records before the normal equations: the
/// usable symbol count, the phase-0 pulse response, the main-cursor gain g and the MLSE's α.
struct TrainingSetup {
  std::int64_t symbols = 0;
  PulseResponse pulse;
  double gain = 1.0;
  double alpha = 0.0;
  /// Training rows: symbols j ∈ [first, last) have all their FFE inputs and DFE decisions.
  std::int64_t first = 0;
  std::int64_t last = 0;
};

/// The regularised Wiener solution of R·w = p (a ridge of 1e-10·tr R/n against a singular R)
/// and its MSE E[d²] − pᵀw, floored at 0, in the units of the normal equations.
struct WienerSolution {
  Eigen::VectorXd taps;
  double mse = 0.0;
};

WienerSolution solve_wiener(const Eigen::MatrixXd& r, const Eigen::VectorXd& p, double d2) {
  Eigen::MatrixXd r_reg = r;
  r_reg.diagonal().array() += 1e-10 * r.trace() / static_cast<double>(r.rows());
  WienerSolution out;
  out.taps = r_reg.ldlt().solve(p);
  out.mse = std::max(0.0, d2 - p.dot(out.taps));
  return out;
}

TrainingSetup training_setup(const RxDspSettings& settings, std::span<const double> clean,
                             std::span<const double> noisy, std::span<const int> levels) {
  const int s = settings.spacing;
  const int n = settings.ffe_length() + 1 + settings.dfe_taps;
  TrainingSetup out;
  out.symbols = static_cast<std::int64_t>(
      std::min(levels.size(), std::min(clean.size(), noisy.size()) / static_cast<std::size_t>(s)));
  if (out.symbols < 4 * n + 64) throw NumericError("rx dsp: training record too short");
  // Main-cursor gain and the partial-response α from the phase-0 pulse response.
  thread_local std::vector<double> phase0;
  phase0.resize(static_cast<std::size_t>(out.symbols));
  for (std::int64_t k = 0; k < out.symbols; ++k) phase0[static_cast<std::size_t>(k)] = clean[k * s];
  out.pulse = fit_pulse_response(phase0, levels.first(phase0.size()), settings.levels, 4, 12);
  const PulseResponse& h = out.pulse;
  double peak = 0.0;
  for (double c : h.cursors) peak = std::max(peak, std::abs(c));
  if (!(peak > 0.0)) throw NumericError("rx dsp: the noiseless record carries no signal");
  out.gain = peak;
  const double h0 = h.cursors[static_cast<std::size_t>(h.main)];
  const double h1 = h.cursors[static_cast<std::size_t>(h.main + 1)];
  out.alpha = settings.mlse_alpha >= 0.0 ? settings.mlse_alpha
                                         : std::clamp(h0 != 0.0 ? h1 / h0 : 0.0, 0.0, 1.0);
  out.first = std::max<std::int64_t>(settings.ffe_post_taps, std::max(settings.dfe_taps, 1));
  out.last = out.symbols - settings.ffe_pre_taps;
  return out;
}

/// Σ_{r<rows} x[r·s + t]·x[r·s + t + L] for every pair of FFE inputs t ≤ u = t + L < nf of a
/// regressor window X_r[t] = x[r·s + t] (r = 0 … rows − 1), into out(t, u) and out(u, t).
///
/// The sums of one lag L and one sub-sample π = t mod s differ only by where their window of
/// rows starts: with t = a·s + π, out(t, t + L) = Σ_{r=a}^{rows−1+a} q(r), q(r) = x[r·s + π]·
/// x[r·s + π + L]. So each (π, L) is one pass over the record (the base, a = 0), and a = 1, 2, …
/// follow by adding q(rows − 1 + a) and removing q(a − 1): O(rows·nf) products instead of the
/// O(rows·nf²/2) of the Gram matrix entry by entry. The record must hold rows·s + nf − s samples.
/// The same sums as the Gram matrix, in another order (round-off moves).
void lag_gram(const double* x, std::int64_t rows, int s, int nf, Eigen::MatrixXd& out) {
  // Eight partial sums, lane k holding sub-sample k mod s (s divides 8): independent chains the
  // compiler keeps in vector registers.
  constexpr int lanes = 8;
  const std::int64_t full = (rows - 1) * s;  // the last row's products are summed one by one:
                                             // its high sub-samples may reach past the record
  for (int lag = 0; lag < nf; ++lag) {
    const double* y = x + lag;
    double acc[lanes] = {};
    std::int64_t i = 0;
    for (; i + lanes <= full; i += lanes) {
      for (int k = 0; k < lanes; ++k) acc[k] += x[i + k] * y[i + k];
    }
    double base[2] = {0.0, 0.0};
    for (int k = 0; k < lanes; ++k) base[k % s] += acc[k];
    for (; i < full; ++i) base[i % s] += x[i] * y[i];
    for (int pi = 0; pi < s && pi + lag < nf; ++pi) {
      const std::int64_t last_row = (rows - 1) * s + pi;
      double window = base[pi] + x[last_row] * y[last_row];
      for (int t = pi; t + lag < nf; t += s) {
        out(t, t + lag) = window;
        out(t + lag, t) = window;
        // Slide the window by one row: a = (t − π)/s → a + 1.
        const std::int64_t head = (t - pi) + pi, tail = rows * s + (t - pi) + pi;
        if (t + s + lag < nf) window += x[tail] * y[tail] - x[head] * y[head];
      }
    }
  }
}

}  // namespace

double RxDsp::wiener_mse(std::span<const double> clean, std::span<const double> noisy,
                         std::span<const int> levels) const {
  const int s = settings_.spacing;
  const int m = settings_.levels;
  const int post = settings_.ffe_post_taps;
  const int d = settings_.dfe_taps;
  const int nf = settings_.ffe_length();
  const int n = nf + 1 + d;
  const TrainingSetup setup = training_setup(settings_, clean, noisy, levels);
  const double g = setup.gain;
  const std::int64_t first = setup.first;
  const std::int64_t rows = setup.last - first;
  const double count = static_cast<double>(rows);
  // Regressor r (symbol j = first + r): FFE inputs x[b0 + r·s + t], b0 = (first − post)·s.
  const auto b0 = static_cast<std::size_t>((first - post) * s);
  const std::size_t samples = static_cast<std::size_t>(setup.symbols * s) - b0;
  const double* xc = clean.data() + b0;
  thread_local std::vector<double> noise, level, desired;
  noise.resize(samples);
  for (std::size_t i = 0; i < samples; ++i) noise[i] = noisy[b0 + i] - clean[b0 + i];
  level.resize(static_cast<std::size_t>(setup.symbols));
  for (std::size_t k = 0; k < level.size(); ++k) level[k] = level_value(levels[k], m);
  desired.resize(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto j = static_cast<std::size_t>(first + r);
    double v = level[j];
    if (settings_.mlse && j > 0) v += setup.alpha * level[j - 1];
    desired[static_cast<std::size_t>(r)] = g * v;
  }

  // The normal equations of train() (R = E[z zᵀ] + R_noise, p = E[z d]), sum by sum.
  Eigen::MatrixXd r(n, n), r_noise(nf, nf);
  Eigen::VectorXd p(n);
  lag_gram(xc, rows, s, nf, r);
  lag_gram(noise.data(), rows, s, nf, r_noise);
  double sum_d = 0.0, sum_d2 = 0.0;
  for (double v : desired) {
    sum_d += v;
    sum_d2 += v * v;
  }
  for (int t = 0; t < nf; ++t) {
    double sum_x = 0.0, sum_xd = 0.0;
    for (std::int64_t row = 0; row < rows; ++row) {
      const double x = xc[row * s + t];
      sum_x += x;
      sum_xd += x * desired[static_cast<std::size_t>(row)];
    }
    r(t, nf) = r(nf, t) = g * sum_x;
    p(t) = sum_xd;
    for (int i = 1; i <= d; ++i) {
      double sum = 0.0;
      const double* lv = level.data() + (first - i);
      for (std::int64_t row = 0; row < rows; ++row) sum += xc[row * s + t] * lv[row];
      r(t, nf + i) = r(nf + i, t) = -g * sum;
    }
  }
  r(nf, nf) = g * g * count;
  p(nf) = g * sum_d;
  for (int i = 1; i <= d; ++i) {
    const double* lv = level.data() + (first - i);
    double sum = 0.0, sum_ld = 0.0;
    for (std::int64_t row = 0; row < rows; ++row) {
      sum += lv[row];
      sum_ld += lv[row] * desired[static_cast<std::size_t>(row)];
    }
    r(nf, nf + i) = r(nf + i, nf) = -g * g * sum;
    p(nf + i) = -g * sum_ld;
    for (int k = i; k <= d; ++k) {
      const double* lk = level.data() + (first - k);
      double product = 0.0;
      for (std::int64_t row = 0; row < rows; ++row) product += lv[row] * lk[row];
      r(nf + i, nf + k) = r(nf + k, nf + i) = g * g * product;
    }
  }
  r /= count;
  p /= count;
  r.topLeftCorner(nf, nf) += r_noise / count;
  return solve_wiener(r, p, sum_d2 / count).mse / (g * g);
}

RxDspTraining RxDsp::train(std::span<const double> clean, std::span<const double> noisy,
                           std::span<const int> levels, bool thresholds) {
  const int s = settings_.spacing;
  const int m = settings_.levels;
  const int post = settings_.ffe_post_taps;
  const int d = settings_.dfe_taps;
  const int nf = settings_.ffe_length();
  const int n = nf + 1 + d;
  const TrainingSetup setup = training_setup(settings_, clean, noisy, levels);
  const std::int64_t symbols = setup.symbols;
  const PulseResponse& h = setup.pulse;
  gain_ = setup.gain;
  if (settings_.mlse) alpha_ = setup.alpha;

  RxDspTraining report;
  report.gain = gain_;
  report.mlse_alpha = settings_.mlse ? alpha_ : 0.0;
  auto desired = [&](std::int64_t j) {
    double v = level_value(levels[static_cast<std::size_t>(j)], m);
    if (settings_.mlse && j > 0)
      v += alpha_ * level_value(levels[static_cast<std::size_t>(j - 1)], m);
    return gain_ * v;
  };
  const std::int64_t first = setup.first;
  const std::int64_t last = setup.last;  // exclusive
  auto regressor = [&](std::int64_t j, std::span<const double> x, Eigen::VectorXd& z) {
    const std::int64_t start = (j - post) * s;
    for (int t = 0; t < nf; ++t) z(t) = x[static_cast<std::size_t>(start + t)];
    z(nf) = gain_;
    for (int i = 1; i <= d; ++i) {
      z(nf + i) = -gain_ * level_value(levels[static_cast<std::size_t>(j - i)], m);
    }
  };

  // Wiener solution: R = R_clean + R_noise (measured noise, FFE part only), p = E[z_clean d].
  // The regressors are stacked as rows so R is one symmetric rank-k update (a blocked GEMM)
  // rather than a dense outer product per symbol.
  const std::int64_t rows = last - first;
  Eigen::MatrixXd z_rows(rows, n), e_rows(rows, nf);
  Eigen::VectorXd d_rows(rows);
  // Filled column by column (the matrices are column-major; row by row every write was a
  // stride of `rows` doubles): the same entries as regressor(j, clean, ·) row by row.
  for (int t = 0; t < nf; ++t) {
    double* zc = z_rows.col(t).data();
    double* ec = e_rows.col(t).data();
    for (std::int64_t j = first; j < last; ++j) {
      const auto i = static_cast<std::size_t>((j - post) * s + t);
      zc[j - first] = clean[i];
      ec[j - first] = noisy[i] - clean[i];
    }
  }
  z_rows.col(nf).setConstant(gain_);
  for (int i = 1; i <= d; ++i) {
    double* zc = z_rows.col(nf + i).data();
    for (std::int64_t j = first; j < last; ++j) {
      zc[j - first] = -gain_ * level_value(levels[static_cast<std::size_t>(j - i)], m);
    }
  }
  for (std::int64_t j = first; j < last; ++j) d_rows(j - first) = desired(j);
  const double count = static_cast<double>(rows);
  Eigen::MatrixXd r = Eigen::MatrixXd::Zero(n, n);
  Eigen::MatrixXd r_noise = Eigen::MatrixXd::Zero(nf, nf);
  r.selfadjointView<Eigen::Lower>().rankUpdate(z_rows.transpose(), 1.0 / count);
  r_noise.selfadjointView<Eigen::Lower>().rankUpdate(e_rows.transpose(), 1.0 / count);
  r = r.selfadjointView<Eigen::Lower>();
  r_noise = r_noise.selfadjointView<Eigen::Lower>();
  const Eigen::VectorXd p = z_rows.transpose() * d_rows / count;
  const double d2 = d_rows.squaredNorm() / count;
  r.topLeftCorner(nf, nf) += r_noise;
  WienerSolution wiener = solve_wiener(r, p, d2);
  Eigen::VectorXd w = std::move(wiener.taps);
  report.mse = wiener.mse / (gain_ * gain_);

  if (settings_.adaptation != FfeAdaptation::mmse) {
    // Data-aided adaptation over the noisy record, repeated passes, from a unit centre tap. The
    // FFE inputs enter centred on the record's mean x̄ (an AC-coupled adaptation; the bias tap
    // carries the mean): an optical signal's DC would otherwise dominate |z|², shrinking the
    // normalised step on the equalising directions (and pinning every sign(z) at +1 in
    // sign-sign LMS). Taps u in the centred coordinates map back as w_t = u_t (t < nf),
    // w_dc = u_dc − x̄·Σ_t u_t / g, the DFE taps unchanged.
    double mean = 0.0;
    for (std::int64_t k = 0; k < symbols * s; ++k) mean += noisy[static_cast<std::size_t>(k)];
    mean /= static_cast<double>(symbols * s);
    auto centred = [&](std::int64_t j, Eigen::VectorXd& z) {
      regressor(j, noisy, z);
      for (int t = 0; t < nf; ++t) z(t) -= mean;
    };
    auto to_taps = [&](const Eigen::VectorXd& u) {
      Eigen::VectorXd out = u;
      out(nf) = u(nf) - mean * u.head(nf).sum() / gain_;
      return out;
    };
    Eigen::VectorXd u = Eigen::VectorXd::Zero(n);
    u(post * s) = 1.0;
    u(nf) = (mean - h.dc) / gain_;
    Eigen::VectorXd zn(n);
    double power = 0.0;  // P̄ = ⟨|z̃|²⟩ = tr R̃
    for (std::int64_t j = first; j < last; ++j) {
      centred(j, zn);
      power += zn.squaredNorm() / count;
    }
    const double mu = settings_.lms_step;
    const double step = mu / std::max(power, 1e-300);
    // The frozen taps' MSE J(w) = E[d²] − 2pᵀw + wᵀRw on the training record, exactly; J(w_o) is
    // the Wiener MSE and J(w) − J(w_o) = (w − w_o)ᵀR(w − w_o) ≥ 0.
    auto frozen_mse = [&](const Eigen::VectorXd& taps) {
      const double j = d2 - 2.0 * p.dot(taps) + taps.dot(r * taps);
      return std::isfinite(j) ? std::max(0.0, j) : j;  // a NaN must stay NaN (divergence)
    };
    const double j_min = report.mse * gain_ * gain_;
    const double floor = lms_excess_floor * d2;
    const bool normalised = settings_.adaptation == FfeAdaptation::lms;
    // NLMS: steady-state misadjustment M = μ'·tr R/2 = μ/2 (Haykin §6.5, small-step theory),
    // the mean of (w − w_o)ᵀR(w − w_o)/J_min; converged when the frozen taps are within
    // lms_misadjustment_spread·M of it. Sign-sign: its jitter is not μ-proportional in those
    // terms, so the limit is a setting.
    report.lms_excess_limit =
        normalised ? lms_misadjustment_spread * mu / 2.0 : settings_.lms_mse_limit - 1.0;
    Eigen::VectorXd wl = to_taps(u);
    double j_lms = frozen_mse(wl);
    for (int pass = 0; pass < settings_.lms_max_passes; ++pass) {
      for (std::int64_t j = first; j < last; ++j) {
        centred(j, zn);
        const double err = desired(j) - u.dot(zn);
        if (normalised) {
          u += (step * err) * zn;
        } else {
          // Sign-sign: a fixed increment in tap units (μ/500: 1e-4 at the default μ, fine
          // enough for 24 FFE + 12 DFE taps on the copper tiers to come within 25 % of Wiener),
          // dc tap included.
          const double increment = mu / 500.0 * sign(err);
          for (int t = 0; t < n; ++t) u(t) += increment * sign(zn(t));
        }
      }
      wl = to_taps(u);
      j_lms = frozen_mse(wl);
      report.lms_passes = pass + 1;
      if (!std::isfinite(j_lms)) {
        throw NumericError(fmt::format("rx dsp: {} (step {}) diverged in pass {}",
                                       normalised ? "LMS" : "sign-sign LMS", mu, pass + 1));
      }
      if (j_lms - j_min <= report.lms_excess_limit * j_min + floor) break;
    }
    report.mse_lms = j_lms / (gain_ * gain_);
    report.lms_excess = j_min > 0.0 ? (j_lms - j_min) / j_min : 0.0;
    report.lms_converged = j_lms - j_min <= report.lms_excess_limit * j_min + floor;
    w = wl;
  }

  for (int t = 0; t < nf; ++t) ffe_[static_cast<std::size_t>(t)] = w(t);
  dc_ = w(nf) * gain_;
  for (int i = 0; i < d; ++i) dfe_[static_cast<std::size_t>(i)] = w(nf + 1 + i);
  const Eigen::VectorXd wf = w.head(nf);
  const double noise_in = r_noise.trace() / nf;
  const double noise_out = wf.dot(r_noise * wf);
  report.noise_enhancement_db =
      noise_in > 0.0 && noise_out > 0.0 ? 10.0 * std::log10(noise_out / noise_in) : 0.0;
  // Slicer thresholds: midpoints of the noiseless output's level means (the MMSE solution is
  // biased: its levels shrink by E[s²]/(E[s²]+σ²), so g·s(l) midpoints would be off).
  if (!settings_.mlse && thresholds) {
    std::vector<double> sum(static_cast<std::size_t>(m)), num(static_cast<std::size_t>(m));
    for (const RxDspOutput& o : run(clean, clean, levels)) {
      const auto l = static_cast<std::size_t>(levels[static_cast<std::size_t>(o.symbol)]);
      sum[l] += o.clean;
      num[l] += 1.0;
    }
    thresholds_.clear();
    for (int l = 0; l + 1 < m; ++l) {
      const auto a = static_cast<std::size_t>(l), b = a + 1;
      thresholds_.push_back(num[a] > 0 && num[b] > 0 ? 0.5 * (sum[a] / num[a] + sum[b] / num[b])
                                                     : gain_ * (level_value(l, m) + 1.0 / (m - 1)));
    }
  }
  reset();
  return report;
}

int RxDsp::slice(double y) const {
  int decided = 0;
  const int m = settings_.levels;
  while (decided < m - 1 && y > thresholds_[static_cast<std::size_t>(decided)]) ++decided;
  return decided;
}

void RxDsp::viterbi_step(double y, RxDspOutput& out) {
  const int m = settings_.levels;
  const int depth = settings_.mlse_traceback;
  const auto row = static_cast<std::size_t>(viterbi_steps_ % depth) * static_cast<std::size_t>(m);
  double best = std::numeric_limits<double>::infinity();
  int best_state = 0;
  for (int l = 0; l < m; ++l) {
    double best_in = std::numeric_limits<double>::infinity();
    int arg = 0;
    for (int prev = 0; prev < m; ++prev) {
      const double ref = gain_ * (level_value(l, m) + alpha_ * level_value(prev, m));
      const double metric = metric_[static_cast<std::size_t>(prev)] + (y - ref) * (y - ref);
      if (metric < best_in) {
        best_in = metric;
        arg = prev;
      }
    }
    metric_next_[static_cast<std::size_t>(l)] = best_in;
    backpointer_[row + static_cast<std::size_t>(l)] = arg;
    if (best_in < best) {
      best = best_in;
      best_state = l;
    }
  }
  for (int l = 0; l < m; ++l) {
    metric_[static_cast<std::size_t>(l)] = metric_next_[static_cast<std::size_t>(l)] - best;
  }
  ++viterbi_steps_;
  if (viterbi_steps_ < depth) return;
  // Trace back depth−1 steps from the best state: the decision for symbol j − depth + 1.
  int state = best_state;
  for (int back = 0; back < depth - 1; ++back) {
    const std::int64_t step = viterbi_steps_ - 1 - back;
    state = backpointer_[static_cast<std::size_t>(step % depth) * static_cast<std::size_t>(m) +
                         static_cast<std::size_t>(state)];
  }
  out.has_decision = true;
  out.decision_symbol = out.symbol - depth + 1;
  out.decision = state;
}

std::vector<RxDspOutput> RxDsp::run(std::span<const double> clean, std::span<const double> noisy,
                                    std::span<const int> levels) {
  reset();
  std::vector<RxDspOutput> outputs;
  const int s = settings_.spacing;
  const auto symbols = static_cast<std::int64_t>(
      std::min(levels.size(), std::min(clean.size(), noisy.size()) / static_cast<std::size_t>(s)));
  auto level_of = [&](std::int64_t j) { return levels[static_cast<std::size_t>(j)]; };
  for (std::int64_t k = 0; k < symbols; ++k) {
    const RxDspOutput out = step(k, clean.data() + k * s, noisy.data() + k * s, level_of);
    if (out.valid) outputs.push_back(out);
  }
  return outputs;
}

double RxDsp::mlse_ber_estimate(double sigma) const {
  const int m = settings_.levels;
  if (!(sigma > 0.0)) return 0.0;
  const double delta = 2.0 * gain_ / (m - 1);
  const double p_valid = (m - 1.0) / m;  // a symbol admits a given ±Δ error
  double ser = 0.0;
  double weight = 1.0;
  for (int length = 1; length <= 256; ++length) {
    weight *= p_valid;
    const double d2 = 1.0 + alpha_ * alpha_ + (length - 1) * (1.0 - alpha_) * (1.0 - alpha_);
    const double term = 2.0 * length * weight * q_function(delta * std::sqrt(d2) / (2.0 * sigma));
    ser += term;
    if (term < 1e-6 * ser) break;
  }
  return std::min(ser, 1.0 - 1.0 / m) / std::log2(m);
}

}  // namespace optilane

#include "link/receiver_dsp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "devices/dsp/rx_dsp_blocks.hpp"
#include "phy/errors.hpp"
#include "phy/pam.hpp"

namespace optilane {
namespace {

/// The symbol-rate records at sampling offset `offset`: symbol k's samples at k·sps + offset
/// (+ sps/2 for T/2). Returns the first symbol index k0 with all its samples in the record.
std::int64_t extract(std::span<const double> x, std::span<const int> levels, int sps, int spacing,
                     std::int64_t offset, std::vector<double>& out, std::vector<int>& out_levels) {
  out.clear();
  out_levels.clear();
  std::int64_t k0 = 0;
  while (k0 * sps + offset < 0) ++k0;
  for (std::int64_t k = k0; k < static_cast<std::int64_t>(levels.size()); ++k) {
    const std::int64_t n = k * sps + offset;
    if (n + (spacing - 1) * (sps / 2) >= static_cast<std::int64_t>(x.size())) break;
    for (int i = 0; i < spacing; ++i) out.push_back(x[static_cast<std::size_t>(n + i * (sps / 2))]);
    out_levels.push_back(levels[static_cast<std::size_t>(k)]);
  }
  return k0;
}

}  // namespace

double gaussian_threshold(double mu_low, double sigma_low, double mu_high, double sigma_high) {
  const double midpoint = 0.5 * (mu_low + mu_high);
  if (!(sigma_low > 0.0) || !(sigma_high > 0.0)) return midpoint;
  if (std::abs(sigma_high - sigma_low) <= 1e-12 * (sigma_low + sigma_high)) return midpoint;
  // (t − μ1)²/σ1² + 2 ln σ1 = (t − μ2)²/σ2² + 2 ln σ2, i.e. a·t² + b·t + c = 0.
  const double v1 = sigma_low * sigma_low, v2 = sigma_high * sigma_high;
  const double a = 1.0 / v1 - 1.0 / v2;
  const double b = -2.0 * (mu_low / v1 - mu_high / v2);
  const double c =
      mu_low * mu_low / v1 - mu_high * mu_high / v2 + 2.0 * std::log(sigma_low / sigma_high);
  const double discriminant = b * b - 4.0 * a * c;
  if (discriminant >= 0.0) {
    // The two roots without cancellation (q = −(b + sign(b)·√D)/2: roots q/a and c/q).
    const double q = -0.5 * (b + std::copysign(std::sqrt(discriminant), b));
    for (const double t : {q != 0.0 ? c / q : midpoint, q / a}) {
      if (t >= mu_low && t <= mu_high) return t;
    }
  }
  // No crossing between the means (one level's spread dwarfs the other's): the Q-factor rule
  // t = (σ2·μ1 + σ1·μ2)/(σ1 + σ2), which equalises the two Q arguments.
  return (sigma_high * mu_low + sigma_low * mu_high) / (sigma_low + sigma_high);
}

SlicerTiming calibrate_slicer_on_noisy(std::span<const double> noisy,
                                       std::span<const int> sent_levels,
                                       const SlicerSettings& settings,
                                       std::int64_t max_offset_samples) {
  // The coarse delay (correlation with the sent levels) and the eye histogram's range; its
  // fine phase and thresholds are replaced below (with the noisy record as its own "noiseless"
  // one it sees no noise).
  SlicerTiming timing = calibrate_slicer(noisy, noisy, sent_levels, settings, max_offset_samples);
  const int sps = settings.samples_per_symbol;
  const int m = settings.levels;
  const auto mm = static_cast<std::size_t>(m);
  std::vector<double> sum(mm), square(mm), count(mm), mean(mm), sigma(mm);
  auto level_statistics = [&](std::int64_t offset) {
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(square.begin(), square.end(), 0.0);
    std::fill(count.begin(), count.end(), 0.0);
    for (std::size_t k = 0; k < sent_levels.size(); ++k) {
      const std::int64_t n = static_cast<std::int64_t>(k) * sps + offset;
      if (n < 0 || n >= static_cast<std::int64_t>(noisy.size())) continue;
      const auto l = static_cast<std::size_t>(sent_levels[k]);
      const double x = noisy[static_cast<std::size_t>(n)];
      sum[l] += x;
      square[l] += x * x;
      count[l] += 1.0;
    }
    for (std::size_t l = 0; l < mm; ++l) {
      mean[l] = count[l] > 0.0 ? sum[l] / count[l] : 0.0;
      sigma[l] = count[l] > 1.0
                     ? std::sqrt(std::max(
                           0.0, (square[l] - count[l] * mean[l] * mean[l]) / (count[l] - 1.0)))
                     : 0.0;
    }
  };
  auto worst_q = [&] {
    double q = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j + 1 < mm; ++j) {
      if (count[j] == 0.0 || count[j + 1] == 0.0) return -std::numeric_limits<double>::infinity();
      const double spread = sigma[j] + sigma[j + 1];
      const double gap = mean[j + 1] - mean[j];
      q = std::min(q, spread > 0.0 ? gap / spread
                                   : std::copysign(std::numeric_limits<double>::infinity(), gap));
    }
    return q;
  };
  const std::int64_t centre = timing.offset_samples;
  double best_q = -std::numeric_limits<double>::infinity();
  std::int64_t best_offset = centre;
  std::int64_t best_distance = std::numeric_limits<std::int64_t>::max();
  for (int p = -sps; p < sps; ++p) {
    const std::int64_t offset = centre + p;
    if (offset < 0) continue;
    level_statistics(offset);
    const double q = worst_q();
    const std::int64_t distance = std::abs(p);
    const double tie = std::isfinite(best_q) ? 1e-12 * std::abs(best_q) : 0.0;
    if (q > best_q + tie || (q >= best_q - tie && distance < best_distance)) {
      best_q = q;
      best_offset = offset;
      best_distance = distance;
    }
  }
  level_statistics(best_offset);
  timing.offset_samples = best_offset;
  timing.level_means = mean;
  timing.thresholds.clear();
  for (std::size_t j = 0; j + 1 < mm; ++j) {
    timing.thresholds.push_back(
        mean[j] <= mean[j + 1] ? gaussian_threshold(mean[j], sigma[j], mean[j + 1], sigma[j + 1])
                               : 0.5 * (mean[j] + mean[j + 1]));
  }
  return timing;
}

std::vector<std::unique_ptr<Block>> ReceiverDspStage::take_dsp_blocks(
    std::vector<std::unique_ptr<Block>>& chain) {
  std::size_t first = chain.size();
  while (first > 0 && dynamic_cast<const DspStageBlock*>(chain[first - 1].get()) != nullptr) {
    --first;
  }
  for (std::size_t i = 0; i < first; ++i) {
    if (dynamic_cast<const DspStageBlock*>(chain[i].get()) != nullptr) {
      throw ParameterError(std::string(chain[i]->kind()),
                           std::string(chain[i]->kind()) +
                               " is receiver DSP: it must be among the blocks that end the chain "
                               "(after the adc, if any)");
    }
  }
  std::vector<std::unique_ptr<Block>> taken;
  for (std::size_t i = first; i < chain.size(); ++i) taken.push_back(std::move(chain[i]));
  chain.resize(first);
  return taken;
}

RxDspSettings ReceiverDspStage::settings_of(const std::vector<std::unique_ptr<Block>>& blocks,
                                            int levels) {
  RxDspSettings settings;
  settings.levels = levels;
  for (const auto& block : blocks) {
    static_cast<const DspStageBlock&>(*block).contribute(settings);
  }
  if (settings.mlse && settings.dfe_taps > 0) {
    throw ParameterError("mlse", "a chain may end in a DFE or an MLSE, not both");
  }
  return settings;
}

ReceiverDspStage::ReceiverDspStage(const RxDspSettings& dsp, const SlicerSettings& slicer,
                                   bool monte_carlo_only)
    : settings_(dsp), slicer_(slicer), monte_carlo_only_(monte_carlo_only), dsp_(dsp) {}

void ReceiverDspStage::calibrate(std::span<const double> clean, std::span<const double> noisy,
                                 std::span<const int> levels, const SlicerTiming& pre,
                                 const std::function<int(std::int64_t)>& level_of,
                                 const std::function<int(std::int64_t)>& data_of) {
  const int sps = slicer_.samples_per_symbol;
  const int step = std::max(1, sps / 16);
  std::vector<double> xc, xn;
  std::vector<int> lv;
  double best_mse = std::numeric_limits<double>::infinity();
  int first_phase = -sps / 2, end_phase = sps - sps / 2;
  if (settings_.cdr.kind != CdrKind::optimum) {
    // A CDR loop on the noisy record, sliced with the pre-DSP thresholds, chooses the phase;
    // the DSP samples at the nearest simulation sample.
    cdr_ = recover_clock(noisy, sps, pre.offset_samples, pre.thresholds, pre.level_means,
                         settings_.cdr);
    first_phase = static_cast<int>(std::lround(cdr_.phase_ui * sps));
    end_phase = first_phase + 1;
  }
  // The phase is chosen by the Wiener (MMSE) training at each candidate, which is what the
  // adapted taps converge to; LMS adaptation then runs once, at the chosen phase.
  RxDspSettings phase_search = settings_;
  phase_search.adaptation = FfeAdaptation::mmse;
  auto records_at = [&](int p) {
    const std::int64_t offset = pre.offset_samples + p;
    extract(clean, levels, sps, settings_.spacing, offset, xc, lv);
    extract(noisy, levels, sps, settings_.spacing, offset, xn, lv);
  };
  auto consider = [&](int p) {
    records_at(p);
    RxDsp candidate(phase_search);
    // No thresholds from the training: the slicer's are calibrated below (set_thresholds) before
    // any decision is read (the pass below reads the ideal-feedback outputs only).
    const RxDspTraining t = candidate.train(xc, xn, lv, false);
    const double mse = t.mse;
    // Ties (a noiseless, fully equalised channel): the most central phase.
    if (mse < best_mse * (1.0 - 1e-6) ||
        (mse <= best_mse && std::abs(p) < std::abs(phase_ui_ * sps))) {
      best_mse = mse;
      dsp_ = candidate;
      training_ = t;
      offset_ = pre.offset_samples + p;
      phase_ui_ = static_cast<double>(p) / sps;
    }
  };
  std::vector<int> phases;
  for (int p = first_phase; p < end_phase; p += step) phases.push_back(p);
  if (phases.size() == 1) {
    consider(phases.front());
  } else {
    // Every candidate ranked by its Wiener MSE from the same normal equations summed in O(N·n)
    // (RxDsp::wiener_mse), then trained in full only where the choice can fall. The choice above
    // keeps a candidate only against one with MSE ≥ its own, and always moves to one more than
    // 1e-6 below the kept one. So if the candidates C within a gap of the lowest (each within
    // phase_gap of the next, in MSE order) and every other one lies more than phase_gap above
    // them all, an outside one is never kept once one of C is, and one of C always displaces
    // it: the choice over all candidates is the choice over C, in order, with the trained MSEs.
    // That holds when the ranking MSEs differ from the trained ones by much less than the gap
    // (phase_gap relative plus mse_floor absolute, for MSEs that round to zero). Both are the same
    // sums in another order: their difference is round-off, ≤ 1.1e-13 absolute (≤ 1e-9
    // relative, at an MSE of 8e-5) over every candidate of lane A and one lane of each tier
    // preset (4,000 trainings, 2026-11-27), four decades inside mse_floor; test_rx_dsp.cpp
    // checks ≤ 1e-11.
    constexpr double phase_gap = 1e-4, mse_floor = 1e-9;
    const RxDsp ranking(phase_search);
    std::vector<double> mse(phases.size());
    for (std::size_t i = 0; i < phases.size(); ++i) {
      records_at(phases[i]);
      mse[i] = ranking.wiener_mse(xc, xn, lv);
    }
    std::vector<double> sorted = mse;
    std::sort(sorted.begin(), sorted.end());
    double bound = sorted.front();
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      if (!(sorted[i] <= bound * (1.0 + phase_gap) + mse_floor)) break;
      bound = sorted[i];
    }
    std::vector<int> chosen;
    for (std::size_t i = 0; i < phases.size(); ++i) {
      // A NaN or infinite MSE cannot be ranked: train that candidate too.
      if (mse[i] <= bound || !std::isfinite(mse[i])) chosen.push_back(phases[i]);
    }
    if (chosen.size() == 1 && settings_.adaptation != FfeAdaptation::mmse) {
      // The choice is made, and LMS adapts anew at it below: its Wiener training would be
      // replaced unread.
      offset_ = pre.offset_samples + chosen.front();
      phase_ui_ = static_cast<double>(chosen.front()) / sps;
    } else {
      for (int p : chosen) consider(p);
    }
  }
  // Symbol-rate slicer thresholds on the equalised calibration record.
  const std::int64_t k0 = extract(clean, levels, sps, settings_.spacing, offset_, xc, lv);
  extract(noisy, levels, sps, settings_.spacing, offset_, xn, lv);
  if (settings_.adaptation != FfeAdaptation::mmse) {
    RxDsp adapted(settings_);
    training_ = adapted.train(xc, xn, lv, false);
    dsp_ = adapted;
  }
  std::vector<double> yc, yn;
  std::vector<int> yl;
  // The first outputs are start-up transients, not samples of the link: the DFE feeds back
  // symbols before the record's first (taken as level 0, while the chain saw 0 V), which puts
  // an outlier of g·b_1 into the eye. One such sample near the threshold dominates the
  // optimised thresholds' cost at low BER (1+0.5D with a 1-tap DFE at 1e-10: the top threshold
  // moved by 2.6σ and the BER rose to 9e-6), so they are left out as the accumulator leaves
  // them out of the run.
  const std::int64_t settle = static_cast<std::int64_t>(settings_.ffe_pre_taps) +
                              settings_.ffe_post_taps + settings_.dfe_taps + 1;
  for (const RxDspOutput& o : dsp_.run(xc, xn, lv)) {
    if (o.symbol < settle) continue;
    yc.push_back(o.clean);
    yn.push_back(o.noisy);
    yl.push_back(lv[static_cast<std::size_t>(o.symbol)]);
  }
  SlicerSettings symbol_rate = slicer_;
  symbol_rate.samples_per_symbol = 1;
  const SlicerTiming timing = monte_carlo_only_ ? calibrate_slicer_on_noisy(yn, yl, symbol_rate, 0)
                                                : calibrate_slicer(yc, yn, yl, symbol_rate, 0);
  // Without the twin the noise alone is not known: the FFE's noise enhancement is not computed.
  if (monte_carlo_only_) training_.noise_enhancement_db = std::numeric_limits<double>::quiet_NaN();
  if (!settings_.mlse) dsp_.set_thresholds(timing.thresholds);
  if (!monte_carlo_only_ && !settings_.mlse) {
    equalised_clean_ = std::move(yc);
    equalised_levels_ = std::move(yl);
  }
  // The semi-analytic BER carries the DFE's error propagation (dfe_propagation.hpp).
  symbol_rate.dfe_feedback = dfe_feedback();
  accumulator_.emplace(symbol_rate, timing);
  warmup_symbols_ = k0 + settings_.ffe_pre_taps + settings_.ffe_post_taps + settings_.dfe_taps + 1 +
                    (settings_.mlse ? settings_.mlse_traceback : 0);
  dsp_.reset();
  feed(0, noisy, clean, level_of, data_of);
}

void ReceiverDspStage::feed(std::int64_t first_sample, std::span<const double> noisy,
                            std::span<const double> clean,
                            const std::function<int(std::int64_t)>& level_of,
                            const std::function<int(std::int64_t)>& data_of) {
  const int sps = slicer_.samples_per_symbol;
  const int half = sps / 2;
  // Only the samples the FFE takes are visited (phase 0, and phase sps/2 at T/2), symbol by
  // symbol in sample order: the same calls, in the same order, as a pass over every sample.
  auto take = [&](std::size_t i, std::int64_t k, std::int64_t phase) {
    RxDspOutput out;
    if (settings_.spacing == 1) {
      out = dsp_.step(k, &clean[i], &noisy[i], level_of);
    } else {
      if (phase == 0) {
        pending_clean_ = clean[i];
        pending_noisy_ = noisy[i];
        return;
      }
      const double c[2] = {pending_clean_, clean[i]};
      const double n[2] = {pending_noisy_, noisy[i]};
      // Monte-Carlo only: one record as both inputs, so the step convolves once.
      out = dsp_.step(k, monte_carlo_only_ ? n : c, n, level_of);
    }
    if (out.valid && out.symbol >= warmup_symbols_) {
      accumulator_->add_statistics(out.noisy, out.clean, level_of(out.symbol));
    }
    if (out.has_decision && out.decision_symbol >= warmup_symbols_) {
      accumulator_->count_decision(out.decision, level_of(out.decision_symbol),
                                   data_of(out.decision_symbol));
    }
  };
  // rel = sample − offset: symbol k's samples are rel = k·sps … k·sps + sps − 1 (rel < 0 skipped).
  const std::int64_t rel_begin = first_sample - offset_;
  const std::int64_t rel_end = rel_begin + static_cast<std::int64_t>(noisy.size());
  for (std::int64_t k = rel_begin > 0 ? rel_begin / sps : 0; k * sps < rel_end; ++k) {
    const std::int64_t phases[2] = {0, half};
    const int taken = settings_.spacing == 1 || half == 0 ? 1 : 2;
    for (int t = 0; t < taken; ++t) {
      const std::int64_t rel = k * sps + phases[t];
      if (rel >= rel_begin && rel < rel_end) {
        take(static_cast<std::size_t>(rel - rel_begin), k, phases[t]);
      }
    }
  }
}

SlicerResult ReceiverDspStage::result(const SlicerResult& pre_dsp) const {
  SlicerResult r = accumulator_->result();
  if (settings_.mlse) {
    double var = 0.0;
    for (double s : r.noise_rms_per_level)
      var += s * s / static_cast<double>(r.noise_rms_per_level.size());
    r.ber_semi_analytic = dsp_.mlse_ber_estimate(std::sqrt(var));
    r.ser_semi_analytic = r.ber_semi_analytic * std::log2(settings_.levels);
  }
  // The sample-level eye (before the DSP) stays the eye histogram; the symbol-rate accumulator
  // has no phase axis, so the eye width is the pre-DSP one until the statistical eye sets it.
  r.eye = pre_dsp.eye;
  r.eye_width_ui = pre_dsp.eye_width_ui;
  return r;
}

StatisticalEye ReceiverDspStage::statistical_eye(const SampledPulse& pulse,
                                                 std::int64_t pulse_offset,
                                                 const SlicerResult& equalised,
                                                 const StatisticalEyeSettings& settings) const {
  const int sps = slicer_.samples_per_symbol;
  const int s = settings_.spacing;
  const int pre = settings_.ffe_pre_taps, post = settings_.ffe_post_taps;
  const std::vector<double>& w = dsp_.ffe_taps();
  const std::vector<double>& b = dsp_.dfe_taps();
  const auto shift = static_cast<double>(offset_ - pulse_offset);
  double tap_sum = 0.0;
  for (double tap : w) tap_sum += tap;
  const int first = -(pulse.pre_cursors() + pre + 1);
  const int last = pulse.post_cursors() + post + 1;
  auto response_at = [&](double tau) {
    // y_j = Σ_u Σ_i w_{u·s+i}·x(symbol j−post+u, sub-sample i), so the cursor on s_{j−n} is
    // q_n = Σ_u Σ_i w_{u·s+i}·h(n−post+u) at the sub-sample's instant.
    PulseResponse q;
    q.main = -first;
    q.dc = pulse.dc * tap_sum + dsp_.ffe_dc();
    for (int n = first; n <= last; ++n) {
      double v = 0.0;
      for (int u = 0; u <= pre + post; ++u) {
        for (int i = 0; i < s; ++i) {
          const double at = (n - post + u + tau) * sps + shift + i * (sps / 2);
          v += w[static_cast<std::size_t>(u * s + i)] * pulse.at(at);
        }
      }
      if (n >= 1 && n <= settings_.dfe_taps) v -= dsp_.gain() * b[static_cast<std::size_t>(n - 1)];
      q.cursors.push_back(v);
    }
    return q;
  };
  StatisticalEyeSettings with_dfe = settings;
  with_dfe.dfe_feedback = dfe_feedback();
  // Output-side least-squares fit over the same cursors at τ = 0; its difference from the
  // input pulse through the FFE is added at every τ, its residual is the unmodelled ISI.
  const PulseResponse through = response_at(0.0);
  const int fit_pre = through.main;
  const int fit_post = static_cast<int>(through.cursors.size()) - 1 - through.main;
  const auto outputs = static_cast<std::int64_t>(equalised_clean_.size());
  if (outputs < 4 * (fit_pre + fit_post + 2)) {
    // Too short a record for the fit: the input fit's residual through the FFE instead (tap
    // (u, i) of output j reads the record at symbol j − post + u, sub-sample i).
    std::vector<std::int64_t> tap_offsets;
    for (int u = 0; u <= pre + post; ++u) {
      for (int i = 0; i < s; ++i) {
        tap_offsets.push_back(static_cast<std::int64_t>(u - post) * sps + i * (sps / 2));
      }
    }
    with_dfe.unmodelled_isi = pulse.residual_through(w, tap_offsets, offset_);
    return optilane::statistical_eye(response_at, equalised.noise_rms_per_level,
                                     equalised.thresholds, with_dfe);
  }
  const int m = settings_.levels;
  const PulseResponse fitted =
      fit_pulse_response(equalised_clean_, equalised_levels_, m, fit_pre, fit_post);
  std::vector<double> correction(through.cursors.size());
  for (std::size_t n = 0; n < correction.size(); ++n) {
    correction[n] = fitted.cursors[n] - through.cursors[n];
  }
  const double dc_correction = fitted.dc - through.dc;
  for (std::int64_t k = fit_post; k + fit_pre < outputs; ++k) {
    double y = fitted.dc;
    for (int i = -fit_pre; i <= fit_post; ++i) {
      y += fitted.cursors[static_cast<std::size_t>(i + fit_pre)] *
           symbol_level(equalised_levels_[static_cast<std::size_t>(k - i)], m);
    }
    with_dfe.unmodelled_isi.residual.push_back(equalised_clean_[static_cast<std::size_t>(k)] - y);
    with_dfe.unmodelled_isi.levels.push_back(equalised_levels_[static_cast<std::size_t>(k)]);
  }
  auto corrected_at = [&](double tau) {
    PulseResponse q = response_at(tau);
    for (std::size_t n = 0; n < correction.size(); ++n) q.cursors[n] += correction[n];
    q.dc += dc_correction;
    return q;
  };
  return optilane::statistical_eye(corrected_at, equalised.noise_rms_per_level,
                                   equalised.thresholds, with_dfe);
}

std::vector<double> ReceiverDspStage::dfe_feedback() const {
  // c_i = b_i·g·2/(M−1): the output step of one level of decision error on tap i.
  std::vector<double> c;
  for (double b : dsp_.dfe_taps()) c.push_back(b * dsp_.gain() * 2.0 / (settings_.levels - 1));
  return c;
}

ReceiverDspReport ReceiverDspStage::report() const {
  return {.description = settings_.describe(),
          .phase_ui = phase_ui_,
          .training = training_,
          .ffe_taps = dsp_.ffe_taps(),
          .ffe_dc = dsp_.ffe_dc(),
          .dfe_taps = dsp_.dfe_taps(),
          .phase_method = std::string(cdr_kind_name(settings_.cdr.kind)),
          .cdr_phase_ui = cdr_.phase_ui,
          .cdr_jitter_rms_ui = cdr_.jitter_rms_ui};
}

}  // namespace optilane

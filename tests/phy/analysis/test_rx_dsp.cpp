// Receiver DSP kernel: FFE (MMSE, LMS), DFE error propagation, MLSE on partial response.
#include <catch2/catch.hpp>

#include <cmath>
#include <utility>
#include <vector>

#include "phy/analysis/rx_dsp.hpp"
#include "phy/analysis/slicer.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/errors.hpp"
#include "phy/pam.hpp"
#include "phy/random.hpp"

using namespace optilane;

namespace {

constexpr int pam4 = 4;

double level_value(int l) {
  return symbol_level(l, pam4);
}

struct Record {
  std::vector<int> levels;
  std::vector<double> clean, noisy;
};

/// PAM4 symbols through a symbol-spaced channel h (h[0] the main cursor) plus white noise σ.
Record make_record(std::size_t symbols, const std::vector<double>& h, double sigma,
                   std::uint64_t seed) {
  RandomStream rng(seed);
  Record r;
  for (std::size_t k = 0; k < symbols; ++k)
    r.levels.push_back(static_cast<int>(rng.next_u64() % 4));
  for (std::size_t k = 0; k < symbols; ++k) {
    double x = 0.0;
    for (std::size_t i = 0; i < h.size() && i <= k; ++i) x += h[i] * level_value(r.levels[k - i]);
    r.clean.push_back(x);
    r.noisy.push_back(x + sigma * rng.gaussian());
  }
  return r;
}

struct Counted {
  double ber = 0.0;
  double bits = 0.0;
};

/// Bit errors of the pipeline's own decisions (DFE: real feedback; MLSE: Viterbi).
Counted count_decisions(const std::vector<RxDspOutput>& outputs, const std::vector<int>& levels) {
  double errors = 0.0, bits = 0.0;
  for (const auto& o : outputs) {
    if (!o.has_decision || o.decision_symbol < 64) continue;
    errors += bit_errors(levels[static_cast<std::size_t>(o.decision_symbol)], o.decision, pam4);
    bits += 2.0;
  }
  return {errors / bits, bits};
}

/// Bit errors when slicing the ideal-feedback noisy sample with the DSP's thresholds.
double ideal_feedback_ber(const std::vector<RxDspOutput>& outputs, const std::vector<int>& levels,
                          const std::vector<double>& thresholds) {
  double errors = 0.0, bits = 0.0;
  for (const auto& o : outputs) {
    if (o.symbol < 64) continue;
    int d = 0;
    while (d < 3 && o.noisy > thresholds[static_cast<std::size_t>(d)]) ++d;
    errors += bit_errors(levels[static_cast<std::size_t>(o.symbol)], d, pam4);
    bits += 2.0;
  }
  return errors / bits;
}

/// Noise RMS at the DSP output (noisy − noiseless through the same taps).
double output_sigma(const std::vector<RxDspOutput>& outputs) {
  double sq = 0.0;
  for (const auto& o : outputs) sq += (o.noisy - o.clean) * (o.noisy - o.clean);
  return std::sqrt(sq / static_cast<double>(outputs.size()));
}

/// PAM4 Gray BER on an ISI-free eye with level spacing `spacing`: (3/4)·2·Q(spacing/2σ)/2.
double pam4_awgn_ber(double spacing, double sigma) {
  return 0.75 * q_function(spacing / (2.0 * sigma));
}

/// The SNR (dB) at which the ISI-free PAM4 formula gives `ber`, for comparing in dB.
double snr_db_for_ber(double ber) {
  const double z = q_inverse(ber / 0.75);
  return 20.0 * std::log10(z);
}

}  // namespace

TEST_CASE("RxDsp refuses bad settings", "[phy][analysis][rx_dsp]") {
  CHECK_THROWS_AS(RxDsp(RxDspSettings{.spacing = 3}), ParameterError);
  CHECK_THROWS_AS(RxDsp(RxDspSettings{.ffe_pre_taps = -1}), ParameterError);
  CHECK_THROWS_AS(RxDsp(RxDspSettings{.dfe_taps = 1, .mlse = true}), ParameterError);
  CHECK_THROWS_AS(RxDsp(RxDspSettings{.lms_step = 2.5}), ParameterError);
}

TEST_CASE("RxDsp with no taps is a symbol-rate slicer and its twins agree when noise is off",
          "[phy][analysis][rx_dsp]") {
  const Record r = make_record(2000, {1.0}, 0.0, 3);
  RxDsp dsp(RxDspSettings{});
  dsp.train(r.clean, r.noisy, r.levels);
  const auto out = dsp.run(r.clean, r.noisy, r.levels);
  REQUIRE(out.size() == r.levels.size());
  for (const auto& o : out) {
    CHECK(o.clean ==
          Approx(level_value(r.levels[static_cast<std::size_t>(o.symbol)])).margin(1e-9));
    CHECK(o.noisy == o.clean);
    CHECK(o.decision == r.levels[static_cast<std::size_t>(o.symbol)]);
  }
}

TEST_CASE("MMSE FFE on a 1+0.5D channel is within 0.5 dB of AWGN after its noise enhancement",
          "[phy][analysis][rx_dsp]") {
  // Formula: BER = (3/4)·Q(Δ/2σ_out), Δ the output level spacing, σ_out² = σ²·Σw² (white noise
  // through the frozen taps; Proakis §9.4-2). The MMSE solution leaves a little residual ISI and
  // bias, so we compare in dB of SNR (the 0.5 dB).
  constexpr double tolerance_db = 0.5;
  const double sigma = 0.1;
  const Record r = make_record(120000, {1.0, 0.5}, sigma, 11);
  RxDsp dsp(RxDspSettings{.ffe_pre_taps = 2, .ffe_post_taps = 12});
  const auto training = dsp.train(std::span(r.clean).first(4096), std::span(r.noisy).first(4096),
                                  std::span(r.levels).first(4096));
  const auto out = dsp.run(r.clean, r.noisy, r.levels);
  double w2 = 0.0;
  for (double w : dsp.ffe_taps()) w2 += w * w;
  const double sigma_out_computed = sigma * std::sqrt(w2);
  CHECK(output_sigma(out) == Approx(sigma_out_computed).epsilon(0.03));
  CHECK(training.noise_enhancement_db == Approx(10.0 * std::log10(w2)).margin(0.1));
  // Output level spacing from the thresholds (midpoints of the noiseless level means).
  const auto& t = dsp.thresholds();
  const double spacing = (t[2] - t[0]) / 2.0;
  const double expected = pam4_awgn_ber(spacing, sigma_out_computed);
  const double measured = ideal_feedback_ber(out, r.levels, t);
  INFO("expected " << expected << " measured " << measured << " enhancement "
                   << training.noise_enhancement_db << " dB");
  REQUIRE(measured > 0.0);
  CHECK(std::abs(snr_db_for_ber(measured) - snr_db_for_ber(expected)) < tolerance_db);
}

TEST_CASE(
    "normalised LMS converges to the MMSE taps on 1+0.5D within 3× its misadjustment μ/2, with or "
    "without a DC offset; sign-sign LMS within its limit; a stalled adaptation is reported",
    "[phy][analysis][rx_dsp]") {
  // NLMS with the step normalised by the average input power P̄ = tr R: steady-state excess MSE
  // M·J_min with M = μ·tr R/(2P̄) = μ/2 (Haykin §6.5). The excess of frozen taps is a weighted sum
  // of squared tap errors (≈ χ², one degree of freedom per significant mode), so the check
  // allows 3M; held here on a fresh record the taps never saw (its own MSE estimates over
  // 100 000 symbols differ from the training record's by ~1/√(10⁵) of J_min, hence the 1 %).
  constexpr double fresh_record_allowance = 0.01;
  const Record train = make_record(4096, {1.0, 0.5}, 0.1, 5);
  const Record fresh = make_record(100000, {1.0, 0.5}, 0.1, 6);
  const RxDspSettings base{.ffe_pre_taps = 2, .ffe_post_taps = 12};
  RxDsp mmse(base);
  const RxDspTraining wiener = mmse.train(train.clean, train.noisy, train.levels);
  // The MSE of a DSP's output against the scaled sent levels on the fresh record.
  auto fresh_mse = [&](RxDsp& dsp, double offset) {
    std::vector<double> clean = fresh.clean, noisy = fresh.noisy;
    for (double& x : clean) x += offset;
    for (double& x : noisy) x += offset;
    double sum = 0.0, n = 0.0;
    for (const auto& o : dsp.run(clean, noisy, fresh.levels)) {
      if (o.symbol < 64) continue;
      const double e =
          o.noisy - dsp.gain() * level_value(fresh.levels[static_cast<std::size_t>(o.symbol)]);
      sum += e * e;
      n += 1.0;
    }
    return sum / n;
  };
  const double j_wiener = fresh_mse(mmse, 0.0);
  RxDspSettings nlms = base;
  nlms.adaptation = FfeAdaptation::lms;  // default step
  const double m = nlms.lms_step / 2.0;
  int passes_without_dc = 0;
  for (const double offset : {0.0, 3.0}) {
    // An optical receiver's photocurrent sits on a DC several times its swing: the adaptation
    // works on the centred inputs, so it converges as fast.
    Record shifted = train;
    for (double& x : shifted.clean) x += offset;
    for (double& x : shifted.noisy) x += offset;
    RxDsp lms(nlms);
    const RxDspTraining adapted = lms.train(shifted.clean, shifted.noisy, shifted.levels);
    const double excess_fresh = fresh_mse(lms, offset) / j_wiener - 1.0;
    INFO("DC " << offset << ": " << adapted.lms_passes << " passes, excess " << adapted.lms_excess
               << " (training record), " << excess_fresh << " (fresh), bound " << 3.0 * m);
    CHECK(adapted.lms_converged);
    CHECK(adapted.lms_excess <= 3.0 * m);
    CHECK(adapted.lms_excess_limit == Approx(3.0 * m));
    CHECK(excess_fresh <= 3.0 * m + fresh_record_allowance);
    if (offset == 0.0) passes_without_dc = adapted.lms_passes;
    CHECK(adapted.lms_passes <= 2 * passes_without_dc);
  }

  RxDspSettings ss = base;
  ss.adaptation = FfeAdaptation::sign_sign_lms;  // default step
  RxDsp sign_sign(ss);
  const RxDspTraining ss_report = sign_sign.train(train.clean, train.noisy, train.levels);
  CHECK(ss_report.lms_converged);
  CHECK(ss_report.mse_lms <= ss.lms_mse_limit * wiener.mse);

  // A step far too small cannot converge in one pass: reported, not hidden (the taps are still
  // usable, as a receiver's would be).
  RxDspSettings slow = nlms;
  slow.lms_step = 1e-6;
  slow.lms_max_passes = 1;
  RxDsp stuck(slow);
  const RxDspTraining stalled = stuck.train(train.clean, train.noisy, train.levels);
  CHECK_FALSE(stalled.lms_converged);
  CHECK(stalled.lms_excess > stalled.lms_excess_limit);
}

TEST_CASE("DFE error propagation raises the BER over ideal feedback as a Markov chain predicts",
          "[phy][analysis][rx_dsp]") {
  // Strong first post-cursor b = 0.7. With ideal feedback: BER = (3/4)Q(Δ/2σ). With real
  // decisions, a decision error ε (in level steps Δ) at k−1 shifts y_k by −g·b̂·Δ·ε; the error
  // process is a Markov chain over ε ∈ {−3..3} (Duttweiler, Mazo & Messerschmitt 1974), whose
  // stationary distribution gives the expected BER.
  constexpr double relative_tolerance = 0.2;
  const double sigma = 0.1;
  const Record r = make_record(150000, {1.0, 0.7}, sigma, 21);
  RxDsp dsp(RxDspSettings{.dfe_taps = 1});
  dsp.train(std::span(r.clean).first(4096), std::span(r.noisy).first(4096),
            std::span(r.levels).first(4096));
  const auto out = dsp.run(r.clean, r.noisy, r.levels);
  const auto& t = dsp.thresholds();
  const double ideal = ideal_feedback_ber(out, r.levels, t);
  const Counted real = count_decisions(out, r.levels);

  // Markov chain with the trained numbers.
  std::vector<double> mean(4, 0.0), num(4, 0.0);
  for (const auto& o : out) {
    mean[static_cast<std::size_t>(r.levels[static_cast<std::size_t>(o.symbol)])] += o.clean;
    num[static_cast<std::size_t>(r.levels[static_cast<std::size_t>(o.symbol)])] += 1.0;
  }
  for (int l = 0; l < 4; ++l) mean[static_cast<std::size_t>(l)] /= num[static_cast<std::size_t>(l)];
  const double s_out = output_sigma(out);
  const double shift_per_step = dsp.gain() * dsp.dfe_taps()[0] * (2.0 / 3.0);
  auto decide_prob = [&](double y_mean, int d) {
    const double lo = d == 0 ? -1e300 : t[static_cast<std::size_t>(d - 1)];
    const double hi = d == 3 ? 1e300 : t[static_cast<std::size_t>(d)];
    return q_function((lo - y_mean) / s_out) - q_function((hi - y_mean) / s_out);
  };
  std::vector<double> pi(7, 0.0);
  pi[3] = 1.0;
  double ber_markov = 0.0;
  for (int iteration = 0; iteration < 200; ++iteration) {
    std::vector<double> next(7, 0.0);
    double ber = 0.0;
    for (int e = -3; e <= 3; ++e) {
      const double pe = pi[static_cast<std::size_t>(e + 3)];
      if (pe == 0.0) continue;
      for (int l = 0; l < 4; ++l) {
        for (int d = 0; d < 4; ++d) {
          const double p =
              0.25 * decide_prob(mean[static_cast<std::size_t>(l)] - shift_per_step * e, d);
          next[static_cast<std::size_t>(d - l + 3)] += pe * p;
          ber += pe * p * bit_errors(l, d, 4) / 2.0;
        }
      }
    }
    pi = next;
    ber_markov = ber;
  }
  INFO("ideal " << ideal << " real " << real.ber << " markov " << ber_markov);
  CHECK(real.ber > 1.5 * ideal);
  CHECK(real.ber == Approx(ber_markov).epsilon(relative_tolerance));
  CHECK(ideal == Approx(pam4_awgn_ber((t[2] - t[0]) / 2.0, s_out)).epsilon(relative_tolerance));
}

TEST_CASE("MLSE on a 1+D channel beats the linear FFE by the expected margin",
          "[phy][analysis][rx_dsp]") {
  // MLSE: union bound over the alternating error events (Forney 1972), on 1+D all at distance
  // Δ√2: BER ≈ Σ_L 2L(3/4)^L·Q(Δ√2/2σ)/2 (RxDsp::mlse_ber_estimate). The MMSE FFE pays its noise
  // enhancement (computed from its taps). Expected margin: the SNR gap between the two, in dB.
  constexpr double mlse_factor_max = 2.0;  // a union bound at BER ~1e-3 is tight within 2×
  constexpr double margin_tolerance_db = 1.0;
  const double sigma = 0.15;
  const Record r = make_record(60000, {1.0, 1.0}, sigma, 8);
  auto cut = [](const auto& v) { return std::span(v).first(4096); };
  RxDsp mlse(RxDspSettings{.mlse = true, .mlse_alpha = 1.0});
  mlse.train(cut(r.clean), cut(r.noisy), cut(r.levels));
  const auto mlse_out = mlse.run(r.clean, r.noisy, r.levels);
  const Counted mlse_ber = count_decisions(mlse_out, r.levels);
  const double mlse_estimate = mlse.mlse_ber_estimate(output_sigma(mlse_out));

  RxDsp ffe(RxDspSettings{.ffe_pre_taps = 4, .ffe_post_taps = 16});
  ffe.train(cut(r.clean), cut(r.noisy), cut(r.levels));
  const auto ffe_out = ffe.run(r.clean, r.noisy, r.levels);
  const Counted ffe_ber = count_decisions(ffe_out, r.levels);
  INFO("MLSE " << mlse_ber.ber << " (estimate " << mlse_estimate << "), FFE " << ffe_ber.ber);
  REQUIRE(mlse_ber.ber > 0.0);
  CHECK(mlse_ber.ber >= 0.5 * mlse_estimate);
  CHECK(mlse_ber.ber <= mlse_factor_max * mlse_estimate);
  CHECK(mlse_ber.ber < ffe_ber.ber / 5.0);
  // Margin in SNR dB: measured vs the two formulas.
  // The FFE's expected BER: the semi-analytic BER (exact residual ISI of the noiseless output,
  // Gaussian noise σ_out through the taps): on 1+D the MMSE FFE keeps much residual ISI.
  std::vector<double> clean_out;
  std::vector<int> sent;
  for (const auto& o : ffe_out) {
    clean_out.push_back(o.clean);
    sent.push_back(r.levels[static_cast<std::size_t>(o.symbol)]);
  }
  const double s_ffe = output_sigma(ffe_out);
  const std::vector<double> sigmas(4, s_ffe);
  const double ffe_expected = gaussian_ber(clean_out, sent, sigmas, ffe.thresholds(), 4);
  CHECK(ffe_ber.ber == Approx(ffe_expected).epsilon(0.2));
  const double expected_margin = snr_db_for_ber(mlse_estimate) - snr_db_for_ber(ffe_expected);
  const double measured_margin = snr_db_for_ber(mlse_ber.ber) - snr_db_for_ber(ffe_ber.ber);
  INFO("margin expected " << expected_margin << " dB, measured " << measured_margin << " dB");
  CHECK(measured_margin > 2.0);
  CHECK(std::abs(measured_margin - expected_margin) < margin_tolerance_db);
}

namespace {

/// PAM4 at 2 samples per symbol through a half-symbol-spaced pulse h2 on a DC offset (a unipolar,
/// optical-like record), plus white noise σ: x[m] = dc + Σ_i h2[i]·u[m − i], u = the symbols'
/// levels at even m and 0 at odd m.
Record make_t2_record(std::size_t symbols, const std::vector<double>& h2, double dc, double sigma,
                      std::uint64_t seed) {
  RandomStream rng(seed);
  Record r;
  for (std::size_t k = 0; k < symbols; ++k)
    r.levels.push_back(static_cast<int>(rng.next_u64() % 4));
  for (std::size_t m = 0; m < 2 * symbols; ++m) {
    double x = dc;
    for (std::size_t i = 0; i < h2.size() && i <= m; ++i) {
      if ((m - i) % 2 == 0) x += h2[i] * level_value(r.levels[(m - i) / 2]);
    }
    r.clean.push_back(x);
    r.noisy.push_back(x + sigma * rng.gaussian());
  }
  return r;
}

}  // namespace

TEST_CASE("RxDsp::wiener_mse is train()'s Wiener MSE: the same normal equations summed by lags",
          "[phy][analysis][rx_dsp]") {
  // The same sums in another order: they may differ by round-off only (≤ 1.1e-13 measured on
  // the tier presets and lane A). The receiver's phase search (link/receiver_dsp.cpp) ranks
  // phases by wiener_mse and trains every candidate within 1e-4 relative + 1e-9 absolute of the
  // best, which is exact while the difference stays well inside 1e-9: checked at 1e-11.
  constexpr double tolerance = 1e-11;
  SECTION("T/2 FFE on a unipolar record, with a DC offset the bias tap removes") {
    const Record r = make_t2_record(8191, {0.1, 0.35, 0.9, 0.6, 0.3, 0.15, 0.05}, 0.8, 0.02, 11);
    for (const auto& [pre, post] : {std::pair{3, 7}, std::pair{5, 5}, std::pair{0, 10}}) {
      const RxDspSettings settings{.spacing = 2, .ffe_pre_taps = pre, .ffe_post_taps = post};
      RxDsp dsp(settings);
      const double fast = RxDsp(settings).wiener_mse(r.clean, r.noisy, r.levels);
      const RxDspTraining trained = dsp.train(r.clean, r.noisy, r.levels);
      INFO("pre " << pre << " post " << post << ": " << fast << " vs " << trained.mse);
      CHECK(trained.mse > 0.0);
      CHECK(std::abs(fast - trained.mse) <= tolerance);
    }
  }
  SECTION("T-spaced FFE with a 12-tap DFE, and an MLSE target with α fitted") {
    const Record r = make_record(8191, {1.0, 0.55, 0.3, 0.2, 0.12, 0.08, 0.05, 0.03}, 0.05, 12);
    for (const RxDspSettings& settings :
         {RxDspSettings{.ffe_pre_taps = 5, .ffe_post_taps = 10, .dfe_taps = 12},
          RxDspSettings{.ffe_pre_taps = 2, .ffe_post_taps = 6, .mlse = true}}) {
      RxDsp dsp(settings);
      const double fast = RxDsp(settings).wiener_mse(r.clean, r.noisy, r.levels);
      const RxDspTraining trained = dsp.train(r.clean, r.noisy, r.levels);
      INFO(settings.describe() << ": " << fast << " vs " << trained.mse);
      CHECK(trained.mse > 0.0);
      CHECK(std::abs(fast - trained.mse) <= tolerance);
    }
  }
  SECTION("a too-short record throws as train() does") {
    const Record r = make_record(100, {1.0}, 0.05, 13);
    const RxDspSettings settings{.ffe_pre_taps = 5, .ffe_post_taps = 10};
    CHECK_THROWS_AS(RxDsp(settings).wiener_mse(r.clean, r.noisy, r.levels), NumericError);
  }
}

TEST_CASE("RxDsp::wiener_mse of one tap on an ISI-free AWGN record: E[s²]σ²/(E[s²] + σ²)",
          "[phy][analysis][rx_dsp]") {
  // x = s + n, one tap and the bias tap: the Wiener estimate of s is E[s²]/(E[s²] + σ²)·x, its
  // MSE E[s²]σ²/(E[s²] + σ²) (linear MMSE of a signal in white noise; Haykin, Adaptive Filter
  // Theory, §2). PAM4 levels ±1, ±⅓: E[s²] = 5/9. Measured on N symbols, the noise power
  // carries a relative spread √(2/N) (0.45 % at N = 10^5) and the level powers a smaller
  // one: 5 of those spreads (2.2 %) bound the comparison.
  const std::size_t symbols = 100000;
  const double sigma = 0.3, es2 = 5.0 / 9.0;
  const Record r = make_record(symbols, {1.0}, sigma, 14);
  const double expected = es2 * sigma * sigma / (es2 + sigma * sigma);
  const double mse = RxDsp(RxDspSettings{}).wiener_mse(r.clean, r.noisy, r.levels);
  INFO(mse << " vs " << expected);
  CHECK(std::abs(mse - expected) <= 5.0 * std::sqrt(2.0 / symbols) * expected);
}

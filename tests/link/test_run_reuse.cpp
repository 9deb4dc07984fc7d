// What the speed work of issue 9 reuses instead of recomputing must give the numbers the
// recomputation gives: the sensitivity search's replayed prefix, the received OMA read from the
// main run's noiseless photocurrent, overlap-save kernels shared between filter copies with
// per-thread scratch buffers; and the slicer's faster searches must still find what their
// definitions say (the coarse delay of a known channel, the stationary point of the expected
// errors in closed form).
#include <catch2/catch.hpp>

#include <cmath>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "devices/receivers/photodetector.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/optical_rx.hpp"
#include "link/segments.hpp"
#include "phy/analysis/record_memo.hpp"
#include "phy/analysis/slicer.hpp"
#include "phy/overlap_save.hpp"
#include "phy/pam.hpp"
#include "phy/random.hpp"

using namespace optilane;

namespace {

const std::string source = OPTILANE_SOURCE_DIR;

/// The config at 8192 symbols, analyses off; of a retimed link, the segment with the optical
/// receiver.
LinkConfig short_config(const std::string& path, std::vector<std::string> extra = {}) {
  std::vector<std::string> overrides = {"signal.symbols=8192", "analysis.monte_carlo=false",
                                        "analysis.noise_budget=false",
                                        "analysis.sensitivity=false"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  for (const LinkConfig& segment :
       split_segments(parse_link_config(resolve_config(path, overrides)))) {
    for (const auto& block : build_chain(segment, 0)) {
      if (dynamic_cast<const PhotodetectorBlock*>(block.get()) != nullptr) return segment;
    }
  }
  FAIL("no segment with a photodetector: " << path);
  return {};
}

std::vector<std::unique_ptr<Block>> clone_of(const std::vector<std::unique_ptr<Block>>& chain) {
  std::vector<std::unique_ptr<Block>> copy;
  for (const auto& block : chain) copy.push_back(block->clone());
  return copy;
}

std::size_t photodetector_position(const std::vector<std::unique_ptr<Block>>& chain) {
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (dynamic_cast<const PhotodetectorBlock*>(chain[i].get()) != nullptr) return i;
  }
  FAIL("no photodetector in the chain");
  return 0;
}

void check_same_slicer(const SlicerResult& a, const SlicerResult& b) {
  CHECK(a.ber_semi_analytic == b.ber_semi_analytic);
  CHECK(a.ser_semi_analytic == b.ser_semi_analytic);
  CHECK(a.level_means == b.level_means);
  CHECK(a.noise_rms_per_level == b.noise_rms_per_level);
  CHECK(a.thresholds == b.thresholds);
  CHECK(a.eye_height == b.eye_height);
}

}  // namespace

TEST_CASE("A replayed chain prefix gives bit for bit the run that computes it",
          "[link][reuse][speed]") {
  // Lane A (laser with phase noise, MZM, fibre) and a tier preset with an EML and a DSP receiver:
  // the blocks before the photodetector are recorded by one run and replayed by the next; both
  // must equal a run that computes them, to the last bit (the sensitivity search relies on it).
  for (const std::string& path : {source + "/bench/configs/lane-a.yaml",
                                  source + "/examples/tiers/pluggable-dsp-200g.yaml"}) {
    INFO(path);
    const LinkConfig config = short_config(path, {"lanes.count=1"});
    const auto fresh = build_chain(config, 0);
    PrefixRecord prefix;
    prefix.blocks = photodetector_position(fresh);
    REQUIRE(prefix.blocks > 0);
    const LaneResult computed = run_lane_with_chain(config, 0, clone_of(fresh));
    const LaneResult recording =
        run_lane_with_chain(config, 0, clone_of(fresh), all_noise, false, &prefix);
    REQUIRE(prefix.recorded);
    CHECK(prefix.noisy.size() == 4);  // 8192 symbols in chunks of 2048
    const LaneResult replayed =
        run_lane_with_chain(config, 0, clone_of(fresh), all_noise, false, &prefix);
    check_same_slicer(recording.slicer, computed.slicer);
    check_same_slicer(replayed.slicer, computed.slicer);

    // A run longer than the record cannot replay it.
    LinkConfig longer = config;
    longer.signal.symbols = 3 * 8192;
    CHECK_THROWS_AS(run_lane_with_chain(longer, 0, clone_of(fresh), all_noise, false, &prefix),
                    std::logic_error);
  }
}

TEST_CASE(
    "The received OMA from the main run's noiseless photocurrent equals a re-run cut at the PD",
    "[link][reuse][optical_rx][speed]") {
  // analyse_optical_receiver without a tap re-runs the chain up to the photodetector with every
  // noise off; with the main run's tap it reads the twin's photocurrent. Same samples, same
  // calibration: the same OMA to the last bit. Main runs longer than the analysis' 8192 symbols
  // and chains with a DSP receiver included.
  for (const std::string& path :
       {source + "/bench/configs/lane-a.yaml", source + "/examples/mzm-106g.yaml",
        source + "/examples/tiers/cpo-100g.yaml", source + "/examples/eml-53g.yaml"}) {
    INFO(path);
    const LinkConfig config = short_config(path, {"lanes.count=1", "signal.symbols=12000"});
    auto chain = build_chain(config, 0);
    std::optional<NoiselessTap> tap = received_oma_tap(config, chain);
    REQUIRE(tap);
    const LaneResult main =
        run_lane_with_chain(config, 0, std::move(chain), all_noise, true, nullptr, &*tap);
    CHECK(tap->levels.size() == 8192u);
    LaneResult with_tap = main, rerun = main;
    analyse_optical_receiver(config, 0, with_tap, &*tap);
    analyse_optical_receiver(config, 0, rerun, nullptr);
    REQUIRE(with_tap.optical_rx);
    REQUIRE(rerun.optical_rx);
    CHECK(std::isfinite(rerun.optical_rx->oma_outer_dbm));
    CHECK(with_tap.optical_rx->oma_outer_dbm == rerun.optical_rx->oma_outer_dbm);
  }
}

TEST_CASE(
    "The optical receiver analyses from the main run's chain copies and record equal recomputation",
    "[link][reuse][optical_rx][speed]") {
  // run_lane hands analyse_optical_receiver copies of its chain as built (not a second build) and
  // its record of the blocks before the photodetector: the noise-budget runs replay its noiseless
  // path, the sensitivity search its noisy path. The noise budget, the sensitivity search, the
  // spot check and the penalties must come out bit for bit as from a rebuilt chain run afresh.
  // Main runs equal to the analyses' 8192 symbols and longer.
  for (const std::string& path :
       {source + "/examples/tiers/cpo-100g.yaml", source + "/bench/configs/lane-a.yaml"}) {
    for (const char* symbols : {"signal.symbols=8192", "signal.symbols=10000"}) {
      INFO(path << ", " << symbols);
      const LinkConfig config = short_config(path, {"lanes.count=1", "analysis.noise_budget=true",
                                                    "analysis.sensitivity=true", symbols});
      auto chain = build_chain(config, 0);
      std::vector<std::unique_ptr<Block>> fresh = clone_of(chain);
      std::optional<NoiselessTap> tap = received_oma_tap(config, chain);
      REQUIRE(tap);
      PrefixRecord before_pd;
      before_pd.blocks = tap->block;
      before_pd.max_chunks = 4;
      const LaneResult main =
          run_lane_with_chain(config, 0, std::move(chain), all_noise, true, &before_pd, &*tap);
      REQUIRE(before_pd.recorded);
      CHECK(before_pd.noisy.size() == 4u);
      LaneResult reused = main, rebuilt = main;
      analyse_optical_receiver(config, 0, reused, &*tap, std::move(fresh), &before_pd);
      analyse_optical_receiver(config, 0, rebuilt, nullptr);
      REQUIRE(reused.optical_rx);
      REQUIRE(rebuilt.optical_rx);
      const OpticalRxResult& a = *reused.optical_rx;
      const OpticalRxResult& b = *rebuilt.optical_rx;
      CHECK(a.oma_outer_dbm == b.oma_outer_dbm);
      // Lane A does not close (no sensitivity: NaN in both); cpo-100g has one.
      CHECK(std::isnan(a.sensitivity_oma_dbm) == std::isnan(b.sensitivity_oma_dbm));
      if (!std::isnan(b.sensitivity_oma_dbm)) CHECK(a.sensitivity_oma_dbm == b.sensitivity_oma_dbm);
      CHECK(a.noise_rms_a == b.noise_rms_a);
      CHECK(a.waterfall_ber == b.waterfall_ber);
      CHECK(a.spot_check_errors == b.spot_check_errors);
      CHECK(a.penalties_db == b.penalties_db);
      CHECK(a.sensitivity_note == b.sensitivity_note);
    }
  }
}

TEST_CASE(
    "FIR copies share their kernel and per-thread scratch, and still equal direct convolution",
    "[phy][fir][speed]") {
  // Two filters of the same FFT size interleaved chunk by chunk on one thread (they share the
  // scratch buffers) and a copy of one made mid-stream (it shares the taps and H, and copies the
  // history) each equal y[n] = Σ h[k]·x[n−k] computed directly.
  RandomStream rng(11);
  std::vector<double> taps_a(61), taps_b(50), input(4000);
  for (auto& t : taps_a) t = rng.gaussian();
  for (auto& t : taps_b) t = rng.gaussian();
  for (auto& x : input) x = rng.gaussian();
  auto direct = [&](const std::vector<double>& h) {
    std::vector<double> y(input.size(), 0.0);
    for (std::size_t n = 0; n < input.size(); ++n) {
      for (std::size_t k = 0; k < h.size() && k <= n; ++k) y[n] += h[k] * input[n - k];
    }
    return y;
  };
  const std::vector<double> want_a = direct(taps_a), want_b = direct(taps_b);
  RealFirFilter a(taps_a, 256), b(taps_b, 256);
  std::optional<RealFirFilter> copy;
  std::vector<double> out_a(input.size()), out_b(input.size()), out_copy(input.size());
  for (std::size_t start = 0; start < input.size(); start += 500) {
    const auto in = std::span<const double>(input).subspan(start, 500);
    if (start == 2000) copy = a;  // mid-stream: same kernel, same history
    if (copy) copy->process(in, std::span(out_copy).subspan(start, 500));
    a.process(in, std::span(out_a).subspan(start, 500));
    b.process(in, std::span(out_b).subspan(start, 500));
  }
  for (std::size_t n = 0; n < input.size(); ++n) {
    CHECK(out_a[n] == Approx(want_a[n]).margin(1e-11));
    CHECK(out_b[n] == Approx(want_b[n]).margin(1e-11));
    if (n >= 2000) CHECK(out_copy[n] == out_a[n]);  // bit for bit
  }
  // A filter built again from the same taps (a kept kernel) filters bit for bit as the first.
  RealFirFilter again(taps_a, 256), first(taps_a, 256);
  std::vector<double> y1(input.size()), y2(input.size());
  first.process(input, y1);
  again.process(input, y2);
  CHECK(y1 == y2);
  CHECK(again.same_state(first));
}

TEST_CASE("Slicer threshold: the stationary point of the expected errors, in closed form",
          "[phy][slicer][speed]") {
  // Two levels at ±1 without ISI, Gaussian noise σ0 (level 0) and σ1 (level 1), N0 and N1
  // samples. The expected error count C(t) = N0·Q((t+1)/σ0) + N1·Q((1−t)/σ1) is stationary where
  // N1·φ((t−1)/σ1)/σ1 = N0·φ((t+1)/σ0)/σ0, i.e. (A−B)t² + 2(A+B)t + (A−B+c) = 0 with
  // A = 1/(2σ0²), B = 1/(2σ1²), c = ln(N1·σ0/(N0·σ1)). σ_l and N_l are what the slicer measures
  // on the record (RMS of noisy − noiseless per level). The search's stated bound: the final
  // bracket is 1e-4 of the smaller σ, so the answer is within half of that.
  const int symbols = 6000;
  RandomStream rng(5);
  std::vector<int> levels(symbols);
  std::vector<double> clean(symbols), noisy(symbols);
  const double sigma[2] = {0.25, 0.4};
  double sq[2] = {0.0, 0.0}, count[2] = {0.0, 0.0};
  for (int k = 0; k < symbols; ++k) {
    const int l = rng.uniform() < 0.5 ? 0 : 1;
    levels[static_cast<std::size_t>(k)] = l;
    clean[static_cast<std::size_t>(k)] = symbol_level(l, 2);
    const double e = sigma[l] * rng.gaussian();
    noisy[static_cast<std::size_t>(k)] = clean[static_cast<std::size_t>(k)] + e;
    sq[l] += e * e;
    count[l] += 1.0;
  }
  const double s0 = std::sqrt(sq[0] / count[0]), s1 = std::sqrt(sq[1] / count[1]);
  const double a = 1.0 / (2.0 * s0 * s0), b = 1.0 / (2.0 * s1 * s1);
  const double c = std::log(count[1] * s0 / (count[0] * s1));
  // The root in (−1, 1) of (a−b)t² + 2(a+b)t + (a−b+c), a ≠ b here.
  const double qa = a - b, qb = 2.0 * (a + b), qc = a - b + c;
  const double disc = std::sqrt(qb * qb - 4.0 * qa * qc);
  const double r1 = (-qb + disc) / (2.0 * qa), r2 = (-qb - disc) / (2.0 * qa);
  const double expected = std::abs(r1) < 1.0 ? r1 : r2;
  REQUIRE(std::abs(expected) < 1.0);

  const SlicerSettings settings{.levels = 2, .samples_per_symbol = 1, .target_ber = 1e-6};
  const SlicerTiming timing = calibrate_slicer(clean, noisy, levels, settings, 0);
  REQUIRE(timing.offset_samples == 0);
  REQUIRE(timing.thresholds.size() == 1u);
  CHECK(std::abs(timing.thresholds[0] - expected) <= 0.5e-4 * std::min(s0, s1) + 1e-12);
  // The unequal noise pushes the threshold towards the quieter level 0.
  CHECK(expected < 0.0);
}

TEST_CASE("Slicer coarse delay: a known bulk delay and a moving-average channel",
          "[phy][slicer][speed]") {
  // PAM4 held for 16 samples, delayed by D samples and averaged over 16 samples: symbol k's
  // response is a triangle peaking, free of ISI, at sample k·16 + D + 15, so the decision
  // instant the calibration finds is offset D + 15 (the per-phase correlation must pick the
  // right phase and lag).
  const int sps = 16, symbols = 5000;
  for (const int delay : {0, 37, 8191}) {
    INFO("delay " << delay);
    RandomStream rng(7 + static_cast<std::uint64_t>(delay));
    std::vector<int> levels(symbols);
    for (auto& l : levels) l = static_cast<int>(rng.uniform() * 4.0);
    std::vector<double> held(static_cast<std::size_t>(symbols * sps), 0.0);
    for (int n = delay; n < symbols * sps; ++n) {
      held[static_cast<std::size_t>(n)] =
          symbol_level(levels[static_cast<std::size_t>((n - delay) / sps)], 4);
    }
    std::vector<double> clean(held.size(), 0.0);
    for (std::size_t n = 0; n < held.size(); ++n) {
      double sum = 0.0;
      for (int k = 0; k < sps && static_cast<int>(n) - k >= 0; ++k) sum += held[n - k];
      clean[n] = sum / sps;
    }
    std::vector<double> noisy = clean;
    for (auto& v : noisy) v += 0.02 * rng.gaussian();
    const SlicerSettings settings{.levels = 4, .samples_per_symbol = sps, .target_ber = 1e-6};
    const SlicerTiming timing = calibrate_slicer(clean, noisy, levels, settings, delay + 64 * sps);
    CHECK(timing.offset_samples == delay + sps - 1);
  }
}

TEST_CASE("A FIR on a held (staircase) input by the symbol-rate transform equals the plain FIR",
          "[phy][fir][speed]") {
  // y = h ∗ x with x holding each value for `hold` samples: HeldFirFilter (at the value rate, a
  // sum of step responses: one polyphase component of g = h ∗ rect per output phase) against
  // RealFirFilter, over chunks of one and of several overlap-save segments; then a chunk that is
  // not a staircase, after which the plain FIR takes over with the held history. Bound: FFT
  // round-off, 1e-12 of the output's scale (the two differ by ~1e-15 in practice). Sizes: a
  // generic FIR, the MZM electrode's (16,383 taps at 16 samples per symbol), and taps shorter
  // than the hold.
  const std::pair<int, int> size =
      GENERATE(std::pair{3001, 16}, std::pair{16383, 16}, std::pair{5, 3});
  const int tap_count = size.first, hold = size.second;
  INFO(tap_count << " taps, hold " << hold);
  RandomStream rng(21);
  std::vector<double> taps(static_cast<std::size_t>(tap_count));
  for (auto& t : taps) t = rng.gaussian() / std::sqrt(static_cast<double>(tap_count));
  HeldFirFilter held(taps, hold);
  RealFirFilter plain(taps);
  REQUIRE(held.held());
  std::int64_t first = 0;
  double scale = 0.0, worst = 0.0;
  auto run = [&](std::vector<double> x) {
    std::vector<double> want(x.size()), got = x;
    plain.process(x, want);
    held.process(got, got, first);  // in place, as the MZM filters its drive
    first += static_cast<std::int64_t>(x.size());
    for (std::size_t n = 0; n < x.size(); ++n) {
      scale = std::max(scale, std::abs(want[n]));
      worst = std::max(worst, std::abs(got[n] - want[n]));
    }
  };
  auto staircase = [&](std::size_t values) {
    std::vector<double> x(values * hold);
    for (std::size_t j = 0; j < values; ++j) {
      std::fill_n(x.begin() + static_cast<std::ptrdiff_t>(j * hold), hold,
                  static_cast<double>(static_cast<int>(rng.uniform() * 4.0)) - 1.5);
    }
    return x;
  };
  for (std::size_t values : {500u, 2000u, 37u, 800u}) run(staircase(values));
  CHECK(held.held());
  CHECK(worst <= 1e-12 * scale);
  std::vector<double> noisy = staircase(300);
  for (auto& v : noisy) v += 0.01 * rng.gaussian();
  run(noisy);  // not a staircase: the plain FIR from here, from the held history
  CHECK_FALSE(held.held());
  run(staircase(400));
  CHECK(worst <= 1e-12 * scale);
  CHECK(scale > 0.5);
}

TEST_CASE("a memoised result is reused only for the same bytes of input", "[link][cache]") {
  RecordMemo<double, 2> memo;
  int made = 0;
  const std::vector<double> record = {1.0, 2.0, 3.0};
  auto get = [&](std::span<const double> r, int scalar) {
    return memo.get(RecordKey("sum").add(r).add(scalar), [&] {
      ++made;
      return r[0] + r[1] + r[2] + scalar;
    });
  };
  CHECK(get(record, 1) == 7.0);
  CHECK(get(record, 1) == 7.0);
  CHECK(made == 1);  // kept
  std::vector<double> other = record;
  other[2] = std::nextafter(3.0, 4.0);  // one ulp apart: another record
  CHECK(get(other, 1) == 4.0 + std::nextafter(3.0, 4.0));
  CHECK(get(record, 2) == 8.0);  // another scalar
  CHECK(made == 3);
  // Lengths are part of the key: [1, 2] + [3] is not [1] + [2, 3].
  const auto split = [&](std::span<const double> a, std::span<const double> b) {
    return memo.get(RecordKey("split").add(a).add(b), [&] {
      ++made;
      return static_cast<double>(a.size());
    });
  };
  CHECK(split(std::span(record).first(2), std::span(record).last(1)) == 2.0);
  CHECK(split(std::span(record).first(1), std::span(record).last(2)) == 1.0);
  CHECK(made == 5);
  record_memo_enabled() = false;
  CHECK(get(record, 1) == 7.0);
  CHECK(made == 6);  // off: computed
  record_memo_enabled() = true;
}

TEST_CASE(
    "lanes sharing the noiseless record's pulse fit, coarse delay and received OMA give the "
    "unshared results bit for bit",
    "[link][cache]") {
  // Three lanes of one wavelength and PRBS13Q: the noiseless record, so the pulse fit, the
  // slicer's coarse delay and the received OMA's fits, are the same on each; their noise differs.
  const LinkConfig config =
      short_config(source + "/examples/tiers/lpo-100g.yaml", {"lanes.count=3"});
  auto run = [&](bool shared) {
    record_memo_enabled() = shared;
    std::vector<LaneResult> lanes;
    for (int lane = 0; lane < 3; ++lane) lanes.push_back(run_lane(config, lane));
    record_memo_enabled() = true;
    return lanes;
  };
  const std::vector<LaneResult> alone = run(false);
  const std::vector<LaneResult> shared = run(true);
  for (std::size_t lane = 0; lane < 3; ++lane) {
    const LaneResult& a = alone[lane];
    const LaneResult& b = shared[lane];
    REQUIRE(a.pulse);
    REQUIRE(b.pulse);
    CHECK(a.pulse->response == b.pulse->response);
    CHECK(a.pulse->dc == b.pulse->dc);
    CHECK(a.pulse->fit_residual_rms == b.pulse->fit_residual_rms);
    CHECK(a.slicer.thresholds == b.slicer.thresholds);
    CHECK(a.slicer.ber_semi_analytic == b.slicer.ber_semi_analytic);
    REQUIRE(a.statistical);
    REQUIRE(b.statistical);
    CHECK(a.statistical->ber == b.statistical->ber);
    CHECK(a.statistical->eye_height == b.statistical->eye_height);
    CHECK(a.statistical->contour_ber == b.statistical->contour_ber);
    REQUIRE(a.optical_rx);
    REQUIRE(b.optical_rx);
    CHECK(a.optical_rx->oma_outer_dbm == b.optical_rx->oma_outer_dbm);
  }
  // The lanes' noise differs (their BERs do), while the shared fit is one value.
  CHECK(shared[0].slicer.ber_semi_analytic != shared[1].slicer.ber_semi_analytic);
  CHECK(shared[0].pulse->response == shared[2].pulse->response);
}

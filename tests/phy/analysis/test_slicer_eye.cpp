// The slicer's eye histogram covers the received symbols, not the chain's start-up: a record that
// begins with a settling transient (an AC-coupled TIA's −DC step before the first symbol arrives)
// must not stretch the eye's amplitude axis. The ISI histogram keeps the whole record's span as
// its base, so the semi-analytic figures do not depend on where the eye's axis lies.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "phy/analysis/slicer.hpp"

using namespace optilane;

namespace {

constexpr int sps = 4;
constexpr int lead_samples = 40;       ///< the start-up: no symbol yet
constexpr double start_up_level = -2;  ///< its value (−DC of an AC-coupled stage)

/// PAM4 levels −½, −⅙, ⅙, ½ held for a symbol each, after `lead_samples` of the start-up level;
/// the noisy record adds a small deterministic ripple (σ ≈ 0.014, far inside the eye).
struct Record {
  std::vector<double> clean, noisy;
  std::vector<int> levels;
};

Record make_record(int symbols) {
  Record r;
  r.clean.assign(lead_samples, start_up_level);
  for (int k = 0; k < symbols; ++k) {
    const int level = (k * 7 + k / 3) % 4;  // every level, no short period
    r.levels.push_back(level);
    for (int s = 0; s < sps; ++s) r.clean.push_back(-0.5 + level / 3.0);
  }
  r.noisy = r.clean;
  for (std::size_t i = 0; i < r.noisy.size(); ++i) r.noisy[i] += 0.02 * std::sin(0.7 * i);
  return r;
}

}  // namespace

TEST_CASE("the eye histogram's range leaves out the start-up before the first symbol",
          "[phy][analysis][slicer]") {
  const Record r = make_record(2000);
  SlicerSettings settings;
  settings.samples_per_symbol = sps;
  const SlicerTiming timing = calibrate_slicer(r.clean, r.noisy, r.levels, settings, 64 * sps);
  // Symbol 0's decision instant lies inside its held symbol: lead + [0, sps).
  CHECK(timing.offset_samples >= lead_samples);
  CHECK(timing.offset_samples < lead_samples + sps);
  // Eye: the symbols' range ±(½ + 0.02) with 15 % of its span on either side.
  const double top = 0.5 + 0.02, span = 2 * top;
  CHECK(timing.amplitude_max == Approx(top + 0.15 * span).margin(1e-3));
  CHECK(timing.amplitude_min == Approx(-top - 0.15 * span).margin(1e-3));
  // The whole record, start-up included: from −2 (its lowest sample, the ripple there included).
  const double low = start_up_level - 0.02, whole = top - low;
  CHECK(timing.record_min == Approx(low - 0.15 * whole).margin(1e-3));
  CHECK(timing.record_max == Approx(top + 0.15 * whole).margin(1e-3));

  // The accumulator's eye axis is the eye range; its semi-analytic BER, from the ISI histogram on
  // the whole record's span, is bit for bit the one with the eye axis on that span too.
  auto run = [&](const SlicerTiming& t) {
    SlicerAccumulator accumulator(settings, t);
    accumulator.add(
        0, r.noisy, r.clean,
        [&](std::int64_t k) { return r.levels[static_cast<std::size_t>(k) % r.levels.size()]; },
        [&](std::int64_t k) { return r.levels[static_cast<std::size_t>(k) % r.levels.size()]; });
    return accumulator.result();
  };
  const SlicerResult narrow = run(timing);
  SlicerTiming wide = timing;
  wide.amplitude_min = timing.record_min;
  wide.amplitude_max = timing.record_max;
  const SlicerResult stretched = run(wide);
  REQUIRE_FALSE(narrow.eye.amplitude.empty());
  CHECK(narrow.eye.amplitude.front() > timing.amplitude_min);
  CHECK(narrow.eye.amplitude.back() < timing.amplitude_max);
  CHECK(stretched.eye.amplitude.front() < start_up_level);
  CHECK(narrow.ber_semi_analytic == stretched.ber_semi_analytic);
  CHECK(narrow.noise_rms_per_level == stretched.noise_rms_per_level);
  // A timing without a record range (built by hand) takes the eye's range for both, as before.
  SlicerTiming by_hand = wide;
  by_hand.record_min = by_hand.record_max = std::nan("");
  CHECK(run(by_hand).ber_semi_analytic == stretched.ber_semi_analytic);
}

TEST_CASE("the eye histogram draws the waveform as a trace, linear between samples",
          "[phy][analysis][slicer]") {
  // Symbols −½, +½, −½, … held for sps = 4 samples each. With the decision instant at sample 1 of
  // each symbol, sample n lies at phase (n + 1) mod 4 − 2, so a symbol's last sample sits 2
  // samples before the next instant and the trace from it to the next symbol's first sample is
  // the straight line between ∓½ and ±½: its point j of c (c = ⌈64/4⌉ = 16 per sample interval)
  // lies at ∓½ ± j/c, at (−2 + j/c) samples from the instant. Within a symbol the trace is flat.
  SlicerSettings settings;
  settings.samples_per_symbol = sps;
  settings.levels = 2;
  SlicerTiming timing;
  timing.offset_samples = 1;
  timing.thresholds = {0.0};
  timing.level_means = {-0.5, 0.5};
  timing.amplitude_min = -1.003;  // bin edges away from the trace points
  timing.amplitude_max = 1.003;
  std::vector<double> record;
  constexpr int symbols = 200;
  for (int k = 0; k < symbols; ++k) {
    for (int s = 0; s < sps; ++s) record.push_back(k % 2 == 0 ? -0.5 : 0.5);
  }
  SlicerAccumulator accumulator(settings, timing);
  auto level = [](std::int64_t k) { return static_cast<int>(k % 2); };
  // In two chunks: the trace continues across the boundary.
  const std::span<const double> all(record);
  accumulator.add(0, all.first(301), all.first(301), level, level);
  accumulator.add(301, all.subspan(301), all.subspan(301), level, level);
  const EyeHistogram eye = accumulator.result().eye;
  constexpr int c = 16;
  REQUIRE(eye.columns_per_sample == c);
  REQUIRE(eye.time_bins == 2 * sps * c);
  REQUIRE(eye.time_ui.size() == static_cast<std::size_t>(eye.time_bins));
  const auto instant = static_cast<std::size_t>(sps * c);  // window column of the instant
  CHECK(eye.time_ui[instant] == 0.0);
  CHECK(eye.time_ui[1] - eye.time_ui[0] == Approx(1.0 / (sps * c)));
  // N samples give N points of their own and (c − 1) on each of the N − 1 segments between
  // them; each point is drawn twice in the 2-UI window (at its time and one UI away).
  std::uint64_t total = 0;
  for (std::uint64_t n : eye.counts) total += n;
  const std::uint64_t samples = record.size();
  CHECK(total == 2 * (samples + (samples - 1) * (c - 1)));
  const auto bins = static_cast<std::size_t>(eye.amplitude_bins);
  const double inverse_bin = 1.0 / ((timing.amplitude_max - timing.amplitude_min) / bins);
  auto bin_of = [&](double v) {
    return static_cast<std::size_t>((v - timing.amplitude_min) * inverse_bin);
  };
  auto filled_bins = [&](std::size_t column) {
    std::vector<std::size_t> filled;
    for (std::size_t a = 0; a < bins; ++a) {
      if (eye.counts[column * bins + a] > 0) filled.push_back(a);
    }
    return filled;
  };
  for (int j = 1; j < c; ++j) {
    INFO("trace point " << j << " of " << c);
    const double rise = -0.5 + static_cast<double>(j) / c;
    std::vector<std::size_t> expected = {bin_of(rise), bin_of(-rise)};
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    CHECK(filled_bins(instant - static_cast<std::size_t>(2 * c) + static_cast<std::size_t>(j)) ==
          expected);
    // Inside a symbol (from the instant towards the next sample): flat at ±½.
    CHECK(filled_bins(instant + static_cast<std::size_t>(j)) ==
          std::vector<std::size_t>{bin_of(-0.5), bin_of(0.5)});
  }
}

// The slicer's eye histogram covers the received symbols, not the chain's start-up: a record that
// begins with a settling transient (an AC-coupled TIA's −DC step before the first symbol arrives)
// must not stretch the eye's amplitude axis. The ISI histogram keeps the whole record's span as
// its base, so the semi-analytic figures do not depend on where the eye's axis lies.
#include <catch2/catch.hpp>

#include <cmath>
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

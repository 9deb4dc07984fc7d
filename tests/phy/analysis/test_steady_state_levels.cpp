// Steady-state PAM levels (OMA_outer as IEEE 802.3 cl. 121.8.4 defines it: P3 − P0 over the
// central 2 UI of long runs) from a random-pattern record, against closed forms on a one-pole
// channel.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "phy/analysis/steady_state_levels.hpp"

using namespace optilane;

namespace {

struct Record {
  std::vector<double> samples;
  std::vector<int> levels;
};

/// PAM4 levels at `power` (unequal spacing allowed), `sps` samples per symbol, through the
/// one-pole low-pass x[n] = α·x[n−1] + (1−α)·u[n] (DC gain 1), delayed by `delay` samples.
Record one_pole_record(const std::vector<double>& power, int sps, double alpha, int delay,
                       int symbols, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> level(0, 3);
  Record r;
  for (int k = 0; k < symbols; ++k) r.levels.push_back(level(rng));
  // A square wave inside the record: 8 threes, 8 zeros (the 802.3 measurement's long runs).
  for (int k = 0; k < 16; ++k) r.levels[1000 + static_cast<std::size_t>(k)] = k < 8 ? 3 : 0;
  double x = power[0];
  r.samples.assign(static_cast<std::size_t>(delay), power[0]);
  for (int k = 0; k < symbols; ++k) {
    for (int q = 0; q < sps; ++q) {
      x = alpha * x + (1.0 - alpha) * power[static_cast<std::size_t>(r.levels[k])];
      r.samples.push_back(x);
    }
  }
  return r;
}

}  // namespace

TEST_CASE("Steady-state levels equal the sent levels through a DC-gain-1 channel with ISI",
          "[analysis][oma]") {
  // Unequal spacing (RLM 0.88): 0.1, 0.42, 0.68, 1.0 mW.
  const std::vector<double> power = {0.1e-3, 0.42e-3, 0.68e-3, 1.0e-3};
  const int sps = 8;
  const double alpha = 0.8;  // per sample: α^sps = 0.168 of a symbol's step still to settle
  for (int delay : {0, 37}) {
    INFO("delay " << delay << " samples");
    const Record r = one_pole_record(power, sps, alpha, delay, 8192, 5u);
    const std::vector<double> settled =
        steady_state_levels(r.samples, sps, r.levels, 4, static_cast<double>(delay));
    REQUIRE(settled.size() == 4);
    // The one-pole's tail beyond the 32 post-cursors is α^(32·8) ≈ 1e-25: exact to round-off.
    for (std::size_t l = 0; l < 4; ++l) CHECK(settled[l] == Approx(power[l]).epsilon(1e-9));

    // The same figure by the 802.3 definition: the mean over the central 2 UI of the runs of 8.
    auto central_mean = [&](int first_symbol) {
      double sum = 0.0;
      const int start = delay + (first_symbol + 3) * sps;
      for (int n = start; n < start + 2 * sps; ++n) sum += r.samples[static_cast<std::size_t>(n)];
      return sum / (2 * sps);
    };
    // After 3 UI of a run the step has settled to α^(3·8) = 5e-3 of itself.
    const double oma_square_wave = central_mean(1000) - central_mean(1008);
    CHECK(settled[3] - settled[0] == Approx(oma_square_wave).epsilon(0.02));

    // What the levels' means at a sampling instant read instead: for independent symbols,
    // E[x | a_k] at the end of symbol k = (1−α^sps)·u(a_k) + α^sps·E[u] (the previous symbols
    // average out), so their spread is (1 − α^sps)·OMA: 0.83·OMA here, −0.8 dB.
    const double settle = 1.0 - std::pow(alpha, sps);
    double sum[4] = {}, n[4] = {};
    for (std::size_t k = 100; k + 100 < r.levels.size(); ++k) {
      const auto a = static_cast<std::size_t>(r.levels[k]);
      sum[a] += r.samples[static_cast<std::size_t>(delay) + (k + 1) * sps - 1];
      n[a] += 1.0;
    }
    const double instant_spread = sum[3] / n[3] - sum[0] / n[0];
    CHECK(instant_spread == Approx(settle * (power[3] - power[0])).epsilon(0.03));
    CHECK(instant_spread < 0.9 * (settled[3] - settled[0]));
  }
}

TEST_CASE("Steady-state levels reject a record shorter than the cursor window", "[analysis][oma]") {
  const std::vector<double> samples(8 * 100, 0.0);
  const std::vector<int> levels(100, 0);
  CHECK_THROWS_AS(steady_state_levels(samples, 8, levels, 4, 0.0), std::invalid_argument);
}

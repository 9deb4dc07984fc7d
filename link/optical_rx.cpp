#include "link/optical_rx.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "channels/optical/fiber.hpp"
#include "channels/optical/optical_attenuator.hpp"
#include "channels/optical/optical_connector.hpp"
#include "channels/optical/wdm_filter.hpp"
#include "devices/receivers/photodetector.hpp"
#include "phy/analysis/record_memo.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/analysis/steady_state_levels.hpp"
#include "phy/pam.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

/// Symbols of each noise-budget and sweep run: 2048 decisions per PAM4 level estimate σ to ~1.6 %.
constexpr std::uint64_t analysis_symbols = 8192;

using Chain = std::vector<std::unique_ptr<Block>>;

Chain clone_chain(const Chain& chain, std::size_t end) {
  Chain copy;
  for (std::size_t i = 0; i < end; ++i) copy.push_back(chain[i]->clone());
  return copy;
}

LinkConfig run_config(const LinkConfig& config, std::uint64_t symbols, bool monte_carlo) {
  LinkConfig c = config;
  c.signal.symbols = std::min<std::uint64_t>(config.signal.symbols, symbols);
  c.analysis.monte_carlo.enabled = monte_carlo;
  c.analysis.monte_carlo.max_symbols = monte_carlo ? symbols : 0;
  c.analysis.probe_uis = 0;
  c.analysis.statistical_eye = false;  // only BER figures are used from these runs
  return c;
}

double spread(const SlicerResult& s) {
  return s.level_means.empty() ? 0.0 : s.level_means.back() - s.level_means.front();
}

double mean_variance(const SlicerResult& s) {
  double v = 0.0;
  for (double r : s.noise_rms_per_level) v += r * r;
  return s.noise_rms_per_level.empty() ? 0.0
                                       : v / static_cast<double>(s.noise_rms_per_level.size());
}

double channel_loss_db(const Chain& chain, std::size_t pd_index) {
  double loss = 0.0;
  for (std::size_t i = 0; i < pd_index; ++i) {
    if (const auto* f = dynamic_cast<const FiberBlock*>(chain[i].get())) loss += f->loss_db();
    if (const auto* a = dynamic_cast<const OpticalAttenuatorBlock*>(chain[i].get())) {
      loss += a->loss_db();
    }
    if (const auto* c = dynamic_cast<const OpticalConnectorBlock*>(chain[i].get())) {
      loss += c->loss_db();
    }
    if (const auto* w = dynamic_cast<const MuxBlock*>(chain[i].get())) loss += w->loss_db();
  }
  return loss;
}

/// Attenuation before the photodetector at which the semi-analytic BER crosses the target.
struct Crossing {
  std::optional<double> loss_db;
  std::string failure;  ///< why there is none
};

/// Search in "Q-dB": g(L) = 10·log10(q(BER(L))/q(target)) with q = Q⁻¹(BER); for a
/// thermal-noise-limited receiver Q ∝ photocurrent ∝ received power, so g is the remaining margin
/// in optical dB and falls with slope −1 in L. Newton steps with that slope (never past the
/// crossing while signal-dependent noise makes g shallower, plus 2 % and 0.05 dB so the step near
/// the crossing brackets it) until bracketed, then secant steps on g inside the bracket, to
/// 0.02 dB or |g| < 0.005 dB. About 8 runs on the tier presets where 3 dB steps and bisection
/// took ~14.
Crossing find_crossing(const std::function<double(double)>& ber_at, double target) {
  auto q_db = [&](double ber) {
    const double clamped = std::clamp(ber, 1e-300, 0.25);
    return 10.0 * std::log10(q_inverse(clamped) / q_inverse(target));
  };
  double lo = 0.0;
  const double ber_0 = ber_at(0.0);
  if (!(ber_0 <= target))
    return {std::nullopt, "the target BER is not reached even without extra attenuation"};
  double g_lo = q_db(ber_0), hi = 60.0, g_hi = 0.0;
  bool bracketed = false;
  double least_step = 0.25;  // doubles while unbracketed: a flat g (an ISI-limited BER) still
                             // reaches the 60 dB cap in ~8 steps
  for (int step = 0; step < 24; ++step) {
    double next = 0.0;
    if (!bracketed) {
      next = std::min(lo + std::max(1.02 * g_lo + 0.05, least_step), 60.0);
      least_step *= 2.0;
      if (next <= lo) break;  // at the 60 dB cap
    } else {
      if (hi - lo <= 0.02) break;
      const double secant = lo + g_lo * (hi - lo) / (g_lo - g_hi);
      const double edge = 0.05 * (hi - lo);
      next = std::clamp(secant, lo + edge, hi - edge);
    }
    const double b = ber_at(next);
    const double g = q_db(b);
    if (b <= target) {
      lo = next;
      g_lo = g;
      if (bracketed && g < 0.005) break;  // within 0.005 dB of the crossing
    } else {
      hi = next;
      g_hi = g;
      bracketed = true;
      if (-g < 0.005) break;
    }
  }
  if (!bracketed) {
    return {std::nullopt, lo >= 60.0 ? "the BER stays below target up to 60 dB of attenuation"
                                     : fmt::format("the search did not bracket the target BER "
                                                   "(last passing attenuation {:.2f} dB)",
                                                   lo)};
  }
  // Interpolation of g inside the last bracket (linear in Q-dB).
  const double t = g_lo > g_hi ? g_lo / (g_lo - g_hi) : 1.0;
  return {lo + std::clamp(t, 0.0, 1.0) * (hi - lo), {}};
}

std::optional<std::size_t> photodetector_index(const Chain& chain) {
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (dynamic_cast<const PhotodetectorBlock*>(chain[i].get()) != nullptr) return i;
  }
  return std::nullopt;
}

}  // namespace

std::optional<NoiselessTap> received_oma_tap(const LinkConfig& config, const Chain& chain) {
  const std::optional<std::size_t> pd_index = photodetector_index(chain);
  if (!pd_index) return std::nullopt;
  NoiselessTap tap;
  tap.block = *pd_index;
  tap.symbols =
      static_cast<std::int64_t>(run_config(config, analysis_symbols, false).signal.symbols);
  return tap;
}

void analyse_optical_receiver(const LinkConfig& config, int lane, LaneResult& result,
                              const NoiselessTap* tap, Chain fresh,
                              const PrefixRecord* main_prefix) {
  const Chain chain = fresh.empty() ? build_chain(config, lane) : std::move(fresh);
  const std::optional<std::size_t> found = photodetector_index(chain);
  if (!found) return;
  const std::size_t pd_index = *found;
  const auto* pd = dynamic_cast<const PhotodetectorBlock*>(chain[pd_index].get());
  OpticalRxResult rx;
  rx.responsivity_a_per_w = pd->params().responsivity_a_per_w;
  rx.channel_loss_db = channel_loss_db(chain, pd_index);
  const double gain_a_per_w = pd->params().ideal ? rx.responsivity_a_per_w
                                                 : rx.responsivity_a_per_w * pd->params().apd_gain;

  // Received OMA: the noiseless photocurrent's steady-state outer levels (OMA_outer as 802.3
  // cl. 121.8.4 measures it, over long runs; phy/analysis/steady_state_levels.hpp). The level means
  // at the slicer's sampling instant read only h0/Σh of it on a channel with ISI; their spread
  // gives the signal gain from the photocurrent to the slicer, which refers the noise to the input.
  const LinkConfig short_run = run_config(config, analysis_symbols, false);
  double oma_current_a = 0.0;  // spread of the level means at the sampling instant
  NoiselessTap own_tap;        // recorded here when the main run did not
  const NoiselessTap* record = nullptr;
  std::optional<std::vector<double>> settled_levels;
  if (tap != nullptr && tap->block == pd_index &&
      static_cast<std::uint64_t>(tap->levels.size()) >= short_run.signal.symbols) {
    // Functions of the noiseless tap alone: the lanes that record the same tap share them
    // (phy/analysis/record_memo.hpp), the level means at the slicer and the settled levels.
    static RecordMemo<std::pair<std::vector<double>, std::vector<double>>, 4> fits;
    const SignalConfig& sig = short_run.signal;
    const auto [means, settled] = fits.get(
        RecordKey("received_oma")
            .add(std::span<const double>(tap->samples))
            .add(std::span<const int>(tap->levels))
            .add(tap->latency_samples)
            .add(sig.symbols)
            .add(sig.samples_per_symbol)
            .add(static_cast<int>(sig.modulation))
            .add(sig.precoding)
            .add(short_run.analysis.target_ber),
        [&] {
          return std::pair{noiseless_level_means(short_run, *tap),
                           steady_state_levels(tap->samples, sig.samples_per_symbol, tap->levels,
                                               levels_of(sig.modulation), tap->latency_samples)};
        });
    oma_current_a = means.empty() ? 0.0 : means.back() - means.front();
    settled_levels = settled;
    record = tap;
  } else {
    own_tap.block = pd_index;
    own_tap.symbols = static_cast<std::int64_t>(short_run.signal.symbols);
    const LaneResult at_pd = run_lane_with_chain(short_run, lane, clone_chain(chain, pd_index + 1),
                                                 0u, false, nullptr, &own_tap);
    oma_current_a = spread(at_pd.slicer);
    record = &own_tap;
  }
  const std::vector<double> settled =
      settled_levels ? *settled_levels
                     : steady_state_levels(record->samples, short_run.signal.samples_per_symbol,
                                           record->levels, levels_of(short_run.signal.modulation),
                                           record->latency_samples);
  const double oma_w = (settled.back() - settled.front()) / gain_a_per_w;
  rx.oma_outer_dbm = oma_w > 0.0 ? w_to_dbm(oma_w) : -std::numeric_limits<double>::infinity();
  // Signal gain from the photocurrent to the slicer.
  const double gain = spread(result.slicer) / oma_current_a;

  // The main run's record before the PD serves the short runs when its chunks are theirs: the
  // first chunks of 2048 symbols of a run as long or longer (the last may be partial in both).
  bool prefix_usable = main_prefix != nullptr && main_prefix->recorded &&
                       main_prefix->blocks == pd_index && pd_index > 0;
  if (prefix_usable) {
    const auto symbols = static_cast<std::int64_t>(short_run.signal.symbols);
    const std::int64_t sps = config.signal.samples_per_symbol;
    std::size_t c = 0;
    for (std::int64_t sent = 0; sent < symbols && prefix_usable; sent += 2048, ++c) {
      const auto samples =
          static_cast<std::size_t>(std::min<std::int64_t>(2048, symbols - sent) * sps);
      prefix_usable = c < main_prefix->noisy.size() && main_prefix->noisy[c].size() == samples;
    }
  }
  // Its noiseless path as both paths: what a run with only kinds no block before the PD adds
  // computes there (Block::noise_sources, held by test_noise_sources to bit-for-bit equality).
  std::optional<PrefixRecord> noiseless_prefix;
  if (prefix_usable && config.analysis.noise_budget) {
    noiseless_prefix.emplace();
    noiseless_prefix->blocks = pd_index;
    noiseless_prefix->recorded = true;
    noiseless_prefix->noisy = main_prefix->clean;
    noiseless_prefix->clean = main_prefix->clean;
  }
  unsigned before_pd_sources = 0u;
  for (std::size_t i = 0; i < pd_index; ++i) before_pd_sources |= chain[i]->noise_sources();

  // Noise budget: one kind at a time.
  const std::pair<const char*, NoiseKind> kinds[] = {{"thermal", NoiseKind::thermal},
                                                     {"shot", NoiseKind::shot},
                                                     {"rin", NoiseKind::rin},
                                                     {"mpi", NoiseKind::mpi},
                                                     {"crosstalk", NoiseKind::crosstalk},
                                                     {"quantization", NoiseKind::quantization},
                                                     {"phase", NoiseKind::phase},
                                                     {"jitter", NoiseKind::jitter},
                                                     {"other", NoiseKind::other}};
  unsigned sources = 0u;
  for (const auto& block : chain) sources |= block->noise_sources();
  for (const auto& [name, kind] : kinds) {
    if (!config.analysis.noise_budget) break;
    if ((sources & static_cast<unsigned>(kind)) == 0u) {
      rx.noise_rms_a.emplace_back(name, 0.0);  // no block of the chain adds this kind
      continue;
    }
    const bool replay = noiseless_prefix && (before_pd_sources & static_cast<unsigned>(kind)) == 0u;
    const LaneResult one = run_lane_with_chain(short_run, lane, clone_chain(chain, chain.size()),
                                               static_cast<unsigned>(kind), false,
                                               replay ? &*noiseless_prefix : nullptr);
    rx.noise_rms_a.emplace_back(name, std::sqrt(mean_variance(one.slicer)) / gain);
  }
  rx.noise_rms_a.emplace_back("total", std::sqrt(mean_variance(result.slicer)) / gain);

  if (config.analysis.sensitivity) {
    const LaneContext context = lane_context(config, lane);
    const double target = config.analysis.target_ber;
    // The chain with an attenuator of `loss_db` before the photodetector; `ideal_fibre` replaces
    // each fibre by an attenuator of its loss (no dispersion, same average power).
    auto swept_chain = [&](double loss_db, bool ideal_fibre) {
      Chain swept;
      for (std::size_t i = 0; i < pd_index; ++i) {
        const auto* fibre = dynamic_cast<const FiberBlock*>(chain[i].get());
        if (ideal_fibre && fibre != nullptr) {
          auto stand_in = std::make_unique<OpticalAttenuatorBlock>(
              OpticalAttenuatorParams{.loss_db = fibre->loss_db()});
          stand_in->set_label(std::string(chain[i]->label()) + "_as_loss");
          stand_in->set_chain_index(chain[i]->chain_index());
          stand_in->prepare(context);
          swept.push_back(std::move(stand_in));
        } else {
          swept.push_back(chain[i]->clone());
        }
      }
      auto attenuator =
          std::make_unique<OpticalAttenuatorBlock>(OpticalAttenuatorParams{.loss_db = loss_db});
      attenuator->set_label("sensitivity_attenuator");
      attenuator->set_chain_index(1000);
      attenuator->prepare(context);
      swept.push_back(std::move(attenuator));
      for (std::size_t i = pd_index; i < chain.size(); ++i) swept.push_back(chain[i]->clone());
      return swept;
    };
    // The blocks before the attenuator are the same in every run of a search (clones of one
    // fresh chain, same noise mask and config): the first run records their output, the others
    // replay it (PrefixRecord).
    PrefixRecord waterfall_prefix;
    waterfall_prefix.blocks = pd_index;
    if (prefix_usable) waterfall_prefix = *main_prefix;  // the main run's noisy path: all noise on
    auto ber_at = [&](double loss_db) {
      const double ber = run_lane_with_chain(short_run, lane, swept_chain(loss_db, false),
                                             all_noise, false, &waterfall_prefix)
                             .slicer.ber_semi_analytic;
      rx.waterfall_oma_dbm.push_back(rx.oma_outer_dbm - loss_db);
      rx.waterfall_ber.push_back(ber);
      return ber;
    };
    const Crossing crossing = find_crossing(ber_at, target);
    if (!crossing.loss_db) {
      rx.sensitivity_note = crossing.failure;
    } else {
      const double loss = *crossing.loss_db;
      // The waterfall's shape around the sensitivity: three more points, 3 and 1.5 dB above and
      // 1 dB below the sensitivity in received OMA.
      for (double offset : {-3.0, -1.5, 1.0}) {
        if (loss + offset > 0.0) (void)ber_at(loss + offset);
      }
      rx.sensitivity_oma_dbm = rx.oma_outer_dbm - loss;
      rx.margin_db = loss;
      rx.sensitivity_note = fmt::format(
          "semi-analytic waterfall with an attenuator before the photodetector, {} symbols a "
          "point; Monte-Carlo spot check at the sensitivity",
          short_run.signal.symbols);
      // Monte-Carlo spot check: enough symbols for ~100 errors, within the run's limits.
      const auto needed =
          static_cast<std::uint64_t>(100.0 / (target * bits_per_symbol(config.signal.modulation)));
      const std::uint64_t cap =
          std::max<std::uint64_t>(config.signal.symbols, config.analysis.monte_carlo.max_symbols);
      LinkConfig spot = run_config(config, std::min(needed, cap), true);
      spot.signal.symbols = std::min(needed, cap);
      spot.analysis.monte_carlo.min_errors = 100;
      const LaneResult check = run_lane_with_chain(spot, lane, swept_chain(loss, false));
      rx.spot_check_ber_monte_carlo = check.slicer.ber_monte_carlo;
      rx.spot_check_ber_semi_analytic = check.slicer.ber_semi_analytic;
      rx.spot_check_errors = check.slicer.bit_errors;
      rx.spot_check_bits = check.slicer.bits;

      // Power penalties (link budget): the extra attenuation the link tolerates with one
      // impairment removed, all else equal — the classic definition of a power penalty as the
      // rise in required received power (Agrawal, Fiber-Optic Communication Systems, 4th ed.,
      // §5.4). Only the impairments the chain has are evaluated.
      if (config.analysis.penalties) {
        auto penalty = [&](const char* name, bool ideal_fibre, unsigned mask) {
          PrefixRecord penalty_prefix;
          penalty_prefix.blocks = pd_index;
          const Crossing without = find_crossing(
              [&](double loss_db) {
                return run_lane_with_chain(short_run, lane, swept_chain(loss_db, ideal_fibre), mask,
                                           false, &penalty_prefix)
                    .slicer.ber_semi_analytic;
              },
              target);
          if (without.loss_db) rx.penalties_db.emplace_back(name, *without.loss_db - loss);
        };
        bool has_fibre = false;
        for (std::size_t i = 0; i < pd_index; ++i) {
          has_fibre = has_fibre || dynamic_cast<const FiberBlock*>(chain[i].get()) != nullptr;
        }
        if (has_fibre) penalty("dispersion", true, all_noise);
        for (const auto& [name, kind] :
             {std::pair{"mpi", NoiseKind::mpi}, std::pair{"crosstalk", NoiseKind::crosstalk}}) {
          if ((sources & static_cast<unsigned>(kind)) != 0u) {
            penalty(name, false, all_noise & ~static_cast<unsigned>(kind));
          }
        }
      }
    }
    // Sort the waterfall by received OMA.
    std::vector<std::size_t> order(rx.waterfall_ber.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return rx.waterfall_oma_dbm[a] < rx.waterfall_oma_dbm[b];
    });
    std::vector<double> oma, ber;
    for (std::size_t i : order) {
      oma.push_back(rx.waterfall_oma_dbm[i]);
      ber.push_back(rx.waterfall_ber[i]);
    }
    rx.waterfall_oma_dbm = std::move(oma);
    rx.waterfall_ber = std::move(ber);
  }
  result.optical_rx = std::move(rx);
}

}  // namespace optilane

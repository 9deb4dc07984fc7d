// Tests of the micro-ring modulator (devices/modulators/mrm.hpp).
#include <catch2/catch.hpp>

#include <cmath>

#include "../tx_helpers.hpp"
#include "devices/modulators/mrm.hpp"
#include "phy/errors.hpp"
#include "phy/pam.hpp"
#include "phy/prbs.hpp"
#include "phy/random.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {
const LaneContext lane106 = test::tx_lane(106.25e9, 16);  // fs = 1.7 THz
}

TEST_CASE("MRM refuses bad settings and needs a carrier", "[devices][modulators][mrm]") {
  CHECK_THROWS_AS(Mrm(MrmParams{.q_loaded = 0.0}), ParameterError);
  CHECK_THROWS_AS(Mrm(MrmParams{.q_loaded = 5000.0, .q_intrinsic = 4000.0}), ParameterError);
  CHECK_THROWS_AS(Mrm(MrmParams{.ambient_offset_m = 10e-9}), ParameterError);
  CHECK_THROWS_AS(Mrm(MrmParams{.heater_efficiency_m_per_w = 0.0}), ParameterError);
  Mrm m(MrmParams{});
  CHECK_FALSE(m.check_input(Domain::electrical, false).empty());
  CHECK(m.check_input(Domain::electrical, true).empty());
}

TEST_CASE("MRM static transmission is the coupled-mode Lorentzian: depth and FWHM = λ/Q_L",
          "[devices][modulators][mrm]") {
  // T(δ) = ((1/τ_i − 1/τ_e)² + δ²)/((1/τ_i + 1/τ_e)² + δ²) (Haus 1984; Little et al. 1997).
  for (RingCoupling coupling : {RingCoupling::under, RingCoupling::over}) {
    Mrm m(MrmParams{.coupling = coupling});
    m.prepare(lane106);
    CHECK(1.0 / m.q_intrinsic() + 1.0 / m.q_external() == Approx(1.0 / 3700.0));
    CHECK(power_ratio_to_db(m.static_transmission_at_detuning(0.0)) == Approx(-16.0));
    // Half depth at ±λ/(2Q_L).
    const double tmin = m.static_transmission_at_detuning(0.0);
    const double half = 1311e-9 / (2.0 * 3700.0);
    CHECK(m.static_transmission_at_detuning(half) == Approx(0.5 * (1.0 + tmin)).epsilon(1e-12));
    CHECK(m.static_transmission_at_detuning(-half) == Approx(0.5 * (1.0 + tmin)).epsilon(1e-12));
  }
  // The time-domain block, settled after a change of drive, lands on the static curve.
  Mrm m(MrmParams{.insertion_loss_db = 0.0});
  m.prepare(lane106);
  std::vector<double> drive;
  for (double v : {-3.0, 0.0, 2.0, 5.0}) drive.insert(drive.end(), 3000, v);
  Signal s = test::carrier_chunk(drive, 1e-3);
  m.process(s);
  for (int k = 0; k < 4; ++k) {
    const double v = drive[3000 * k];
    CHECK(std::norm(s.optical[3000 * k + 2999]) / 1e-3 ==
          Approx(m.static_transmission(v)).epsilon(1e-9));
  }
}

TEST_CASE("MRM step response relaxes with the photon lifetime Q_L/ω₀",
          "[devices][modulators][mrm]") {
  // From far off resonance to on resonance: a − a_ss ∝ e^{−t/τ}, so |s_out − s_ss|² decays as
  // e^{−t/τ_ph}, τ_ph = τ/2 = Q_L/ω₀ (2.57 ps at Q_L = 3700, 1311 nm).
  Mrm m(MrmParams{.detuning_m = 0.0, .insertion_loss_db = 0.0});
  m.prepare(lane106);
  std::vector<double> drive(400, 60.0);  // 60 V × 16.3 pm/V ≈ 1 nm ≫ FWHM
  drive.insert(drive.end(), 400, 0.0);
  Signal s = test::carrier_chunk(drive, 1e-3);
  m.process(s);
  const std::complex<double> ss = s.optical.back();
  const double t = 1.0 / lane106.sample_rate_hz();
  // Least-squares slope of ln|s − s_ss|² over 2..40 samples after the step.
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int n = 0;
  for (int k = 2; k <= 40; ++k) {
    const double x = k * t;
    const double y = std::log(std::norm(s.optical[400 + static_cast<std::size_t>(k)] - ss));
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    ++n;
  }
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  CHECK(-1.0 / slope == Approx(m.photon_lifetime_s()).epsilon(1e-6));
  CHECK(m.photon_lifetime_s() == Approx(3700.0 * 1311e-9 / (2 * pi * 299792458.0)));
}

TEST_CASE("MRM driven slowly follows its static transfer; with detuning a step overshoots",
          "[devices][modulators][mrm]") {
  Mrm m(MrmParams{.insertion_loss_db = 0.0});
  m.prepare(lane106);
  const double fs = lane106.sample_rate_hz();
  std::vector<double> drive(20000);
  for (std::size_t i = 0; i < drive.size(); ++i) {
    drive[i] = 1.0 * std::sin(2.0 * pi * 100e6 * static_cast<double>(i) / fs);
  }
  Signal s = test::carrier_chunk(drive, 1e-3);
  m.process(s);
  double worst = 0.0;
  for (std::size_t i = 0; i < drive.size(); ++i) {
    worst =
        std::max(worst, std::abs(std::norm(s.optical[i]) / 1e-3 - m.static_transmission(drive[i])));
  }
  // Quasi-static lag ≈ τ·ω_mod·|dT/dv|·V ≈ 5e-12·6e8·0.1 ≈ 3e-4.
  CHECK(worst < 1e-3);

  // Step at the detuned operating point: the ring's energy beats at the detuning frequency, so
  // the output power overshoots its final value (photon-lifetime dynamics, not in the static
  // curve).
  std::vector<double> step(200, -1.0);
  step.insert(step.end(), 400, 1.0);
  Mrm r(MrmParams{.insertion_loss_db = 0.0});
  r.prepare(lane106);
  Signal t = test::carrier_chunk(step, 1e-3);
  r.process(t);
  const double final_value = std::norm(t.optical.back());
  const double initial = std::norm(t.optical[199]);
  double extreme = final_value;
  for (std::size_t i = 200; i < t.optical.size(); ++i) {
    const double p = std::norm(t.optical[i]);
    extreme = final_value > initial ? std::max(extreme, p) : std::min(extreme, p);
  }
  CHECK(std::abs(extreme - final_value) > 1e-3 * std::abs(final_value - initial));
}

TEST_CASE("MRM power: heater Δλ/η (or FSR − |Δλ|), drive C·V²·Rs/4; clone and reset agree",
          "[devices][modulators][mrm]") {
  // Hand calculation: +0.5 nm / 73 pm/mW = 6.849 mW; −0.5 nm → (5.7 − 0.5) nm / 73 pm/mW =
  // 71.23 mW; drive 20 fF × 1 V² × 106.25 GBd / 4 = 0.531 mW.
  Mrm warm(MrmParams{.ambient_offset_m = 0.5e-9});
  warm.prepare(lane106);
  CHECK(warm.heater_power_w() == Approx(0.5 / 0.073 * 1e-3));
  Mrm cold(MrmParams{.ambient_offset_m = -0.5e-9});
  cold.prepare(lane106);
  CHECK(cold.heater_power_w() == Approx(5.2 / 0.073 * 1e-3));
  const auto items = warm.power();
  REQUIRE(items.size() == 2);
  CHECK(items[0].category == PowerCategory::modulator);
  CHECK(items[0].power_w == Approx(20e-15 * 106.25e9 / 4.0));
  CHECK(items[1].category == PowerCategory::tuning);

  auto copy = warm.clone();
  const auto drive = test::pam4_drive(256, 16, 1.0);
  Signal a = test::carrier_chunk(drive, 1e-3), b = a, c = a;
  warm.process(a);
  copy->process(b);
  warm.reset();
  warm.process(c);
  for (std::size_t i = 0; i < a.optical.size(); ++i) {
    REQUIRE(a.optical[i] == b.optical[i]);
    REQUIRE(a.optical[i] == c.optical[i]);
  }
}

TEST_CASE(
    "MRM small-signal response: the time-domain ring against the linearised coupled-mode "
    "closed form, and its limits",
    "[devices][modulators][mrm]") {
  // Closed form (mrm.hpp): H(Ω) = √(2/τ_e)·g·[s₀*a₀/(jΩ − p) + s₀a₀*/(jΩ − p*)], p = jδ₀ − 1/τ.
  // 64 samples per symbol at 106.25 GBd (fs = 6.8 THz). The held (zero-order) drive's
  // fundamental is sinc(πf/fs)·e^{−jπf/fs} of the sampled tone, and the block reports the ring at
  // the end of each held sample, (i + 1)/fs, a further e^{+j2πf/fs}: both divided out. What is
  // left, relative to H(0): the staircase's images at fs ± f, answered by the ring at ≈ (c/2λQ_L)
  // / fs ≈ 5e-3 of H(0) and weighted by their sinc ≈ f/fs ≤ 1.3e-2, aliasing back onto f (≤ 1e-4);
  // the (πf/fs)²/6 ≤ 1.2e-4 of the hold's own shape; and second-order terms of the 1 mV drive
  // (0.016 pm, 5e-5 of the linewidth; ≤ 1e-4). Budget 1e-3 of H(0).
  const LaneContext lane = test::tx_lane(106.25e9, 64);
  const double fs = lane.sample_rate_hz();
  Mrm m(MrmParams{.insertion_loss_db = 0.0});
  m.prepare(lane);

  // H(0) is the slope of the static Lorentzian: dT/dv by a central difference (step 1 mV; the
  // Lorentzian's third derivative leaves a relative error ~ (Δ/FWHM)² ≈ 1e-8).
  const double dv = 1e-3;
  const double slope = (m.static_transmission(dv) - m.static_transmission(-dv)) / (2.0 * dv);
  CHECK(m.small_signal_slope_w_per_v(0.0).real() == Approx(slope).epsilon(1e-6));
  CHECK(std::abs(m.small_signal_slope_w_per_v(0.0).imag()) < 1e-12 * std::abs(slope));

  const double amplitude_v = 1e-3;
  for (double f : {5e9, 20e9, 40e9, 60e9, 90e9}) {
    INFO("f = " << f * 1e-9 << " GHz");
    // Whole periods of the tone: n samples with f·n/fs an integer.
    const std::size_t period = static_cast<std::size_t>(std::llround(fs / f));
    const double f_exact = fs / static_cast<double>(period);
    const std::size_t settle = 40 * period, count = 200 * period;
    std::vector<double> drive(settle + count);
    for (std::size_t i = 0; i < drive.size(); ++i) {
      drive[i] = amplitude_v * std::sin(2.0 * pi * f_exact * static_cast<double>(i) / fs);
    }
    Mrm r(m);
    r.reset();
    Signal s = test::carrier_chunk(drive, 1.0);
    r.process(s);
    // Lock-in: the complex amplitude of the output power at f_exact, against the drive's.
    std::complex<double> out{}, in{};
    for (std::size_t i = settle; i < drive.size(); ++i) {
      const std::complex<double> e =
          std::polar(1.0, -2.0 * pi * f_exact * static_cast<double>(i) / fs);
      out += std::norm(s.optical[i]) * e;
      in += drive[i] * e;
    }
    const double x = pi * f_exact / fs;
    const std::complex<double> hold = std::sin(x) / x * std::polar(1.0, x);
    const std::complex<double> measured = out / in / hold;
    const std::complex<double> expected = m.small_signal_slope_w_per_v(f_exact);
    CHECK(std::abs(measured - expected) < 1e-3 * std::abs(m.small_signal_slope_w_per_v(0.0)));
  }

  // Limits of the closed form. On resonance the linear term vanishes (H(0) = 0): no figure.
  Mrm centred(MrmParams{.detuning_m = 0.0});
  centred.prepare(lane);
  CHECK(std::isnan(centred.eo_bandwidth_hz()));
  // Far detuned (|δ₀|τ ≫ 1) the two poles separate and the response beats at |δ₀|: it rises
  // above its DC value near f = |δ₀|/2π, the optical-peaking effect (figures.md §2.4: 52 → 110 GHz
  // by detuning, Photonics Research 2022).
  const double fwhm = 1311e-9 / 3700.0;
  Mrm far(MrmParams{.detuning_m = -1.5 * fwhm});
  far.prepare(lane);
  const double delta0 = 2.0 * pi * speed_of_light_m_per_s / (1311e-9 * 1311e-9) * 1.5 * fwhm;
  CHECK(std::abs(far.small_signal_response(delta0 / (2.0 * pi))) > 1.0);
  CHECK(far.eo_bandwidth_hz() > delta0 / (2.0 * pi));
  // Critically coupled and slightly detuned (|δ₀|τ = 2e-3): one photon-lifetime pole, f₃dB →
  // 1/(2πτ) = c/(2λQ_L), half the optical linewidth (31 GHz at Q_L 3700, 1311 nm); the
  // neglected terms are O((δ₀τ)²) = 4e-6. (Off critical coupling a double pole weighted by the
  // resonance's field depth 10^(−ER/20) joins it: H/H(0) = (1 + m + jΩτ)/((1 + m)(1 + jΩτ)²).)
  Mrm near(MrmParams{.coupling = RingCoupling::critical, .detuning_m = -1e-3 * fwhm});
  near.prepare(lane);
  CHECK(near.eo_bandwidth_hz() ==
        Approx(speed_of_light_m_per_s / (2.0 * 1311e-9 * 3700.0)).epsilon(1e-4));
}

namespace {
// Closed forms of the all-pass ring's static Lorentzian (mrm.hpp): with the depth
// D = 1 − 10^(−ER_res/10) and u = (λ_ring − λ_laser)/HWHM, HWHM = λ/(2·Q_L),
//   T(u) = 1 − D/(1 + u²),
// so for outer levels at u = c ∓ s the OMA is D·[1/(1 + (c − s)²) − 1/(1 + (c + s)²)], stationary
// where u/(1 + u²)² is equal at c − s and c + s, and the extinction is T(c + s)/T(c − s).
double lorentzian(double u, double resonance_extinction_db = 16.0) {
  return 1.0 - (1.0 - db_to_power_ratio(-resonance_extinction_db)) / (1.0 + u * u);
}
double slope_shape(double u) {
  return u / ((1.0 + u * u) * (1.0 + u * u));
}
constexpr double hwhm_1311 = 1311e-9 / (2.0 * 3700.0);
}  // namespace

TEST_CASE("MRM lock max_oma: the detuning where the outer levels' OMA is stationary (closed form)",
          "[devices][modulators][mrm]") {
  for (double swing : {0.5, 1.0, 2.0, 4.0}) {
    INFO("swing " << swing << " V");
    Mrm m(MrmParams{.efficiency_m_per_v = 24.45e-12, .lock = RingLock::max_oma, .swing_v = swing});
    m.prepare(lane106);
    const double c = -m.detuning_m() / hwhm_1311;
    const double s = 0.5 * 24.45e-12 * swing / hwhm_1311;
    REQUIRE(c > s);  // laser on the blue side, levels monotonic in the drive
    CHECK(slope_shape(c - s) == Approx(slope_shape(c + s)).epsilon(1e-6));
    // The block's static levels are the closed-form Lorentzian's.
    const auto [lo, hi] = m.static_outer_levels();
    CHECK(lo == Approx(lorentzian(c - s)).epsilon(1e-9));
    CHECK(hi == Approx(lorentzian(c + s)).epsilon(1e-9));
  }
  // A small swing locks at the steepest point, u = 1/√3, the `steepest` lock.
  Mrm small(MrmParams{.lock = RingLock::max_oma, .swing_v = 1e-2});
  small.prepare(lane106);
  Mrm steepest(MrmParams{});
  steepest.prepare(lane106);
  CHECK(steepest.detuning_m() == Approx(-hwhm_1311 / std::sqrt(3.0)).epsilon(1e-12));
  CHECK(small.detuning_m() == Approx(steepest.detuning_m()).epsilon(1e-5));
}

TEST_CASE("MRM lock max_oma with an extinction floor: the Lorentzian's ER at the lock is the floor",
          "[devices][modulators][mrm]") {
  // CPO-200G's ring (examples/tiers/cpo-200g.yaml): 24.45 pm/V at 2 Vpp, s = 24.45 pm / 177 pm.
  // 802.3dj DR's ER >= 3.5 dB (figures.md §1.6, S) binds: at the unconstrained lock the outer ER
  // is under it, so the lock moves toward the resonance until T(c + s)/T(c − s) = 10^0.35.
  const MrmParams base{.efficiency_m_per_v = 24.45e-12, .lock = RingLock::max_oma, .swing_v = 2.0};
  Mrm free_lock(base);
  free_lock.prepare(lane106);
  MrmParams floored = base;
  floored.min_extinction_db = 3.5;
  Mrm m(floored);
  m.prepare(lane106);
  const double s = 24.45e-12 / hwhm_1311;
  const double c_free = -free_lock.detuning_m() / hwhm_1311;
  const double c = -m.detuning_m() / hwhm_1311;
  INFO("free lock " << free_lock.detuning_m() * 1e12 << " pm, floored " << m.detuning_m() * 1e12
                    << " pm");
  CHECK(power_ratio_to_db(lorentzian(c_free + s) / lorentzian(c_free - s)) < 3.5);
  CHECK(power_ratio_to_db(lorentzian(c + s) / lorentzian(c - s)) == Approx(3.5).epsilon(1e-9));
  CHECK(c > s);
  CHECK(c < c_free);
  // OMA is given up for the ER, and nowhere between the two locks is there more OMA with the ER.
  const auto oma = [&](double x) { return lorentzian(x + s) - lorentzian(x - s); };
  CHECK(oma(c) < oma(c_free));
  for (int k = 1; k < 20; ++k) {
    const double x = c + (c_free - c) * k / 20.0;
    CHECK(power_ratio_to_db(lorentzian(x + s) / lorentzian(x - s)) < 3.5);
  }
  // A floor the swing cannot reach is refused, naming the key.
  floored.min_extinction_db = 20.0;
  Mrm out_of_reach(floored);
  CHECK_THROWS_AS(out_of_reach.prepare(lane106), ParameterError);
}

TEST_CASE("MRM efficiency is a red shift per volt: zero or negative is refused",
          "[devices][modulators][mrm]") {
  // Depletion under reverse bias removes carriers and raises the index (plasma dispersion, Soref
  // & Bennett 1987): the resonance red-shifts. A sign would only relabel the drive's polarity.
  CHECK_THROWS_AS(Mrm(MrmParams{.efficiency_m_per_v = -16.3e-12}), ParameterError);
  CHECK_THROWS_AS(Mrm(MrmParams{.efficiency_m_per_v = 0.0}), ParameterError);
  CHECK_NOTHROW(Mrm(MrmParams{.efficiency_m_per_v = 16.3e-12}));
}

namespace {
// A PAM4 drive held in runs of `run` symbols, the levels cycling 0, 3, 1, 2, 3, 0, 2, 1 at
// peak·(−1, −1/3, 1/3, 1): the outer runs long enough for the ring to sit at its steady state.
std::vector<double> run_drive(std::size_t symbols, int sps, double peak_v, std::size_t run) {
  static constexpr int order[] = {0, 3, 1, 2, 3, 0, 2, 1};
  std::vector<double> v;
  for (std::size_t k = 0; k < symbols; ++k) {
    const int level = order[(k / run) % 8];
    for (int i = 0; i < sps; ++i) v.push_back(peak_v * symbol_level(level, 4));
  }
  return v;
}

/// A ring locked on the modulated levels of `drive` (1 W CW in), after its first chunk.
Mrm locked_on(MrmParams params, const LaneContext& lane, const std::vector<double>& drive) {
  params.lock_levels = RingLockLevels::modulated;
  Mrm m(params);
  m.prepare(lane);
  Signal s = test::carrier_chunk(drive, 1.0);
  m.process(s);
  REQUIRE(m.locked_on_modulation());
  return m;
}

const LaneContext lane53 = test::tx_lane(53.125e9, 16);
}  // namespace

TEST_CASE("MRM lock on the modulated levels: runs held at ±V/2 give the nominal lock",
          "[devices][modulators][mrm]") {
  // Runs of 24 symbols (452 ps at 53.125 GBd) against τ = 2Q_L/ω₀ = 5.2 ps: each window and the
  // 24τ before it lie inside one run, where the exactly integrated ring holds its steady state,
  // the static T(∓V/2) (mrm.hpp). The levels then agree with the static curve's to round-off.
  for (double floor_db : {0.0, 3.5}) {
    INFO("min_extinction " << floor_db << " dB");
    const MrmParams base{.efficiency_m_per_v = 24.45e-12,
                         .lock = RingLock::max_oma,
                         .min_extinction_db = floor_db,
                         .swing_v = 2.0};
    Mrm nominal(base);
    nominal.prepare(lane53);
    const Mrm m = locked_on(base, lane53, run_drive(2048, 16, 1.0, 24));
    // 802.3 cl. 121.8.4's runs of 6 zeros and 7 threes are there (runs of 24).
    CHECK(m.lock_runs() == std::pair{6, 7});
    CHECK(m.lock_drive_levels().first == Approx(-1.0).epsilon(1e-12));
    CHECK(m.lock_drive_levels().second == Approx(1.0).epsilon(1e-12));
    // With the floor binding the lock is a simple root of ER(c) = floor: round-off in the levels
    // moves it by as little. Without it the lock is the maximum of OMA(c), flat to second order:
    // a relative round-off ε ≈ 1e-16 of the levels moves the golden-section argmax by ~√ε = 1e-8
    // of c; budget 1e-6.
    CHECK(m.detuning_m() == Approx(nominal.detuning_m()).epsilon(floor_db > 0.0 ? 1e-9 : 1e-6));
    const auto [p0, p3] = m.lock_levels();
    const auto [t0, t3] = nominal.static_outer_levels();
    CHECK(
        p0 ==
        Approx(nominal.static_transmission_at_detuning(m.detuning_m() + 24.45e-12)).epsilon(1e-9));
    CHECK(
        p3 ==
        Approx(nominal.static_transmission_at_detuning(m.detuning_m() - 24.45e-12)).epsilon(1e-9));
    if (floor_db > 0.0) {
      CHECK(power_ratio_to_db(p3 / p0) == Approx(3.5).epsilon(1e-9));
      CHECK(power_ratio_to_db(t3 / t0) == Approx(3.5).epsilon(1e-9));
    }
  }
}

namespace {
/// `count` PRBS13Q symbols from the pattern's start (IEEE 802.3 cl. 120.5.11.2.1).
std::vector<int> prbs13q(std::size_t count) {
  PatternGenerator pattern(PatternKind::prbs13q, Modulation::pam4, 1);
  std::vector<int> symbols(count);
  pattern.next(symbols);
  return symbols;
}

/// Symbols at ±1 V PAM4 levels with a baseline droop, held over each symbol: d_k = x_k − β·w_k,
/// w_k = w_{k−1} + α·(x_k − w_{k−1}) (an AC-coupled drive's wander, per symbol so that every
/// sample of a symbol carries the same value). A run of L equal symbols sags by β·(1 − (1 − α)^k)
/// of its level after k symbols: the central 2 UI of a run of 7 sit lower than those of a run
/// of 5.
std::vector<double> drooping_drive(const std::vector<int>& symbols, int sps, double beta,
                                   double alpha) {
  std::vector<double> v;
  double w = 0.0;
  for (int s : symbols) {
    const double x = symbol_level(s, 4);
    w += alpha * (x - w);
    for (int i = 0; i < sps; ++i) v.push_back(x - beta * w);
  }
  return v;
}

/// P3/P0 of `out` over the central 2 UI of the runs of `top` (≥ 7) and `bottom` (≥ 6) symbols
/// that start at [from, to) and end before the record does (cl. 121.8.4 as phy/outer_level_runs
/// reads it): the test's own scan, on the known symbols.
double outer_er_on_runs(const Signal& out, const std::vector<int>& symbols, int sps,
                        std::size_t from, std::size_t to, int* threes = nullptr,
                        int* zeros = nullptr) {
  double sum[2] = {0.0, 0.0}, count[2] = {0.0, 0.0};
  int runs[2] = {0, 0};
  for (std::size_t k = 1; k < symbols.size();) {
    std::size_t e = k;
    while (e < symbols.size() && symbols[e] == symbols[k]) ++e;
    const bool top = symbols[k] == 3;
    if ((top || symbols[k] == 0) && symbols[k - 1] != symbols[k] && e < symbols.size() &&
        k >= from && k < to && e - k >= (top ? 7u : 6u)) {
      // The central 2 UI about the midpoint of the run's first and last symbol instants, symbol
      // k's instant at sample k·sps: the eye phase the block finds on a drive held over each
      // symbol (every phase has the same variance; the first is kept), so the same windows.
      const std::size_t begin = k * sps + (e - k - 1) * sps / 2 - sps;
      for (std::size_t i = begin; i < begin + 2 * static_cast<std::size_t>(sps); ++i) {
        sum[top ? 1 : 0] += std::norm(out.optical[i]);
      }
      count[top ? 1 : 0] += 2.0 * sps;
      ++runs[top ? 1 : 0];
    }
    k = e;
  }
  if (threes) *threes = runs[1];
  if (zeros) *zeros = runs[0];
  REQUIRE(count[0] > 0.0);
  REQUIRE(count[1] > 0.0);
  return (sum[1] / count[1]) / (sum[0] / count[0]);
}
}  // namespace

TEST_CASE("MRM lock on a whole-period record: runs held at ±V/2 give the nominal lock",
          "[devices][modulators][mrm]") {
  // As the first-chunk case above, on a record of a periodic drive (period 8 runs of 24 symbols)
  // given before the run (Mrm::lock_on_record): the windows see the static T(∓V/2) of the
  // Lorentzian, so the lock is the nominal one, and the run keeps it (process() does not lock
  // again, reset() does not clear it).
  const MrmParams base{.efficiency_m_per_v = 24.45e-12,
                       .lock = RingLock::max_oma,
                       .min_extinction_db = 3.5,
                       .swing_v = 2.0};
  Mrm nominal(base);
  nominal.prepare(lane53);
  MrmParams params = base;
  params.lock_levels = RingLockLevels::modulated;
  Mrm m(params);
  m.prepare(lane53);
  const std::size_t period = 8 * 24, first = 128;
  m.lock_on_record(run_drive(first + period + 64, 16, 1.0, 24), {}, first, period);
  REQUIRE(m.locked_on_modulation());
  CHECK(m.locked_on_record());
  CHECK(m.lock_runs() == std::pair{6, 7});
  CHECK(m.lock_run_count() == std::pair{2, 2});  // two runs of each outer level per period
  // The floor binds: a simple root of ER(c) = floor, moved by round-off only (budget as above).
  CHECK(m.detuning_m() == Approx(nominal.detuning_m()).epsilon(1e-9));
  const double locked = m.detuning_m();
  Signal s = test::carrier_chunk(test::pam4_drive(2048, 16, 0.5), 1.0);  // no new lock
  m.process(s);
  m.reset();
  CHECK(m.locked_on_modulation());
  CHECK(m.detuning_m() == locked);
}

TEST_CASE(
    "MRM lock on a whole PRBS13Q period: each run of 7 threes / 6 zeros once, the floor met on "
    "them, wherever the period starts",
    "[devices][modulators][mrm]") {
  // PRBS13Q (period 8191 symbols) through a drooping drive (drooping_drive: β = 0.1, α = 0.3 per
  // symbol), whose longer runs sag further. Its first 2048 symbols hold runs of 5 at most, its
  // whole period a run of 7 threes and a run of 6 zeros (counted here on the symbols).
  const int sps = 16;
  const std::size_t period = 8191, first = 128, total = first + period + 64;
  const double beta = 0.1, alpha = 0.3;
  const std::vector<int> symbols = prbs13q(total + 1000);
  MrmParams params{.efficiency_m_per_v = 24.45e-12,
                   .lock = RingLock::max_oma,
                   .min_extinction_db = 3.5,
                   .swing_v = 2.0};
  params.lock_levels = RingLockLevels::modulated;
  auto record_from = [&](std::size_t offset) {
    return std::vector<int>(symbols.begin() + static_cast<std::ptrdiff_t>(offset),
                            symbols.begin() + static_cast<std::ptrdiff_t>(offset + total));
  };
  const std::vector<int> record = record_from(0);
  const std::vector<double> drive = drooping_drive(record, sps, beta, alpha);
  Mrm m(params);
  m.prepare(lane53);
  m.lock_on_record(drive, record, first, period);
  // The runs of the period, on the known symbols: exactly the lock's.
  Mrm probe = m;
  Signal out = test::carrier_chunk(drive, 1.0);
  probe.process(out);
  int threes = 0, zeros = 0;
  const double er = outer_er_on_runs(out, record, sps, first, first + period, &threes, &zeros);
  INFO("period runs: " << threes << " of 7+ threes, " << zeros << " of 6+ zeros");
  CHECK(m.lock_runs() == std::pair{6, 7});
  CHECK(m.lock_run_count() == std::pair{zeros, threes});
  // On the ring's own output over those runs the ER is the floor: the lock integrated the same
  // coupled-mode equation on the same drive from the steady state 24τ before each window (an
  // error e^{−24} ≈ 4e-11 of the field), and the run's ring starts from the steady state of the
  // record's first sample, e^{−(first·UI)/τ} ≈ 0 by then; budget 1e-8 of the ratio.
  CHECK(er == Approx(db_to_power_ratio(3.5)).epsilon(1e-8));
  // The same periodic drive, its record starting 1000 symbols later (the droop forgets its start
  // within the 64 symbols before the decisions: (1 − α)^64 ≈ 1e-10): the same runs, once each,
  // so the same lock — a simple root of ER(c) = floor, moved by round-off only.
  Mrm later(params);
  later.prepare(lane53);
  later.lock_on_record(drooping_drive(record_from(1000), sps, beta, alpha), {}, first, period);
  CHECK(later.lock_run_count() == m.lock_run_count());
  CHECK(later.detuning_m() == Approx(m.detuning_m()).epsilon(1e-9));
  // The first chunk alone (2048 symbols) holds runs of 5: a lock at the floor on them leaves the
  // sagging runs of 7 and 6 under it (the CPO-100G deviation, tests/link/test_tiers.cpp).
  Mrm chunk(params);
  chunk.prepare(lane53);
  chunk.lock_first_chunk(std::vector<double>(drive.begin(), drive.begin() + 2048 * sps));
  CHECK_FALSE(chunk.locked_on_record());
  CHECK(chunk.lock_runs() == std::pair{5, 5});
  Mrm chunk_probe = chunk;
  Signal chunk_out = test::carrier_chunk(drive, 1.0);
  chunk_probe.process(chunk_out);
  const double er_chunk = outer_er_on_runs(chunk_out, record, sps, first, first + period);
  INFO("ER on the period's runs: record lock " << power_ratio_to_db(er) << " dB, first-chunk lock "
                                               << power_ratio_to_db(er_chunk) << " dB");
  CHECK(power_ratio_to_db(er_chunk) < 3.5);
}

TEST_CASE("MRM lock on the modulated levels: the floor holds at the drive the runs reach",
          "[devices][modulators][mrm]") {
  // The runs reach ±a = ±0.93 V, not the nominal ±1 V (the CPO-200G ring's bottom runs sit near
  // there: examples/tiers/cpo-200g.yaml). On the Lorentzian T(u) = 1 − D/(1 + u²) (u in half
  // widths, mrm.hpp) the levels are at c ∓ s_a, s_a = η·a/HWHM: the lock puts
  // T(c + s_a)/T(c − s_a) at the floor exactly, i.e. it is the nominal lock of a 2a swing,
  // while the nominal lock at 2 V leaves the runs under the floor.
  const double a = 0.93, eta = 24.45e-12;
  const MrmParams base{.efficiency_m_per_v = eta,
                       .lock = RingLock::max_oma,
                       .min_extinction_db = 3.5,
                       .swing_v = 2.0};
  const Mrm m = locked_on(base, lane53, run_drive(2048, 16, a, 24));
  const double s_a = eta * a / hwhm_1311;
  const double c = -m.detuning_m() / hwhm_1311;
  CHECK(power_ratio_to_db(lorentzian(c + s_a) / lorentzian(c - s_a)) == Approx(3.5).epsilon(1e-9));
  MrmParams reached = base;
  reached.swing_v = 2.0 * a;
  Mrm equivalent(reached);
  equivalent.prepare(lane53);
  CHECK(m.detuning_m() == Approx(equivalent.detuning_m()).epsilon(1e-9));
  Mrm nominal(base);
  nominal.prepare(lane53);
  const double c_nominal = -nominal.detuning_m() / hwhm_1311;
  CHECK(power_ratio_to_db(lorentzian(c_nominal + s_a) / lorentzian(c_nominal - s_a)) < 3.45);
  // Nearer the resonance: OMA given up for the ER the runs need.
  CHECK(c < c_nominal);
  // The drive cannot reach a floor its runs' swing cannot give: refused, naming the key.
  MrmParams high = base;
  high.min_extinction_db = 5.0;  // reachable at the nominal 2 V, not at 2 × 0.3 V
  high.lock_levels = RingLockLevels::modulated;
  Mrm out_of_reach(high);
  REQUIRE_NOTHROW(out_of_reach.prepare(lane53));
  Signal weak = test::carrier_chunk(run_drive(2048, 16, 0.3, 24), 1.0);
  CHECK_THROWS_AS(out_of_reach.process(weak), ParameterError);
}

TEST_CASE(
    "MRM lock on the modulated levels: the ring's own waveform meets the floor on the 802.3 runs",
    "[devices][modulators][mrm]") {
  // A random PAM4 drive at ±1 V through a one-pole 15 GHz low-pass (the runs of 3–6 symbols at
  // 53.125 GBd stop short of ±1 V) into the 24.45 pm/V ring with an ER floor of 3.5 dB. On the
  // block's own output, P3 and P0 are the mean power over the central min(2, L − 2) UI of the
  // runs of the top and bottom symbols of the lock's lengths (IEEE 802.3 cl. 121.8.4's 7 and 6,
  // or the longest present), at the eye phase of largest drive variance (mrm.hpp, steps 1–2;
  // the symbols are the known ones, which the block's decisions must reproduce on this open
  // eye). Their ratio is the floor: the lock simulates the same coupled-mode equation on the
  // same drive from the steady state 24τ before each window, an error e^{−24} ≈ 4e-11 of the
  // field; budget 1e-8 of the ratio.
  const int sps = 16;
  std::vector<int> levels;
  std::vector<double> drive = test::pam4_drive(2048, sps, 1.0, &levels, 11);
  const double fs = lane53.sample_rate_hz();
  const double alpha = 1.0 - std::exp(-2.0 * pi * 15e9 / fs);
  double y = drive.front();
  for (double& v : drive) v = (y += alpha * (v - y));
  const MrmParams base{.efficiency_m_per_v = 24.45e-12,
                       .lock = RingLock::max_oma,
                       .min_extinction_db = 3.5,
                       .swing_v = 2.0};
  MrmParams params = base;
  params.lock_levels = RingLockLevels::modulated;
  Mrm m(params);
  m.prepare(lane53);
  Signal s = test::carrier_chunk(drive, 1.0);
  m.process(s);
  REQUIRE(m.locked_on_modulation());
  // Named variables, not a structured binding: clang before 16 cannot capture a binding.
  const int want_bottom = m.lock_runs().first;
  const int want_top = m.lock_runs().second;
  INFO("runs " << want_bottom << "/" << want_top << ", drive " << m.lock_drive_levels().first << "/"
               << m.lock_drive_levels().second << " V");
  CHECK(m.lock_drive_levels().second < 1.0);  // the runs do not reach ±1 V
  CHECK(m.lock_drive_levels().first > -1.0);
  // The eye phase: largest variance of the drive over the symbols after the first 64.
  const std::size_t n_sym = levels.size(), skip = 64;
  std::size_t phase = 0;
  double best = -1.0;
  for (std::size_t ph = 0; ph < static_cast<std::size_t>(sps); ++ph) {
    double sum = 0.0, sum_sq = 0.0;
    for (std::size_t k = skip; k < n_sym; ++k) {
      sum += drive[k * sps + ph];
      sum_sq += drive[k * sps + ph] * drive[k * sps + ph];
    }
    const double n = static_cast<double>(n_sym - skip);
    if (sum_sq / n - (sum / n) * (sum / n) > best) {
      best = sum_sq / n - (sum / n) * (sum / n);
      phase = ph;
    }
  }
  const auto outer_er = [&](const Signal& out) {
    double sum[2] = {0.0, 0.0}, count[2] = {0.0, 0.0};
    for (std::size_t k = skip + 1; k < n_sym;) {
      std::size_t e = k;
      while (e < n_sym && levels[e] == levels[k]) ++e;
      const bool top = levels[k] == 3;
      const std::size_t length = e - k;
      if ((levels[k] == 0 || top) && e < n_sym &&
          length >= static_cast<std::size_t>(top ? want_top : want_bottom)) {
        const double width = std::min(2.0, static_cast<double>(length) - 2.0);
        const double middle = static_cast<double>(k * sps + phase) + 0.5 * ((length - 1) * sps);
        const auto begin = static_cast<std::size_t>(std::llround(middle - 0.5 * width * sps));
        const auto end = begin + static_cast<std::size_t>(width * sps);
        for (std::size_t i = begin; i < end; ++i) sum[top ? 1 : 0] += std::norm(out.optical[i]);
        count[top ? 1 : 0] += static_cast<double>(end - begin);
      }
      k = e;
    }
    REQUIRE(count[0] > 0.0);
    REQUIRE(count[1] > 0.0);
    return (sum[1] / count[1]) / (sum[0] / count[0]);
  };
  CHECK(outer_er(s) == Approx(db_to_power_ratio(3.5)).epsilon(1e-8));
  // The nominal lock on the same drive: its runs fall short of the floor (the known deviation of
  // the CPO tiers before this lock).
  Mrm nominal(base);
  nominal.prepare(lane53);
  MrmParams fixed = base;
  fixed.lock = RingLock::steepest;
  fixed.min_extinction_db = 0.0;
  fixed.detuning_m = nominal.detuning_m();
  Mrm at_nominal(fixed);
  at_nominal.prepare(lane53);
  Signal t = test::carrier_chunk(drive, 1.0);
  at_nominal.process(t);
  CHECK(power_ratio_to_db(outer_er(t)) < 3.5);
  CHECK(m.detuning_m() > nominal.detuning_m());  // nearer the resonance
}

TEST_CASE("MRM lock on the modulated levels: both paths of the twin share the noiseless lock",
          "[devices][modulators][mrm]") {
  // The noisy path's drive carries noise the controller averages away (mrm.hpp): both paths
  // take the lock of the noiseless twin's drive, and it is the lock a block alone takes on it.
  const std::vector<double> clean_drive = run_drive(2048, 16, 0.95, 24);
  std::vector<double> noisy_drive = clean_drive;
  RandomStream rng(5);
  for (double& v : noisy_drive) v += 0.02 * rng.gaussian();
  MrmParams params{.efficiency_m_per_v = 24.45e-12,
                   .lock = RingLock::max_oma,
                   .min_extinction_db = 3.5,
                   .swing_v = 2.0};
  params.lock_levels = RingLockLevels::modulated;
  Mrm noisy(params);
  noisy.prepare(lane53);
  auto twin = noisy.clone();
  Signal n = test::carrier_chunk(noisy_drive, 1.0), c = test::carrier_chunk(clean_drive, 1.0);
  noisy.process_twin(n, *twin, c);
  const Mrm alone = locked_on(params, lane53, clean_drive);
  CHECK(noisy.detuning_m() == alone.detuning_m());
  CHECK(dynamic_cast<const Mrm&>(*twin).detuning_m() == alone.detuning_m());
  // reset() returns to the state after prepare(): the nominal lock until the next first chunk.
  noisy.reset();
  CHECK_FALSE(noisy.locked_on_modulation());
  Mrm fresh(params);
  fresh.prepare(lane53);
  CHECK(noisy.detuning_m() == fresh.detuning_m());
  // The key needs lock max_oma and no fixed detuning.
  CHECK_THROWS_AS(Mrm(MrmParams{.lock_levels = RingLockLevels::modulated}), ParameterError);
}

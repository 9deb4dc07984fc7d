// Tests of the micro-ring modulator (devices/modulators/mrm.hpp).
#include <catch2/catch.hpp>

#include <cmath>

#include "../tx_helpers.hpp"
#include "devices/modulators/mrm.hpp"
#include "phy/errors.hpp"
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

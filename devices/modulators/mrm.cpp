#include "devices/modulators/mrm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "devices/modulators/intensity_modulator.hpp"
#include "phy/errors.hpp"
#include "phy/outer_level_runs.hpp"
#include "phy/pam.hpp"
#include "phy/units.hpp"

namespace optilane {

MrmParams MrmParams::read(ParamReader& reader) {
  MrmParams p;
  p.q_loaded = reader.quantity(
      "q_loaded", Dimension::dimensionless, p.q_loaded,
      "Loaded Q. Default 3700 (two-segment 200 Gb/s MRM calibrated in Flexcompute PhotonForge, "
      "figures.md §2.4, verified).",
      Range::positive());
  p.q_intrinsic = reader.optional_quantity(
      "q_intrinsic", Dimension::dimensionless,
      "Intrinsic Q (> q_loaded). Absent: derived from resonance_extinction and coupling.",
      Range::positive());
  p.resonance_extinction_db = reader.quantity(
      "resonance_extinction", Dimension::ratio_db, p.resonance_extinction_db,
      "On-resonance extinction of the through port. Default 16 dB (same device, figures.md §2.4, "
      "verified).",
      Range::positive());
  const std::string coupling = reader.choice(
      "coupling", "under", {"under", "critical", "over"},
      "Coupling regime used with resonance_extinction to split Q_L into Q_i and Q_e. Default "
      "under-coupled, an assumption: the published 16 dB depth fits either regime and no "
      "coupling regime was retrieved.");
  p.coupling = coupling == "over"       ? RingCoupling::over
               : coupling == "critical" ? RingCoupling::critical
                                        : RingCoupling::under;
  p.efficiency_m_per_v = reader.quantity(
      "efficiency", Dimension::length_per_voltage, p.efficiency_m_per_v,
      "Resonance shift per volt of reverse drive, a magnitude: depletion red-shifts the resonance "
      "(plasma dispersion, Soref & Bennett 1987), so a negative value is refused (an inverted "
      "drive is not a negative efficiency). Default 16.3 pm/V (same device, figures.md §2.4, "
      "verified).",
      Range::positive());
  p.detuning_m = reader.optional_quantity(
      "detuning", Dimension::length,
      "Laser wavelength minus ring resonance at zero drive. Absent: set by `lock`.");
  const std::string lock = reader.choice(
      "lock", "steepest", {"steepest", "max_oma"},
      "Where the heater's controller locks the ring when `detuning` is absent: steepest, "
      "-λ/(2√3·Q_L), the steepest point of the Lorentzian on its blue side; max_oma, the "
      "detuning that maximises the outer levels' OMA, at the nominal `swing` or on the modulated "
      "levels (`lock_levels`) (OMA-maximising ring "
      "controllers, Zabihpour et al., summarised at latitudeds.com, secondary), under the "
      "`min_extinction` floor if set.");
  p.lock = lock == "max_oma" ? RingLock::max_oma : RingLock::steepest;
  p.min_extinction_db = reader.quantity(
      "min_extinction", Dimension::ratio_db, p.min_extinction_db,
      "With lock max_oma: floor on the extinction of the outer levels (static at the nominal "
      "swing, or modulated: `lock_levels`); the lock takes the largest OMA that meets it. "
      "Default 0 dB (no floor).",
      Range::non_negative());
  const std::string lock_levels = reader.choice(
      "lock_levels", "nominal", {"nominal", "modulated"},
      "With lock max_oma, the levels its OMA and `min_extinction` are taken on: nominal, the "
      "static curve at the nominal ±swing/2; modulated, the levels the ring puts out on the "
      "drive it receives, as a monitor photodiode of the modulated light sees them (Padmaraju "
      "et al., Opt. Express 21(12), 14342, 2013; Zabihpour et al., summarised at latitudeds.com, "
      "secondary): P3 and P0 over the central 2 UI of the runs of 7 top and 6 bottom symbols of "
      "IEEE 802.3 cl. 121.8.4 (secondary), on a noiseless record of one whole pattern period "
      "before the run, as a controller averaging over milliseconds sees them (mrm.hpp).");
  p.lock_levels = lock_levels == "modulated" ? RingLockLevels::modulated : RingLockLevels::nominal;
  if (reader.has("detuning") && reader.has("lock")) {
    reader.fail("lock", "give either detuning (a fixed operating point) or lock, not both");
  }
  if (reader.has("min_extinction") && p.lock != RingLock::max_oma) {
    reader.fail("min_extinction", "expected together with lock: max_oma");
  }
  if (reader.has("lock_levels") && p.lock != RingLock::max_oma) {
    reader.fail("lock_levels", "expected together with lock: max_oma");
  }
  p.heater_efficiency_m_per_w = reader.quantity(
      "heater_efficiency", Dimension::length_per_power, p.heater_efficiency_m_per_w,
      "Thermal tuning efficiency. Default 73 pm/mW (TiN heater, figures.md §2.4, verified).",
      Range::positive());
  p.ambient_offset_m = reader.quantity(
      "ambient_offset", Dimension::length, p.ambient_offset_m,
      "Resonance offset (fabrication and ambient) that the heater must undo; the heater can only "
      "red-shift, so a negative offset costs FSR - |offset|. Default 0.");
  p.fsr_m = reader.quantity("fsr", Dimension::length, p.fsr_m,
                            "Free spectral range. Default 5.7 nm (same device, figures.md §2.4, "
                            "verified).",
                            Range::positive());
  p.capacitance_f = reader.quantity("capacitance", Dimension::capacitance, p.capacitance_f,
                                    "Junction capacitance for the drive power C·V²·Rs/4. Default "
                                    "20 fF, an assumption (no figure retrieved), consistent with "
                                    "the < 7 fJ/bit of an 80 Gb/s PAM4 ring (figures.md §2.4).",
                                    Range::non_negative());
  p.swing_v = reader.quantity("swing", Dimension::voltage, p.swing_v,
                              "Nominal drive swing for the drive power. Default 1 V, the lane "
                              "source's default.",
                              Range::positive());
  p.insertion_loss_db =
      reader.quantity("insertion_loss", Dimension::ratio_db, p.insertion_loss_db,
                      "Loss outside the ring (couplers, waveguide). Default 0.5 dB, an assumption "
                      "(no figure retrieved).",
                      Range::non_negative());
  return p;
}

Mrm::Mrm(const MrmParams& params) : params_(params) {
  if (!(params_.q_loaded > 0.0) || !std::isfinite(params_.q_loaded)) {
    throw ParameterError("q_loaded",
                         fmt::format("mrm.q_loaded = {} must be > 0", params_.q_loaded));
  }
  if (params_.q_intrinsic) {
    if (!(*params_.q_intrinsic > params_.q_loaded)) {
      throw ParameterError("q_intrinsic",
                           fmt::format("mrm.q_intrinsic = {} must exceed q_loaded = {}",
                                       *params_.q_intrinsic, params_.q_loaded));
    }
    q_intrinsic_ = *params_.q_intrinsic;
    q_external_ = 1.0 / (1.0 / params_.q_loaded - 1.0 / q_intrinsic_);
  } else {
    if (!(params_.resonance_extinction_db > 0.0)) {
      throw ParameterError("resonance_extinction", "mrm.resonance_extinction must be > 0 dB");
    }
    // |1/Q_i − 1/Q_e|·Q_L = 10^(−ER/20); 1/Q_i + 1/Q_e = 1/Q_L.
    const double m = params_.coupling == RingCoupling::critical
                         ? 0.0
                         : db_to_field_ratio(-params_.resonance_extinction_db);
    const double inv_qi =
        (params_.coupling == RingCoupling::over ? 1.0 - m : 1.0 + m) / (2.0 * params_.q_loaded);
    q_intrinsic_ = 1.0 / inv_qi;
    q_external_ = 1.0 / (1.0 / params_.q_loaded - inv_qi);
  }
  if (!(params_.efficiency_m_per_v > 0.0) || !std::isfinite(params_.efficiency_m_per_v)) {
    throw ParameterError("efficiency",
                         fmt::format("mrm.efficiency = {:.4g} pm/V must be > 0 (a red shift per "
                                     "volt of reverse drive)",
                                     params_.efficiency_m_per_v * 1e12));
  }
  if (!(params_.min_extinction_db >= 0.0) || !std::isfinite(params_.min_extinction_db)) {
    throw ParameterError("min_extinction", "mrm.min_extinction must be >= 0 dB");
  }
  if (params_.lock_levels == RingLockLevels::modulated &&
      (params_.lock != RingLock::max_oma || params_.detuning_m)) {
    throw ParameterError("lock_levels",
                         "mrm.lock_levels = modulated needs lock max_oma and no fixed detuning");
  }
  if (!(params_.heater_efficiency_m_per_w > 0.0)) {
    throw ParameterError("heater_efficiency", "mrm.heater_efficiency must be > 0");
  }
  if (!(params_.fsr_m > 0.0) || std::abs(params_.ambient_offset_m) > params_.fsr_m) {
    throw ParameterError("ambient_offset",
                         fmt::format("mrm.ambient_offset = {:.4g} nm must be within one FSR "
                                     "({:.4g} nm)",
                                     params_.ambient_offset_m * 1e9, params_.fsr_m * 1e9));
  }
  if (!(params_.capacitance_f >= 0.0) || !(params_.swing_v > 0.0) ||
      !(params_.insertion_loss_db >= 0.0)) {
    throw ParameterError("capacitance",
                         "mrm.capacitance, swing and insertion_loss must be >= 0 (swing > 0)");
  }
}

double Mrm::photon_lifetime_s() const {
  return params_.q_loaded / (2.0 * pi * speed_of_light_m_per_s / wavelength_m_);
}

void Mrm::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  wavelength_m_ = lane.wavelength_m;
  const double omega0 = 2.0 * pi * speed_of_light_m_per_s / wavelength_m_;
  inv_tau_ = omega0 / (2.0 * params_.q_loaded);
  kappa_ = std::sqrt(omega0 / q_external_);
  detuning_m_ = params_.detuning_m ? *params_.detuning_m : lock_detuning_m();
  sample_period_s_ = 1.0 / lane.sample_rate_hz();
  reset();
}

void Mrm::reset() {
  a_ = {};
  started_ = false;
  if (params_.lock_levels == RingLockLevels::modulated && modulated_locked_ && !locked_on_record_) {
    // Back to the state after prepare(): the nominal lock until the next first chunk. A lock
    // taken on a whole-period record before the run is the operating point the run starts
    // from, and stays.
    modulated_locked_ = false;
    detuning_m_ = lock_detuning_m();
    lock_drive_v_ = {std::nan(""), std::nan("")};
    lock_power_ = {std::nan(""), std::nan("")};
    lock_runs_ = {0, 0};
    lock_run_count_ = {0, 0};
  }
}

double Mrm::delta_rad_per_s(double drive_v) const {
  const double ring_minus_laser = params_.efficiency_m_per_v * drive_v - detuning_m_;
  return -2.0 * pi * speed_of_light_m_per_s / (wavelength_m_ * wavelength_m_) * ring_minus_laser;
}

double Mrm::static_transmission_at_detuning(double detuning_m) const {
  const double omega0 = 2.0 * pi * speed_of_light_m_per_s / wavelength_m_;
  const double delta =
      2.0 * pi * speed_of_light_m_per_s / (wavelength_m_ * wavelength_m_) * detuning_m;
  const double inv_ti = omega0 / (2.0 * q_intrinsic_), inv_te = omega0 / (2.0 * q_external_);
  const double num = (inv_ti - inv_te) * (inv_ti - inv_te) + delta * delta;
  const double den = (inv_ti + inv_te) * (inv_ti + inv_te) + delta * delta;
  return num / den;
}

double Mrm::static_transmission(double drive_v) const {
  return static_transmission_at_detuning(detuning_m_ - params_.efficiency_m_per_v * drive_v);
}

std::pair<double, double> Mrm::static_outer_levels() const {
  return {static_transmission(-0.5 * params_.swing_v), static_transmission(0.5 * params_.swing_v)};
}

double Mrm::lock_detuning_m() const {
  const double hwhm = wavelength_m_ / (2.0 * params_.q_loaded);
  if (params_.lock == RingLock::steepest) return -hwhm / std::sqrt(3.0);
  // Centre c = λ_ring(0) − λ_laser > 0 (laser on the blue side); outer levels at c ∓ s.
  const double s = 0.5 * params_.efficiency_m_per_v * params_.swing_v;
  const auto levels = [&](double c) {
    return std::pair{static_transmission_at_detuning(-(c - s)),
                     static_transmission_at_detuning(-(c + s))};
  };
  return search_lock(levels, s, false);
}

template <class Levels>
double Mrm::search_lock(const Levels& levels, double c_min, bool modulated) const {
  const double hwhm = wavelength_m_ / (2.0 * params_.q_loaded);
  const auto oma = [&](double c) {
    const auto [lo, hi] = levels(c);
    return hi - lo;
  };
  const auto er = [&](double c) {
    const auto [lo, hi] = levels(c);
    return hi / lo;
  };
  // Golden-section search of a function unimodal on [a, b] (maximum).
  const auto argmax = [](const auto& f, double a, double b) {
    const double g = 0.5 * (std::sqrt(5.0) - 1.0);
    double x1 = b - g * (b - a), x2 = a + g * (b - a), f1 = f(x1), f2 = f(x2);
    for (int i = 0; i < 200 && b - a > 1e-12 * (a + b); ++i) {
      if (f1 < f2) {
        a = x1;
        x1 = x2;
        f1 = f2;
        x2 = a + g * (b - a);
        f2 = f(x2);
      } else {
        b = x2;
        x2 = x1;
        f2 = f1;
        x1 = b - g * (b - a);
        f1 = f(x1);
      }
    }
    return 0.5 * (a + b);
  };
  // OMA rises from c_min (lower level on resonance) to one maximum and then falls (header): far
  // beyond it, 10 half widths out, it is small.
  const double c_oma = argmax(oma, c_min, c_min + 10.0 * hwhm);
  const double floor = db_to_power_ratio(params_.min_extinction_db);
  if (params_.min_extinction_db <= 0.0 || er(c_oma) >= floor) return -c_oma;
  // Towards the resonance ER rises to a maximum (just off it, where the lower level's relative
  // slope peaks) while OMA falls: the largest OMA meeting the floor is where ER crosses it
  // between that maximum and c_oma.
  const double c_er = argmax(er, c_min, c_oma);
  if (er(c_er) < floor) {
    throw ParameterError(
        "min_extinction",
        fmt::format("mrm.min_extinction = {:.3g} dB is out of reach at swing {:.3g} V and {:.4g} "
                    "pm/V: the outer levels' {} extinction peaks at {:.3g} dB",
                    params_.min_extinction_db, params_.swing_v, params_.efficiency_m_per_v * 1e12,
                    modulated ? fmt::format("modulated (drive {:.3g} / {:.3g} V on the runs)",
                                            lock_drive_v_.first, lock_drive_v_.second)
                              : std::string("static"),
                    power_ratio_to_db(er(c_er))));
  }
  double a = c_er, b = c_oma;      // er(a) >= floor > er(b)
  for (int i = 0; i < 100; ++i) {  // to the last bit of the ~100 pm interval
    const double m = 0.5 * (a + b);
    (er(m) >= floor ? a : b) = m;
  }
  return -a;
}

void Mrm::lock_on_record(const std::vector<double>& drive, const std::vector<int>& symbols,
                         std::size_t first_symbol, std::size_t period_symbols) {
  if (params_.lock_levels != RingLockLevels::modulated) {
    throw std::logic_error("Mrm::lock_on_record: the ring does not lock on its modulated levels");
  }
  const std::size_t guard = 64;
  if (first_symbol < guard) {
    throw std::logic_error("Mrm::lock_on_record: the period must start 64 symbols into the record");
  }
  lock_on_drive(drive, first_symbol - guard, first_symbol, first_symbol + period_symbols,
                symbols.empty() ? nullptr : &symbols);
  locked_on_record_ = true;
}

void Mrm::adopt_lock(const Mrm& other) {
  detuning_m_ = other.detuning_m_;
  lock_drive_v_ = other.lock_drive_v_;
  lock_power_ = other.lock_power_;
  lock_runs_ = other.lock_runs_;
  lock_run_count_ = other.lock_run_count_;
  locked_on_record_ = other.locked_on_record_;
  modulated_locked_ = other.modulated_locked_;
}

void Mrm::lock_on_drive(const std::vector<double>& drive, std::size_t skip, std::size_t runs_from,
                        std::size_t runs_to, const std::vector<int>* known) {
  const auto sps = static_cast<std::size_t>(lane_.samples_per_symbol);
  const auto levels = static_cast<std::size_t>(1) << lane_.bits_per_symbol;
  const std::size_t n_sym = drive.size() / sps;
  if (n_sym < skip + 16) {
    throw ParameterError("lock_levels",
                         fmt::format("mrm.lock_levels = modulated: the drive record ({} symbols) "
                                     "is too short to lock on",
                                     n_sym));
  }
  // 1. Decisions: the phase of largest variance, then 1-D k-means from the quantiles.
  std::size_t phase = 0;
  double best = -1.0;
  for (std::size_t ph = 0; ph < sps; ++ph) {
    double sum = 0.0, sum_sq = 0.0;
    for (std::size_t k = skip; k < n_sym; ++k) {
      const double v = drive[k * sps + ph];
      sum += v;
      sum_sq += v * v;
    }
    const auto n = static_cast<double>(n_sym - skip);
    const double var = sum_sq / n - (sum / n) * (sum / n);
    if (var > best) {
      best = var;
      phase = ph;
    }
  }
  std::vector<double> x(n_sym - skip);
  for (std::size_t k = skip; k < n_sym; ++k) x[k - skip] = drive[k * sps + phase];
  std::vector<double> centre(levels);
  {
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < levels; ++i) {
      centre[i] = sorted[std::min(sorted.size() - 1, (2 * i + 1) * sorted.size() / (2 * levels))];
    }
  }
  std::vector<int> decision(x.size(), 0);
  const auto decide = [&](double v) {
    std::size_t l = 0;
    while (l + 1 < levels && v > 0.5 * (centre[l] + centre[l + 1])) ++l;
    return static_cast<int>(l);
  };
  for (int iteration = 0; iteration < 100; ++iteration) {
    std::vector<double> sum(levels, 0.0), count(levels, 0.0);
    for (double v : x) {
      const auto l = static_cast<std::size_t>(decide(v));
      sum[l] += v;
      count[l] += 1.0;
    }
    bool moved = false;
    for (std::size_t l = 0; l < levels; ++l) {
      if (count[l] == 0.0) continue;
      const double c = sum[l] / count[l];
      moved = moved || c != centre[l];
      centre[l] = c;
    }
    if (!moved) break;
  }
  for (std::size_t k = 0; k < x.size(); ++k) decision[k] = decide(x[k]);
  if (known != nullptr) {
    // The symbols sent (a record): the runs are the pattern's, not the decisions' — on a drive
    // with ISI a decision error can join a run and the level next to it. The decisions only
    // place them: the symbol offset o with the most agreement, sample k·sps + phase carrying
    // symbol k − o (searched over ±64 symbols, the record's start-up).
    std::size_t best_match = 0;
    std::ptrdiff_t offset = 0;
    for (std::ptrdiff_t o = -64; o <= 64; ++o) {
      std::size_t match = 0;
      for (std::size_t k = 0; k < x.size(); ++k) {
        const std::ptrdiff_t j = static_cast<std::ptrdiff_t>(k + skip) - o;
        if (j >= 0 && j < static_cast<std::ptrdiff_t>(known->size()) &&
            (*known)[static_cast<std::size_t>(j)] == decision[k]) {
          ++match;
        }
      }
      if (match > best_match) {
        best_match = match;
        offset = o;
      }
    }
    if (2 * best_match < x.size()) {
      throw std::logic_error("Mrm::lock_on_record: the drive does not carry the symbols given");
    }
    for (std::size_t k = 0; k < x.size(); ++k) {
      const std::ptrdiff_t j = static_cast<std::ptrdiff_t>(k + skip) - offset;
      decision[k] = j >= 0 && j < static_cast<std::ptrdiff_t>(known->size())
                        ? (*known)[static_cast<std::size_t>(j)]
                        : -1;  // no symbol: ends any run
    }
  }
  // 2. Runs of the bottom and top symbols, whole within the record (not touching its ends) and
  // starting in [runs_from, runs_to): IEEE 802.3 cl. 121.8.4's runs of 7 threes (P3) and 6
  // zeros (P0), or the longest present (phy/outer_level_runs.hpp).
  struct Run {
    std::size_t first = 0;  // symbol index in the record
    std::size_t length = 0;
    bool top = false;
  };
  std::vector<Run> runs;
  const int top_level = static_cast<int>(levels) - 1;
  std::size_t want_bottom = 0, want_top = 0;
  for (const int level : {0, top_level}) {
    const bool top = level == top_level;
    for (const SymbolRun& run : outer_level_runs(decision, level, top ? 7 : 6)) {
      const std::size_t first = run.first + skip;
      if (first < runs_from || first >= runs_to) continue;
      runs.push_back({first, run.length, top});
      std::size_t& longest = top ? want_top : want_bottom;
      longest = std::max(longest, run.length);
    }
  }
  // The lengths the runs reach: 7 and 6, or the longest present.
  want_top = std::min<std::size_t>(7, want_top);
  want_bottom = std::min<std::size_t>(6, want_bottom);
  if (want_bottom < 3 || want_top < 3) {
    throw ParameterError(
        "lock_levels",
        fmt::format("mrm.lock_levels = modulated: the drive record has no run of three bottom or "
                    "top symbols to lock on (longest {} and {})",
                    want_bottom, want_top));
  }
  lock_runs_ = {static_cast<int>(want_bottom), static_cast<int>(want_top)};
  lock_run_count_ = {0, 0};
  for (const Run& r : runs) ++(r.top ? lock_run_count_.second : lock_run_count_.first);
  // Windows: the central min(2, L − 2) UI of each run, simulated from 24τ before.
  const double tau = 1.0 / inv_tau_;  // field decay time τ = 2Q_L/ω₀
  const auto settle = static_cast<std::size_t>(std::ceil(24.0 * tau / sample_period_s_));
  windows_.clear();
  double drive_sum[2] = {0.0, 0.0}, drive_count[2] = {0.0, 0.0};
  for (const Run& r : runs) {
    const double width = std::min(2.0, static_cast<double>(r.length) - 2.0);
    const double middle = static_cast<double>(r.first * sps + phase) +
                          0.5 * static_cast<double>((r.length - 1) * sps);
    const auto begin = static_cast<std::size_t>(std::llround(middle - 0.5 * width * sps));
    const std::size_t end = std::min(drive.size(), begin + static_cast<std::size_t>(width * sps));
    Window w{
        .start = begin > settle ? begin - settle : 0, .begin = begin, .end = end, .top = r.top};
    windows_.push_back(w);
    for (std::size_t i = begin; i < end; ++i) drive_sum[r.top ? 1 : 0] += drive[i];
    drive_count[r.top ? 1 : 0] += static_cast<double>(end - begin);
  }
  lock_drive_v_ = {drive_sum[0] / drive_count[0], drive_sum[1] / drive_count[1]};
  // 3–4. The search on the ring's modulated output.
  const auto modulated = [&](double c) { return modulated_levels(drive, -c); };
  const double c_min = std::max(0.0, -params_.efficiency_m_per_v * lock_drive_v_.first);
  detuning_m_ = search_lock(modulated, c_min, true);
  lock_power_ = modulated_levels(drive, detuning_m_);
  windows_.clear();
  modulated_locked_ = true;
}

void Mrm::lock_first_chunk(const std::vector<double>& drive) {
  // The record's first symbols carry the upstream filters' start-up; every interior run after.
  const std::size_t n_sym = drive.size() / static_cast<std::size_t>(lane_.samples_per_symbol);
  const std::size_t skip = std::min<std::size_t>(64, n_sym / 4);
  lock_on_drive(drive, skip, skip, n_sym);
}

std::pair<double, double> Mrm::modulated_levels(const std::vector<double>& drive,
                                                double detuning_m) const {
  const std::complex<double> minus_j_kappa(0.0, -kappa_);
  const double omega_per_m = -2.0 * pi * speed_of_light_m_per_s / (wavelength_m_ * wavelength_m_);
  double sum[2] = {0.0, 0.0}, count[2] = {0.0, 0.0};
  for (const Window& w : windows_) {
    std::complex<double> a{};
    for (std::size_t i = w.start; i < w.end; ++i) {
      // As process(), for s_in = 1 (1 W): δ = −2πc/λ²·(η·v − detuning).
      const std::complex<double> p(
          -inv_tau_, omega_per_m * (params_.efficiency_m_per_v * drive[i] - detuning_m));
      if (i == w.start) a = -minus_j_kappa / p;
      const std::complex<double> e = std::exp(p * sample_period_s_);
      a = a * e + (e - 1.0) / p * minus_j_kappa;
      if (i >= w.begin) {
        sum[w.top ? 1 : 0] += std::norm(1.0 + minus_j_kappa * a);
        count[w.top ? 1 : 0] += 1.0;
      }
    }
  }
  return {sum[0] / count[0], sum[1] / count[1]};
}

std::pair<double, double> Mrm::lock_levels() const {
  if (params_.lock_levels == RingLockLevels::modulated && modulated_locked_) return lock_power_;
  return static_outer_levels();
}

void Mrm::process_twin(Signal& noisy, Block& twin_block, Signal& clean) {
  auto& twin = dynamic_cast<Mrm&>(twin_block);
  if (params_.lock_levels == RingLockLevels::modulated && !modulated_locked_) {
    // One operating point for both paths: the noiseless drive's (header comment).
    if (!twin.modulated_locked_) twin.lock_first_chunk(clean.electrical);
    adopt_lock(twin);
  } else if (params_.lock_levels == RingLockLevels::modulated && !twin.modulated_locked_) {
    twin.adopt_lock(*this);  // locked on a record before the twin was cloned from it
  }
  process(noisy);
  twin.process(clean);
}

void Mrm::process(Signal& chunk) {
  if (params_.lock_levels == RingLockLevels::modulated && !modulated_locked_) {
    lock_first_chunk(chunk.electrical);
  }
  const double field_loss = db_to_field_ratio(-params_.insertion_loss_db);
  const std::complex<double> minus_j_kappa(0.0, -kappa_);
  for (std::size_t i = 0; i < chunk.optical.size(); ++i) {
    const std::complex<double> s_in = chunk.optical[i];
    const std::complex<double> p(-inv_tau_, delta_rad_per_s(chunk.electrical[i]));
    if (!started_) {
      a_ = -minus_j_kappa * s_in / p;  // steady state: no turn-on transient
      started_ = true;
    }
    const std::complex<double> e = std::exp(p * sample_period_s_);
    a_ = a_ * e + (e - 1.0) / p * (minus_j_kappa * s_in);
    chunk.optical[i] = field_loss * (s_in + minus_j_kappa * a_);
  }
  chunk.domain = Domain::optical;
  chunk.has_carrier = false;
}

std::complex<double> Mrm::small_signal_slope_w_per_v(double f_hz) const {
  using C = std::complex<double>;
  const C j(0.0, 1.0);
  const C p(-inv_tau_, delta_rad_per_s(0.0));
  const C s_in(1.0, 0.0);  // 1 W
  const C a0 = j * kappa_ * s_in / p;
  const C s0 = s_in - j * kappa_ * a0;
  const C jw(0.0, 2.0 * pi * f_hz);
  // dδ/dv: δ = −2πc/λ²·(η·v − detuning).
  const double g = -2.0 * pi * speed_of_light_m_per_s / (wavelength_m_ * wavelength_m_) *
                   params_.efficiency_m_per_v;
  const double field_loss = db_to_field_ratio(-params_.insertion_loss_db);
  return field_loss * field_loss * kappa_ * g *
         (std::conj(s0) * a0 / (jw - p) + s0 * std::conj(a0) / (jw - std::conj(p)));
}

std::complex<double> Mrm::small_signal_response(double f_hz) const {
  const std::complex<double> h0 = small_signal_slope_w_per_v(0.0);
  if (std::abs(h0) == 0.0) return {std::nan(""), std::nan("")};
  return small_signal_slope_w_per_v(f_hz) / h0;
}

double Mrm::eo_bandwidth_hz() const {
  // Above both poles (|p| = √(1/τ² + δ₀²)) |H| falls as 1/Ω, so the last crossing of 1/√2 lies
  // below a few |p|/2π: scan in steps of 1/200 of that span from the top down, then bisect.
  const double span = 8.0 * std::hypot(inv_tau_, delta_rad_per_s(0.0)) / (2.0 * pi);
  const double level = 1.0 / std::sqrt(2.0);
  const int steps = 200;
  double hi = span;
  if (std::isnan(small_signal_response(0.0).real())) return std::nan("");
  for (int k = steps - 1; k >= 0; --k) {
    const double f = span * k / steps;
    if (std::abs(small_signal_response(f)) >= level) {
      double lo = f;
      for (int i = 0; i < 60; ++i) {
        const double m = 0.5 * (lo + hi);
        (std::abs(small_signal_response(m)) >= level ? lo : hi) = m;
      }
      return 0.5 * (lo + hi);
    }
    hi = f;
  }
  return 0.0;
}

double Mrm::heater_power_w() const {
  const double shift = params_.ambient_offset_m >= 0.0
                           ? params_.ambient_offset_m
                           : params_.fsr_m - std::abs(params_.ambient_offset_m);
  return shift / params_.heater_efficiency_m_per_w;
}

std::string Mrm::lock_levels_note() const {
  if (params_.lock_levels == RingLockLevels::nominal) return " at the nominal levels";
  if (!modulated_locked_) return " on the modulated levels (not yet taken)";
  return fmt::format(
      " on the modulated levels of {}: {} run(s) of {}+ bottom and {} run(s) of {}+ top symbols "
      "at {:.3g}/{:.3g} V, ER {:.3g} dB",
      locked_on_record_ ? "one whole pattern period" : "the first chunk", lock_run_count_.first,
      lock_runs_.first, lock_run_count_.second, lock_runs_.second, lock_drive_v_.first,
      lock_drive_v_.second, power_ratio_to_db(lock_power_.second / lock_power_.first));
}

std::string Mrm::describe() const {
  return fmt::format(
      "mrm: Q_L {:.0f} (Q_i {:.0f}, Q_e {:.0f}), photon lifetime {:.3g} ps, {:.3g} pm/V, "
      "detuning {:.3g} pm ({}; static outer ER {:.3g} dB at {:.3g} Vpp; small-signal EO "
      "bandwidth {:.3g} GHz), heater {:.3g} mW, IL {:.2f} dB",
      params_.q_loaded, q_intrinsic_, q_external_, photon_lifetime_s() * 1e12,
      params_.efficiency_m_per_v * 1e12, detuning_m_ * 1e12,
      params_.detuning_m ? std::string("set")
      : params_.lock == RingLock::max_oma && params_.min_extinction_db > 0.0
          ? fmt::format("lock max OMA with ER >= {:.3g} dB{}", params_.min_extinction_db,
                        lock_levels_note())
      : params_.lock == RingLock::max_oma ? fmt::format("lock max OMA{}", lock_levels_note())
                                          : std::string("lock steepest"),
      power_ratio_to_db(static_outer_levels().second / static_outer_levels().first),
      params_.swing_v, eo_bandwidth_hz() * 1e-9, heater_power_w() * 1e3, params_.insertion_loss_db);
}

std::vector<PowerItem> Mrm::power() const {
  const double drive =
      params_.capacitance_f * params_.swing_v * params_.swing_v * lane_.symbol_rate_bd / 4.0;
  return {{PowerCategory::modulator, drive,
           fmt::format("C·V²·Rs/4 = {:.3g} fF × ({:.3g} V)² × {:.4g} GBd / 4",
                       params_.capacitance_f * 1e15, params_.swing_v, lane_.symbol_rate_bd / 1e9)},
          {PowerCategory::tuning, heater_power_w(),
           fmt::format("heater: {:.3g} pm / {:.3g} pm/mW", params_.ambient_offset_m * 1e12,
                       params_.heater_efficiency_m_per_w * 1e12 * 1e-3)}};
}

std::string Mrm::check_input(Domain input, bool has_carrier) const {
  return modulator_input_problem("mrm", input, has_carrier);
}

// Figures for validation, from the ring's own Lorentzian: the FWHM is found on the static
// transmission (half depth between the on-resonance minimum and 1), loaded Q = λ/FWHM; the
// on-resonance extinction; the heater power to shift the resonance by `argument` m (0: one FSR).
std::optional<double> Mrm::metric(std::string_view name, double argument) const {
  if (name == "fwhm_m" || name == "q_loaded") {
    const double t_min = static_transmission_at_detuning(0.0);
    const double half = 0.5 * (t_min + 1.0);
    double lo = 0.0, hi = wavelength_m_ / params_.q_loaded;
    while (static_transmission_at_detuning(hi) < half) hi *= 2.0;
    for (int i = 0; i < 80; ++i) {
      const double m = 0.5 * (lo + hi);
      (static_transmission_at_detuning(m) < half ? lo : hi) = m;
    }
    const double fwhm = lo + hi;  // twice the half width
    return name == "fwhm_m" ? fwhm : wavelength_m_ / fwhm;
  }
  if (name == "extinction_db") return -10.0 * std::log10(static_transmission_at_detuning(0.0));
  if (name == "tuning_power_w") {
    Mrm shifted(*this);
    shifted.params_.ambient_offset_m = argument > 0.0 ? argument : params_.fsr_m;
    return shifted.heater_power_w();
  }
  if (name == "photon_lifetime_s") return photon_lifetime_s();
  if (name == "eo_bandwidth_hz") return eo_bandwidth_hz();
  return std::nullopt;
}

std::vector<std::string> Mrm::metric_names() const {
  return {"q_loaded",          "fwhm_m",
          "extinction_db",     "tuning_power_w (argument: shift)",
          "photon_lifetime_s", "eo_bandwidth_hz"};
}

}  // namespace optilane

// `mrm`: silicon micro-ring modulator (all-pass ring, carrier depletion), by temporal coupled-mode
// theory (Haus, "Waves and Fields in Optoelectronics", 1984, ch. 7; Little et al., J. Lightwave
// Technol. 15(6), 1997).
//
// In the frame of the laser, with a the ring's mode amplitude (|a|² = stored energy, J) and s the
// guided fields (|s|² = power, W):
//   da/dt = (jδ(t) − 1/τ) a − j√(2/τ_e) s_in,      s_out = s_in − j√(2/τ_e) a,
//   1/τ = 1/τ_i + 1/τ_e,   Q_x = ω₀τ_x/2,   δ = ω_ring(v) − ω_laser.
// Static transmission (a Lorentzian dip):
//   T(δ) = ((1/τ_i − 1/τ_e)² + δ²) / ((1/τ_i + 1/τ_e)² + δ²),
// minimum ((Q_e − Q_i)/(Q_e + Q_i))² at δ = 0, full width at half depth 2/τ in ω, i.e.
// FWHM = λ/Q_L in wavelength. Photon (energy) lifetime τ_ph = τ/2 = Q_L/ω₀.
// The drive shifts the resonance by η·v (pm/V); the laser sits at `detuning` = λ_laser − λ_ring(0);
// δ = −2πc/λ²·(λ_ring(v) − λ_laser).
// Integration: exact for inputs held over each sample (zero-order hold):
//   a[n+1] = a[n]·e^{pT} + (e^{pT} − 1)/p · (−j√(2/τ_e) s_in[n]),  p = jδ[n] − 1/τ,
// so the photon-lifetime bandwidth limit and its overshoot emerge without an ODE solver's error.
// Small-signal electro-optic response (linearising the equation above about the bias point,
// drive v → δ₀ + g·v, g = dδ/dv = −2πc/λ²·η): with p = jδ₀ − 1/τ, a₀ = j√(2/τ_e)·s/p and
// s₀ = s − j√(2/τ_e)·a₀, the output power answers a drive at angular frequency Ω with
//   H(Ω) = √(2/τ_e)·[ s₀*·a₀/(jΩ − p) + s₀·a₀*/(jΩ − p*) ]·g   (W per V),
// two poles at −1/τ ± jδ₀. Critically coupled and barely detuned (|δ₀|τ ≪ 1) it is one
// photon-lifetime pole, f₃dB = 1/(2πτ) = c/(2λQ_L), half the optical linewidth; off critical
// coupling a double pole weighted by the resonance's field depth joins it; far detuned the two
// poles beat and lift the response near |δ₀|/2π ("optical peaking", the detuning-extended
// bandwidth of figures.md §2.4). H(0) is the slope of the static Lorentzian, dT/dv·|s|².
// EO bandwidth: the highest frequency where |H(Ω)/H(0)| ≥ 1/√2.
// Sign of the shift: reverse bias on the depletion junction removes free carriers, and by the
// plasma-dispersion effect of silicon (Soref & Bennett, IEEE J. Quantum Electron. 23(1), 1987:
// Δn < 0 for added carriers) the index and the resonance rise: a red shift with drive. The
// efficiency is that magnitude (> 0); flipping the electrodes is an inverted drive, not a
// negative efficiency, so a sign carries no physics and is refused.
// Operating point (lock): the heater's controller holds λ_laser − λ_ring(0) at one of
//   steepest: −λ/(2√3·Q_L), the steepest point of the Lorentzian on its blue side (small drive);
//   max_oma:  the detuning that maximises the outer levels' OMA, T(+V/2) − T(−V/2) at the nominal
//             swing V, on the blue side with the lower level no further than the resonance
//             (levels monotonic in the drive) — the lock point of OMA-maximising ring
//             controllers (Zabihpour et al., as summarised by Latitude Design Systems,
//             https://www.latitudeds.com/post/calibrating-thermal-controllers-for-maximizing-
//             optical-modulation-amplitude-in-microring-modulators, S); with `min_extinction`
//             the largest OMA whose static outer extinction T(+V/2)/T(−V/2) reaches that floor
//             (nearer the resonance OMA falls and ER rises, so the floor binds at equality).
// For a Lorentzian dip T(u) = 1 − D/(1 + u²) (u = (λ_ring − λ_laser)/HWHM, HWHM = λ/(2Q_L)) and
// outer levels at u = c ± s (s = η·V/2 / HWHM), OMA is stationary where u/(1 + u²)² takes equal
// values at c − s and c + s; for s → 0 that is c = 1/√3, the steepest point.
// Which levels the lock acts on (`lock_levels`):
//   nominal:   the static curve at the nominal drive ±V/2, set in prepare() (above).
//   modulated: the levels of the modulated light the ring actually puts out. Ring controllers
//              lock on a monitor photodiode that sees the modulated light (Padmaraju et al., Opt.
//              Express 21(12), 14342, 2013: in-ring defect photodiode and heater in a closed loop;
//              Zabihpour et al., as summarised at latitudeds.com, S: a drop-port tap of the
//              modulated light inside the ring, locked at the largest OMA). The drive that
//              reaches the ring (package loss and echo, driver bandwidth) falls short of ±V/2,
//              and the ring's photon lifetime smooths it further, so the levels differ from the
//              static curve's at ±V/2. The levels are those of IEEE 802.3's OMA_outer and ER
//              (cl. 121.8.4, reused by cl. 124/140/151/180 — as quoted by open TDECQ
//              implementations, the clause itself not retrieved, S): P3 the mean over the
//              central 2 UI of the run of 7 threes of PRBS13Q, P0 over the central 2 UI of its
//              run of 6 zeros; ER = P3/P0, OMA_outer = P3 − P0.
//              Lock statistics: the controller settles on the traffic itself through a loop
//              far slower than the symbols (a monitor photodiode and heater averaging over
//              microseconds to milliseconds, Padmaraju et al. 2013), i.e. over millions of
//              symbols — the pattern's whole run statistics, not one chunk's. So the lock is
//              taken before the run on a noiseless record of the drive that reaches the ring
//              over one whole period of the pattern (lock_on_record; the lane runner's
//              pre-pass through noiseless copies of the blocks upstream, link/ring_lock.hpp):
//              every run of the period counted once. A ring used alone, without that record,
//              locks on the first chunk it receives, before modulating it:
//               1. symbols by decision on the drive (the phase of largest sample variance; the
//                  2^b levels by 1-D k-means, started at the drive's quantiles (2i+1)/2^(b+1));
//                  on a record, the symbols sent, placed where the decisions agree with them
//                  most (a transmitter's controller knows its data; a decision error on a drive
//                  with ISI would join a run and its neighbour: cpo-200g's period has one run
//                  of 7 threes and one of 6 zeros, its decisions 2 and 3);
//               2. the runs of the top and bottom symbols at least 7 (top) / 6 (bottom) long, or
//                  the longest present (≥ 3) when the record holds none, every one of them
//                  averaged — cl. 121.8.4's "run of 7 threes / 6 zeros" as open TDECQ
//                  implementations read it (runs of at least that length; the longest when a
//                  pattern lacks them, S), the reading phy/analysis/tdecq shares (phy/pam.hpp,
//                  outer_level_runs); whole runs clear of the record's start-up (its first 64
//                  symbols; with a record, the symbols before the period); window: the central
//                  min(2, L − 2) UI of a run of L. A whole PRBS13Q period holds one run of 7
//                  threes and one of 6 zeros (test_mrm.cpp); its first 2048 symbols, runs of 5;
//               3. for a trial detuning, the ring's output for 1 W CW in — the coupled-mode
//                  equation above, exactly integrated on the actual drive samples — from the
//                  steady state 24τ (τ = 2Q_L/ω₀) before each window (the start-up error decays
//                  as e^{−24} ≈ 4e-11 in field); P3, P0 the means of the output power over the
//                  windows of each level;
//               4. the search of the nominal lock with OMA = P3 − P0 and ER = P3/P0: the
//                  largest OMA on the blue side (c from −η·v̄0 — the bottom runs' mean drive on
//                  the resonance — to 10 half widths beyond), and with `min_extinction` the
//                  largest OMA whose ER meets it (the floor binds at equality).
//              With a drive held at ±V/2 over runs much longer than 24τ the windows see the
//              ring's steady state, T(∓V/2), and the lock is the nominal one.
//              The record is noiseless, and without it the noiseless twin's lock (the drive
//              without its noise) is the one both paths use (process_twin): a loop averaging
//              over milliseconds does not see the drive's noise, and the two paths must share
//              one operating point. Alone without a record (Monte-Carlo-only), the block locks
//              on the drive it gets.
// Thermal tuning: a heater holds the resonance against an ambient offset Δλ_amb (the resonance
// shift the heater must undo, red-shift only): P = Δλ/η_th if Δλ ≥ 0, else (FSR − |Δλ|)/η_th.
// Drive power: C·V_pp²·R_s/4 (a capacitive load charged on about half the transitions), category
// modulator.
#pragma once

#include <cmath>
#include <complex>
#include <optional>
#include <utility>
#include <vector>

#include "phy/block.hpp"
#include "phy/params.hpp"

namespace optilane {

enum class RingCoupling { under, critical, over };
enum class RingLock { steepest, max_oma };
enum class RingLockLevels { nominal, modulated };

struct MrmParams {
  /// Loaded Q. Default 3700 (two-segment 200 Gb/s MRM, Flexcompute PhotonForge model,
  /// figures.md §2.4, V).
  double q_loaded = 3700.0;
  /// Intrinsic Q; absent → from resonance_extinction and coupling.
  std::optional<double> q_intrinsic{};
  /// On-resonance extinction, dB. Default 16 dB (same device, figures.md §2.4, V).
  double resonance_extinction_db = 16.0;
  /// Coupling regime splitting Q_L into Q_i and Q_e. Default under-coupled, an assumption: the
  /// 16 dB depth fits either regime and no coupling regime was retrieved.
  RingCoupling coupling = RingCoupling::under;
  /// Resonance (red) shift per volt of reverse drive, m/V, > 0. Default 16.3 pm/V (same device, V).
  double efficiency_m_per_v = 16.3e-12;
  /// λ_laser − λ_ring at zero drive, m; absent → from `lock`.
  std::optional<double> detuning_m{};
  /// Lock point when `detuning` is absent (header comment). Default steepest.
  RingLock lock = RingLock::steepest;
  /// With lock max_oma: floor on the outer extinction, dB; 0: none.
  double min_extinction_db = 0.0;
  /// With lock max_oma: the levels the lock acts on (header comment). Default nominal.
  RingLockLevels lock_levels = RingLockLevels::nominal;
  /// Heater efficiency, m/W. Default 73 pm/mW (same device, V).
  double heater_efficiency_m_per_w = 73e-12 / 1e-3;
  /// Resonance shift the heater must undo (fabrication + ambient), m. Default 0.
  double ambient_offset_m = 0.0;
  /// Free spectral range, m. Default 5.7 nm (same device, V).
  double fsr_m = 5.7e-9;
  /// Junction capacitance, F. Default 20 fF, an assumption (no MRM capacitance retrieved),
  /// consistent with the < 7 fJ/bit of an 80 Gb/s PAM4 ring (Optica 2016, figures.md §2.4, V):
  /// C·V²/4 = 5 fJ per symbol, 2.5 fJ/bit, at the default 1 V swing.
  double capacitance_f = 20e-15;
  /// Nominal drive swing for the drive power, V. Default 1 V (the lane source's default).
  double swing_v = 1.0;
  /// Insertion loss outside the ring (couplers, waveguide), dB. Default 0.5 dB, an assumption
  /// (no figure retrieved) for the bus waveguide and its transitions; fibre coupling is separate.
  double insertion_loss_db = 0.5;

  static MrmParams read(ParamReader& reader);
};

class Mrm final : public Block {
 public:
  explicit Mrm(const MrmParams& params);

  [[nodiscard]] std::string_view kind() const override { return "mrm"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void process_twin(Signal& noisy, Block& twin, Signal& clean) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<Mrm>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] Domain output_domain(Domain /*input*/) const override { return Domain::optical; }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] bool supplies_carrier(bool /*has_carrier*/) const override { return false; }
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

  [[nodiscard]] double q_intrinsic() const { return q_intrinsic_; }
  [[nodiscard]] double q_external() const { return q_external_; }
  /// Energy (photon) lifetime Q_L/ω₀, s.
  [[nodiscard]] double photon_lifetime_s() const;
  /// Static power transmission (no insertion loss) with λ_laser − λ_ring(v) = detuning_m.
  [[nodiscard]] double static_transmission_at_detuning(double detuning_m) const;
  /// Static power transmission for drive v at the configured detuning.
  [[nodiscard]] double static_transmission(double drive_v) const;
  [[nodiscard]] double detuning_m() const { return detuning_m_; }
  /// Static outer levels at the nominal swing, for 1 W in (no insertion loss): T(−V/2), T(+V/2).
  [[nodiscard]] std::pair<double, double> static_outer_levels() const;
  /// Small-signal response of the output power to the drive at frequency f, H(2πf)/H(0), at the
  /// configured detuning and zero bias (see the header comment); needs prepare(). H(0) = 0 on
  /// resonance, where the response has no linear term: NaN there.
  [[nodiscard]] std::complex<double> small_signal_response(double f_hz) const;
  /// Output power per volt of drive at frequency f for 1 W in, W/V (H(2πf) of the header).
  [[nodiscard]] std::complex<double> small_signal_slope_w_per_v(double f_hz) const;
  /// Electro-optic 3-dB bandwidth: the highest frequency with |H(f)/H(0)| ≥ 1/√2, Hz.
  [[nodiscard]] double eo_bandwidth_hz() const;
  [[nodiscard]] double heater_power_w() const;
  /// With lock_levels modulated: whether the lock has been taken (on a record or the first chunk).
  [[nodiscard]] bool locked_on_modulation() const { return modulated_locked_; }
  /// Mean drive over the bottom and top runs' windows of the lock's record, V (NaN before).
  [[nodiscard]] std::pair<double, double> lock_drive_levels() const { return lock_drive_v_; }
  /// The output levels P0, P3 at the lock for 1 W in (no insertion loss), as the lock measured
  /// them: the static ones at ±V/2 (nominal) or the modulated runs' (modulated, once locked).
  [[nodiscard]] std::pair<double, double> lock_levels() const;
  /// Run lengths (bottom, top) of the modulated lock's windows (0 before).
  [[nodiscard]] std::pair<int, int> lock_runs() const { return lock_runs_; }
  /// Number of runs (bottom, top) the modulated lock averaged (0 before).
  [[nodiscard]] std::pair<int, int> lock_run_count() const { return lock_run_count_; }
  /// Whether the block locks on its modulated levels (lock max_oma, lock_levels modulated).
  [[nodiscard]] bool locks_on_modulation() const {
    return params_.lock_levels == RingLockLevels::modulated;
  }
  /// lock_levels modulated: takes the lock before the run on a noiseless record of the drive
  /// that reaches the ring, one whole pattern period long (the lane runner's pre-pass,
  /// link/ring_lock.hpp; header comment, "Lock statistics"): the runs are those that start at
  /// symbols [first_symbol, first_symbol + period_symbols) of `drive` (each run of the period
  /// once; the record extends past the period so that the last ones end inside it), the
  /// decisions are taken from symbol first_symbol − 64 on (before it, the upstream start-up).
  /// `symbols`, when not empty, are the levels sent (symbol 0 the record's first): the runs are
  /// theirs, placed by the decisions (the offset with the most agreement), as a transmitter's
  /// controller knows the data it sends; empty, the decisions' runs.
  /// The block keeps this lock through the run and through reset().
  void lock_on_record(const std::vector<double>& drive, const std::vector<int>& symbols,
                      std::size_t first_symbol, std::size_t period_symbols);
  /// lock_levels modulated, without a record: the lock process() takes on the first chunk it
  /// receives (every interior run after its first 64 symbols).
  void lock_first_chunk(const std::vector<double>& drive);
  /// Whether the modulated lock was taken on a whole-period record (lock_on_record) rather than on
  /// the first chunk.
  [[nodiscard]] bool locked_on_record() const { return locked_on_record_; }

 private:
  [[nodiscard]] double delta_rad_per_s(double drive_v) const;
  /// The lock point of `lock` (needs wavelength_m_), m.
  [[nodiscard]] double lock_detuning_m() const;
  /// The max-OMA search with an ER floor over the centre c = λ_ring(0) − λ_laser in [c_min,
  /// c_min + 10·HWHM], for levels(c) = (P_bottom, P_top) (`modulated`: the runs' levels, for the
  /// message of an unreachable floor); returns the detuning −c.
  template <class Levels>
  [[nodiscard]] double search_lock(const Levels& levels, double c_min, bool modulated) const;
  /// lock_levels modulated: takes the lock on this drive (header comment, steps 1–4): decisions
  /// from symbol `decide_from` on, the runs that start at symbols [runs_from, runs_to) and end
  /// before the record does.
  void lock_on_drive(const std::vector<double>& drive, std::size_t decide_from,
                     std::size_t runs_from, std::size_t runs_to,
                     const std::vector<int>* known = nullptr);
  /// Takes `other`'s modulated lock (the twin's paths share one operating point).
  void adopt_lock(const Mrm& other);
  /// Mean output power over the windows for 1 W in on `drive` at `detuning`, bottom and top runs.
  [[nodiscard]] std::pair<double, double> modulated_levels(const std::vector<double>& drive,
                                                           double detuning_m) const;
  [[nodiscard]] std::string lock_levels_note() const;

  MrmParams params_;
  double q_intrinsic_ = 0.0;
  double q_external_ = 0.0;
  double wavelength_m_ = 1311e-9;
  double detuning_m_ = 0.0;
  double inv_tau_ = 0.0;  ///< 1/τ, 1/s
  double kappa_ = 0.0;    ///< √(2/τ_e)
  double sample_period_s_ = 0.0;
  std::complex<double> a_{};  ///< ring amplitude
  bool started_ = false;
  // lock_levels modulated: the lock's record (state of the first chunk, cleared by reset()).
  struct Window {
    std::size_t start = 0;  ///< first simulated sample (steady state there)
    std::size_t begin = 0;  ///< first averaged sample
    std::size_t end = 0;    ///< one past the last averaged sample
    bool top = false;
  };
  std::vector<Window> windows_;  ///< into the first chunk's drive, while the lock is taken
  bool modulated_locked_ = false;
  std::pair<double, double> lock_drive_v_{std::nan(""), std::nan("")};
  std::pair<double, double> lock_power_{std::nan(""), std::nan("")};
  std::pair<int, int> lock_runs_{0, 0};
  std::pair<int, int> lock_run_count_{0, 0};
  bool locked_on_record_ = false;  ///< the lock came from lock_on_record (kept by reset())
};

}  // namespace optilane

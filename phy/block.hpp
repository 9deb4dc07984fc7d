// The streaming Block interface (STYLE.md habit 6).
//
// Life of a block: construct from a validated parameter struct; `prepare(lane)` once the lane's
// sample rate and wavelength are known (design filters, make FFT plans); then `process(chunk)` on
// each chunk in order, keeping state between chunks; `reset()` returns to the state just after
// prepare; `clone()` copies deeply so threads (and the noiseless reference path of the
// semi-analytic BER) can run their own copy. `process` must not allocate once the chunk buffers
// have reached their size, and must not throw.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "phy/random.hpp"
#include "phy/signal.hpp"

namespace optilane {

/// What a lane's blocks need to know about the lane.
struct LaneContext {
  double symbol_rate_bd = 0.0;
  int samples_per_symbol = 16;
  int bits_per_symbol = 2;  ///< 1 for NRZ, 2 for PAM4
  double wavelength_m = 1311e-9;
  std::uint64_t seed = 1;
  int lane = 0;
  std::size_t chunk_samples = 0;  ///< nominal chunk length in samples

  [[nodiscard]] double sample_rate_hz() const { return symbol_rate_bd * samples_per_symbol; }
  [[nodiscard]] double bit_rate_bps() const { return symbol_rate_bd * bits_per_symbol; }
};

/// Kinds of noise, so the noise budget can switch one kind on at a time (DESIGN.md §3: thermal,
/// shot, RIN, MPI, crosstalk, quantisation at the slicer). Bit flags.
enum class NoiseKind : unsigned {
  thermal = 1u << 0,       ///< TIA input noise, AWGN, resistor noise
  shot = 1u << 1,          ///< photodetector shot noise (signal and dark current)
  rin = 1u << 2,           ///< laser relative intensity noise
  phase = 1u << 3,         ///< laser phase noise (linewidth)
  mpi = 1u << 4,           ///< multipath interference from reflections
  crosstalk = 1u << 5,     ///< WDM or electrical crosstalk
  quantization = 1u << 6,  ///< ADC/DAC quantisation
  jitter = 1u << 7,        ///< random and sinusoidal jitter
  other = 1u << 8,
};
inline constexpr unsigned all_noise = 0xFFFFFFFFu;

/// Categories of the power breakdown (DESIGN.md §4, JSON `power.breakdown_w`).
enum class PowerCategory { laser, driver, modulator, tia, dsp, serdes, tuning, overhead };
[[nodiscard]] std::string_view power_category_name(PowerCategory category);

/// One block's electrical power at its operating point.
struct PowerItem {
  PowerCategory category = PowerCategory::overhead;
  double power_w = 0.0;
  std::string note;  ///< how it was computed, e.g. "P_opt / WPE = 40 mW / 0.2"
};

/// The zero-watt item of a block whose power is part of `owner`'s figure.
[[nodiscard]] inline PowerItem included_power(PowerCategory category, const std::string& owner) {
  return {category, 0.0, "included in " + owner};
}

class Block {
 public:
  virtual ~Block() = default;

  /// The registry name of this kind of block ("fiber", "tia", ...).
  [[nodiscard]] virtual std::string_view kind() const = 0;
  /// Called once the lane is known; designs filters and plans. May throw ParameterError.
  virtual void prepare(const LaneContext& lane) { lane_ = lane; }
  /// Processes one chunk in place.
  virtual void process(Signal& chunk) = 0;
  /// Processes the same chunk of the noisy path (`noisy`, through this block) and of the
  /// noiseless twin (`clean`, through `twin`, this block's clone with noise off) that the
  /// semi-analytic BER runs beside it. The default is the two calls; a block may override it to do
  /// work the two have in common once (a filter of an input both paths share bit for bit), but
  /// the results must be exactly those of the two calls.
  virtual void process_twin(Signal& noisy, Block& twin, Signal& clean) {
    process(noisy);
    twin.process(clean);
  }
  /// Returns to the state right after prepare().
  virtual void reset() {}
  /// Deep copy, including prepared state.
  [[nodiscard]] virtual std::unique_ptr<Block> clone() const = 0;
  /// A one-line description with units, e.g. "fiber: 2 km, 0.4 dB/km, D = -1.2 ps/nm/km".
  [[nodiscard]] virtual std::string describe() const = 0;
  /// Electrical power drawn by this block at its operating point.
  [[nodiscard]] virtual std::vector<PowerItem> power() const { return {}; }
  /// The domain of this block's output for a given input domain (a photodetector turns optical
  /// into electrical, a modulator electrical-with-carrier into optical).
  [[nodiscard]] virtual Domain output_domain(Domain input) const { return input; }
  /// Whether this block can take its input; returns an explanation when it cannot. `has_carrier`
  /// tells whether a laser upstream supplied a carrier not yet modulated.
  [[nodiscard]] virtual std::string check_input(Domain input, bool has_carrier) const {
    (void)input;
    (void)has_carrier;
    return {};
  }
  /// Whether this block's settings make sense for the lane's signal (its symbol rate, sample rate
  /// and wavelength), checked once the chain is built: throws ParameterError naming the key when
  /// they do not (a channel file that ends below the signal band, a filter above the simulated
  /// band). Called after prepare(lane).
  virtual void check_signal(const LaneContext& lane) const { (void)lane; }
  /// Whether this block leaves an unmodulated carrier for a downstream modulator.
  [[nodiscard]] virtual bool supplies_carrier(bool has_carrier) const { return has_carrier; }
  /// A named figure of merit of this block, for validation against datasheets and papers, e.g.
  /// metric("insertion_loss_db", 26.5625e9) for a channel or metric("relaxation_frequency_hz")
  /// for a laser. `argument` is in SI units (a frequency, a wavelength, a voltage) where the figure
  /// needs one. Returns nothing for names the block does not know; `metric_names()` lists them.
  [[nodiscard]] virtual std::optional<double> metric(std::string_view name,
                                                     double argument = 0.0) const {
    (void)name;
    (void)argument;
    return std::nullopt;
  }
  [[nodiscard]] virtual std::vector<std::string> metric_names() const { return {}; }
  /// True for a passive block (fibre, filter, attenuator, trace): it can never add energy. Debug
  /// builds check this on every run (the energy out of the block never exceeds the energy in).
  [[nodiscard]] virtual bool is_passive() const { return false; }
  /// The noise kinds (NoiseKind bits) this block can add; the noise budget skips the kinds no
  /// block of a chain adds (their term is exactly zero). Every block that tests
  /// noise_enabled(kind) must list that kind here.
  [[nodiscard]] virtual unsigned noise_sources() const { return 0u; }
  /// Bulk delay this block adds, in samples (the centre of a linear-phase filter, say). Used to
  /// narrow the receiver's timing search; it need not be exact.
  [[nodiscard]] virtual double latency_samples() const { return 0.0; }

  /// Noise off gives the noiseless reference path used for the exact ISI of the semi-analytic BER.
  void set_noise_enabled(bool enabled) { noise_mask_ = enabled ? all_noise : 0u; }
  /// Enables only the noise kinds whose bits are set (for the noise budget).
  void set_noise_mask(unsigned mask) { noise_mask_ = mask; }
  [[nodiscard]] unsigned noise_mask() const { return noise_mask_; }
  /// True when any noise is on.
  [[nodiscard]] bool noise_enabled() const { return noise_mask_ != 0u; }
  /// True when noise of this kind is on.
  [[nodiscard]] bool noise_enabled(NoiseKind kind) const {
    return (noise_mask_ & static_cast<unsigned>(kind)) != 0u;
  }

  /// Position in the chain; seeds this block's noise streams.
  void set_chain_index(int index) { chain_index_ = index; }
  [[nodiscard]] int chain_index() const { return chain_index_; }
  /// The name the config gave this block (defaults to kind()).
  void set_label(std::string label) { label_ = std::move(label); }
  [[nodiscard]] const std::string& label() const { return label_; }
  /// Marks this block's power as part of another block's figure, named by its label: the DSP
  /// stages after a `serdes_rx` belong to that SerDes, whose reach-class energy per bit already
  /// covers its ADC, equaliser and CDR (link_config.cpp, share_serdes_power). power() then
  /// reports 0 W with a note, so a receiver is costed once.
  void set_power_included_in(std::string owner) { included_in_ = std::move(owner); }
  [[nodiscard]] const std::string& power_included_in() const { return included_in_; }

 protected:
  /// A random stream for this block and chunk; `substream` separates noise sources of one block.
  [[nodiscard]] RandomStream noise_stream(const Signal& chunk, std::uint64_t substream = 0) const {
    return RandomStream(StreamId{.seed = lane_.seed,
                                 .lane = static_cast<std::uint64_t>(lane_.lane),
                                 .block = static_cast<std::uint64_t>(chain_index_),
                                 .chunk = static_cast<std::uint64_t>(chunk.chunk_index),
                                 .substream = substream});
  }

  LaneContext lane_{};
  unsigned noise_mask_ = all_noise;
  int chain_index_ = 0;
  std::string label_;
  std::string included_in_;
};

}  // namespace optilane

// Touchstone 1.x S-parameter files (.s2p, .s4p, any .sNp) and the `touchstone` block.
//
// Format (Touchstone File Format Specification 1.1, IBIS Open Forum 2002):
//  - `!` starts a comment (to the end of the line); blank lines are ignored.
//  - The option line `# [Hz|kHz|MHz|GHz] [S|Y|Z|G|H] [DB|MA|RI] [R z0]`, any order, case-
//    insensitive, defaults GHz S MA R 50. Only the first option line counts (later ones are
//    ignored, as the spec says). Only S-parameters are read here.
//  - Each frequency's record is the frequency followed by n² pairs (RI: re im; MA: |S| angle in
//    degrees; DB: 20 log10|S| angle in degrees). A record may wrap over several lines
//    (n ≥ 3 wrap every 4 pairs by the spec; any wrapping is accepted here). Order: a 2-port
//    lists S11 S21 S12 S22 (the 1.x exception); n ≥ 3 list row by row, S11 S12 … S1n S21 ….
//  - Frequencies must increase strictly.
// Touchstone 2.0 keywords ([Version], [Number of Ports], ...) are refused with their line.
//
// Mixed mode (Bockelman & Eisenstadt, "Combined differential and common-mode scattering
// parameters", IEEE Trans. MTT 43(7), 1995): with the input pair (p, n) and the output pair
// (p', n'), SDD21 = ½(S_p'p − S_p'n − S_n'p + S_n'n), and alike for SDD11, SDD12, SDD22; the
// differential reference is 2·z0. `port_order` names (in+, in−, out+, out−); default 1,3,2,4, the
// order of the IEEE 802.3ck reference channels (../shared/channels/README.md). A 2-port file is
// taken as the differential two-port itself.
//
// The block's frequency response: magnitude and unwrapped phase interpolated linearly between the
// file's points; below the first point down to DC the magnitude is held and the phase goes
// linearly to 0 (DC extrapolation: S21(0) real, as every passive channel's is); above the last
// point the response keeps its last group delay and is tapered to 0 by a raised cosine over
// 20 % of f_max (and reflections to 0), so the FIR at the simulation rate has no energy the file
// does not describe. The causal FIR then comes from channels/copper/network.hpp.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "channels/copper/copper_block.hpp"
#include "phy/params.hpp"

namespace optilane {

struct TouchstoneData {
  int ports = 0;
  double z0_ohm = 50.0;
  double frequency_unit_hz = 1e9;  ///< the option line's frequency unit (GHz by default)
  std::vector<double> frequency_hz;
  /// s[k][i * ports + j] = S_(i+1)(j+1) at frequency_hz[k].
  std::vector<std::vector<Cplx>> s;

  [[nodiscard]] Cplx at(std::size_t k, int row, int column) const {
    return s[k][static_cast<std::size_t>((row - 1) * ports + (column - 1))];
  }
};

/// Parses Touchstone 1.x text of an n-port network. `source` names the file in errors. Throws
/// InputError with the line number on malformed input. Pure: no file access (fuzzable).
[[nodiscard]] TouchstoneData parse_touchstone(std::string_view text, int ports,
                                              const std::string& source);

/// The port count of a file name's extension (".s4p" → 4); 0 when it is not .sNp.
[[nodiscard]] int touchstone_ports_from_name(std::string_view path);

/// Reads and parses a file; InputError when it cannot be read.
[[nodiscard]] TouchstoneData read_touchstone(const std::string& path);

/// Mixed-mode differential two-port at each frequency of a 4-port (ports numbered from 1:
/// in+, in−, out+, out−), or the 2-port itself.
[[nodiscard]] std::vector<SParams2> differential_sparams(const TouchstoneData& data,
                                                         const std::array<int, 4>& port_order);

/// Interpolated/extrapolated differential two-port of sampled data (see the header comment).
[[nodiscard]] TwoPortNetwork sampled_network(std::vector<double> frequency_hz,
                                             const std::vector<SParams2>& s,
                                             std::string description);

struct TouchstoneParams {
  std::string file;  ///< path, relative to the config's folder
  std::array<int, 4> port_order{1, 3, 2, 4};

  static TouchstoneParams read(ParamReader& reader);
};

class TouchstoneBlock final : public CopperBlock {
 public:
  explicit TouchstoneBlock(const TouchstoneParams& params);
  [[nodiscard]] std::string_view kind() const override { return "touchstone"; }
  [[nodiscard]] TwoPortNetwork network() const override { return network_; }
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<TouchstoneBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  /// The file's data must reach the signal's Nyquist frequency (half the symbol rate), where a
  /// PAM signal's spectrum holds its ISI-relevant content: above the last point the response is
  /// only tapered to 0 (see above), which below Nyquist would be a channel the file does not
  /// describe. (IEEE 802.3 channel files reach the symbol rate or beyond.)
  void check_signal(const LaneContext& lane) const override;
  [[nodiscard]] const TouchstoneParams& params() const { return params_; }

 protected:
  /// The file's frequencies and differential S-parameters, byte for byte: what network() is
  /// built from besides the config (the same path may hold other data in another run).
  [[nodiscard]] std::string content_key() const override { return content_key_; }

 private:
  TouchstoneParams params_;
  TwoPortNetwork network_;
  std::string content_key_;
  double f_max_hz_ = 0.0;
  double frequency_unit_hz_ = 1e9;
};

}  // namespace optilane

// `pcb_trace`: a differential stripline on a laminate, per-unit-length RLGC with skin effect,
// copper roughness (Hammerstad or Huray) and a causal Djordjevic–Sarkar dielectric. Equations and
// references: channels/copper/line.hpp. Material presets (Dk, Df at their frequency, copper
// profile) and their sources: `laminate_material` below.
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "channels/copper/copper_block.hpp"
#include "channels/copper/line.hpp"
#include "phy/params.hpp"

namespace optilane {

/// A laminate preset.
struct LaminateMaterial {
  std::string_view name;
  double dk = 0.0;               ///< relative permittivity at f_ref
  double df = 0.0;               ///< loss tangent at f_ref
  double f_ref_hz = 0.0;         ///< frequency of the Dk/Df pair
  double rms_roughness_m = 0.0;  ///< copper profile (Hammerstad Δ) of the foil usually paired
  std::string_view source;       ///< where the numbers come from, with status tag
};

/// All presets, in a stable order.
[[nodiscard]] const std::vector<LaminateMaterial>& laminate_materials();
/// The preset of a name; throws ParameterError("material") when unknown.
[[nodiscard]] const LaminateMaterial& laminate_material(std::string_view name);

struct PcbTraceParams {
  std::string material = "megtron7";
  double length_m = std::numeric_limits<double>::quiet_NaN();  ///< required, ≥ 0
  double dk = 0.0;               ///< from the material unless set (> 0)
  double df = -1.0;              ///< from the material unless set (≥ 0)
  double f_ref_hz = 0.0;         ///< from the material unless set
  double impedance_ohm = 100.0;  ///< differential impedance
  double width_m = 0.2e-3;       ///< effective trace width (used when plane_spacing_m is 0)
  /// Plane-to-plane spacing b of a centred stripline; when > 0 the effective width follows from
  /// the geometry that gives impedance_ohm/2 per line (stripline_geometry, Pozar §3.7).
  double plane_spacing_m = 0.0;
  double thickness_m = 17.5e-6;  ///< copper thickness
  RoughnessModel roughness_model = RoughnessModel::hammerstad;
  double rms_roughness_m = -1.0;  ///< Hammerstad Δ; < 0: the material's
  double huray_radius_m = 0.5e-6;
  double huray_surface_ratio = 1.5;

  static PcbTraceParams read(ParamReader& reader);
  /// The stripline spec these parameters describe (material values filled in).
  [[nodiscard]] StriplineSpec stripline() const;
};

class PcbTraceBlock final : public CopperBlock {
 public:
  explicit PcbTraceBlock(const PcbTraceParams& params);

  [[nodiscard]] std::string_view kind() const override { return "pcb_trace"; }
  [[nodiscard]] TwoPortNetwork network() const override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<PcbTraceBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;
  [[nodiscard]] const Stripline& line() const { return line_; }

 private:
  PcbTraceParams params_;
  Stripline line_;
};

}  // namespace optilane

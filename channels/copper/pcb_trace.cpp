#include "channels/copper/pcb_trace.hpp"

#include <fmt/format.h>
#include <cmath>

#include "phy/errors.hpp"

namespace optilane {

// Status tags as in ../shared/reference/figures.md: V verified on a retrieved page, S secondary
// (a retrieved page restating the vendor's table), U recollection. The Panasonic and Isola pages
// themselves could not be retrieved; the Panasonic MEGTRON values below are Panasonic's public
// model-page and series-page tables as restated, grade by grade, in a public GitHub material-card
// collection (file "materials-panasonic-megtron-4-vs-megtron-6-vs-megtron-7-vs-megtron-8",
// reviewed 2026-04-25, which links the Panasonic URLs quoted below).
// Copper profiles: rfessentials ("How do I select the right PCB material for a 25 Gbps or 56 Gbps
// serial link?", S) gives standard (HTE) foil Rz 3–6 µm and HVLP Rz 1–2 µm; a chart at
// hemeixinpcb.com (S) pairs standard FR-4 with a 5–8 µm profile and Megtron 6 with 2 µm. The
// Hammerstad model wants the RMS roughness Δ, which these peak-to-valley Rz figures do not give;
// the Δ below (≈ Rz/4, U) and the foil pairing (standard foil on FR-4, VLP on Megtron 6, HVLP on
// Megtron 7 and Tachyon, HVLP2/3 on Megtron 8) remain unverified.
const std::vector<LaminateMaterial>& laminate_materials() {
  static const std::vector<LaminateMaterial> materials{
      {.name = "fr4",
       .dk = 4.4,
       .df = 0.017,
       .f_ref_hz = 10e9,
       .rms_roughness_m = 1.5e-6,
       .source = "S: Dk 4.4, Df 0.017 (Isola standard FR4_LP column of the comparison chart at "
                 "https://hemeixinpcb.com/company/news/490-rogers-4350b-vs-megtron-6-high-speed-"
                 "pcb-laminates-comparison-chart.html; frequency not stated there, 10 GHz "
                 "assumed, U); rfessentials gives standard FR-4 Df 0.020–0.025 (S). Δ 1.5 µm "
                 "(U: standard foil, Rz 3–6 µm per rfessentials, S)"},
      {.name = "megtron6",
       .dk = 3.4,
       .df = 0.004,
       .f_ref_hz = 12e9,
       .rms_roughness_m = 0.5e-6,
       .source = "S: Panasonic MEGTRON 6 R-5775(N)/R-5670(N), Dk 3.4 and Df 0.004 at 12 GHz "
                 "(Panasonic model page https://na.industrial.panasonic.com/products/electronic-"
                 "materials/circuit-board-materials/megtron-series/series/127603/model/131590 and "
                 "datasheet https://industrial.panasonic.com/content/data/EM/PDF/"
                 "CDS_MEGTRON6_R-5775_22081031.pdf, as restated by a public material card; not "
                 "retrieved directly). Δ 0.5 µm VLP foil (U)"},
      {.name = "megtron7",
       .dk = 3.4,
       .df = 0.002,
       .f_ref_hz = 12e9,
       .rms_roughness_m = 0.4e-6,
       .source = "S: Panasonic MEGTRON 7 R-5785(N)/R-5680(N), Dk 3.4 and Df 0.002 at 12 GHz "
                 "(Panasonic model page https://na.industrial.panasonic.com/products/electronic-"
                 "materials/circuit-board-materials/lineup/megtron-series/series/127604/model/"
                 "131596, as restated by a public material card; not retrieved directly). Δ 0.4 "
                 "µm HVLP foil (U: HVLP Rz 1–2 µm per rfessentials, S)"},
      {.name = "megtron8",
       .dk = 3.08,
       .df = 0.0012,
       .f_ref_hz = 14e9,
       .rms_roughness_m = 0.3e-6,
       .source = "S: Panasonic MEGTRON 8 R-579Y(U)/R-569Y, Dk 3.08 and Df 0.0012 at 14 GHz (the "
                 "N grade: 3.13 / 0.0016) (Panasonic series table https://na.industrial."
                 "panasonic.com/products/electronic-materials/circuit-board-materials/lineup/"
                 "megtron-series/series/148029, as restated by a public material card; not "
                 "retrieved directly). Δ 0.3 µm HVLP2 foil (U)"},
      {.name = "tachyon100g",
       .dk = 3.04,
       .df = 0.0021,
       .f_ref_hz = 2.5e9,
       .rms_roughness_m = 0.4e-6,
       .source = "S: Isola Tachyon 100G Dk 3.04 / Df 0.0021 at 2–3 GHz "
                 "(https://camptechii.com/high-performance-rf-microwave-pcb-laminate-material-"
                 "comparison-isola-vs-panasonic/, a distributor's table of Isola's datasheet; "
                 "the 10 GHz row was not retrieved). Δ 0.4 µm HVLP foil (U)"},
  };
  return materials;
}

const LaminateMaterial& laminate_material(std::string_view name) {
  for (const auto& m : laminate_materials()) {
    if (m.name == name) return m;
  }
  throw ParameterError("material", fmt::format("pcb_trace.material = '{}' is not a known "
                                               "laminate (fr4, megtron6, megtron7, megtron8, "
                                               "tachyon100g)",
                                               name));
}

PcbTraceParams PcbTraceParams::read(ParamReader& reader) {
  PcbTraceParams p;
  p.material = reader.choice("material", "megtron7",
                             {"fr4", "megtron6", "megtron7", "megtron8", "tachyon100g"},
                             "Laminate preset: Dk, Df and copper profile with their sources "
                             "(channels/copper/pcb_trace.cpp; `optilane presets`).");
  p.length_m = reader.required_quantity("length", Dimension::length,
                                        "Trace length (0 gives a through).", Range::non_negative());
  const LaminateMaterial& m = laminate_material(p.material);
  p.dk = reader.quantity("dk", Dimension::dimensionless, m.dk,
                         "Relative permittivity at f_ref; default: the material's.",
                         Range{.min = 1.0, .max = 20.0});
  p.df =
      reader.quantity("df", Dimension::dimensionless, m.df,
                      "Loss tangent at f_ref; default: the material's.", Range::between(0.0, 0.2));
  p.f_ref_hz =
      reader.quantity("f_ref", Dimension::frequency, m.f_ref_hz,
                      "Frequency of the Dk/Df pair; default: the material's.", Range::positive());
  p.impedance_ohm = reader.quantity("impedance", Dimension::resistance, 100.0,
                                    "Differential impedance (lossless, at f_ref). Default 100 Ω, "
                                    "the reference of IEEE 802.3 COM (2 R_0).",
                                    Range{.min = 20.0, .max = 200.0});
  p.width_m = reader.quantity(
      "width", Dimension::length, 0.2e-3,
      "Effective trace width (R_ac = K·Rs/(2w); plane return and edge crowding folded in), used "
      "when plane_spacing is 0. The default 0.2 mm is a calibration to the rounded per-inch "
      "figures of figures.md §4, not a stack-up: by Pozar's stripline loss (plane_spacing) it is "
      "the effective width of a 100 Ω pair of ≈ 0.41 mm strips between planes ≈ 0.70 mm apart "
      "(Dk 3.4); a line-card stripline with planes 0.25–0.30 mm apart has w_eff ≈ 70–85 µm and "
      "about 2.5× the conductor loss.",
      Range::positive());
  p.thickness_m = reader.quantity("thickness", Dimension::length, 17.5e-6,
                                  "Copper thickness; default ½ oz (17.5 µm).", Range::positive());
  p.plane_spacing_m = reader.quantity(
      "plane_spacing", Dimension::length, 0.0,
      "Plane-to-plane spacing b of a centred stripline (0: use `width`). When set, the strip "
      "width is solved for impedance/2 per line and the effective width follows from Pozar's "
      "stripline conductor loss (Microwave Engineering, 4th ed., eqs. 3.179–3.182; loosely "
      "coupled pair, Z_odd ≈ Z0). Requires √Dk·impedance/2 < 120 Ω.",
      Range::non_negative());
  const std::string model =
      reader.choice("roughness_model", "hammerstad", {"none", "hammerstad", "huray"},
                    "Copper roughness: Hammerstad–Jensen (RMS Δ) or Huray "
                    "snowball (sphere radius and surface ratio).");
  p.roughness_model = model == "none"    ? RoughnessModel::none
                      : model == "huray" ? RoughnessModel::huray
                                         : RoughnessModel::hammerstad;
  p.rms_roughness_m = reader.quantity("roughness", Dimension::length, m.rms_roughness_m,
                                      "Hammerstad RMS roughness Δ; default: the material's foil.",
                                      Range::non_negative());
  p.huray_radius_m =
      reader.quantity("huray_radius", Dimension::length, 0.5e-6,
                      "Huray sphere radius a (typical 0.3–1 µm, U).", Range::positive());
  p.huray_surface_ratio = reader.quantity(
      "huray_surface_ratio", Dimension::dimensionless, 1.5,
      "Huray N·4πa²/A_flat (1.5: about K = 2.5 at high frequency, U).", Range::non_negative());
  return p;
}

StriplineSpec PcbTraceParams::stripline() const {
  const LaminateMaterial& m = laminate_material(material);
  const double dk_used = dk > 0.0 ? dk : m.dk;
  const double width_used = plane_spacing_m > 0.0 ? stripline_geometry(0.5 * impedance_ohm, dk_used,
                                                                       plane_spacing_m, thickness_m)
                                                        .effective_width_m
                                                  : width_m;
  return {.dk = dk_used,
          .df = df >= 0.0 ? df : m.df,
          .f_ref_hz = f_ref_hz > 0.0 ? f_ref_hz : m.f_ref_hz,
          .impedance_ohm = impedance_ohm,
          .width_m = width_used,
          .thickness_m = thickness_m,
          .roughness = {.model = roughness_model,
                        .rms_m = rms_roughness_m >= 0.0 ? rms_roughness_m : m.rms_roughness_m,
                        .sphere_radius_m = huray_radius_m,
                        .surface_ratio = huray_surface_ratio}};
}

namespace {
const PcbTraceParams& validated(const PcbTraceParams& p) {
  (void)laminate_material(p.material);
  if (!(p.length_m >= 0.0) || !std::isfinite(p.length_m)) {
    throw ParameterError("length", fmt::format("pcb_trace.length = {} m must be ≥ 0", p.length_m));
  }
  if (!(p.width_m > 0.0)) {
    throw ParameterError("width", fmt::format("pcb_trace.width = {} m must be > 0", p.width_m));
  }
  if (!(p.thickness_m > 0.0)) {
    throw ParameterError("thickness",
                         fmt::format("pcb_trace.thickness = {} m must be > 0", p.thickness_m));
  }
  if (!(p.impedance_ohm > 0.0)) {
    throw ParameterError("impedance",
                         fmt::format("pcb_trace.impedance = {} Ω must be > 0", p.impedance_ohm));
  }
  if (!(p.plane_spacing_m >= 0.0)) {
    throw ParameterError("plane_spacing", fmt::format("pcb_trace.plane_spacing = {} m must be ≥ 0",
                                                      p.plane_spacing_m));
  }
  if (p.dk != 0.0 && !(p.dk >= 1.0)) {
    throw ParameterError("dk", fmt::format("pcb_trace.dk = {} must be ≥ 1", p.dk));
  }
  if (p.df >= 1.0 || (p.df < 0.0 && p.df != -1.0)) {
    throw ParameterError("df", fmt::format("pcb_trace.df = {} must be in [0, 1)", p.df));
  }
  return p;
}
}  // namespace

PcbTraceBlock::PcbTraceBlock(const PcbTraceParams& params)
    : params_(validated(params)), line_(params.stripline()) {}

TwoPortNetwork PcbTraceBlock::network() const {
  if (params_.length_m == 0.0) return TwoPortNetwork{};
  return line_.network(params_.length_m, fmt::format("pcb_trace {} {:.4g} mm", params_.material,
                                                     params_.length_m * 1e3));
}

std::string PcbTraceBlock::describe() const {
  const StriplineSpec s = params_.stripline();
  return fmt::format(
      "pcb_trace: {} {:.4g} mm, Dk {:.3g} Df {:.3g} @ {:.3g} GHz, {:.0f} Ω diff, "
      "w_eff {:.3g} µm, IL {:.2f} dB @ 26.5625 GHz{}",
      params_.material, params_.length_m * 1e3, s.dk, s.df, s.f_ref_hz / 1e9, s.impedance_ohm,
      s.width_m * 1e6, network().insertion_loss_db(26.5625e9), cascade_note());
}

// Figures for validation: the insertion loss per inch of this trace at a frequency (argument).
std::optional<double> PcbTraceBlock::metric(std::string_view name, double argument) const {
  if (name == "loss_db_per_inch") {
    if (params_.length_m <= 0.0) return std::nullopt;
    return network().insertion_loss_db(argument) / (params_.length_m / 0.0254);
  }
  return CopperBlock::metric(name, argument);
}

std::vector<std::string> PcbTraceBlock::metric_names() const {
  return {"insertion_loss_db (argument: frequency)", "loss_db_per_inch (argument: frequency)"};
}

}  // namespace optilane

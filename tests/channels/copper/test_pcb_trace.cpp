// PCB trace physics (channels/copper/line.hpp, pcb_trace.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "channels/copper/pcb_trace.hpp"
#include "phy/errors.hpp"

using namespace optilane;

namespace {
constexpr double inch_m = 0.0254;

PcbTraceBlock trace(const std::string& material, double length_m) {
  PcbTraceParams p;
  p.material = material;
  p.length_m = length_m;
  return PcbTraceBlock(p);
}

double loss_db_per_inch(const std::string& material, double f_hz) {
  return trace(material, 10 * inch_m).network().insertion_loss_db(f_hz) / 10.0;
}
}  // namespace

TEST_CASE("Material presets' loss per inch lands on the quoted laminate figures",
          "[channels][pcb_trace]") {
  // figures.md §4: FR-4 ≈ 1.2, Megtron 6 ≈ 0.45, Megtron 7 ≈ 0.30 dB/inch at 14 GHz (S,
  // rfessentials); ultra-low-loss 224G board 0.80–0.89 dB/inch at 53 GHz (V, DesignCon 2024).
  // The quoted figures are for unspecified trace geometries, so ±30 % is their own spread.
  constexpr double spread = 0.30;
  CHECK(loss_db_per_inch("fr4", 14e9) == Approx(1.2).epsilon(spread));
  CHECK(loss_db_per_inch("megtron6", 14e9) == Approx(0.45).epsilon(spread));
  CHECK(loss_db_per_inch("megtron7", 14e9) == Approx(0.30).epsilon(spread));
  CHECK(loss_db_per_inch("megtron8", 53e9) == Approx(0.845).epsilon(spread));
  CHECK(loss_db_per_inch("tachyon100g", 53e9) == Approx(0.845).epsilon(spread));
  // Ordering of the laminates at every frequency.
  for (double f : {14e9, 28e9, 53e9}) {
    CHECK(loss_db_per_inch("fr4", f) > loss_db_per_inch("megtron6", f));
    CHECK(loss_db_per_inch("megtron6", f) > loss_db_per_inch("megtron7", f));
    CHECK(loss_db_per_inch("megtron7", f) > loss_db_per_inch("megtron8", f));
  }
}

TEST_CASE("Loss scales linearly with length", "[channels][pcb_trace]") {
  const double one = trace("megtron6", 0.05).network().insertion_loss_db(26.5625e9);
  const double three = trace("megtron6", 0.15).network().insertion_loss_db(26.5625e9);
  // 1e-4: exp(−γl) scales exactly; the lossy Zc's small departure from 100 Ω adds a tiny mismatch.
  CHECK(three == Approx(3.0 * one).epsilon(1e-4));
}

TEST_CASE("Smooth-copper skin loss grows as √f", "[channels][pcb_trace]") {
  // α_c = Rs/(2w·Z) with Rs = √(π f μ0 ρ) (Pozar eq. 1.131), once f ≫ f0 (DC–AC transition).
  StriplineSpec spec;
  spec.roughness.model = RoughnessModel::none;
  const Stripline line(spec);
  const double ratio =
      line.conductor_attenuation_np_per_m(40e9) / line.conductor_attenuation_np_per_m(10e9);
  CHECK(ratio == Approx(2.0).epsilon(0.01));  // 1 %: the √(1 + jf/f0) join, f0 ≈ 0.2 GHz
}

TEST_CASE("Dielectric loss follows Bogatin's 2.3·f·Df·√Dk dB/inch", "[channels][pcb_trace]") {
  // Bogatin, Signal and Power Integrity — Simplified, §9: α_d ≈ 2.3 f[GHz] Df √Dk dB/inch.
  // 3 %: the rule's 2.3 vs the exact π·8.686·0.0254/c·1e9 = 2.312, plus D-S's slow Df drift.
  StriplineSpec spec;
  spec.dk = 3.6;
  spec.df = 0.004;
  spec.f_ref_hz = 13e9;
  const Stripline line(spec);
  for (double f_ghz : {5.0, 13.0, 28.0}) {
    const double db_per_inch =
        line.dielectric_attenuation_np_per_m(f_ghz * 1e9) * 8.685889638 * inch_m;
    CHECK(db_per_inch == Approx(2.3 * f_ghz * 0.004 * std::sqrt(3.6)).epsilon(0.03));
  }
}

TEST_CASE("Djordjevic–Sarkar permittivity obeys Kramers–Kronig", "[channels][pcb_trace]") {
  // ε'(ω) − ε∞ = (2/π) ∫_0^∞ x ε''(x)/(x² − ω²) dx (KK; Jackson, Classical Electrodynamics §7.10).
  // Evaluated in log-frequency by the midpoint rule with the pole at ω handled by symmetric
  // exclusion; 1 % of Δε is the quadrature's accuracy with 20000 points.
  const DjordjevicSarkar ds = DjordjevicSarkar::fit(3.6, 0.01, 10e9);
  const double eps_inf = ds.eps_inf;
  for (double f : {1e8, 1e10, 1e11}) {
    const double w = 2 * M_PI * f;
    const double lo = std::log(ds.omega1 * 1e-4), hi = std::log(ds.omega2 * 1e4);
    const int n = 200000;
    const double h = (hi - lo) / n;
    double integral = 0.0;
    for (int i = 0; i < n; ++i) {
      const double x = std::exp(lo + (i + 0.5) * h);
      const double eps2 = -ds.permittivity(x / (2 * M_PI)).imag();
      const double eps2w = -ds.permittivity(f).imag();
      // Subtract the singular part: ∫ x (ε''(x) − ε''(ω)·ω/x) /(x² − ω²) has no pole.
      integral += (x * eps2 - w * eps2w) / (x * x - w * w) * x * h;
    }
    // ∫_0^∞ ω ε''(ω)/(x² − ω²) dx over x = 0 (principal value) — the subtracted term's integral
    // vanishes, so ε' − ε∞ = (2/π)·integral.
    const double expected = ds.permittivity(f).real() - eps_inf;
    const double delta_eps = ds.slope * std::log10(ds.omega2 / ds.omega1);
    CHECK(std::abs(2 / M_PI * integral - expected) < 0.01 * delta_eps);
  }
}

TEST_CASE("A PCB trace's impulse response is causal", "[channels][pcb_trace]") {
  // The energy before the propagation delay (the first tap kept) is < 1e-3 of the total.
  PcbTraceBlock block = trace("megtron7", 0.1);
  block.prepare(LaneContext{.symbol_rate_bd = 53.125e9, .samples_per_symbol = 16});
  CHECK(block.pre_arrival_energy() < 1e-3);
  // The removed bulk delay stays below the propagation delay l·√Dk/c (0.1 m · √3.37 / c ≈ 612
  // ps): the FIR keeps a margin before the arrival as long as its rise.
  const double delay = 0.1 * std::sqrt(3.37) / 299792458.0;
  CHECK(block.bulk_delay_s() < delay);
  CHECK(block.bulk_delay_s() > 0.5 * delay);
  const auto& taps = block.taps();
  const double dc = std::accumulate(taps.begin(), taps.end(), 0.0);
  CHECK(dc == Approx(1.0).epsilon(0.02));  // DC loss of 10 cm of copper: R_dc l / 2Z ≈ 0.5 %
}

TEST_CASE("pcb_trace refuses bad configurations and a zero length is a through",
          "[channels][pcb_trace]") {
  PcbTraceParams p;
  p.length_m = -1.0;
  CHECK_THROWS_AS(PcbTraceBlock(p), ParameterError);
  p.length_m = 0.01;
  p.material = "unobtainium";
  CHECK_THROWS_AS(PcbTraceBlock(p), ParameterError);
  p.material = "fr4";
  p.width_m = 0.0;
  CHECK_THROWS_AS(PcbTraceBlock(p), ParameterError);

  PcbTraceBlock zero = trace("fr4", 0.0);
  CHECK(zero.network().is_identity());
  zero.prepare(LaneContext{.symbol_rate_bd = 53.125e9, .samples_per_symbol = 8});
  Signal chunk;
  chunk.electrical = {0.1, -0.3, 0.7, 0.2};
  zero.process(chunk);
  CHECK(chunk.electrical == std::vector<double>{0.1, -0.3, 0.7, 0.2});
}

TEST_CASE("A cloned or reset pcb_trace gives the same output", "[channels][pcb_trace]") {
  PcbTraceBlock block = trace("megtron6", 0.05);
  block.prepare(LaneContext{.symbol_rate_bd = 53.125e9, .samples_per_symbol = 8});
  auto copy = block.clone();
  Signal a, b;
  a.electrical.assign(4096, 0.0);
  for (std::size_t i = 0; i < a.electrical.size(); ++i)
    a.electrical[i] = (i / 8) % 3 == 0 ? 0.5 : -0.5;
  b = a;
  Signal c = a;
  block.process(a);
  copy->process(b);
  CHECK(a.electrical == b.electrical);
  block.reset();
  block.process(c);
  CHECK(a.electrical == c.electrical);
}

TEST_CASE("Stripline geometry reproduces Pozar's Example 3.5 (50 Ω, b = 3.2 mm, εr = 2.2)",
          "[channels][pcb_trace]") {
  // Pozar, Microwave Engineering, 4th ed., Example 3.5: W = 0.266 cm, A = 4.74 and
  // α_c = 0.122 Np/m at 10 GHz for t = 0.01 mm. Pozar rounds to three figures: 0.5 %.
  constexpr double rounding = 0.005;
  const StriplineGeometry g = stripline_geometry(50.0, 2.2, 3.2e-3, 0.01e-3);
  CHECK(g.width_m == Approx(2.66e-3).epsilon(rounding));
  const double rs = std::sqrt(M_PI * 10e9 * vacuum_permeability_h_per_m * copper_resistivity_ohm_m);
  // w_eff = Rs/(4 Z0 α_c), so α_c = Rs/(4 Z0 w_eff).
  CHECK(rs / (4.0 * 50.0 * g.effective_width_m) == Approx(0.122).epsilon(rounding));
}

TEST_CASE("A pcb_trace given its plane spacing has Pozar's stripline conductor loss",
          "[channels][pcb_trace]") {
  PcbTraceParams p;
  p.material = "megtron7";
  p.length_m = 0.1;
  p.plane_spacing_m = 0.30e-3;
  p.roughness_model = RoughnessModel::none;
  const PcbTraceBlock block(p);
  const StriplineGeometry g = stripline_geometry(50.0, 3.4, 0.30e-3, 17.5e-6);
  const double f = 14e9;
  const double rs = std::sqrt(M_PI * f * vacuum_permeability_h_per_m * copper_resistivity_ohm_m);
  // Smooth copper well above f0: α_c = Rs/(4 Z0 w_eff) within the √(1 + jf/f0) join (1 %).
  CHECK(block.line().conductor_attenuation_np_per_m(f) ==
        Approx(rs / (4.0 * 50.0 * g.effective_width_m)).epsilon(0.01));
  // A 0.30 mm stripline is far narrower than the calibrated 0.2 mm effective default.
  CHECK(g.effective_width_m < 0.1e-3);
  // Out of the formula's range (√Dk·Z_odd ≥ 120 Ω) and thinner than the copper: refused.
  CHECK_THROWS_AS(stripline_geometry(70.0, 3.4, 0.3e-3, 17.5e-6), ParameterError);
  CHECK_THROWS_AS(stripline_geometry(50.0, 3.4, 10e-6, 17.5e-6), ParameterError);
}

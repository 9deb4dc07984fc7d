#include "link/report.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>

#include "optilane/version.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

std::mutex& temporaries_mutex() {
  static std::mutex mutex;
  return mutex;
}
// Fixed-size table so the signal handler can walk it without allocating.
constexpr int max_temporaries = 16;
std::atomic<const char*> temporaries[max_temporaries];
std::string temporary_storage[max_temporaries];

nlohmann::json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

double carrier_wavelength_nm(const LaneResult& lane) {
  return lane.optical ? lane.wavelength_m * 1e9 : std::numeric_limits<double>::quiet_NaN();
}

std::string tdecq_note(const TxResult& tx) {
  if (!std::isinf(tx.tdecq_db)) return {};
  return fmt::format("unbounded (eye SER {:.2g} with no added noise)",
                     tx.tdecq_ser_without_added_noise);
}

nlohmann::json summary_json(const LinkConfig& config, const LinkResult& result) {
  using nlohmann::json;
  auto lanes_json = [&](const std::vector<LaneResult>& segment_lanes) {
    json lanes = json::array();
    for (const auto& lane : segment_lanes) {
      const SlicerResult& s = lane.slicer;
      json ber = {{"semi_analytic", number_or_null(s.ber_semi_analytic)},
                  {"ser_semi_analytic", number_or_null(s.ser_semi_analytic)}};
      if (config.analysis.monte_carlo.enabled) {
        ber["monte_carlo"] = s.ber_monte_carlo;
        ber["monte_carlo_ci95"] = {s.ber_ci95_low, s.ber_ci95_high};
        ber["errors"] = s.bit_errors;
        ber["bits"] = s.bits;
        ber["ser_monte_carlo"] = s.ser_monte_carlo;
        ber["symbol_errors"] = s.symbol_errors;
        ber["symbols"] = s.symbols;
      }
      json eye = {{"unit", lane.slicer_unit},
                  {"height", s.eye_height},
                  {"width_ui", s.eye_width_ui},
                  {"at_ber", config.analysis.target_ber},
                  {"levels", s.level_means},
                  {"thresholds", s.thresholds},
                  {"method", lane.monte_carlo_only
                                 ? "Monte-Carlo only (no noiseless twin): levels are the noisy "
                                   "means, thresholds from the noisy level statistics; height "
                                   "and width not computed"
                                 : "worst-case ISI: the noiseless ISI extremes of the two levels "
                                   "less Q(target BER)·σ of the Gaussian noise; the statistical "
                                   "eye's height (eye.statistical.height) is where the eye's "
                                   "error probability is the target BER"}};
      if (lane.statistical) {
        const StatisticalEye& st = *lane.statistical;
        ber["statistical"] = st.ber;
        eye["statistical"] = {
            {"height", st.eye_height},
            {"width_ui", st.eye_width_ui},
            {"levels", st.level_means},
            {"method",
             "statistical eye: ISI distribution by convolution of the pulse response's cursors "
             "(independent symbols) and, per group of levels, of the measured distribution of what "
             "the "
             "pulse fit leaves (echoes beyond its window, nonlinearity; its level means move the "
             "levels), with Gaussian noise of the measured σ per level; height and width where "
             "the eye's error probability is at or below the target BER"}};
        if (lane.pulse) {
          eye["statistical"]["pulse_fit_residual_rms"] = lane.pulse->fit_residual_rms;
          eye["statistical"]["pulse_signal_rms"] = lane.pulse->signal_rms;
          // The statistical eye models the ISI as linear in the symbols plus the fit's residual
          // as an independent term per level; the semi-analytic BER uses the chain's actual
          // noiseless samples. Where the residual (the nonlinear ISI: square-law detection of a
          // dispersed field, modulator compression) is a tenth of the noise or more, the two
          // differ by tens of % (fr4-2km-cwdm4-106g, lane 0: residual 0.16σ, statistical +21 %
          // over semi-analytic, Monte-Carlo with the semi-analytic).
          double noise = 0.0;
          for (double sd : s.noise_rms_per_level)
            noise += sd / static_cast<double>(s.noise_rms_per_level.size());
          if (!lane.dsp && noise > 0.0) {
            const double ratio = lane.pulse->fit_residual_rms / noise;
            eye["statistical"]["pulse_fit_residual_over_noise"] = ratio;
            if (ratio >= 0.1) {
              eye["statistical"]["note"] = fmt::format(
                  "the chain is not linear in the symbols (pulse-fit residual {:.2f} of the "
                  "noise RMS): the statistical eye takes the residual as independent of the "
                  "linear ISI, an approximation here; the semi-analytic BER uses the actual "
                  "noiseless samples",
                  ratio);
            }
          }
        }
      } else if (config.analysis.statistical_eye) {
        ber["statistical"] = nullptr;
        if (!lane.statistical_note.empty()) eye["statistical_note"] = lane.statistical_note;
      }
      json rx = {{"snr_db", number_or_null(s.snr_db)},
                 {"noise_rms_per_level", s.noise_rms_per_level}};
      if (lane.dsp) {
        const ReceiverDspReport& d = *lane.dsp;
        rx["dsp"] = {{"description", d.description},
                     {"phase_ui", d.phase_ui},
                     {"phase_method", d.phase_method},
                     {"ffe_taps", d.ffe_taps},
                     {"dfe_taps", d.dfe_taps},
                     {"mse", d.training.mse},
                     {"noise_enhancement_db", d.training.noise_enhancement_db},
                     {"mlse_alpha", d.training.mlse_alpha},
                     {"lms_passes", d.training.lms_passes}};
        if (d.training.lms_passes > 0) {
          // The convergence check (phy/analysis/rx_dsp.hpp): the frozen taps' MSE and its excess
          // over Wiener against the limit it met.
          rx["dsp"]["mse_lms"] = d.training.mse_lms;
          rx["dsp"]["lms_excess_mse"] = d.training.lms_excess;
          rx["dsp"]["lms_excess_limit"] = d.training.lms_excess_limit;
          rx["dsp"]["lms_converged"] = d.training.lms_converged;
        }
        if (d.phase_method != "optimum phase") {
          rx["dsp"]["cdr_phase_ui"] = d.cdr_phase_ui;
          rx["dsp"]["cdr_jitter_rms_ui"] = d.cdr_jitter_rms_ui;
        }
      }
      json blocks_w = json::object();
      double lane_power_w = 0.0;
      for (const auto& [block, watts] : block_power_w(lane)) {
        blocks_w[block] = watts;
        lane_power_w += watts;
      }
      json lane_json = {{"lane", lane.lane},
                        {"wavelength_nm", number_or_null(carrier_wavelength_nm(lane))},
                        {"ber", ber},
                        {"post_fec_ber", lane.post_fec_ber},
                        {"eye", eye},
                        {"rx", rx},
                        {"chain", lane.chain_description},
                        {"power_w", lane_power_w},
                        {"power_blocks_w", blocks_w}};
      if (lane.monte_carlo_only) {
        lane_json["monte_carlo_only"] = true;
        lane_json["not_computed"] = monte_carlo_only_not_computed();
      }
      if (!lane.copper.empty()) {
        // Channel report: each copper run's COM (IEEE 802.3 Annex 93A); the lane's worst.
        json runs = json::array();
        double worst = std::numeric_limits<double>::infinity();
        for (const auto& run : lane.copper) {
          json item = {{"block", run.block}, {"members", run.members}};
          if (run.com) {
            const ComResult& c = *run.com;
            worst = std::min(worst, c.com_db);
            item["com_db"] = c.com_db;
            item["com_pass"] = c.pass;
            item["parameter_set"] = c.parameter_set;
            item["a_s_mv"] = c.a_s_v * 1e3;
            item["a_ni_mv"] = c.a_ni_v * 1e3;
            item["fom_db"] = c.fom_db;
            item["tx_ffe"] = {c.c_minus1, c.c0, c.c_plus1};
            item["ctle_g_dc_db"] = c.g_dc_db;
            item["ctle_g_dc2_db"] = c.g_dc2_db;
            item["rx_ffe"] = c.rx_ffe;
            item["dfe"] = c.dfe;
            item["sigma_mv"] = {{"isi", c.sigma_isi_v * 1e3},
                                {"jitter", c.sigma_jitter_v * 1e3},
                                {"noise", c.sigma_noise_v * 1e3},
                                {"tx", c.sigma_tx_v * 1e3}};
            item["method"] = c.method;
          }
          runs.push_back(item);
        }
        lane_json["channel"] = {{"copper_runs", runs}};
        if (std::isfinite(worst)) {
          lane_json["channel"]["com_db"] = worst;
          lane_json["channel"]["com_pass"] = worst >= 3.0;
        }
      }
      if (lane.tx) {
        const TxResult& t = *lane.tx;
        auto dbm = [](double w) {
          return w > 0.0 ? nlohmann::json(w_to_dbm(w)) : nlohmann::json(nullptr);
        };
        lane_json["tx"] = {
            {"block", t.block},
            {"average_power_dbm", dbm(t.average_power_w)},
            {"oma_outer_dbm", dbm(t.oma_outer_w)},
            {"extinction_ratio_db", number_or_null(t.extinction_ratio_db)},
            {"rlm", number_or_null(t.rlm)},
            {"tdecq_db", number_or_null(t.tdecq_db)},
            {"tdecq_ser_without_added_noise", number_or_null(t.tdecq_ser_without_added_noise)},
            {"noise_rms_uw", t.noise_rms_w * 1e6},
            {"levels_w", t.levels_w},
            {"symbols", t.symbols},
            {"whole_period", t.whole_period},
            {"pre_pass", t.pre_pass},
            {"method", t.method}};
      }
      if (lane.optical_rx) {
        const OpticalRxResult& o = *lane.optical_rx;
        json noise = json::object();
        for (const auto& [kind, amps] : o.noise_rms_a) noise[kind] = number_or_null(amps * 1e6);
        lane_json["rx"]["oma_outer_dbm"] = number_or_null(o.oma_outer_dbm);
        lane_json["rx"]["responsivity_a_per_w"] = o.responsivity_a_per_w;
        lane_json["rx"]["noise_rms_ua"] = noise;
        lane_json["rx"]["noise_method"] =
            "one noise kind at a time vs the noiseless twin at the slicer, referred to the "
            "photodetector through the signal gain; total from the full run";
        lane_json["sensitivity_oma_dbm"] = number_or_null(o.sensitivity_oma_dbm);
        lane_json["margin_db"] = number_or_null(o.margin_db);
        lane_json["sensitivity"] = {
            {"method", o.sensitivity_note},
            {"spot_check_ber_monte_carlo", number_or_null(o.spot_check_ber_monte_carlo)},
            {"spot_check_ber_semi_analytic", number_or_null(o.spot_check_ber_semi_analytic)},
            {"spot_check_errors", o.spot_check_errors},
            {"spot_check_bits", o.spot_check_bits}};
        // Link budget: Tx OMA − channel loss → received OMA; received OMA − sensitivity → margin
        // (the sensitivity already carries every impairment of the chain; the penalties say how
        // much of it each one costs).
        json penalties = json::object();
        for (const auto& [name, db] : o.penalties_db) penalties[name] = number_or_null(db);
        json budget = {{"channel_loss_db", o.channel_loss_db},
                       {"rx_oma_outer_dbm", number_or_null(o.oma_outer_dbm)},
                       {"sensitivity_oma_dbm", number_or_null(o.sensitivity_oma_dbm)},
                       {"margin_db", number_or_null(o.margin_db)},
                       {"penalties_db", penalties}};
        if (lane.tx) {
          budget["tx_oma_outer_dbm"] =
              lane.tx->oma_outer_w > 0.0 ? json(w_to_dbm(lane.tx->oma_outer_w)) : json(nullptr);
          budget["tx_tdecq_db"] = number_or_null(lane.tx->tdecq_db);
        }
        lane_json["link_budget"] = budget;
      }
      lanes.push_back(lane_json);
    }
    return lanes;
  };
  json breakdown = json::object();
  for (const auto& [name, watts] : result.power_breakdown_w) breakdown[name] = watts;
  json segments = json::array();
  for (const auto& seg : result.segments) {
    json channel = json::object();
    if (!seg.lanes.empty() && seg.lanes.front().optical_rx) {
      channel["optical_loss_db"] = seg.lanes.front().optical_rx->channel_loss_db;
    }
    // Copper insertion loss at Nyquist: the worst lane (lanes share their copper today).
    double il_nyquist = std::numeric_limits<double>::quiet_NaN();
    for (const auto& lane : seg.lanes) {
      if (std::isfinite(lane.insertion_loss_db_at_nyquist) &&
          !(lane.insertion_loss_db_at_nyquist <= il_nyquist)) {
        il_nyquist = lane.insertion_loss_db_at_nyquist;
      }
    }
    if (std::isfinite(il_nyquist)) channel["insertion_loss_db_at_nyquist"] = il_nyquist;
    // COM of the segment: its worst lane's worst copper run, pass at >= 3 dB.
    double com_db = std::numeric_limits<double>::infinity();
    for (const auto& lane : seg.lanes) {
      for (const auto& run : lane.copper) {
        if (run.com) com_db = std::min(com_db, run.com->com_db);
      }
    }
    if (std::isfinite(com_db)) {
      channel["com_db"] = com_db;
      channel["com_pass"] = com_db >= 3.0;
    }
    json segment_breakdown = json::object();
    for (const auto& [name, watts] : seg.power_breakdown_w) segment_breakdown[name] = watts;
    segments.push_back({{"name", result.segments.size() == 1 ? config.name : seg.name},
                        {"channel", channel},
                        {"ber", seg.worst_ber},
                        {"power_w", seg.power_w},
                        {"power_breakdown_w", segment_breakdown},
                        {"lanes", lanes_json(seg.lanes)}});
  }
  json link_lanes = json::array();
  for (std::size_t i = 0; i < result.lane_ber.size(); ++i) {
    link_lanes.push_back(
        {{"lane", i}, {"ber", result.lane_ber[i]}, {"post_fec_ber", result.lane_post_fec_ber[i]}});
  }
  return {{"name", config.name},
          {"optilane_version", version_string},
          {"git_revision", git_revision},
          {"seed", config.signal.seed},
          {"signal",
           {{"format", config.signal.modulation == Modulation::pam4 ? "pam4" : "nrz"},
            {"symbol_rate_gbd", config.signal.symbol_rate_bd / 1e9},
            {"samples_per_symbol", config.signal.samples_per_symbol},
            {"pattern", std::string(pattern_name(config.signal.pattern))}}},
          {"segments", segments},
          {"link",
           {{"ber", result.worst_ber},
            {"ber_method", "sum over retimed segments of each segment's BER"},
            {"lanes", link_lanes},
            {"fec", config.analysis.fec},
            {"closes", result.closes},
            {"target_ber", config.analysis.target_ber}}},
          {"power",
           {{"per_lane_w", result.power_per_lane_w},
            {"total_w", result.power_total_w},
            {"pj_per_bit", result.pj_per_bit},
            {"breakdown_w", breakdown}}},
          {"elapsed_s", result.elapsed_s}};
}

std::string summary_table(const LinkConfig& config, const LinkResult& result) {
  std::string out;
  out += fmt::format("optilane {} — {} ({} lane{}, {:.4g} GBd {}, {} samples/symbol, seed {})\n",
                     version_string, config.name, config.lanes.count,
                     config.lanes.count > 1 ? "s" : "", config.signal.symbol_rate_bd / 1e9,
                     config.signal.modulation == Modulation::pam4 ? "PAM4" : "NRZ",
                     config.signal.samples_per_symbol, config.signal.seed);
  const bool mc = config.analysis.monte_carlo.enabled;
  // Eye heights in the unit of the signal at the slicer, scaled for reading: mV for a voltage, µA
  // for a photocurrent straight from a photodetector. Two heights that answer different questions
  // sit side by side: the worst-case-ISI height (the noiseless ISI extremes of the two levels less
  // Q(BER)·σ: the eye no symbol sequence closes) and, where the statistical eye ran, the height at
  // which the eye's error probability is the target BER (ISI as a distribution, the figure that
  // agrees with the BER).
  std::set<std::string> units;
  bool statistical = false;
  for (const auto& seg : result.segments) {
    for (const auto& lane : seg.lanes) {
      units.insert(lane.slicer_unit);
      statistical = statistical || lane.statistical.has_value();
    }
  }
  auto display = [](const std::string& unit) {
    return unit == "A" ? std::pair<double, std::string>{1e6, "µA"}
                       : std::pair<double, std::string>{1e3, "m" + unit};
  };
  const bool one_unit = units.size() == 1;
  const std::string header_unit = one_unit ? display(*units.begin()).second : "mV or µA";
  auto heights_text = [&](const std::vector<double>& heights, const std::string& unit) {
    const auto [per_si, label] = display(unit);
    std::string text;
    for (double h : heights) {
      text += (text.empty() ? "" : " ") +
              (std::isfinite(h) ? fmt::format("{:.3g}", h * per_si) : std::string("-"));
    }
    return one_unit || text.empty() ? text : text + " " + label;
  };
  out += fmt::format("{:>4} {:>8} {:>10} {:>23} {:>8} {:>10} {:>7}  {:<28} ", "lane", "λ [nm]",
                     "BER MC", "MC 95 % interval", "errors", "BER semi", "SNR[dB]",
                     fmt::format("height, worst-case ISI [{}]", header_unit));
  if (statistical) {
    out += fmt::format("{:<26} ", fmt::format("height, statistical [{}]", header_unit));
  }
  out += "width, worst-case ISI [UI]\n";
  for (const auto& seg : result.segments) {
    if (result.segments.size() > 1) {
      out += fmt::format("segment {} (worst BER {:.3e})\n", seg.name, seg.worst_ber);
    }
    for (const auto& lane : seg.lanes) {
      const SlicerResult& s = lane.slicer;
      std::string widths;
      for (double w : s.eye_width_ui) widths += fmt::format("{:.2f} ", w);
      out += fmt::format(
          "{:>4} {:>8} {:>10} {:>23} {:>8} {:>10} {:>7}  {:<28} ", lane.lane,
          lane.optical ? fmt::format("{:.2f}", lane.wavelength_m * 1e9) : "-",
          mc ? fmt::format("{:.3e}", s.ber_monte_carlo) : "-",
          mc ? fmt::format("[{:.2e}, {:.2e}]", s.ber_ci95_low, s.ber_ci95_high) : "-",
          mc ? std::to_string(s.bit_errors) : "-",
          std::isfinite(s.ber_semi_analytic) ? fmt::format("{:.3e}", s.ber_semi_analytic) : "-",
          std::isfinite(s.snr_db) ? fmt::format("{:.2f}", s.snr_db) : std::string("-"),
          heights_text(s.eye_height, lane.slicer_unit));
      if (statistical) {
        out += fmt::format("{:<26} ", lane.statistical ? heights_text(lane.statistical->eye_height,
                                                                      lane.slicer_unit)
                                                       : std::string("-"));
      }
      out += widths + "\n";
    }
  }
  // Every segment's transmitters (a retimed link has one per segment that starts on light).
  for (const auto& seg : result.segments) {
    for (const auto& lane : seg.lanes) {
      if (!lane.tx) continue;
      const TxResult& t = *lane.tx;
      auto dbm = [](double w) { return w > 0.0 ? fmt::format("{:.2f}", w_to_dbm(w)) : "-"; };
      auto num = [](double v, int digits) {
        return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : std::string("-");
      };
      out += fmt::format(
          "tx{} lane {} ({}): P_ave {} dBm, OMA(outer) {} dBm, ER {} dB, RLM {}, TDECQ {}\n",
          result.segments.size() > 1 ? fmt::format(" segment {}", &seg - result.segments.data())
                                     : std::string(),
          lane.lane, t.block, dbm(t.average_power_w), dbm(t.oma_outer_w),
          num(t.extinction_ratio_db, 2), num(t.rlm, 3),
          std::isinf(t.tdecq_db) ? tdecq_note(t) : num(t.tdecq_db, 2) + " dB");
    }
  }
  out += fmt::format("link: worst BER {:.3e} vs target {:.2e} → {}", result.worst_ber,
                     config.analysis.target_ber, result.closes ? "closes" : "DOES NOT CLOSE");
  if (result.power_total_w > 0.0) {
    out += fmt::format("; power {:.3f} W total, {:.3f} W/lane, {:.2f} pJ/bit", result.power_total_w,
                       result.power_per_lane_w, result.pj_per_bit);
  }
  out += fmt::format("  ({:.2f} s)\n", result.elapsed_s);
  return out;
}

std::string temporary_name(const std::string& path) {
  const std::string name = fmt::format("{}.tmp-{}", path, ::getpid());
  const std::lock_guard lock(temporaries_mutex());
  for (int i = 0; i < max_temporaries; ++i) {
    if (temporaries[i].load() == nullptr) {
      temporary_storage[i] = name;
      temporaries[i].store(temporary_storage[i].c_str());
      break;
    }
  }
  return name;
}

void commit_temporary(const std::string& temporary, const std::string& path) {
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  {
    const std::lock_guard lock(temporaries_mutex());
    for (int i = 0; i < max_temporaries; ++i) {
      const char* p = temporaries[i].load();
      if (p != nullptr && temporary == p) temporaries[i].store(nullptr);
    }
  }
  if (ec) {
    std::remove(temporary.c_str());
    throw InputError("cannot write '" + path + "': " + ec.message());
  }
}

void remove_temporary_files() noexcept {
  for (auto& slot : temporaries) {
    if (const char* p = slot.exchange(nullptr)) ::unlink(p);
  }
}

void check_output_writable(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::error_code ec;
  if (fs::is_directory(target, ec)) {
    throw InputError("cannot write '" + path + "': it is a directory (give a file name)");
  }
  const fs::path parent = target.parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) throw InputError("cannot create the directory of '" + path + "': " + ec.message());
  }
  // Outputs are written to a temporary file beside the target and renamed onto it: creating one
  // now finds a read-only or missing place before the simulation runs rather than after.
  std::string probe = path + ".check-XXXXXX";
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) {
    const int reason = errno;
    throw InputError(fmt::format("cannot write '{}': cannot create a file in '{}': {}", path,
                                 parent.empty() ? std::string(".") : parent.string(),
                                 std::strerror(reason)));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = temporary_name(path);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      remove_temporary_files();
      throw InputError("cannot write '" + path + "' (directory missing or not writable)");
    }
    out << text;
    out.flush();
    if (!out) {
      remove_temporary_files();
      throw InputError("cannot write '" + path + "'");
    }
  }
  commit_temporary(temporary, path);
}

}  // namespace optilane

#include "link/tiers.hpp"

#include <H5Cpp.h>
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "link/data_paths.hpp"
#include "link/link_config.hpp"
#include "link/report.hpp"
#include "link/segments.hpp"
#include "optilane/version.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

namespace fs = std::filesystem;

// Module overhead: DC-DC point-of-load conversion at 90 % efficiency (S: synchronous buck
// converters run at "typically 85–95 %", magnias.com/faq/buck-converter; no module converter's own
// figure retrieved — a module takes a single 3.3 V ±5 % supply, up to 5.5 A for a QSFP-DD, TI
// TPS25983 datasheet §9, V, and steps it down to its core and analog rails, the DSP core rail
// being the main load, TI SLUAAZ3, S), and a management controller (CMIS MCU, EEPROM, monitors) of
// 0.1 W per module — the figure NVIDIA gives for the cable-end electronics of a passive DAC
// (figures.md §3, V), taken as the floor of any module's management (U as a module figure). Both
// apply to every module of the port: the optics module and a front-panel external laser source
// (run_tier). Sources searched and the gaps: docs/power.md.
constexpr double conversion_efficiency = 0.90;
constexpr double management_w = 0.1;

const std::vector<std::string> category_order{"laser", "driver", "modulator", "tia",
                                              "dsp",   "serdes", "tuning",    "overhead"};

double payload_gbps(double line_gbps) {
  return line_gbps >= 200.0 ? 200.0 : 100.0;
}

double length_of(const ChainEntry& entry, double fallback);

/// Index of the reach block in the chain: the first `fiber` (optical tiers), else the longest
/// `twinax` (copper tiers: the cable, not the flyovers of co-packaged copper), or -1.
int reach_index(const LinkConfig& config, std::string& kind) {
  for (std::size_t i = 0; i < config.chain.size(); ++i) {
    if (config.chain[i].block == "fiber") {
      kind = "fiber";
      return static_cast<int>(i);
    }
  }
  int best = -1;
  double longest = -1.0;
  for (std::size_t i = 0; i < config.chain.size(); ++i) {
    if (config.chain[i].block != "twinax") continue;
    const double length = length_of(config.chain[i], 0.0);
    if (length > longest) {
      longest = length;
      best = static_cast<int>(i);
    }
  }
  if (best >= 0) kind = "twinax";
  return best;
}

double length_of(const ChainEntry& entry, double fallback) {
  const ConfigNode* node = entry.node.find("length");
  if (node == nullptr || !node->is_scalar()) return fallback;
  return parse_quantity(node->scalar, Dimension::length);
}

/// The simulated lanes: one per distinct wavelength.
int distinct_lanes(const LinkConfig& config) {
  std::vector<double> seen;
  for (double w : config.lanes.wavelengths_m) {
    if (std::none_of(seen.begin(), seen.end(), [&](double s) { return std::abs(s - w) < 1e-12; }))
      seen.push_back(w);
  }
  return static_cast<int>(seen.size());
}

/// The port's lane count and the lanes to simulate, read from the config tree without building
/// every lane's chain (parsing the full port builds 8 chains, copper S-parameter cascades and WDM
/// neighbours included, which dominated the tiers' run time).
std::pair<int, int> port_and_distinct_lanes(const ConfigNode& root) {
  const ConfigNode* lanes = root.find("lanes");
  if (lanes == nullptr || !lanes->is_map()) return {1, 1};
  const ConfigNode* count = lanes->find("count");
  if (count != nullptr && (!count->is_scalar() || count->scalar.empty() ||
                           count->scalar.find_first_not_of("0123456789") != std::string::npos)) {
    // Not a plain integer: let the parser report it with its location.
    ConfigNode full = root;
    const LinkConfig config = parse_link_config(full);
    return {config.lanes.count, distinct_lanes(config)};
  }
  const int port = count != nullptr ? std::stoi(count->scalar) : 1;
  const ConfigNode* wdm = lanes->find("wdm");
  if (wdm == nullptr || (wdm->is_scalar() && wdm->scalar == "none")) return {port, 1};
  if (wdm->is_scalar() && (wdm->scalar == "cwdm4" || wdm->scalar == "lwdm")) {
    return {port, std::min(port, 4)};
  }
  ConfigNode full = root;  // a wavelength list: count its distinct entries
  return {port, distinct_lanes(parse_link_config(full))};
}

LinkConfig load_tier(const std::string& preset, const std::vector<std::string>& overrides,
                     int& port_lanes) {
  ConfigNode root = resolve_config(preset, overrides);
  const auto [port, distinct] = port_and_distinct_lanes(root);
  port_lanes = port;
  apply_override(root, fmt::format("lanes.count={}", distinct));
  // Lane 0's chain checked here; run_link builds every lane's (and reports any lane's error).
  LinkConfig config = parse_link_config(root, false);
  config.analysis.monte_carlo.enabled = false;
  config.analysis.noise_budget = false;     // the tiers table does not report it
  config.analysis.com = "off";              // nor the copper runs' COM (a report, not the BER)
  config.analysis.statistical_eye = false;  // nor the statistical eye's BER
  config.analysis.penalties = false;        // nor the power penalties (a sensitivity search each)
  config.analysis.probe_uis = 0;
  return config;
}

/// The retimed segment holding chain entry `index` (a retimer ends its segment).
int segment_of(const LinkConfig& config, int index) {
  int segment = 0;
  for (int i = 0; i < index; ++i) {
    if (config.chain[static_cast<std::size_t>(i)].block == "retimer") ++segment;
  }
  return segment;
}

/// Probes of the reach search: one retimed segment (the one holding the reach block) re-run with
/// the reach block at a trial length, lane by lane. The segment config is split once; a probe
/// edits the block's `length` in place and builds only the lanes it runs, with the analyses the
/// BER does not need left out (Monte-Carlo, sensitivity, statistical eye, noise budget, TDECQ,
/// COM, probes): the semi-analytic BER of a lane is the same as in a full run.
class ReachProbe {
 public:
  ReachProbe(const LinkConfig& config, int index, int segment) {
    LinkConfig whole = config;
    whole.analysis.monte_carlo.enabled = false;
    whole.analysis.sensitivity = false;
    whole.analysis.statistical_eye = false;
    whole.analysis.noise_budget = false;
    whole.analysis.probe_uis = 0;
    whole.analysis.com = "off";
    const std::string path = config.chain.at(static_cast<std::size_t>(index)).path;
    segment_ = split_segments(whole).at(static_cast<std::size_t>(segment));
    for (auto& entry : segment_.chain) {
      if (entry.path == path) length_ = entry.node.find("length");
    }
    if (length_ == nullptr) {
      throw std::logic_error("tiers: the reach block " + path + " has no length in its segment");
    }
  }

  /// The semi-analytic BER of `lane` of the segment with the reach block `length_m` long.
  double lane_ber_at(double length_m, int lane) {
    length_->scalar = fmt::format("{:.9g} m", length_m);
    LaneResult result = run_lane_with_chain(segment_, lane, build_chain(segment_, lane));
    return lane_ber(segment_, result);
  }

  [[nodiscard]] int lanes() const { return segment_.lanes.count; }

  ReachProbe(const ReachProbe&) = delete;  // length_ points into segment_
  ReachProbe& operator=(const ReachProbe&) = delete;

 private:
  LinkConfig segment_;
  ConfigNode* length_ = nullptr;
};

/// The reach search (see tiers.hpp): the longest length, within [floor, cap], at which the link
/// BER (the reach segment's worst lane + the other segments' worst BERs, `others`) meets
/// `target`, bracketed to 5 %.
///
/// Cost: the Q factor in dB falls about linearly with length (the loss in dB grows linearly), so
/// the search steps along the secant of log10(−log10 BER) — Q in dB up to a constant — instead
/// of doubling and bisecting: from the configured length (its BER known from the tier's run) it
/// extrapolates to the crossing, then probes a pair of lengths 4.5 % apart around each
/// estimate, which ends the search as soon as the estimate is within a few per cent. And it
/// follows one lane, the worst at the first step; the last closing length is then checked on
/// every other lane, and if one of them fails there the search goes on with that lane. Every
/// answer stays bracketed as before: the reported length closes on every lane, and 5 % more
/// fails on at least one.
double search_reach(ReachProbe& probe, double configured, const std::vector<double>& lane_bers,
                    double others, double target, double floor, double cap) {
  // The search variable: log10 of −log10(BER) under that of the target (≤ 0 closes). For a
  // Gaussian tail −log10(BER) ∝ Q², so this is 2·log10(Q) plus a constant, i.e. Q in dB, which
  // falls linearly with the loss in dB and so with length: secants land close to the crossing.
  auto excess = [&](double ber) {
    const double total = std::clamp(ber + others, 1e-300, 0.5);
    return std::log10(-std::log10(target)) - std::log10(-std::log10(total));
  };
  int lane =
      static_cast<int>(std::max_element(lane_bers.begin(), lane_bers.end()) - lane_bers.begin());
  auto f = [&](double length) { return excess(probe.lane_ber_at(length, lane)); };
  constexpr double tolerance = 0.05;  // bad − good ≤ 5 % of good, as the table's resolution
  constexpr double pair = 1.045;      // a probe pair inside the tolerance

  double good = 0.0, f_good = 0.0, bad = 0.0, f_bad = 0.0;
  bool have_good = false, have_bad = false;
  auto record = [&](double length, double value) {
    if (value <= 0.0) {
      if (!have_good || length > good) {
        good = length;
        f_good = value;
        have_good = true;
      }
    } else if (!have_bad || length < bad) {
      bad = length;
      f_bad = value;
      have_bad = true;
    }
  };
  // Secant root of two points, or NaN when the line does not cross.
  auto crossing = [](double x0, double f0, double x1, double f1) {
    if (f1 == f0) return std::numeric_limits<double>::quiet_NaN();
    const double x = x1 - f1 * (x1 - x0) / (f1 - f0);
    return x > 0.0 ? x : std::numeric_limits<double>::quiet_NaN();
  };

  double x_prev = configured;
  double f_prev = excess(lane_bers[static_cast<std::size_t>(lane)]);
  record(x_prev, f_prev);
  // Bracket: step away from the configured length along the secant (×2 or ÷2 before there is
  // one), by at least ×1.5 and at most ×4 a step.
  double x = f_prev <= 0.0 ? configured * 2.0 : configured / 2.0;
  bool first = true;
  while (!(have_good && have_bad)) {
    if (x > cap) x = cap;
    if (x < floor) x = floor;
    double value = f(x);
    if (first && probe.lanes() > 1) {
      // The lane to follow: the worst at the first step away from the configured length (the
      // worst there may not be the worst at the reach: WDM lanes see different dispersion).
      for (int other = 0; other < probe.lanes(); ++other) {
        if (other == lane) continue;
        const double v = excess(probe.lane_ber_at(x, other));
        if (v > value) {
          value = v;
          lane = other;
        }
      }
      x_prev = configured;
      f_prev = excess(lane_bers[static_cast<std::size_t>(lane)]);
    }
    first = false;
    record(x, value);
    if (have_good && have_bad) break;
    if (value <= 0.0 && x >= cap) return cap;   // closes at the cap: reported as the cap
    if (value > 0.0 && x <= floor) return 0.0;  // fails at the floor
    const double estimate = crossing(x_prev, f_prev, x, value);
    x_prev = x;
    f_prev = value;
    if (value <= 0.0) {
      x = std::isfinite(estimate) ? std::clamp(estimate * 1.02, x * 1.5, x * 4.0) : x * 2.0;
    } else {
      x = std::isfinite(estimate) ? std::clamp(estimate * 0.98, x / 4.0, x / 1.5) : x / 2.0;
    }
  }
  // Refine: a pair of probes 4.5 % apart around the secant (regula falsi) estimate.
  for (;;) {
    while (bad - good > tolerance * good) {
      double estimate = crossing(good, f_good, bad, f_bad);
      const double width = bad - good;
      if (!std::isfinite(estimate)) estimate = 0.5 * (good + bad);
      estimate = std::clamp(estimate, good + 0.05 * width, bad - 0.05 * width);
      double lo = estimate / std::sqrt(pair);
      double hi = estimate * std::sqrt(pair);
      if (lo <= good || hi >= bad) {  // the pair does not fit: one probe, bisection-safe
        const double value = f(estimate);
        record(estimate, value);
        continue;
      }
      const double f_lo = f(lo);
      record(lo, f_lo);
      if (f_lo <= 0.0) {
        record(hi, f(hi));
      } else {
        const double below = lo / pair;
        if (below > good) record(below, f(below));
      }
    }
    // Every other lane must close at `good` too; if one does not, follow it.
    int failing = -1;
    double f_failing = 0.0;
    for (int other = 0; other < probe.lanes() && failing < 0; ++other) {
      if (other == lane) continue;
      const double value = excess(probe.lane_ber_at(good, other));
      if (value > 0.0) {
        failing = other;
        f_failing = value;
      }
    }
    if (failing < 0) return good;
    lane = failing;
    bad = good;
    f_bad = f_failing;
    have_good = false;
    // Back down from the failing length on the new lane until one closes.
    x = good / 1.5;
    while (!have_good) {
      if (x < floor) return 0.0;
      record(x, f(x));
      x /= 1.5;
    }
  }
}

/// A tier's relative run time: simulated lanes × retimed segments, read from the config tree
/// (0 when the preset does not resolve: run_tier reports that error).
int estimated_cost(const std::string& preset, const std::vector<std::string>& overrides) {
  try {
    const ConfigNode root = resolve_config(preset, overrides);
    int segments = 1;
    if (const ConfigNode* chain = root.find("chain"); chain != nullptr) {
      for (const auto& item : chain->sequence) {
        const ConfigNode* block = item.find("block");
        if (block != nullptr && block->is_scalar() && block->scalar == "retimer") ++segments;
      }
    }
    return port_and_distinct_lanes(root).second * segments;
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

double module_overhead_w(double load_w, int lanes) {
  (void)lanes;
  return load_w * (1.0 / conversion_efficiency - 1.0) + management_w;
}

namespace {

/// True when `path`'s file name carries the lane rate ("-200g" for "200G"), or no rate is asked.
bool of_lane_rate(const fs::path& path, const std::string& lane_rate) {
  if (lane_rate.empty()) return true;
  std::string suffix = lane_rate;
  std::transform(suffix.begin(), suffix.end(), suffix.begin(), ::tolower);
  return path.stem().string().find("-" + suffix) != std::string::npos;
}

/// The *.yaml files of a directory, sorted.
std::vector<std::string> yaml_files(const fs::path& dir, const std::string& lane_rate) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".yaml" || !of_lane_rate(entry.path(), lane_rate)) continue;
    out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> tier_presets(const std::string& lane_rate) {
  return yaml_files(examples_dir() / "tiers", lane_rate);
}

std::vector<std::string> tier_configs(const std::vector<std::string>& arguments,
                                      const std::string& lane_rate) {
  if (arguments.empty()) return tier_presets(lane_rate);
  // A config given by the user is of the lane rate its signal has, whatever its file is called:
  // parsed (as a tier loads it) and compared with --lane-rate.
  std::string wanted = lane_rate;
  std::transform(wanted.begin(), wanted.end(), wanted.begin(), ::tolower);
  auto of_rate = [&](const std::string& path) {
    if (wanted.empty()) return true;
    int port_lanes = 0;
    const LinkConfig config = load_tier(path, {}, port_lanes);
    const double line_gbps =
        config.signal.symbol_rate_bd * bits_per_symbol(config.signal.modulation) / 1e9;
    return fmt::format("{:.0f}g", payload_gbps(line_gbps)) == wanted;
  };
  std::vector<std::string> out;
  std::set<std::string> seen;  // a config named twice (or by two paths) runs once
  auto add = [&](const std::string& path) {
    std::error_code ec;
    const std::string key = fs::weakly_canonical(path, ec).string();
    if (seen.insert(ec ? path : key).second && of_rate(path)) out.push_back(path);
  };
  for (const std::string& argument : arguments) {
    std::error_code ec;
    const fs::path preset = examples_dir() / "tiers" / (argument + ".yaml");
    if (fs::is_directory(argument, ec)) {
      const std::vector<std::string> files = yaml_files(argument, "");
      if (files.empty()) throw InputError({argument, 0, ""}, "no *.yaml config in this directory");
      for (const auto& file : files) add(file);
    } else if (fs::is_regular_file(argument, ec)) {
      add(argument);
    } else if (fs::is_regular_file(preset, ec)) {
      add(preset.string());
    } else {
      throw InputError({argument, 0, ""},
                       fmt::format("not a config file, a directory of configs or a tier preset "
                                   "(`optilane presets` lists them in {})",
                                   (examples_dir() / "tiers").string()));
    }
  }
  if (out.empty()) {
    throw InputError(fmt::format("none of the configs given is of lane rate {}", lane_rate));
  }
  return out;
}

TierResult run_tier(const std::string& preset, const std::vector<std::string>& overrides,
                    bool reach) {
  const auto start = std::chrono::steady_clock::now();
  TierResult row;
  row.preset = preset;
  int port_lanes = 1;
  const LinkConfig config = load_tier(preset, overrides, port_lanes);
  row.tier = config.name;
  row.lanes = port_lanes;
  row.symbol_rate_gbd = config.signal.symbol_rate_bd / 1e9;
  row.line_rate_gbps =
      config.signal.symbol_rate_bd * bits_per_symbol(config.signal.modulation) / 1e9;
  row.lane_rate_gbps = payload_gbps(row.line_rate_gbps);
  row.target_ber = config.analysis.target_ber;

  const LinkResult link = run_link(config, 1);
  row.ber = link.worst_ber;
  row.closes = link.closes;
  row.post_fec_ber =
      *std::max_element(link.lane_post_fec_ber.begin(), link.lane_post_fec_ber.end());
  row.segments = static_cast<int>(link.segments.size());
  for (const auto& segment : link.segments) {
    row.segment_ber.push_back(segment.worst_ber);
    for (const auto& lane : segment.lanes) {
      if (lane.optical_rx && std::isfinite(lane.optical_rx->margin_db)) {
        row.margin_db = std::isfinite(row.margin_db)
                            ? std::min(row.margin_db, lane.optical_rx->margin_db)
                            : lane.optical_rx->margin_db;
      }
    }
  }

  // Power of the port: simulated lanes scaled to the port's lanes.
  const double scale = static_cast<double>(port_lanes) / config.lanes.count;
  std::map<std::string, double> category, blocks;
  for (const auto& name : category_order) category[name] = 0.0;
  double module_load = 0.0;
  double laser_source_load = 0.0;
  for (const auto& segment : link.segments) {
    for (const auto& lane : segment.lanes) {
      for (const auto& p : lane.power) {
        const double w = p.item.power_w * scale;
        category[std::string(power_category_name(p.item.category))] += w;
        blocks[p.block] += w;
        row.port_w += w;
        if (p.location == "laser_source") laser_source_load += w;
        if (p.location == "module") {
          module_load += w;
          // The module's DSP chip: its line DSP and its host-facing (C2M) SerDes.
          if (p.item.category == PowerCategory::dsp || p.item.category == PowerCategory::serdes) {
            row.dsp_w += w;
          }
        }
      }
    }
  }
  // Overhead: each module of the port (one per 8 lanes at most: a 1.6T OSFP holds 8).
  const int modules = std::max(1, (port_lanes + 7) / 8);
  const double overhead =
      module_load > 0.0 ? module_overhead_w(module_load / modules, 8) * modules : 0.0;
  category["overhead"] += overhead;
  if (overhead > 0.0) blocks["module overhead"] += overhead;
  row.module_w = module_load + overhead;
  row.port_w += overhead;
  // An external laser source is a pluggable module of its own (OIF ELSFP, front panel): its
  // lasers draw through its DC-DC converter and it carries a CMIS management controller, so the
  // same overhead applies to it, one ELS module per 8 lanes like the optics modules. It is part
  // of the port, not of module_w.
  const double laser_source_overhead =
      laser_source_load > 0.0 ? module_overhead_w(laser_source_load / modules, 8) * modules : 0.0;
  category["overhead"] += laser_source_overhead;
  if (laser_source_overhead > 0.0) blocks["laser source overhead"] += laser_source_overhead;
  row.port_w += laser_source_overhead;
  for (const auto& name : category_order) row.breakdown_w.emplace_back(name, category[name]);
  for (const auto& [name, w] : blocks) row.blocks_w.emplace_back(name, w);
  std::sort(row.blocks_w.begin(), row.blocks_w.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  row.pj_per_bit = row.port_w / (port_lanes * row.line_rate_gbps * 1e9) * 1e12;
  row.pj_per_bit_payload = row.port_w / (port_lanes * row.lane_rate_gbps * 1e9) * 1e12;

  if (reach) {
    const int index = reach_index(config, row.reach_block);
    if (index >= 0) {
      const double configured = length_of(config.chain[static_cast<std::size_t>(index)], 1.0);
      const double cap = row.reach_block == "fiber" ? 40e3 : 20.0;
      const double floor = row.reach_block == "fiber" ? 1.0 : 0.05;
      const int segment = segment_of(config, index);
      double others = 0.0;
      for (std::size_t k = 0; k < link.segments.size(); ++k) {
        if (static_cast<int>(k) != segment) others += link.segments[k].worst_ber;
      }
      // The reach segment's lanes at the configured length, from the run above.
      std::vector<double> lane_bers;
      for (const auto& lane : link.segments.at(static_cast<std::size_t>(segment)).lanes) {
        lane_bers.push_back(lane_ber(config, lane));
      }
      ReachProbe probe(config, index, segment);
      row.reach_m = search_reach(probe, configured, lane_bers, others, row.target_ber, floor, cap);
    }
  }
  row.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return row;
}

std::vector<TierResult> run_tiers(const std::vector<std::string>& presets, int threads, bool reach,
                                  const std::vector<std::string>& overrides) {
  std::vector<TierResult> rows(presets.size());
  std::vector<std::exception_ptr> errors(presets.size());
  const int team = threads > 0 ? threads : omp_get_max_threads();
  const auto n = static_cast<int>(presets.size());
  // Longest first (the WDM tiers run a lane per wavelength), so that no thread starts a long
  // tier when the others are done; the rows keep the presets' order.
  std::vector<std::pair<int, int>> order;  // (estimated cost, preset index)
  for (int i = 0; i < n; ++i) {
    order.emplace_back(-estimated_cost(presets[static_cast<std::size_t>(i)], overrides), i);
  }
  std::stable_sort(order.begin(), order.end());
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (int k = 0; k < n; ++k) {
    const auto i = static_cast<std::size_t>(order[static_cast<std::size_t>(k)].second);
    try {
      rows[i] = run_tier(presets[i], overrides, reach);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  }
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return rows;
}

nlohmann::json tiers_json(const std::vector<TierResult>& rows) {
  using nlohmann::json;
  auto num = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  json out = json::array();
  for (const auto& r : rows) {
    json breakdown = json::object();
    for (const auto& [name, w] : r.breakdown_w) breakdown[name] = w;
    json blocks = json::object();
    for (const auto& [name, w] : r.blocks_w) blocks[name] = w;
    out.push_back({{"tier", r.tier},
                   {"preset", fs::path(r.preset).filename().string()},
                   {"lane_rate_gbps", r.lane_rate_gbps},
                   {"symbol_rate_gbd", r.symbol_rate_gbd},
                   {"lanes", r.lanes},
                   {"ber", r.ber},
                   {"ber_method", "semi-analytic, worst lane, summed over retimed segments"},
                   {"segment_ber", r.segment_ber},
                   {"post_fec_ber", r.post_fec_ber},
                   {"target_ber", r.target_ber},
                   {"closes", r.closes},
                   {"margin_db", num(r.margin_db)},
                   {"reach_m", num(r.reach_m)},
                   {"reach_block", r.reach_block},
                   {"pj_per_bit", r.pj_per_bit},
                   {"pj_per_bit_payload", r.pj_per_bit_payload},
                   {"port_w", r.port_w},
                   {"module_w", r.module_w},
                   {"dsp_w", r.dsp_w},
                   {"breakdown_w", breakdown},
                   {"blocks_w", blocks},
                   {"elapsed_s", r.elapsed_s}});
  }
  return {{"optilane_version", version_string},
          {"git_revision", git_revision},
          {"power_method",
           "each block's power at its operating point after the run, per one-direction lane "
           "chain (one port end's Tx + Rx), × lanes; module overhead = DC-DC loss at 90 % + "
           "0.1 W management per module, and the same for each external laser source module"},
          {"tiers", out}};
}

std::string tiers_table(const std::vector<TierResult>& rows) {
  std::string out =
      fmt::format("{:<26} {:>5} {:>6} {:>5} {:>9} {:>9} {:>6} {:>7} {:>9} {:>7} {:>7} {:>7}  {}\n",
                  "tier", "Gb/s", "GBd", "lanes", "BER", "target", "closes", "margin", "reach",
                  "port W", "modul W", "pJ/bit", "biggest contributors (W per port)");
  for (const auto& r : rows) {
    std::vector<std::pair<std::string, double>> cats = r.breakdown_w;
    std::sort(cats.begin(), cats.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string top;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, cats.size()); ++i) {
      if (cats[i].second <= 0.0) break;
      top += fmt::format("{}{} {:.1f}", i ? ", " : "", cats[i].first, cats[i].second);
    }
    const std::string reach = !std::isfinite(r.reach_m) ? "-"
                              : r.reach_m >= 1000.0     ? fmt::format("{:.2f} km", r.reach_m / 1e3)
                                                        : fmt::format("{:.3g} m", r.reach_m);
    out += fmt::format(
        "{:<26} {:>5.0f} {:>6.2f} {:>5} {:>9.2e} {:>9.1e} {:>6} {:>7} {:>9} {:>7.2f} {:>7.2f} "
        "{:>7.2f}  {}\n",
        r.tier, r.lane_rate_gbps, r.symbol_rate_gbd, r.lanes, r.ber, r.target_ber,
        r.closes ? "yes" : "NO",
        std::isfinite(r.margin_db) ? fmt::format("{:.1f} dB", r.margin_db) : "-", reach, r.port_w,
        r.module_w, r.pj_per_bit, top);
  }
  out +=
      "BER: semi-analytic, worst lane, summed over retimed segments; margin: optical link "
      "budget (received OMA − sensitivity); reach: longest fibre/cable at the target BER; "
      "pJ/bit at the line rate.\n";
  return out;
}

void write_tiers_hdf5(const std::string& path, const std::vector<TierResult>& rows,
                      const std::string& json_text) {
  const std::string temporary = temporary_name(path);
  try {
    H5::Exception::dontPrint();
    H5::H5File file(temporary, H5F_ACC_TRUNC);
    const H5::StrType str(H5::PredType::C_S1, H5T_VARIABLE);
    auto text_attr = [&](H5::H5Object& object, const std::string& name, const std::string& v) {
      H5::Attribute a = object.createAttribute(name, str, H5::DataSpace(H5S_SCALAR));
      const char* data = v.c_str();
      a.write(str, &data);
    };
    auto num_attr = [&](H5::H5Object& object, const std::string& name, double v) {
      H5::Attribute a =
          object.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR));
      a.write(H5::PredType::NATIVE_DOUBLE, &v);
    };
    H5::Group root = file.openGroup("/");
    text_attr(root, "optilane_version", version_string);
    text_attr(root, "git_revision", git_revision);
    {
      H5::DataSet ds = root.createDataSet("summary_json", str, H5::DataSpace(H5S_SCALAR));
      const char* data = json_text.c_str();
      ds.write(&data, str);
    }
    H5::Group tiers = file.createGroup("/tiers");
    for (const auto& r : rows) {
      H5::Group g = file.createGroup("/tiers/" + r.tier);
      num_attr(g, "lane_rate_gbps", r.lane_rate_gbps);
      num_attr(g, "symbol_rate_gbd", r.symbol_rate_gbd);
      num_attr(g, "lanes", r.lanes);
      num_attr(g, "ber", r.ber);
      num_attr(g, "target_ber", r.target_ber);
      num_attr(g, "closes", r.closes ? 1.0 : 0.0);
      num_attr(g, "margin_db", r.margin_db);
      num_attr(g, "reach_m", r.reach_m);
      num_attr(g, "port_w", r.port_w);
      num_attr(g, "module_w", r.module_w);
      num_attr(g, "pj_per_bit", r.pj_per_bit);
      std::vector<double> watts;
      std::string names;
      for (const auto& [name, w] : r.breakdown_w) {
        watts.push_back(w);
        names += (names.empty() ? "" : ",") + name;
      }
      const hsize_t dims[1] = {watts.size()};
      H5::DataSet ds =
          g.createDataSet("breakdown_w", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, dims));
      ds.write(watts.data(), H5::PredType::NATIVE_DOUBLE);
      text_attr(ds, "categories", names);
      text_attr(ds, "unit", "W");
      const hsize_t sdims[1] = {r.segment_ber.size()};
      H5::DataSet sb =
          g.createDataSet("segment_ber", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, sdims));
      if (!r.segment_ber.empty()) sb.write(r.segment_ber.data(), H5::PredType::NATIVE_DOUBLE);
    }
    (void)tiers;
    file.close();
  } catch (const H5::Exception& e) {
    remove_temporary_files();
    throw InputError("cannot write HDF5 file '" + path + "': " + e.getDetailMsg());
  }
  commit_temporary(temporary, path);
}

}  // namespace optilane

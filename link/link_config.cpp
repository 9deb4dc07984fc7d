#include "link/link_config.hpp"

#include "channels/copper/copper_block.hpp"
#include "channels/copper/touchstone.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "channels/optical/wdm_filter.hpp"
#include "devices/dsp/retimer.hpp"
#include "devices/dsp/rx_dsp_blocks.hpp"
#include "link/config_reader.hpp"
#include "link/data_paths.hpp"
#include "link/registry.hpp"
#include "optilane/version.hpp"

namespace optilane {
namespace fs = std::filesystem;

namespace {

// Wavelength grids. CWDM4: IEEE 802.3 clause 151 (400GBASE-FR4) lane centres. LWDM (LAN-WDM,
// 800 GHz): IEEE 802.3 clause 88 (100GBASE-LR4) lane centres.
const std::vector<double> cwdm4_grid_m{1271e-9, 1291e-9, 1311e-9, 1331e-9};
const std::vector<double> lwdm_grid_m{1295.56e-9, 1300.05e-9, 1304.58e-9, 1309.14e-9};

/// A file being resolved: its canonical path (to recognise it) and the path as named.
struct ExtendsLink {
  std::string canonical;
  std::string path;
};

/// Loads `path` and merges it over the preset it extends, recursively. `stack` holds the files
/// being resolved, outermost first; `named_at` is the `extends:` key that named `path` (empty
/// for the config itself), where a cycle is reported since that key closes it.
ConfigNode resolve_extends(const std::string& path, std::vector<ExtendsLink>& stack,
                           const SourceLocation& named_at) {
  const std::string canonical = fs::weakly_canonical(fs::path(path)).string();
  for (std::size_t i = 0; i < stack.size(); ++i) {
    if (stack[i].canonical != canonical) continue;
    std::vector<std::string> cycle;
    for (std::size_t j = i; j < stack.size(); ++j) cycle.push_back(stack[j].path);
    cycle.push_back(path);
    throw InputError(named_at,
                     "circular 'extends': " + fmt::format("{}", fmt::join(cycle, " -> ")));
  }
  stack.push_back({canonical, path});
  ConfigNode node = load_yaml_file(path);
  if (!node.is_map()) throw InputError({path, node.line, ""}, "a config must be a YAML map");
  if (const ConfigNode* extends = node.find("extends")) {
    const SourceLocation key_at{extends->file, extends->line, "extends"};
    if (!extends->is_scalar()) throw InputError(key_at, "expected a preset name");
    const std::string base_path = find_preset(extends->scalar, path, key_at);
    ConfigNode base = resolve_extends(base_path, stack, key_at);
    base.erase("name");  // a derived config names itself (or is unnamed)
    node.erase("extends");
    // The chain is replaced as a whole when the derived config gives one.
    merge_into(base, node);
    node = std::move(base);
  }
  stack.pop_back();
  return node;
}

std::uint64_t read_count(ParamReader& reader, std::string_view key, std::uint64_t default_value,
                         std::string_view doc, double max) {
  return static_cast<std::uint64_t>(
      reader.integer(key, static_cast<long>(default_value), doc, Range::between(1, max)));
}

}  // namespace

std::vector<std::string> preset_search_path(const std::string& including_file) {
  std::vector<std::string> dirs;
  if (!including_file.empty() && including_file.front() != '<') {
    dirs.push_back(fs::path(including_file).parent_path().string());
  }
  if (const char* env = std::getenv("OPTILANE_PRESET_PATH")) {
    std::string list = env;
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t colon = list.find(':', start);
      const std::string dir = list.substr(start, colon - start);
      if (!dir.empty()) dirs.push_back(dir);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  dirs.push_back(examples_dir().string());
  return dirs;
}

std::string find_preset(const std::string& name, const std::string& including_file,
                        const SourceLocation& where) {
  std::vector<std::string> tried;
  for (const auto& dir : preset_search_path(including_file)) {
    for (const std::string& candidate : {name, name + ".yaml"}) {
      const fs::path p = dir.empty() ? fs::path(candidate) : fs::path(dir) / candidate;
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return p.string();
      tried.push_back(p.string());
    }
  }
  throw InputError(
      where,
      "unknown preset '" + name + "' (looked for " + tried.front() +
          (tried.size() > 2 ? " and in " + std::to_string(tried.size() / 2 - 1) + " other places"
                            : "") +
          "; `optilane presets` lists them)");
}

ConfigNode resolve_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::vector<ExtendsLink> stack;
  ConfigNode root = resolve_extends(path, stack, {path, 0, ""});
  for (const auto& assignment : overrides) apply_override(root, assignment);
  return root;
}

LaneContext lane_context(const LinkConfig& config, int lane) {
  LaneContext context;
  context.symbol_rate_bd = config.signal.symbol_rate_bd;
  context.samples_per_symbol = config.signal.samples_per_symbol;
  context.bits_per_symbol = bits_per_symbol(config.signal.modulation);
  context.wavelength_m = config.lanes.wavelengths_m.at(static_cast<std::size_t>(lane));
  context.seed = config.signal.seed;
  context.lane = lane;
  context.chunk_samples = static_cast<std::size_t>(2048 * config.signal.samples_per_symbol);
  return context;
}

namespace {

ConfigReader entry_reader(const ChainEntry& entry) {
  return ConfigReader(entry.node, entry.path + " (" + entry.block + ")",
                      {"block", "name", "location"});
}

/// Where a chain entry is: its file and line, and its path with its block kind as the key.
SourceLocation entry_location(const ChainEntry& entry) {
  return {entry.node.file, entry.node.line, entry.path + " (" + entry.block + ")"};
}

/// True when `file` is where some value of `node` (or of its children) came from: the config's
/// own text, a file it extends, or the command line's --set.
bool holds_values_from(const ConfigNode& node, const std::string& file) {
  if (node.file == file) return true;
  for (const auto& entry : node.map) {
    if (holds_values_from(entry.second, file)) return true;
  }
  for (const auto& item : node.sequence) {
    if (holds_values_from(item, file)) return true;
  }
  return false;
}

/// Every file some value of `node` came from (not the command line's --set).
void collect_source_files(const ConfigNode& node, std::set<std::string>& files) {
  if (!node.file.empty() && node.file.front() != '<') files.insert(node.file);
  for (const auto& entry : node.map) collect_source_files(entry.second, files);
  for (const auto& item : node.sequence) collect_source_files(item, files);
}

/// Rethrows `error`; one about a data file the block read (a Touchstone file, say), not about the
/// entry's own keys, also names the chain entry that read it, so the user sees both places.
[[noreturn]] void rethrow_naming_entry(const InputError& error, const ChainEntry& entry) {
  const std::string& file = error.where().file;
  if (file.empty() || file == "<command line>" || holds_values_from(entry.node, file)) throw;
  throw InputError(error, entry_location(entry));
}

/// The block of `entry`, prepared for `lane` unless `prepare` is false (see make_blocks).
std::unique_ptr<Block> make_block(const ChainEntry& entry, const LaneContext& lane, int index,
                                  bool prepare = true) {
  const BlockType* type = find_block_type(entry.block);
  ConfigReader reader = entry_reader(entry);
  std::unique_ptr<Block> block;
  try {
    block = type->make(reader);
    block->set_label(entry.label);
    block->set_chain_index(index);
    if (!entry.power_included_in.empty()) block->set_power_included_in(entry.power_included_in);
    if (auto* copper = dynamic_cast<CopperBlock*>(block.get()); copper != nullptr) {
      // A copper block's network is a pure function of its entry (and the files it reads, which
      // the block adds itself): its design is kept per entry text (copper_block.hpp).
      copper->set_design_key(entry.block + '\n' + to_yaml(entry.node));
    }
    if (prepare) block->prepare(lane);
  } catch (const ParameterError& e) {
    reader.reject_misspelling_of(e.key());
    throw InputError(reader.where(e.key()), e.what());
  } catch (const InputError& e) {
    rethrow_naming_entry(e, entry);
  }
  reader.reject_unknown_keys();
  return block;
}

/// The blocks of entries [0, count), prepared for `lane`. A copper block in a run of two or more
/// is not designed on its own (its own FIR would be replaced by the run's): only the run's
/// cascade is (cascade_copper_runs). The design of a copper FIR — the network evaluated on the
/// FFT grid — is the costly part of building a copper chain.
std::vector<std::unique_ptr<Block>> make_blocks(const std::vector<ChainEntry>& entries,
                                                std::size_t count, const LaneContext& lane) {
  std::vector<std::unique_ptr<Block>> chain;
  for (std::size_t i = 0; i < count; ++i) {
    chain.push_back(make_block(entries[i], lane, static_cast<int>(i), false));
  }
  auto copper = [&](std::size_t i) {
    return i < count && dynamic_cast<CopperBlock*>(chain[i].get()) != nullptr;
  };
  for (std::size_t i = 0; i < count; ++i) {
    if (copper(i) && ((i > 0 && copper(i - 1)) || copper(i + 1))) continue;
    try {
      chain[i]->prepare(lane);
    } catch (const ParameterError& e) {
      throw InputError(entry_reader(entries[i]).where(e.key()), e.what());
    } catch (const InputError& e) {
      rethrow_naming_entry(e, entries[i]);
    }
  }
  cascade_copper_runs(chain, lane);
  return chain;
}

/// Lanes sharing lane `lane`'s fibre at other wavelengths: lanes.wdm repeats its grid every
/// grid-size lanes (one fibre per repetition); wdm none is one wavelength per fibre.
std::vector<int> wdm_neighbours(const LinkConfig& config, int lane) {
  const auto& w = config.lanes.wavelengths_m;
  std::vector<int> out;
  if (config.lanes.wdm == "none") return out;
  std::size_t grid = w.size();
  for (std::size_t i = 1; i < w.size(); ++i) {
    if (w[i] == w[0]) {
      grid = i;
      break;
    }
  }
  const auto fibre = static_cast<std::size_t>(lane) / grid;
  for (std::size_t j = fibre * grid; j < std::min(w.size(), (fibre + 1) * grid); ++j) {
    if (static_cast<int>(j) != lane && w[j] != w[static_cast<std::size_t>(lane)]) {
      out.push_back(static_cast<int>(j));
    }
  }
  return out;
}

/// One receiver, one cost. A host SerDes's reach-class energy per bit (reach_class.cpp) covers
/// its whole lane: analog front end, ADC, equaliser and CDR on the receive side; DAC/driver and
/// Tx FFE on the transmit side. So
///  - the DSP stages (ffe, dfe, mlse, cdr, adc) that follow a serdes_rx, with only DSP stages in
///    between, are that SerDes's equaliser: costed in the serdes_rx, 0 W themselves;
///  - a serdes_rx right before a retimer is that module DSP's host-facing C2M receiver front end,
///    and a serdes_tx right after a retimer its C2M transmitter: both are part of the DSP chip,
///    costed by the retimer's functions at its node and rate (devices/dsp/retimer.hpp), 0 W
///    themselves.
/// Marked on the chain entries, before segments are split, so the marks survive the split.
void share_serdes_power(std::vector<ChainEntry>& chain) {
  static const std::vector<std::string> dsp_stages{"ffe", "dfe", "mlse", "cdr", "adc"};
  ChainEntry* serdes_rx = nullptr;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    ChainEntry& entry = chain[i];
    if (entry.block == "serdes_rx") {
      serdes_rx = &entry;
      continue;
    }
    const bool stage =
        std::find(dsp_stages.begin(), dsp_stages.end(), entry.block) != dsp_stages.end();
    if (serdes_rx != nullptr && stage) entry.power_included_in = serdes_rx->label;
    if (entry.block == "retimer") {
      // A module DSP's host-facing C2M halves belong to its chip (devices/dsp/retimer.hpp).
      if (serdes_rx != nullptr && i > 0 && &chain[i - 1] == serdes_rx) {
        serdes_rx->power_included_in = entry.label;
      }
      if (i + 1 < chain.size() && chain[i + 1].block == "serdes_tx") {
        chain[i + 1].power_included_in = entry.label;
      }
    }
    if (!stage) serdes_rx = nullptr;
  }
}

/// A DFB laser without a `direct_modulation` key (DESIGN.md §3): a laser placed before a
/// modulator supplies that modulator's carrier; a DFB with no modulator after it (before the
/// next photodetector, retimer or laser) is modulated directly. The key is set on the entry as
/// the block then reads it; an explicit key is kept as written.
void resolve_dfb_modulation(std::vector<ChainEntry>& chain) {
  for (std::size_t i = 0; i < chain.size(); ++i) {
    ChainEntry& entry = chain[i];
    const ConfigNode* kind = entry.node.find("kind");
    if (entry.block != "laser" || kind == nullptr || !kind->is_scalar() || kind->scalar != "dfb" ||
        entry.node.find("direct_modulation") != nullptr) {
      continue;
    }
    bool modulator_follows = false;
    for (std::size_t k = i + 1; k < chain.size(); ++k) {
      const std::string& next = chain[k].block;
      if (next == "photodetector" || next == "retimer" || next == "laser") break;
      if (block_takes_carrier(next)) {
        modulator_follows = true;
        break;
      }
    }
    ConfigNode value;
    value.type = ConfigNode::Type::scalar;
    value.scalar = modulator_follows ? "false" : "true";
    value.file = entry.node.file;
    value.line = entry.node.line;
    entry.node.set("direct_modulation", std::move(value));
  }
}

}  // namespace

void cascade_copper_runs(std::vector<std::unique_ptr<Block>>& chain, const LaneContext& context,
                         bool prepare) {
  std::size_t i = 0;
  while (i < chain.size()) {
    auto* head = dynamic_cast<CopperBlock*>(chain[i].get());
    if (head == nullptr) {
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < chain.size() && dynamic_cast<CopperBlock*>(chain[end].get()) != nullptr) ++end;
    if (end - i > 1) {
      std::vector<TwoPortNetwork> parts;
      // The cascade's key: its parts' keys in signal order (empty if one is unknown).
      std::string key;
      bool keyed = true;
      for (std::size_t k = i; k < end; ++k) {
        const auto& part = static_cast<CopperBlock&>(*chain[k]);
        parts.push_back(part.network());
        const std::string own = part.own_design_key();
        keyed = keyed && !own.empty();
        key += fmt::format("{}:", own.size()) + own;
      }
      head->filter_with(TwoPortNetwork::cascade_all(parts), static_cast<int>(end - i),
                        keyed ? std::move(key) : std::string());
      if (prepare) head->prepare(context);
      for (std::size_t k = i + 1; k < end; ++k) {
        auto& member = static_cast<CopperBlock&>(*chain[k]);
        member.set_absorbed(true);
        if (prepare) member.prepare(context);
      }
    }
    i = end;
  }
}

std::vector<std::unique_ptr<Block>> build_chain(const LinkConfig& config, int lane) {
  const LaneContext context = lane_context(config, lane);
  std::vector<std::unique_ptr<Block>> chain =
      make_blocks(config.chain, config.chain.size(), context);
  // WDM crosstalk: each demux port gets the other lanes of its fibre, each with its own chain up
  // to the demux (prepared at its own wavelength) and a decorrelated copy of the pattern
  // (channels/optical/wdm_filter.hpp).
  for (std::size_t d = 0; d < chain.size(); ++d) {
    auto* demux = dynamic_cast<DemuxBlock*>(chain[d].get());
    if (demux == nullptr) continue;
    const std::uint64_t period =
        pattern_period_symbols(config.signal.pattern, config.signal.modulation);
    const std::vector<int> others = wdm_neighbours(config, lane);
    for (std::size_t k = 0; k < others.size(); ++k) {
      const int j = others[k];
      const LaneContext neighbour_context = lane_context(config, j);
      DemuxNeighbour n{
          .lane = j,
          .wavelength_m = neighbour_context.wavelength_m,
          .chain = {},
          .pattern = config.signal.pattern,
          .modulation = config.signal.modulation,
          // Random patterns: a stream of its own; PRBS: the same sequence started
          // (k+1)/(n+1) of the way through its period (at most 2^20 symbols in).
          .pattern_seed = config.signal.seed + 0x9E37ULL * static_cast<std::uint64_t>(j) +
                          0x5851F42DULL * static_cast<std::uint64_t>(lane + 1),
          .skip_symbols = std::min<std::uint64_t>(period, 1u << 20) * (k + 1) / (others.size() + 1),
          .precoding = config.signal.precoding,
          .swing_v = config.signal.swing_v};
      n.chain = make_blocks(config.chain, d, neighbour_context);
      demux->add_neighbour(std::move(n));
    }
  }
  return chain;
}

std::vector<std::unique_ptr<Block>> build_copper_networks(const LinkConfig& config, int lane) {
  const LaneContext context = lane_context(config, lane);
  std::vector<std::unique_ptr<Block>> chain;
  for (std::size_t i = 0; i < config.chain.size(); ++i) {
    chain.push_back(make_block(config.chain[i], context, static_cast<int>(i), false));
  }
  cascade_copper_runs(chain, context, false);
  return chain;
}

double copper_insertion_loss_db(const std::vector<std::unique_ptr<Block>>& chain,
                                double frequency_hz) {
  double total = 0.0;
  bool any = false;
  for (const auto& block : chain) {
    const auto* copper = dynamic_cast<const CopperBlock*>(block.get());
    if (copper == nullptr || copper->absorbed()) continue;
    total += copper->effective_network().insertion_loss_db(frequency_hz);
    any = true;
  }
  return any ? total : std::numeric_limits<double>::quiet_NaN();
}

namespace {

/// Receiver DSP blocks (ffe, dfe, mlse, cdr) act after sampling, on the symbols their segment's
/// end delivers (receiver_dsp.hpp): up to the segment's end (the chain's, or a retimer's) only
/// more of them may follow one, not a sample-level block; and a segment has one receiver DSP,
/// each of its stages once and a DFE or an MLSE, not both.
void check_receiver_dsp(const LinkConfig& config,
                        const std::vector<std::unique_ptr<Block>>& chain) {
  auto is_dsp = [&](std::size_t k) {
    return dynamic_cast<const DspStageBlock*>(chain[k].get()) != nullptr;
  };
  auto is_retimer = [&](std::size_t k) {
    return dynamic_cast<const Retimer*>(chain[k].get()) != nullptr;
  };
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (!is_dsp(i) || is_retimer(i)) continue;
    for (std::size_t j = i + 1; j < chain.size() && !is_retimer(j); ++j) {
      if (is_dsp(j)) continue;
      const ChainEntry& entry = config.chain[i];
      throw InputError(entry_location(entry),
                       fmt::format("{} is receiver DSP, applied after sampling: it must end the "
                                   "chain with the other DSP blocks (after the adc, if any), but "
                                   "{} ({}) follows it",
                                   entry.block, config.chain[j].path, config.chain[j].block));
    }
  }
  std::map<std::string, std::size_t> seen;  // DSP block kind → its entry, in this segment
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (is_retimer(i)) {
      seen.clear();
      continue;
    }
    if (!is_dsp(i)) continue;
    const std::string kind(chain[i]->kind());
    if (const auto it = seen.find(kind); it != seen.end()) {
      throw InputError(entry_location(config.chain[i]),
                       fmt::format("a receiver DSP has one {}; {} is one already", kind,
                                   config.chain[it->second].path));
    }
    const std::string other = kind == "dfe" ? "mlse" : kind == "mlse" ? "dfe" : "";
    if (const auto it = seen.find(other); !other.empty() && it != seen.end()) {
      throw InputError(entry_location(config.chain[i]),
                       fmt::format("a receiver DSP ends in a DFE or an MLSE, not both ({} is the "
                                   "{})",
                                   config.chain[it->second].path, other));
    }
    seen.emplace(kind, i);
  }
}

}  // namespace

std::vector<std::string> chain_output_units(const std::vector<std::unique_ptr<Block>>& chain) {
  std::vector<std::string> units;
  Domain domain = Domain::electrical;
  std::string electrical = "V";  // the pattern source drives in volts
  for (const auto& block : chain) {
    const Domain out = block->output_domain(domain);
    // Leaving the optical domain is photodetection: its output is a photocurrent. The TIA is the
    // one block that turns a current into a voltage (devices/receivers/tia.hpp: Z_T in ohm);
    // every other electrical block (filters, CTLE, ADC, SerDes front ends) keeps its input's unit.
    if (out == Domain::electrical && domain == Domain::optical) electrical = "A";
    if (block->kind() == "tia") electrical = "V";
    units.push_back(out == Domain::optical ? "W" : electrical);
    domain = out;
  }
  return units;
}

void check_chain_domains(const LinkConfig& config, const std::vector<std::unique_ptr<Block>>& chain,
                         int lane) {
  Domain domain = Domain::electrical;
  bool carrier = false;
  // Level shaping (link/level_shaping.hpp) needs an optical transmitter in the segment whose
  // source shapes its levels: the first (signal.level_shaping) or the one after a retimer with
  // tx_level_shaping.
  bool shaping = config.signal.level_shaping, transmitter = false;
  SourceLocation shaping_at = config.resolved.location("signal.level_shaping");
  if (const ConfigNode* key = config.resolved.find("signal"); key != nullptr) {
    if (const ConfigNode* flag = key->find("level_shaping"); flag != nullptr) {
      shaping_at = flag->location("signal.level_shaping");
    }
  }
  auto check_shaping = [&] {
    if (shaping && !transmitter) {
      throw InputError(shaping_at,
                       "level shaping sets the PAM4 levels for an optical transmitter, and the "
                       "segment this source drives has none (no modulator or directly modulated "
                       "laser before its end or the next retimer)");
    }
  };
  check_receiver_dsp(config, chain);
  const std::vector<std::string> units = chain_output_units(chain);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const ChainEntry& entry = config.chain[i];
    const std::string problem = chain[i]->check_input(domain, carrier);
    if (!problem.empty()) {
      throw InputError(entry_location(entry), problem);
    }
    // A CTLE is a voltage-mode stage: in a receiver it follows the TIA, which takes the
    // photocurrent first (its DC-offset loop and gain control set on that current).
    if (i > 0 && units[i - 1] == "A" && entry.block == "ctle") {
      throw InputError(entry_location(entry),
                       "ctle equalises a voltage, and the signal here is a photodetector's "
                       "current; put it after the tia");
    }
    try {
      chain[i]->check_signal(lane_context(config, lane));
    } catch (const ParameterError& e) {
      throw InputError(entry_reader(entry).where(e.key()), e.what());
    }
    carrier = chain[i]->supplies_carrier(carrier);
    const Domain out = chain[i]->output_domain(domain);
    transmitter = transmitter || (out == Domain::optical && domain != Domain::optical);
    domain = out;
    if (const auto* retimer = dynamic_cast<const Retimer*>(chain[i].get()); retimer != nullptr) {
      // The line-side DAC's PAM4 levels (tx_rlm, tx_level_shaping) exist only for PAM4.
      if (config.signal.modulation != Modulation::pam4) {
        const RetimerParams& p = retimer->params();
        if (p.tx_rlm != 1.0 || p.tx_level_shaping) {
          const char* key = p.tx_rlm != 1.0 ? "tx_rlm" : "tx_level_shaping";
          throw InputError(entry_reader(entry).where(key),
                           fmt::format("{} sets the line-side DAC's PAM4 levels, and the signal "
                                       "is NRZ; use format: pam4 (or leave it out)",
                                       key));
        }
      }
      check_shaping();
      shaping = retimer->params().tx_level_shaping;
      transmitter = false;
      shaping_at = {entry.node.file, entry.node.line, entry.path + " (retimer).tx_level_shaping"};
    }
  }
  check_shaping();
  if (domain != Domain::electrical) {
    const ConfigNode* chain_node = config.resolved.find("chain");
    throw InputError(
        {chain_node ? chain_node->file : config.file, chain_node ? chain_node->line : 0, "chain"},
        "the chain ends with an optical signal; end it with a photodetector (and "
        "TIA) so the receiver has an electrical signal to slice");
  }
  if (carrier) {
    throw InputError({config.file, 0, "chain"},
                     "a laser supplies a carrier that no modulator uses; add a modulator after it "
                     "or use kind: dfb for direct modulation");
  }
}

void read_signal_keys(ParamReader& r, SignalConfig& s) {
  s.modulation = r.choice("format", "pam4", {"nrz", "pam4"}, "Modulation format.") == "nrz"
                     ? Modulation::nrz
                     : Modulation::pam4;
  s.symbol_rate_bd =
      r.required_quantity("symbol_rate", Dimension::symbol_rate,
                          "Symbol rate, e.g. 53.125 GBd or 106.25 GBd.", Range::between(1e3, 1e13));
  if (s.symbol_rate_bd <= 0.0) r.fail("symbol_rate", "must be > 0");
  s.samples_per_symbol = static_cast<int>(
      r.integer("samples_per_symbol", 16, "Samples per symbol (even).", Range::between(2, 256)));
  if (s.samples_per_symbol % 2 != 0) r.fail("samples_per_symbol", "must be even");
  s.pattern =
      parse_pattern(r.choice("pattern", "prbs31q",
                             {"prbs7", "prbs9", "prbs11", "prbs13", "prbs15", "prbs20", "prbs23",
                              "prbs31", "prbs13q", "prbs31q", "ssprq", "random"},
                             "Test pattern (IEEE 802.3 cl. 120.5.11.2 for the PAM4 forms)."));
  if (s.pattern == PatternKind::ssprq && s.modulation != Modulation::pam4) {
    r.fail("pattern", "ssprq is a PAM4 pattern; use format: pam4");
  }
  s.symbols = read_count(r, "symbols", 65536, "Symbols to simulate.", 1e10);
  s.seed = static_cast<std::uint64_t>(r.integer("seed", 1, "Seed of every random stream.",
                                                Range::between(0, static_cast<double>(max_seed))));
  s.precoding = r.flag("precoding", false, "1/(1+D) mod 4 precoding (IEEE 802.3 cl. 120.5.7.2).");
  s.swing_v =
      r.quantity("swing", Dimension::voltage, 1.0,
                 "Peak-to-peak swing of the ideal source's outer levels.", Range::positive());
  s.level_shaping = r.flag(
      "level_shaping", false,
      "PAM4 transmit level shaping: the source stands for a DSP or SerDes DAC that sets its two "
      "inner levels so the transmitter's settled optical levels are equally spaced (RLM 1 on the "
      "static curve; outer levels stay at ±swing/2). Needs an optical transmitter in the first "
      "segment; a retimer's tx_level_shaping does the same for the segment it drives "
      "(link/level_shaping.hpp).");
  if (s.level_shaping && s.modulation != Modulation::pam4) {
    r.fail("level_shaping", "level shaping sets PAM4 levels; use format: pam4");
  }
  s.rlm = r.quantity(
      "rlm", Dimension::dimensionless, 1.0,
      "Level separation mismatch ratio R_LM of the source's PAM4 levels: they are −1, −R_LM/3, "
      "+R_LM/3 and +1 times swing/2, the symbol levels of IEEE 802.3 COM (Annex 93A.1.6), R_LM "
      "as cl. 120D.3.1.2 defines it (802.3ck transmitters: R_LM ≥ 0.95, U: recalled). 1: "
      "equally spaced.",
      Range{.min = 0.0, .max = 1.0, .min_exclusive = true});
  if (s.rlm != 1.0 && s.modulation != Modulation::pam4) {
    r.fail("rlm", "R_LM is a PAM4 figure; use format: pam4 (or leave rlm at 1)");
  }
  if (s.rlm != 1.0 && s.level_shaping) {
    r.fail("rlm",
           "level shaping sets the inner levels itself; give rlm or level_shaping, not both");
  }
}

void read_lanes_keys(ParamReader& r, bool wdm_is_list, LanesConfig& l) {
  const Range wavelength_range = Range::between(200e-9, 3000e-9);
  l.count = static_cast<int>(r.integer("count", 1, "Number of lanes.", Range::between(1, 64)));
  std::vector<double> grid;
  if (wdm_is_list) {
    l.wdm = "list";
    grid = r.quantity_list("wdm", Dimension::length, {}, "Lane wavelengths.", wavelength_range);
  } else {
    l.wdm = r.choice("wdm", "none", {"none", "cwdm4", "lwdm"},
                     "Wavelength grid: none (all lanes at `wavelength`), cwdm4, lwdm, or a list of "
                     "wavelengths (lane i takes item i mod the list's length).");
    if (l.wdm == "cwdm4") grid = cwdm4_grid_m;
    if (l.wdm == "lwdm") grid = lwdm_grid_m;
  }
  const double wavelength = r.quantity(
      "wavelength", Dimension::length, 1311e-9,
      "Wavelength of every lane when wdm is none (1311 nm: IEEE 802.3 DR PMDs).", wavelength_range);
  for (int i = 0; i < l.count; ++i) {
    l.wavelengths_m.push_back(grid.empty() ? wavelength
                                           : grid[static_cast<std::size_t>(i) % grid.size()]);
  }
}

void read_analysis_keys(ParamReader& r, AnalysisConfig& a) {
  a.target_ber = r.quantity("target_ber", Dimension::dimensionless, 2.4e-4,
                            "Target BER (KP4 pre-FEC threshold 2.4e-4: IEEE 802.3 cl. 120).",
                            Range::between(1e-30, 0.5));
  if (!(a.target_ber > 0.0)) r.fail("target_ber", "must be > 0");
  a.fec = r.choice("fec", "kp4", {"none", "kp4", "kp4_inner"},
                   "FEC model: KP4 = RS(544,514); kp4_inner = the 802.3dj concatenated code "
                   "(inner Hamming(128,120), soft decision anchored on the 4.8e-3 threshold, "
                   "then KP4; phy/analysis/fec.hpp, figures.md §1.1).");
  a.semi_analytic = r.flag("semi_analytic", true, "Compute the semi-analytic BER.");
  a.statistical_eye = r.flag("statistical_eye", true, "Compute the statistical eye.");
  a.monte_carlo_only = r.flag(
      "monte_carlo_only", false,
      "Count errors only, without the chain's noiseless twin (about half the run's cost): the "
      "receiver DSP trains (MMSE phase search, LMS) on the noisy samples with the sent symbols "
      "as its training sequence; timing and thresholds come from the noisy level statistics. "
      "Not computed (null in the JSON): the semi-analytic BER, the statistical eye and pulse "
      "fit, noise per level, SNR, eye height/width, the DSP's noise enhancement, the "
      "transmitter analysis (OMA, ER, TDECQ) and the optical receiver's (received OMA, noise "
      "budget, sensitivity). Needs monte_carlo on and sensitivity off.");
  a.sensitivity = r.flag("sensitivity", false, "Search the receiver sensitivity.");
  a.penalties = r.flag(
      "penalties", true,
      "With sensitivity: the power penalties of dispersion, MPI and crosstalk (a sensitivity "
      "search with each removed) for the link budget.");
  a.noise_budget = r.flag(
      "noise_budget", true,
      "Break the noise at the slicer down by kind (one short re-run per kind the chain adds); "
      "off saves those runs in large sweeps.");
  a.probe_uis = static_cast<int>(r.integer("probe_uis", 256,
                                           "UIs of each block's output kept in the HDF5 file.",
                                           Range::between(0, max_probe_uis)));
  a.com = r.choice("com", "auto", {"auto", "off", "802.3ck", "802.3dj"},
                   "Channel Operating Margin (IEEE 802.3 Annex 93A) of each copper run: the "
                   "parameter set, or off. auto: 802.3ck (53.125 GBd) below 80 GBd, else 802.3dj "
                   "at the symbol rate (106.25 or 113.4375 GBd); channels/copper/com.hpp.");
}

void read_monte_carlo_keys(ParamReader& r, std::uint64_t default_symbols, MonteCarloConfig& mc) {
  mc.max_symbols =
      read_count(r, "symbols", default_symbols,
                 "Most symbols Monte-Carlo may count (default: signal.symbols; it stops earlier at "
                 "min_errors).",
                 1e13);
  mc.min_errors =
      read_count(r, "min_errors", 100, "Bit errors after which Monte-Carlo stops.", 1e12);
}

LinkConfig parse_link_config(const ConfigNode& root, bool every_lane) {
  LinkConfig config;
  config.resolved = root;
  config.file = root.file;
  if (!root.is_map()) throw InputError({root.file, root.line, ""}, "a config must be a YAML map");

  ConfigReader top(root, "", {"signal", "lanes", "chain", "analysis"});
  config.name = top.text("name", "unnamed", "Name of the link, used in reports.");
  (void)top.text("description", "", "Free text describing the link.");
  top.reject_unknown_keys();

  // signal
  const ConfigNode empty_map = [] {
    ConfigNode node;
    node.type = ConfigNode::Type::map;
    return node;
  }();
  const ConfigNode* signal_node = root.find("signal");
  if (signal_node == nullptr) {
    throw InputError({root.file, root.line, "signal"}, "missing required section 'signal'");
  }
  if (!signal_node->is_map()) {
    throw InputError({signal_node->file, signal_node->line, "signal"}, "expected a map");
  }
  {
    ConfigReader r(*signal_node, "signal");
    read_signal_keys(r, config.signal);
    r.reject_unknown_keys();
  }

  // lanes
  {
    const ConfigNode* lanes_node = root.find("lanes");
    const ConfigNode& node = lanes_node ? *lanes_node : empty_map;
    if (!node.is_map()) throw InputError({node.file, node.line, "lanes"}, "expected a map");
    ConfigReader r(node, "lanes");
    const ConfigNode* wdm = node.find("wdm");
    read_lanes_keys(r, wdm != nullptr && wdm->is_sequence(), config.lanes);
    r.reject_unknown_keys();
  }

  // analysis
  {
    const ConfigNode* analysis_node = root.find("analysis");
    const ConfigNode& node = analysis_node ? *analysis_node : empty_map;
    if (!node.is_map()) throw InputError({node.file, node.line, "analysis"}, "expected a map");
    ConfigReader r(node, "analysis", {"monte_carlo"});
    read_analysis_keys(r, config.analysis);
    r.reject_unknown_keys();
    if (const ConfigNode* mc = node.find("monte_carlo")) {
      if (mc->is_scalar()) {
        ConfigReader flag_reader(node, "analysis");
        config.analysis.monte_carlo.enabled =
            flag_reader.flag("monte_carlo", true, "Run Monte-Carlo.");
      } else if (mc->is_map()) {
        ConfigReader m(*mc, "analysis.monte_carlo");
        read_monte_carlo_keys(m, config.signal.symbols, config.analysis.monte_carlo);
        m.reject_unknown_keys();
      } else {
        throw InputError({mc->file, mc->line, "analysis.monte_carlo"},
                         "expected a map {symbols, min_errors} or true/false");
      }
    }
    if (config.analysis.monte_carlo_only && !config.analysis.monte_carlo.enabled) {
      r.fail("monte_carlo_only", "needs analysis.monte_carlo on (it is the only BER computed)");
    }
    if (config.analysis.monte_carlo_only && config.analysis.sensitivity) {
      r.fail("monte_carlo_only",
             "the sensitivity search reads the semi-analytic BER, which needs the noiseless twin: "
             "set analysis.sensitivity: false");
    }
  }

  // chain
  const ConfigNode* chain = root.find("chain");
  if (chain == nullptr) throw InputError({root.file, root.line, "chain"}, "missing 'chain'");
  if (!chain->is_sequence()) {
    throw InputError({chain->file, chain->line, "chain"}, "expected a list of blocks");
  }
  if (chain->sequence.empty()) {
    // A run's figures are those of its last segment: an empty chain has none.
    throw InputError({chain->file, chain->line, "chain"},
                     "needs at least one block (`optilane presets` lists them)");
  }
  for (std::size_t i = 0; i < chain->sequence.size(); ++i) {
    const ConfigNode& item = chain->sequence[i];
    const std::string path = "chain[" + std::to_string(i) + "]";
    if (!item.is_map()) {
      throw InputError({item.file, item.line, path}, "expected a map with a 'block:' key");
    }
    const ConfigNode* block = item.find("block");
    if (block == nullptr || !block->is_scalar()) {
      throw InputError({item.file, item.line, path + ".block"},
                       "missing 'block:' (one of: " +
                           fmt::format("{}", fmt::join(block_type_names(), ", ")) + ")");
    }
    if (find_block_type(block->scalar) == nullptr) {
      std::string message = "unknown block '" + block->scalar + "'";
      if (auto guess = closest_match(block->scalar, block_type_names())) {
        message += " (did you mean '" + *guess + "'?)";
      }
      message += "; known blocks: " + fmt::format("{}", fmt::join(block_type_names(), ", "));
      throw InputError({block->file, block->line, path + ".block"}, message);
    }
    const ConfigNode* name = item.find("name");
    ChainEntry entry{.block = block->scalar,
                     .label = name && name->is_scalar() ? name->scalar : block->scalar,
                     .node = item,
                     .path = path,
                     .location = "module",
                     .power_included_in = {}};
    if (const ConfigNode* location = item.find("location")) {
      static const std::vector<std::string> places{"host", "board", "module", "laser_source"};
      if (!location->is_scalar() ||
          std::find(places.begin(), places.end(), location->scalar) == places.end()) {
        throw InputError({location->file, location->line, path + ".location"},
                         "expected one of host, board, module, laser_source");
      }
      entry.location = location->scalar;
    }
    config.chain.push_back(std::move(entry));
  }
  share_serdes_power(config.chain);
  resolve_dfb_modulation(config.chain);
  // Construct every lane's chain once so all parameter errors surface now.
  const int lanes = every_lane ? config.lanes.count : std::min(config.lanes.count, 1);
  std::set<std::string> inputs;
  collect_source_files(root, inputs);
  for (int lane = 0; lane < lanes; ++lane) {
    const auto blocks = build_chain(config, lane);
    check_chain_domains(config, blocks, lane);
    for (const auto& block : blocks) {
      if (const auto* data = dynamic_cast<const TouchstoneBlock*>(block.get())) {
        inputs.insert(data->params().file);
      }
    }
  }
  config.input_files.assign(inputs.begin(), inputs.end());
  return config;
}

}  // namespace optilane

// The `optilane` command line: parses arguments and calls link/. Exit status (DESIGN.md §4):
// 0 success; 1 the link does not close, only with --fail-on-ber; 2 bad input; 3 internal error.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <thread>

#include "channels/copper/pcb_trace.hpp"
#include "link/config_docs.hpp"
#include "link/data_paths.hpp"
#include "link/distributed.hpp"
#include "link/hdf5_writer.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/plot.hpp"
#include "link/progress.hpp"
#include "link/registry.hpp"
#include "link/report.hpp"
#include "link/resources.hpp"
#include "link/sweep.hpp"
#include "link/tiers.hpp"
#include "link/validation.hpp"
#include "optilane/version.hpp"
#include "phy/errors.hpp"

namespace {

using namespace optilane;

constexpr int exit_ok = 0;
constexpr int exit_link_fails = 1;
constexpr int exit_bad_input = 2;
constexpr int exit_internal = 3;

extern "C" void on_signal(int signal) {
  remove_temporary_files();
  std::_Exit(128 + signal);
}

/// An output file named on the command line: the option that named it, and the path.
struct OutputFile {
  std::string option;  ///< "-o", "--json", ...
  std::string kind;    ///< "HDF5", "JSON", ...
  std::string path;    ///< empty: not requested
};

/// The file `path` names, for comparing two spellings of one file.
std::filesystem::path file_identity(const std::string& path) {
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? std::filesystem::absolute(path).lexically_normal() : canonical;
}

/// Checks, before anything runs, that every output can be written (check_output_writable), that
/// no two outputs are one file and that no output is one of `inputs` (the config and the files it
/// reads), so a run never ends in an unwritable or clobbering output.
void prepare_outputs(const std::vector<OutputFile>& outputs,
                     const std::vector<std::string>& inputs = {}) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputFile& output = outputs[i];
    if (output.path.empty()) continue;
    const auto identity = file_identity(output.path);
    for (const auto& input : inputs) {
      if (file_identity(input) == identity) {
        throw InputError({"<command line>", 0, output.option},
                         fmt::format("'{}' would overwrite the input '{}'", output.path, input));
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (!outputs[j].path.empty() && file_identity(outputs[j].path) == identity) {
        throw InputError({"<command line>", 0, output.option},
                         fmt::format("'{}' is also given to {}: the {} and {} outputs are the same "
                                     "file",
                                     output.path, outputs[j].option, outputs[j].kind, output.kind));
      }
    }
    check_output_writable(output.path);
  }
}

void check_duplicate_sets(const std::vector<std::string>& sets) {
  std::set<std::string> keys;
  for (const auto& assignment : sets) {
    const std::string key = assignment.substr(0, assignment.find('='));
    if (!keys.insert(key).second) {
      throw InputError({"<command line>", 0, key}, "--set gives this key twice");
    }
  }
}

struct RunArguments {
  std::string config;
  std::string output_h5;
  std::string output_json;
  std::vector<std::string> sets;
  std::string seed;       ///< --seed as typed; empty: the config's signal.seed
  std::string waveforms;  ///< run: --waveforms N|all; empty: analysis.probe_uis
  int threads = 0;
  bool fail_on_ber = false;
  bool quiet = false;
  std::string max_memory;
  std::vector<std::string> varies;  ///< sweep: --vary
  bool zip = false;                 ///< sweep: pair the axes' values instead of the product
};

struct PlotArguments {
  std::string file;
  std::string output_dir;
  bool svg = false;
};

/// An option's integer as typed, nullopt unless it is all digits and at most `max`. Options take
/// their value as text and parse it here so that a message quotes what was typed (CLI11, parsing
/// into a number, clamps 1e20 and takes "-7" for a long it then ignored as "no seed").
std::optional<std::uint64_t> parse_count(const std::string& text, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value > max) {
    return std::nullopt;
  }
  return value;
}

/// `--seed`: an integer 0 .. max_seed, signal.seed's range.
std::uint64_t parse_seed(const std::string& text) {
  const auto seed = parse_count(text, max_seed);
  if (!seed) {
    throw InputError(
        {"<command line>", 0, "--seed"},
        fmt::format("'{}' is not a seed: expected an integer 0 .. {}", text, max_seed));
  }
  return *seed;
}

/// Refuses a --set of `key` beside the option that sets it.
void check_not_set(const std::vector<std::string>& sets, const std::string& key,
                   const std::string& option) {
  for (const auto& assignment : sets) {
    if (assignment.substr(0, assignment.find('=')) == key) {
      throw InputError({"<command line>", 0, option},
                       option + " sets " + key + ", which --set gives too");
    }
  }
}

/// --set, and --seed as the signal.seed it sets.
std::vector<std::string> config_overrides(const RunArguments& args) {
  check_duplicate_sets(args.sets);
  std::vector<std::string> overrides = args.sets;
  if (!args.seed.empty()) {
    check_not_set(args.sets, "signal.seed", "--seed");
    overrides.push_back("signal.seed=" + std::to_string(parse_seed(args.seed)));
  }
  return overrides;
}

LinkConfig load(const RunArguments& args) {
  return parse_link_config(resolve_config(args.config, config_overrides(args)));
}

/// `--waveforms N|all`: analysis.probe_uis set to N, or to every symbol the run may simulate
/// (signal.symbols, or Monte-Carlo's monte_carlo.symbols when longer). The probes are held in
/// memory, so `all` stops at analysis.probe_uis's cap like N does.
void apply_waveforms(LinkConfig& config, const RunArguments& args) {
  if (args.waveforms.empty()) return;
  check_not_set(args.sets, "analysis.probe_uis", "--waveforms");
  std::uint64_t uis = 0;
  if (args.waveforms == "all") {
    const MonteCarloConfig& mc = config.analysis.monte_carlo;
    uis = std::max(config.signal.symbols, mc.enabled ? mc.max_symbols : 0);
    if (uis > static_cast<std::uint64_t>(max_probe_uis)) {
      throw InputError(
          {"<command line>", 0, "--waveforms"},
          fmt::format("'all' is the whole record, {} symbols, and the waveform probes (held in "
                      "memory) keep at most {} UI: give --waveforms N up to {}, or fewer symbols",
                      uis, max_probe_uis, max_probe_uis));
    }
  } else {
    const auto count = parse_count(args.waveforms, max_probe_uis);
    if (!count) {
      throw InputError({"<command line>", 0, "--waveforms"},
                       fmt::format("'{}' is not a UI count: expected an integer 0 .. {} or 'all'",
                                   args.waveforms, max_probe_uis));
    }
    uis = *count;
  }
  config.analysis.probe_uis = static_cast<int>(uis);
  // The HDF5 file's config_yaml reproduces the run: it carries the value as --set would.
  apply_override(config.resolved, "analysis.probe_uis=" + std::to_string(uis));
}

int command_run(const RunArguments& args) {
  LinkConfig config = load(args);
  apply_waveforms(config, args);
  // The statistical eye's BER contour map (65 phases × 256 amplitudes, most of the eye's cost) is
  // read by the HDF5 file alone: without one it is not computed (the JSON and the table report
  // the BER, heights, widths and bathtub-derived figures, which do not depend on it).
  config.analysis.statistical_eye_contours = !args.output_h5.empty();
  check_memory(config, args.threads,
               args.max_memory.empty() ? 0 : parse_memory_size(args.max_memory));
  prepare_outputs({{"-o", "HDF5", args.output_h5}, {"--json", "JSON", args.output_json}},
                  config.input_files);
  Progress progress = Progress::for_stderr(config.name, "sym", args.quiet);
  const LinkResult result = [&] {
    const ProgressScope scope(progress);
    return run_link(config, args.threads);
  }();
  progress.finish();
  const nlohmann::json summary = summary_json(config, result);
  const std::string json_text = summary.dump(2) + "\n";
  if (!args.output_h5.empty()) write_hdf5(args.output_h5, config, result, json_text);
  if (!args.output_json.empty()) write_file_atomically(args.output_json, json_text);
  if (!args.quiet) std::cout << summary_table(config, result) << std::flush;
  if (args.fail_on_ber && !result.closes) return exit_link_fails;
  return exit_ok;
}

/// `optilane sweep`: the points are split over MPI ranks (point i runs on rank i mod N; a plain
/// run is one rank) and over OpenMP threads within a rank; rank 0 gathers the rows and writes.
int command_sweep(const RunArguments& args) {
  DistributedSession session(nullptr, nullptr);
  SweepSpec spec{
      .config_path = args.config, .overrides = config_overrides(args), .axes = {}, .zip = args.zip};
  for (const auto& vary : args.varies) spec.axes.push_back(parse_vary(vary));
  const Sweep sweep(std::move(spec));

  // Only rank 0 writes; every rank learns whether it can, so none runs a sweep for nothing.
  std::exception_ptr output_error;
  if (session.is_root()) {
    try {
      prepare_outputs({{"-o", "HDF5", args.output_h5}, {"--json", "JSON", args.output_json}},
                      sweep.input_files());
    } catch (...) {
      output_error = std::current_exception();
    }
  }
  if (!session.all_ok(output_error == nullptr)) {
    if (output_error) std::rethrow_exception(output_error);
    return exit_bad_input;
  }

  std::vector<std::size_t> mine;
  for (std::size_t i = static_cast<std::size_t>(session.rank()); i < sweep.size();
       i += static_cast<std::size_t>(session.size())) {
    mine.push_back(i);
  }
  int threads = args.threads;
  if (threads == 0 && session.local_size() > 1) {
    // Ranks sharing a machine share its cores rather than each taking all of them.
    threads =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / session.local_size());
  }
  ProgressBar progress(session.size() > 1 ? "sweep (rank 0)" : "sweep", mine.size(), "points",
                       session.is_root() && !args.quiet && ProgressBar::stderr_is_terminal());
  std::vector<SweepRow> rows = run_sweep_points(sweep, mine, threads, [&] { progress.advance(); });
  progress.finish();

  if (session.size() > 1) {
    nlohmann::ordered_json local = nlohmann::ordered_json::array();
    for (const auto& row : rows) local.push_back(sweep_row_json(sweep, row));
    const std::vector<std::string> parts = session.gather_to_root(local.dump());
    if (!session.is_root()) return exit_ok;
    rows.clear();
    for (const auto& part : parts) {
      for (const auto& row : nlohmann::ordered_json::parse(part)) {
        rows.push_back(sweep_row_from_json(sweep, row));
      }
    }
  }

  const nlohmann::ordered_json table = sweep_json(sweep, rows);
  const std::string json_text = table.dump(2) + "\n";
  if (!args.output_h5.empty()) write_sweep_hdf5(args.output_h5, sweep, rows, json_text);
  if (!args.output_json.empty()) write_file_atomically(args.output_json, json_text);
  if (!args.quiet) std::cout << sweep_table(sweep, rows) << std::flush;
  const auto failed = table["failed"].get<std::size_t>();
  if (failed == sweep.size()) {
    // Nothing was computed: a failure, though the table (written above) records each error.
    const bool input = std::all_of(rows.begin(), rows.end(), failed_on_input);
    std::cerr << fmt::format(
        "optilane: error: all {} points failed ({}); their rows give the "
        "errors\n",
        failed, input ? "bad input" : "not only bad input");
    return input ? exit_bad_input : exit_internal;
  }
  if (failed > 0) {
    std::cerr << fmt::format("optilane: {} of {} points failed; their rows give the error\n",
                             failed, sweep.size());
  }
  return exit_ok;
}

int command_check(const RunArguments& args) {
  const LinkConfig config = load(args);
  std::cout << fmt::format("{}: OK — '{}', {} block{}, {} lane{}\n", args.config, config.name,
                           config.chain.size(), config.chain.size() == 1 ? "" : "s",
                           config.lanes.count, config.lanes.count == 1 ? "" : "s");
  return exit_ok;
}

struct ValidateArguments {
  std::vector<std::string> cases;
  std::string directory;
  std::string output_json;
  std::string markdown;
  bool quick = false;
  int threads = 0;
};

int command_validate(const ValidateArguments& args) {
  const std::string directory = args.directory.empty() ? validation_dir().string() : args.directory;
  std::vector<ValidationCase> all = load_validation_cases(directory);
  std::vector<ValidationCase> chosen;
  for (auto& c : all) {
    bool wanted = args.cases.empty();
    for (const auto& name : args.cases) wanted = wanted || name == c.name || name == c.file;
    if (args.quick && !c.quick) wanted = false;
    if (wanted) chosen.push_back(std::move(c));
  }
  for (const auto& name : args.cases) {
    const bool found = std::any_of(chosen.begin(), chosen.end(), [&](const ValidationCase& c) {
      return c.name == name || c.file == name;
    });
    if (!found) throw InputError({"<command line>", 0, name}, "no validation case of that name");
  }
  prepare_outputs(
      {{"--json", "JSON", args.output_json}, {"--markdown", "Markdown", args.markdown}});
  const std::vector<ValidationResult> results = evaluate_cases(chosen, args.threads);
  std::cout << validation_table(results) << std::flush;
  if (!args.output_json.empty()) {
    write_file_atomically(args.output_json, validation_json(results).dump(2) + "\n");
  }
  if (!args.markdown.empty()) write_file_atomically(args.markdown, validation_markdown(results));
  const bool all_ok = std::all_of(results.begin(), results.end(), validation_ok);
  return all_ok ? exit_ok : exit_link_fails;
}

struct TiersArguments {
  std::vector<std::string> configs;  ///< configs, directories or tier preset names; none: all
  std::string lane_rate;
  std::string output;  ///< -o: the directory of tiers.h5, or the .h5 file
  std::string output_json;
  int threads = 0;
  bool no_reach = false;
};

int command_tiers(const TiersArguments& args) {
  const std::vector<std::string> presets = tier_configs(args.configs, args.lane_rate);
  if (presets.empty()) {
    throw InputError({"<command line>", 0, "--lane-rate"},
                     "no tier presets in " + (examples_dir() / "tiers").string());
  }
  // -o names the directory of tiers.h5, or the .h5 file itself.
  const std::filesystem::path output(args.output);
  const bool names_file = (output.extension() == ".h5" || output.extension() == ".hdf5") &&
                          !std::filesystem::is_directory(output);
  const std::string h5 =
      args.output.empty() ? std::string()
      : names_file
          ? output.string()
          : (output / fmt::format("tiers{}.h5",
                                  args.lane_rate.empty() ? std::string() : "-" + args.lane_rate))
                .string();
  prepare_outputs({{"-o", "HDF5", h5}, {"--json", "JSON", args.output_json}}, presets);
  const std::vector<TierResult> rows = run_tiers(presets, args.threads, !args.no_reach);
  const std::string json_text = tiers_json(rows).dump(2) + "\n";
  if (!h5.empty()) write_tiers_hdf5(h5, rows, json_text);
  if (!args.output_json.empty()) write_file_atomically(args.output_json, json_text);
  std::cout << tiers_table(rows) << std::flush;
  return exit_ok;
}

int command_presets() {
  std::cout << "Blocks (use as `block:` in a chain; docs/config.md lists their keys):\n";
  for (const auto& type : block_types()) {
    std::cout << fmt::format("  {:<20} {:<10} {}\n", type.name, type.group, type.summary);
  }
  std::cout << "\nLaminate materials (pcb_trace `material:`; its keys dk, df, f_ref and "
               "roughness override them):\n";
  std::cout << fmt::format("  {:<14} {:>5} {:>7} {:>10} {:>15}\n", "material", "Dk", "Df",
                           "f_ref[GHz]", "roughness[um]");
  for (const auto& m : laminate_materials()) {
    std::cout << fmt::format("  {:<14} {:>5.2f} {:>7.4f} {:>10.1f} {:>15.2f}\n      source: {}\n",
                             m.name, m.dk, m.df, m.f_ref_hz / 1e9, m.rms_roughness_m / 1e-6,
                             m.source);
  }
  const std::filesystem::path examples = examples_dir();
  std::cout << "\nPresets and examples in " << examples.string()
            << " (`extends: NAME` in a config, `optilane run PATH`; tiers/ also by name in "
               "`optilane tiers NAME`):\n";
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(examples, ec)) {
    if (entry.path().extension() == ".yaml") {
      names.push_back(
          std::filesystem::relative(entry.path(), examples).replace_extension().string());
    }
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) std::cout << "  " << name << "\n";
  return exit_ok;
}

int command_docs(const std::string& what, const std::string& output) {
  if (what != "config") throw InputError("docs: unknown document '" + what + "' (known: config)");
  const std::string markdown = config_reference_markdown();
  if (output.empty()) {
    std::cout << markdown;
  } else {
    prepare_outputs({{"-o", "Markdown", output}});
    write_file_atomically(output, markdown);
  }
  return exit_ok;
}

int command_plot(const PlotArguments& args) {
  std::vector<std::string> arguments{args.file};
  if (!args.output_dir.empty()) arguments.insert(arguments.end(), {"-o", args.output_dir});
  if (args.svg) arguments.emplace_back("--svg");
  const int status = run_plot_script(arguments);
  // The script's own statuses follow ours (0, 2 bad input, 3 internal); anything else is ours.
  return status == exit_ok || status == exit_bad_input ? status : exit_internal;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  CLI::App app{"optilane: physical-layer simulator for data-centre interconnect lanes"};
  app.set_version_flag("--version", std::string(version_string) + " (" + git_revision + ")");
  app.require_subcommand(1);
  RunArguments args;

  auto add_config_options = [&](CLI::App* command) {
    command->add_option("config", args.config, "Config file (YAML)")->required();
    command->add_option("--set", args.sets, "Override a key: KEY=VALUE (dotted path)");
    command
        ->add_option("--seed", args.seed,
                     fmt::format("Seed of every random stream, an integer 0 .. {} (sets "
                                 "signal.seed; default: the config's)",
                                 max_seed))
        ->type_name("N");
  };
  // 0 is OpenMP's default team: one thread per core, or OMP_NUM_THREADS when set.
  const std::string threads_zero = "; 0 (default): one per core, or OMP_NUM_THREADS";
  CLI::App* run = app.add_subcommand("run", "Simulate a link and report BER, eye, power");
  add_config_options(run);
  run->add_option("-o,--output", args.output_h5, "HDF5 output file");
  run->add_option("--json", args.output_json, "JSON summary file");
  run->add_option("--threads", args.threads, "Threads (lanes run in parallel)" + threads_zero)
      ->check(CLI::Range(0, 1024));
  run->add_option("--waveforms", args.waveforms,
                  fmt::format("UIs of each block's output waveform kept in the HDF5 file (sets "
                              "analysis.probe_uis, default 256): N up to {}, or all (every "
                              "symbol of the run)",
                              max_probe_uis))
      ->type_name("N|all");
  run->add_flag("--fail-on-ber", args.fail_on_ber, "Exit 1 when the link does not close");
  run->add_flag("-q,--quiet", args.quiet, "No summary table and no progress bar");
  run->add_option("--max-memory", args.max_memory,
                  "Refuse runs whose memory estimate exceeds this (e.g. 2GB); default: available");

  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a config over a grid of values, one row of figures per point");
  add_config_options(sweep);
  sweep
      ->add_option("--vary", args.varies,
                   "KEY=START:STOP:STEP or KEY=v1,v2,... (KEY as for --set; values keep units, "
                   "e.g. chain.fiber.length=0.5km:2km:0.5km)")
      ->required();
  sweep->add_flag("--zip", args.zip, "Pair the i-th values of the axes instead of their product");
  sweep->add_option("-o,--output", args.output_h5, "HDF5 results table");
  sweep->add_option("--json", args.output_json, "JSON results table");
  sweep->add_option("--threads", args.threads, "Threads (points run in parallel)" + threads_zero)
      ->check(CLI::Range(0, 1024));
  sweep->add_flag("-q,--quiet", args.quiet, "No table and no progress bar");

  CLI::App* check = app.add_subcommand("check", "Parse and validate a config only");
  add_config_options(check);
  CLI::App* presets = app.add_subcommand("presets", "List blocks and presets");
  TiersArguments tiers_args;
  CLI::App* tiers = app.add_subcommand("tiers", "Every packaging tier side by side");
  tiers->add_option("configs", tiers_args.configs,
                    "Configs to compare: YAML files, directories of them, or tier preset names "
                    "(cpo-200g); none: every tier preset (examples/tiers)");
  tiers->add_option("--lane-rate", tiers_args.lane_rate, "Only one lane rate")
      ->check(CLI::IsMember({"100G", "200G"}));
  tiers->add_option("-o,--output", tiers_args.output,
                    "Directory for tiers.h5 (tiers-100G.h5 with --lane-rate), or the .h5 file");
  tiers->add_option("--json", tiers_args.output_json, "JSON file, one row per tier");
  tiers->add_option("--threads", tiers_args.threads, "Tiers run in parallel" + threads_zero)
      ->check(CLI::Range(0, 1024));
  tiers->add_flag("--no-reach", tiers_args.no_reach, "Skip the reach search");
  ValidateArguments validate_args;
  CLI::App* validate =
      app.add_subcommand("validate", "Hold the models against published figures (validation/)");
  validate->add_option("cases", validate_args.cases, "Case names (default: all)");
  validate->add_option("--json", validate_args.output_json, "JSON file, one row per case");
  validate->add_option("--markdown", validate_args.markdown, "Write the table as Markdown");
  validate->add_option("--dir", validate_args.directory, "Directory of cases");
  validate->add_flag("--quick", validate_args.quick, "Only the cases marked quick (CI)");
  validate->add_option("--threads", validate_args.threads, "Cases run in parallel" + threads_zero)
      ->check(CLI::Range(0, 1024));

  PlotArguments plot_args;
  CLI::App* plot = app.add_subcommand(
      "plot", "Figures from an HDF5 output: eye, bathtubs, waterfall, power, reach, noise budget");
  plot->add_option("file", plot_args.file, "HDF5 file written by `optilane run -o`")->required();
  plot->add_option("-o,--output", plot_args.output_dir,
                   "Directory for the figures (default: the file's directory)");
  plot->add_flag("--svg", plot_args.svg, "Also write SVG");

  // Maintainers: regenerate docs/config.md (a test compares it with the registry).
  std::string docs_what, docs_output;
  CLI::App* docs = app.add_subcommand("docs", "Generate reference documents");
  docs->group("");  // hidden from --help
  docs->add_option("document", docs_what, "config")->required();
  docs->add_option("-o,--output", docs_output, "File (default: standard output)");

  if (argc > 1 && argv[1][0] != '-') {
    // CLI11 would take an unknown first word for a stray argument ("A subcommand is required").
    std::vector<std::string> commands, shown;
    for (const CLI::App* command : app.get_subcommands({})) {
      commands.push_back(command->get_name());
      if (!command->get_group().empty()) shown.push_back(command->get_name());
    }
    const std::string word = argv[1];
    if (std::find(commands.begin(), commands.end(), word) == commands.end()) {
      std::string message = "unknown subcommand '" + word + "'";
      if (auto guess = closest_match(word, shown)) message += " (did you mean '" + *guess + "'?)";
      std::cerr << fmt::format("optilane: error: {}; commands: {}\n", message,
                               fmt::join(shown, ", "));
      return exit_bad_input;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_bad_input;
  }

  try {
    if (run->parsed()) return command_run(args);
    if (sweep->parsed()) return command_sweep(args);
    if (check->parsed()) return command_check(args);
    if (presets->parsed()) return command_presets();
    if (tiers->parsed()) return command_tiers(tiers_args);
    if (validate->parsed()) return command_validate(validate_args);
    if (plot->parsed()) return command_plot(plot_args);
    if (docs->parsed()) return command_docs(docs_what, docs_output);
  } catch (const InputError& e) {
    remove_temporary_files();
    std::cerr << "optilane: error: " << e.what() << "\n";
    return exit_bad_input;
  } catch (const NumericError& e) {
    remove_temporary_files();
    std::cerr << "optilane: numerical failure: " << e.what() << "\n";
    return exit_internal;
  } catch (const std::exception& e) {
    remove_temporary_files();
    std::cerr << "optilane: internal error: " << e.what() << "\n";
    return exit_internal;
  }
  return exit_internal;
}

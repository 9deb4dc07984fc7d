// Benchmarks of canonical workloads (issue 9): print figures, assert nothing. bench/README.md
// describes each workload, its target and the latest figures on the project machine.
//
//   optilane_bench                 every workload whose blocks exist (A, A-now, B, C, D, E, F)
//   optilane_bench A|A-mc|A-now|B|B-core|C|D|E|F|awgn ...
//   optilane_bench lane CONFIG [SYMBOLS [THREADS]]   one config, Monte-Carlo over every symbol
//   optilane_bench awgn SYMBOLS              the AWGN lane of examples/awgn-pam4.yaml
//   optilane_bench mem CONFIG SYMBOLS         peak memory of one run (one process per figure)
//   optilane_bench D POINTS                   the first POINTS points of D (lane A) only
//   optilane_bench B-core[-2] PRESET...        B-core (on two threads) of the named tier presets
//   optilane_bench B-ber[-2] [PRESET...]       B-core without the copper channels' COM reports
//
// Wall time is noisy on a shared machine; user CPU time (getrusage, all threads) is quoted beside
// it, and instruction counts come from `valgrind --tool=callgrind` (see the README).
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/sweep.hpp"
#include "optilane/version.hpp"
#include "phy/errors.hpp"
#include "phy/overlap_save.hpp"

namespace {

using namespace optilane;
namespace fs = std::filesystem;

const std::string bench_dir = std::string(source_dir) + "/bench/configs";

double user_cpu_s() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec);
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports kB
}

/// Wall and user CPU time of a piece of work.
class Stopwatch {
 public:
  Stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_(user_cpu_s()) {}
  [[nodiscard]] double wall_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
  }
  [[nodiscard]] double cpu_s() const { return user_cpu_s() - cpu_; }

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

/// Loads a config with overrides; nullopt (and a note) when a block it needs is not built yet.
std::optional<LinkConfig> load(const std::string& label, const std::string& path,
                               const std::vector<std::string>& overrides) {
  try {
    return parse_link_config(resolve_config(path, overrides));
  } catch (const InputError& e) {
    fmt::print("{:<8} skipped: {}\n", label, e.what());
    return std::nullopt;
  }
}

std::vector<std::string> every_symbol(std::uint64_t symbols) {
  return {"signal.symbols=" + std::to_string(symbols),
          "analysis.monte_carlo.symbols=" + std::to_string(symbols),
          "analysis.monte_carlo.min_errors=1000000000000"};
}

/// Runs a lane config and prints throughput. `lanes` > 1 runs that many copies of the lane in
/// parallel (the two-thread figure of workload A: lanes are the unit of parallelism).
void bench_lane(const std::string& label, const std::string& path, std::uint64_t symbols,
                int threads, int lanes = 1, const std::vector<std::string>& extra = {}) {
  auto overrides = every_symbol(symbols);
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  overrides.push_back("lanes.count=" + std::to_string(lanes));
  const auto config = load(label, path, overrides);
  if (!config) return;
  const Stopwatch watch;
  LinkResult result;
  try {
    result = run_link(*config, threads);
  } catch (const std::exception& e) {
    fmt::print("{:<8} failed after {:.2f} s: {}\n", label, watch.wall_s(), e.what());
    return;
  }
  const double wall = watch.wall_s();
  const double cpu = watch.cpu_s();
  const double samples = static_cast<double>(symbols) * config->signal.samples_per_symbol * lanes;
  fmt::print(
      "{:<8} {} lane{} x {} symbols, {} thread{}: wall {:.3f} s ({:.2f} M samples/s), "
      "user CPU {:.3f} s ({:.2f} M samples/CPU-s), peak RSS {:.1f} MB, BER {:.3e}\n",
      label, lanes, lanes > 1 ? "s" : "", symbols, threads, threads > 1 ? "s" : "", wall,
      samples / wall / 1e6, cpu, samples / cpu / 1e6, peak_rss_mb(), result.worst_ber);
}

/// B: semi-analytic BER and statistical eye of every tier preset (Monte-Carlo off). `core`: the
/// sensitivity, penalty and noise-budget searches off; otherwise the preset as it is set (those
/// searches on where it sets them), the figure `optilane tiers` pays. `without_com` (B-ber): also
/// the copper channels' COM reports off (a channel compliance figure with its own Tx FFE × CTLE
/// search, neither the BER nor the statistical eye), leaving exactly the two analyses the target
/// names.
void bench_tiers_semi_analytic(bool core, int threads = 1,
                               const std::vector<std::string>& only = {},
                               bool without_com = false) {
  const fs::path tiers = fs::path(source_dir) / "examples" / "tiers";
  std::error_code ec;
  if (!fs::is_directory(tiers, ec)) {
    fmt::print("B        skipped: no tier presets in examples/tiers yet (issue 7)\n");
    return;
  }
  std::vector<fs::path> presets;
  for (const auto& entry : fs::directory_iterator(tiers, ec)) {
    if (entry.path().extension() != ".yaml") continue;
    if (only.empty() ||
        std::find(only.begin(), only.end(), entry.path().stem().string()) != only.end()) {
      presets.push_back(entry.path());
    }
  }
  std::sort(presets.begin(), presets.end());
  std::vector<std::string> overrides = {"analysis.monte_carlo=false"};
  if (core) {
    overrides.insert(overrides.end(),
                     {"analysis.sensitivity=false", "analysis.noise_budget=false"});
  }
  if (without_com) overrides.emplace_back("analysis.com=off");
  for (const auto& preset : presets) {
    const std::string label = (without_com ? "B-ber "
                               : core      ? "B-core "
                                           : "B ") +
                              preset.stem().string() +
                              (threads > 1 ? fmt::format(" ({} threads)", threads) : "");
    const auto config = load(label, preset.string(), overrides);
    if (!config) continue;
    const Stopwatch watch;
    const LinkResult result = run_link(*config, threads);
    const double cpu = watch.cpu_s();
    fmt::print(
        "{:<30} wall {:.3f} s, user CPU {:.3f} s ({:.3f} s per lane), {} symbols x {} lanes, "
        "semi-analytic BER {:.3e}\n",
        label, watch.wall_s(), cpu, cpu / config->lanes.count, config->signal.symbols,
        config->lanes.count, result.worst_ber);
    std::fflush(stdout);
  }
}

/// C: `optilane tiers` as a user runs it.
void bench_tiers_command() {
  const std::string binary = std::string(OPTILANE_BINARY);
  if (std::system((binary + " --help 2>/dev/null | grep -q '^  tiers '").c_str()) != 0) {
    fmt::print("C        skipped: this build has no `optilane tiers` yet (issue 7)\n");
    return;
  }
  const Stopwatch watch;
  rusage before{};
  getrusage(RUSAGE_CHILDREN, &before);
  const int status = std::system((binary + " tiers >/dev/null 2>&1").c_str());
  rusage after{};
  getrusage(RUSAGE_CHILDREN, &after);
  const double cpu = static_cast<double>(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
                     1e-6 * static_cast<double>(after.ru_utime.tv_usec - before.ru_utime.tv_usec);
  fmt::print("C        optilane tiers: wall {:.2f} s, user CPU {:.2f} s (exit {})\n",
             watch.wall_s(), cpu, status);
}

/// D: a 1,000-point semi-analytic sweep on two threads (Monte-Carlo off, one PRBS13Q period
/// of 8191 symbols per point covers every ISI pattern the pattern has).
void bench_sweep(const std::string& config_path, const std::string& label, std::size_t points = 0) {
  SweepSpec spec{.config_path = config_path,
                 .overrides = {"signal.symbols=8191", "signal.pattern=prbs13q",
                               "analysis.monte_carlo=false", "analysis.noise_budget=false"},
                 .axes = {parse_vary("chain.laser.power=-14dBm:-4.01dBm:0.01dB")},
                 .zip = false};
  std::optional<Sweep> sweep;
  try {
    sweep.emplace(spec);
  } catch (const InputError& e) {
    fmt::print("{:<8} skipped: {}\n", label, e.what());
    return;
  }
  // `points` > 0: the first that many points only (a quick figure; D's target is for all).
  std::vector<std::size_t> indices(points > 0 ? std::min(points, sweep->size()) : sweep->size());
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  const Stopwatch watch;
  const auto rows = run_sweep_points(*sweep, indices, 2, {});
  std::size_t failed = 0;
  for (const auto& row : rows) failed += row.error.empty() ? 0 : 1;
  fmt::print(
      "{:<8} {}-point semi-analytic sweep of {}, 2 threads: wall {:.2f} s, user CPU {:.2f} s "
      "({:.1f} ms CPU per point; {} failed)\n",
      label, rows.size(), fs::path(config_path).stem().string(), watch.wall_s(), watch.cpu_s(),
      1e3 * watch.cpu_s() / static_cast<double>(rows.size()), failed);
}

/// E: peak memory at 1e5 and 1e7 symbols, each in its own process (ru_maxrss is per process).
void bench_memory(const std::string& config_path) {
  for (const char* symbols : {"100000", "10000000"}) {
    const std::string command =
        fmt::format("/proc/{}/exe mem {} {}", ::getpid(), config_path, symbols);
    std::fflush(stdout);
    if (std::system(command.c_str()) != 0) fmt::print("E        failed: {}\n", command);
  }
}

void memory_run(const std::string& config_path, std::uint64_t symbols) {
  const auto config = load("E", config_path, every_symbol(symbols));
  if (!config) return;
  const Stopwatch watch;
  (void)run_link(*config, 1);
  fmt::print("E        {} at {} symbols: peak RSS {:.1f} MB (wall {:.1f} s, user CPU {:.1f} s)\n",
             fs::path(config_path).stem().string(), symbols, peak_rss_mb(), watch.wall_s(),
             watch.cpu_s());
}

/// F: the cost floor, the FFT filtering alone. Lane A filters with overlap-save in four places
/// (MZM electrode, fibre dispersion (complex), photodetector, TIA), each in the noisy chain and in
/// its noiseless twin: 2 x (3 real + 1 complex) passes over every sample.
void bench_fft_floor(std::uint64_t symbols, int sps, std::size_t taps) {
  const std::size_t chunk = 2048 * static_cast<std::size_t>(sps);
  const std::size_t samples = symbols * static_cast<std::size_t>(sps);
  std::mt19937_64 engine(1);
  std::normal_distribution<double> normal;
  std::vector<double> real_taps(taps);
  std::vector<std::complex<double>> complex_taps(taps);
  for (auto& t : real_taps) t = normal(engine);
  for (auto& t : complex_taps) t = {normal(engine), normal(engine)};
  std::vector<double> real_in(chunk), real_out(chunk);
  std::vector<std::complex<double>> complex_in(chunk), complex_out(chunk);
  for (auto& v : real_in) v = normal(engine);
  for (auto& v : complex_in) v = {normal(engine), normal(engine)};

  RealFirFilter real_filter(real_taps);
  const Stopwatch real_watch;
  for (std::size_t done = 0; done < samples; done += chunk) real_filter.process(real_in, real_out);
  const double real_cpu = real_watch.cpu_s();
  ComplexFirFilter complex_filter(complex_taps);
  const Stopwatch complex_watch;
  for (std::size_t done = 0; done < samples; done += chunk) {
    complex_filter.process(complex_in, complex_out);
  }
  const double complex_cpu = complex_watch.cpu_s();
  const double floor = 2.0 * (3.0 * real_cpu + complex_cpu);
  fmt::print(
      "F        overlap-save, {} taps, {} samples: real {:.3f} s CPU ({:.1f} M samples/s), "
      "complex {:.3f} s CPU ({:.1f} M samples/s); lane A floor 2x(3 real + 1 complex) = "
      "{:.3f} s CPU\n",
      taps, samples, real_cpu, samples / real_cpu / 1e6, complex_cpu, samples / complex_cpu / 1e6,
      floor);
}

constexpr std::uint64_t lane_a_symbols = 1u << 18;

void run_workload(const std::string& name) {
  const std::string lane_a = bench_dir + "/lane-a.yaml";
  const std::string lane_a_now = bench_dir + "/lane-a-now.yaml";
  if (name == "A") {
    bench_lane("A", lane_a, lane_a_symbols, 1);
    bench_lane("A", lane_a, lane_a_symbols, 2, 2);
    // The same lane with the FFE solved by MMSE instead of adapted by LMS.
    bench_lane("A-mmse", lane_a, lane_a_symbols, 1, 1, {"chain.ffe.adapt=mmse"});
  } else if (name == "A-mc") {
    // Monte-Carlo only: no noiseless twin, the receiver trained on the noisy record.
    bench_lane("A-mc", lane_a, lane_a_symbols, 1, 1, {"analysis.monte_carlo_only=true"});
    bench_lane("A-mc", lane_a, lane_a_symbols, 2, 2, {"analysis.monte_carlo_only=true"});
  } else if (name == "A-now") {
    bench_lane("A-now", lane_a_now, lane_a_symbols, 1);
    bench_lane("A-now", lane_a_now, lane_a_symbols, 2, 2);
  } else if (name == "awgn") {
    bench_lane("awgn", std::string(source_dir) + "/examples/awgn-pam4.yaml", lane_a_symbols, 1);
  } else if (name == "B") {
    bench_tiers_semi_analytic(true);
    bench_tiers_semi_analytic(false);
  } else if (name == "B-core") {
    bench_tiers_semi_analytic(true);
  } else if (name == "B-core-2") {
    // The same on two threads (lanes in parallel): wall time is the figure.
    bench_tiers_semi_analytic(true, 2);
  } else if (name == "B-ber" || name == "B-ber-2") {
    bench_tiers_semi_analytic(true, name == "B-ber-2" ? 2 : 1, {}, true);
  } else if (name == "C") {
    bench_tiers_command();
  } else if (name == "D") {
    bench_sweep(lane_a, "D");
    bench_sweep(lane_a_now, "D-now");
  } else if (name == "E") {
    bench_memory(lane_a);
    bench_memory(lane_a_now);
  } else if (name == "F") {
    bench_fft_floor(lane_a_symbols, 16, 128);
  } else {
    fmt::print(
        "unknown workload '{}' (A, A-mc, A-now, awgn, B, B-core, B-core-2, B-ber, B-ber-2, C, D, "
        "E, F)\n",
        name);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "lane") == 0) {
    bench_lane("lane", argv[2], argc >= 4 ? std::stoull(argv[3]) : lane_a_symbols,
               argc >= 5 ? std::atoi(argv[4]) : 1);
    return 0;
  }
  if (argc == 3 && std::strcmp(argv[1], "awgn") == 0) {
    bench_lane("awgn", std::string(source_dir) + "/examples/awgn-pam4.yaml", std::stoull(argv[2]),
               1);
    return 0;
  }
  if (argc == 3 && std::strcmp(argv[1], "D") == 0) {
    bench_sweep(bench_dir + "/lane-a.yaml", "D", std::stoull(argv[2]));
    return 0;
  }
  const auto is = [&](const char* name) { return std::strcmp(argv[1], name) == 0; };
  if (argc >= 3 && (is("B-core") || is("B-core-2") || is("B-ber") || is("B-ber-2"))) {
    // Named presets only (their file stems), e.g. `B-core lro-200g copper-dac-200g`.
    for (int i = 2; i < argc; ++i) {
      const fs::path preset =
          fs::path(source_dir) / "examples" / "tiers" / (std::string(argv[i]) + ".yaml");
      if (!fs::is_regular_file(preset)) {
        fmt::print(stderr,
                   "optilane_bench {}: no tier preset '{}' (expected the stem of a file in {})\n",
                   argv[1], argv[i], preset.parent_path().string());
        return 2;
      }
    }
    bench_tiers_semi_analytic(true, is("B-core-2") || is("B-ber-2") ? 2 : 1,
                              std::vector<std::string>(argv + 2, argv + argc),
                              is("B-ber") || is("B-ber-2"));
    return 0;
  }
  if (argc == 4 && std::strcmp(argv[1], "mem") == 0) {
    memory_run(argv[2], std::stoull(argv[3]));
    return 0;
  }
  fmt::print("optilane_bench {} ({})\n", version_string, git_revision);
  std::vector<std::string> names(argv + 1, argv + argc);
  if (names.empty()) names = {"F", "A", "A-now", "awgn", "B", "C", "D", "E"};
  for (const auto& name : names) {
    run_workload(name);
    std::fflush(stdout);
  }
  return 0;
}

// Helpers shared by the tests: temporary files, running the CLI, loading configs from text.
#pragma once

#include <fmt/format.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "link/link_config.hpp"

namespace optilane::test {

/// A fresh temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "optilane-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  [[nodiscard]] std::string write(const std::string& name, const std::string& text) const {
    const std::string p = file(name);
    std::ofstream(p) << text;
    return p;
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_status = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs a shell command and captures its output and exit status.
inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// User plus system CPU seconds of this process's finished children so far: the cost of a run
/// of the binary, whatever else the machine is doing.
inline double children_cpu_s() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

/// Runs the optilane binary with arguments.
inline CommandResult run_optilane(const std::string& arguments) {
  return run_command(std::string(OPTILANE_BINARY) + " " + arguments);
}

/// Loads a config from YAML text (no extends).
inline LinkConfig config_from_text(const std::string& text, const std::string& name = "test.yaml") {
  return parse_link_config(parse_yaml(text, name));
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A 53 GBd LR host SerDes over 1 m of 26 AWG twinax, semi-analytic only: the small copper lane
/// the COM/channel-report and sweep tests share.
inline constexpr const char* copper_1m_link = R"(name: copper-1m
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 4096, seed: 1}
chain:
  - block: serdes_tx
    class: lr
    ffe: [-0.1, 0.8, -0.1]
  - block: twinax
    gauge: 26
    length: 1 m
  - block: serdes_rx
    class: lr
    ctle_dc_gain: -6 dB
analysis:
  monte_carlo: false
)";

/// The chain of an exact symbol-spaced link shared by the Monte-Carlo-only, statistical-eye and
/// DSP tests: a host Tx whose FFE `tx_ffe` (YAML list, no pre-cursor taps, Σ|c| = 1 on 1 V p-p,
/// no bandwidth limit: NRZ pulses, cursors = taps / 2) has no SNDR impairment (300 dB), then white
/// noise of one-sided density `density_v_per_rthz`. Returns the `chain:` entries (YAML, indented).
inline std::string tx_ffe_awgn_chain(const std::string& tx_ffe, double density_v_per_rthz) {
  return fmt::format(R"(  - block: serdes_tx
    ffe: {}
    pre_taps: 0
    snr: 300 dB
  - block: awgn
    density: {}
)",
                     tx_ffe, density_v_per_rthz);
}

/// Linear interpolation through the points (xs[i], ys[i]) (xs increasing), zero at and outside
/// the end points: the tests' hand-drawn pulse shapes.
template <std::size_t N>
double piecewise_linear(double t, const double (&xs)[N], const double (&ys)[N]) {
  if (t <= xs[0] || t >= xs[N - 1]) return 0.0;
  std::size_t i = 0;
  while (t > xs[i + 1]) ++i;
  const double f = (t - xs[i]) / (xs[i + 1] - xs[i]);
  return (1.0 - f) * ys[i] + f * ys[i + 1];
}

}  // namespace optilane::test

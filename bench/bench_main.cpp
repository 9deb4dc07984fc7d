// Benchmarks of canonical workloads: print figures, assert nothing (see bench/README.md).
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <string>

#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "optilane/version.hpp"

namespace {

using namespace optilane;

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports kB
}

/// The AWGN PAM4 lane of examples/awgn-pam4.yaml with `symbols` symbols, Monte-Carlo counting
/// every symbol (no early stop).
LinkConfig awgn_lane(std::uint64_t symbols) {
  const std::string path = std::string(source_dir) + "/examples/awgn-pam4.yaml";
  return parse_link_config(resolve_config(
      path, {"signal.symbols=" + std::to_string(symbols),
             "analysis.monte_carlo.symbols=" + std::to_string(symbols),
             "analysis.monte_carlo.min_errors=1000000000000"}));
}

void bench_awgn(std::uint64_t symbols) {
  const LinkConfig config = awgn_lane(symbols);
  const auto start = std::chrono::steady_clock::now();
  const LinkResult result = run_link(config, 1);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double sps = config.signal.samples_per_symbol;
  fmt::print("awgn-pam4 lane  {:>10} symbols  {:8.3f} s  {:8.3f} M symbols/s  {:8.2f} M samples/s"
             "  peak RSS {:7.1f} MB  (BER {:.3e})\n",
             symbols, seconds, symbols / seconds / 1e6, symbols * sps / seconds / 1e6,
             peak_rss_mb(), result.worst_ber);
}

}  // namespace

int main(int argc, char** argv) {
  // Usage: optilane_bench [awgn SYMBOLS]. Peak memory is per process, so the memory figures at
  // 1e5 and 1e7 symbols come from two separate invocations (see bench/README.md).
  if (argc == 3 && std::strcmp(argv[1], "awgn") == 0) {
    bench_awgn(std::stoull(argv[2]));
    return 0;
  }
  bench_awgn(1u << 18);
  return 0;
}

#include "link/resources.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>

#include "phy/errors.hpp"

namespace optilane {

std::uint64_t estimate_memory_bytes(const LinkConfig& config, int threads) {
  const double sps = config.signal.samples_per_symbol;
  const double chunk = 2048.0 * sps;
  const double blocks = static_cast<double>(config.chain.size());
  const double per_lane = 2.0 * 24.0 * chunk             // electrical + optical, two twins
                          + 2.0 * blocks * 32.0 * chunk  // filter state and plans per block
                          + 16.0 * (4096.0 + 64.0 + 2.0 * 2048.0) * sps  // calibration record
                          +
                          8.0 * config.analysis.probe_uis * sps * (blocks + 1.0)  // waveform probes
                          + 8.0 * (2.0 * sps * 256.0 + 4.0 * 4096.0)  // eye and ISI histograms
                          + 16.0 * 1e6;  // fixed: plans, FIR design grids
  const int lanes_at_once =
      std::min(config.lanes.count, threads > 0 ? threads : omp_get_max_threads());
  return static_cast<std::uint64_t>(per_lane * lanes_at_once + 32.0 * 1024 * 1024);
}

std::uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t value = 0;
  std::string unit;
  while (meminfo >> key >> value >> unit) {
    if (key == "MemAvailable:") return value * 1024;
  }
  return 0;
}

std::uint64_t parse_memory_size(const std::string& text) {
  double number = 0.0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, number);
  std::string unit(ptr, end);
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  double scale = 0.0;
  if (unit.empty() || unit == "B") scale = 1.0;
  if (unit == "k" || unit == "kB" || unit == "K" || unit == "KB") scale = 1024.0;
  if (unit == "M" || unit == "MB") scale = 1024.0 * 1024;
  if (unit == "G" || unit == "GB") scale = 1024.0 * 1024 * 1024;
  if (ec != std::errc() || ptr == begin || scale == 0.0 || !(number > 0.0) ||
      !std::isfinite(number)) {
    throw InputError({"<command line>", 0, "--max-memory"},
                     "'" + text + "' is not a memory size (e.g. 512MB, 2GB)");
  }
  return static_cast<std::uint64_t>(number * scale);
}

void check_memory(const LinkConfig& config, int threads, std::uint64_t limit_bytes) {
  const std::uint64_t need = estimate_memory_bytes(config, threads);
  const bool explicit_limit = limit_bytes != 0;
  const std::uint64_t limit = explicit_limit ? limit_bytes : available_memory_bytes();
  if (limit != 0 && need > limit) {
    throw InputError(
        {config.file, 0, explicit_limit ? "--max-memory" : "analysis.probe_uis"},
        fmt::format("the run needs about {:.0f} MB (estimate), more than the {} of "
                    "{:.0f} MB; reduce lanes run at once (--threads), the waveforms kept "
                    "(analysis.probe_uis, or run --waveforms) or samples_per_symbol",
                    need / 1048576.0, explicit_limit ? "--max-memory limit" : "available memory",
                    limit / 1048576.0));
  }
}

}  // namespace optilane

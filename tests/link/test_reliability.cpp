// Nothing lost, resource limits (issue 11).
#include <catch2/catch.hpp>

#include <filesystem>

#include "link/resources.hpp"
#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {
const char* long_run = R"(name: long-run
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 16, pattern: prbs31q,
         symbols: 50000000}
chain:
  - block: awgn
    snr: 30 dB
)";
}  // namespace

TEST_CASE("an interrupted run leaves earlier output intact and no temporary files",
          "[link][reliability][cli]") {
  test::TempDir dir;
  const std::string config = dir.write("long.yaml", long_run);
  const std::string h5 = dir.write("out.h5", "earlier result");
  const std::string json = dir.write("out.json", "{\"earlier\": true}");
  for (const char* signal : {"INT", "TERM"}) {
    INFO(signal);
    const auto r = test::run_command(
        "sh -c '" + std::string(OPTILANE_BINARY) + " run " + config + " -o " + h5 + " --json " +
        json + " & pid=$!; sleep 1.5; kill -" + signal + " $pid; wait $pid; echo status=$?'");
    INFO(r.output);
    CHECK_THAT(r.output, Contains(std::string("status=") + (signal[0] == 'I' ? "130" : "143")));
    CHECK(test::read_text(h5) == "earlier result");
    CHECK(test::read_text(json) == "{\"earlier\": true}");
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      (void)entry;
      ++files;
    }
    CHECK(files == 3);  // long.yaml, out.h5, out.json: no *.tmp-* left behind
  }
}

TEST_CASE("a run whose memory estimate exceeds --max-memory is refused up front",
          "[link][reliability][cli]") {
  test::TempDir dir;
  const std::string config = dir.write("long.yaml", long_run);
  auto r = test::run_optilane("run " + config + " --max-memory 1MB -o " + dir.file("o.h5"));
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("needs about") && Contains("--max-memory"));
  CHECK_FALSE(std::filesystem::exists(dir.file("o.h5")));
  r = test::run_optilane("run " + config + " --max-memory lots");
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("not a memory size"));
}

TEST_CASE("the memory estimate does not grow with the symbol count", "[link][reliability]") {
  // Streaming: memory is bounded by the chunk (DESIGN.md §5).
  const LinkConfig small = test::config_from_text(
      "signal: {symbol_rate: 53.125 GBd, symbols: 1000}\nchain: [{block: awgn, snr: 20}]\n");
  const LinkConfig large = test::config_from_text(
      "signal: {symbol_rate: 53.125 GBd, symbols: 1000000000}\nchain: [{block: awgn, snr: 20}]\n");
  CHECK(estimate_memory_bytes(small, 1) == estimate_memory_bytes(large, 1));
  CHECK(estimate_memory_bytes(small, 1) < 200u * 1024 * 1024);
  CHECK(parse_memory_size("2GB") == 2ull * 1024 * 1024 * 1024);
  CHECK(parse_memory_size("512 MB") == 512ull * 1024 * 1024);
}

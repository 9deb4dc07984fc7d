// The progress bar (issue 10): counts every unit from many threads, shows fraction, rate and ETA,
// ends its line; silent when disabled and when stderr is not a terminal.
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>
#include <vector>

#include "link/progress.hpp"
#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {
/// Draw at every call, from the first: the test sees every frame.
constexpr ProgressSettings every_call{.interval = std::chrono::milliseconds(0),
                                      .delay = std::chrono::milliseconds(0)};
}  // namespace

TEST_CASE("progress counts every unit advanced from many threads and ends at 100 %",
          "[link][progress]") {
  std::ostringstream out;
  {
    Progress progress("run", "sym", &out, every_call);
    constexpr int threads = 4;
    constexpr std::uint64_t per_thread = 10000;
    progress.expect(threads * per_thread);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        for (std::uint64_t i = 0; i < per_thread; ++i) progress.advance(1);
      });
    }
    for (auto& thread : pool) thread.join();
    CHECK(progress.done() == threads * per_thread);
    progress.finish();
    progress.finish();  // idempotent
  }
  const std::string text = out.str();
  CHECK_THAT(text, Contains("run ["));
  CHECK_THAT(text, Contains("100 %"));
  CHECK_THAT(text, Contains("sym/s"));
  CHECK_THAT(text, Contains("in 0:0"));
  CHECK(text.back() == '\n');
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
}

TEST_CASE("progress shows an ETA while running and draws nothing for short runs",
          "[link][progress]") {
  std::ostringstream out;
  Progress progress("sweep", "pt", &out, every_call);
  progress.expect(100);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  progress.advance(50);
  CHECK_THAT(out.str(), Contains(" 50 %"));
  CHECK_THAT(out.str(), Contains("ETA 0:0"));

  std::ostringstream quiet_out;
  {
    Progress quick("run", "sym", &quiet_out);  // default: nothing before 0.5 s
    quick.expect(10);
    quick.advance(10);
  }
  CHECK(quiet_out.str().empty());
}

TEST_CASE("runners report to the active progress bar and to none outside its scope",
          "[link][progress]") {
  std::ostringstream out;
  Progress progress("run", "sym", &out, every_call);
  {
    const ProgressScope scope(progress);
    progress_expect(8);
    progress_advance(3);
  }
  progress_advance(5);  // no active bar: ignored
  CHECK(progress.total() == 8);
  CHECK(progress.done() == 3);
  CHECK(Progress::format_duration(3725) == "1:02:05");
  CHECK(Progress::format_rate(1.5e6) == "1.5 M");
}

TEST_CASE("a run whose stderr is not a terminal shows no progress bar", "[link][progress]") {
  const auto r = test::run_optilane(std::string("run ") + OPTILANE_SOURCE_DIR +
                                    "/examples/awgn-pam4.yaml --set signal.symbols=4096 "
                                    "--set analysis.monte_carlo.symbols=4096");
  REQUIRE(r.exit_status <= 1);
  CHECK(r.output.find('\r') == std::string::npos);
}

// A Touchstone file truncated at every line is refused with its line number, never a crash
// (issue 11), and through the CLI a bad channel file exits 2 with no output.
#include <catch2/catch.hpp>

#include <filesystem>

#include "channels/copper/touchstone.hpp"
#include "phy/errors.hpp"
#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {
std::string seed_file() {
  return test::read_text(std::string(OPTILANE_SOURCE_DIR) +
                         "/fuzz/corpus/touchstone/seed_RI_GHz.s4p");
}
}  // namespace

TEST_CASE("a Touchstone file truncated at every line is refused with a line number",
          "[link][reliability][touchstone]") {
  const std::string full = seed_file();
  REQUIRE_NOTHROW(parse_touchstone(full, 4, "seed.s4p"));
  std::size_t cut = 0;
  int refused = 0, accepted = 0;
  while ((cut = full.find('\n', cut + 1)) != std::string::npos && cut + 1 < full.size()) {
    const std::string prefix = full.substr(0, cut + 1);
    try {
      const TouchstoneData d = parse_touchstone(prefix, 4, "seed.s4p");
      // Only a prefix that ends on a whole frequency record may parse.
      CHECK(d.frequency_hz.size() >= 1);
      ++accepted;
    } catch (const InputError& e) {
      CHECK_THAT(std::string(e.what()), Contains("seed.s4p"));
      ++refused;
    }
    // Cut mid-line as well: the number on that line is incomplete or the record short.
    const std::string mid = full.substr(0, cut - 3);
    try {
      (void)parse_touchstone(mid, 4, "seed.s4p");
    } catch (const InputError& e) {
      CHECK_THAT(std::string(e.what()), Contains("seed.s4p"));
    }
  }
  CHECK(refused > 0);
  CHECK(accepted > 0);
}

TEST_CASE(
    "a config naming a missing or truncated Touchstone file exits 2 naming the file and the entry",
    "[link][reliability][touchstone][cli]") {
  test::TempDir dir;
  const std::string full = seed_file();
  (void)dir.write("cut.s4p", full.substr(0, full.size() / 2));
  for (const char* file : {"cut.s4p", "missing.s4p"}) {
    INFO(file);
    const std::string config = dir.write("c.yaml", std::string(R"(
signal: {symbol_rate: 26.5625 GBd, samples_per_symbol: 8, symbols: 2048}
chain:
  - block: touchstone
    file: )") + file + "\n");
    const auto r = test::run_optilane("run " + config + " -o " + dir.file("o.h5"));
    INFO(r.output);
    CHECK(r.exit_status == 2);
    CHECK_THAT(r.output, Contains(file));
    // ... and the config entry that named it: file, line of the chain item and its key.
    CHECK_THAT(r.output,
               Contains("(read for ") && Contains("c.yaml:4: key 'chain[0] (touchstone)'"));
    CHECK_FALSE(std::filesystem::exists(dir.file("o.h5")));
  }
}

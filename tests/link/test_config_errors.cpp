// Bad input: every class gets exit status 2, a message naming file, line and key, and no output
// file afterwards (DESIGN.md §4, issue 2).
#include <catch2/catch.hpp>

#include <filesystem>

#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {

const char* good_config = R"(name: ok
signal:
  format: pam4
  symbol_rate: 53.125 GBd
  samples_per_symbol: 4
  pattern: prbs13q
  symbols: 4096
chain:
  - block: awgn
    snr: 20 dB
)";

struct BadCase {
  const char* what;
  std::string text;
  const char* key;      ///< expected in the message
  const char* line;     ///< ":N" expected in the message
  const char* because;  ///< expected explanation fragment
};

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

/// A refused config: exit 2 and a message naming the file, line, key and what was expected.
void check_refused(const test::CommandResult& result, const BadCase& c) {
  INFO(result.output);
  CHECK(result.exit_status == 2);
  CHECK_THAT(result.output, Contains("bad.yaml"));
  CHECK_THAT(result.output, Contains(c.line));
  CHECK_THAT(result.output, Contains(c.key));
  CHECK_THAT(result.output, Contains(c.because));
}

}  // namespace

TEST_CASE("bad configs exit with status 2 naming file, line and key, and write nothing",
          "[link][config][cli]") {
  const std::string g = good_config;
  const std::vector<BadCase> cases = {
      {"malformed YAML", replace(g, "  format: pam4", "  format: [pam4"), "", ":",
       "malformed YAML"},
      {"unknown key", replace(g, "    snr: 20 dB", "    snr: 20 dB\n    snrr: 3 dB"), "snrr", ":11",
       "did you mean 'snr'"},
      {"unknown top-level key", g + "analyses: {}\n", "analyses", ":11", "did you mean 'analysis'"},
      {"wrong type", replace(g, "symbols: 4096", "symbols: [1, 2]"), "signal.symbols", ":7",
       "expected an integer"},
      {"wrong unit dimension", replace(g, "53.125 GBd", "53.125 km"), "signal.symbol_rate", ":4",
       "'km' is a length"},
      {"unit junk", replace(g, "53.125 GBd", "fast"), "signal.symbol_rate", ":4",
       "does not start with a number"},
      // A receiver DSP block acts after sampling: a sample-level block may not follow it (this
      // had passed `check` and failed `run` as an internal error).
      {"receiver DSP mid-chain",
       replace(g, "  - block: awgn\n", "  - block: ffe\n    taps: 5\n  - block: awgn\n"),
       "chain[0] (ffe)", ":9", "but chain[1] (awgn) follows it"},
      // One receiver DSP: each stage once, a DFE or an MLSE (these had failed `run` as
      // internal errors, or the second block had silently replaced the first).
      {"receiver DSP stage twice",
       replace(g, "    snr: 20 dB\n", "    snr: 20 dB\n  - block: ffe\n  - block: ffe\n"),
       "chain[2] (ffe)", ":12", "a receiver DSP has one ffe; chain[1] is one already"},
      {"DFE and MLSE",
       replace(g, "    snr: 20 dB\n", "    snr: 20 dB\n  - block: dfe\n  - block: mlse\n"),
       "chain[2] (mlse)", ":12", "a DFE or an MLSE, not both"},
      // A bare number is SI (53.125 Bd): out of range, and the message says to give the unit.
      {"unit left out", replace(g, "53.125 GBd", "53.125"), "signal.symbol_rate", ":4",
       "a number without a unit is read in SI units: give its unit (Bd, kBd, MBd, GBd)"},
      {"zero rate", replace(g, "53.125 GBd", "0 GBd"), "signal.symbol_rate", ":4", "out of range"},
      {"negative rate", replace(g, "53.125 GBd", "-53 GBd"), "signal.symbol_rate", ":4",
       "out of range"},
      {"NaN", replace(g, "20 dB", "nan dB"), "snr", ":10", "finite"},
      {"Inf", replace(g, "20 dB", "inf"), "snr", ":10", "finite"},
      {"absurd symbol count", replace(g, "symbols: 4096", "symbols: 1e15"), "signal.symbols", ":7",
       "out of range"},
      {"zero samples per symbol", replace(g, "samples_per_symbol: 4", "samples_per_symbol: 0"),
       "signal.samples_per_symbol", ":5", "out of range"},
      {"unknown block", replace(g, "block: awgn", "block: awgnn"), "chain[0].block", ":9",
       "did you mean 'awgn'"},
      {"missing required key", replace(g, "  symbol_rate: 53.125 GBd\n", ""), "signal.symbol_rate",
       ":2", "missing required key"},
      {"unknown choice", replace(g, "pattern: prbs13q", "pattern: prbs13x"), "signal.pattern", ":6",
       "did you mean 'prbs13"},
      {"unknown preset", "extends: tiers/no-such-tier\n" + g, "extends", ":1", "unknown preset"},
      {"duplicate key", replace(g, "  symbols: 4096", "  symbols: 4096\n  symbols: 8192"),
       "signal.symbols", ":8", "duplicate key"},
      {"block parameter out of range", replace(g, "    snr: 20 dB", "    density: -1 V/rtHz"),
       "density", ":10", "out of range"},
      // The run reads its figures from the last block: an empty chain had passed `check` and
      // crashed `run`.
      {"empty chain", replace(g, "chain:\n  - block: awgn\n    snr: 20 dB\n", "chain: []\n"),
       "chain", ":8", "needs at least one block"},
      // A misspelt key that a block then misses is reported as the misspelling, not as the
      // missing key (the model's own error came first and hid the did-you-mean).
      {"misspelt required key",
       replace(g, "  - block: awgn\n",
               "  - block: filter\n    bandwith: 40 GHz\n  - block: awgn\n"),
       "chain[0] (filter).bandwith", ":10", "unknown key (did you mean 'bandwidth'?)"},
      {"misspelt one-of key", replace(g, "    snr: 20 dB", "    snrr: 20 dB"),
       "chain[0] (awgn).snrr", ":10", "unknown key (did you mean 'snr'?)"},
      {"misspelt signal key", replace(g, "  symbol_rate: 53.125 GBd", "  symbol_rat: 53.125 GBd"),
       "signal.symbol_rat", ":4", "did you mean 'symbol_rate'"},
      // A list item out of range names its index, its value and its own line.
      {"wavelength item out of range",
       g + "lanes:\n  count: 2\n  wdm:\n    - 1271 nm\n    - 100 nm\n", "lanes.wdm[1]", ":15",
       "'100 nm' is out of range"},
  };
  test::TempDir dir;
  for (const auto& c : cases) {
    INFO(c.what);
    const std::string config = dir.write("bad.yaml", c.text);
    const std::string h5 = dir.file("out.h5"), json = dir.file("out.json");
    const auto result = test::run_optilane("run " + config + " -o " + h5 + " --json " + json);
    check_refused(result, c);
    CHECK_FALSE(std::filesystem::exists(h5));
    CHECK_FALSE(std::filesystem::exists(json));
    // `check` refuses it the same way.
    CHECK(test::run_optilane("check " + config).exit_status == 2);
  }
}

TEST_CASE("a good config checks and runs", "[link][config][cli]") {
  test::TempDir dir;
  const std::string config = dir.write("good.yaml", good_config);
  const auto check = test::run_optilane("check " + config);
  INFO(check.output);
  CHECK(check.exit_status == 0);
  const auto run = test::run_optilane("run " + config + " --json " + dir.file("o.json"));
  INFO(run.output);
  CHECK(run.exit_status == 0);
  CHECK(std::filesystem::exists(dir.file("o.json")));
}

TEST_CASE("circular extends, missing files and bad --set are input errors", "[link][config][cli]") {
  test::TempDir dir;
  (void)dir.write("a.yaml", std::string("extends: b\n") + good_config);
  (void)dir.write("b.yaml", "# b extends a, which extends b\nextends: a\n");
  auto r = test::run_optilane("check " + dir.file("a.yaml"));
  INFO(r.output);
  CHECK(r.exit_status == 2);
  // The `extends:` key that closes the cycle, and the cycle's files in order.
  CHECK_THAT(r.output, Contains("b.yaml:2: key 'extends': circular 'extends'"));
  CHECK_THAT(r.output, Contains("a.yaml -> " + dir.file("b.yaml") + " -> " + dir.file("a.yaml")));

  r = test::run_optilane("run " + dir.file("missing.yaml"));
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("missing.yaml") && Contains("cannot open"));

  const std::string good = dir.write("good.yaml", good_config);
  r = test::run_optilane("check " + good + " --set signal.symbols=10 --set signal.symbols=20");
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("signal.symbols") && Contains("twice"));

  r = test::run_optilane("check " + good + " --set chain.fiber.length=2km");
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("no item named 'fiber'"));

  r = test::run_optilane("check " + good + " --set chain.0.snr=25dB");
  CHECK(r.exit_status == 0);
  r = test::run_optilane("check " + good + " --set chain.awgn.snr=twenty");
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("<command line>") && Contains("snr"));
  // A key's own error names the key alone ("read for" is for data files a block reads).
  CHECK_THAT(r.output, !Contains("read for"));

  r = test::run_optilane("run " + good + " --threads=-3");
  CHECK(r.exit_status == 2);
  r = test::run_optilane("frobnicate");
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("unknown subcommand 'frobnicate'; commands: run, sweep, check"));
  r = test::run_optilane("chek " + good);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("did you mean 'check'?"));
}

TEST_CASE("run --seed takes an integer 0 .. max_seed and quotes what was typed when it is not",
          "[link][config][cli]") {
  test::TempDir dir;
  const std::string good = dir.write("good.yaml", good_config);
  const std::string range = fmt::format("expected an integer 0 .. {}", max_seed);
  // A negative seed had been ignored (the config's seed ran), a too large one quoted clamped.
  for (const std::string seed : {"-7", "99999999999999999999", "9000000000000001", "1.5", "x"}) {
    INFO(seed);
    const auto r = test::run_optilane("check " + good + " --seed " + seed);
    CHECK(r.exit_status == 2);
    CHECK_THAT(r.output, Contains("--seed") && Contains("'" + seed + "'") && Contains(range));
    CHECK_THAT(r.output, !Contains("9223372036854775807"));
  }
  for (const std::string& command :
       {"run " + good, "sweep " + good + " --vary chain.awgn.snr=20dB"}) {
    const auto r = test::run_optilane(command + " --seed=-7");
    CHECK(r.exit_status == 2);
    CHECK_THAT(r.output, Contains("'-7' is not a seed"));
  }
  const auto top = test::run_optilane("check " + good + " --seed 9000000000000000");
  CHECK(top.exit_status == 0);
  const auto twice = test::run_optilane("check " + good + " --seed 2 --set signal.seed=3");
  CHECK(twice.exit_status == 2);
  CHECK_THAT(twice.output, Contains("--seed sets signal.seed, which --set gives too"));
  // --help states the range, and what --threads 0 means.
  const auto help = test::run_optilane("run --help");
  CHECK_THAT(help.output, Contains(fmt::format("0 .. {}", max_seed)));
  CHECK_THAT(help.output, Contains("0 (default): one per core"));
}

TEST_CASE("a directory given as a config or a Touchstone file is named as one",
          "[link][config][cli]") {
  test::TempDir dir;
  std::filesystem::create_directory(dir.file("folder.yaml"));
  auto r = test::run_optilane("check " + dir.file("folder.yaml"));
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output,
             Contains(dir.file("folder.yaml") + " is a directory, expected a YAML config file"));

  std::filesystem::create_directory(dir.file("channel.s4p"));
  const std::string config = dir.write("copper.yaml", replace(good_config, "  - block: awgn\n",
                                                              "  - block: touchstone\n"
                                                              "    file: channel.s4p\n"
                                                              "  - block: awgn\n"));
  r = test::run_optilane("check " + config);
  INFO(r.output);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("channel.s4p is a directory, expected a Touchstone file"));
  CHECK_THAT(r.output, Contains("chain[0] (touchstone)"));
}

TEST_CASE("nested YAML aliases are refused before they are copied out", "[link][config][cli]") {
  // "Billion laughs": ten levels of nine aliases are 9^10 nodes from 1 KB of text. yaml-cpp keeps
  // an alias shared; the config tree would copy each use.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b'; level <= 'k'; ++level) {
    const char below = static_cast<char>(level - 1);
    bomb += fmt::format("{0}: &{0} [*{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}]\n", level,
                        below);
  }
  test::TempDir dir;
  const std::string file = dir.write("bomb.yaml", bomb);
  CHECK_THROWS_WITH(
      parse_yaml(bomb, "bomb.yaml"),
      Contains("bomb.yaml:7") && Contains("YAML aliases expand to more than 1000000"));
  // The CLI under a 3 GB address-space limit: refused, and in CPU time far below a second (the
  // expansion had taken seconds and gigabytes).
  const double cpu_before = test::children_cpu_s();
  const auto r =
      test::run_command("ulimit -v 3000000; " + std::string(OPTILANE_BINARY) + " check " + file);
  INFO(r.output);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("bomb.yaml:7: YAML aliases expand to more than 1000000 nodes"));
  CHECK(test::children_cpu_s() - cpu_before < 0.5);
  // A config that uses aliases sparingly still loads.
  CHECK_NOTHROW(parse_yaml("base: &b {snr: 20 dB}\nfirst: *b\nsecond: *b\n", "ok.yaml"));
}

TEST_CASE("extends merges a preset and the derived config overrides it", "[link][config]") {
  test::TempDir dir;
  (void)dir.write("base.yaml", good_config);
  const std::string derived =
      dir.write("derived.yaml", "extends: base\nname: derived\nsignal: {symbols: 8192}\n");
  const LinkConfig config = parse_link_config(resolve_config(derived, {"signal.seed=5"}));
  CHECK(config.name == "derived");
  CHECK(config.signal.symbols == 8192);
  CHECK(config.signal.seed == 5);
  CHECK(config.signal.symbol_rate_bd == 53.125e9);
  REQUIRE(config.chain.size() == 1);
  CHECK(config.chain[0].block == "awgn");
}

// mrm.efficiency is the magnitude of the depletion junction's red shift per volt (plasma
// dispersion: reverse bias removes carriers and raises the index, Soref & Bennett 1987); a
// negative value is no other device, only a relabelled drive polarity, and is refused like any
// out-of-range quantity. lock and detuning exclude each other; min_extinction needs lock max_oma.
TEST_CASE("mrm: negative efficiency, lock with detuning, and a floor without lock exit 2",
          "[link][config][cli]") {
  // good_config's signal with a ring transmitter in place of its AWGN block (same line numbers).
  const std::string ring = replace(good_config, "  - block: awgn\n    snr: 20 dB\n",
                                   "  - block: laser\n    power: 0 dBm\n  - block: mrm\n"
                                   "    efficiency: 16.3 pm/V\n  - block: photodetector\n"
                                   "  - block: tia\n");
  const std::vector<BadCase> cases = {
      {"negative efficiency", replace(ring, "efficiency: 16.3 pm/V", "efficiency: -16.3 pm/V"),
       "efficiency", ":12", "out of range: expected"},
      {"lock and detuning",
       replace(ring, "efficiency: 16.3 pm/V",
               "efficiency: 16.3 pm/V\n    detuning: -100 pm\n    lock: max_oma"),
       "lock", ":14", "not both"},
      {"floor without lock",
       replace(ring, "efficiency: 16.3 pm/V", "efficiency: 16.3 pm/V\n    min_extinction: 3.5 dB"),
       "min_extinction", ":13", "lock: max_oma"},
      {"floor out of reach",
       replace(ring, "efficiency: 16.3 pm/V",
               "efficiency: 16.3 pm/V\n    lock: max_oma\n    min_extinction: 30 dB"),
       "min_extinction", ":14", "out of reach"},
  };
  test::TempDir dir;
  CHECK(test::run_optilane("check " + dir.write("ring.yaml", ring)).exit_status == 0);
  for (const auto& c : cases) {
    INFO(c.what);
    const std::string config = dir.write("bad.yaml", c.text);
    const auto result = test::run_optilane("check " + config);
    check_refused(result, c);
  }
}

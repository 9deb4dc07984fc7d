// `optilane tiers` as the README's main command runs it: the table, the JSON rows and the HDF5
// file, with -o naming either the directory of tiers.h5 or the .h5 file itself. The 100G tiers
// without the reach search keep it to about a second.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using Catch::Matchers::Contains;

TEST_CASE("optilane tiers writes its table, JSON and HDF5; -o takes a directory or the .h5 file",
          "[link][tiers][cli]") {
  optilane::test::TempDir dir;
  const std::string common = "tiers --lane-rate 100G --no-reach --threads 2 ";
  const auto file = optilane::test::run_optilane(common + "-o " + dir.file("mine.h5") + " --json " +
                                                 dir.file("rows.json"));
  INFO(file.output);
  REQUIRE(file.exit_status == 0);
  CHECK(std::filesystem::is_regular_file(dir.file("mine.h5")));
  CHECK_THAT(file.output, Contains("pluggable-dsp-100g") && Contains("lpo-100g") &&
                              Contains("copper-dac-100g") && !Contains("200g"));
  std::ifstream json(dir.file("rows.json"));
  std::stringstream text;
  text << json.rdbuf();
  CHECK_THAT(text.str(), Contains("\"tiers\"") && Contains("\"cpo-100g\""));

  const auto directory = optilane::test::run_optilane(common + "-o " + dir.file("out"));
  INFO(directory.output);
  REQUIRE(directory.exit_status == 0);
  CHECK(std::filesystem::is_regular_file(dir.file("out") + "/tiers-100G.h5"));
}

// "To test the answer for your own parts, copy a preset, change its devices and rerun
// `optilane tiers`" (docs/tutorial.md): tiers takes configs, directories and preset names.
TEST_CASE("optilane tiers compares the configs it is given beside the presets it names",
          "[link][tiers][cli]") {
  optilane::test::TempDir dir;
  std::string text =
      optilane::test::read_text(std::string(OPTILANE_SOURCE_DIR) + "/examples/tiers/npo-100g.yaml");
  text.replace(text.find("name: npo-100g"), 14, "name: my-npo-100g");
  text.replace(text.find("power: 14 dBm"), 13, "power: 11 dBm");  // a weaker laser share
  const std::string mine = dir.write("my-npo-100g.yaml", text);
  const auto run = optilane::test::run_optilane("tiers npo-100g " + mine + " --no-reach --json " +
                                                dir.file("rows.json"));
  INFO(run.output);
  REQUIRE(run.exit_status == 0);
  const nlohmann::json rows =
      nlohmann::json::parse(optilane::test::read_text(dir.file("rows.json")))["tiers"];
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["tier"] == "npo-100g");
  CHECK(rows[1]["tier"] == "my-npo-100g");
  // 3 dB less laser: the same electrical power but for the laser's, and less margin.
  CHECK(rows[1]["margin_db"].get<double>() < rows[0]["margin_db"].get<double>() - 1.0);
  // --lane-rate goes by the config's signal, not its file name; a config named twice runs once.
  const std::string renamed = dir.write("looks-200g.yaml", text);
  const auto by_rate =
      optilane::test::run_optilane("tiers " + renamed + " " + renamed +
                                   " --no-reach --lane-rate 100G --json " + dir.file("rate.json"));
  INFO(by_rate.output);
  REQUIRE(by_rate.exit_status == 0);
  CHECK(nlohmann::json::parse(optilane::test::read_text(dir.file("rate.json")))["tiers"].size() ==
        1);
  std::filesystem::remove(renamed);
  // A directory takes its *.yaml; anything else is bad input.
  CHECK(
      optilane::test::run_optilane("tiers " + dir.path().string() + " --no-reach --lane-rate 200G")
          .exit_status == 2);
  const auto bad = optilane::test::run_optilane("tiers no-such-tier --no-reach");
  CHECK(bad.exit_status == 2);
  CHECK_THAT(bad.output, Contains("no-such-tier") && Contains("not a config file"));
}

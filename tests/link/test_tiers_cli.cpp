// `optilane tiers` as the README's main command runs it: the table, the JSON rows and the HDF5
// file, with -o naming either the directory of tiers.h5 or the .h5 file itself. The 100G tiers
// without the reach search keep it to about a second.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

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

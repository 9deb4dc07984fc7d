// Library use (issue 10): `cmake --install` into a fresh prefix gives a package that
// find_package(optilane) finds, and examples/cpp builds against it out of the tree and runs.
#include <catch2/catch.hpp>

#include <filesystem>

#include "test_support.hpp"

using namespace optilane;

TEST_CASE("an installed optilane builds and runs the C++ example out of the tree",
          "[link][install]") {
  test::TempDir dir;
  const std::string prefix = dir.file("prefix");
  const std::string cmake = OPTILANE_CMAKE;
  const auto install =
      test::run_command(cmake + " --install " + OPTILANE_BINARY_DIR + " --prefix " + prefix);
  INFO(install.output);
  REQUIRE(install.exit_status == 0);
  CHECK(std::filesystem::exists(prefix + "/lib/cmake/optilane/optilaneConfig.cmake"));
  CHECK(std::filesystem::exists(prefix + "/include/optilane/link/lane_runner.hpp"));
  CHECK(std::filesystem::exists(prefix + "/include/optilane/optilane/version.hpp"));
  CHECK(std::filesystem::exists(prefix + "/share/optilane/optilane_plot.py"));
  CHECK(std::filesystem::exists(prefix + "/bin/optilane"));

  // Configure and build one example on its own, against the installed package only.
  std::string launcher = OPTILANE_CCACHE;
  if (launcher.ends_with("-NOTFOUND")) launcher.clear();  // no ccache on this machine
  launcher = launcher.empty() ? "" : " -DCMAKE_CXX_COMPILER_LAUNCHER=" + launcher;
  const auto configure = test::run_command(
      cmake + " -S " + OPTILANE_SOURCE_DIR + "/examples/cpp -B " + dir.file("build") +
      " -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=" + prefix +
      " -DCMAKE_CXX_COMPILER=" + OPTILANE_CXX_COMPILER + launcher);
  INFO(configure.output);
  REQUIRE(configure.exit_status == 0);
  const auto build =
      test::run_command(cmake + " --build " + dir.file("build") + " --target snr_sweep");
  INFO(build.output);
  REQUIRE(build.exit_status == 0);
  const auto run = test::run_command(dir.file("build/snr_sweep") + " 8192");
  INFO(run.output);
  CHECK(run.exit_status == 0);
  CHECK(run.output.find("SNR [dB]") != std::string::npos);

  // The installed CLI finds its plot script under its own prefix.
  const auto help = test::run_command(prefix + "/bin/optilane plot " + dir.file("none.h5"));
  CHECK(help.exit_status == 2);
  CHECK(help.output.find("does not exist") != std::string::npos);

  // It ships its presets and validation cases under share/optilane, and reads them there: a
  // config extending a preset by name checks, and `validate --quick` runs its cases.
  CHECK(std::filesystem::exists(prefix + "/share/optilane/examples/tiers/cpo-200g.yaml"));
  CHECK(std::filesystem::exists(prefix + "/share/optilane/validation"));
  const std::string config = dir.write("extends.yaml", "extends: awgn-pam4\nname: mine\n");
  const auto check = test::run_command(prefix + "/bin/optilane check " + config);
  INFO(check.output);
  CHECK(check.exit_status == 0);
  const auto presets = test::run_command(prefix + "/bin/optilane presets");
  CHECK(presets.exit_status == 0);
  CHECK(presets.output.find("in " + prefix + "/share/optilane/examples") != std::string::npos);
  const auto validate = test::run_command(prefix + "/bin/optilane validate --quick");
  INFO(validate.output);
  CHECK(validate.exit_status == 0);
  CHECK(validate.output.find("cases pass") != std::string::npos);
}

// `optilane plot` (issue 10): every figure is a valid, non-empty PNG; the eye is open in the
// picture where the HDF5 file says it is; missing figures are skipped with a note; bad files are
// refused with exit status 2.
#include <catch2/catch.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "link/plot.hpp"
#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {

/// A PNG figure of 8 x 5.5 in at 120 dpi compresses to tens of kB; a few kB would be an empty
/// canvas (axes only).
constexpr std::uintmax_t min_figure_bytes = 8000;

bool is_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 8> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const std::array<unsigned char, 8> signature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return in.gcount() == 8 && head == signature;
}

void check_figure(const std::string& path) {
  INFO(path);
  REQUIRE(std::filesystem::exists(path));
  CHECK(std::filesystem::file_size(path) > min_figure_bytes);
  CHECK(is_png(path));
}

bool have_python() {
  if (std::filesystem::exists(OPTILANE_PYTHON)) return true;
  WARN("no " OPTILANE_PYTHON "; plot tests skipped");
  return false;
}

/// examples/awgn-pam4.yaml, few symbols, at an SNR where the three eyes are open at the target.
std::string short_run(const test::TempDir& dir) {
  const std::string h5 = dir.file("awgn-pam4.h5");
  const auto r = test::run_optilane(
      std::string("run ") + OPTILANE_SOURCE_DIR + "/examples/awgn-pam4.yaml -q -o " + h5 +
      " --set signal.symbols=8192 --set analysis.monte_carlo.symbols=8192 "
      "--set chain.awgn.snr=24dB");
  INFO(r.output);
  REQUIRE(r.exit_status == 0);
  return h5;
}

}  // namespace

TEST_CASE("optilane plot draws the eye of a run and skips, with a note, what the file lacks",
          "[link][plot]") {
  if (!have_python()) return;
  test::TempDir dir;
  const std::string h5 = short_run(dir);
  const auto r = test::run_optilane("plot " + h5 + " -o " + dir.file("figures") + " --svg");
  INFO(r.output);
  REQUIRE(r.exit_status == 0);
  check_figure(dir.file("figures/awgn-pam4_eye_seg0_lane0.png"));
  CHECK(std::filesystem::file_size(dir.file("figures/awgn-pam4_eye_seg0_lane0.svg")) > 0);
  // The runner writes the statistical eye's bathtubs (analysis.statistical_eye defaults to on).
  CHECK_THAT(r.output, Contains("bathtub_seg0_lane0.png"));
  CHECK_THAT(r.output, Contains("skipped waterfall"));
  CHECK_THAT(r.output, Contains("skipped reach vs lane rate"));
  // A worst-case-ISI height of 0 beside a BER far below the target is no contradiction once the
  // title says which height it is and quotes the statistical one (docs/hdf5.md, eye/height);
  // amplitudes in the slicer's unit (V here), never "signal unit".
  auto text_of = [&](const std::string& name) {
    std::ifstream svg(dir.file("figures/awgn-pam4_" + name + ".svg"));
    std::stringstream text;
    text << svg.rdbuf();
    return text.str();
  };
  CHECK_THAT(text_of("eye_seg0_lane0"), Contains("worst-case-ISI height") &&
                                            Contains("statistical-eye height") &&
                                            Contains("amplitude at the slicer [mV]"));
  const std::string bathtub = text_of("bathtub_seg0_lane0");
  CHECK_THAT(bathtub, Contains("threshold [mV]"));
  CHECK(bathtub.find("signal unit") == std::string::npos);
}

TEST_CASE("behind a receiver DSP the eye figure says it shows the DSP's input", "[link][plot]") {
  // The histogram is the sampled signal before the FFE; the levels, thresholds and heights are
  // the equaliser output's (another point of the chain, another scale): named in the title, not
  // drawn on the picture.
  if (!have_python()) return;
  test::TempDir dir;
  const std::string h5 = dir.file("awgn-ffe.h5");
  const std::string config = dir.write("awgn-ffe.yaml", R"(name: awgn-ffe
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, symbols: 8192}
chain:
  - block: filter
    shape: bessel
    order: 4
    bandwidth: 30 GHz
  - block: awgn
    snr: 24 dB
  - block: ffe
    taps: 5
)");
  const auto run = test::run_optilane("run " + config + " -q -o " + h5);
  INFO(run.output);
  REQUIRE(run.exit_status == 0);
  const auto r = test::run_optilane("plot " + h5 + " -o " + dir.file("figures") + " --svg");
  INFO(r.output);
  REQUIRE(r.exit_status == 0);
  std::ifstream svg(dir.file("figures/awgn-ffe_eye_seg0_lane0.svg"));
  std::stringstream text;
  text << svg.rdbuf();
  CHECK_THAT(text.str(), Contains("receiver DSP") && Contains("after the DSP"));
}

TEST_CASE("the eye figure is open where the HDF5 file says the eyes are open", "[link][plot]") {
  if (!have_python()) return;
  test::TempDir dir;
  const std::string h5 = short_run(dir);
  const std::string script = find_plot_script();
  const auto plot =
      test::run_command(std::string(OPTILANE_PYTHON) + " " + script + " " + h5 + " -o " +
                        dir.file("figures") + " --meta " + dir.file("meta.json"));
  INFO(plot.output);
  REQUIRE(plot.exit_status == 0);
  const auto check =
      test::run_command(std::string(OPTILANE_PYTHON) + " " + OPTILANE_SOURCE_DIR +
                        "/tests/link/plot_pixel_check.py " + h5 + " " + dir.file("meta.json"));
  INFO(check.output);
  CHECK(check.exit_status == 0);
}

TEST_CASE("every figure is drawn when the file holds bathtubs, waterfall, noise budget and tiers",
          "[link][plot]") {
  if (!have_python()) return;
  test::TempDir dir;
  const std::string h5 = short_run(dir);
  const auto add = test::run_command(std::string(OPTILANE_PYTHON) + " " + OPTILANE_SOURCE_DIR +
                                     "/tests/link/plot_add_optional_groups.py " + h5);
  INFO(add.output);
  REQUIRE(add.exit_status == 0);
  const auto r = test::run_optilane("plot " + h5 + " -o " + dir.file("figures"));
  INFO(r.output);
  REQUIRE(r.exit_status == 0);
  CHECK_THAT(r.output, Contains("6 files written, 0 figures skipped"));
  for (const char* figure : {"eye_seg0_lane0", "bathtub_seg0_lane0", "waterfall_seg0_lane0",
                             "noise_budget_seg0_lane0", "power", "reach"}) {
    check_figure(dir.file(std::string("figures/awgn-pam4_") + figure + ".png"));
  }
}

TEST_CASE("optilane plot refuses a missing or non-HDF5 file with exit status 2", "[link][plot]") {
  if (!have_python()) return;
  test::TempDir dir;
  const auto missing = test::run_optilane("plot " + dir.file("nothing.h5"));
  CHECK(missing.exit_status == 2);
  CHECK_THAT(missing.output, Contains("does not exist"));
  const auto yaml = test::run_optilane(std::string("plot ") + OPTILANE_SOURCE_DIR +
                                       "/examples/awgn-pam4.yaml -o " + dir.file("figures"));
  CHECK(yaml.exit_status == 2);
  CHECK_THAT(yaml.output, Contains("is not an HDF5 file"));
  CHECK_FALSE(std::filesystem::exists(dir.file("figures")));
}

TEST_CASE("optilane plot draws a sweep's file as BER against the first varied key",
          "[link][plot][sweep]") {
  if (!have_python()) return;
  test::TempDir dir;
  const std::string h5 = dir.file("sweep.h5");
  const auto sweep = test::run_optilane(
      std::string("sweep ") + OPTILANE_SOURCE_DIR +
      "/examples/awgn-pam4.yaml -q --set signal.symbols=2048 --set analysis.monte_carlo=false "
      "--vary chain.awgn.snr=14dB,16dB,18dB --vary signal.seed=1,2 -o " +
      h5);
  INFO(sweep.output);
  REQUIRE(sweep.exit_status == 0);
  const std::string script = find_plot_script();
  const auto r = test::run_command(std::string(OPTILANE_PYTHON) + " " + script + " " + h5 + " -o " +
                                   dir.file("figures") + " --meta " + dir.file("m.json"));
  INFO(r.output);
  REQUIRE(r.exit_status == 0);
  check_figure(dir.file("figures/sweep_sweep_ber.png"));
  const auto meta = nlohmann::json::parse(test::read_text(dir.file("m.json")));
  const auto& axes = meta["figures"]["sweep_ber"]["axes"]["sweep"];
  CHECK(axes["yscale"] == "log");
  CHECK(axes["xlabel"] == "chain.awgn.snr [dB]");
  // 14 … 18 dB on the axis, not the point indices.
  CHECK(axes["xlim"][0].get<double>() < 14.0);
  CHECK(axes["xlim"][1].get<double>() > 18.0);
}

TEST_CASE("optilane plot leaves no empty directory when it has nothing to draw", "[link][plot]") {
  if (!have_python()) return;
  test::TempDir dir;
  const std::string empty = dir.file("empty.h5");
  REQUIRE(test::run_command(std::string(OPTILANE_PYTHON) + " -c \"import h5py; h5py.File('" +
                            empty + "', 'w').close()\"")
              .exit_status == 0);
  const auto r = test::run_optilane("plot " + empty + " -o " + dir.file("figures"));
  INFO(r.output);
  CHECK(r.exit_status == 0);
  CHECK_THAT(r.output, Contains("0 files written"));
  CHECK_FALSE(std::filesystem::exists(dir.file("figures")));
}

TEST_CASE("the reach figure of tiers at one lane rate puts the tiers on the x axis",
          "[link][plot]") {
  // `optilane tiers --lane-rate 200G`: a lane-rate axis would stack every tier at x = 200.
  if (!have_python()) return;
  test::TempDir dir;
  // Only the tier rows (the plot reads /tiers/summary_json), at 200 Gb/s per lane.
  const std::string h5 = dir.file("tiers.h5");
  const std::string rows = R"([{\"tier\": \"copper\", \"lane_rate_gbps\": 200, \"reach_m\": 1.5},)"
                           R"( {\"tier\": \"lpo\", \"lane_rate_gbps\": 200, \"reach_m\": 500},)"
                           R"( {\"tier\": \"cpo\", \"lane_rate_gbps\": 200, \"reach_m\": 2000}])";
  REQUIRE(test::run_command(std::string(OPTILANE_PYTHON) + " -c \"import h5py; f = h5py.File('" +
                            h5 + "', 'w'); f.create_group('tiers')['summary_json'] = '" + rows +
                            "'\"")
              .exit_status == 0);
  const auto r =
      test::run_command(std::string(OPTILANE_PYTHON) + " " + find_plot_script() + " " + h5 +
                        " -o " + dir.file("figures") + " --meta " + dir.file("m.json"));
  INFO(r.output);
  REQUIRE(r.exit_status == 0);
  check_figure(dir.file("figures/tiers_reach.png"));
  const auto meta = nlohmann::json::parse(test::read_text(dir.file("m.json")));
  const auto& axes = meta["figures"]["reach"]["axes"]["reach"];
  CHECK(axes["xticklabels"] == nlohmann::json::array({"copper", "lpo", "cpo"}));
  CHECK_THAT(axes["xlabel"].get<std::string>(), Contains("200 Gb/s"));
}

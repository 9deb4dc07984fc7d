// Determinism and the output files (issue 2): same seed → identical JSON whatever the thread
// count; the HDF5 file reads back with the C++ API and with Debian's h5py.
#include <catch2/catch.hpp>

#include <H5Cpp.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {

const char* four_lanes = R"(name: four-lanes
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: random,
         symbols: 4096, seed: 3}
lanes: {count: 4, wdm: cwdm4}
chain:
  - block: filter
    bandwidth: 30 GHz
  - block: awgn
    snr: 17 dB
analysis:
  monte_carlo: {symbols: 8192, min_errors: 50}
)";

/// One laser, intensity modulator and photodetector at 1311 nm; `rest` follows the photodetector
/// (a TIA, or nothing: the photocurrent then reaches the slicer), then `analysis`.
std::string optical_lane(const std::string& name, const std::string& rest) {
  return "name: " + name + R"(
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, symbols: 4096}
lanes: {count: 1, wavelength: 1311 nm}
chain:
  - block: laser
    kind: cw
    power: 0 dBm
  - block: intensity_modulator
    extinction_ratio: 5 dB
    bandwidth: 40 GHz
  - block: photodetector
    responsivity: 0.8 A/W
    bandwidth: 40 GHz
)" + rest;
}

double number_attribute(const H5::H5Object& object, const std::string& name) {
  double value = 0.0;
  object.openAttribute(name).read(H5::PredType::NATIVE_DOUBLE, &value);
  return value;
}

std::uint64_t integer_attribute(const H5::H5Object& object, const std::string& name) {
  std::uint64_t value = 0;
  object.openAttribute(name).read(H5::PredType::NATIVE_UINT64, &value);
  return value;
}

std::string string_attribute(const H5::H5Object& object, const std::string& name) {
  std::string value;
  H5::Attribute attribute = object.openAttribute(name);
  attribute.read(attribute.getStrType(), value);
  return value;
}

std::vector<double> doubles(const H5::H5File& file, const std::string& path) {
  H5::DataSet ds = file.openDataSet(path);
  std::vector<double> values(static_cast<std::size_t>(ds.getSpace().getSimpleExtentNpoints()));
  ds.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

std::string unit_of(const H5::H5File& file, const std::string& path) {
  return string_attribute(file.openDataSet(path), "unit");
}

double sum(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}

/// The JSON without the fields that legitimately differ between runs.
nlohmann::json stable(const std::string& path) {
  nlohmann::json j = nlohmann::json::parse(test::read_text(path));
  j.erase("elapsed_s");
  return j;
}

}  // namespace

TEST_CASE("same config and seed give identical JSON whatever the thread count",
          "[link][determinism]") {
  test::TempDir dir;
  const std::string config = dir.write("lanes.yaml", four_lanes);
  auto r1 = test::run_optilane("run " + config + " --threads 1 --json " + dir.file("t1.json"));
  auto r2 = test::run_optilane("run " + config + " --threads 2 --json " + dir.file("t2.json"));
  auto r3 = test::run_optilane("run " + config + " --threads 2 --json " + dir.file("t3.json"));
  REQUIRE(r1.exit_status == 0);
  REQUIRE(r2.exit_status == 0);
  const auto a = stable(dir.file("t1.json"));
  CHECK(a == stable(dir.file("t2.json")));
  CHECK(a == stable(dir.file("t3.json")));
  // A different seed changes the noise.
  auto r4 = test::run_optilane("run " + config + " --seed 4 --json " + dir.file("s4.json"));
  REQUIRE(r4.exit_status == 0);
  CHECK(a != stable(dir.file("s4.json")));
  // Lanes on a random pattern differ from each other (their own streams).
  CHECK(a["segments"][0]["lanes"][0]["ber"] != a["segments"][0]["lanes"][1]["ber"]);
  // An all-electrical chain has no carrier: its lanes' grid slots are not wavelengths.
  CHECK(a["segments"][0]["lanes"][2]["wavelength_nm"].is_null());
}

TEST_CASE("the HDF5 file holds provenance, config, summary, eyes and waveforms", "[link][hdf5]") {
  test::TempDir dir;
  const std::string config = dir.write("lanes.yaml", four_lanes);
  const std::string h5 = dir.file("out.h5");
  const auto run = test::run_optilane("run " + config + " -o " + h5);
  INFO(run.output);
  REQUIRE(run.exit_status == 0);

  H5::H5File file(h5, H5F_ACC_RDONLY);
  H5::Group root = file.openGroup("/");
  for (const char* name :
       {"optilane_version", "git_revision", "seed", "created_utc", "config_yaml", "name"}) {
    INFO(name);
    CHECK(root.attrExists(name));
  }
  std::string yaml;
  H5::Attribute config_attribute = root.openAttribute("config_yaml");
  config_attribute.read(config_attribute.getStrType(), yaml);
  CHECK_THAT(yaml, Contains("four-lanes") && Contains("awgn"));
  for (int lane = 0; lane < 4; ++lane) {
    const std::string base = "/segments/0/lanes/" + std::to_string(lane);
    H5::DataSet counts = file.openDataSet(base + "/eye/counts");
    hsize_t dims[2];
    counts.getSpace().getSimpleExtentDims(dims);
    CHECK(dims[0] == 2 * 64);  // 2 UI at 8 samples/UI, 8 trace points per sample interval
    CHECK(dims[1] == 256);
    H5::DataSet source = file.openDataSet(base + "/waveforms/00_source");
    hsize_t n[1];
    source.getSpace().getSimpleExtentDims(n);
    CHECK(n[0] == 256 * 8);  // the first 256 UIs
    CHECK(file.exists(base + "/waveforms/02_awgn"));
    // Statistical eye (analysis.statistical_eye defaults to on): bathtubs per eye.
    H5::DataSet horizontal = file.openDataSet(base + "/bathtub/horizontal/ber");
    horizontal.getSpace().getSimpleExtentDims(dims);
    CHECK(dims[0] == 3);  // PAM4 eyes
    CHECK(dims[1] == 65);
    CHECK(file.exists(base + "/bathtub/horizontal/time_ui"));
    CHECK(file.exists(base + "/bathtub/vertical/amplitude"));
    CHECK(file.exists(base + "/bathtub/vertical/ber"));
    // The contour map states its precision: off τ = 0 within 1 % of the full sum, relative
    // (StatisticalEyeSettings::contour_tolerance, proved per point in statistical_eye.cpp).
    H5::DataSet contour = file.openDataSet(base + "/statistical_eye/ber");
    double tolerance = 0.0;
    contour.openAttribute("relative_tolerance").read(H5::PredType::NATIVE_DOUBLE, &tolerance);
    CHECK(tolerance == 1e-2);
    CHECK(file.exists(base + "/pulse_response/response"));
  }
  CHECK(file.exists("/summary_json"));
  CHECK(file.exists("/power/breakdown_w"));
}

TEST_CASE("Debian's h5py reads the HDF5 file", "[link][hdf5][python]") {
  if (!std::filesystem::exists(OPTILANE_PYTHON)) {
    WARN("no " OPTILANE_PYTHON "; skipped");
    return;
  }
  test::TempDir dir;
  const std::string config = dir.write("lanes.yaml", four_lanes);
  const std::string h5 = dir.file("out.h5");
  REQUIRE(test::run_optilane("run " + config + " -o " + h5).exit_status == 0);
  const std::string script = dir.write("read.py", R"(
import json, sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    summary = json.loads(f["summary_json"][()])
    counts = f["segments/0/lanes/0/eye/counts"][()]
    print("lanes", len(summary["segments"][0]["lanes"]), "eye", counts.shape, "total", counts.sum(),
          "seed", int(f.attrs["seed"]))
)");
  const auto r = test::run_command(std::string(OPTILANE_PYTHON) + " " + script + " " + h5);
  INFO(r.output);
  CHECK(r.exit_status == 0);
  CHECK_THAT(r.output, Contains("lanes 4 eye (128, 256)") && Contains("seed 3"));
}

TEST_CASE("optilane --version names the checkout's current git revision, taken at build time",
          "[link][cli][provenance]") {
  // cmake/revision.cmake regenerates the revision at every build; it once froze at configure time,
  // so results carried a revision several commits old.
  const auto head = test::run_command("git -C " + std::string(OPTILANE_SOURCE_DIR) +
                                      " rev-parse --short=12 HEAD 2>/dev/null");
  if (head.exit_status != 0 || head.output.size() < 12) {
    WARN("not a git checkout; skipped");
    return;
  }
  const auto version = test::run_optilane("--version");
  INFO(version.output);
  CHECK(version.exit_status == 0);
  CHECK_THAT(version.output, Contains(head.output.substr(0, 12)));
}

TEST_CASE("the run table gives a lane's wavelength only where the chain carries light",
          "[link][report]") {
  // An all-electrical chain's lanes still take slots of the lane grid (here CWDM4), but a
  // wavelength in the table would read as an optical carrier that is not there (the JSON writes
  // null: the test of wavelength_nm below).
  test::TempDir dir;
  const std::string electrical = dir.write("e.yaml", four_lanes);
  const std::string optical = dir.write(
      "o.yaml",
      optical_lane("one-optical-lane", "  - block: tia\nanalysis:\n  monte_carlo: false\n"));
  const auto e = test::run_optilane("run " + electrical + " --set analysis.monte_carlo=false");
  const auto o = test::run_optilane("run " + optical);
  REQUIRE(e.exit_status == 0);
  REQUIRE(o.exit_status == 0);
  INFO(e.output << "\n" << o.output);
  // Lane rows: the lane number, then the λ column.
  CHECK(e.output.find("\n   0        -") != std::string::npos);
  CHECK(e.output.find("1311.00") == std::string::npos);
  CHECK(o.output.find("\n   0  1311.00") != std::string::npos);
}

namespace {

const char* one_lane = R"(name: one-lane
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: random,
         symbols: 4096, seed: 3}
chain:
  - block: filter
    bandwidth: 30 GHz
  - block: awgn
    snr: 20 dB
analysis:
  monte_carlo: false
)";

/// The length of a 1-D dataset.
hsize_t dataset_length(const std::string& h5, const std::string& name) {
  H5::H5File file(h5, H5F_ACC_RDONLY);
  hsize_t n[1] = {0};
  file.openDataSet(name).getSpace().getSimpleExtentDims(n);
  return n[0];
}

}  // namespace

TEST_CASE("outputs are checked before the run: writable, distinct, and not an input",
          "[link][cli][outputs]") {
  test::TempDir dir;
  // Two million symbols: seconds of simulation, had the outputs been checked after it.
  const std::string config = dir.write(
      "long.yaml", std::string(one_lane).replace(std::string(one_lane).find("4096"), 4, "2000000"));
  const double cpu_before = test::children_cpu_s();
  auto r = test::run_optilane("run " + config + " -q -o /proc/optilane-out.h5");
  INFO(r.output);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("cannot write '/proc/optilane-out.h5'") &&
                           Contains("No such file or directory"));
  (void)dir.write("plain.txt", "a file, not a directory\n");
  r = test::run_optilane("run " + config + " -q --json " + dir.file("plain.txt/out.json"));
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("plain.txt/out.json") && Contains("Not a directory"));
  r = test::run_optilane("run " + config + " -q -o " + dir.file(""));
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("is a directory"));
  r = test::run_optilane("tiers --no-reach -o /proc/optilane-out");
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("/proc/optilane-out/tiers.h5"));
  const std::string preset = std::string(OPTILANE_SOURCE_DIR) + "/examples/tiers/lpo-100g.yaml";
  const std::string preset_text = test::read_text(preset);
  r = test::run_optilane("tiers --no-reach --lane-rate 100G --json " + preset);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("would overwrite the input"));
  if (test::read_text(preset) != preset_text) {
    FAIL_CHECK("tiers overwrote " << preset);
    std::ofstream(preset) << preset_text;  // the source tree's preset, put back
  }

  // One file for both outputs, under two spellings.
  r = test::run_optilane("run " + config + " -q -o " + dir.file("same.out") + " --json " +
                         dir.file("./sub/../same.out"));
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("the HDF5 and JSON outputs are the same file"));
  r = test::run_optilane("sweep " + config + " -q --vary chain.awgn.snr=20dB -o " +
                         dir.file("same.out") + " --json " + dir.file("same.out"));
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("the HDF5 and JSON outputs are the same file"));

  // The config itself, and a data file it reads.
  const std::string text = test::read_text(config);
  for (const std::string& command : {"run " + config + " -q -o ", "run " + config + " -q --json ",
                                     "sweep " + config + " -q --vary signal.seed=1 --json "}) {
    r = test::run_optilane(command + config);
    CHECK(r.exit_status == 2);
    CHECK_THAT(r.output, Contains("would overwrite the input"));
  }
  CHECK(test::read_text(config) == text);
  std::filesystem::copy_file(
      std::string(OPTILANE_SOURCE_DIR) + "/fuzz/corpus/touchstone/seed_RI_GHz.s4p",
      dir.file("channel.s4p"));
  // The seed file's data end at 3 GHz: a 5 GBd lane keeps its Nyquist frequency inside them.
  const std::string copper = dir.write("copper.yaml", R"(name: copper
signal: {format: pam4, symbol_rate: 5 GBd, samples_per_symbol: 8, pattern: random, symbols: 4096}
chain:
  - block: touchstone
    file: channel.s4p
  - block: awgn
    snr: 20 dB
analysis:
  monte_carlo: false
)");
  REQUIRE(test::run_optilane("check " + copper).exit_status == 0);
  r = test::run_optilane("run " + copper + " -q --json " + dir.file("channel.s4p"));
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("would overwrite the input") && Contains("channel.s4p"));
  // None of these ran the simulation.
  CHECK(test::children_cpu_s() - cpu_before < 3.0);
  CHECK_FALSE(std::filesystem::exists(dir.file("same.out")));
}

TEST_CASE("run --waveforms keeps N UIs of each block's output, or the whole record",
          "[link][cli][hdf5]") {
  test::TempDir dir;
  const std::string config = dir.write("lane.yaml", one_lane);
  const std::string source = "/segments/0/lanes/0/waveforms/00_source";
  const std::string awgn = "/segments/0/lanes/0/waveforms/02_awgn";
  auto r = test::run_optilane("run " + config + " -q --waveforms 512 -o " + dir.file("n.h5"));
  INFO(r.output);
  REQUIRE(r.exit_status == 0);
  CHECK(dataset_length(dir.file("n.h5"), source) == 512 * 8);
  CHECK(dataset_length(dir.file("n.h5"), awgn) == 512 * 8);
  // all: every symbol of the run (4096 here, Monte-Carlo off).
  r = test::run_optilane("run " + config + " -q --waveforms all -o " + dir.file("all.h5"));
  REQUIRE(r.exit_status == 0);
  CHECK(dataset_length(dir.file("all.h5"), source) == 4096 * 8);
  CHECK(dataset_length(dir.file("all.h5"), awgn) == 4096 * 8);
  H5::H5File file(dir.file("all.h5"), H5F_ACC_RDONLY);
  std::string yaml;
  H5::Attribute config_attribute = file.openGroup("/").openAttribute("config_yaml");
  config_attribute.read(config_attribute.getStrType(), yaml);
  CHECK_THAT(yaml, Contains("probe_uis: 4096"));

  // Refused: a record longer than the probes' in-memory cap, a bad count, and the key twice.
  r = test::run_optilane("run " + config + " -q --waveforms all --set signal.symbols=2000000");
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output,
             Contains("2000000 symbols") && Contains(fmt::format("at most {} UI", max_probe_uis)));
  for (const char* bad : {"-1", "1.5", "lots", "1048577"}) {
    r = test::run_optilane("run " + config + " -q --waveforms=" + bad);
    CHECK(r.exit_status == 2);
    CHECK_THAT(r.output, Contains("--waveforms") && Contains(std::string("'") + bad + "'"));
  }
  r = test::run_optilane("run " + config + " -q --waveforms 8 --set analysis.probe_uis=16");
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("--waveforms sets analysis.probe_uis"));
}

TEST_CASE("optilane presets lists the laminate materials with Dk, Df and their source",
          "[link][cli]") {
  const auto r = test::run_optilane("presets");
  REQUIRE(r.exit_status == 0);
  for (const char* name : {"fr4", "megtron6", "megtron7", "megtron8", "tachyon100g"}) {
    CHECK_THAT(r.output, Contains(name));
  }
  // megtron6: Dk 3.4 and Df 0.004 at 12 GHz (channels/copper/pcb_trace.cpp).
  CHECK_THAT(r.output, Contains("megtron6        3.40  0.0040       12.0"));
  CHECK_THAT(r.output, Contains("source: S: Panasonic MEGTRON 6"));
}

TEST_CASE("the HDF5 lane holds the Monte-Carlo figures only where Monte-Carlo ran, as the JSON",
          "[link][hdf5]") {
  // A 0 BER written for a run that counted nothing would read as an error-free measurement.
  test::TempDir dir;
  const std::string config = dir.write("lanes.yaml", four_lanes);
  REQUIRE(test::run_optilane("run " + config + " -q --set lanes.count=1 -o " + dir.file("mc.h5") +
                             " --json " + dir.file("mc.json"))
              .exit_status == 0);
  REQUIRE(test::run_optilane("run " + config +
                             " -q --set lanes.count=1 --set analysis.monte_carlo=false -o " +
                             dir.file("off.h5") + " --json " + dir.file("off.json"))
              .exit_status == 0);
  const auto mc = nlohmann::json::parse(test::read_text(dir.file("mc.json")));
  const auto& ber = mc["segments"][0]["lanes"][0]["ber"];
  {
    H5::H5File file(dir.file("mc.h5"), H5F_ACC_RDONLY);
    H5::Group lane = file.openGroup("/segments/0/lanes/0");
    CHECK(number_attribute(lane, "ber_monte_carlo") == ber["monte_carlo"].get<double>());
    CHECK(integer_attribute(lane, "bit_errors") == ber["errors"].get<std::uint64_t>());
    CHECK(integer_attribute(lane, "bits") == ber["bits"].get<std::uint64_t>());
    CHECK(integer_attribute(lane, "bits") > 0);
    CHECK(number_attribute(lane, "ser_monte_carlo") == ber["ser_monte_carlo"].get<double>());
    CHECK(integer_attribute(lane, "symbol_errors") == ber["symbol_errors"].get<std::uint64_t>());
    CHECK(integer_attribute(lane, "symbols") == ber["symbols"].get<std::uint64_t>());
    H5::Attribute interval = lane.openAttribute("ber_monte_carlo_ci95");
    REQUIRE(interval.getSpace().getSimpleExtentNpoints() == 2);
    double ci95[2] = {};
    interval.read(H5::PredType::NATIVE_DOUBLE, ci95);
    CHECK(ci95[0] == ber["monte_carlo_ci95"][0].get<double>());
    CHECK(ci95[1] == ber["monte_carlo_ci95"][1].get<double>());
  }
  const auto off = nlohmann::json::parse(test::read_text(dir.file("off.json")));
  CHECK_FALSE(off["segments"][0]["lanes"][0]["ber"].contains("monte_carlo"));
  H5::H5File file(dir.file("off.h5"), H5F_ACC_RDONLY);
  H5::Group lane = file.openGroup("/segments/0/lanes/0");
  for (const char* name : {"ber_monte_carlo", "ber_monte_carlo_ci95", "bit_errors", "bits",
                           "ser_monte_carlo", "symbol_errors", "symbols"}) {
    INFO(name);
    CHECK_FALSE(lane.attrExists(name));
  }
  CHECK(lane.attrExists("ber_semi_analytic"));
}

TEST_CASE(
    "a figure the JSON gives as null is NaN in the HDF5 file, with the JSON's reason beside it",
    "[link][hdf5]") {
  // No light reaches the photodetector (4000 dB: the field's power underflows to 0 W), so the
  // levels coincide (SNR −∞) and no attenuation finds the target BER (no sensitivity); an 8 GHz
  // modulator at 53 GBd closes the transmitter's eye before any noise (TDECQ unbounded, +∞).
  test::TempDir dir;
  const std::string config = dir.write("dark.yaml", R"(name: dark-lane
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, symbols: 4096}
lanes: {count: 1, wavelength: 1311 nm}
chain:
  - block: laser
    kind: cw
    power: 0 dBm
  - block: intensity_modulator
    extinction_ratio: 5 dB
    bandwidth: 8 GHz
  - block: optical_attenuator
    loss: 4000 dB
  - block: photodetector
    ideal: true
  - block: tia
analysis:
  monte_carlo: false
  sensitivity: true
)");
  const auto run = test::run_optilane("run " + config + " -q -o " + dir.file("dark.h5") +
                                      " --json " + dir.file("dark.json"));
  INFO(run.output);
  REQUIRE(run.exit_status == 0);
  const auto json = nlohmann::json::parse(test::read_text(dir.file("dark.json")));
  const auto& lane_json = json["segments"][0]["lanes"][0];
  REQUIRE(lane_json["rx"]["snr_db"].is_null());
  REQUIRE(lane_json["tx"]["tdecq_db"].is_null());
  REQUIRE(lane_json["sensitivity_oma_dbm"].is_null());

  H5::H5File file(dir.file("dark.h5"), H5F_ACC_RDONLY);
  H5::Group lane = file.openGroup("/segments/0/lanes/0");
  CHECK(std::isnan(number_attribute(lane, "snr_db")));
  CHECK_FALSE(lane.attrExists("snr_db_note"));  // the JSON gives no reason
  H5::Group tx = file.openGroup("/segments/0/lanes/0/tx");
  CHECK(std::isnan(number_attribute(tx, "tdecq_db")));
  CHECK_THAT(string_attribute(tx, "tdecq_db_note"), Contains("unbounded"));
  CHECK(number_attribute(tx, "tdecq_ser_without_added_noise") ==
        lane_json["tx"]["tdecq_ser_without_added_noise"].get<double>());
  H5::Group waterfall = file.openGroup("/segments/0/lanes/0/waterfall");
  CHECK(std::isnan(number_attribute(waterfall, "sensitivity_oma_dbm")));
  CHECK(string_attribute(waterfall, "sensitivity_oma_dbm_note") ==
        lane_json["sensitivity"]["method"].get<std::string>());
  // A finite figure has no note.
  CHECK(std::isfinite(number_attribute(tx, "rlm")));
  CHECK_FALSE(tx.attrExists("rlm_note"));
}

TEST_CASE("an all-electrical lane has no wavelength: null in the JSON, NaN in the HDF5 file",
          "[link][hdf5][report]") {
  test::TempDir dir;
  const std::string electrical = dir.write("e.yaml", four_lanes);
  const std::string optical = dir.write("o.yaml", optical_lane("o", R"(  - block: tia
analysis:
  monte_carlo: false
)"));
  for (const auto& [config, carrier] : {std::pair{electrical, false}, std::pair{optical, true}}) {
    INFO(config);
    REQUIRE(test::run_optilane("run " + config +
                               " -q --set lanes.count=1 --set analysis.monte_carlo=false -o " +
                               dir.file("out.h5") + " --json " + dir.file("out.json"))
                .exit_status == 0);
    const auto json = nlohmann::json::parse(test::read_text(dir.file("out.json")));
    H5::H5File file(dir.file("out.h5"), H5F_ACC_RDONLY);
    const double h5_nm = number_attribute(file.openGroup("/segments/0/lanes/0"), "wavelength_nm");
    const auto& json_nm = json["segments"][0]["lanes"][0]["wavelength_nm"];
    if (carrier) {
      CHECK(json_nm.get<double>() == 1311.0);
      CHECK(h5_nm == 1311.0);
    } else {
      CHECK(json_nm.is_null());
      CHECK(std::isnan(h5_nm));
    }
  }
}

TEST_CASE(
    "the eye and waveform units name what the signal is: A straight from a photodetector, V "
    "after a TIA or on an electrical chain",
    "[link][hdf5][report]") {
  test::TempDir dir;
  const std::string analysis = "analysis:\n  monte_carlo: false\n";
  const std::string pd = dir.write("pd.yaml", optical_lane("pd", analysis));
  const std::string tia = dir.write("tia.yaml", optical_lane("tia", "  - block: tia\n" + analysis));
  const std::string copper = dir.write("e.yaml", four_lanes);
  struct Case {
    std::string config, slicer_unit, table_header;
  };
  for (const Case& c :
       {Case{pd, "A", "height, worst-case ISI [µA]"}, Case{tia, "V", "height, worst-case ISI [mV]"},
        Case{copper, "V", "height, worst-case ISI [mV]"}}) {
    INFO(c.config);
    const auto run = test::run_optilane(
        "run " + c.config + " --set lanes.count=1 --set analysis.monte_carlo=false -o " +
        dir.file("out.h5") + " --json " + dir.file("out.json"));
    INFO(run.output);
    REQUIRE(run.exit_status == 0);
    CHECK_THAT(run.output, Contains(c.table_header) && Contains("height, statistical ["));
    const auto json = nlohmann::json::parse(test::read_text(dir.file("out.json")));
    CHECK(json["segments"][0]["lanes"][0]["eye"]["unit"] == c.slicer_unit);
    H5::H5File file(dir.file("out.h5"), H5F_ACC_RDONLY);
    const std::string lane = "/segments/0/lanes/0";
    CHECK(string_attribute(file.openGroup(lane), "slicer_unit") == c.slicer_unit);
    for (const char* path : {"/eye/amplitude", "/eye/levels", "/eye/thresholds", "/eye/height",
                             "/statistical_eye/amplitude", "/statistical_eye/levels",
                             "/statistical_eye/height", "/bathtub/vertical/amplitude"}) {
      INFO(path);
      CHECK(unit_of(file, lane + path) == c.slicer_unit);
    }
    CHECK(unit_of(file, lane + "/pulse_response/response") ==
          c.slicer_unit + " per normalised level");
    CHECK(unit_of(file, lane + "/eye/counts") == "trace points");
    if (c.config != tia) continue;
    // The probes along the optical chain with a TIA: drive, light, photocurrent, voltage.
    for (const auto& [probe, unit, quantity] :
         {std::tuple{"00_source", "V", "voltage"}, std::tuple{"01_laser", "V", "voltage"},
          std::tuple{"02_intensity_modulator", "W", "optical_power"},
          std::tuple{"03_photodetector", "A", "current"}, std::tuple{"04_tia", "V", "voltage"}}) {
      INFO(probe);
      H5::DataSet ds = file.openDataSet(lane + "/waveforms/" + probe);
      CHECK(string_attribute(ds, "unit") == unit);
      CHECK(string_attribute(ds, "quantity") == quantity);
    }
  }
}

TEST_CASE("the power breakdown per segment and lane adds up to the segment's and the link's",
          "[link][hdf5][power]") {
  // Three retimed segments (host → module DSP, optical, module DSP → far host), each with
  // powered blocks.
  test::TempDir dir;
  const auto run = test::run_optilane(
      std::string("run ") + OPTILANE_SOURCE_DIR +
      "/examples/tiers/pluggable-dsp-100g.yaml -q --set signal.symbols=2048 --set lanes.count=2 "
      "--set analysis.sensitivity=false -o " +
      dir.file("p.h5") + " --json " + dir.file("p.json"));
  INFO(run.output);
  REQUIRE(run.exit_status == 0);
  const auto json = nlohmann::json::parse(test::read_text(dir.file("p.json")));
  H5::H5File file(dir.file("p.h5"), H5F_ACC_RDONLY);
  // Sums of a few positive terms in another order: equal to rounding.
  const double rounding = 1e-12;
  const std::string categories =
      string_attribute(file.openDataSet("/power/breakdown_w"), "categories");
  const std::vector<double> link_breakdown = doubles(file, "/power/breakdown_w");
  std::vector<double> categories_over_segments(link_breakdown.size(), 0.0);
  double segments_w = 0.0;
  REQUIRE(json["segments"].size() == 3);
  for (std::size_t seg = 0; seg < 3; ++seg) {
    INFO("segment " << seg);
    const std::string base = "/segments/" + std::to_string(seg);
    const double segment_w = number_attribute(file.openGroup(base), "power_w");
    CHECK(segment_w > 0.0);
    segments_w += segment_w;
    const std::vector<double> breakdown = doubles(file, base + "/power/breakdown_w");
    CHECK(string_attribute(file.openDataSet(base + "/power/breakdown_w"), "categories") ==
          categories);
    REQUIRE(breakdown.size() == link_breakdown.size());
    CHECK(sum(breakdown) == Approx(segment_w).epsilon(rounding));
    for (std::size_t c = 0; c < breakdown.size(); ++c) categories_over_segments[c] += breakdown[c];
    const auto& segment_json = json["segments"][seg];
    double lanes_w = 0.0;
    for (int lane = 0; lane < 2; ++lane) {
      INFO("lane " << lane);
      const std::string lane_base = base + "/lanes/" + std::to_string(lane) + "/power";
      const std::vector<double> blocks_w = doubles(file, lane_base + "/blocks_w");
      H5::DataSet labels = file.openDataSet(lane_base + "/blocks");
      CHECK(static_cast<std::size_t>(labels.getSpace().getSimpleExtentNpoints()) ==
            blocks_w.size());
      const auto& lane_json = segment_json["lanes"][static_cast<std::size_t>(lane)];
      CHECK(sum(blocks_w) == Approx(lane_json["power_w"].get<double>()).epsilon(rounding));
      double json_blocks = 0.0;
      for (const auto& [block, watts] : lane_json["power_blocks_w"].items()) {
        json_blocks += watts.get<double>();
      }
      CHECK(json_blocks == Approx(sum(blocks_w)).epsilon(rounding));
      CHECK(lane_json["power_blocks_w"].size() == blocks_w.size());
      lanes_w += sum(blocks_w);
    }
    CHECK(lanes_w == Approx(segment_w).epsilon(rounding));
    double json_categories = 0.0;
    for (const auto& [name, watts] : segment_json["power_breakdown_w"].items()) {
      json_categories += watts.get<double>();
    }
    CHECK(json_categories == Approx(segment_json["power_w"].get<double>()).epsilon(rounding));
  }
  CHECK(segments_w ==
        Approx(number_attribute(file.openGroup("/power"), "total_w")).epsilon(rounding));
  for (std::size_t c = 0; c < link_breakdown.size(); ++c) {
    CHECK(categories_over_segments[c] == Approx(link_breakdown[c]).epsilon(rounding));
  }
}

TEST_CASE("docs/hdf5.md's layout tree holds every group and dataset the writer writes",
          "[link][hdf5][docs][python]") {
  // A three-segment tier (copper channels and COM, transmitter, statistical eye, waterfall) with
  // a short Monte-Carlo count (its attributes): every group and dataset is in the tree, every
  // attribute named, every dataset has a unit (tests/link/hdf5_doc_sync.py).
  if (!std::filesystem::exists(OPTILANE_PYTHON)) {
    WARN("no " OPTILANE_PYTHON "; skipped");
    return;
  }
  test::TempDir dir;
  REQUIRE(test::run_optilane(std::string("run ") + OPTILANE_SOURCE_DIR +
                             "/examples/tiers/pluggable-dsp-100g.yaml -q --set "
                             "signal.symbols=2048 --set lanes.count=1 --set "
                             "'analysis.monte_carlo={symbols: 2048}' -o " +
                             dir.file("tier.h5"))
              .exit_status == 0);
  const auto check = test::run_command(std::string(OPTILANE_PYTHON) + " " + OPTILANE_SOURCE_DIR +
                                       "/tests/link/hdf5_doc_sync.py " + OPTILANE_SOURCE_DIR +
                                       "/docs/hdf5.md " + dir.file("tier.h5"));
  INFO(check.output);
  CHECK(check.exit_status == 0);
  CHECK_THAT(check.output, Contains("ok"));
}

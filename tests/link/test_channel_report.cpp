// The copper channel report (issue 5): COM with pass/fail per lane and segment in the JSON, and
// each copper run's SDD21 and pulse response in the HDF5 file (docs/hdf5.md).
#include <catch2/catch.hpp>

#include <H5Cpp.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace optilane;

namespace {

const char* copper_link = R"(name: copper-1m
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 4096, seed: 1}
chain:
  - block: serdes_tx
    class: lr
    ffe: [-0.1, 0.8, -0.1]
  - block: twinax
    gauge: 26
    length: 1 m
  - block: serdes_rx
    class: lr
    ctle_dc_gain: -6 dB
analysis:
  monte_carlo: false
)";

double read_double_attribute(const H5::H5Object& object, const std::string& name) {
  double value = 0.0;
  object.openAttribute(name).read(H5::PredType::NATIVE_DOUBLE, &value);
  return value;
}

}  // namespace

TEST_CASE("a copper lane reports COM in the JSON and its channel response in the HDF5 file",
          "[link][hdf5][com]") {
  test::TempDir dir;
  const std::string config = dir.write("copper.yaml", copper_link);
  const auto run = test::run_optilane("run -q " + config + " --json " + dir.file("c.json") +
                                      " -o " + dir.file("c.h5"));
  INFO(run.output);
  REQUIRE(run.exit_status == 0);
  const auto j = nlohmann::json::parse(test::read_text(dir.file("c.json")));
  const auto& segment = j["segments"][0];
  REQUIRE(segment["channel"].contains("com_db"));
  const double com_db = segment["channel"]["com_db"];
  CHECK(segment["channel"]["com_pass"] == (com_db >= 3.0));
  const auto& run_json = segment["lanes"][0]["channel"]["copper_runs"][0];
  CHECK(run_json["com_db"] == com_db);
  CHECK(run_json["parameter_set"] == "802.3ck");
  CHECK(run_json["block"] == "twinax");
  const double il_nyquist = segment["channel"]["insertion_loss_db_at_nyquist"];

  H5::H5File file(dir.file("c.h5"), H5F_ACC_RDONLY);
  const std::string base = "/segments/0/lanes/0/channel/0";
  H5::DataSet f = file.openDataSet(base + "/frequency_hz");
  H5::DataSet s21 = file.openDataSet(base + "/sdd21_db");
  hsize_t n[1];
  s21.getSpace().getSimpleExtentDims(n);
  REQUIRE(n[0] == 513);
  std::vector<double> freq(n[0]), db(n[0]);
  f.read(freq.data(), H5::PredType::NATIVE_DOUBLE);
  s21.read(db.data(), H5::PredType::NATIVE_DOUBLE);
  // Point 256 is the Nyquist frequency: its SDD21 is minus the reported insertion loss.
  CHECK(freq[256] == Approx(26.5625e9));
  CHECK(db[256] == Approx(-il_nyquist).margin(1e-9));
  CHECK(file.exists(base + "/pulse_response/response"));
  CHECK(file.exists(base + "/com/pulse_response"));
  CHECK(read_double_attribute(file.openGroup(base + "/com"), "com_db") == Approx(com_db));

  // analysis.com: off drops COM but keeps the channel's response.
  const auto off = test::run_optilane("run -q " + config + " --set analysis.com=off --json " +
                                      dir.file("off.json") + " -o " + dir.file("off.h5"));
  REQUIRE(off.exit_status == 0);
  const auto k = nlohmann::json::parse(test::read_text(dir.file("off.json")));
  CHECK_FALSE(k["segments"][0]["channel"].contains("com_db"));
  H5::H5File off_file(dir.file("off.h5"), H5F_ACC_RDONLY);
  CHECK(off_file.exists(base + "/sdd21_db"));
  CHECK_FALSE(off_file.exists(base + "/com"));
}

// The copper channel report (issue 5): COM with pass/fail per lane and segment in the JSON, and
// each copper run's SDD21 and pulse response in the HDF5 file (docs/hdf5.md).
#include <catch2/catch.hpp>

#include <H5Cpp.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "channels/copper/com.hpp"
#include "channels/copper/copper_block.hpp"
#include "link/channel_report.hpp"
#include "link/config_tree.hpp"
#include "link/link_config.hpp"
#include "test_support.hpp"

using namespace optilane;

namespace {

const char* copper_link = test::copper_1m_link;

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

TEST_CASE("COM kept per channel: identical channels share it, a different channel does not",
          "[link][com]") {
  // copper_channel_reports keeps COM per (parameter set, rate, packages, S-parameters on its
  // grid). The kept value must be the one a fresh computation gives, and a changed channel (a
  // longer cable) must be computed afresh, not served the first one's.
  auto config_of = [](const std::string& length) {
    std::string yaml = copper_link;
    yaml.replace(yaml.find("length: 1 m"), 11, "length: " + length);
    return parse_link_config(parse_yaml(yaml, "<test>"));
  };
  auto reported = [&](const std::string& length) {
    const LinkConfig config = config_of(length);
    const auto reports = copper_channel_reports(config, build_chain(config, 0));
    REQUIRE(reports.size() == 1);
    REQUIRE(reports[0].com.has_value());
    return *reports[0].com;
  };
  auto fresh = [&](const std::string& length) {
    ComParams params = com_params("802.3ck", 53.125e9);
    params.add_packages = true;  // the link has no package blocks of its own
    const auto chain = build_chain(config_of(length), 0);
    return channel_operating_margin(dynamic_cast<const CopperBlock&>(*chain[1]).effective_network(),
                                    params);
  };
  const ComResult first = reported("1 m");
  const ComResult again = reported("1 m");  // from the memo
  const ComResult first_fresh = fresh("1 m");
  CHECK(again.com_db == first.com_db);
  CHECK(first.com_db == first_fresh.com_db);
  CHECK(first.cursors_v == first_fresh.cursors_v);
  const ComResult longer = reported("2.5 m");
  const ComResult longer_fresh = fresh("2.5 m");
  CHECK(longer.com_db == longer_fresh.com_db);
  CHECK(longer.cursors_v == longer_fresh.cursors_v);
  CHECK(longer.cursors_v != first.cursors_v);
}

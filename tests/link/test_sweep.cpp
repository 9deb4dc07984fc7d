// Sweeps (issue 9): --vary syntax with units, the product and --zip, a failed point recorded
// while the others complete, rows identical whatever the thread count and under mpirun, and each
// row equal to a single `optilane run` at that point.
#include <catch2/catch.hpp>

#include <H5Cpp.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "link/distributed.hpp"
#include "link/sweep.hpp"
#include "phy/errors.hpp"
#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {

// Two lanes so the worst-lane figures are exercised; few symbols so a point takes milliseconds.
const char* small_lane = R"(name: sweep-lane
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, pattern: random,
         symbols: 4096, seed: 5}
lanes: {count: 2}
chain:
  - block: filter
    bandwidth: 30 GHz
  - block: awgn
    snr: 26 dB
analysis:
  monte_carlo: {symbols: 4096, min_errors: 50}
)";

/// The sweep's JSON without nothing removed: it carries no timing, so it must match byte for byte.
std::string sweep_text(const std::string& path) {
  return test::read_text(path);
}

std::vector<double> read_doubles(const std::string& path, const std::string& name) {
  H5::H5File file(path, H5F_ACC_RDONLY);
  H5::DataSet ds = file.openDataSet(name);
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  std::vector<double> values(n);
  ds.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

}  // namespace

TEST_CASE("vary ranges keep their unit and include STOP on the grid", "[link][sweep]") {
  CHECK(parse_vary("chain.fiber.length=0.5km:2km:0.5km").values ==
        std::vector<std::string>{"0.5km", "1km", "1.5km", "2km"});
  CHECK(parse_vary("x=0.1:0.3:0.1").values == std::vector<std::string>{"0.1", "0.2", "0.3"});
  CHECK(parse_vary("x=0.5 km:2 km:500 m").values ==
        std::vector<std::string>{"0.5 km", "1 km", "1.5 km", "2 km"});
  CHECK(parse_vary("chain.laser.power=-10dBm:-6dBm:2dB").values ==
        std::vector<std::string>{"-10dBm", "-8dBm", "-6dBm"});
  CHECK(parse_vary("x=3:1:-1").values == std::vector<std::string>{"3", "2", "1"});
  CHECK(parse_vary("x=1:2.5:1").values == std::vector<std::string>{"1", "2"});
  const VaryAxis list = parse_vary("signal.symbol_rate=53.125GBd,106.25GBd");
  CHECK(list.key == "signal.symbol_rate");
  CHECK(list.values == std::vector<std::string>{"53.125GBd", "106.25GBd"});
  CHECK(parse_vary("lanes.wdm=[1271 nm, 1291 nm],cwdm4").values ==
        std::vector<std::string>{"[1271 nm, 1291 nm]", "cwdm4"});
  CHECK(parse_vary("signal.format=nrz").values == std::vector<std::string>{"nrz"});
  CHECK(quantity_si_any("2 km") == 2000.0);
  CHECK(quantity_si_any("106.25GBd") == 106.25e9);
  CHECK(quantity_si_any("19 dB") == 19.0);
  CHECK(std::isnan(quantity_si_any("pam4")));
}

TEST_CASE("bad --vary syntax is refused with the reason", "[link][sweep]") {
  CHECK_THROWS_WITH(parse_vary("chain.awgn.snr"), Contains("KEY=START:STOP:STEP"));
  CHECK_THROWS_WITH(parse_vary("x="), Contains("KEY=START:STOP:STEP"));
  CHECK_THROWS_WITH(parse_vary("x=1:2"), Contains("START:STOP:STEP"));
  CHECK_THROWS_WITH(parse_vary("x=1:2:0"), Contains("STEP must not be zero"));
  CHECK_THROWS_WITH(parse_vary("x=2:1:1"), Contains("away from STOP"));
  CHECK_THROWS_WITH(parse_vary("x=1km:2km:1dBm"), Contains("give them one unit"));
  CHECK_THROWS_WITH(parse_vary("x=1,,2"), Contains("empty value"));
  CHECK_THROWS_WITH(parse_vary("x..y=1"), Contains("dotted path"));
}

TEST_CASE("optilane sweep exits 2 on bad arguments and names the key", "[link][sweep][cli]") {
  test::TempDir dir;
  const std::string config = dir.write("lane.yaml", small_lane);
  const std::string out = " --json " + dir.file("s.json");
  auto syntax = test::run_optilane("sweep " + config + " --vary chain.awgn.snr=1:2" + out);
  CHECK(syntax.exit_status == 2);
  CHECK_THAT(syntax.output, Contains("START:STOP:STEP"));
  auto unknown = test::run_optilane("sweep " + config + " --vary chain.awgn.snrr=15dB,16dB" + out);
  CHECK(unknown.exit_status == 2);
  CHECK_THAT(unknown.output, Contains("--vary chain.awgn.snrr"));
  CHECK_THAT(unknown.output, Contains("did you mean 'snr'"));
  auto no_block =
      test::run_optilane("sweep " + config + " --vary chain.fiber.length=1km,2km" + out);
  CHECK(no_block.exit_status == 2);
  CHECK_THAT(no_block.output, Contains("no item named 'fiber'"));
  auto twice = test::run_optilane("sweep " + config +
                                  " --vary chain.awgn.snr=15dB --set chain.awgn.snr=16dB" + out);
  CHECK(twice.exit_status == 2);
  auto zip = test::run_optilane(
      "sweep " + config + " --zip --vary chain.awgn.snr=15dB,16dB --vary signal.seed=1,2,3" + out);
  CHECK(zip.exit_status == 2);
  CHECK_THAT(zip.output, Contains("--zip"));
  CHECK_FALSE(std::filesystem::exists(dir.file("s.json")));
}

TEST_CASE("a failing point records its error and the other points complete", "[link][sweep][cli]") {
  // Each value suits its key, but NRZ with the PAM4 pattern SSPRQ is refused: point 3 fails as a
  // combination (each value alone passes the check before the run) and records why.
  test::TempDir dir;
  const std::string config = dir.write("lane.yaml", small_lane);
  auto r = test::run_optilane("sweep " + config +
                              " --vary signal.format=pam4,nrz --vary signal.pattern=random,ssprq"
                              " --threads 2 --json " +
                              dir.file("s.json") + " -o " + dir.file("s.h5"));
  INFO(r.output);
  REQUIRE(r.exit_status == 0);
  CHECK_THAT(r.output, Contains("1 of 4 points failed"));
  const auto j = nlohmann::json::parse(test::read_text(dir.file("s.json")));
  REQUIRE(j["rows"].size() == 4);
  CHECK(j["failed"] == 1);
  CHECK(j["rows"][0]["ok"] == true);
  CHECK(j["rows"][1]["ok"] == true);
  CHECK(j["rows"][2]["ok"] == true);
  CHECK(j["rows"][3]["ok"] == false);
  CHECK_THAT(j["rows"][3]["error"].get<std::string>(), Contains("bad input"));
  CHECK_THAT(j["rows"][3]["error"].get<std::string>(), Contains("ssprq is a PAM4 pattern"));
  CHECK(j["rows"][3]["ber"].is_null());
  // NRZ's one eye is wider than PAM4's three at the same swing and noise.
  CHECK(j["rows"][2]["ber_semi_analytic"].get<double>() <
        j["rows"][0]["ber_semi_analytic"].get<double>());
  const auto ber = read_doubles(dir.file("s.h5"), "/sweep/ber");
  REQUIRE(ber.size() == 4);
  CHECK(std::isnan(ber[3]));
  CHECK(ber[0] == j["rows"][0]["ber"].get<double>());
}

TEST_CASE("a value its key cannot take is refused before the sweep runs", "[link][sweep][cli]") {
  test::TempDir dir;
  const std::string config = dir.write("lane.yaml", small_lane);
  const std::string out = " -q --json " + dir.file("s.json");
  struct Case {
    std::string vary;   ///< as given
    std::string value;  ///< the value named in the message
    std::string because;
  };
  // Each had run every point (all failing) and exited 0, or had been taken as one literal value.
  const std::vector<Case> cases = {
      {"chain.0.bandwidth=10m:20m:5m", "'10m'", "'m' is a length"},
      {"signal.symbols=1000:2000:0.5", "'1000.5'", "not an integer"},
      {"chain.awgn.snr=22dB,banana,26dB", "'banana'", "does not start with a number"},
      {"chain.awgn.snr=22dB,-5GHz", "'-5GHz'", "is a frequency"},
      {"chain.0.block=filter,filtre", "'filtre'", "did you mean 'filter'"},
      {"lanes.wdm=[1271 nm, 100 nm]", "'[1271 nm, 100 nm]'", "'100 nm' is out of range"},
  };
  for (const auto& c : cases) {
    INFO(c.vary);
    const auto r = test::run_optilane("sweep " + config + " --vary '" + c.vary + "'" + out);
    INFO(r.output);
    CHECK(r.exit_status == 2);
    CHECK_THAT(r.output, Contains("--vary " + c.vary + ": value " + c.value));
    CHECK_THAT(r.output, Contains(c.because));
  }
  // A second axis's values are checked with the first axis at its first value.
  auto r =
      test::run_optilane("sweep " + config +
                         " --vary chain.awgn.snr=20dB,22dB --vary signal.symbols=4096,4e3.5" + out);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("--vary signal.symbols=4096,4e3.5: value '4e3.5'"));
  // Ranges with a bound that is not finite are ranges, refused as such.
  for (const char* range : {"nan:20dB:1dB", "10dB:inf:1dB", "10dB:20dB:-inf"}) {
    r = test::run_optilane("sweep " + config + " --vary chain.awgn.snr=" + range + out);
    CHECK(r.exit_status == 2);
    CHECK_THAT(r.output, Contains("must be finite"));
  }
  CHECK_THROWS_WITH(parse_vary("x=nan:1:1"), Contains("START must be finite"));
  CHECK_FALSE(std::filesystem::exists(dir.file("s.json")));
}

TEST_CASE("a sweep whose every point fails exits non-zero", "[link][sweep][cli]") {
  test::TempDir dir;
  const std::string config = dir.write("lane.yaml", small_lane);
  // NRZ suits signal.format, but not with the --set pattern: every point fails on bad input.
  const auto r = test::run_optilane("sweep " + config +
                                    " --set signal.pattern=ssprq --vary signal.format=nrz"
                                    " --vary chain.awgn.snr=20dB,22dB -q --json " +
                                    dir.file("s.json"));
  INFO(r.output);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.output, Contains("all 2 points failed (bad input)"));
  // The table still records each point's error.
  const auto j = nlohmann::json::parse(test::read_text(dir.file("s.json")));
  CHECK(j["failed"] == 2);
  CHECK_THAT(j["rows"][1]["error"].get<std::string>(), Contains("ssprq is a PAM4 pattern"));
}

TEST_CASE("sweep rows are identical for --threads 1 and 2 and equal single runs",
          "[link][sweep][cli][determinism]") {
  test::TempDir dir;
  const std::string config = dir.write("lane.yaml", small_lane);
  const std::string axes =
      " --vary chain.awgn.snr=24dB:27dB:1dB --vary chain.0.bandwidth=25GHz,35GHz";
  auto r1 = test::run_optilane("sweep " + config + axes + " --threads 1 -q --json " +
                               dir.file("t1.json") + " -o " + dir.file("t1.h5"));
  auto r2 = test::run_optilane("sweep " + config + axes + " --threads 2 -q --json " +
                               dir.file("t2.json") + " -o " + dir.file("t2.h5"));
  REQUIRE(r1.exit_status == 0);
  REQUIRE(r2.exit_status == 0);
  const std::string text = sweep_text(dir.file("t1.json"));
  CHECK(text == sweep_text(dir.file("t2.json")));
  CHECK(read_doubles(dir.file("t1.h5"), "/sweep/ber_semi_analytic") ==
        read_doubles(dir.file("t2.h5"), "/sweep/ber_semi_analytic"));

  const auto j = nlohmann::json::parse(text);
  REQUIRE(j["points"] == 8);
  // The first axis varies slowest.
  CHECK(j["rows"][1]["values"]["chain.awgn.snr"] == "24dB");
  CHECK(j["rows"][1]["values"]["chain.0.bandwidth"] == "35GHz");
  CHECK(j["rows"][1]["values_si"]["chain.0.bandwidth"] == 35e9);
  CHECK(j["rows"][2]["values"]["chain.awgn.snr"] == "25dB");

  // Rows 1 and 6 against `optilane run` with the same values and seed.
  for (int index : {1, 6}) {
    const auto& row = j["rows"][index];
    const std::string out = dir.file("run" + std::to_string(index) + ".json");
    auto run = test::run_optilane(
        "run " + config +
        " -q --set chain.awgn.snr=" + row["values"]["chain.awgn.snr"].get<std::string>() +
        " --set chain.0.bandwidth=" + row["values"]["chain.0.bandwidth"].get<std::string>() +
        " --json " + out);
    REQUIRE(run.exit_status == 0);
    const auto single = nlohmann::json::parse(test::read_text(out));
    CHECK(row["ber"] == single["link"]["ber"]);
    CHECK(row["closes"] == single["link"]["closes"]);
    const auto& lanes = single["segments"][0]["lanes"];
    const double mc = std::max(lanes[0]["ber"]["monte_carlo"].get<double>(),
                               lanes[1]["ber"]["monte_carlo"].get<double>());
    const double semi = std::max(lanes[0]["ber"]["semi_analytic"].get<double>(),
                                 lanes[1]["ber"]["semi_analytic"].get<double>());
    const double snr =
        std::min(lanes[0]["rx"]["snr_db"].get<double>(), lanes[1]["rx"]["snr_db"].get<double>());
    CHECK(row["ber_monte_carlo"].get<double>() == mc);
    CHECK(row["ber_semi_analytic"].get<double>() == semi);
    CHECK(row["snr_db"].get<double>() == snr);
    CHECK(row["eye_height"][1].get<double>() ==
          std::min(lanes[0]["eye"]["height"][1].get<double>(),
                   lanes[1]["eye"]["height"][1].get<double>()));
  }

  // --seed applies to every point; a different seed changes the rows.
  auto r3 =
      test::run_optilane("sweep " + config + axes + " --seed 9 -q --json " + dir.file("s9.json"));
  REQUIRE(r3.exit_status == 0);
  CHECK(sweep_text(dir.file("s9.json")) != text);
}

TEST_CASE("a copper sweep reports each point's insertion loss and COM as `run` does",
          "[link][sweep][cli][com]") {
  test::TempDir dir;
  const std::string config = dir.write("copper.yaml", test::copper_1m_link);
  auto sweep =
      test::run_optilane("sweep " + config + " --vary chain.twinax.length=1m,3m -q --json " +
                         dir.file("s.json") + " -o " + dir.file("s.h5"));
  INFO(sweep.output);
  REQUIRE(sweep.exit_status == 0);
  const auto j = nlohmann::json::parse(test::read_text(dir.file("s.json")));
  const auto com_h5 = read_doubles(dir.file("s.h5"), "/sweep/com_db");
  for (int index : {0, 1}) {
    const auto& row = j["rows"][index];
    const std::string out = dir.file("run" + std::to_string(index) + ".json");
    auto run = test::run_optilane("run " + config + " -q --set chain.twinax.length=" +
                                  row["values"]["chain.twinax.length"].get<std::string>() +
                                  " --json " + out);
    REQUIRE(run.exit_status == 0);
    const auto single = nlohmann::json::parse(test::read_text(out));
    const auto& channel = single["segments"][0]["channel"];
    CHECK(row["com_db"].get<double>() == channel["com_db"].get<double>());
    CHECK(row["insertion_loss_db_at_nyquist"].get<double>() ==
          channel["insertion_loss_db_at_nyquist"].get<double>());
    CHECK(com_h5[static_cast<std::size_t>(index)] == channel["com_db"].get<double>());
  }
  // Three times the cable: more loss, less COM.
  CHECK(j["rows"][1]["insertion_loss_db_at_nyquist"].get<double>() >
        j["rows"][0]["insertion_loss_db_at_nyquist"].get<double>());
  CHECK(j["rows"][1]["com_db"].get<double>() < j["rows"][0]["com_db"].get<double>());

  // Without copper both are null (NaN in the HDF5 table).
  const std::string optical = dir.write("lane.yaml", small_lane);
  auto plain = test::run_optilane(
      "sweep " + optical + " --vary chain.awgn.snr=24dB,25dB -q --json " + dir.file("o.json"));
  REQUIRE(plain.exit_status == 0);
  const auto k = nlohmann::json::parse(test::read_text(dir.file("o.json")));
  CHECK(k["rows"][0]["com_db"].is_null());
  CHECK(k["rows"][0]["insertion_loss_db_at_nyquist"].is_null());
}

TEST_CASE("zip pairs the axes' values", "[link][sweep][cli]") {
  test::TempDir dir;
  const std::string config = dir.write("lane.yaml", small_lane);
  auto r = test::run_optilane(
      "sweep " + config +
      " --zip --vary chain.awgn.snr=15dB,17dB --vary signal.seed=1,2 -q --json " +
      dir.file("z.json"));
  REQUIRE(r.exit_status == 0);
  const auto j = nlohmann::json::parse(test::read_text(dir.file("z.json")));
  REQUIRE(j["rows"].size() == 2);
  CHECK(j["rows"][1]["values"]["chain.awgn.snr"] == "17dB");
  CHECK(j["rows"][1]["values"]["signal.seed"] == "2");
}

TEST_CASE("mpirun -n 2 gathers the same sweep table as one process", "[link][sweep][mpi]") {
  if (!DistributedSession::built_with_mpi()) {
    WARN("built without MPI; skipped");
    return;
  }
  if (test::run_command("command -v mpirun").exit_status != 0) {
    WARN("mpirun not found; skipped");
    return;
  }
  test::TempDir dir;
  const std::string config = dir.write("lane.yaml", small_lane);
  // NRZ points fail (the --set pattern is PAM4's): failed rows are gathered too.
  const std::string axes =
      " --set signal.pattern=ssprq --vary chain.awgn.snr=24dB:27dB:1dB --vary "
      "signal.format=pam4,nrz";
  auto single = test::run_optilane("sweep " + config + axes + " -q --threads 1 --json " +
                                   dir.file("one.json") + " -o " + dir.file("one.h5"));
  REQUIRE(single.exit_status == 0);
  const std::string root_flag = ::geteuid() == 0 ? " --allow-run-as-root" : "";
  auto mpi = test::run_command("mpirun" + root_flag + " --oversubscribe -n 2 " +
                               std::string(OPTILANE_BINARY) + " sweep " + config + axes +
                               " -q --threads 1 --json " + dir.file("mpi.json") + " -o " +
                               dir.file("mpi.h5"));
  INFO(mpi.output);
  REQUIRE(mpi.exit_status == 0);
  CHECK(sweep_text(dir.file("mpi.json")) == sweep_text(dir.file("one.json")));
  const auto a = read_doubles(dir.file("one.h5"), "/sweep/ber_semi_analytic");
  const auto b = read_doubles(dir.file("mpi.h5"), "/sweep/ber_semi_analytic");
  REQUIRE(a.size() == 8);
  REQUIRE(b.size() == 8);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(((std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i]));
  }
}

TEST_CASE("every dataset of a sweep's file names its unit, eye heights the slicer's",
          "[link][sweep][hdf5]") {
  // docs/hdf5.md: `unit` is "1" for counts, flags and ratios, empty for text; the eye heights are
  // in the unit of the signal at the slicer (V on this electrical chain), each point's also in
  // eye_height_unit (empty for a failed point).
  test::TempDir dir;
  const std::string config = dir.write("lane.yaml", small_lane);
  const auto r =
      // Point 1 fails on its combination (SSPRQ is a PAM4 pattern), which the up-front check
      // of each value alone lets through.
      test::run_optilane("sweep " + config + " -q --set signal.pattern=ssprq " +
                         "--vary signal.format=pam4,nrz -o " + dir.file("s.h5") + " --json " +
                         dir.file("s.json"));
  INFO(r.output);
  REQUIRE(r.exit_status == 0);
  H5::H5File file(dir.file("s.h5"), H5F_ACC_RDONLY);
  H5::Group table = file.openGroup("/sweep");
  auto unit = [&](const std::string& name) {
    std::string value;
    H5::Attribute attribute = table.openDataSet(name).openAttribute("unit");
    attribute.read(attribute.getStrType(), value);
    return value;
  };
  for (hsize_t i = 0; i < table.getNumObjs(); ++i) {
    const std::string name = table.getObjnameByIdx(i);
    INFO(name);
    CHECK(table.openDataSet(name).attrExists("unit"));
  }
  for (const char* name : {"index", "ok", "closes", "bits", "bit_errors", "ber"}) {
    INFO(name);
    CHECK(unit(name) == "1");
  }
  for (const char* name : {"keys", "values", "error", "eye_height_unit"}) {
    INFO(name);
    CHECK(unit(name).empty());
  }
  CHECK(unit("eye_height") == "V");
  const auto j = nlohmann::json::parse(test::read_text(dir.file("s.json")));
  CHECK(j["rows"][0]["eye_height_unit"] == "V");
  CHECK(j["rows"][1]["eye_height_unit"].is_null());
  H5::DataSet per_point = table.openDataSet("eye_height_unit");
  std::vector<char*> text(2);
  per_point.read(text.data(), per_point.getStrType());
  CHECK(std::string(text[0]) == "V");
  CHECK(std::string(text[1]).empty());
  H5::DataSet::vlenReclaim(text.data(), per_point.getStrType(), per_point.getSpace());
}

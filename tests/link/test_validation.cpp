// The validation framework (issue 8): case files load with strict errors, cases evaluate, a
// failing case is reported as failing, and the JSON rows carry the contract's keys.
#include <catch2/catch.hpp>

#include <filesystem>

#include "link/validation.hpp"
#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {
/// A case checking Q^-1(2.4e-4) = 3.4917 (Abramowitz & Stegun 26.2.23) against `expected`, with
/// `extra` lines appended (tolerance, source, ...).
std::string q_inverse_case(const std::string& name, const std::string& expected,
                           const std::string& extra) {
  return "name: " + name +
         "\ncategory: closed-form\nquantity: q_inverse\nfunction: q_inverse\n"
         "argument: 2.4e-4\nexpected: " +
         expected + "\n" + extra;
}
}  // namespace

TEST_CASE("a function case compares with its tolerance and reports failures honestly",
          "[link][validation]") {
  test::TempDir dir;
  const std::string good = dir.write(
      "q.yaml", q_inverse_case("q-inverse", "3.4917",
                               "tolerance: {absolute: 0.001}\n"
                               "source: \"Abramowitz & Stegun 26.2.23 (Gaussian tail)\"\n"));
  const std::string bad =
      dir.write("wrong.yaml", q_inverse_case("deliberately-wrong", "3.0",
                                             "tolerance: {relative: 0.01}\n"
                                             "source: \"a wrong expectation, to see it fail\"\n"));
  const std::vector<ValidationCase> cases = load_validation_cases(dir.path().string());
  REQUIRE(cases.size() == 2);
  const auto results = evaluate_cases(cases, 2);
  const auto& wrong =
      results[0].source_case->name == "deliberately-wrong" ? results[0] : results[1];
  const auto& right = results[0].source_case->name == "q-inverse" ? results[0] : results[1];
  CHECK(right.pass);
  CHECK_FALSE(wrong.pass);
  const auto rows = validation_json(results);
  for (const char* key :
       {"name", "category", "quantity", "expected", "got", "tolerance", "pass", "source"}) {
    CHECK(rows[0].contains(key));
  }
  CHECK_THAT(validation_table(results), Contains("FAIL") && Contains("1 of 2 cases pass"));
}

TEST_CASE("a known deviation fails as recorded without failing the suite; passing, it does",
          "[link][validation][cli]") {
  test::TempDir dir;
  // Q^-1(2.4e-4) = 3.4917 (Abramowitz & Stegun 26.2.23): 3.0 is wrong, 3.4917 right.
  const std::string known_tail =
      "tolerance: {relative: 0.01}\n"
      "source: \"a wrong expectation, recorded as a known deviation\"\n"
      "known_deviation: \"the expectation is deliberately wrong\"\n";
  std::filesystem::create_directories(dir.file("known"));
  std::filesystem::create_directories(dir.file("stale"));
  (void)dir.write("known/k.yaml", q_inverse_case("known-wrong", "3.0", known_tail));
  const auto cases = load_validation_cases(dir.file("known"));
  REQUIRE(cases.size() == 1);
  const auto results = evaluate_cases(cases, 1);
  CHECK_FALSE(results[0].pass);
  CHECK(validation_status(results[0]) == ValidationStatus::known);
  CHECK(validation_ok(results[0]));
  CHECK(validation_json(results)[0]["status"] == "known");
  CHECK_THAT(validation_table(results),
             Contains("known deviation: the expectation is deliberately wrong") &&
                 Contains("0 of 1 cases pass; 1 known deviation fails as recorded"));
  CHECK_THAT(validation_markdown(results), Contains("known deviation: the expectation"));
  const auto run_known = test::run_optilane("validate --dir " + dir.file("known"));
  CHECK(run_known.exit_status == 0);

  // The same case once the expectation is right: the record is stale and the suite fails.
  (void)dir.write("stale/s.yaml", q_inverse_case("known-wrong", "3.4917", known_tail));
  const auto stale = evaluate_cases(load_validation_cases(dir.file("stale")), 1);
  CHECK(stale[0].pass);
  CHECK(validation_status(stale[0]) == ValidationStatus::unexpected_pass);
  CHECK_FALSE(validation_ok(stale[0]));
  const auto run_stale = test::run_optilane("validate --dir " + dir.file("stale"));
  CHECK(run_stale.exit_status == 1);
  CHECK_THAT(run_stale.output, Contains("now passes"));
}

TEST_CASE("a case whose reference data is absent is skipped, not failed; present, it runs",
          "[link][validation][cli]") {
  // The ../shared channels are not in users' clones: a case naming them under `requires:` must
  // not fail `optilane validate` there. Q^-1(2.4e-4) = 3.4917 (Abramowitz & Stegun 26.2.23).
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("cases"));
  (void)dir.write("cases/r.yaml",
                  q_inverse_case("needs-data", "3.4917",
                                 "tolerance: {absolute: 0.001}\n"
                                 "source: \"Abramowitz & Stegun 26.2.23 (Gaussian tail)\"\n"
                                 "requires: [../data/channel.s4p]\n"));
  const auto absent = evaluate_cases(load_validation_cases(dir.file("cases")), 1);
  REQUIRE(absent.size() == 1);
  CHECK(validation_status(absent[0]) == ValidationStatus::skipped);
  CHECK_FALSE(absent[0].got.has_value());
  CHECK(validation_ok(absent[0]));
  CHECK(validation_json(absent)[0]["status"] == "skipped");
  CHECK_THAT(validation_table(absent), Contains("reference data absent") &&
                                           Contains("channel.s4p") &&
                                           Contains("0 of 0 cases pass (1 skipped"));
  const auto run_absent = test::run_optilane("validate --dir " + dir.file("cases"));
  CHECK(run_absent.exit_status == 0);

  std::filesystem::create_directories(dir.file("data"));
  (void)dir.write("data/channel.s4p", "");
  const auto present = evaluate_cases(load_validation_cases(dir.file("cases")), 1);
  CHECK(validation_status(present[0]) == ValidationStatus::pass);
  CHECK_THAT(validation_table(present), Contains("1 of 1 cases pass"));

  const std::string bad = dir.write("bad.yaml", q_inverse_case("bad", "1",
                                                               "tolerance: {absolute: 1}\n"
                                                               "source: s\nrequires: {a: b}\n"));
  CHECK_THROWS_WITH(load_validation_case(bad), Contains("bad.yaml") && Contains("requires"));
}

TEST_CASE("malformed validation cases are input errors with file and key", "[link][validation]") {
  test::TempDir dir;
  const std::string no_source = dir.write("a.yaml",
                                          "quantity: x\nfunction: q_inverse\nexpected: 1\n"
                                          "tolerance: {absolute: 1}\n");
  CHECK_THROWS_WITH(load_validation_case(no_source), Contains("a.yaml") && Contains("source"));
  const std::string no_tolerance = dir.write("b.yaml",
                                             "quantity: x\nfunction: q_inverse\nexpected: 1\n"
                                             "source: s\n");
  CHECK_THROWS_WITH(load_validation_case(no_tolerance), Contains("tolerance"));
  const std::string two_kinds =
      dir.write("c.yaml",
                "quantity: x\nfunction: q_inverse\nrun: x.yaml\nexpected: 1\nsource: s\n"
                "tolerance: {absolute: 1}\n");
  CHECK_THROWS_WITH(load_validation_case(two_kinds), Contains("exactly one of"));
}

TEST_CASE("JSON paths read numbers from a summary", "[link][validation]") {
  const auto doc = nlohmann::json::parse(R"({"a": [{"b": 2.5}], "c": true})");
  CHECK(json_path_number(doc, "a.0.b") == 2.5);
  CHECK(json_path_number(doc, "c") == 1.0);
  CHECK_FALSE(json_path_number(doc, "a.1.b").has_value());
  CHECK_FALSE(json_path_number(doc, "a.x").has_value());
}

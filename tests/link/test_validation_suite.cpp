// The validation suite itself (validation/*.yaml, issue 8): every case file loads, the suite
// spans the categories the issue asks for, docs/validation.md lists every case, and the quick
// subset (the one CI runs) evaluates and passes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "link/validation.hpp"

using namespace optilane;

namespace {
const std::string suite_dir = std::string(OPTILANE_SOURCE_DIR) + "/validation";
const std::string regenerate =
    "regenerate it: ./build/apps/optilane validate --markdown docs/validation.md "
    "(from the source directory)";
}  // namespace

TEST_CASE("every validation case loads and the suite spans six categories", "[validation]") {
  const std::vector<ValidationCase> cases = load_validation_cases(suite_dir);
  std::set<std::string> names, categories;
  for (const auto& c : cases) {
    INFO(c.file);
    CHECK(names.insert(c.name).second);  // names are unique
    categories.insert(c.category);
    CHECK_FALSE(c.note.empty());
  }
  CHECK(cases.size() >= 30);
  CHECK(categories.size() >= 6);
}

TEST_CASE("docs/validation.md lists every validation case", "[validation]") {
  const std::vector<ValidationCase> cases = load_validation_cases(suite_dir);
  std::ifstream in(std::string(OPTILANE_SOURCE_DIR) + "/docs/validation.md");
  INFO("docs/validation.md is missing; " << regenerate);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& c : cases) {
    INFO("case '" << c.name << "' is not in docs/validation.md; " << regenerate);
    CHECK(text.str().find("| " + c.name + " |") != std::string::npos);
  }
}

TEST_CASE("the quick validation subset evaluates and passes", "[validation]") {
  std::vector<ValidationCase> quick;
  for (auto& c : load_validation_cases(suite_dir)) {
    if (c.quick) quick.push_back(std::move(c));
  }
  REQUIRE(quick.size() >= 10);
  const auto results = evaluate_cases(quick, 0);
  for (const auto& r : results) {
    INFO(r.source_case->name << ": " << r.error);
    CHECK(r.error.empty());
    CHECK(r.pass);
  }
}

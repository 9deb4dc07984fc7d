// docs/config.md is generated from the block registry (issue 10): regenerating it gives the
// committed file, so the reference cannot drift from the code.
#include <catch2/catch.hpp>

#include "link/config_docs.hpp"
#include "link/registry.hpp"
#include "test_support.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

TEST_CASE("docs/config.md is the reference the registry generates today", "[link][docs]") {
  const std::string generated = config_reference_markdown();
  const std::string committed =
      test::read_text(std::string(OPTILANE_SOURCE_DIR) + "/docs/config.md");
  INFO(
      "docs/config.md is out of date; regenerate it with\n"
      "  build/apps/optilane docs config -o docs/config.md\nand commit it.");
  CHECK(generated == committed);
}

TEST_CASE("the config reference documents every block with its keys, units and defaults",
          "[link][docs]") {
  const std::string md = config_reference_markdown();
  for (const auto& type : block_types()) CHECK_THAT(md, Contains("\n## " + type.name + "\n"));
  CHECK_THAT(md, Contains("| `bandwidth` | quantity |"));
  // Keys read only for another choice of a block's kind are documented with their condition.
  CHECK_THAT(md, Contains("*(only with kind: dfb"));
}

// Fuzz target: any YAML text either loads as a link config or is refused with an InputError. The
// chain is built and prepared too (filters designed), so parameter checks are exercised.
#include <cstddef>
#include <cstdint>
#include <string>

#include "link/config_tree.hpp"
#include "link/link_config.hpp"
#include "phy/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;  // configs are small; long inputs only slow the fuzzer
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const optilane::ConfigNode tree = optilane::parse_yaml(text, "fuzz.yaml");
    (void)optilane::parse_link_config(tree);
  } catch (const optilane::InputError&) {
  }
  return 0;
}

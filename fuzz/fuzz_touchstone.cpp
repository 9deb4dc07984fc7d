// Fuzz target: the Touchstone reader must parse or refuse (InputError with a line number) any
// text, for 2- and 4-port files, including the mixed-mode conversion of what it accepts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "channels/copper/touchstone.hpp"
#include "phy/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65536) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int ports : {2, 4}) {
    try {
      const optilane::TouchstoneData parsed = optilane::parse_touchstone(text, ports, "fuzz.sNp");
      (void)optilane::differential_sparams(parsed, {1, 3, 2, 4});
    } catch (const optilane::InputError&) {
    }
  }
  return 0;
}

// Fuzz target: the quantity parser must accept or refuse any text with an InputError, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "phy/errors.hpp"
#include "phy/units.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int d = 0; d <= static_cast<int>(optilane::Dimension::angle); ++d) {
    try {
      (void)optilane::parse_quantity(text, static_cast<optilane::Dimension>(d));
    } catch (const optilane::InputError&) {
    }
  }
  return 0;
}

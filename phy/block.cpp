#include "phy/block.hpp"

namespace optilane {

std::string_view power_category_name(PowerCategory category) {
  switch (category) {
    case PowerCategory::laser:
      return "laser";
    case PowerCategory::driver:
      return "driver";
    case PowerCategory::modulator:
      return "modulator";
    case PowerCategory::tia:
      return "tia";
    case PowerCategory::dsp:
      return "dsp";
    case PowerCategory::serdes:
      return "serdes";
    case PowerCategory::tuning:
      return "tuning";
    case PowerCategory::overhead:
      return "overhead";
  }
  return "overhead";
}

}  // namespace optilane

#include "devices/serdes/reach_class.hpp"

#include <fmt/format.h>

#include "phy/errors.hpp"

namespace optilane {

const std::vector<ReachClass>& reach_classes() {
  static const std::vector<ReachClass> classes{
      {.name = "xsr",
       .energy_per_bit_j = 1.1e-12,
       .tx_share = 0.42,
       .channel_loss_db = 13.0,
       .source = "IBM 113 Gb/s PAM4 XSR transceiver in 5 nm, 1–12 dB channels, < 1.1 pJ/bit per "
                 "lane Tx + Rx (V: Gangasani et al., IEEE SSC-L 8, 2025, "
                 "doi:10.1109/LSSC.2025.3526877); Tx share 0.42: a 50 Gb/s XSR transmitter at "
                 "0.42 pJ/bit (figures.md §3, V); loss: OIF CEI-112G-XSR+ ≤ 13 dB (figures.md "
                 "§4, V)"},
      {.name = "vsr",
       .energy_per_bit_j = 2.5e-12,
       .tx_share = 0.4,
       .channel_loss_db = 16.0,
       .source = "U: between XSR (1.1 pJ/bit, V) and the 5.02 pJ/bit MR transceiver (V) of "
                 "figures.md §3; a chip-to-module (C2M) SerDes, ADC-DSP at 200G/lane; loss: C2M "
                 "9–14 dB + package (figures.md §4, V)"},
      {.name = "mr",
       .energy_per_bit_j = 5.02e-12,
       .tx_share = 0.4,
       .channel_loss_db = 20.0,
       .source = "figures.md §3: 64 Gb/s PAM4 28 nm FDSOI transceiver, 16.8 dB channel, "
                 "5.02 mW/(Gb/s) (V, discovery.researcher.life …ae6b59755d403f0e8e1a00a24d4f0f7a)"},
      {.name = "lr",
       .energy_per_bit_j = 6.0e-12,
       .tx_share = 0.35,
       .channel_loss_db = 30.0,
       .source = "figures.md §3: 112G/224G long reach (30–40 dB) about 4–6 / 5–8 pJ/bit (U); "
                 "6 pJ/bit is the overlap"},
  };
  return classes;
}

const ReachClass& reach_class(std::string_view name) {
  for (const auto& c : reach_classes()) {
    if (c.name == name) return c;
  }
  throw ParameterError("class",
                       fmt::format("SerDes class '{}' is unknown (xsr, vsr, mr, lr)", name));
}

}  // namespace optilane

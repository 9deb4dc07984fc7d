// The block registry: every block a config can name, with its maker and its documented keys.
// Adding a model = one entry in registry.cpp (the maker reads the model's parameter struct).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "phy/block.hpp"
#include "phy/params.hpp"

namespace optilane {

struct BlockType {
  std::string name;     ///< the `block:` name in a config
  std::string group;    ///< "signal", "electrical", "optical", "receiver", "dsp"
  std::string summary;  ///< one line for `optilane presets` and docs/config.md
  std::function<std::unique_ptr<Block>(ParamReader&)> make;
};

/// All registered block types, in a stable order.
[[nodiscard]] const std::vector<BlockType>& block_types();
/// The type of a name, or nullptr.
[[nodiscard]] const BlockType* find_block_type(const std::string& name);
/// Names of all registered blocks.
[[nodiscard]] std::vector<std::string> block_type_names();
/// True for the blocks that modulate a carrier a laser upstream supplies (their check_input
/// asks for one): intensity_modulator, eml, mrm, mzm.
[[nodiscard]] bool block_takes_carrier(const std::string& name);

}  // namespace optilane

// docs/config.md, generated from the block registry: each block's keys as its model reads them
// (key, type, unit, default, range, meaning and the default's source), recorded by a
// DocumentingReader. A test regenerates it and compares with the committed file, so the reference
// cannot drift from the code. Regenerate with `optilane docs config -o docs/config.md`.
#pragma once

#include <string>

namespace optilane {

/// The whole config reference, as Markdown.
[[nodiscard]] std::string config_reference_markdown();

}  // namespace optilane

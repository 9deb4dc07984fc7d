// Reading a whole input file (a config, a Touchstone file) with the error a user can act on: the
// file is missing, unreadable, or a directory given where a file was expected.
#pragma once

#include <string>
#include <string_view>

namespace optilane {

/// The text of the file at `path`. `expected` names what the file should be ("a YAML config
/// file"), for the message when `path` is a directory. Throws InputError naming the path and the
/// operating system's reason.
[[nodiscard]] std::string read_input_file(const std::string& path, std::string_view expected);

}  // namespace optilane

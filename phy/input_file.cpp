#include "phy/input_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "phy/errors.hpp"

namespace optilane {

std::string read_input_file(const std::string& path, std::string_view expected) {
  // A directory opens as a stream on Linux and reads as empty text, which would be reported as a
  // config without sections or a Touchstone file without data: say what it is instead.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError::about_file(path, "is a directory, expected " + std::string(expected));
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int reason = errno;
    throw InputError(SourceLocation{.file = path, .line = 0, .key = ""},
                     "cannot open the file: " + std::string(reason != 0 ? std::strerror(reason)
                                                                        : "missing or unreadable"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw InputError(SourceLocation{.file = path, .line = 0, .key = ""}, "cannot read the file");
  return text.str();
}

}  // namespace optilane

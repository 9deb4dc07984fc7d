#include "link/plot.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "link/data_paths.hpp"
#include "optilane/version.hpp"
#include "phy/errors.hpp"

extern char** environ;

namespace optilane {
namespace {

constexpr const char* script_name = "optilane_plot.py";

}  // namespace

std::string find_plot_script() {
  const std::filesystem::path path =
      shipped_data_path(script_name, std::string("scripts/") + script_name);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return path.string();
  throw InputError("cannot find the plot script " + std::string(script_name) + " (looked in " +
                   std::string(install_data_dir) + ", " + std::string(source_dir) +
                   "/scripts and beside the binary's prefix)");
}

int run_plot_script(const std::vector<std::string>& arguments) {
  const std::string script = find_plot_script();
  std::vector<std::string> words{python_executable, script};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, python_executable, nullptr, nullptr, argv.data(), environ);
  if (spawned != 0) {
    throw InputError(std::string("cannot run ") + python_executable +
                     " for the plot script: " + std::strerror(spawned) +
                     " (scripts/install-deps installs python3-h5py and "
                     "python3-matplotlib)");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed for the plot script");
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 3;  // killed by a signal: an internal error from the caller's point of view
}

}  // namespace optilane

#include "link/plot.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "optilane/version.hpp"
#include "phy/errors.hpp"

extern char** environ;

namespace optilane {
namespace {

constexpr const char* script_name = "optilane_plot.py";

std::filesystem::path executable_directory() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path();
}

}  // namespace

std::string find_plot_script() {
  std::vector<std::filesystem::path> candidates;
  // An installed binary finds its own prefix first, so a relocated install keeps working.
  if (const auto bin = executable_directory(); !bin.empty()) {
    candidates.push_back(bin.parent_path() / "share" / "optilane" / script_name);
  }
  candidates.push_back(std::filesystem::path(install_data_dir) / script_name);
  candidates.push_back(std::filesystem::path(source_dir) / "scripts" / script_name);
  std::string searched;
  for (const auto& path : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return path.string();
    searched += (searched.empty() ? "" : ", ") + path.string();
  }
  throw InputError("cannot find the plot script " + std::string(script_name) + " (searched " +
                   searched + ")");
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

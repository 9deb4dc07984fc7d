// A progress bar on standard error for long runs (sweeps): count, rate and ETA, redrawn at most
// a few times a second. Drawn only when standard error is a terminal and not --quiet, so logs and
// pipes stay clean. Thread-safe: any thread may call advance().
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace optilane {

class ProgressBar {
 public:
  /// `label` names the work ("sweep"), `total` the items, `unit` them ("points").
  ProgressBar(std::string label, std::size_t total, std::string unit, bool enabled);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();

  /// True when standard error is a terminal (the default for `enabled`).
  [[nodiscard]] static bool stderr_is_terminal();

  void advance(std::size_t items = 1);
  /// Draws the final state and ends the line (also done by the destructor).
  void finish();

 private:
  void draw(bool final);

  std::string label_, unit_;
  std::size_t total_ = 0, done_ = 0;
  bool enabled_ = false, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::mutex mutex_;
};

}  // namespace optilane

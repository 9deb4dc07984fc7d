// A progress bar on standard error for long runs (sweeps): count, rate and ETA, redrawn at most
// a few times a second. Drawn only when standard error is a terminal and not --quiet, so logs and
// pipes stay clean. Thread-safe: any thread may call advance().
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <ostream>
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

// Progress (below) is the bar of `optilane run`, whose total grows as analyses re-run the chain
// (noise budget, sensitivity): runners report through progress_expect/progress_advance to the bar a
// command made active with ProgressScope, so runner signatures need not carry it. ProgressBar
// (above) serves sweeps, whose total is known up front. TODO: one class for both.
struct ProgressSettings {
  std::chrono::milliseconds interval{100};  ///< least time between redraws
  std::chrono::milliseconds delay{500};     ///< runs shorter than this draw nothing
  int bar_width = 28;                       ///< characters of the bar
};

class Progress {
 public:
  /// A bar labelled `label` counting `unit` ("symbols") onto `out`; nullptr: draws nothing.
  Progress(std::string label, std::string unit, std::ostream* out, ProgressSettings settings = {});
  /// On stderr when it is a terminal and not `quiet`; otherwise silent.
  [[nodiscard]] static Progress for_stderr(std::string label, std::string unit, bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;  // for_stderr returns by guaranteed copy elision
  Progress& operator=(const Progress&) = delete;

  /// Adds `n` units to the work expected (each run of a sweep adds its own).
  void expect(std::uint64_t n);
  /// `n` more units done. Cheap: an atomic add, and a redraw when the interval has passed.
  void advance(std::uint64_t n);
  /// Draws the final line (when anything was drawn) and ends it; idempotent.
  void finish();

  [[nodiscard]] bool enabled() const { return out_ != nullptr; }
  [[nodiscard]] std::uint64_t done() const { return done_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t total() const { return total_.load(std::memory_order_relaxed); }

  /// "0:42", "1:02:03".
  [[nodiscard]] static std::string format_duration(double seconds);
  /// "12.3 k", "1.05 M".
  [[nodiscard]] static std::string format_rate(double per_second);

 private:
  void draw(bool final);

  std::string label_;
  std::string unit_;
  std::ostream* out_;
  ProgressSettings settings_;
  std::atomic<std::uint64_t> done_{0};
  std::atomic<std::uint64_t> total_{0};
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::int64_t> next_draw_ns_{0};  ///< since start_
  std::mutex draw_mutex_;
  bool drawn_ = false;
  bool finished_ = false;
};

/// Makes `progress` the one the runners report to (progress_expect/progress_advance) for the
/// scope's life. A command sets it once; library users without one pay an atomic load per chunk.
class ProgressScope {
 public:
  explicit ProgressScope(Progress& progress);
  ~ProgressScope();
  ProgressScope(const ProgressScope&) = delete;
  ProgressScope& operator=(const ProgressScope&) = delete;

 private:
  Progress* previous_;
};

/// Work announced by a runner (symbols it may simulate), for the active progress bar if any.
void progress_expect(std::uint64_t n);
/// Work done, for the active progress bar if any.
void progress_advance(std::uint64_t n);

}  // namespace optilane

#include "link/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace optilane {
namespace {
constexpr auto redraw_interval = std::chrono::milliseconds(200);
constexpr int bar_width = 30;

std::string duration_text(double seconds) {
  if (!(seconds >= 0.0) || seconds > 1e7) return "?";
  if (seconds < 60.0) return fmt::format("{:.0f} s", seconds);
  if (seconds < 3600.0)
    return fmt::format("{:.0f} min {:02.0f} s", std::floor(seconds / 60.0),
                       std::fmod(seconds, 60.0));
  return fmt::format("{:.0f} h {:02.0f} min", std::floor(seconds / 3600.0),
                     std::fmod(seconds / 60.0, 60.0));
}
}  // namespace

ProgressBar::ProgressBar(std::string label, std::size_t total, std::string unit, bool enabled)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  if (enabled_) draw(false);
}

ProgressBar::~ProgressBar() {
  finish();
}

bool ProgressBar::stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

void ProgressBar::advance(std::size_t items) {
  const std::lock_guard lock(mutex_);
  done_ += items;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ >= redraw_interval) {
    last_draw_ = now;
    draw(false);
  }
}

void ProgressBar::finish() {
  const std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (enabled_) draw(true);
}

void ProgressBar::draw(bool final) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction =
      total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(fraction * bar_width);
  const double rate = elapsed > 0.0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0.0 ? static_cast<double>(total_ - done_) / rate : -1.0;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(bar_width, '.');
  const std::string line =
      fmt::format("\r{} [{}] {}/{} {}  {:.3g} {}/s  {} {}", label_, bar, done_, total_, unit_, rate,
                  unit_, final ? "took" : "ETA", duration_text(final ? elapsed : eta));
  std::fputs((line + "\033[K" + (final ? "\n" : "")).c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace optilane

#include "link/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

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

namespace {

std::atomic<Progress*> active_progress{nullptr};

}  // namespace

ProgressScope::ProgressScope(Progress& progress) : previous_(active_progress.exchange(&progress)) {}

ProgressScope::~ProgressScope() {
  active_progress.store(previous_);
}

void progress_expect(std::uint64_t n) {
  if (Progress* p = active_progress.load(std::memory_order_acquire)) p->expect(n);
}

void progress_advance(std::uint64_t n) {
  if (Progress* p = active_progress.load(std::memory_order_acquire)) p->advance(n);
}

Progress::Progress(std::string label, std::string unit, std::ostream* out,
                   ProgressSettings settings)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      out_(out),
      settings_(settings),
      start_(std::chrono::steady_clock::now()) {
  next_draw_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.delay).count();
}

Progress Progress::for_stderr(std::string label, std::string unit, bool quiet) {
  const bool terminal = isatty(STDERR_FILENO) == 1;
  return Progress(std::move(label), std::move(unit), quiet || !terminal ? nullptr : &std::cerr);
}

Progress::~Progress() {
  finish();
}

void Progress::expect(std::uint64_t n) {
  total_.fetch_add(n, std::memory_order_relaxed);
}

void Progress::advance(std::uint64_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  if (out_ == nullptr) return;
  const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - start_)
                                  .count();
  std::int64_t due = next_draw_ns_.load(std::memory_order_relaxed);
  if (now_ns < due) return;
  // One thread claims this redraw; the others carry on computing.
  const std::int64_t next =
      now_ns + std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.interval).count();
  if (!next_draw_ns_.compare_exchange_strong(due, next, std::memory_order_relaxed)) return;
  std::unique_lock lock(draw_mutex_, std::try_to_lock);
  if (lock.owns_lock() && !finished_) draw(false);
}

void Progress::finish() {
  if (out_ == nullptr) return;
  const std::lock_guard lock(draw_mutex_);
  if (finished_) return;
  finished_ = true;
  if (drawn_) {
    draw(true);
    *out_ << '\n' << std::flush;
  }
}

void Progress::draw(bool final) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const auto done = static_cast<double>(done_.load(std::memory_order_relaxed));
  const auto total = static_cast<double>(total_.load(std::memory_order_relaxed));
  const double fraction = total > 0 ? std::clamp(done / total, 0.0, 1.0) : 0.0;
  const int filled = static_cast<int>(std::lround(fraction * settings_.bar_width));
  const double rate = elapsed > 0 ? done / elapsed : 0.0;
  std::string tail;
  if (final) {
    tail = "in " + format_duration(elapsed);
  } else if (rate > 0 && total > done) {
    tail = "ETA " + format_duration((total - done) / rate);
  }
  // \r and clear-to-end-of-line: the line shrinks cleanly when the ETA gets shorter.
  *out_ << fmt::format("\r{} [{}{}] {:3.0f} %  {}{}/s  {}\x1b[K", label_,
                       std::string(static_cast<std::size_t>(filled), '#'),
                       std::string(static_cast<std::size_t>(settings_.bar_width - filled), '.'),
                       100.0 * (final ? 1.0 : fraction), format_rate(rate), unit_, tail)
        << std::flush;
  drawn_ = true;
}

std::string Progress::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02d}", s / 60, s % 60);
}

std::string Progress::format_rate(double per_second) {
  if (per_second >= 1e9) return fmt::format("{:.3g} G", per_second / 1e9);
  if (per_second >= 1e6) return fmt::format("{:.3g} M", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.3g} k", per_second / 1e3);
  return fmt::format("{:.3g} ", per_second);
}

}  // namespace optilane

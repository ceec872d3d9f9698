// src/app/terminal.h: what a live display needs to know about its terminal, and a rate
// estimate that follows the work's current pace.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

namespace orch::app {

/// The terminal's width in columns (asked on every call, so a resized window is followed);
/// $COLUMNS, else 80, when `out` is no terminal.
int TerminalColumns(std::FILE* out);

/// Columns counted in characters, not bytes (± and Δ are two bytes in UTF-8).
size_t DisplayWidth(std::string_view text);

/// `text` cut to at most `columns - 1` display columns (so that it never wraps, which would
/// break a display that redraws by moving the cursor up), with `…` where it was cut.
std::string FitToWidth(std::string_view text, int columns);

/// Work per second: the pace of the last `window` of samples (a sweep's phases run at different
/// paces), but never below the average since the start (a phase that does not advance the step,
/// TD-MPC2's pretraining burst or an evaluation, would otherwise read as hours left). No
/// estimate until the work has run `warmup`.
class RecentRate {
 public:
  explicit RecentRate(std::chrono::seconds window = std::chrono::seconds(30),
                      std::chrono::seconds warmup = std::chrono::seconds(3))
      : window_(window), warmup_(warmup) {}
  void Add(std::chrono::steady_clock::time_point now, double work);
  /// Work per second; 0 until warmed up.
  double PerSecond() const;
  /// Seconds left for `remaining` work at the recent pace; NaN until warmed up.
  double SecondsLeft(double remaining) const;

 private:
  std::chrono::seconds window_;
  std::chrono::seconds warmup_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, double>> samples_;
  std::chrono::steady_clock::time_point first_{};
  std::pair<std::chrono::steady_clock::time_point, double> start_{};
  bool started_ = false;
};

}  // namespace orch::app

// src/app/progress_display.h: a run's progress on the terminal: a live line on a TTY, plain
// periodic lines otherwise.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "app/terminal.h"
#include "sweep/worker_process.h"

namespace orch::app {

using sweep::ProgressUpdate;

class ProgressDisplay {
 public:
  /// `label` prefixes each line (`tam`); `unit` names what is counted (`episodes`). Writes to
  /// `out` (stderr), live when it is a terminal.
  ProgressDisplay(std::string label, std::string unit, std::FILE* out);
  void Update(const ProgressUpdate& update);
  /// Ends the live line (so that later output starts on a fresh line).
  void Finish();

  /// `1234/8000 episodes  15.4%  96/s  ETA 1:10  soft_bind 0.912  E_T_train 15.7`.
  static std::string FormatLine(const std::string& unit, const ProgressUpdate& update,
                                double rate_per_second);
  /// `1:10`, `1:02:03`, `?` for unknown.
  static std::string FormatDuration(double seconds);

 private:
  std::string label_;
  std::string unit_;
  std::FILE* out_;
  bool live_;
  bool line_open_ = false;
  std::chrono::steady_clock::time_point started_;
  RecentRate rate_;
  std::chrono::steady_clock::time_point last_plain_{};
  int64_t first_done_ = -1;
  double last_percent_printed_ = -1;
};

}  // namespace orch::app

// src/app/sweep_progress.h: a sweep's progress on the terminal: a live block on a TTY (counts,
// ETA, one line per running run), plain event and summary lines otherwise.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include "app/terminal.h"
#include "sweep/local_launcher.h"

namespace orch::app {

class SweepProgress : public sweep::LaunchObserver {
 public:
  /// `total_runs` to launch, `total_work` their summed step budgets (for the ETA).
  SweepProgress(std::string name, size_t total_runs, int64_t total_work, std::FILE* out);

  void OnStarted(const sweep::LaunchItem& item, int attempt) override;
  void OnProgress(const sweep::LaunchItem& item, const sweep::ProgressUpdate& update) override;
  void OnFinished(const sweep::LaunchItem& item, const sweep::RunOutcome& outcome,
                  bool will_retry) override;
  void OnSkipped(const sweep::LaunchItem& item, const std::string& why) override;
  /// Clears the live block.
  void Finish();

  /// `3/6 done, 2 running, 1 failed, 0 queued  ETA 0:42`.
  std::string CountsLine() const;

 private:
  struct Running {
    std::string label;
    sweep::ProgressUpdate update;
    int attempt = 1;
    std::chrono::steady_clock::time_point started;
    int64_t first_done = -1;  ///< the first step reported (a resumed run starts later)
    RecentRate rate;          ///< steps per second over the last 30 s
  };
  void Redraw(bool force);
  void Print(const std::string& line);
  double WorkDone() const;

  std::string name_;
  size_t total_runs_;
  int64_t total_work_;
  std::FILE* out_;
  bool live_;
  std::mutex mutex_;
  std::map<size_t, Running> running_;
  size_t done_ = 0;
  size_t failed_ = 0;
  size_t interrupted_ = 0;
  size_t skipped_ = 0;
  int64_t finished_work_ = 0;
  int lines_drawn_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_{};
  /// Steps run in this launch: not those a continued run had done before, which would make
  /// the pace, and so the ETA, look far better than it is.
  int64_t launch_work_ = 0;
  RecentRate sweep_rate_;  ///< launch_work_ per second, recently
};

}  // namespace orch::app

// src/app/stop_signals.cpp
#include "app/stop_signals.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace orch::app {
namespace {

std::atomic<int> g_stop_requests{0};
const char* g_first_message = "";
const char* g_second_message = "";

void OnStopSignal(int) {
  int requests = g_stop_requests.fetch_add(1) + 1;
  const char* message = requests == 1 ? g_first_message : g_second_message;
  (void)!write(STDERR_FILENO, message, std::strlen(message));  // async-signal-safe
}

std::atomic<int> g_time_limit_signals{0};

void OnTimeLimitSignal(int) {
  g_time_limit_signals.fetch_add(1);
  int none = 0;
  g_stop_requests.compare_exchange_strong(none, 1);  // a checkpoint, never a kill
  constexpr char kMessage[] =
      "\norch: time limit near (SIGUSR1): the run writes a checkpoint and ends\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

void InstallTimeLimitSignal() {
  struct sigaction action = {};
  action.sa_handler = OnTimeLimitSignal;
  sigaction(SIGUSR1, &action, nullptr);
}

std::atomic<int>& TimeLimitSignals() { return g_time_limit_signals; }

void InstallStopSignals(const char* first, const char* second) {
  g_first_message = first;
  g_second_message = second;
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::atomic<int>& StopRequests() { return g_stop_requests; }

}  // namespace orch::app

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

}  // namespace

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

// src/sweep/slurm/slurm_cli.cpp
#include "sweep/slurm/slurm_cli.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/string_util.h"

extern char** environ;

namespace orch::sweep::slurm {
namespace {

std::string ReadAll(int fd) {
  std::string text;
  char buffer[8192];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fd);
  return text;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv_text) {
  CommandResult result;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  std::vector<std::string> copy = argv_text;
  std::vector<char*> argv;
  for (auto& arg : copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.exit_code = 127;
    result.err = fmt::format("cannot run {}: {}", argv_text.front(), strerror(spawned));
    return result;
  }
  // outputs are small (an squeue listing at most some 100 KB); stderr fits its pipe meanwhile
  result.out = ReadAll(out_pipe[0]);
  result.err = ReadAll(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

bool SlurmCommandsPresent() { return RunCommand({"sbatch", "--version"}).exit_code == 0; }

int64_t MaxArraySize() {
  CommandResult shown = RunCommand({"scontrol", "show", "config"});
  if (shown.exit_code != 0) return 1001;
  for (const auto& line : Split(shown.out, '\n')) {
    std::string trimmed(Trim(line));
    if (!StartsWith(trimmed, "MaxArraySize")) continue;
    size_t equals = trimmed.find('=');
    if (equals == std::string::npos) break;
    try {
      return std::stoll(std::string(Trim(trimmed.substr(equals + 1))));
    } catch (const std::exception&) {
      break;
    }
  }
  return 1001;
}

std::string Submit(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult submitted = RunCommand(argv);
  std::string id(Trim(submitted.out));
  // --parsable prints `id` or `id;cluster`
  id = id.substr(0, id.find(';'));
  if (submitted.exit_code != 0 || id.empty() ||
      !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw OrchError(
        fmt::format("sbatch failed (exit code {}): {}", submitted.exit_code,
                    std::string(Trim(submitted.err.empty() ? submitted.out : submitted.err))));
  }
  return id;
}

std::map<std::string, std::string> QueueStates(const std::vector<std::string>& job_ids) {
  std::map<std::string, std::string> states;
  if (job_ids.empty()) return states;
  // every job, one line per array task (-r), filtered here: squeue -j fails on ids it forgot
  CommandResult listed = RunCommand({"squeue", "-h", "-r", "-o", "%i|%F|%T"});
  if (listed.exit_code != 0) return states;
  for (const auto& line : Split(listed.out, '\n')) {
    std::vector<std::string> fields = Split(Trim(line), '|');
    if (fields.size() != 3) continue;
    const std::string& id = fields[0];     // 123_4, or 123
    const std::string& array = fields[1];  // 123 for every task of array 123
    if (std::find(job_ids.begin(), job_ids.end(), array) == job_ids.end() &&
        std::find(job_ids.begin(), job_ids.end(), id) == job_ids.end()) {
      continue;
    }
    states[id] = fields[2];
  }
  return states;
}

namespace {

/// States a job is in while it may still run (squeue's); EndedState reports only the others.
bool StillLive(std::string_view state) {
  for (std::string_view live : {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED",
                                "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SUSPENDED", "STOPPED",
                                "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD", "SPECIAL_EXIT"}) {
    if (state == live) return true;
  }
  return false;
}

std::string EndText(std::string_view state, std::string_view exit_code, std::string_view reason) {
  std::string text(state);
  std::vector<std::string> details;
  if (!exit_code.empty()) details.push_back(fmt::format("exit code {}", exit_code));
  if (!reason.empty() && reason != "None") details.push_back(fmt::format("reason {}", reason));
  if (!details.empty()) text += " (" + Join(details, ", ") + ")";
  return text;
}

}  // namespace

std::optional<std::string> ParseScontrolEnd(std::string_view shown) {
  std::string state, exit_code, reason;
  for (const auto& field : Split(shown, ' ')) {
    std::string_view text = Trim(field);
    if (StartsWith(text, "JobState=")) state = text.substr(9);
    if (StartsWith(text, "ExitCode=")) exit_code = text.substr(9);
    if (StartsWith(text, "Reason=")) reason = text.substr(7);
  }
  if (state.empty() || StillLive(state)) return std::nullopt;
  return EndText(state, exit_code, reason);
}

std::optional<std::string> ParseSacctEnd(std::string_view listed) {
  // one line per allocation (-X); a requeued task's last line is its latest attempt
  std::optional<std::string> ended;
  for (const auto& line : Split(listed, '\n')) {
    std::vector<std::string> fields = Split(Trim(line), '|');
    if (fields.size() != 2 || fields[0].empty()) continue;
    // "CANCELLED by 0": the state is the first word
    const std::string state = fields[0].substr(0, fields[0].find(' '));
    ended = StillLive(state) ? std::nullopt : std::optional(EndText(fields[0], fields[1], ""));
  }
  return ended;
}

std::optional<std::string> EndedState(const std::string& job_id) {
  CommandResult shown = RunCommand({"scontrol", "show", "job", "-o", job_id});
  if (shown.exit_code == 0) {
    if (auto ended = ParseScontrolEnd(shown.out)) return ended;
  }
  CommandResult listed =
      RunCommand({"sacct", "-n", "-P", "-X", "-j", job_id, "-o", "State,ExitCode"});
  if (listed.exit_code == 0) return ParseSacctEnd(listed.out);
  return std::nullopt;
}

bool Requeue(const std::string& job_id) {
  CommandResult requeued = RunCommand({"scontrol", "requeue", job_id});
  if (requeued.exit_code != 0) {
    std::fprintf(stderr, "orch: scontrol requeue %s failed: %s\n", job_id.c_str(),
                 std::string(Trim(requeued.err)).c_str());
  }
  return requeued.exit_code == 0;
}

CommandResult Cancel(const std::vector<std::string>& job_ids) {
  std::vector<std::string> argv = {"scancel"};
  argv.insert(argv.end(), job_ids.begin(), job_ids.end());
  return RunCommand(argv);
}

}  // namespace orch::sweep::slurm

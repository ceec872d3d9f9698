// tests/app/orch_process.cpp
#include "orch_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/string_util.h"

namespace orch::testing {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ProcessResult RunOrch(const std::vector<std::string>& args, const fs::path& cwd,
                      const std::vector<std::string>& environment) {
  static int counter = 0;
  fs::path base = fs::temp_directory_path() /
                  ("orch-cli-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::string command = "cd " + SingleQuoted(cwd.string()) + " && env";
  for (const auto& entry : environment) command += " " + SingleQuoted(entry);
  command += " " + SingleQuoted(std::string(ORCH_BUILD_DIR) + "/src/app/orch");
  for (const auto& arg : args) command += " " + SingleQuoted(arg);
  command +=
      " > " + SingleQuoted(base.string() + ".out") + " 2> " + SingleQuoted(base.string() + ".err");
  int status = std::system(command.c_str());
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = Slurp(base.string() + ".out");
  result.err = Slurp(base.string() + ".err");
  fs::remove(base.string() + ".out");
  fs::remove(base.string() + ".err");
  return result;
}

TempDir::TempDir(const std::string& name)
    : path_(fs::temp_directory_path() / ("orch-test-" + name + "-" + std::to_string(getpid()))) {
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code error;
  fs::remove_all(path_, error);
}

void TempDir::Write(const std::string& relative, const std::string& content) const {
  fs::create_directories((path_ / relative).parent_path());
  std::ofstream(path_ / relative) << content;
}

}  // namespace orch::testing

// src/app/python_tool.cpp
#include "app/python_tool.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "app/commands.h"
#include "common/error.h"
#include "common/string_util.h"

namespace orch::app {
namespace {

std::filesystem::path ToolsDirectory() {
  if (const char* env = std::getenv("ORCH_TOOLS_DIR"); env != nullptr && *env != '\0') return env;
  return std::filesystem::path(ORCH_SOURCE_DIR) / "tools";
}

}  // namespace

int RunPythonTool(const std::string& script, const std::vector<std::string>& args,
                  bool stdout_to_stderr) {
  std::filesystem::path path = ToolsDirectory() / script;
  if (!std::filesystem::exists(path)) {
    throw OrchError("cannot find " + path.string() + " (set ORCH_TOOLS_DIR to orch's tools/)");
  }
  std::string command = "/usr/bin/python3 " + ShellQuote(path.string());
  for (const auto& arg : args) command += " " + ShellQuote(arg);
  if (stdout_to_stderr) command += " 1>&2";
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "orch: %s failed (%s)\n", script.c_str(), command.c_str());
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace orch::app

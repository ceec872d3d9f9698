// src/app/python_tool.h: running a script of orch's tools/ (plots, reports) with Debian's
// Python. Tools draw what people would rather look at than read; they are never in a run's path.
#pragma once

#include <string>
#include <vector>

namespace orch::app {

/// Runs `/usr/bin/python3 tools/SCRIPT ARGS...` (tools/ of the source tree, or
/// $ORCH_TOOLS_DIR). The tool's stdout goes to our stderr when `stdout_to_stderr` (so that a
/// command's own stdout stays machine-readable). Returns kExitOk, or kExitFailed with a
/// message naming the command; throws OrchError when the script is missing.
int RunPythonTool(const std::string& script, const std::vector<std::string>& args,
                  bool stdout_to_stderr = false);

}  // namespace orch::app

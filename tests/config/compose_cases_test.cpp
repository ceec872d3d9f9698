// Tests src/config/compose.cpp and src/config/defaults_list.cpp through the data-driven cases in
// tests/config/compose_cases/*.case.
//
// A case file is self-describing:
//   # name: <name>
//   # description: <what the case shows>
//   --- file: <path below the config root>      (one or more; the content follows)
//   --- primary: <path>                          (optional; default config.yaml)
//   --- overrides                                (optional; one override per line)
//   --- env                                      (optional; VAR=value lines for ${oc.env:VAR})
//   --- schema                                   (optional; validate with orch's root schema)
//   --- expect                                   (the composed YAML, exactly)
//   --- error                                    (or: lines that must all appear in the errors)
// In expected errors, <root> stands for the config root directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/config_schema.h"
#include "common/error.h"
#include "common/string_util.h"
#include "config/compose.h"
#include "config/validate.h"
#include "config/yaml_writer.h"

namespace orch::config {
namespace {

namespace fs = std::filesystem;

struct ComposeCase {
  std::string name;
  std::string description;
  std::map<std::string, std::string> files;
  std::string primary = "config.yaml";
  std::vector<std::string> overrides;
  std::map<std::string, std::string> env;
  bool schema = false;
  std::optional<std::string> expect;
  std::vector<std::string> errors;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

ComposeCase ParseCase(const fs::path& path) {
  ComposeCase parsed;
  parsed.name = path.stem().string();
  std::istringstream lines(ReadFile(path));
  std::string line;
  std::string section;
  std::string file_name;
  std::string body;
  auto flush = [&]() {
    if (section == "file") parsed.files[file_name] = body;
    if (section == "expect") parsed.expect = body;
    if (section == "overrides" || section == "error" || section == "env") {
      for (const auto& item : Split(body, '\n')) {
        if (item.empty()) continue;
        if (section == "overrides") parsed.overrides.push_back(item);
        if (section == "error") parsed.errors.push_back(item);
        if (section == "env") {
          size_t eq = item.find('=');
          parsed.env[item.substr(0, eq)] = item.substr(eq + 1);
        }
      }
    }
    body.clear();
  };
  while (std::getline(lines, line)) {
    if (StartsWith(line, "--- ")) {
      flush();
      std::string header = line.substr(4);
      size_t colon = header.find(':');
      section = std::string(Trim(header.substr(0, colon)));
      std::string argument =
          colon == std::string::npos ? "" : std::string(Trim(header.substr(colon + 1)));
      if (section == "file") file_name = argument;
      if (section == "primary") parsed.primary = argument;
      if (section == "schema") parsed.schema = true;
      continue;
    }
    if (section.empty()) {
      if (StartsWith(line, "# description:"))
        parsed.description = std::string(Trim(line.substr(14)));
      continue;
    }
    body += line + "\n";
  }
  flush();
  return parsed;
}

std::vector<fs::path> CaseFiles() {
  std::vector<fs::path> files;
  for (const auto& entry :
       fs::directory_iterator(fs::path(ORCH_SOURCE_DIR) / "tests/config/compose_cases")) {
    if (entry.path().extension() == ".case") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ComposeCaseTest : public ::testing::TestWithParam<fs::path> {};

TEST_P(ComposeCaseTest, MatchesExpectation) {
  ComposeCase test_case = ParseCase(GetParam());
  ASSERT_TRUE(test_case.expect.has_value() != !test_case.errors.empty())
      << "a case needs exactly one of '--- expect' and '--- error'";

  // the config tree goes into a fresh directory
  fs::path root = fs::temp_directory_path() / ("orch-case-" + test_case.name);
  fs::remove_all(root);
  for (const auto& [name, content] : test_case.files) {
    fs::create_directories((root / name).parent_path());
    std::ofstream(root / name) << content;
  }

  std::string produced;
  std::string error_text;
  try {
    PrimaryConfig primary = LocatePrimaryConfig(root / test_case.primary, root);
    ConfigRepository repository(primary.root);
    ComposeOptions options;
    options.interpolation.get_env = [&](const std::string& name) -> std::optional<std::string> {
      auto it = test_case.env.find(name);
      if (it == test_case.env.end()) return std::nullopt;
      return it->second;
    };
    if (test_case.schema) {
      options.prepare = [](Node& tree) { FillSchemaDefaults(app::RootSchema(), tree); };
    }
    ComposedConfig composed =
        Compose(repository, primary.config_path, ParseOverrides(test_case.overrides), options);
    if (test_case.schema) ValidateConfig(app::RootSchema(), composed.tree, composed.diagnostics);
    if (composed.diagnostics.HasErrors()) {
      error_text = composed.diagnostics.Format();
    } else {
      produced = ToYaml(composed.tree);
    }
  } catch (const ConfigError& error) {
    error_text = error.diagnostics().Format();
  }
  // paths in messages: the config root becomes <root>
  std::string root_text = root.generic_string();
  for (size_t at = error_text.find(root_text); at != std::string::npos;
       at = error_text.find(root_text)) {
    error_text.replace(at, root_text.size(), "<root>");
  }

  if (test_case.expect) {
    EXPECT_EQ(error_text, "") << test_case.description;
    EXPECT_EQ(produced, *test_case.expect) << test_case.description;
  } else {
    EXPECT_EQ(produced, "") << "expected an error: " << test_case.description;
    for (const auto& expected : test_case.errors) {
      EXPECT_NE(error_text.find(expected), std::string::npos)
          << "missing: " << expected << "\nin:\n"
          << error_text << "\n(" << test_case.description << ")";
    }
  }
  fs::remove_all(root);
}

INSTANTIATE_TEST_SUITE_P(Cases, ComposeCaseTest, ::testing::ValuesIn(CaseFiles()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.stem().string();
                           for (auto& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace orch::config

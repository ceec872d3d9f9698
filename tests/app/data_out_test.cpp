// Tests the researcher's loop around runs (src/app/command_tag.cpp, command_ls.cpp,
// command_export.cpp, the store's views): tags and notes outside the config hash, ls filters
// by tag and parameter, a sweep exported as one long table, and the README's SQL example.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "orch_process.h"

namespace orch::app {
namespace {

namespace fs = std::filesystem;
using orch::testing::Contains;
using orch::testing::RunOrch;
using orch::testing::Slurp;
using orch::testing::TempDir;

const std::string kTam = std::string(ORCH_SOURCE_DIR) + "/configs/tam/pendulum.yaml";

class DataOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>("data-out");
    store_ = (dir_->path() / "orch.db").string();
    auto swept = Sweep();
    ASSERT_EQ(swept.exit_code, 0) << swept.err;
  }
  orch::testing::ProcessResult Sweep() const {
    return RunOrch({"sweep", kTam, "seed=0,1", "tam.memory.w_mem=0,0.02", "tam.episodes=40",
                    "--name", "wmem", "--jobs", "2", "--store", store_});
  }
  orch::testing::ProcessResult Orch(std::vector<std::string> args) const {
    args.insert(args.end(), {"--store", store_});
    return RunOrch(args);
  }
  size_t Lines(const std::string& text) const {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }

  std::unique_ptr<TempDir> dir_;
  std::string store_;
};

TEST_F(DataOutTest, TagsAndNotesLeaveTheConfigHashAndTheRunsIdentity) {
  const std::string before = Orch({"show", "1"}).out;
  ASSERT_EQ(Orch({"tag", "1", "2", "+paper", "+fast"}).exit_code, 0);
  ASSERT_EQ(Orch({"tag", "2", "-fast"}).exit_code, 0);
  ASSERT_EQ(Orch({"note", "1", "baseline, looks fine"}).exit_code, 0);
  const std::string after = Orch({"show", "1"}).out;
  auto sha_line = [](const std::string& text) { return text.substr(text.find("sha256"), 71); };
  EXPECT_EQ(sha_line(after), sha_line(before));
  EXPECT_TRUE(Contains(after, "tags        fast paper")) << after;
  EXPECT_TRUE(Contains(after, "note        baseline, looks fine")) << after;
  // what the TAM workload left in its run directory is recorded as artifacts
  EXPECT_TRUE(Contains(after, "analysis.json")) << after;
  EXPECT_TRUE(Contains(after, "zmap.csv")) << after;

  // the same sweep again finds every run: tags are no part of the identity
  auto again = Sweep();
  EXPECT_TRUE(Contains(again.err, "already completed")) << again.err;
  EXPECT_EQ(Lines(Orch({"ls"}).out), 5u);  // header + 4 runs

  auto paper = Orch({"ls", "--tag", "paper"}).out;
  EXPECT_EQ(Lines(paper), 3u) << paper;
  auto fast = Orch({"ls", "--tag", "paper", "--tag", "fast"}).out;
  EXPECT_EQ(Lines(fast), 2u) << fast;
  EXPECT_TRUE(Contains(fast, "#fast #paper")) << fast;
  EXPECT_EQ(Orch({"tag", "1", "+bad tag"}).exit_code, 2);
}

TEST_F(DataOutTest, LsFiltersByStoredParametersAndShowsSmoothedHeadlines) {
  auto where = Orch({"ls", "--where", "tam.memory.w_mem=0.02"}).out;
  EXPECT_EQ(Lines(where), 3u) << where;
  auto both = Orch({"ls", "--where", "tam.memory.w_mem=0.020", "--where", "seed=1"}).out;
  EXPECT_EQ(Lines(both), 2u) << both;
  EXPECT_EQ(Orch({"ls", "--where", "w_mem"}).exit_code, 2);
  // a misspelt status would list nothing, as if there were no such runs
  auto misspelt = Orch({"ls", "--status", "complete"});
  EXPECT_EQ(misspelt.exit_code, 2);
  EXPECT_TRUE(Contains(misspelt.err, "Did you mean 'completed'?")) << misspelt.err;

  // the headline is the mean over the last 10% of the steps: compare with the export
  auto exported = Orch({"export", "1", "--format", "csv", "--key", "soft_bind"}).out;
  std::istringstream lines(exported);
  std::string line;
  std::getline(lines, line);  // header
  double sum = 0;
  int count = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::stringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
    if (std::stoll(fields[1]) >= 36) {  // steps 0..39: the last 10% are 36..39
      sum += std::stod(fields[2]);
      ++count;
    }
  }
  ASSERT_EQ(count, 4);
  auto json = Orch({"ls", "--json", "--where", "seed=0", "--where", "tam.memory.w_mem=0"}).out;
  char expected[64];
  std::snprintf(expected, sizeof expected, "\"soft_bind\": %.6g", sum / count);
  EXPECT_TRUE(Contains(json, std::string(expected).substr(0, 18))) << json << "\n" << expected;
}

TEST_F(DataOutTest, ASweepExportsAsOneLongTableWithItsVaryingParameters) {
  auto csv = Orch(
      {"export", "--sweep", "wmem", "--format", "csv", "--key", "soft_bind", "--key", "exp_nll"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')),
            "run,uuid,sweep,variant,task,seed,tam.memory.w_mem,key,step,value,wall_ms");
  EXPECT_EQ(Lines(csv.out), 1u + 4 * 2 * 40);
  EXPECT_TRUE(Contains(csv.out, ",wmem,tam.memory.w_mem=0.02,controlled-pendulum,1,0.02,exp_nll,"))
      << csv.out.substr(0, 600);
  auto json = Orch({"export", "1", "2", "--format", "json", "--key", "soft_bind"});
  EXPECT_EQ(json.out.front(), '[');
  EXPECT_EQ(Orch({"export", "--sweep", "wmme", "--format", "csv"}).exit_code, 2);
}

TEST_F(DataOutTest, TheReadmesSqlExampleRuns) {
  // the block after the marker in README.md, run as written against this store
  const std::string readme = Slurp(fs::path(ORCH_SOURCE_DIR) / "README.md");
  const size_t marker = readme.find("<!-- sql-example: tested by tests/app/data_out_test.cpp -->");
  ASSERT_NE(marker, std::string::npos);
  const size_t start = readme.find("```sql\n", marker) + 7;
  const std::string sql = readme.substr(start, readme.find("```", start) - start);
  ASSERT_EQ(Orch({"ls"}).exit_code, 0);  // opens (and migrates) the store
  SQLite::Database db(store_, SQLite::OPEN_READONLY);
  SQLite::Statement query(db, sql);
  int rows = 0;
  while (query.executeStep()) {
    EXPECT_EQ(query.getColumnCount(), 3);
    ++rows;
  }
  EXPECT_EQ(rows, 4);
}

}  // namespace
}  // namespace orch::app

// Tests the algorithm seam (src/algos/algorithms.cpp, src/app/workload_registry.cpp): every
// algorithm of the one list has a descriptor and a workload, and nothing else has either; and
// every env the schema names can be built.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "algos/algorithm.h"
#include "app/workload_registry.h"
#include "envs/env_options.h"
#include "envs/env_registry.h"

namespace orch {
namespace {

TEST(AlgorithmListTest, EveryDescriptorHasAWorkloadAndEveryWorkloadADescriptor) {
  rl::WorkloadRegistry registry;
  app::RegisterBuiltinWorkloads(registry);
  std::vector<std::string> descriptors;
  for (const auto* algorithm : algos::Algorithms()) {
    descriptors.push_back(algorithm->name);
    EXPECT_NO_THROW(registry.Get(algorithm->name)) << algorithm->name;
    EXPECT_FALSE(algorithm->namespaces.empty()) << algorithm->name;
    EXPECT_TRUE(algorithm->budget) << algorithm->name;
    EXPECT_FALSE(algorithm->envs.empty()) << algorithm->name;
  }
  std::vector<std::string> workloads = registry.Names();
  std::sort(descriptors.begin(), descriptors.end());
  EXPECT_EQ(workloads, descriptors);
}

TEST(AlgorithmListTest, EveryEnvOfTheSchemaCanBeBuiltAndNoOther) {
  std::vector<std::string> schema_names;
  for (const auto& [name, schema] : envs::EnvSchemas()) {
    schema_names.push_back(name);
    config::Node section = schema->Defaults();
    section.Set("name", config::Node::String(name));
    auto env = envs::MakeEnv(section, 1);
    EXPECT_EQ(env->name(), name);
    EXPECT_GT(env->obs_dim(), 0) << name;
  }
  EXPECT_EQ(envs::EnvNames(), schema_names);
  // every env an algorithm claims exists
  for (const auto* algorithm : algos::Algorithms()) {
    for (const auto& env : algorithm->envs) {
      EXPECT_NE(std::find(schema_names.begin(), schema_names.end(), env), schema_names.end())
          << algorithm->name << " runs on unknown env " << env;
    }
  }
}

}  // namespace
}  // namespace orch

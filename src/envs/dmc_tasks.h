// src/envs/dmc_tasks.h: the three DMControl tasks (tdmpc2.md §10-12) and their embedded models.
// MakeDmcTask (envs/dmc_env.h) chooses among them by name; these are for callers and tests that
// want one task directly (each ignores options.name and names itself).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "envs/dmc_env.h"

namespace orch::envs {

/// The MJCF texts of src/envs/mjcf/*.xml, embedded at build time by tools/embed_text.py.
extern const char* const kCheetahMjcf;
extern const char* const kWalkerMjcf;
extern const char* const kPendulumMjcf;

/// cheetah-run: 1 physics step of 0.01 s per control step; obs (17) = qpos[1:] then qvel;
/// action (6); reward clip(torso subtree x velocity / 10, 0, 1); init: limited joints uniform in
/// their range, then 200 settling physics steps with zero control, time reset to 0.
std::unique_ptr<DmcTask> MakeCheetahRun(const DmcTaskOptions& options, uint64_t run_seed,
                                        std::string_view stream_name = "env");

/// walker-walk: 10 physics steps of 0.0025 s per 0.025 s control step; obs (24) = xx, xz of the 7
/// body frames, torso height, qvel; action (6); reward stand * (5 move + 1) / 6; init: limited
/// hinges uniform in their range, rooty uniform in [-pi, pi], slides untouched.
std::unique_ptr<DmcTask> MakeWalkerWalk(const DmcTaskOptions& options, uint64_t run_seed,
                                        std::string_view stream_name = "env");

/// pendulum-swingup: 1 physics step of 0.02 s per control step; obs (3) = pole zz, xz, hinge
/// velocity; action (1); reward 1 within 8 degrees of upright, else 0; init: hinge uniform in
/// [-pi, pi).
std::unique_ptr<DmcTask> MakePendulumSwingup(const DmcTaskOptions& options, uint64_t run_seed,
                                             std::string_view stream_name = "env");

}  // namespace orch::envs

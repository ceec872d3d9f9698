// src/envs/env_list.h: the one list of environments. Adding an env is its own files (the env,
// its options struct and schema in env_options) and one line here; the `env` schema's variants
// (EnvSchemas, the light front end), the factories (MakeEnv, the worker) and the DMControl tasks
// TD-MPC2 runs on (DmcTaskNames, MakeDmcTask) all follow from it.
//
// X(name, Options, schema, make): `schema()` returns the env's config::Schema (env_options.h);
// `make(const Options&, uint64_t run_seed, std::string_view stream_name)` builds it. `make` is
// named only where the envs' headers are included (env_registry.cpp, dmc_env.cpp), so the front
// end, which expands the list without it, never sees an env class.
#pragma once

// The DMControl-style MuJoCo tasks (tdmpc2.md §9-12), one DmcTask each (dmc_tasks.h).
#define ORCH_DMC_TASKS(X)                                         \
  X("cheetah-run", DmcTaskOptions, DmcTaskSchema, MakeCheetahRun) \
  X("walker-walk", DmcTaskOptions, DmcTaskSchema, MakeWalkerWalk) \
  X("pendulum-swingup", DmcTaskOptions, DmcTaskSchema, MakePendulumSwingup)

// The plain C++ envs; Construct<T> (env_registry.cpp) calls T's constructor.
#define ORCH_PLAIN_ENVS(X)                                                                    \
  X("controlled-pendulum", ControlledPendulumOptions, ControlledPendulumSchema,               \
    Construct<ControlledPendulumEnv>)                                                         \
  X("cartpole", CartPoleOptions, CartPoleSchema, Construct<CartPoleEnv>)                      \
  X("pendulum", PendulumOptions, PendulumSchema, Construct<PendulumEnv>)                      \
  X("invalid-action", InvalidActionOptions, InvalidActionSchema, Construct<InvalidActionEnv>) \
  X("seed-garden", SeedGardenOptions, SeedGardenSchema, Construct<SeedGardenEnv>)

#define ORCH_ENVS(X) ORCH_DMC_TASKS(X) ORCH_PLAIN_ENVS(X)

// src/envs/dmc_env.h: DMControl-style MuJoCo tasks behind an action repeat (tdmpc2.md §9-12):
// the shared MuJoCo machinery (DmcTask, an Env with continuous actions in [-1, 1]) and the task
// factory. Plain C++ and the MuJoCo 2.2.2 C API; no LibTorch.
#pragma once

#include <mujoco/mujoco.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envs/env.h"
#include "envs/env_options.h"
#include "rl/seeding.h"

namespace orch::envs {

/// Deletes a MuJoCo model with mj_deleteModel.
struct MjModelDeleter {
  void operator()(mjModel* model) const { mj_deleteModel(model); }
};
/// Deletes MuJoCo data with mj_deleteData.
struct MjDataDeleter {
  void operator()(mjData* data) const { mj_deleteData(data); }
};
using MjModelPtr = std::unique_ptr<mjModel, MjModelDeleter>;
using MjDataPtr = std::unique_ptr<mjData, MjDataDeleter>;

/// Compiles MJCF text held in memory through MuJoCo's virtual file system; `file_name` is the
/// name the text gets there (it appears in MuJoCo's messages). Throws std::runtime_error carrying
/// MuJoCo's message when the text does not compile.
MjModelPtr LoadMjcfFromMemory(std::string_view file_name, std::string_view mjcf);

/// The shared machinery of the DMControl tasks: owns the model and data, resets and steps them
/// exactly as dm_control does, and leaves observation, reward and episode initialisation to the
/// task. Physics stepping follows dm_control's legacy step (tdmpc2.md §9): a control step of n
/// physics steps is mj_step2; (n - 1) x mj_step; mj_step1, so after every control step positions,
/// velocities and sensors describe the new state (plain mj_step would leave sensors one step
/// stale).
class DmcTask : public Env {
 public:
  ~DmcTask() override;
  DmcTask(const DmcTask&) = delete;
  DmcTask& operator=(const DmcTask&) = delete;

  /// The task name ("cheetah-run", ...).
  const std::string& name() const override { return options_.name; }
  int obs_dim() const override { return obs_dim_; }
  int action_dim() const { return model_->nu; }
  /// Continuous: action_dim() floats in [-1, 1].
  const ActionSpec& action_spec() const override { return action_spec_; }
  /// Agent steps per episode (episode_length / action_repeat); Step sets truncated at the last.
  int64_t agent_steps_per_episode() const;
  int64_t max_episode_steps() const override { return agent_steps_per_episode(); }
  /// mj_resetData; mj_forward with actuation disabled (dm_control's Physics.reset: there is no
  /// meaningful control yet); the task's randomisation (InitializeEpisode); mj_forward, so the
  /// first observation and the first control step see a forward-consistent state. Throws
  /// std::runtime_error when obs.size() != obs_dim().
  void Reset(std::span<float> obs) override;
  /// One agent step: action_repeat control steps with the same action (clipped to [-1, 1]),
  /// rewards summed, the last observation written. Throws std::runtime_error on a wrong span size,
  /// a non-finite action, a step outside an episode (before Reset or after truncation) and when
  /// the physics diverges (MuJoCo's bad-qacc warning).
  StepResult Step(std::span<const float> action, std::span<float> obs);
  StepResult Step(const Action& action, std::span<float> obs) override {
    return Step(action.continuous, obs);
  }
  /// The random stream's state (resets are the only random part).
  std::string SaveRngState() const { return random_.SaveState(); }
  void LoadRngState(const std::string& state) { random_.LoadState(state); }
  /// time, qpos, qvel, act, ctrl and qacc_warmstart (the constraint solver's starting point, so
  /// the next step is bit-identical), the control-step count and the random stream.
  std::string SaveState() const override;
  void LoadState(const std::string& state) override;

  /// One control step with `ctrl` written to mjData::ctrl as is (no clipping; MuJoCo clamps to
  /// ctrlrange). Returns the reward of the new state. Does not count towards the episode.
  double ControlStep(std::span<const double> ctrl);

  /// The task's reward of the current mjData. Reads positions, velocities and sensors, so the data
  /// must be forward-consistent (as it is after Reset, Step, ControlStep or mj_forward).
  virtual double Reward() const = 0;
  /// Writes the task's observation of the current mjData, in dm_control's dict order, as float.
  virtual void WriteObservation(std::span<float> obs) const = 0;

  const DmcTaskOptions& options() const { return options_; }
  /// Physics steps per control step (cheetah 1, walker 10, pendulum 1).
  int substeps_per_control_step() const { return substeps_; }
  /// Seconds per control step: substeps x the model's timestep.
  double control_timestep() const { return substeps_ * model_->opt.timestep; }
  /// Control steps taken in the current episode.
  int64_t control_steps() const { return control_steps_; }

  /// The compiled model and the live data, for tests and diagnostics. Changing the data between
  /// steps is allowed (call mj_forward afterwards before reading the reward).
  const mjModel* model() const { return model_.get(); }
  mjData* data() { return data_.get(); }
  const mjData* data() const { return data_.get(); }

 protected:
  /// The fixed facts of one task.
  struct Spec {
    std::string_view name;        ///< the task name, e.g. "cheetah-run" (options.name is ignored)
    std::string_view model_file;  ///< the MJCF's name in the VFS and in messages
    std::string_view mjcf;        ///< the MJCF text
    int substeps = 1;             ///< physics steps per control step
    int obs_dim = 0;              ///< floats per observation
  };

  /// Compiles the task's MJCF and validates the options: action_repeat >= 1, episode_length >= 1
  /// and a multiple of action_repeat, every actuator limited to [-1, 1]. Throws OrchError on bad
  /// options and std::runtime_error when the model does not compile.
  DmcTask(const Spec& spec, const DmcTaskOptions& options, uint64_t run_seed,
          std::string_view stream_name);

  /// Sets the episode's initial state. Called after mj_resetData and the actuation-free forward
  /// pass; Reset runs mj_forward afterwards.
  virtual void InitializeEpisode(rl::RandomStream& random) = 0;

  /// `count` physics steps with the current ctrl in dm_control's legacy order: mj_step2,
  /// (count - 1) x mj_step, mj_step1. Expects forward-consistent data (mj_step2 finishes the step
  /// that the previous mj_step1 or mj_forward began).
  void LegacyStep(int count);

  /// dm_control's randomizers.randomize_limited_and_rotational_joints for hinge and slide joints:
  /// limited ones uniform in their range, unlimited hinges uniform in [-pi, pi], unlimited slides
  /// untouched, in joint order. Throws std::runtime_error for ball and free joints.
  void RandomizeLimitedAndRotationalJoints(rl::RandomStream& random);

  /// Ids by name; throw std::runtime_error naming the task when the name is missing.
  int BodyId(const char* body) const;
  /// The first sensordata index of sensor `sensor`.
  int SensorAddress(const char* sensor) const;

 private:
  DmcTaskOptions options_;
  MjModelPtr model_;
  MjDataPtr data_;
  int substeps_;
  int obs_dim_;
  ActionSpec action_spec_;
  rl::RandomStream random_;
  std::vector<double> ctrl_;  // the clipped action, reused across steps
  int64_t control_steps_ = 0;
  bool episode_running_ = false;
};

/// The task `options.name` (one of DmcTaskNames()) with its random stream
/// rl::RandomStream(run_seed, stream_name). Throws RegistryError for an unknown name and OrchError
/// for invalid options.
std::unique_ptr<DmcTask> MakeDmcTask(const DmcTaskOptions& options, uint64_t run_seed,
                                     std::string_view stream_name = "env");

}  // namespace orch::envs

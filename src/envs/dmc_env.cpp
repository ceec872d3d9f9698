// src/envs/dmc_env.cpp: the shared machinery of the DMControl tasks: loading the embedded MJCF
// through MuJoCo's VFS, dm_control's reset and legacy physics step (tdmpc2.md §9), the action
// repeat and the episode bookkeeping of TD-MPC2's wrappers.
#include "envs/dmc_env.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <mutex>
#include <numbers>
#include <stdexcept>

#include "common/error.h"
#include "envs/dmc_tasks.h"
#include "envs/env_list.h"

namespace orch::envs {
namespace {

// mj_loadXML keeps parser state in globals in older MuJoCo releases; one compile at a time
std::mutex& LoadXmlMutex() {
  static std::mutex mutex;
  return mutex;
}

// deletes every file of a VFS when the load ends, however it ends
class ScopedVfs {
 public:
  ScopedVfs() : vfs_(std::make_unique<mjVFS>()) { mj_defaultVFS(vfs_.get()); }
  ~ScopedVfs() { mj_deleteVFS(vfs_.get()); }
  ScopedVfs(const ScopedVfs&) = delete;
  ScopedVfs& operator=(const ScopedVfs&) = delete;
  mjVFS* get() { return vfs_.get(); }

 private:
  // mjVFS holds 2000 file names of 1000 bytes each: too big for the stack
  std::unique_ptr<mjVFS> vfs_;
};

}  // namespace

MjModelPtr LoadMjcfFromMemory(std::string_view file_name, std::string_view mjcf) {
  const std::string name(file_name);
  ScopedVfs vfs;
  const int status = mj_makeEmptyFileVFS(vfs.get(), name.c_str(), static_cast<int>(mjcf.size()));
  if (status != 0) {
    throw std::runtime_error(fmt::format(
        "cannot add '{}' to MuJoCo's virtual file system (mj_makeEmptyFileVFS returned {})", name,
        status));
  }
  const int index = mj_findFileVFS(vfs.get(), name.c_str());
  if (index < 0) {
    throw std::runtime_error(
        fmt::format("'{}' is missing from MuJoCo's virtual file system after adding it", name));
  }
  // MuJoCo parses the VFS buffer with its size, so no terminating NUL is needed
  std::memcpy(vfs.get()->filedata[index], mjcf.data(), mjcf.size());

  char error[1024] = "";
  mjModel* model = nullptr;
  {
    std::lock_guard<std::mutex> lock(LoadXmlMutex());
    model = mj_loadXML(name.c_str(), vfs.get(), error, sizeof error);
  }
  if (model == nullptr) {
    // MuJoCo's message ends with a newline
    std::string message(error);
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
      message.pop_back();
    }
    throw std::runtime_error(fmt::format("MuJoCo cannot load the MJCF model '{}': {}", name,
                                         message.empty() ? "no message" : message));
  }
  return MjModelPtr(model);
}

//----- DmcTask -----

DmcTask::DmcTask(const Spec& spec, const DmcTaskOptions& options, uint64_t run_seed,
                 std::string_view stream_name)
    : options_(options),
      substeps_(spec.substeps),
      obs_dim_(spec.obs_dim),
      random_(run_seed, stream_name) {
  options_.name = std::string(spec.name);
  // the wrapper's bookkeeping needs whole agent steps per episode
  if (options_.action_repeat < 1) {
    throw OrchError(fmt::format("env.action_repeat must be >= 1 for {}, got {}", options_.name,
                                options_.action_repeat));
  }
  if (options_.episode_length < 1 || options_.episode_length % options_.action_repeat != 0) {
    throw OrchError(fmt::format(
        "env.episode_length must be a positive multiple of env.action_repeat ({}) for {}, got {}",
        options_.action_repeat, options_.name, options_.episode_length));
  }

  model_ = LoadMjcfFromMemory(spec.model_file, spec.mjcf);
  data_.reset(mj_makeData(model_.get()));
  if (!data_) throw std::runtime_error(fmt::format("mj_makeData failed for '{}'", spec.model_file));
  ctrl_.assign(model_->nu, 0.0);

  // actions in [-1, 1] map onto the actuators unchanged only if each one is limited to [-1, 1]
  for (int actuator = 0; actuator < model_->nu; ++actuator) {
    const mjtNum* range = model_->actuator_ctrlrange + 2 * actuator;
    if (!model_->actuator_ctrllimited[actuator] || range[0] != -1.0 || range[1] != 1.0) {
      throw std::runtime_error(fmt::format(
          "'{}': actuator {} must be limited to ctrlrange [-1, 1] (the agent's action range)",
          spec.model_file, actuator));
    }
  }
  action_spec_.kind = ActionSpec::Kind::kContinuous;
  action_spec_.dim = model_->nu;
  action_spec_.low.assign(model_->nu, -1.0);
  action_spec_.high.assign(model_->nu, 1.0);
}

DmcTask::~DmcTask() = default;

int64_t DmcTask::agent_steps_per_episode() const {
  return options_.episode_length / options_.action_repeat;
}

void DmcTask::Reset(std::span<float> obs) {
  if (obs.size() != static_cast<size_t>(obs_dim_)) {
    throw std::runtime_error(fmt::format("{}: Reset needs an observation span of {} floats, got {}",
                                         name(), obs_dim_, obs.size()));
  }
  mjModel* model = model_.get();
  mjData* data = data_.get();
  mj_resetData(model, data);

  // dm_control's Physics.reset: forward with actuation disabled, as there is no control yet
  // (ctrl is 0 after mj_resetData, so this only matters for actuators with internal state)
  const int saved_disable_flags = model->opt.disableflags;
  model->opt.disableflags |= mjDSBL_ACTUATION;
  mj_forward(model, data);
  model->opt.disableflags = saved_disable_flags;

  // the task's randomisation, then dm_control's after-reset forward with actuation enabled
  InitializeEpisode(random_);
  mj_forward(model, data);

  control_steps_ = 0;
  episode_running_ = true;
  WriteObservation(obs);
}

namespace {

constexpr uint32_t kStateMagic = 0x31534d44;  // "DMS1"

void AppendDoubles(std::string& out, const double* values, int count) {
  out.append(reinterpret_cast<const char*>(&count), sizeof count);
  out.append(reinterpret_cast<const char*>(values), sizeof(double) * static_cast<size_t>(count));
}

}  // namespace

std::string DmcTask::SaveState() const {
  const mjModel* model = model_.get();
  const mjData* data = data_.get();
  std::string out;
  out.append(reinterpret_cast<const char*>(&kStateMagic), sizeof kStateMagic);
  const uint64_t name_size = options_.name.size();
  out.append(reinterpret_cast<const char*>(&name_size), sizeof name_size);
  out.append(options_.name);
  out.append(reinterpret_cast<const char*>(&data->time), sizeof data->time);
  AppendDoubles(out, data->qpos, model->nq);
  AppendDoubles(out, data->qvel, model->nv);
  AppendDoubles(out, data->act, model->na);
  AppendDoubles(out, data->ctrl, model->nu);
  AppendDoubles(out, data->qacc_warmstart, model->nv);
  out.append(reinterpret_cast<const char*>(&control_steps_), sizeof control_steps_);
  const uint8_t running = episode_running_ ? 1 : 0;
  out.append(reinterpret_cast<const char*>(&running), sizeof running);
  const std::string random = random_.SaveState();
  const uint64_t random_size = random.size();
  out.append(reinterpret_cast<const char*>(&random_size), sizeof random_size);
  out.append(random);
  return out;
}

void DmcTask::LoadState(const std::string& state) {
  size_t offset = 0;
  auto read = [&](void* target, size_t size) {
    if (offset + size > state.size()) {
      throw std::runtime_error(fmt::format("{}: the saved env state is truncated", name()));
    }
    std::memcpy(target, state.data() + offset, size);
    offset += size;
  };
  auto read_doubles = [&](double* target, int expected, const char* what) {
    int count = 0;
    read(&count, sizeof count);
    if (count != expected) {
      throw std::runtime_error(fmt::format("{}: the saved env state has {} {} values, the model {}",
                                           name(), count, what, expected));
    }
    read(target, sizeof(double) * static_cast<size_t>(count));
  };
  uint32_t magic = 0;
  read(&magic, sizeof magic);
  if (magic != kStateMagic) throw std::runtime_error(name() + ": not a saved env state");
  uint64_t name_size = 0;
  read(&name_size, sizeof name_size);
  std::string saved_name(name_size, '\0');
  read(saved_name.data(), name_size);
  if (saved_name != options_.name) {
    throw std::runtime_error(
        fmt::format("{}: the saved env state is of task '{}'", name(), saved_name));
  }
  mjModel* model = model_.get();
  mjData* data = data_.get();
  mj_resetData(model, data);
  read(&data->time, sizeof data->time);
  read_doubles(data->qpos, model->nq, "qpos");
  read_doubles(data->qvel, model->nv, "qvel");
  read_doubles(data->act, model->na, "act");
  read_doubles(data->ctrl, model->nu, "ctrl");
  std::vector<double> warmstart(static_cast<size_t>(model->nv));
  read_doubles(warmstart.data(), model->nv, "qacc_warmstart");
  read(&control_steps_, sizeof control_steps_);
  uint8_t running = 0;
  read(&running, sizeof running);
  episode_running_ = running != 0;
  uint64_t random_size = 0;
  read(&random_size, sizeof random_size);
  std::string random(random_size, '\0');
  read(random.data(), random_size);
  random_.LoadState(random);
  // derived quantities of the restored state, as the last step's mj_step1 left them; then the
  // solver's warm start, which mj_forward overwrote
  mj_forward(model, data);
  std::copy(warmstart.begin(), warmstart.end(), data->qacc_warmstart);
}

StepResult DmcTask::Step(std::span<const float> action, std::span<float> obs) {
  if (!episode_running_) {
    throw std::runtime_error(fmt::format(
        "{}: Step called outside an episode (call Reset first, and again after truncation)",
        name()));
  }
  if (action.size() != static_cast<size_t>(model_->nu) ||
      obs.size() != static_cast<size_t>(obs_dim_)) {
    throw std::runtime_error(fmt::format(
        "{}: Step needs an action of {} and an observation span of {} floats, got {} and {}",
        name(), model_->nu, obs_dim_, action.size(), obs.size()));
  }

  // the agent's action, clipped to the actuators' [-1, 1]
  for (int index = 0; index < model_->nu; ++index) {
    const float value = action[index];
    if (!std::isfinite(value)) {
      throw std::runtime_error(
          fmt::format("{}: action[{}] is not finite ({})", name(), index, value));
    }
    ctrl_[index] = std::clamp(static_cast<double>(value), -1.0, 1.0);
  }

  // the action repeat: the same control for each control step, rewards summed as the wrapper does
  StepResult result;
  for (int64_t repeat = 0; repeat < options_.action_repeat; ++repeat) {
    result.reward += ControlStep(ctrl_);
    ++control_steps_;
  }
  if (control_steps_ >= options_.episode_length) {
    result.truncated = true;
    episode_running_ = false;
  }
  WriteObservation(obs);
  return result;
}

double DmcTask::ControlStep(std::span<const double> ctrl) {
  if (ctrl.size() != static_cast<size_t>(model_->nu)) {
    throw std::runtime_error(
        fmt::format("{}: ControlStep needs {} controls, got {}", name(), model_->nu, ctrl.size()));
  }
  std::copy(ctrl.begin(), ctrl.end(), data_->ctrl);
  LegacyStep(substeps_);
  // MuJoCo resets the state itself when qacc goes bad; dm_control raises PhysicsError then
  if (data_->warning[mjWARN_BADQACC].number > 0) {
    episode_running_ = false;
    throw std::runtime_error(
        fmt::format("{}: the physics diverged (MuJoCo's bad-qacc warning at time {:.4f} s)", name(),
                    data_->time));
  }
  return Reward();
}

void DmcTask::LegacyStep(int count) {
  // mj_step2 finishes the step mj_step1 (or mj_forward) began; the closing mj_step1 brings
  // positions, velocities and sensors up to date with the new state
  mjModel* model = model_.get();
  mjData* data = data_.get();
  mj_step2(model, data);
  for (int step = 1; step < count; ++step) mj_step(model, data);
  mj_step1(model, data);
}

void DmcTask::RandomizeLimitedAndRotationalJoints(rl::RandomStream& random) {
  const mjModel* model = model_.get();
  for (int joint = 0; joint < model->njnt; ++joint) {
    const int type = model->jnt_type[joint];
    mjtNum& qpos = data_->qpos[model->jnt_qposadr[joint]];
    const mjtNum* range = model->jnt_range + 2 * joint;
    if (type != mjJNT_HINGE && type != mjJNT_SLIDE) {
      throw std::runtime_error(
          fmt::format("{}: joint {} is a ball or free joint, which the randomiser does not handle",
                      name(), joint));
    }
    // numpy's uniform(low, high) = low + (high - low) * U[0, 1)
    if (model->jnt_limited[joint]) {
      qpos = range[0] + (range[1] - range[0]) * random.Uniform();
    } else if (type == mjJNT_HINGE) {
      qpos = -std::numbers::pi + 2.0 * std::numbers::pi * random.Uniform();
    }
  }
}

int DmcTask::BodyId(const char* body) const {
  const int id = mj_name2id(model_.get(), mjOBJ_BODY, body);
  if (id < 0) throw std::runtime_error(fmt::format("{}: the model has no body '{}'", name(), body));
  return id;
}

int DmcTask::SensorAddress(const char* sensor) const {
  const int id = mj_name2id(model_.get(), mjOBJ_SENSOR, sensor);
  if (id < 0) {
    throw std::runtime_error(fmt::format("{}: the model has no sensor '{}'", name(), sensor));
  }
  return model_->sensor_adr[id];
}

//----- factory -----

std::unique_ptr<DmcTask> MakeDmcTask(const DmcTaskOptions& options, uint64_t run_seed,
                                     std::string_view stream_name) {
#define ORCH_DMC_TASK_CASE(task_name, Options, schema, make) \
  if (options.name == task_name) return make(options, run_seed, stream_name);
  ORCH_DMC_TASKS(ORCH_DMC_TASK_CASE)
#undef ORCH_DMC_TASK_CASE
  throw RegistryError("DMControl task", options.name, DmcTaskNames());
}

}  // namespace orch::envs

// src/envs/cheetah_run.cpp: DMControl's cheetah-run (dm_control/suite/cheetah.py; tdmpc2.md §10)
// on the model of mjcf/cheetah.xml (tdmpc2.md §11).
#include <fmt/format.h>

#include <limits>
#include <stdexcept>

#include "envs/dmc_rewards.h"
#include "envs/dmc_tasks.h"

namespace orch::envs {
namespace {

// torso speed (m/s) at and above which the reward is 1
constexpr double kRunSpeed = 10.0;
// physics steps that let the randomised pose fall onto the ground before the episode
constexpr int kSettleSteps = 200;

class CheetahRun final : public DmcTask {
 public:
  CheetahRun(const DmcTaskOptions& options, uint64_t run_seed, std::string_view stream_name)
      : DmcTask({.name = "cheetah-run",
                 .model_file = "cheetah.xml",
                 .mjcf = kCheetahMjcf,
                 .substeps = 1,
                 .obs_dim = 17},
                options, run_seed, stream_name),
        speed_address_(SensorAddress("torso_subtreelinvel")) {
    // as dm_control asserts: every joint has one qpos, so joint index = qpos index
    if (model()->nq != model()->njnt || model()->nq != 9 || model()->nv != 9) {
      throw std::runtime_error(fmt::format("cheetah-run: expected nq = nv = njnt = 9, got {}/{}/{}",
                                           model()->nq, model()->nv, model()->njnt));
    }
  }

  // tolerance(speed, bounds (10, inf), margin 10, value_at_margin 0, linear) = clip(v / 10, 0, 1)
  double Reward() const override {
    const double speed = data()->sensordata[speed_address_];
    return Tolerance(speed, kRunSpeed, std::numeric_limits<double>::infinity(),
                     {.margin = kRunSpeed, .sigmoid = Sigmoid::kLinear, .value_at_margin = 0.0});
  }

  // position = qpos[1:] (rootx dropped: the task is translation invariant), then velocity = qvel
  void WriteObservation(std::span<float> obs) const override {
    const mjModel* m = model();
    const mjData* d = data();
    size_t out = 0;
    for (int index = 1; index < m->nq; ++index) obs[out++] = static_cast<float>(d->qpos[index]);
    for (int index = 0; index < m->nv; ++index) obs[out++] = static_cast<float>(d->qvel[index]);
  }

 protected:
  void InitializeEpisode(rl::RandomStream& random) override {
    const mjModel* m = model();
    mjData* d = data();
    // the six limited leg hinges uniform in their range, in joint order; the root stays at 0
    for (int joint = 0; joint < m->njnt; ++joint) {
      if (!m->jnt_limited[joint]) continue;
      const mjtNum* range = m->jnt_range + 2 * joint;
      d->qpos[m->jnt_qposadr[joint]] = range[0] + (range[1] - range[0]) * random.Uniform();
    }
    // dm_control's physics.step(nstep = 200) with zero control; like dm_control, the first
    // mj_step2 completes the reset's forward pass, computed before the legs were randomised
    LegacyStep(kSettleSteps);
    d->time = 0.0;
  }

 private:
  int speed_address_;
};

}  // namespace

std::unique_ptr<DmcTask> MakeCheetahRun(const DmcTaskOptions& options, uint64_t run_seed,
                                        std::string_view stream_name) {
  return std::make_unique<CheetahRun>(options, run_seed, stream_name);
}

}  // namespace orch::envs

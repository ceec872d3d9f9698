// src/envs/walker_walk.cpp: DMControl's walker-walk (dm_control/suite/walker.py; tdmpc2.md §12)
// on the model of mjcf/walker.xml.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "envs/dmc_rewards.h"
#include "envs/dmc_tasks.h"

namespace orch::envs {
namespace {

// torso height (m) at and above which the standing term is 1
constexpr double kStandHeight = 1.2;
// horizontal speed (m/s) at and above which the move term is 1
constexpr double kWalkSpeed = 1.0;
// dm_control's control timestep; 10 physics steps of 0.0025 s
constexpr double kControlTimestep = 0.025;
constexpr int kSubsteps = 10;
// the bodies after the world: torso, right thigh/leg/foot, left thigh/leg/foot
constexpr int kWalkerBodies = 7;

class WalkerWalk final : public DmcTask {
 public:
  WalkerWalk(const DmcTaskOptions& options, uint64_t run_seed, std::string_view stream_name)
      : DmcTask({.name = "walker-walk",
                 .model_file = "walker.xml",
                 .mjcf = kWalkerMjcf,
                 .substeps = kSubsteps,
                 .obs_dim = 2 * kWalkerBodies + 1 + 9},
                options, run_seed, stream_name),
        torso_(BodyId("torso")),
        speed_address_(SensorAddress("torso_subtreelinvel")) {
    if (model()->nbody != kWalkerBodies + 1 || model()->nv != 9) {
      throw std::runtime_error(fmt::format("walker-walk: expected 8 bodies and nv = 9, got {}, {}",
                                           model()->nbody, model()->nv));
    }
    if (std::abs(control_timestep() - kControlTimestep) > 1e-12) {
      throw std::runtime_error(
          fmt::format("walker-walk: {} physics steps of {} s do not make the 0.025 s control step",
                      kSubsteps, model()->opt.timestep));
    }
  }

  // standing = tolerance(torso z, (1.2, inf), margin 0.6) (gaussian, 0.1 at the margin);
  // upright = (1 + torso zz) / 2; stand = (3 standing + upright) / 4;
  // move = tolerance(vx, (1, inf), margin 0.5, value_at_margin 0.5, linear) = clip(vx, 0, 1);
  // reward = stand (5 move + 1) / 6
  double Reward() const override {
    const mjData* d = data();
    const double inf = std::numeric_limits<double>::infinity();
    const double standing =
        Tolerance(d->xpos[3 * torso_ + 2], kStandHeight, inf, {.margin = kStandHeight / 2});
    const double upright = (1.0 + d->xmat[9 * torso_ + 8]) / 2.0;
    const double stand = (3.0 * standing + upright) / 4.0;
    const double move =
        Tolerance(d->sensordata[speed_address_], kWalkSpeed, inf,
                  {.margin = kWalkSpeed / 2, .sigmoid = Sigmoid::kLinear, .value_at_margin = 0.5});
    return stand * (5.0 * move + 1.0) / 6.0;
  }

  // orientations = (xx, xz) of each body's frame after the world (14), height = torso z (1),
  // velocity = qvel (9)
  void WriteObservation(std::span<float> obs) const override {
    const mjModel* m = model();
    const mjData* d = data();
    size_t out = 0;
    for (int body = 1; body < m->nbody; ++body) {
      obs[out++] = static_cast<float>(d->xmat[9 * body + 0]);
      obs[out++] = static_cast<float>(d->xmat[9 * body + 2]);
    }
    obs[out++] = static_cast<float>(d->xpos[3 * torso_ + 2]);
    for (int index = 0; index < m->nv; ++index) obs[out++] = static_cast<float>(d->qvel[index]);
  }

 protected:
  // limited hinges uniform in their range, rooty uniform in [-pi, pi], rootz/rootx untouched
  void InitializeEpisode(rl::RandomStream& random) override {
    RandomizeLimitedAndRotationalJoints(random);
  }

 private:
  int torso_;
  int speed_address_;
};

}  // namespace

std::unique_ptr<DmcTask> MakeWalkerWalk(const DmcTaskOptions& options, uint64_t run_seed,
                                        std::string_view stream_name) {
  return std::make_unique<WalkerWalk>(options, run_seed, stream_name);
}

}  // namespace orch::envs

// src/envs/pendulum_swingup.cpp: DMControl's pendulum-swingup (dm_control/suite/pendulum.py;
// tdmpc2.md §12) on the model of mjcf/pendulum.xml.
#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "envs/dmc_rewards.h"
#include "envs/dmc_tasks.h"

namespace orch::envs {
namespace {

// the pole earns reward within 8 degrees of upright
const double kCosineBound = std::cos(8.0 * std::numbers::pi / 180.0);

class PendulumSwingup final : public DmcTask {
 public:
  PendulumSwingup(const DmcTaskOptions& options, uint64_t run_seed, std::string_view stream_name)
      : DmcTask({.name = "pendulum-swingup",
                 .model_file = "pendulum.xml",
                 .mjcf = kPendulumMjcf,
                 .substeps = 1,
                 .obs_dim = 3},
                options, run_seed, stream_name),
        pole_(BodyId("pole")) {
    const int hinge = mj_name2id(model(), mjOBJ_JOINT, "hinge");
    if (hinge < 0 || model()->nq != 1 || model()->nv != 1) {
      throw std::runtime_error(fmt::format(
          "pendulum-swingup: expected one joint 'hinge' with nq = nv = 1, got nq {} nv {}",
          model()->nq, model()->nv));
    }
    hinge_qpos_ = model()->jnt_qposadr[hinge];
    hinge_dof_ = model()->jnt_dofadr[hinge];
  }

  // tolerance(pole zz, bounds (cos 8 deg, 1)) with margin 0: a sparse 0/1 reward
  double Reward() const override {
    return Tolerance(data()->xmat[9 * pole_ + 8], kCosineBound, 1.0);
  }

  // orientation = pole frame (zz, xz), then velocity = hinge qvel
  void WriteObservation(std::span<float> obs) const override {
    const mjData* d = data();
    obs[0] = static_cast<float>(d->xmat[9 * pole_ + 8]);
    obs[1] = static_cast<float>(d->xmat[9 * pole_ + 2]);
    obs[2] = static_cast<float>(d->qvel[hinge_dof_]);
  }

 protected:
  // the hinge angle uniform in [-pi, pi); angle 0 is upright
  void InitializeEpisode(rl::RandomStream& random) override {
    data()->qpos[hinge_qpos_] = -std::numbers::pi + 2.0 * std::numbers::pi * random.Uniform();
  }

 private:
  int pole_;
  int hinge_qpos_ = 0;
  int hinge_dof_ = 0;
};

}  // namespace

std::unique_ptr<DmcTask> MakePendulumSwingup(const DmcTaskOptions& options, uint64_t run_seed,
                                             std::string_view stream_name) {
  return std::make_unique<PendulumSwingup>(options, run_seed, stream_name);
}

}  // namespace orch::envs

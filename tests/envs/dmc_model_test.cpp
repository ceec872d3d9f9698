// Tests src/envs/dmc_env.cpp, cheetah_run.cpp, walker_walk.cpp, pendulum_swingup.cpp and the
// models in src/envs/mjcf/ against the documented DMControl facts (tdmpc2.md §9-12): model
// constants, rewards and observations of chosen states computed by hand, dm_control's legacy
// step order (no stale sensors), the summed action repeat, episode bookkeeping and resets.
#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.h"
#include "envs/dmc_env.h"
#include "envs/dmc_tasks.h"

namespace orch::envs {
namespace {

constexpr double kPi = std::numbers::pi;

double Radians(double degrees) { return degrees * kPi / 180.0; }

// capsule of radius r and half-length h: cylinder pi r^2 (2h) plus two half spheres 4/3 pi r^3
double CapsuleVolume(double radius, double half_length) {
  return kPi * radius * radius * 2.0 * half_length + 4.0 / 3.0 * kPi * radius * radius * radius;
}

std::unique_ptr<DmcTask> MakeTask(const std::string& name, uint64_t seed = 1,
                                  int64_t action_repeat = 2) {
  DmcTaskOptions options;
  options.name = name;
  options.action_repeat = action_repeat;
  return MakeDmcTask(options, seed);
}

int JointId(const mjModel* model, const char* name) {
  const int id = mj_name2id(model, mjOBJ_JOINT, name);
  EXPECT_GE(id, 0) << name;
  return id;
}

int BodyIdOf(const mjModel* model, const char* name) {
  const int id = mj_name2id(model, mjOBJ_BODY, name);
  EXPECT_GE(id, 0) << name;
  return id;
}

int GeomIdOf(const mjModel* model, const char* name) {
  const int id = mj_name2id(model, mjOBJ_GEOM, name);
  EXPECT_GE(id, 0) << name;
  return id;
}

// a joint's documented facts: range in degrees (limited joints), stiffness, damping, armature
struct JointFacts {
  const char* name;
  bool limited;
  double lower_deg;
  double upper_deg;
  double stiffness;
  double damping;
  double armature;
};

void ExpectJoints(const mjModel* model, const std::vector<JointFacts>& joints) {
  ASSERT_EQ(model->njnt, static_cast<int>(joints.size()));
  for (size_t index = 0; index < joints.size(); ++index) {
    const JointFacts& facts = joints[index];
    SCOPED_TRACE(facts.name);
    // joint order is qpos order
    EXPECT_STREQ(mj_id2name(model, mjOBJ_JOINT, static_cast<int>(index)), facts.name);
    const int joint = JointId(model, facts.name);
    EXPECT_EQ(model->jnt_limited[joint] != 0, facts.limited);
    if (facts.limited) {
      EXPECT_NEAR(model->jnt_range[2 * joint], Radians(facts.lower_deg), 1e-12);
      EXPECT_NEAR(model->jnt_range[2 * joint + 1], Radians(facts.upper_deg), 1e-12);
    }
    EXPECT_DOUBLE_EQ(model->jnt_stiffness[joint], facts.stiffness);
    EXPECT_DOUBLE_EQ(model->dof_damping[model->jnt_dofadr[joint]], facts.damping);
    EXPECT_DOUBLE_EQ(model->dof_armature[model->jnt_dofadr[joint]], facts.armature);
  }
}

void ExpectMotors(const mjModel* model, const std::vector<std::pair<const char*, double>>& motors) {
  ASSERT_EQ(model->nu, static_cast<int>(motors.size()));
  for (int actuator = 0; actuator < model->nu; ++actuator) {
    const auto& [joint_name, gear] = motors[actuator];
    // actuator_gear holds 6 numbers per actuator; a joint motor uses the first
    SCOPED_TRACE(joint_name);
    EXPECT_EQ(model->actuator_trnid[2 * actuator], JointId(model, joint_name));
    EXPECT_DOUBLE_EQ(model->actuator_gear[6 * actuator], gear);
    EXPECT_TRUE(model->actuator_ctrllimited[actuator]);
    EXPECT_EQ(model->actuator_ctrlrange[2 * actuator], -1.0);
    EXPECT_EQ(model->actuator_ctrlrange[2 * actuator + 1], 1.0);
  }
}

double TotalMass(const mjModel* model) {
  double total = 0.0;
  for (int body = 0; body < model->nbody; ++body) total += model->body_mass[body];
  return total;
}

std::vector<float> Observe(const DmcTask& task) {
  std::vector<float> obs(task.obs_dim());
  task.WriteObservation(obs);
  return obs;
}

// zeroes the state, lets `set` write qpos/qvel, then brings derived quantities up to date
template <typename SetState>
void SetStateAndForward(DmcTask& task, SetState set) {
  mjData* data = task.data();
  mj_resetData(task.model(), data);
  set(data);
  mj_forward(task.model(), data);
}

// a deterministic, varied action sequence
std::vector<float> TestAction(int action_dim, int step) {
  std::vector<float> action(action_dim);
  for (int index = 0; index < action_dim; ++index) {
    action[index] = static_cast<float>(std::sin(0.7 * step + 1.3 * index));
  }
  return action;
}

//----- models -----

TEST(DmcModelTest, CheetahModelMatchesTheDocumentedFacts) {
  auto task = MakeTask("cheetah-run");
  const mjModel* model = task->model();
  EXPECT_EQ(model->nq, 9);
  EXPECT_EQ(model->nv, 9);
  EXPECT_EQ(model->nu, 6);
  EXPECT_EQ(model->nbody, 8);
  EXPECT_EQ(task->obs_dim(), 17);
  EXPECT_EQ(task->action_dim(), 6);
  // one 3-value subtreelinvel sensor on the torso
  ASSERT_EQ(model->nsensor, 1);
  EXPECT_EQ(model->nsensordata, 3);
  EXPECT_EQ(model->sensor_type[0], mjSENS_SUBTREELINVEL);
  EXPECT_EQ(model->sensor_objid[0], BodyIdOf(model, "torso"));
  EXPECT_STREQ(mj_id2name(model, mjOBJ_SENSOR, 0), "torso_subtreelinvel");
  // timestep 0.01 s, one physics step per control step, Euler, gravity -9.81 z
  EXPECT_EQ(model->opt.timestep, 0.01);
  EXPECT_EQ(task->substeps_per_control_step(), 1);
  EXPECT_DOUBLE_EQ(task->control_timestep(), 0.01);
  EXPECT_EQ(model->opt.integrator, mjINT_EULER);
  EXPECT_DOUBLE_EQ(model->opt.gravity[2], -9.81);

  // leg joints: class cheetah (armature .1) with their own stiffness/damping; root: class free
  ExpectJoints(model, {{"rootx", false, 0, 0, 0, 0, 0},
                       {"rootz", false, 0, 0, 0, 0, 0},
                       {"rooty", false, 0, 0, 0, 0, 0},
                       {"bthigh", true, -30, 60, 240, 6, 0.1},
                       {"bshin", true, -50, 50, 180, 4.5, 0.1},
                       {"bfoot", true, -230, 50, 120, 3, 0.1},
                       {"fthigh", true, -57, 0.40, 180, 4.5, 0.1},
                       {"fshin", true, -70, 50, 120, 3, 0.1},
                       {"ffoot", true, -28, 28, 60, 1.5, 0.1}});
  EXPECT_EQ(model->jnt_type[JointId(model, "rootx")], mjJNT_SLIDE);
  EXPECT_EQ(model->jnt_type[JointId(model, "rootz")], mjJNT_SLIDE);
  EXPECT_EQ(model->jnt_type[JointId(model, "rooty")], mjJNT_HINGE);
  // the literal limits: fthigh's upper limit is 0.40 degrees, bfoot's lower limit -230 degrees
  EXPECT_NEAR(model->jnt_range[2 * JointId(model, "fthigh") + 1], 0.0069813170079773184, 1e-15);
  EXPECT_NEAR(model->jnt_range[2 * JointId(model, "bfoot")], -4.0142572795869578, 1e-14);
  // leg hinges turn about y
  const int bthigh = JointId(model, "bthigh");
  EXPECT_EQ(model->jnt_axis[3 * bthigh + 1], 1.0);

  ExpectMotors(model, {{"bthigh", 120},
                       {"bshin", 90},
                       {"bfoot", 60},
                       {"fthigh", 90},
                       {"fshin", 60},
                       {"ffoot", 30}});

  // settotalmass = 14 rescales the density-1000 capsule masses: each body's mass is
  // 14 * (its capsule volume) / (all capsule volumes), every capsule of radius 0.046; the torso
  // body holds the torso capsule (fromto length 1, half-length 0.5) and the head (half 0.15)
  EXPECT_NEAR(TotalMass(model), 14.0, 1e-12);
  const double r = 0.046;
  const std::vector<std::pair<const char*, double>> volumes = {
      {"torso", CapsuleVolume(r, 0.5) + CapsuleVolume(r, 0.15)},
      {"bthigh", CapsuleVolume(r, 0.145)},
      {"bshin", CapsuleVolume(r, 0.15)},
      {"bfoot", CapsuleVolume(r, 0.094)},
      {"fthigh", CapsuleVolume(r, 0.133)},
      {"fshin", CapsuleVolume(r, 0.106)},
      {"ffoot", CapsuleVolume(r, 0.07)}};
  double total_volume = 0.0;
  for (const auto& [body, volume] : volumes) total_volume += volume;
  for (const auto& [body, volume] : volumes) {
    EXPECT_NEAR(model->body_mass[BodyIdOf(model, body)], 14.0 * volume / total_volume, 1e-9)
        << body;
  }
  // e.g. torso 14 * 0.0094573 / 0.0211839 = 6.2502 kg
  EXPECT_NEAR(model->body_mass[BodyIdOf(model, "torso")], 6.2502, 1e-4);

  // torso at 0 0 .7; leg geoms collide with everything, friction .4 .1 .1, condim 3
  const int torso = BodyIdOf(model, "torso");
  EXPECT_DOUBLE_EQ(model->body_pos[3 * torso + 2], 0.7);
  for (const char* geom_name : {"torso", "head", "bthigh", "bfoot", "ffoot"}) {
    const int geom = GeomIdOf(model, geom_name);
    EXPECT_EQ(model->geom_type[geom], mjGEOM_CAPSULE) << geom_name;
    EXPECT_DOUBLE_EQ(model->geom_size[3 * geom], 0.046) << geom_name;
    EXPECT_EQ(model->geom_contype[geom], 1);
    EXPECT_EQ(model->geom_conaffinity[geom], 1);
    EXPECT_EQ(model->geom_condim[geom], 3);
    EXPECT_DOUBLE_EQ(model->geom_friction[3 * geom], 0.4);
    EXPECT_DOUBLE_EQ(model->geom_friction[3 * geom + 1], 0.1);
  }
  // the ground plane keeps MuJoCo's default friction 1 0.005 0.0001
  const int ground = GeomIdOf(model, "ground");
  EXPECT_EQ(model->geom_type[ground], mjGEOM_PLANE);
  EXPECT_EQ(model->geom_conaffinity[ground], 1);
  EXPECT_DOUBLE_EQ(model->geom_friction[3 * ground], 1.0);
  EXPECT_DOUBLE_EQ(model->geom_friction[3 * ground + 1], 0.005);
  EXPECT_DOUBLE_EQ(model->geom_friction[3 * ground + 2], 0.0001);
}

TEST(DmcModelTest, WalkerModelMatchesTheDocumentedFacts) {
  auto task = MakeTask("walker-walk");
  const mjModel* model = task->model();
  EXPECT_EQ(model->nq, 9);
  EXPECT_EQ(model->nv, 9);
  EXPECT_EQ(model->nu, 6);
  EXPECT_EQ(model->nbody, 8);
  EXPECT_EQ(task->obs_dim(), 24);
  EXPECT_EQ(task->action_dim(), 6);
  ASSERT_EQ(model->nsensor, 1);
  EXPECT_EQ(model->nsensordata, 3);
  EXPECT_EQ(model->sensor_type[0], mjSENS_SUBTREELINVEL);
  EXPECT_EQ(model->sensor_objid[0], BodyIdOf(model, "torso"));
  // physics 0.0025 s, 10 physics steps per 0.025 s control step
  EXPECT_EQ(model->opt.timestep, 0.0025);
  EXPECT_EQ(task->substeps_per_control_step(), 10);
  EXPECT_DOUBLE_EQ(task->control_timestep(), 0.025);

  // default joints: damping .1, armature .01, limited; root joints: unlimited, 0 and 0
  ExpectJoints(model, {{"rootz", false, 0, 0, 0, 0, 0},
                       {"rootx", false, 0, 0, 0, 0, 0},
                       {"rooty", false, 0, 0, 0, 0, 0},
                       {"right_hip", true, -20, 100, 0, 0.1, 0.01},
                       {"right_knee", true, -150, 0, 0, 0.1, 0.01},
                       {"right_ankle", true, -45, 45, 0, 0.1, 0.01},
                       {"left_hip", true, -20, 100, 0, 0.1, 0.01},
                       {"left_knee", true, -150, 0, 0, 0.1, 0.01},
                       {"left_ankle", true, -45, 45, 0, 0.1, 0.01}});
  for (const char* joint_name : {"right_hip", "left_knee", "left_ankle"}) {
    const int joint = JointId(model, joint_name);
    // walker class: axis 0 -1 0; default solimplimit 0 .99 .01
    EXPECT_EQ(model->jnt_axis[3 * joint + 1], -1.0) << joint_name;
    EXPECT_EQ(model->jnt_solimp[mjNIMP * joint], 0.0) << joint_name;
    EXPECT_DOUBLE_EQ(model->jnt_solimp[mjNIMP * joint + 1], 0.99) << joint_name;
    EXPECT_DOUBLE_EQ(model->jnt_solimp[mjNIMP * joint + 2], 0.01) << joint_name;
  }
  EXPECT_EQ(model->jnt_type[JointId(model, "rootz")], mjJNT_SLIDE);
  EXPECT_EQ(model->jnt_type[JointId(model, "rooty")], mjJNT_HINGE);
  EXPECT_EQ(model->jnt_axis[3 * JointId(model, "rooty") + 1], 1.0);

  ExpectMotors(model, {{"right_hip", 100},
                       {"right_knee", 50},
                       {"right_ankle", 20},
                       {"left_hip", 100},
                       {"left_knee", 50},
                       {"left_ankle", 20}});

  // masses at density 1000 from the capsules (volume pi r^2 2h + 4/3 pi r^3):
  //   torso r .07 h .3:   pi .0049 .6 + 4/3 pi .000343   = .0106730 m^3 -> 10.6730 kg
  //   thigh r .05 h .225: pi .0025 .45 + 4/3 pi .000125  = .0040579 m^3 ->  4.0579 kg
  //   leg   r .04 h .25:  pi .0016 .5 + 4/3 pi .000064   = .0027814 m^3 ->  2.7814 kg
  //   foot  r .05 h .1:   pi .0025 .2 + 4/3 pi .000125   = .0020944 m^3 ->  2.0944 kg
  //   total 10.6730 + 2 (4.0579 + 2.7814 + 2.0944) = 28.5403 kg
  const std::vector<std::pair<const char*, double>> masses = {
      {"torso", 1000 * CapsuleVolume(0.07, 0.3)},
      {"right_thigh", 1000 * CapsuleVolume(0.05, 0.225)},
      {"right_leg", 1000 * CapsuleVolume(0.04, 0.25)},
      {"right_foot", 1000 * CapsuleVolume(0.05, 0.1)},
      {"left_thigh", 1000 * CapsuleVolume(0.05, 0.225)},
      {"left_leg", 1000 * CapsuleVolume(0.04, 0.25)},
      {"left_foot", 1000 * CapsuleVolume(0.05, 0.1)}};
  for (const auto& [body, mass] : masses) {
    EXPECT_NEAR(model->body_mass[BodyIdOf(model, body)], mass, 1e-9) << body;
  }
  EXPECT_NEAR(TotalMass(model), 28.5403, 1e-4);

  // body placements: torso 0 0 1.3, thighs 0 -+.05 -.3, legs 0 0 -.7, feet .06 0 -.25
  EXPECT_DOUBLE_EQ(model->body_pos[3 * BodyIdOf(model, "torso") + 2], 1.3);
  EXPECT_DOUBLE_EQ(model->body_pos[3 * BodyIdOf(model, "right_thigh") + 1], -0.05);
  EXPECT_DOUBLE_EQ(model->body_pos[3 * BodyIdOf(model, "left_leg") + 2], -0.7);
  EXPECT_DOUBLE_EQ(model->body_pos[3 * BodyIdOf(model, "left_foot")], 0.06);

  // limbs (conaffinity 0) collide with the floor only (conaffinity 1); friction .7 everywhere
  for (int geom = 0; geom < model->ngeom; ++geom) {
    const bool floor = geom == GeomIdOf(model, "floor");
    EXPECT_EQ(model->geom_contype[geom], 1);
    EXPECT_EQ(model->geom_conaffinity[geom], floor ? 1 : 0);
    EXPECT_DOUBLE_EQ(model->geom_friction[3 * geom], 0.7);
    if (!floor) {
      EXPECT_EQ(model->geom_type[geom], mjGEOM_CAPSULE);
    }
  }
}

TEST(DmcModelTest, PendulumModelMatchesTheDocumentedFacts) {
  auto task = MakeTask("pendulum-swingup");
  const mjModel* model = task->model();
  EXPECT_EQ(model->nq, 1);
  EXPECT_EQ(model->nv, 1);
  EXPECT_EQ(model->nu, 1);
  EXPECT_EQ(model->nsensordata, 0);
  EXPECT_EQ(task->obs_dim(), 3);
  EXPECT_EQ(task->action_dim(), 1);
  EXPECT_EQ(model->opt.timestep, 0.02);
  EXPECT_EQ(task->substeps_per_control_step(), 1);
  EXPECT_DOUBLE_EQ(task->control_timestep(), 0.02);
  // contacts disabled, energy enabled
  EXPECT_TRUE(model->opt.disableflags & mjDSBL_CONTACT);
  EXPECT_TRUE(model->opt.enableflags & mjENBL_ENERGY);

  ExpectJoints(model, {{"hinge", false, 0, 0, 0, 0.1, 0}});
  const int hinge = JointId(model, "hinge");
  EXPECT_EQ(model->jnt_type[hinge], mjJNT_HINGE);
  EXPECT_EQ(model->jnt_axis[3 * hinge + 1], 1.0);
  ExpectMotors(model, {{"hinge", 1}});

  // base and pole are massless, so the body is the 1 kg sphere of radius 0.05 at 0 0 .5:
  // mass 1, centre of mass at the sphere, inertia 2/5 m r^2 = 0.4 * 0.0025 = 0.001 per axis
  const int pole = BodyIdOf(model, "pole");
  EXPECT_DOUBLE_EQ(model->body_pos[3 * pole + 2], 0.6);
  EXPECT_DOUBLE_EQ(model->body_mass[pole], 1.0);
  EXPECT_DOUBLE_EQ(TotalMass(model), 1.0);
  EXPECT_NEAR(model->body_ipos[3 * pole + 2], 0.5, 1e-12);
  for (int axis = 0; axis < 3; ++axis) {
    EXPECT_NEAR(model->body_inertia[3 * pole + axis], 0.001, 1e-12);
  }
}

TEST(DmcModelTest, LoadsModelsFromMemoryAndReportsMujocoErrors) {
  MjModelPtr model = LoadMjcfFromMemory("pendulum_copy.xml", kPendulumMjcf);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->nq, 1);
  try {
    LoadMjcfFromMemory(
        "broken.xml", "<mujoco><worldbody><body><joint type='bogus'/></body></worldbody></mujoco>");
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'broken.xml'"), std::string::npos) << message;
    // MuJoCo's own words
    EXPECT_NE(message.find("invalid keyword: 'bogus'"), std::string::npos) << message;
  }
}

//----- rewards and observations of chosen states -----

TEST(DmcCheetahTest, RewardIsTorsoSubtreeSpeedOverTen) {
  auto task = MakeTask("cheetah-run");
  const mjModel* model = task->model();
  const int rootx = model->jnt_dofadr[JointId(model, "rootx")];
  const int rootz = model->jnt_dofadr[JointId(model, "rootz")];
  // the whole body sliding along x at v: the subtree's centre of mass moves at v
  for (const auto& [speed, reward] : std::vector<std::pair<double, double>>{
           {5.0, 0.5}, {2.0, 0.2}, {10.0, 1.0}, {13.0, 1.0}, {0.0, 0.0}, {-4.0, 0.0}}) {
    SetStateAndForward(*task, [&](mjData* data) {
      data->qvel[rootx] = speed;
      data->qvel[rootz] = -1.5;  // vertical motion does not count
    });
    EXPECT_NEAR(task->data()->sensordata[0], speed, 1e-12);
    EXPECT_NEAR(task->Reward(), reward, 1e-12) << speed;
  }
}

TEST(DmcCheetahTest, ObservationIsQposWithoutRootxThenQvel) {
  auto task = MakeTask("cheetah-run");
  SetStateAndForward(*task, [](mjData* data) {
    for (int index = 0; index < 9; ++index) {
      data->qpos[index] = 0.1 * (index + 1);
      data->qvel[index] = -0.2 * (index + 1);
    }
  });
  const std::vector<float> obs = Observe(*task);
  ASSERT_EQ(obs.size(), 17u);
  for (int index = 0; index < 8; ++index) {
    EXPECT_EQ(obs[index], static_cast<float>(0.1 * (index + 2)));
  }
  for (int index = 0; index < 9; ++index) {
    EXPECT_EQ(obs[8 + index], static_cast<float>(-0.2 * (index + 1)));
  }
}

TEST(DmcWalkerTest, RewardCombinesStandingUprightAndMoveByHand) {
  auto task = MakeTask("walker-walk");
  const mjModel* model = task->model();
  const int rootz = model->jnt_qposadr[JointId(model, "rootz")];
  const int rooty = model->jnt_qposadr[JointId(model, "rooty")];
  const int rootx_dof = model->jnt_dofadr[JointId(model, "rootx")];
  // torso height = 1.3 + rootz; torso zz = cos(rooty); vx = rootx velocity
  auto reward_at = [&](double height, double pitch, double vx) {
    SetStateAndForward(*task, [&](mjData* data) {
      data->qpos[rootz] = height - 1.3;
      data->qpos[rooty] = pitch;
      data->qvel[rootx_dof] = vx;
    });
    return task->Reward();
  };
  // standing tall, upright, at walking speed: every term is 1
  EXPECT_NEAR(reward_at(1.3, 0.0, 1.0), 1.0, 1e-12);
  // height 0.9: d = 0.3 / 0.6 = 0.5, standing = 0.1^0.25; upright 1; move = 0.5
  // reward = (3 * 0.1^0.25 + 1) / 4 * (5 * 0.5 + 1) / 6
  EXPECT_NEAR(reward_at(0.9, 0.0, 0.5), (3 * std::pow(0.1, 0.25) + 1) / 4 * 3.5 / 6, 1e-12);
  // height 0.6: d = 1, standing = 0.1; lying flat: zz = 0, upright 0.5; still: move 0
  // reward = (0.3 + 0.5) / 4 * 1 / 6 = 0.2 / 6
  EXPECT_NEAR(reward_at(0.6, kPi / 2, 0.0), 0.2 / 6, 1e-12);
  // upside down at 1.4 m moving backwards: standing 1, upright 0, move 0 -> 3/4 / 6
  EXPECT_NEAR(reward_at(1.4, kPi, -0.3), 0.75 / 6, 1e-12);
  // above 1.2 m and faster than 1 m/s saturate
  EXPECT_NEAR(reward_at(1.25, 0.0, 3.0), 1.0, 1e-12);
}

TEST(DmcWalkerTest, ObservationIsOrientationsHeightAndVelocity) {
  auto task = MakeTask("walker-walk");
  // every body turns about y; a leg joint (axis 0 -1 0) subtracts its angle, rooty (0 1 0) adds
  const std::array<double, 9> qpos = {-0.2, 0.7, 0.3, 0.2, -0.5, 0.1, 0.4, -0.3, -0.2};
  SetStateAndForward(*task, [&](mjData* data) {
    for (int index = 0; index < 9; ++index) {
      data->qpos[index] = qpos[index];
      data->qvel[index] = 0.5 - 0.25 * index;
    }
  });
  // pitch of torso, right thigh/leg/foot, left thigh/leg/foot
  const double torso = 0.3;
  const std::array<double, 7> pitch = {
      torso,       torso - 0.2,       torso - 0.2 + 0.5,      torso - 0.2 + 0.5 - 0.1,
      torso - 0.4, torso - 0.4 + 0.3, torso - 0.4 + 0.3 + 0.2};
  const std::vector<float> obs = Observe(*task);
  ASSERT_EQ(obs.size(), 24u);
  // a rotation about y by a has xx = cos a and xz = sin a
  for (int body = 0; body < 7; ++body) {
    EXPECT_NEAR(obs[2 * body], std::cos(pitch[body]), 1e-6) << body;
    EXPECT_NEAR(obs[2 * body + 1], std::sin(pitch[body]), 1e-6) << body;
  }
  EXPECT_NEAR(obs[14], 1.3 - 0.2, 1e-6);  // torso height
  for (int index = 0; index < 9; ++index) {
    EXPECT_EQ(obs[15 + index], static_cast<float>(0.5 - 0.25 * index));
  }
}

TEST(DmcPendulumTest, RewardIsOneWithinEightDegreesOfUpright) {
  auto task = MakeTask("pendulum-swingup");
  auto reward_at = [&](double degrees) {
    SetStateAndForward(*task, [&](mjData* data) { data->qpos[0] = Radians(degrees); });
    return task->Reward();
  };
  EXPECT_EQ(reward_at(0.0), 1.0);
  EXPECT_EQ(reward_at(5.0), 1.0);
  EXPECT_EQ(reward_at(-5.0), 1.0);
  EXPECT_EQ(reward_at(7.9), 1.0);
  EXPECT_EQ(reward_at(8.1), 0.0);
  EXPECT_EQ(reward_at(10.0), 0.0);
  EXPECT_EQ(reward_at(-10.0), 0.0);
  EXPECT_EQ(reward_at(180.0), 0.0);
}

TEST(DmcPendulumTest, ObservationIsPoleZzXzThenAngularVelocity) {
  auto task = MakeTask("pendulum-swingup");
  SetStateAndForward(*task, [](mjData* data) {
    data->qpos[0] = 0.7;
    data->qvel[0] = -1.5;
  });
  // rotation about y by 0.7: zz = cos 0.7, xz = sin 0.7
  const std::vector<float> obs = Observe(*task);
  ASSERT_EQ(obs.size(), 3u);
  EXPECT_NEAR(obs[0], std::cos(0.7), 1e-7);
  EXPECT_NEAR(obs[1], std::sin(0.7), 1e-7);
  EXPECT_EQ(obs[2], -1.5f);
}

//----- stepping -----

class DmcStepTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DmcStepTest, RewardAfterStepIsTheRewardOfTheNewState) {
  // with action repeat 1 an agent step is one control step; an explicit mj_forward must not
  // change the reward or observation (a stale sensor would change them)
  auto task = MakeTask(GetParam(), 3, /*action_repeat=*/1);
  std::vector<float> obs(task->obs_dim());
  task->Reset(obs);
  for (int step = 0; step < 40; ++step) {
    const StepResult result = task->Step(TestAction(task->action_dim(), step), obs);
    mj_forward(task->model(), task->data());
    EXPECT_EQ(result.reward, task->Reward()) << step;
    EXPECT_EQ(obs, Observe(*task)) << step;
  }
}

TEST_P(DmcStepTest, ActionRepeatSumsTheRewardsOfHandSteppedControlSteps) {
  // documented physics steps per control step
  const int substeps = GetParam() == "walker-walk" ? 10 : 1;
  auto task = MakeTask(GetParam(), 5);
  auto copy = MakeTask(GetParam(), 5);
  ASSERT_EQ(task->options().action_repeat, 2);
  std::vector<float> obs(task->obs_dim());
  std::vector<float> copy_obs(task->obs_dim());
  task->Reset(obs);
  copy->Reset(copy_obs);
  ASSERT_EQ(obs, copy_obs);
  const mjModel* model = copy->model();
  mjData* data = copy->data();
  for (int step = 0; step < 5; ++step) {
    const std::vector<float> action = TestAction(task->action_dim(), step);
    const StepResult result = task->Step(action, obs);
    // dm_control's legacy step, twice: mj_step2; (n - 1) x mj_step; mj_step1
    double sum = 0.0;
    for (int repeat = 0; repeat < 2; ++repeat) {
      for (int index = 0; index < model->nu; ++index) data->ctrl[index] = action[index];
      mj_step2(model, data);
      for (int physics_step = 1; physics_step < substeps; ++physics_step) mj_step(model, data);
      mj_step1(model, data);
      sum += copy->Reward();
    }
    EXPECT_EQ(result.reward, sum) << step;
    EXPECT_EQ(obs, Observe(*copy)) << step;
  }
  EXPECT_EQ(task->data()->time, copy->data()->time);
}

TEST_P(DmcStepTest, ActionsAreClippedToTheUnitBox) {
  auto task = MakeTask(GetParam(), 2);
  auto clipped = MakeTask(GetParam(), 2);
  std::vector<float> obs(task->obs_dim());
  std::vector<float> clipped_obs(task->obs_dim());
  task->Reset(obs);
  clipped->Reset(clipped_obs);
  std::vector<float> large(task->action_dim());
  std::vector<float> unit(task->action_dim());
  for (int index = 0; index < task->action_dim(); ++index) {
    large[index] = index % 2 == 0 ? 3.5f : -7.0f;
    unit[index] = index % 2 == 0 ? 1.0f : -1.0f;
  }
  for (int step = 0; step < 3; ++step) {
    EXPECT_EQ(task->Step(large, obs).reward, clipped->Step(unit, clipped_obs).reward);
    EXPECT_EQ(obs, clipped_obs);
  }
}

TEST_P(DmcStepTest, ResetIsReproducibleAndSeedDependent) {
  auto first = MakeTask(GetParam(), 11);
  auto second = MakeTask(GetParam(), 11);
  auto other_seed = MakeTask(GetParam(), 12);
  DmcTaskOptions options;
  options.name = GetParam();
  auto other_stream = MakeDmcTask(options, 11, "eval_env");
  std::vector<float> a(first->obs_dim()), b(a.size()), c(a.size()), d(a.size());
  for (int episode = 0; episode < 3; ++episode) {
    first->Reset(a);
    second->Reset(b);
    other_seed->Reset(c);
    other_stream->Reset(d);
    EXPECT_EQ(a, b) << episode;
    EXPECT_NE(a, c) << episode;
    EXPECT_NE(a, d) << episode;
  }
}

TEST_P(DmcStepTest, SavedRngStateReproducesTheNextReset) {
  auto task = MakeTask(GetParam(), 21);
  auto elsewhere = MakeTask(GetParam(), 999);
  std::vector<float> obs(task->obs_dim()), again(obs.size()), restored(obs.size());
  task->Reset(obs);
  const std::string state = task->SaveRngState();
  task->Reset(obs);
  task->LoadRngState(state);
  task->Reset(again);
  EXPECT_EQ(obs, again);
  // another instance picks up the stream exactly
  elsewhere->LoadRngState(state);
  elsewhere->Reset(restored);
  EXPECT_EQ(obs, restored);
}

TEST_P(DmcStepTest, SavedStateContinuesMidEpisodeBitForBit) {
  auto task = MakeTask(GetParam(), 31);
  auto restored = MakeTask(GetParam(), 77);  // another seed: everything comes from the state
  std::vector<float> obs(task->obs_dim()), restored_obs(obs.size());
  task->Reset(obs);
  for (int step = 0; step < 37; ++step) task->Step(TestAction(task->action_dim(), step), obs);
  restored->LoadState(task->SaveState());
  // the rest of this episode and the next reset agree exactly
  for (int step = 37; step < 500; ++step) {
    const std::vector<float> action = TestAction(task->action_dim(), step);
    const StepResult a = task->Step(action, obs);
    const StepResult b = restored->Step(action, restored_obs);
    ASSERT_EQ(a.reward, b.reward) << step;
    ASSERT_EQ(obs, restored_obs) << step;
    ASSERT_EQ(a.truncated, b.truncated) << step;
  }
  task->Reset(obs);
  restored->Reset(restored_obs);
  EXPECT_EQ(obs, restored_obs);
  auto other_task =
      MakeTask(GetParam() == "pendulum-swingup" ? "cheetah-run" : "pendulum-swingup", 1);
  EXPECT_THROW(other_task->LoadState(task->SaveState()), std::runtime_error);
  EXPECT_THROW(task->LoadState("garbage"), std::runtime_error);
}

TEST_P(DmcStepTest, EpisodeTruncatesExactlyAtAgentStep500) {
  auto task = MakeTask(GetParam(), 4);
  EXPECT_EQ(task->agent_steps_per_episode(), 500);
  std::vector<float> obs(task->obs_dim());
  const std::vector<float> action(task->action_dim(), 0.0f);
  // twice, so a second episode counts from zero again
  for (int episode = 0; episode < 2; ++episode) {
    task->Reset(obs);
    for (int step = 1; step <= 500; ++step) {
      const StepResult result = task->Step(action, obs);
      EXPECT_EQ(result.truncated, step == 500) << step;
      EXPECT_FALSE(result.terminated);
      // each control-step reward is in [0, 1], and two are summed
      EXPECT_GE(result.reward, 0.0);
      EXPECT_LE(result.reward, 2.0);
    }
    EXPECT_EQ(task->control_steps(), 1000);
    EXPECT_THROW(task->Step(action, obs), std::runtime_error);
  }
}

INSTANTIATE_TEST_SUITE_P(DmcTasks, DmcStepTest,
                         ::testing::Values("cheetah-run", "walker-walk", "pendulum-swingup"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(DmcEpisodeTest, PlainMjStepLeavesTheSensorOneStepStale) {
  // the trap the legacy step avoids: after plain mj_step the sensor still describes the
  // previous state, and only a forward pass brings it to the state the env reports
  auto task = MakeTask("cheetah-run", 6, /*action_repeat=*/1);
  std::vector<float> obs(task->obs_dim());
  task->Reset(obs);
  const mjModel* model = task->model();
  MjDataPtr plain(mj_makeData(model));
  mj_copyData(plain.get(), model, task->data());
  const double speed_before = task->data()->sensordata[0];

  const std::vector<float> action(6, 1.0f);
  task->Step(action, obs);
  for (int index = 0; index < 6; ++index) plain->ctrl[index] = 1.0;
  mj_step(model, plain.get());
  EXPECT_EQ(plain->sensordata[0], speed_before);     // stale
  EXPECT_EQ(plain->qvel[0], task->data()->qvel[0]);  // same new state
  EXPECT_GT(std::abs(task->data()->sensordata[0] - speed_before), 1e-4);
  mj_forward(model, plain.get());
  EXPECT_EQ(plain->sensordata[0], task->data()->sensordata[0]);
}

TEST(DmcEpisodeTest, ShortEpisodesFollowTheOptions) {
  DmcTaskOptions options;
  options.name = "pendulum-swingup";
  options.episode_length = 12;
  options.action_repeat = 3;
  auto task = MakeDmcTask(options, 1);
  EXPECT_EQ(task->agent_steps_per_episode(), 4);
  std::vector<float> obs(3);
  const std::vector<float> action = {0.0f};
  task->Reset(obs);
  for (int step = 1; step <= 4; ++step) EXPECT_EQ(task->Step(action, obs).truncated, step == 4);
  EXPECT_EQ(task->control_steps(), 12);
}

TEST(DmcEpisodeTest, MisuseThrowsWithPreciseMessages) {
  auto task = MakeTask("cheetah-run");
  std::vector<float> obs(17);
  std::vector<float> action(6, 0.0f);
  // no episode yet
  EXPECT_THROW(task->Step(action, obs), std::runtime_error);
  std::vector<float> short_obs(16);
  EXPECT_THROW(task->Reset(short_obs), std::runtime_error);
  task->Reset(obs);
  std::vector<float> short_action(5, 0.0f);
  EXPECT_THROW(task->Step(short_action, obs), std::runtime_error);
  action[2] = std::numeric_limits<float>::quiet_NaN();
  try {
    task->Step(action, obs);
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("action[2] is not finite"), std::string::npos);
  }
}

TEST(DmcEpisodeTest, InvalidOptionsAndNamesAreRejected) {
  DmcTaskOptions options;
  options.name = "cheetah-walk";
  EXPECT_THROW(MakeDmcTask(options, 1), RegistryError);
  options.name = "walker-walk";
  options.episode_length = 1001;  // not a multiple of the repeat 2
  EXPECT_THROW(MakeDmcTask(options, 1), OrchError);
  options.episode_length = 1000;
  options.action_repeat = 0;
  EXPECT_THROW(MakeDmcTask(options, 1), OrchError);
}

TEST(DmcEpisodeTest, DirectFactoriesNameTheirOwnTask) {
  const DmcTaskOptions defaults;  // named cheetah-run
  EXPECT_EQ(MakeWalkerWalk(defaults, 1)->name(), "walker-walk");
  EXPECT_EQ(MakeWalkerWalk(defaults, 1)->obs_dim(), 24);
  EXPECT_EQ(MakePendulumSwingup(defaults, 1)->name(), "pendulum-swingup");
  EXPECT_EQ(MakeCheetahRun(defaults, 1)->name(), "cheetah-run");
}

//----- resets and rollouts -----

TEST(DmcWalkerTest, ResetRandomisesHingesWithinRangeAndLeavesSlides) {
  auto task = MakeTask("walker-walk", 8);
  const mjModel* model = task->model();
  std::vector<float> obs(task->obs_dim());
  double pitch_min = kPi;
  double pitch_max = -kPi;
  for (int episode = 0; episode < 50; ++episode) {
    task->Reset(obs);
    const mjData* data = task->data();
    EXPECT_EQ(data->qpos[JointId(model, "rootz")], 0.0);
    EXPECT_EQ(data->qpos[JointId(model, "rootx")], 0.0);
    const double pitch = data->qpos[JointId(model, "rooty")];
    EXPECT_GE(pitch, -kPi);
    EXPECT_LE(pitch, kPi);
    pitch_min = std::min(pitch_min, pitch);
    pitch_max = std::max(pitch_max, pitch);
    for (int joint = 3; joint < model->njnt; ++joint) {
      EXPECT_GE(data->qpos[joint], model->jnt_range[2 * joint]);
      EXPECT_LE(data->qpos[joint], model->jnt_range[2 * joint + 1]);
    }
    for (int dof = 0; dof < model->nv; ++dof) EXPECT_EQ(data->qvel[dof], 0.0);
    EXPECT_EQ(data->time, 0.0);
  }
  // rooty covers the circle, not a small arc
  EXPECT_LT(pitch_min, -2.0);
  EXPECT_GT(pitch_max, 2.0);
}

TEST(DmcCheetahTest, ResetSettlesForTwoHundredStepsAndRestartsTime) {
  auto task = MakeTask("cheetah-run", 9);
  const mjModel* model = task->model();
  std::vector<float> obs(task->obs_dim());
  std::vector<double> rootx_positions;
  for (int episode = 0; episode < 5; ++episode) {
    task->Reset(obs);
    const mjData* data = task->data();
    EXPECT_EQ(data->time, 0.0);
    // after 2 s of settling the body rests on the ground, legs within range (soft limits)
    for (int dof = 0; dof < model->nv; ++dof) EXPECT_LT(std::abs(data->qvel[dof]), 0.5) << dof;
    for (int joint = 3; joint < model->njnt; ++joint) {
      EXPECT_GE(data->qpos[joint], model->jnt_range[2 * joint] - 0.01);
      EXPECT_LE(data->qpos[joint], model->jnt_range[2 * joint + 1] + 0.01);
    }
    // the torso has dropped from 0.7 m onto its legs
    EXPECT_LT(data->qpos[JointId(model, "rootz")], 0.0);
    rootx_positions.push_back(data->qpos[0]);
  }
  // randomised legs settle to different places
  EXPECT_NE(rootx_positions[0], rootx_positions[1]);
}

TEST(DmcPendulumTest, ResetDrawsTheHingeUniformlyOnTheCircle) {
  auto task = MakeTask("pendulum-swingup", 10);
  std::vector<float> obs(3);
  int left = 0;
  for (int episode = 0; episode < 100; ++episode) {
    task->Reset(obs);
    const double angle = task->data()->qpos[0];
    EXPECT_GE(angle, -kPi);
    EXPECT_LT(angle, kPi);
    EXPECT_EQ(task->data()->qvel[0], 0.0);
    left += angle < 0.0;
  }
  EXPECT_GT(left, 30);
  EXPECT_LT(left, 70);
}

TEST(DmcCheetahTest, ZeroActionEpisodeEarnsLittle) {
  auto task = MakeTask("cheetah-run", 1);
  std::vector<float> obs(task->obs_dim());
  const std::vector<float> action(task->action_dim(), 0.0f);
  task->Reset(obs);
  double episode_return = 0.0;
  StepResult result;
  do {
    result = task->Step(action, obs);
    episode_return += result.reward;
  } while (!result.truncated);
  // of a maximum of 1000 over 1000 control steps
  EXPECT_GE(episode_return, 0.0);
  EXPECT_LT(episode_return, 50.0);
}

TEST(DmcPendulumTest, ZeroActionEarnsNothingUnlessStartedNearUpright) {
  // without control the damped pendulum never gets closer to upright than where it started
  const std::vector<float> kNoTorque = {0.0f};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    auto task = MakeTask("pendulum-swingup", seed);
    std::vector<float> obs(3);
    task->Reset(obs);
    const double start = std::abs(task->data()->qpos[0]);
    double episode_return = 0.0;
    for (int step = 0; step < 500; ++step) episode_return += task->Step(kNoTorque, obs).reward;
    if (start > Radians(10.0)) {
      EXPECT_EQ(episode_return, 0.0) << seed;
    }
  }
  // started 3 degrees from upright at rest, both control steps of the first agent step pay 1
  auto near_upright = MakeTask("pendulum-swingup", 1);
  std::vector<float> obs(3);
  near_upright->Reset(obs);
  SetStateAndForward(*near_upright, [](mjData* data) { data->qpos[0] = Radians(3.0); });
  EXPECT_EQ(near_upright->Step(kNoTorque, obs).reward, 2.0);
}

}  // namespace
}  // namespace orch::envs

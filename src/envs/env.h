// src/envs/env.h: the one environment interface every task implements: continuous control (the
// DMControl tasks, Pendulum-v1, the controlled pendulum), discrete (CartPole) and masked
// multi-head discrete tasks (the invalid-action identity task, the seed garden). Plain C++: no
// LibTorch, no MuJoCo. Algorithms see tasks only through it (and MakeEnv, env_registry.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace orch::envs {

/// What an env's actions are.
struct ActionSpec {
  enum class Kind {
    kContinuous,  ///< `dim` floats, each in [low[i], high[i]]
    kDiscrete,    ///< one index per head; a single-head task has one head
  };
  Kind kind = Kind::kContinuous;
  /// kContinuous: floats per action and their bounds (an action outside is clipped).
  int dim = 0;
  std::vector<double> low;
  std::vector<double> high;
  /// kDiscrete: the heads in order, their names ("action" for a single head) and choice counts.
  std::vector<std::string> head_names;
  std::vector<int> head_sizes;
  /// kDiscrete: the env says which choices are valid before every step (WriteMasks).
  bool masked = false;
  /// masked: a head whose valid choices depend on another head's choice (the seed garden's
  /// slot on its op), empty for none. A mask row then goes on, after the heads' masks, with
  /// the valid choices of `conditional_head` for each choice of `condition_head`, in the
  /// condition's order (size(condition) x size(conditional) entries).
  std::string conditional_head;
  std::string condition_head;

  bool IsContinuous() const { return kind == Kind::kContinuous; }
  bool IsDiscrete() const { return kind == Kind::kDiscrete; }
  int num_heads() const { return static_cast<int>(head_sizes.size()); }
  /// The index of the head `name`, or -1.
  int HeadIndex(const std::string& name) const;
  bool HasConditionalMask() const { return !conditional_head.empty(); }
  /// The entries of the conditional block (0 without one).
  int conditional_mask_size() const;
  /// The length of a mask row: the sum of the head sizes, and the conditional block.
  int mask_size() const;
};

/// One action: the floats of a continuous action, or the chosen index of every head.
struct Action {
  std::span<const float> continuous;
  std::span<const int64_t> discrete;
};

/// What one step returns besides the observation.
struct StepResult {
  double reward = 0.0;
  bool terminated = false;  ///< a terminal state: the return after it is 0
  bool truncated = false;   ///< the time limit: the episode ends, the state is not terminal
};

/// A task. Reset and Step write the observation into a caller's buffer, so a vector of envs
/// fills one contiguous batch without copies. Every random choice comes from the env's own
/// stream (derived from the run seed), so a run is reproducible; SaveState/LoadState capture
/// everything that determines the future, so a checkpoint taken mid-episode continues exactly.
class Env {
 public:
  virtual ~Env() = default;

  /// The env's name (`cartpole`, `cheetah-run`, ...), as `env.name` selects it.
  virtual const std::string& name() const = 0;
  virtual int obs_dim() const = 0;
  virtual const ActionSpec& action_spec() const = 0;
  /// Steps per episode before truncation (0: the env never truncates on its own).
  virtual int64_t max_episode_steps() const = 0;

  /// Starts an episode and writes its first observation. Throws std::runtime_error when
  /// obs.size() != obs_dim().
  virtual void Reset(std::span<float> obs) = 0;
  /// One step: applies `action`, writes the next observation and returns reward and ending.
  /// After an ending the next call must be Reset. Throws std::runtime_error on a wrong span
  /// size, an index outside its head, a masked choice, a non-finite continuous action, or a step
  /// outside an episode.
  virtual StepResult Step(const Action& action, std::span<float> obs) = 0;
  /// A masked env's valid choices for the next step: for each head in order, head_sizes[h]
  /// entries, 1 where the choice is valid. Every head has at least one valid choice. An
  /// unmasked env writes all ones.
  virtual void WriteMasks(std::span<uint8_t> masks) const;
  /// Which heads the chosen `action` (one index per head) actually used: 1 where a head's choice
  /// shaped the step, 0 where the op made it irrelevant (the seed garden: the blueprint matters
  /// only when germinating). PPO credits a head's advantage only where it was relevant (Esper's
  /// causal per-head masks). By default every head is relevant.
  virtual void WriteHeadRelevance(std::span<const int64_t> action,
                                  std::span<uint8_t> relevant) const;

  /// Everything that determines the env's future (its state mid-episode, step count, random
  /// stream) as text; LoadState restores it exactly. LoadState throws std::runtime_error for
  /// text that is not this env's.
  virtual std::string SaveState() const = 0;
  virtual void LoadState(const std::string& state) = 0;
};

}  // namespace orch::envs

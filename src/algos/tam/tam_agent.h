// src/algos/tam/tam_agent.h: the TAM actor on the controlled pendulum, one episode at a time
// (tam.md §6): commitment, horizon, rollout, one optimiser step, dual updates, z-memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "algos/tam/tam_history.h"
#include "algos/tam/tam_options.h"
#include "algos/tam/z_memory.h"
#include "envs/controlled_pendulum.h"
#include "envs/env_options.h"

namespace orch::tam {

/// Throws std::invalid_argument on options the agent cannot run: a policy objective other than
/// `frozen`, memory.detach_targets = false, min_horizon > max_horizon.
void ValidateTamOptions(const TamOptions& options);

/// The whole training state of one TAM run: the env (reset once, never between episodes), the
/// three networks and their Adam optimiser, both multipliers, the z-memory, the history and
/// every random stream (env noise, regime flips, exploration noise, z sampling, T sampling).
/// Deterministic: the same options and seed give the same history, and a checkpoint restores
/// the state exactly, so that a resumed run continues bit for bit.
class TamAgent {
 public:
  /// Builds the networks (initialised from a generator seeded by the run seed) and resets the
  /// env. Throws std::invalid_argument when ValidateTamOptions does.
  TamAgent(const TamOptions& options, const envs::ControlledPendulumOptions& env_options,
           uint64_t seed);
  ~TamAgent();
  TamAgent(const TamAgent&) = delete;
  TamAgent& operator=(const TamAgent&) = delete;

  /// Runs episode episodes_done() and returns its history row (the last row of history(), valid
  /// until the next call). Throws std::runtime_error when the loss is not finite or LibTorch
  /// fails.
  const EpisodeRecord& RunEpisode();

  int64_t episodes_done() const;
  const TamHistory& history() const;
  /// The z-memory, or nullptr when tam.memory.enabled is false.
  const ZMemory* memory() const;
  const envs::ControlledPendulumEnv& env() const;
  double lambda_bind() const;
  double lambda_t() const;

  /// Number of trainable parameters of the three networks.
  int64_t ParameterCount() const;
  /// The policy network's parameters, flattened in registration order.
  std::vector<float> PolicyParameters() const;
  /// The largest |change| of any policy parameter since initialisation (0 in frozen mode).
  double PolicyDrift() const;

  /// Everything needed to continue exactly, as bytes (a LibTorch archive).
  std::string SaveCheckpoint() const;
  /// Restores a SaveCheckpoint() output. Throws std::runtime_error when the bytes are not a TAM
  /// checkpoint, or were written with another seed or other network/memory sizes.
  void LoadCheckpoint(std::string_view bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orch::tam

// src/algos/tdmpc2/representation_diagnostics.h: what a run's latent space looks like, on a
// fixed probe batch at each evaluation (`diag/*` metrics): whether the representation
// collapses (effective rank, SimNorm saturation, distinct codes, spread) and whether the
// dynamics still respond to the action. Cheap: one encoder and two dynamics passes.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace orch::tdmpc2 {

/// Figures of a batch of latents z [K, latent_dim], whose SimNorm groups have `group_size`
/// entries each (each group a probability vector).
struct LatentDiagnostics {
  /// exp(entropy) of the normalised singular values of the centred latents (Roy & Vetterli):
  /// how many directions the states spread along; 0 when they do not vary at all.
  double effective_rank = 0.0;
  /// Mean over states and groups of a group's largest entry: 1/group_size uniform, 1 one-hot.
  double saturation = 0.0;
  /// Distinct codes: states told apart by the argmax of every group.
  double distinct_codes = 0.0;
  /// Mean Euclidean distance of the latents from their mean.
  double spread = 0.0;
};

LatentDiagnostics DiagnoseLatents(const at::Tensor& z, int64_t group_size);

/// Mean Euclidean distance between the next latents of the same states under two actions:
/// ||next_a - next_b|| averaged over the batch (both [K, latent_dim]).
double ActionSensitivity(const at::Tensor& next_a, const at::Tensor& next_b);

}  // namespace orch::tdmpc2

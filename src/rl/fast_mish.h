// src/rl/fast_mish.h: Mish, x · tanh(softplus(x)), without tanh and log1p.
#pragma once

#include <ATen/core/Tensor.h>

namespace orch::rl {

/// Mish through the identity tanh(log(1 + n)) = (n² + 2n) / (n² + 2n + 2) with n = eˣ: one exp
/// and a division instead of exp, log1p and tanh. LibTorch 1.13's mish spends most of its time in
/// the last two (about a third of a TD-MPC2 update on one thread), so TD-MPC2's networks use this
/// one. Same function to float precision (a test compares values and gradients with torch::mish);
/// the backward pass reuses n and tanh(softplus(x)) from the forward pass.
at::Tensor FastMish(const at::Tensor& x);

}  // namespace orch::rl

// src/rl/lstm_sequence.h: a one-layer LSTM over whole sequences as one autograd operation, with
// the state zeroed where an episode starts. LibTorch 1.13's CPU LSTM records a dozen autograd
// nodes per time step (about 300 for PPO's 25-step sequences, and a backward pass four times
// the forward's cost); this one records one node for the sequence: the input projection of every
// step is one matrix product, each step one more, and the backward pass is the hand-written
// recurrence (its matrix products batched over the sequence). The same function as
// torch::nn::LSTM to float precision: a test compares outputs and every gradient.
#pragma once

#include <ATen/core/Tensor.h>

#include <tuple>

namespace orch::rl {

/// The parameters of one LSTM layer, in LibTorch's layout (gates i, f, g, o): weight_ih
/// [4H, F], weight_hh [4H, H], bias_ih and bias_hh [4H].
struct LstmWeights {
  at::Tensor weight_ih;
  at::Tensor weight_hh;
  at::Tensor bias_ih;
  at::Tensor bias_hh;
};

/// x [B, S, F] from (h0, c0) [1, B, H] -> (outputs [B, S, H], h_S [1, B, H], c_S [1, B, H]).
/// `starts` [B, S] (bool, or undefined for none): where a step begins an episode, the state it
/// starts from is zero (the state carried into step t is multiplied by 1 - starts[:, t]).
/// Differentiable with respect to x, h0, c0 and the weights; without grad mode (or with nothing
/// requiring it) nothing is saved.
std::tuple<at::Tensor, at::Tensor, at::Tensor> LstmSequence(const at::Tensor& x,
                                                            const at::Tensor& h0,
                                                            const at::Tensor& c0,
                                                            const LstmWeights& weights,
                                                            const at::Tensor& starts);

}  // namespace orch::rl

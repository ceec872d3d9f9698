// Tests src/rl/lstm_sequence.cpp against torch::nn::LSTM: the same outputs, final state and
// gradients (inputs, initial state, every weight), with and without episode starts inside the
// sequences.
#include "rl/lstm_sequence.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

namespace orch::rl {
namespace {

struct Case {
  torch::nn::LSTM lstm{nullptr};
  at::Tensor x, h0, c0, starts, out_weight, h_weight;
};

Case MakeCase(bool with_starts) {
  torch::manual_seed(17);
  Case c;
  c.lstm = torch::nn::LSTM(torch::nn::LSTMOptions(5, 4).batch_first(true));
  c.x = torch::randn({3, 7, 5}, torch::requires_grad());
  c.h0 = torch::randn({1, 3, 4}, torch::requires_grad());
  c.c0 = torch::randn({1, 3, 4}, torch::requires_grad());
  if (with_starts) {
    c.starts = torch::zeros({3, 7}, torch::kBool);
    c.starts[0][3] = true;
    c.starts[1][0] = true;
    c.starts[2][5] = true;
    c.starts[2][6] = true;
  }
  c.out_weight = torch::randn({3, 7, 4});
  c.h_weight = torch::randn({1, 3, 4});
  return c;
}

LstmWeights Weights(torch::nn::LSTM& lstm) {
  auto p = lstm->named_parameters();
  return {p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"]};
}

/// torch::nn::LSTM step by step, the state multiplied by (1 - starts) before each step.
std::tuple<at::Tensor, at::Tensor, at::Tensor> Reference(Case& c) {
  at::Tensor h = c.h0;
  at::Tensor cell = c.c0;
  std::vector<at::Tensor> outputs;
  for (int64_t t = 0; t < c.x.size(1); ++t) {
    if (c.starts.defined()) {
      at::Tensor keep = c.starts.select(1, t).logical_not().to(torch::kFloat).view({1, 3, 1});
      h = h * keep;
      cell = cell * keep;
    }
    auto [out, state] = c.lstm->forward(c.x.narrow(1, t, 1), std::make_tuple(h, cell));
    outputs.push_back(out);
    h = std::get<0>(state);
    cell = std::get<1>(state);
  }
  return {torch::cat(outputs, 1), h, cell};
}

void ExpectSameFunctionAndGradients(bool with_starts) {
  Case c = MakeCase(with_starts);
  auto [ref_out, ref_h, ref_c] = Reference(c);
  at::Tensor ref_loss = (ref_out * c.out_weight).sum() + (ref_h * c.h_weight).sum() + ref_c.sum();
  std::vector<at::Tensor> inputs = {c.x, c.h0, c.c0};
  for (const auto& parameter : c.lstm->parameters()) inputs.push_back(parameter);
  std::vector<at::Tensor> ref_grads = torch::autograd::grad({ref_loss}, inputs);

  auto [out, h, cell] = LstmSequence(c.x, c.h0, c.c0, Weights(c.lstm), c.starts);
  EXPECT_TRUE(torch::allclose(out, ref_out, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(h, ref_h, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(cell, ref_c, 1e-5, 1e-6));
  at::Tensor loss = (out * c.out_weight).sum() + (h * c.h_weight).sum() + cell.sum();
  std::vector<at::Tensor> grads = torch::autograd::grad({loss}, inputs);
  const std::vector<std::string> names = {"x",         "h0",      "c0",     "weight_ih",
                                          "weight_hh", "bias_ih", "bias_hh"};
  ASSERT_EQ(grads.size(), ref_grads.size());
  for (size_t index = 0; index < grads.size(); ++index) {
    EXPECT_TRUE(torch::allclose(grads[index], ref_grads[index], 1e-4, 1e-5)) << names[index] << "\n"
                                                                             << grads[index] << "\n"
                                                                             << ref_grads[index];
  }
}

TEST(LstmSequenceTest, MatchesTorchLstmAndItsGradients) { ExpectSameFunctionAndGradients(false); }

TEST(LstmSequenceTest, ZeroesTheStateWhereAnEpisodeStarts) { ExpectSameFunctionAndGradients(true); }

TEST(LstmSequenceTest, WithoutGradModeItComputesTheSameAndRecordsNothing) {
  Case c = MakeCase(true);
  auto [with_grad, h, cell] = LstmSequence(c.x, c.h0, c.c0, Weights(c.lstm), c.starts);
  torch::NoGradGuard no_grad;
  auto [plain, h2, c2] = LstmSequence(c.x, c.h0, c.c0, Weights(c.lstm), c.starts);
  EXPECT_FALSE(plain.requires_grad());
  EXPECT_TRUE(torch::equal(plain, with_grad.detach()));
  EXPECT_THROW(LstmSequence(c.x.to(torch::kDouble), c.h0, c.c0, Weights(c.lstm), {}),
               std::invalid_argument);
}

}  // namespace
}  // namespace orch::rl

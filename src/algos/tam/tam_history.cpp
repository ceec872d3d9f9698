// src/algos/tam/tam_history.cpp
#include "algos/tam/tam_history.h"

#include <stdexcept>

namespace orch::tam {

const std::array<std::string_view, kHistoryKeyCount>& HistoryKeys() {
  static const std::array<std::string_view, kHistoryKeyCount> keys = {
      "step",     "regime",    "bind_success", "avg_abs_action", "T",
      "E_T",      "E_T_train", "exp_nll",      "cone_volume",    "kl",
      "z_norm",   "soft_bind", "lambda_bind",  "lambda_T",       "cone_vol",
      "mem_loss", "mem_risk",  "mem_n"};
  return keys;
}

std::array<double, kHistoryKeyCount> HistoryValues(const EpisodeRecord& r) {
  return {static_cast<double>(r.step),
          static_cast<double>(r.regime),
          r.bind_success,
          r.avg_abs_action,
          static_cast<double>(r.horizon),
          r.e_t,
          r.e_t_train,
          r.exp_nll,
          r.cone_volume,
          r.kl,
          r.z_norm,
          r.soft_bind,
          r.lambda_bind,
          r.lambda_t,
          r.cone_vol,
          r.mem_loss,
          r.mem_risk,
          static_cast<double>(r.mem_n)};
}

EpisodeRecord HistoryRecordFromValues(std::span<const double> v) {
  if (v.size() != kHistoryKeyCount) throw std::runtime_error("tam: malformed history row");
  EpisodeRecord r;
  r.step = static_cast<int64_t>(v[0]);
  r.regime = static_cast<int64_t>(v[1]);
  r.bind_success = v[2];
  r.avg_abs_action = v[3];
  r.horizon = static_cast<int64_t>(v[4]);
  r.e_t = v[5];
  r.e_t_train = v[6];
  r.exp_nll = v[7];
  r.cone_volume = v[8];
  r.kl = v[9];
  r.z_norm = v[10];
  r.soft_bind = v[11];
  r.lambda_bind = v[12];
  r.lambda_t = v[13];
  r.cone_vol = v[14];
  r.mem_loss = v[15];
  r.mem_risk = v[16];
  r.mem_n = static_cast<int64_t>(v[17]);
  return r;
}

}  // namespace orch::tam

// src/algos/tam/tam_analysis.cpp
#include "algos/tam/tam_analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "common/json.h"
#include "rl/seeding.h"

namespace orch::tam {
namespace {

// windows of the criteria (tam.md §13, §12.7)
constexpr int64_t kFinalWindow = 1000;   // "over the last 1,000 episodes"
constexpr int64_t kCompareWindow = 500;  // "last 500 vs first 500"
constexpr double kFinalFraction = 0.2;   // "the final 20%"
constexpr int64_t kSpreadWindow = 1000;  // "last 1,000 vs first 1,000 after mem_min"
constexpr int64_t kNeighbours = 10;      // "the 10th nearest neighbour"
// thresholds (proposals of the notes; calibrated once on our build)
constexpr double kSoftBindTolerance = 0.07;
constexpr double kHorizonTolerance = 4.0;
constexpr double kPinnedFractionMax = 0.5;
constexpr double kKnnRatioMax = 0.8;

/// The records the z-map and the density checks read, z in double.
struct Records {
  int64_t dim = 0;
  std::vector<double> z;  // count x dim
  std::vector<ZOutcome> outcomes;
  int64_t count() const { return static_cast<int64_t>(outcomes.size()); }
};

Records GatherRecords(const TamHistory& history, const ZMemory* memory, const TamOptions& options) {
  Records records;
  records.dim = history.z_dim;
  if (memory != nullptr) {
    for (int64_t index = 0; index < memory->size(); ++index) {
      auto z = memory->Z(index);
      records.z.insert(records.z.end(), z.begin(), z.end());
      records.outcomes.push_back(memory->Outcome(index));
    }
    return records;
  }
  // without the memory: the episodes a memory of the same size would hold
  const auto episodes = static_cast<int64_t>(history.rows.size());
  for (int64_t episode = std::max<int64_t>(0, episodes - options.memory.size); episode < episodes;
       ++episode) {
    const EpisodeRecord& row = history.rows[episode];
    auto z = history.Z(static_cast<size_t>(episode));
    records.z.insert(records.z.end(), z.begin(), z.end());
    records.outcomes.push_back(
        {row.soft_bind, row.cone_vol, row.e_t_train, row.lambda_bind, row.lambda_t, episode});
  }
  return records;
}

/// Mean of `field` over rows [begin, end).
template <typename Field>
double WindowMean(const std::vector<EpisodeRecord>& rows, int64_t begin, int64_t end, Field field) {
  double sum = 0.0;
  for (int64_t index = begin; index < end; ++index) sum += field(rows[index]);
  return sum / static_cast<double>(end - begin);
}

AcceptanceCheck MakeCheck(std::string name, std::string group, std::string description,
                          std::string relation) {
  AcceptanceCheck check;
  check.name = std::move(name);
  check.group = std::move(group);
  check.description = std::move(description);
  check.relation = std::move(relation);
  return check;
}

/// Sets the value and judges it against the check's relation.
void Judge(AcceptanceCheck& check, double value) {
  if (!std::isfinite(value)) {
    check.note = "the statistic is undefined (constant or empty input)";
    return;
  }
  check.value = value;
  const double t = check.threshold;
  if (check.relation == "<") check.pass = value < t;
  if (check.relation == "<=") check.pass = value <= t;
  if (check.relation == ">") check.pass = value > t;
  if (check.relation == "==") check.pass = value == t;
  if (check.relation == "within") check.pass = value >= t && value <= check.threshold_high;
}

std::vector<double> Ranks(std::span<const double> values) {
  std::vector<int64_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&values](int64_t a, int64_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  // ties share the mean of the ranks they span
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin + 1;
    while (end < order.size() && values[order[end]] == values[order[begin]]) ++end;
    const double rank = 0.5 * static_cast<double>(begin + end - 1);
    for (size_t index = begin; index < end; ++index) ranks[order[index]] = rank;
    begin = end;
  }
  return ranks;
}

double Distance(const double* a, const double* b, int64_t dim) {
  double sum = 0.0;
  for (int64_t d = 0; d < dim; ++d) sum += (a[d] - b[d]) * (a[d] - b[d]);
  return std::sqrt(sum);
}

/// Mean and covariance (divided by n - 1) of `count` points.
std::pair<std::vector<double>, std::vector<double>> MeanAndCovariance(
    std::span<const double> points, int64_t count, int64_t dim) {
  std::vector<double> mean(dim, 0.0), covariance(dim * dim, 0.0);
  for (int64_t row = 0; row < count; ++row) {
    for (int64_t d = 0; d < dim; ++d) mean[d] += points[row * dim + d];
  }
  for (double& value : mean) value /= static_cast<double>(count);
  for (int64_t row = 0; row < count; ++row) {
    for (int64_t a = 0; a < dim; ++a) {
      const double da = points[row * dim + a] - mean[a];
      for (int64_t b = 0; b < dim; ++b)
        covariance[a * dim + b] += da * (points[row * dim + b] - mean[b]);
    }
  }
  for (double& value : covariance) value /= static_cast<double>(std::max<int64_t>(1, count - 1));
  return {mean, covariance};
}

/// `count` points from N(mean, covariance), via the covariance's eigen-decomposition.
std::vector<double> GaussianSample(const std::vector<double>& mean,
                                   const std::vector<double>& covariance, int64_t count,
                                   int64_t dim, rl::RandomStream& stream) {
  auto [eigenvalues, eigenvectors] = SymmetricEigen(covariance, dim);
  std::vector<double> points(count * dim);
  std::vector<double> standard(dim);
  for (int64_t row = 0; row < count; ++row) {
    for (double& value : standard) value = stream.Normal();
    for (int64_t d = 0; d < dim; ++d) {
      double value = mean[d];
      for (int64_t k = 0; k < dim; ++k) {
        value += eigenvectors[k * dim + d] * std::sqrt(std::max(0.0, eigenvalues[k])) * standard[k];
      }
      points[row * dim + d] = value;
    }
  }
  return points;
}

double Mean(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::string FormatNumber(double value) { return fmt::format("{:.6g}", value); }

std::string ThresholdText(const AcceptanceCheck& check) {
  if (check.relation == "within") {
    return fmt::format("in [{}, {}]", FormatNumber(check.threshold),
                       FormatNumber(check.threshold_high));
  }
  return fmt::format("{} {}", check.relation, FormatNumber(check.threshold));
}

}  // namespace

int64_t TamAnalysis::Passed() const {
  return std::count_if(checks.begin(), checks.end(),
                       [](const AcceptanceCheck& c) { return c.pass == true; });
}

int64_t TamAnalysis::Failed() const {
  return std::count_if(checks.begin(), checks.end(),
                       [](const AcceptanceCheck& c) { return c.pass == false; });
}

double SpearmanCorrelation(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size() || x.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> rx = Ranks(x), ry = Ranks(y);
  const double mx = Mean(rx), my = Mean(ry);
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (size_t index = 0; index < rx.size(); ++index) {
    sxy += (rx[index] - mx) * (ry[index] - my);
    sxx += (rx[index] - mx) * (rx[index] - mx);
    syy += (ry[index] - my) * (ry[index] - my);
  }
  if (sxx == 0.0 || syy == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return sxy / std::sqrt(sxx * syy);
}

std::vector<double> KthNeighbourDistances(std::span<const double> points, int64_t count,
                                          int64_t dim, int64_t k) {
  if (count <= k || k < 1) throw std::invalid_argument("kNN distance needs more than k points");
  std::vector<double> kth(count);
  std::vector<double> distances(count - 1);
  for (int64_t row = 0; row < count; ++row) {
    int64_t filled = 0;
    for (int64_t other = 0; other < count; ++other) {
      if (other == row) continue;
      distances[filled++] = Distance(&points[row * dim], &points[other * dim], dim);
    }
    std::nth_element(distances.begin(), distances.begin() + (k - 1), distances.end());
    kth[row] = distances[k - 1];
  }
  return kth;
}

double MeanPairwiseDistance(std::span<const double> points, int64_t count, int64_t dim) {
  if (count < 2) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  for (int64_t a = 0; a < count; ++a) {
    for (int64_t b = a + 1; b < count; ++b)
      sum += Distance(&points[a * dim], &points[b * dim], dim);
  }
  return sum / (0.5 * static_cast<double>(count) * static_cast<double>(count - 1));
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double frac = position - static_cast<double>(below);
  return values[below] + frac * (values[above] - values[below]);
}

std::pair<std::vector<double>, std::vector<double>> SymmetricEigen(std::span<const double> matrix,
                                                                   int64_t dim) {
  std::vector<double> a(matrix.begin(), matrix.end());
  std::vector<double> v(dim * dim, 0.0);
  for (int64_t i = 0; i < dim; ++i) v[i * dim + i] = 1.0;
  // cyclic Jacobi: rotate away each off-diagonal entry until none is left
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0, total = 0.0;
    for (int64_t i = 0; i < dim; ++i) {
      for (int64_t j = 0; j < dim; ++j) {
        total += a[i * dim + j] * a[i * dim + j];
        if (i != j) off += a[i * dim + j] * a[i * dim + j];
      }
    }
    if (off <= 1e-30 * std::max(total, 1e-300)) break;
    for (int64_t p = 0; p < dim; ++p) {
      for (int64_t q = p + 1; q < dim; ++q) {
        const double apq = a[p * dim + q];
        if (apq == 0.0) continue;
        const double theta = (a[q * dim + q] - a[p * dim + p]) / (2.0 * apq);
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0);
        const double s = t * c;
        for (int64_t k = 0; k < dim; ++k) {
          const double akp = a[k * dim + p], akq = a[k * dim + q];
          a[k * dim + p] = c * akp - s * akq;
          a[k * dim + q] = s * akp + c * akq;
        }
        for (int64_t k = 0; k < dim; ++k) {
          const double apk = a[p * dim + k], aqk = a[q * dim + k];
          a[p * dim + k] = c * apk - s * aqk;
          a[q * dim + k] = s * apk + c * aqk;
        }
        for (int64_t k = 0; k < dim; ++k) {
          const double vkp = v[k * dim + p], vkq = v[k * dim + q];
          v[k * dim + p] = c * vkp - s * vkq;
          v[k * dim + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  // eigenpairs in descending order, vectors as rows with a positive largest component
  std::vector<int64_t> order(dim);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&a, dim](int64_t x, int64_t y) { return a[x * dim + x] > a[y * dim + y]; });
  std::vector<double> values(dim), vectors(dim * dim);
  for (int64_t rank = 0; rank < dim; ++rank) {
    const int64_t column = order[rank];
    values[rank] = a[column * dim + column];
    int64_t largest = 0;
    for (int64_t k = 0; k < dim; ++k) {
      if (std::abs(v[k * dim + column]) > std::abs(v[largest * dim + column])) largest = k;
    }
    const double sign = v[largest * dim + column] < 0 ? -1.0 : 1.0;
    for (int64_t k = 0; k < dim; ++k) vectors[rank * dim + k] = sign * v[k * dim + column];
  }
  return {values, vectors};
}

TamAnalysis AnalyzeTamRun(const TamHistory& history, const ZMemory* memory,
                          const TamOptions& options, double policy_drift, uint64_t seed) {
  TamAnalysis analysis;
  const auto& rows = history.rows;
  const auto episodes = static_cast<int64_t>(rows.size());
  analysis.episodes = episodes;
  analysis.seed = seed;
  analysis.memory_enabled = memory != nullptr;
  if (episodes == 0) throw std::invalid_argument("tam analysis: no episodes");

  // §13: equilibrium over the last 1,000 episodes
  const int64_t final_begin = std::max<int64_t>(0, episodes - kFinalWindow);
  const std::string final_text = fmt::format("episodes [{}, {})", final_begin, episodes);
  {
    AcceptanceCheck check = MakeCheck("soft_bind_mean_last1000", "works",
                                      "mean soft bind rate, " + final_text, "within");
    check.threshold = options.target_bind - kSoftBindTolerance;
    check.threshold_high = options.target_bind + kSoftBindTolerance;
    Judge(check, WindowMean(rows, final_begin, episodes,
                            [](const EpisodeRecord& r) { return r.soft_bind; }));
    analysis.checks.push_back(check);
  }
  {
    AcceptanceCheck check =
        MakeCheck("e_t_train_mean_last1000", "works", "mean E[T]_train, " + final_text, "within");
    check.threshold = options.target_et - kHorizonTolerance;
    check.threshold_high = options.target_et + kHorizonTolerance;
    Judge(check, WindowMean(rows, final_begin, episodes,
                            [](const EpisodeRecord& r) { return r.e_t_train; }));
    analysis.checks.push_back(check);
  }
  // §13: the reliability multiplier keeps moving over the final 20%
  const int64_t final_fraction_length =
      std::max<int64_t>(1, std::llround(kFinalFraction * static_cast<double>(episodes)));
  {
    const int64_t begin = episodes - final_fraction_length;
    AcceptanceCheck check = MakeCheck(
        "lambda_bind_pinned_frac_final20", "works",
        fmt::format("fraction of episodes [{}, {}) with lambda_bind at 0 or at lambda_max "
                    "(pinned when most of them are)",
                    begin, episodes),
        "<");
    check.threshold = kPinnedFractionMax;
    int64_t at_zero = 0, at_max = 0;
    for (int64_t index = begin; index < episodes; ++index) {
      if (rows[index].lambda_bind <= 0.0) ++at_zero;
      if (rows[index].lambda_bind >= options.lambda_max) ++at_max;
    }
    const double length = static_cast<double>(final_fraction_length);
    check.details = {{"frac_at_zero", at_zero / length},
                     {"frac_at_max", at_max / length},
                     {"mean", WindowMean(rows, begin, episodes,
                                         [](const EpisodeRecord& r) { return r.lambda_bind; })}};
    Judge(check, static_cast<double>(at_zero + at_max) / length);
    analysis.checks.push_back(check);
  }
  // §13: prediction and tightness improve, last 500 vs first 500
  const int64_t compare = std::min<int64_t>(kCompareWindow, episodes / 2);
  auto improvement = [&](const std::string& name, const std::string& what, auto field) {
    AcceptanceCheck check = MakeCheck(
        name, "works",
        fmt::format("mean {} of the last {} episodes vs the first {}", what, compare, compare),
        "<");
    if (compare < 1) {
      check.note = "fewer than 2 episodes";
      return check;
    }
    check.threshold = WindowMean(rows, 0, compare, field);
    Judge(check, WindowMean(rows, episodes - compare, episodes, field));
    return check;
  };
  analysis.checks.push_back(improvement("exp_nll_last500_vs_first500", "exp_nll",
                                        [](const EpisodeRecord& r) { return r.exp_nll; }));
  analysis.checks.push_back(improvement("cone_vol_last500_vs_first500", "cone_vol_w",
                                        [](const EpisodeRecord& r) { return r.cone_vol; }));
  // §11, §13: the policy stays at its initialisation in frozen mode
  {
    AcceptanceCheck check = MakeCheck("policy_param_drift", "works",
                                      "largest |change| of a policy parameter since "
                                      "initialisation (policy_objective: frozen)",
                                      "==");
    Judge(check, policy_drift);
    analysis.checks.push_back(check);
  }

  // §12.6: seeded subsample of the records, 2-D PCA
  const Records records = GatherRecords(history, memory, options);
  const int64_t dim = records.dim;
  analysis.memory_records = records.count();
  std::vector<int64_t> chosen(records.count());
  std::iota(chosen.begin(), chosen.end(), 0);
  if (records.count() > options.memory.map_points) {
    rl::RandomStream subsample(seed, "tam/memory_subsample");
    for (int64_t index = 0; index < options.memory.map_points; ++index) {
      const auto pick = index + static_cast<int64_t>(subsample.Below(records.count() - index));
      std::swap(chosen[index], chosen[pick]);
    }
    chosen.resize(options.memory.map_points);
    std::sort(chosen.begin(), chosen.end());
  }
  const auto count = static_cast<int64_t>(chosen.size());
  std::vector<double> points(count * dim);
  for (int64_t row = 0; row < count; ++row) {
    std::copy_n(&records.z[chosen[row] * dim], dim, &points[row * dim]);
  }
  std::vector<double> mean, basis;  // basis: PC1 and PC2 as rows
  if (count >= 2) {
    auto [centre, covariance] = MeanAndCovariance(points, count, dim);
    auto [eigenvalues, eigenvectors] = SymmetricEigen(covariance, dim);
    mean = centre;
    basis.assign(eigenvectors.begin(), eigenvectors.begin() + std::min<int64_t>(2, dim) * dim);
    basis.resize(2 * dim, 0.0);
    const double total = std::accumulate(eigenvalues.begin(), eigenvalues.end(), 0.0);
    for (int64_t pc = 0; pc < std::min<int64_t>(2, dim); ++pc) {
      analysis.explained_variance[pc] = total > 0.0 ? eigenvalues[pc] / total : 0.0;
    }
  }
  auto project = [&](const double* z, int64_t pc) {
    double value = 0.0;
    for (int64_t d = 0; d < dim; ++d) value += (z[d] - mean[d]) * basis[pc * dim + d];
    return value;
  };
  if (!basis.empty()) {
    for (int64_t row = 0; row < count; ++row) {
      const ZOutcome& outcome = records.outcomes[chosen[row]];
      analysis.zmap.push_back({outcome.episode, project(&points[row * dim], 0),
                               project(&points[row * dim], 1), outcome.soft_bind,
                               std::log(outcome.cone_vol + 1e-8), outcome.lambda_bind,
                               RiskTarget(outcome, options.memory)});
    }
    // the revisit trail: the last sampled z's in order, same basis
    std::vector<double> z(dim);
    for (int64_t episode = std::max<int64_t>(0, episodes - options.memory.trail_length);
         episode < episodes; ++episode) {
      auto sample = history.Z(static_cast<size_t>(episode));
      std::copy(sample.begin(), sample.end(), z.begin());
      analysis.trail.push_back({episode, project(z.data(), 0), project(z.data(), 1)});
    }
  }

  // §12.7 (1): memory z's are denser than a Gaussian of the same mean and covariance
  const std::string source = memory != nullptr ? "memory records" : "last episodes (memory off)";
  AcceptanceCheck density = MakeCheck(
      "z_knn10_ratio", "z-memory",
      fmt::format("mean 10-NN distance of {} {} over that of a Gaussian sample with their mean "
                  "and covariance",
                  count, source),
      "<=");
  density.threshold = kKnnRatioMax;
  AcceptanceCheck aligned =
      MakeCheck("density_alignment", "z-memory",
                "max(Spearman(density, soft_bind), -Spearman(density, lambda_bind)) over the same "
                "records; density = 1 / 10-NN distance",
                ">");
  if (count > kNeighbours) {
    const std::vector<double> kth = KthNeighbourDistances(points, count, dim, kNeighbours);
    auto [centre, covariance] = MeanAndCovariance(points, count, dim);
    rl::RandomStream reference_stream(seed, "tam/analysis_reference");
    const std::vector<double> reference =
        GaussianSample(centre, covariance, count, dim, reference_stream);
    const double memory_knn = Mean(kth);
    const double reference_knn = Mean(KthNeighbourDistances(reference, count, dim, kNeighbours));
    density.details = {{"memory_knn10", memory_knn},
                       {"gaussian_knn10", reference_knn},
                       {"points", static_cast<double>(count)}};
    Judge(density, memory_knn / reference_knn);
    // §12.7 (2): dense regions go with high soft_bind and/or low lambda_bind
    std::vector<double> local_density(count), soft_bind(count), lambda_bind(count);
    for (int64_t row = 0; row < count; ++row) {
      local_density[row] = 1.0 / std::max(kth[row], 1e-12);
      soft_bind[row] = records.outcomes[chosen[row]].soft_bind;
      lambda_bind[row] = records.outcomes[chosen[row]].lambda_bind;
    }
    const double rho_bind = SpearmanCorrelation(local_density, soft_bind);
    const double rho_lambda = SpearmanCorrelation(local_density, lambda_bind);
    aligned.details = {{"spearman_density_soft_bind", rho_bind},
                       {"spearman_density_lambda_bind", rho_lambda}};
    const double best = std::isfinite(rho_bind) && std::isfinite(rho_lambda)
                            ? std::max(rho_bind, -rho_lambda)
                            : (std::isfinite(rho_bind) ? rho_bind : -rho_lambda);
    Judge(aligned, best);
  } else {
    density.note = aligned.note = fmt::format("needs more than {} records", kNeighbours);
  }
  analysis.checks.push_back(density);
  analysis.checks.push_back(aligned);

  // §12.7 (3a): sampled z's cluster more, last 1,000 vs the first 1,000 after mem_min
  {
    const int64_t first_begin = options.memory.min_records;
    const int64_t last_begin = episodes - kSpreadWindow;
    AcceptanceCheck check = MakeCheck(
        "z_spread_last1000_vs_first1000", "z-memory",
        fmt::format("mean pairwise distance of the sampled z's of episodes [{}, {}) vs [{}, {})",
                    std::max<int64_t>(0, last_begin), episodes, first_begin,
                    first_begin + kSpreadWindow),
        "<");
    if (first_begin + kSpreadWindow <= last_begin) {
      auto spread = [&](int64_t begin) {
        std::vector<double> window(kSpreadWindow * dim);
        for (int64_t row = 0; row < kSpreadWindow; ++row) {
          auto z = history.Z(static_cast<size_t>(begin + row));
          std::copy(z.begin(), z.end(), &window[row * dim]);
        }
        return MeanPairwiseDistance(window, kSpreadWindow, dim);
      };
      check.threshold = spread(first_begin);
      Judge(check, spread(last_begin));
    } else {
      check.note = fmt::format("needs at least {} episodes", first_begin + 2 * kSpreadWindow);
    }
    analysis.checks.push_back(check);
  }
  // §12.7 (3b): the regulariser stops spiking, p99 of mem_risk last 20% vs first 20% after
  // activation
  {
    AcceptanceCheck check = MakeCheck("mem_risk_p99_last20_vs_first20", "z-memory",
                                      "99th percentile of mem_risk over the last 20% of "
                                      "episodes vs the first 20% after the memory activates",
                                      "<");
    int64_t activation = episodes;
    for (int64_t index = 0; index < episodes; ++index) {
      if (rows[index].mem_n >= options.memory.min_records) {
        activation = index;
        break;
      }
    }
    const int64_t last_begin = episodes - final_fraction_length;
    if (memory == nullptr) {
      check.note = "the memory is off";
    } else if (activation + final_fraction_length > last_begin) {
      check.note = "too few episodes after the memory activates";
    } else {
      auto p99 = [&](int64_t begin) {
        std::vector<double> values;
        for (int64_t index = begin; index < begin + final_fraction_length; ++index) {
          values.push_back(rows[index].mem_risk);
        }
        return Quantile(values, 0.99);
      };
      check.description += fmt::format(": episodes [{}, {}) vs [{}, {})", last_begin, episodes,
                                       activation, activation + final_fraction_length);
      check.threshold = p99(activation);
      Judge(check, p99(last_begin));
    }
    analysis.checks.push_back(check);
  }
  return analysis;
}

std::string AnalysisJson(const TamAnalysis& analysis) {
  JsonWriter json(2);
  json.BeginObject();
  json.Key("algo").String("tam");
  json.Key("episodes").Int(analysis.episodes);
  json.Key("seed").Int(static_cast<int64_t>(analysis.seed));
  json.Key("memory_enabled").Bool(analysis.memory_enabled);
  json.Key("memory_records").Int(analysis.memory_records);
  json.Key("map_points").Int(static_cast<int64_t>(analysis.zmap.size()));
  json.Key("trail_points").Int(static_cast<int64_t>(analysis.trail.size()));
  json.Key("explained_variance").BeginArray();
  json.Double(analysis.explained_variance[0]).Double(analysis.explained_variance[1]);
  json.EndArray();
  json.Key("passed").Int(analysis.Passed());
  json.Key("failed").Int(analysis.Failed());
  json.Key("not_applicable")
      .Int(static_cast<int64_t>(analysis.checks.size()) - analysis.Passed() - analysis.Failed());
  json.Key("checks").BeginArray();
  for (const auto& check : analysis.checks) {
    json.BeginObject();
    json.Key("name").String(check.name);
    json.Key("group").String(check.group);
    json.Key("description").String(check.description);
    json.Key("value");
    check.value ? json.Double(*check.value) : json.Null();
    json.Key("relation").String(check.relation);
    json.Key("threshold");
    if (check.relation == "within") {
      json.BeginArray().Double(check.threshold).Double(check.threshold_high).EndArray();
    } else if (check.value) {
      json.Double(check.threshold);
    } else {
      json.Null();
    }
    json.Key("pass");
    check.pass ? json.Bool(*check.pass) : json.Null();
    if (!check.note.empty()) json.Key("note").String(check.note);
    if (!check.details.empty()) {
      json.Key("details").BeginObject();
      for (const auto& [key, value] : check.details) json.Key(key).Double(value);
      json.EndObject();
    }
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take() + "\n";
}

std::string ZMapCsv(const TamAnalysis& analysis) {
  std::string csv = "episode,pc1,pc2,soft_bind,log_cone_vol,lambda_bind,risk\n";
  for (const auto& p : analysis.zmap) {
    csv += fmt::format("{},{},{},{},{},{},{}\n", p.episode, p.pc1, p.pc2, p.soft_bind,
                       p.log_cone_vol, p.lambda_bind, p.risk);
  }
  return csv;
}

std::string TrailCsv(const TamAnalysis& analysis) {
  std::string csv = "order,episode,pc1,pc2\n";
  for (size_t order = 0; order < analysis.trail.size(); ++order) {
    const auto& p = analysis.trail[order];
    csv += fmt::format("{},{},{},{}\n", order, p.episode, p.pc1, p.pc2);
  }
  return csv;
}

std::string FormatAcceptanceReport(const TamAnalysis& analysis) {
  std::string report =
      fmt::format("TAM acceptance: {} episodes, seed {}, z-memory {}\n", analysis.episodes,
                  analysis.seed, analysis.memory_enabled ? "on" : "off");
  for (const auto& check : analysis.checks) {
    const char* verdict = !check.pass ? "n/a " : (*check.pass ? "PASS" : "FAIL");
    const std::string value = check.value ? FormatNumber(*check.value) : "-";
    report += fmt::format("  [{}] {:<34} {:>12}  {:<24} {}\n", verdict, check.name, value,
                          check.value || check.relation == "within" ? ThresholdText(check) : "",
                          check.note.empty() ? check.description : check.note);
  }
  const auto total = static_cast<int64_t>(analysis.checks.size());
  report += fmt::format("  {} checks: {} passed, {} failed, {} not applicable\n", total,
                        analysis.Passed(), analysis.Failed(),
                        total - analysis.Passed() - analysis.Failed());
  return report;
}

}  // namespace orch::tam

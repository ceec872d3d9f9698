// src/algos/tam/tam_analysis.h: the acceptance numbers of a TAM run (tam.md §13, §12.7) and the
// plot data of the z-map and the revisit trail (§12.6), computed in plain C++.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "algos/tam/tam_history.h"
#include "algos/tam/tam_options.h"
#include "algos/tam/z_memory.h"

namespace orch::tam {

/// One acceptance criterion: its measured value, the threshold it is held to, and the verdict.
struct AcceptanceCheck {
  std::string name;             ///< metric name, logged as `acceptance/<name>`
  std::string group;            ///< `works` (§13) or `z-memory` (§12.7)
  std::string description;      ///< one line: what is measured over which episodes
  std::optional<double> value;  ///< nullopt when the run is too short or the check does not apply
  std::string relation;         ///< `<`, `<=`, `>`, `==` (value vs threshold) or `within`
  double threshold = 0;         ///< the bound; the low end for `within`
  double threshold_high = 0;    ///< the high end for `within`
  std::optional<bool> pass;     ///< nullopt when not applicable
  std::string note;             ///< why a check does not apply
  std::vector<std::pair<std::string, double>> details;  ///< the numbers behind the value
};

/// One memory record on the z-map: PCA coordinates and the four colour columns.
struct ZMapPoint {
  int64_t episode = 0;
  double pc1 = 0, pc2 = 0;
  double soft_bind = 0;
  double log_cone_vol = 0;  ///< log(cone_vol + 1e-8)
  double lambda_bind = 0;
  double risk = 0;  ///< the regulariser's risk target r
};

/// One sampled z of the revisit trail, projected with the z-map's basis.
struct TrailPoint {
  int64_t episode = 0;
  double pc1 = 0, pc2 = 0;
};

/// Everything the end of a run reports.
struct TamAnalysis {
  int64_t episodes = 0;
  uint64_t seed = 0;
  bool memory_enabled = false;
  int64_t memory_records = 0;                  ///< records the map and the density checks read
  std::array<double, 2> explained_variance{};  ///< share of the z variance on PC1, PC2
  std::vector<AcceptanceCheck> checks;
  std::vector<ZMapPoint> zmap;
  std::vector<TrailPoint> trail;

  int64_t Passed() const;
  int64_t Failed() const;
};

/// Computes every check and the plot data. The z-map and the density checks read the memory's
/// records when `memory` is set, else the last tam.memory.size episodes of `history` (the
/// records a memory would hold), so that a run without the regulariser has a baseline map. The
/// subsample and the Gaussian reference draw from streams of `seed`.
TamAnalysis AnalyzeTamRun(const TamHistory& history, const ZMemory* memory,
                          const TamOptions& options, double policy_drift, uint64_t seed);

/// analysis.json: the run's facts, every check (value, threshold, pass) and the totals.
std::string AnalysisJson(const TamAnalysis& analysis);
/// zmap.csv: `episode,pc1,pc2,soft_bind,log_cone_vol,lambda_bind,risk`.
std::string ZMapCsv(const TamAnalysis& analysis);
/// trail.csv: `order,episode,pc1,pc2`, oldest first.
std::string TrailCsv(const TamAnalysis& analysis);
/// A readable table of the checks for the run log.
std::string FormatAcceptanceReport(const TamAnalysis& analysis);

// --- the statistics, exposed for tests

/// Spearman rank correlation (ties get their average rank); NaN when either side is constant.
double SpearmanCorrelation(std::span<const double> x, std::span<const double> y);

/// For each of the `count` points (row-major, `dim` columns), the Euclidean distance to its
/// k-th nearest other point. Requires count > k.
std::vector<double> KthNeighbourDistances(std::span<const double> points, int64_t count,
                                          int64_t dim, int64_t k);

/// Mean Euclidean distance over all pairs of the `count` points.
double MeanPairwiseDistance(std::span<const double> points, int64_t count, int64_t dim);

/// The q-quantile (q in [0, 1]) with linear interpolation between order statistics.
double Quantile(std::vector<double> values, double q);

/// Eigenvalues (descending) and unit eigenvectors (rows, same order) of a symmetric `dim` x
/// `dim` matrix (row-major), by cyclic Jacobi rotations. Each eigenvector's largest-magnitude
/// component is made positive, so the result is deterministic.
std::pair<std::vector<double>, std::vector<double>> SymmetricEigen(std::span<const double> matrix,
                                                                   int64_t dim);

}  // namespace orch::tam

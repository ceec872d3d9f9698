// src/sweep/slurm/job_arrays.h: a sweep's job indices as SLURM job arrays. A task id must be
// below the cluster's MaxArraySize, so a sweep whose indices span more is split into several
// arrays, each with an offset (job index = task id + offset).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace orch::sweep::slurm {

struct JobArray {
  int64_t offset = 0;             ///< the first job index; task id = job index - offset
  std::vector<int64_t> task_ids;  ///< ascending, each below MaxArraySize
  std::string ranges;             ///< task_ids as an --array list: `0-3,7,9-11`
};

/// `job_indices` (any order, distinct) as the fewest arrays, in ascending order, whose task
/// ids are all below `max_array_size` (scontrol's MaxArraySize; at least 1).
std::vector<JobArray> SplitIntoArrays(std::vector<int64_t> job_indices, int64_t max_array_size);

/// Ascending task ids as an --array list: runs of consecutive ids as `a-b`.
std::string CompressRanges(const std::vector<int64_t>& ids);

}  // namespace orch::sweep::slurm

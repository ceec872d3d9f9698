// src/sweep/slurm/job_arrays.cpp
#include "sweep/slurm/job_arrays.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/string_util.h"

namespace orch::sweep::slurm {

std::vector<JobArray> SplitIntoArrays(std::vector<int64_t> job_indices, int64_t max_array_size) {
  std::sort(job_indices.begin(), job_indices.end());
  const int64_t limit = std::max<int64_t>(1, max_array_size);
  std::vector<JobArray> arrays;
  for (size_t first = 0; first < job_indices.size();) {
    JobArray array;
    array.offset = job_indices[first];
    size_t next = first;
    // the largest task id SLURM accepts is MaxArraySize - 1
    while (next < job_indices.size() && job_indices[next] - array.offset < limit) {
      array.task_ids.push_back(job_indices[next] - array.offset);
      ++next;
    }
    array.ranges = CompressRanges(array.task_ids);
    arrays.push_back(std::move(array));
    first = next;
  }
  return arrays;
}

std::string CompressRanges(const std::vector<int64_t>& ids) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    parts.push_back(j == i ? std::to_string(ids[i]) : fmt::format("{}-{}", ids[i], ids[j]));
    i = j + 1;
  }
  return Join(parts, ",");
}

}  // namespace orch::sweep::slurm

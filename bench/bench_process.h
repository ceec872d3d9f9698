// bench/bench_process.h: timing whole orch processes, as a user waits for them.
#pragma once

#include <string>
#include <vector>

namespace orch::bench {

/// Runs ARGV (stdout and stderr to /dev/null) and returns its wall time in milliseconds;
/// exits the benchmark when the command fails.
double RunProcessMs(const std::vector<std::string>& argv);

/// The median of `repeats` runs of ARGV.
double MedianProcessMs(const std::vector<std::string>& argv, int repeats);

double Median(std::vector<double> values);

}  // namespace orch::bench

// src/rl/allocator.h: glibc malloc settings for training processes.
#pragma once

namespace orch::rl {

/// Keeps freed tensor memory in the process instead of returning it to the kernel after every
/// update. LibTorch allocates its CPU tensors with malloc; with glibc's defaults the megabyte-
/// sized activations of an update are mmap'ed and unmapped (or the heap top trimmed) over and
/// over, and the page faults of touching fresh pages cost about 15% of a TD-MPC2 update on one
/// thread. Sets M_MMAP_THRESHOLD to its maximum (32 MiB) and M_TRIM_THRESHOLD to 1 GiB. The
/// price is that the peak working set stays resident. Call once, before the first tensor.
void TuneAllocatorForTraining();

}  // namespace orch::rl

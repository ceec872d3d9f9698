// src/rl/allocator.cpp
#include "rl/allocator.h"

#include <malloc.h>

namespace orch::rl {

void TuneAllocatorForTraining() {
  // both must be set: fixing the trim threshold alone also stops glibc from raising the mmap
  // threshold as it sees large blocks freed, and every activation would be mmap'ed
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}

}  // namespace orch::rl

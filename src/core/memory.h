#pragma once
// Fresh memory that is ready to be written at full speed.

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace itrade::core {

// An empty vector with room for n values whose memory is ready to be written. Filling fresh
// memory is bound by page faults (one trap per 4 KiB page, ~2.5 us each on the project's
// machine), not by bandwidth: asking for transparent huge pages and populating the page tables
// in one call more than doubles the speed of filling a large column (docs/cache-and-synth.md,
// docs/PERFORMANCE.md). Small vectors are left alone.
//
// Populate::now pre-faults the whole range in one call (best for one thread filling a column);
// Populate::on_first_write only asks for huge pages (best when several threads fill fresh
// memory at once: concurrent pre-faulting serialises in the kernel).
enum class Populate { now, on_first_write };

template <typename T>
std::vector<T> reserve_populated(std::size_t n, Populate populate = Populate::now) {
  std::vector<T> out;
  out.reserve(n);
  constexpr std::uintptr_t kPage = 4096;
  constexpr std::uintptr_t kHugePage = 2u << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(out.data());
  const auto end = begin + n * sizeof(T);
  if (end - begin >= kHugePage) {
    // Advice only: where the kernel declines either call, the vector works the same.
    const std::uintptr_t huge = (begin + kHugePage - 1) & ~(kHugePage - 1);
    if (end > huge + kHugePage) {
      (void)madvise(reinterpret_cast<void*>(huge), (end - huge) & ~(kHugePage - 1), MADV_HUGEPAGE);
    }
    if (populate == Populate::now) {
      const std::uintptr_t page = (begin + kPage - 1) & ~(kPage - 1);
      (void)madvise(reinterpret_cast<void*>(page), (end - page) & ~(kPage - 1), MADV_POPULATE_WRITE);
    }
  }
  return out;
}

}  // namespace itrade::core

#include "features/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// noinline: once inlined into std::allocator, free() next to operator new trips GCC's
// -Wmismatched-new-delete (here operator new is malloc, so they do match).
[[gnu::noinline]] void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace allocation_counter {
long count() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace allocation_counter

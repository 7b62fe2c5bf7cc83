#include "support/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

// Replaces every non-aligned form of global operator new/delete, so that whatever form the
// standard library picks (std::stable_sort uses the nothrow one), allocation and deallocation
// stay a malloc/free pair: AddressSanitizer rejects mixing its operator new with our free.
// (The aligned forms keep the runtime's own pair.)

namespace {

std::atomic<long> g_allocations{0};

void* allocate(std::size_t size) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}

void* allocate_or_throw(std::size_t size) {
  if (void* p = allocate(size)) return p;
  throw std::bad_alloc();
}

}  // namespace

// noinline: once inlined into std::allocator, free() next to operator new trips GCC's
// -Wmismatched-new-delete (here operator new is malloc, so they do match).
[[gnu::noinline]] void* operator new(std::size_t size) { return allocate_or_throw(size); }
[[gnu::noinline]] void* operator new[](std::size_t size) { return allocate_or_throw(size); }
[[gnu::noinline]] void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
[[gnu::noinline]] void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace allocation_counter {
long count() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace allocation_counter

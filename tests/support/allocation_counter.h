#pragma once
// Heap allocations made by this program so far. Linking allocation_counter.cpp replaces the
// global operator new (counting, then forwarding to malloc) so that a test or benchmark can
// assert that a stretch of code does not allocate. Linked into test_features and bench_features.

namespace allocation_counter {
long count();
}  // namespace allocation_counter

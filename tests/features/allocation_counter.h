#pragma once
// Heap allocations made by this test program so far. allocation_counter.cpp replaces the global
// operator new of test_features (counting, then forwarding to malloc) so that a test can assert
// that a stretch of code does not allocate.

namespace allocation_counter {
long count();
}  // namespace allocation_counter

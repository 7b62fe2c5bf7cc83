#pragma once
// parallel_for: the one way itrade spreads independent work (tickers, folds) over cores.

#include <cstddef>
#include <functional>

namespace itrade::core {

// Runs fn(i) for every i in [0, count), each exactly once, on up to `threads` threads (0: one
// per hardware thread; the caller's thread is one of them). Indexes are handed out dynamically,
// so uneven work balances. fn must not throw.
void parallel_for(std::size_t count, int threads, const std::function<void(std::size_t)>& fn);

}  // namespace itrade::core

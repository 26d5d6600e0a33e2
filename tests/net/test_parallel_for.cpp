#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "net/store/parallel_for.hpp"

using net::store::ParallelFor;

TEST_CASE("ParallelFor: every index exactly once, however many helpers") {
  for (std::size_t helpers : {0u, 1u, 3u, 15u}) {
    ParallelFor pool(helpers);
    CHECK(pool.helpers() == helpers);
    for (std::size_t n : {0u, 1u, 2u, 7u, 100u}) {
      std::vector<std::atomic<int>> hits(n);
      pool.run(n, [&](std::size_t i) { hits[i].fetch_add(1); });
      for (std::size_t i = 0; i < n; ++i) CHECK(hits[i].load() == 1);
    }
  }
}

TEST_CASE("ParallelFor: the helpers really share the work") {
  ParallelFor pool(3);
  std::mutex mu;
  std::set<std::thread::id> seen;
  std::atomic<int> inside{0}, most{0};
  // Each call waits until another is running at the same time (or a short while), so a
  // loop run by one thread alone would show at most one inside at once.
  pool.run(4, [&](std::size_t) {
    {
      std::lock_guard lock(mu);
      seen.insert(std::this_thread::get_id());
    }
    const int now = ++inside;
    int prev = most.load();
    while (prev < now && !most.compare_exchange_weak(prev, now)) {
    }
    for (int spin = 0; spin < 200 && most.load() < 2; ++spin)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --inside;
  });
  CHECK(seen.size() >= 2);
  CHECK(most.load() >= 2);
}

TEST_CASE("ParallelFor: runs one loop after another with the same threads") {
  ParallelFor pool(4);
  std::atomic<long> sum{0};
  for (int round = 0; round < 300; ++round)
    pool.run(static_cast<std::size_t>(round % 9),
             [&](std::size_t i) { sum += static_cast<long>(i) + 1; });
  long want = 0;
  for (int round = 0; round < 300; ++round) {
    const int n = round % 9;
    want += static_cast<long>(n) * (n + 1) / 2;
  }
  CHECK(sum.load() == want);
}

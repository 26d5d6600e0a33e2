#include "net/store/parallel_for.hpp"

#include <algorithm>

namespace net::store {

ParallelFor::ParallelFor(std::size_t helpers) {
  threads_.reserve(helpers);
  for (std::size_t i = 0; i < helpers; ++i) threads_.emplace_back([this] { help(); });
}

ParallelFor::~ParallelFor() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ParallelFor::drain() {
  while (true) {
    std::size_t i = 0;
    {
      std::lock_guard lock(mu_);
      if (next_ >= n_) return;
      i = next_++;
    }
    (*f_)(i);
  }
}

void ParallelFor::run(std::size_t n, const std::function<void(std::size_t)>& f) {
  std::size_t wake = 0;
  {
    std::lock_guard lock(mu_);
    f_ = &f;
    n_ = n;
    next_ = 0;
    // Only as many helpers as there is work for beyond this thread's share.
    wake = n > 1 ? std::min(n - 1, threads_.size()) : 0;
    tickets_ = working_ = wake;
  }
  for (std::size_t i = 0; i < wake; ++i) start_cv_.notify_one();
  drain();
  std::unique_lock lock(mu_);
  // A helper that took a ticket may still be inside f: wait for all of them before f goes.
  done_cv_.wait(lock, [this] { return working_ == 0; });
  f_ = nullptr;
}

void ParallelFor::help() {
  std::unique_lock lock(mu_);
  while (true) {
    start_cv_.wait(lock, [this] { return stop_ || tickets_ > 0; });
    if (stop_) return;
    --tickets_;
    lock.unlock();
    drain();
    lock.lock();
    if (--working_ == 0) done_cv_.notify_one();
  }
}

}  // namespace net::store

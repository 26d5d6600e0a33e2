#include "sim/event_queue.hpp"

#include <algorithm>

namespace sim {

EventId EventQueue::at(Time t, Task fn) {
  if (t < now_) t = now_;
  const EventId id = next_id_++;
  std::uint32_t slot = 0;
  if (free_.empty()) {
    slot = static_cast<std::uint32_t>(fns_.size());
    fns_.push_back(std::move(fn));
  } else {
    slot = free_.back();
    free_.pop_back();
    fns_[slot] = std::move(fn);
  }
  heap_.push_back(Entry{t, id, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  done_.push_back(false);  // done_[id - 1]
  return id;
}

bool EventQueue::cancel(EventId id) {
  if (id == 0 || id >= next_id_ || done_[id - 1]) return false;
  done_[id - 1] = true;
  // Few events are pending at once and cancelling is rare (timers): a scan, then the
  // heap is rebuilt without it, so its callback (and what it holds) is released now.
  auto it = std::find_if(heap_.begin(), heap_.end(), [id](const Entry& e) { return e.id == id; });
  if (it == heap_.end()) return false;  // only while the queue is being destroyed
  // The callback dies last, once the queue is consistent again: what it holds may schedule
  // or cancel from a destructor.
  const Task dead = std::move(fns_[it->slot]);
  fns_[it->slot] = nullptr;
  free_.push_back(it->slot);
  heap_.erase(it);
  std::make_heap(heap_.begin(), heap_.end(), Later{});
  return true;
}

EventQueue::~EventQueue() {
  // The pending callbacks die while the queue is still whole (a destructor among them may
  // call cancel or at): first taken out of it, then destroyed.
  heap_.clear();
  std::vector<Task> dead;
  dead.swap(fns_);
  dead.clear();
}

bool EventQueue::step() {
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  const Entry e = heap_.back();
  heap_.pop_back();
  done_[e.id - 1] = true;
  now_ = e.t;
  // The callback may schedule or cancel freely: it no longer sits in the queue (a slot
  // freed here may be reused by what it schedules).
  Task fn = std::move(fns_[e.slot]);
  fns_[e.slot] = nullptr;
  free_.push_back(e.slot);
  if (fn) fn();
  return true;
}

std::size_t EventQueue::run_until(Time limit) {
  std::size_t n = 0;
  while (!heap_.empty() && heap_.front().t <= limit) {
    step();
    ++n;
  }
  if (limit > now_) now_ = limit;
  return n;
}

std::size_t EventQueue::run(std::size_t max_events) {
  std::size_t n = 0;
  while (n < max_events && step()) ++n;
  return n;
}

std::optional<Time> EventQueue::next_time() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().t;
}

}  // namespace sim

#include "sim/event_queue.hpp"

namespace sim {

EventId EventQueue::at(Time t, std::function<void()> fn) {
  if (t < now_) t = now_;
  const EventId id = next_id_++;
  queue_.emplace(Key{t, id}, std::move(fn));
  when_.emplace(id, t);
  return id;
}

bool EventQueue::cancel(EventId id) {
  auto it = when_.find(id);
  if (it == when_.end()) return false;
  queue_.erase(Key{it->second, id});
  when_.erase(it);
  return true;
}

bool EventQueue::step() {
  if (queue_.empty()) return false;
  auto node = queue_.extract(queue_.begin());
  when_.erase(node.key().second);
  now_ = node.key().first;
  // The callback may schedule or cancel freely: it no longer sits in the queue.
  if (node.mapped()) node.mapped()();
  return true;
}

std::size_t EventQueue::run_until(Time limit) {
  std::size_t n = 0;
  while (!queue_.empty() && queue_.begin()->first.first <= limit) {
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
  if (queue_.empty()) return std::nullopt;
  return queue_.begin()->first.first;
}

}  // namespace sim

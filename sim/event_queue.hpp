// Discrete-event kernel: callbacks ordered strictly by (time, insertion sequence), with
// cancellable ids. An instance, not a global (ns-3's semantics without its singleton).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sim/task.hpp"
#include "sim/time.hpp"

namespace sim {

using EventId = std::uint64_t;  // ids start at 1 and double as the insertion sequence

class EventQueue {
 public:
  EventQueue() = default;
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;
  Time now() const { return now_; }
  // Schedules fn at time t (a time in the past is clamped to now).
  EventId at(Time t, Task fn);
  EventId after(Time delay, Task fn) { return at(now_ + delay, std::move(fn)); }
  // True if the event was still pending (it will now never run).
  bool cancel(EventId id);
  // Runs the next event (advancing now to its time); false if nothing is pending.
  bool step();
  // Runs every event with time <= limit; afterwards now == limit (if limit >= now).
  std::size_t run_until(Time limit);
  // Runs until nothing is pending or max_events ran.
  std::size_t run(std::size_t max_events = SIZE_MAX);
  bool empty() const { return heap_.empty(); }
  std::size_t pending() const { return heap_.size(); }
  std::optional<Time> next_time() const;

 private:
  // A binary min-heap on (time, id): no allocation per event (a callback's captures up to
  // Task::kInline bytes stay in its slot). The heap moves only small plain entries; each
  // callback stays in its slot of fns_ until it runs (sifting std::functions was a
  // measurable share of every event, issue 9).
  struct Entry {
    Time t;
    EventId id;
    std::uint32_t slot;  // index in fns_
  };
  struct Later {  // heap order: the earliest (time, id) on top
    bool operator()(const Entry& a, const Entry& b) const {
      return a.t != b.t ? a.t > b.t : a.id > b.id;
    }
  };
  std::vector<Entry> heap_;          // pending events only (cancel removes at once)
  std::vector<Task> fns_;            // by slot; empty when free
  std::vector<std::uint32_t> free_;  // slots of fns_ to reuse
  std::vector<bool> done_;           // by id: ran or cancelled
  Time now_ = 0;
  EventId next_id_ = 1;
};

}  // namespace sim

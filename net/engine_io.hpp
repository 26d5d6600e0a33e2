// What every sans-I/O engine hands its driver: the bytes to write and the events to record.
// Engines derive from this and append to out_ and events_; drivers drain both after each
// feed().
#pragma once

#include <string>

#include "net/engine_event.hpp"

namespace net {

class EngineIo {
 public:
  // Room for a busy reply (an IMAP SELECT writes about ten lines) from the start: a new
  // engine per connection would otherwise regrow the buffer 1, 2, 4, 8, 16 on its first
  // batches, moving five strings per event each time.
  EngineIo() { events_.reserve(16); }

  std::string take_output() {
    std::string o;
    o.swap(out_);
    return o;
  }
  EngineEvents take_events() {
    EngineEvents e;
    e.swap(events_);
    return e;
  }
  // Hands the pending events to `f` (which may move from them), then empties the buffer but
  // keeps its capacity: a driver that records after every feed() would otherwise grow a new
  // vector (1, 2, 4, … elements of five strings each) for every batch. `f` must not feed
  // the engine: what that adds would be cleared unseen.
  template <class F>
  void drain_events(F&& f) {
    f(events_);
    events_.clear();
  }
  bool has_output() const { return !out_.empty(); }
  // Whether the lines this engine reads become LineEvents, each with its meaning (the
  // default). The simulator records only the lines engines send (the engine at the other
  // end reports the same lines), so it turns this off and the engine skips describing what
  // it reads. A line carrying a secret is still reported: its secret must reach the trace.
  void report_received(bool on) { report_received_ = on; }
  bool reports_received() const { return report_received_; }

 protected:
  std::string out_;
  EngineEvents events_;
  bool report_received_ = true;
};

}  // namespace net

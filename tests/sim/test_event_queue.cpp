#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/rng.hpp"

using namespace sim;

TEST_CASE("event queue orders by time, then by insertion") {
  EventQueue q;
  std::string log;
  q.at(30, [&] { log += "c"; });
  q.at(10, [&] { log += "a"; });
  q.at(20, [&] { log += "b1"; });
  q.at(20, [&] { log += "b2"; });
  q.at(20, [&] { log += "b3"; });
  CHECK(q.pending() == 5);
  CHECK(q.next_time() == 10);
  CHECK(q.run() == 5);
  CHECK(log == "ab1b2b3c");
  CHECK(q.now() == 30);
  CHECK(q.empty());
  CHECK_FALSE(q.next_time().has_value());
  CHECK_FALSE(q.step());
}

TEST_CASE("events scheduled from a callback at the same time run after earlier ties") {
  EventQueue q;
  std::vector<int> order;
  q.at(5, [&] {
    order.push_back(1);
    q.after(0, [&] { order.push_back(3); });
  });
  q.at(5, [&] { order.push_back(2); });
  q.run();
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("past times are clamped to now") {
  EventQueue q;
  q.run_until(100);
  Time seen = -1;
  q.at(50, [&] { seen = q.now(); });
  CHECK(q.next_time() == 100);
  q.run();
  CHECK(seen == 100);
}

TEST_CASE("cancel") {
  EventQueue q;
  int runs = 0;
  EventId a = q.at(10, [&] { runs += 1; });
  EventId b = q.at(10, [&] { runs += 10; });
  CHECK(q.cancel(a));
  CHECK_FALSE(q.cancel(a));  // no longer pending
  CHECK(q.pending() == 1);
  q.run();
  CHECK(runs == 10);
  CHECK_FALSE(q.cancel(b));  // already ran
  CHECK_FALSE(q.cancel(12345));

  // A callback may cancel a later event.
  EventId later = 0;
  q.at(20, [&] { CHECK(q.cancel(later)); });
  later = q.at(21, [&] { runs += 100; });
  q.run();
  CHECK(runs == 10);
}

TEST_CASE("run_until runs events up to and including the limit and advances now") {
  EventQueue q;
  std::vector<Time> seen;
  for (Time t : {5, 10, 15, 20}) q.at(t, [&] { seen.push_back(q.now()); });
  CHECK(q.run_until(15) == 3);
  CHECK(seen == std::vector<Time>{5, 10, 15});
  CHECK(q.now() == 15);
  CHECK(q.run_until(17) == 0);
  CHECK(q.now() == 17);
  CHECK(q.pending() == 1);
  q.after(1, [&] { seen.push_back(q.now()); });  // at 18, before 20
  q.run();
  CHECK(seen == std::vector<Time>{5, 10, 15, 18, 20});
  // A limit in the past does not move time backwards.
  q.run_until(3);
  CHECK(q.now() == 20);
}

TEST_CASE("run respects max_events") {
  EventQueue q;
  int n = 0;
  for (int i = 0; i < 10; ++i) q.at(i, [&] { ++n; });
  CHECK(q.run(4) == 4);
  CHECK(n == 4);
  CHECK(q.pending() == 6);
}

TEST_CASE("rng is deterministic and portable") {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    auto x = a.next();
    CHECK(x == b.next());
  }
  CHECK(Rng(42).next() != c.next());
  // splitmix64 reference value for seed 0.
  CHECK(Rng(0).next() == 0xe220a8397b1dcdafULL);
  Rng r(7);
  for (int i = 0; i < 1000; ++i) CHECK(r.uniform(10) < 10);
  CHECK(r.uniform(0) == 0);
  CHECK(r.uniform(1) == 0);
}

TEST_CASE("a cancelled callback is released at once; reused slots keep the order") {
  EventQueue q;
  auto held = std::make_shared<int>(1);
  std::weak_ptr<int> watch = held;
  EventId id = q.at(5, [held] { (void)held; });
  held.reset();
  CHECK_FALSE(watch.expired());
  CHECK(q.cancel(id));
  CHECK(watch.expired());

  // Callbacks that schedule and cancel others, so that slots are freed and taken again
  // while events are pending: the runs still follow (time, insertion order).
  std::vector<int> order;
  std::vector<EventId> victims;
  for (int i = 0; i < 20; ++i) {
    q.at(10 + i % 4, [&, i] {
      order.push_back(i);
      if (i % 3 == 0) victims.push_back(q.at(100, [&] { order.push_back(-1); }));
      if (i % 6 == 0 && victims.size() > 1) CHECK(q.cancel(victims[victims.size() - 2]));
      q.at(50, [&, i] { order.push_back(1000 + i); });
    });
  }
  q.run();
  std::vector<int> want;
  for (int t = 0; t < 4; ++t)
    for (int i = t; i < 20; i += 4) want.push_back(i);
  for (int t = 0; t < 4; ++t)
    for (int i = t; i < 20; i += 4) want.push_back(1000 + i);
  // Victims are made (in run order) at i = 0, 12, 9, 6, 18, 3, 15; i = 12 cancels the one
  // made at 0, i = 6 the one made at 9, i = 18 the one made at 6: four run, at time 100.
  for (int k = 0; k < 4; ++k) want.push_back(-1);
  CHECK(order == want);
}

TEST_CASE("a cancelled callback may use the queue from its destructor") {
  // What the callback holds schedules events when it dies (enough to grow the queue's
  // storage), and cancels one: the queue must be whole by then.
  struct Noisy {
    Noisy(EventQueue& queue, EventId cancel_me, int* counter)
        : q(queue), other(cancel_me), ran(counter) {}
    Noisy(const Noisy&) = delete;
    Noisy& operator=(const Noisy&) = delete;
    EventQueue& q;
    EventId other;
    int* ran;
    ~Noisy() {
      for (int i = 0; i < 64; ++i) q.at(30 + i, [r = ran] { ++*r; });
      q.cancel(other);
    }
  };
  int ran = 0;
  EventQueue q;
  const EventId other = q.at(20, [&] { ran += 1000; });
  auto held = std::make_shared<Noisy>(q, other, &ran);
  const EventId id = q.at(10, [held] { (void)held; });
  held.reset();
  CHECK(q.cancel(id));
  q.run();
  CHECK(ran == 64);
  // And when the queue itself goes, with such a callback still pending.
  {
    EventQueue q2;
    auto h2 = std::make_shared<Noisy>(q2, q2.at(5, [] {}), &ran);
    q2.at(10, [h2] { (void)h2; });
  }
}

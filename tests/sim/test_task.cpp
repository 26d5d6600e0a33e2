#include <doctest/doctest.h>

#include <array>
#include <functional>
#include <memory>

#include "sim/task.hpp"

using sim::Task;

TEST_CASE("Task: empty by default, from nullptr, an empty std::function or a null pointer") {
  CHECK_FALSE(Task());
  CHECK_FALSE(Task(nullptr));
  CHECK_FALSE(Task(std::function<void()>()));
  void (*none)() = nullptr;
  CHECK_FALSE(Task(none));
  int n = 0;
  CHECK(Task(std::function<void()>([&n] { ++n; })));
}

TEST_CASE("Task: small and large captures run, move and die with the task") {
  auto token = std::make_shared<int>(0);
  int runs = 0;
  {
    // Small: kept in place.
    Task small([token, &runs] { ++runs; });
    CHECK(token.use_count() == 2);
    small();
    CHECK(runs == 1);
    // Large (above kInline bytes): kept on the heap, same behaviour.
    std::array<char, Task::kInline + 8> pad{};
    pad[0] = 1;
    Task large([token, &runs, pad] { runs += pad[0]; });
    CHECK(token.use_count() == 3);
    large();
    CHECK(runs == 2);
    // Moving hands the capture over, once: the source is empty, nothing is copied.
    Task moved_small(std::move(small));
    Task moved_large(std::move(large));
    CHECK_FALSE(small);  // NOLINT(bugprone-use-after-move): checking the moved-from state
    CHECK_FALSE(large);  // NOLINT(bugprone-use-after-move)
    CHECK(token.use_count() == 3);
    moved_small();
    moved_large();
    CHECK(runs == 4);
    // Assigning over a task releases what it held first.
    moved_small = Task([&runs] { runs += 10; });
    CHECK(token.use_count() == 2);
    moved_small();
    CHECK(runs == 14);
    moved_large = nullptr;
    CHECK(token.use_count() == 1);
    CHECK_FALSE(moved_large);
  }
  CHECK(token.use_count() == 1);
}

TEST_CASE("Task: move-only captures work (std::function would refuse them)") {
  auto owned = std::make_unique<int>(41);
  int got = 0;
  Task t([p = std::move(owned), &got] { got = *p + 1; });
  Task u(std::move(t));
  u();
  CHECK(got == 42);
}

TEST_CASE("Task: a capture's destructor sees the task already empty") {
  // The event queue relies on this: a dying callback may schedule or cancel.
  struct Probe {
    Task* self = nullptr;
    bool* was_empty = nullptr;
    Probe(Task* s, bool* e) : self(s), was_empty(e) {}
    Probe(Probe&& o) noexcept : self(o.self), was_empty(o.was_empty) { o.self = nullptr; }
    ~Probe() {
      if (self) *was_empty = !*self;
    }
    void operator()() const {}
  };
  bool was_empty = false;
  Task t;
  t = Task(Probe(&t, &was_empty));
  t = nullptr;
  CHECK(was_empty);
}

TEST_CASE("Task: assigning a task that the old captures own (moved out before they die)") {
  int runs = 0;
  auto inner = std::make_shared<Task>([&runs] { ++runs; });
  Task* raw = inner.get();
  Task outer([owned = std::move(inner)] {});  // the only owner of *raw
  outer = std::move(*raw);                    // destroys *raw's owner: must not read it after
  REQUIRE(outer);
  outer();
  CHECK(runs == 1);
}

// A move-only `void()` callable that keeps captures of up to kInline bytes in place.
//
// The event queue schedules one callback per simulated packet hop, delivery and timer. With
// std::function, libstdc++ stores only 16 bytes inline, so a hop (the network's liveness
// guard, its path, the packet and an index: 64 bytes) cost a heap allocation and a free per
// event (issue 9).
// Bigger callables still work: they go to the heap as before.
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace sim {

class Task {
 public:
  static constexpr std::size_t kInline = 64;
  static constexpr std::size_t kAlign = alignof(std::max_align_t);

  // buf_ is raw storage, written only by placement new when a callable arrives.
  // cppcheck-suppress uninitMemberVar
  Task() noexcept = default;
  // cppcheck-suppress uninitMemberVar
  Task(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor): like std::function
  template <class F, class D = std::decay_t<F>,
            std::enable_if_t<!std::is_same_v<D, Task> && std::is_invocable_r_v<void, D&>, int> = 0>
  Task(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert, like std::function
    if constexpr (std::is_same_v<D, std::function<void()>> || std::is_pointer_v<D>) {
      if (!f) return;  // an empty std::function or a null pointer stays empty
    }
    if constexpr (fits<D>()) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
      ops_ = &kInlineOps<D>;
    } else {
      ::new (static_cast<void*>(buf_)) D*(new D(std::forward<F>(f)));
      ops_ = &kHeapOps<D>;
    }
  }
  Task(Task&& o) noexcept { take(o); }
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      Task next(std::move(o));  // first: `o` may be owned by what reset() destroys
      reset();
      take(next);
    }
    return *this;
  }
  Task& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }
  // Not for an empty task (the queue checks first).
  void operator()() { ops_->call(buf_); }

 private:
  struct Ops {
    void (*call)(void* self);
    void (*move)(void* from, void* to) noexcept;  // constructs at `to`, destroys `from`
    void (*destroy)(void* self) noexcept;
  };
  template <class D>
  static constexpr bool fits() {
    return sizeof(D) <= kInline && kAlign % alignof(D) == 0 &&
           std::is_nothrow_move_constructible_v<D>;
  }
  // The object placement-new put in buf_ (std::launder: reached through the byte buffer).
  template <class T>
  static T* at(void* p) {
    return std::launder(static_cast<T*>(p));
  }
  template <class D>
  static constexpr Ops kInlineOps = {[](void* s) { (*at<D>(s))(); },
                                     [](void* from, void* to) noexcept {
                                       ::new (to) D(std::move(*at<D>(from)));
                                       at<D>(from)->~D();
                                     },
                                     [](void* s) noexcept { at<D>(s)->~D(); }};
  template <class D>
  static constexpr Ops kHeapOps = {
      [](void* s) { (**at<D*>(s))(); },
      [](void* from, void* to) noexcept { ::new (to) D*(*at<D*>(from)); },
      [](void* s) noexcept { delete *at<D*>(s); }};

  void take(Task& o) noexcept {
    if (!o.ops_) return;
    o.ops_->move(o.buf_, buf_);
    ops_ = o.ops_;
    o.ops_ = nullptr;
  }
  void reset() noexcept {
    if (!ops_) return;
    const Ops* ops = ops_;
    ops_ = nullptr;  // empty before the captures die: their destructors may look at us
    ops->destroy(buf_);
  }

  alignas(kAlign) unsigned char buf_[kInline];
  const Ops* ops_ = nullptr;
};

}  // namespace sim

// Sym: an interned, immutable string held by pointer (8 bytes instead of std::string's 32).
//
// The trace repeats the same few strings millions of times: host names, link ids, labels,
// the meaning and RFC of each kind of line. A Sym stores each distinct text once and an
// event keeps only a pointer to it. Equal texts give the same pointer, so Sym == Sym is a
// pointer comparison. Fields whose text is new for almost every event (a line's text, a
// segment's payload, a message summary) stay std::string.
//
// Each text is counted, and freed with the last Sym that holds it: serve streams its events
// to a file, and a verb or peer address that a client made up must not stay in memory for
// the life of the server. Copying a Sym is one atomic increment; only the release of the
// last reference and interning take the table's lock (serve and live mode record on other
// threads than the window's). The empty text is the null pointer and is never counted.
#pragma once

#include <atomic>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

namespace sim {

class Sym {
 public:
  Sym() = default;
  Sym(std::string_view s) : e_(intern(s)) {}    // NOLINT(google-explicit-constructor)
  Sym(const std::string& s) : e_(intern(s)) {}  // NOLINT(google-explicit-constructor)
  Sym(const char* s) : e_(intern(s)) {}         // NOLINT(google-explicit-constructor)
  Sym(const Sym& o) noexcept : e_(o.e_) { retain(); }
  Sym(Sym&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  Sym& operator=(const Sym& o) noexcept {
    Sym copy(o);
    std::swap(e_, copy.e_);
    return *this;
  }
  Sym& operator=(Sym&& o) noexcept {
    std::swap(e_, o.e_);
    return *this;
  }
  ~Sym() { release(); }

  const std::string& str() const { return e_ ? e_->text : empty_text(); }
  std::string_view view() const { return str(); }
  operator const std::string&() const { return str(); }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const { return str(); }    // NOLINT(google-explicit-constructor)
  const char* c_str() const { return str().c_str(); }
  const char* data() const { return str().data(); }
  std::size_t size() const { return str().size(); }
  bool empty() const { return e_ == nullptr; }
  char operator[](std::size_t i) const { return str()[i]; }
  bool starts_with(std::string_view p) const { return view().starts_with(p); }
  std::size_t find(std::string_view p, std::size_t from = 0) const { return view().find(p, from); }
  std::size_t rfind(std::string_view p, std::size_t from = std::string::npos) const {
    return view().rfind(p, from);
  }
  std::size_t rfind(char c, std::size_t from = std::string::npos) const {
    return view().rfind(c, from);
  }
  std::string substr(std::size_t pos, std::size_t n = std::string::npos) const {
    return str().substr(pos, n);
  }

  friend bool operator==(const Sym& a, const Sym& b) { return a.e_ == b.e_; }
  friend bool operator==(const Sym& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const Sym& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const Sym& a, const char* b) { return a.view() == b; }
  // Text order (for sorted views), not pointer order.
  friend std::strong_ordering operator<=>(const Sym& a, const Sym& b) {
    return a.view() <=> b.view();
  }
  friend std::string operator+(const Sym& a, std::string_view b) {
    std::string r = a.str();
    r += b;
    return r;
  }
  friend std::string operator+(std::string_view a, const Sym& b) {
    std::string r(a);
    r += b.view();
    return r;
  }
  friend std::ostream& operator<<(std::ostream& os, const Sym& s);

  std::size_t hash() const { return std::hash<const void*>{}(e_); }
  // Distinct texts held by live Syms (tests: that texts are freed).
  static std::size_t interned_count();

 private:
  struct Entry {
    std::atomic<std::uint32_t> refs;
    const std::string text;
    const std::size_t hash;  // of text: walking a bucket compares it instead of rehashing text
  };
  static const std::string& empty_text();
  static Entry* intern(std::string_view s);  // counted once for the caller; null for ""
  // Drops the reference that may be the last one: under the table's lock, so that interning
  // the same text at that moment either finds it still counted or not at all.
  static void release_last(Entry* e);

  void retain() const {
    if (e_) e_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void release() {
    if (!e_) return;
    // Not the last reference (the usual case): no lock. The count can only reach zero
    // under the lock, and it cannot rise from one meanwhile except by interning (locked).
    std::uint32_t r = e_->refs.load(std::memory_order_relaxed);
    while (r > 1)
      if (e_->refs.compare_exchange_weak(r, r - 1, std::memory_order_release,
                                         std::memory_order_relaxed))
        return;
    release_last(e_);
  }

  Entry* e_ = nullptr;
};

}  // namespace sim

template <>
struct std::hash<sim::Sym> {
  std::size_t operator()(const sim::Sym& s) const noexcept { return s.hash(); }
};

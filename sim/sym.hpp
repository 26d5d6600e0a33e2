// Sym: an interned, immutable string held by pointer (8 bytes instead of std::string's 32).
//
// The trace repeats the same few strings millions of times: host names, link ids, labels,
// the meaning and RFC of each kind of line. A Sym stores each distinct text once, for the
// life of the process, and an event keeps only a pointer to it. Equal texts give the same
// pointer, so Sym == Sym is a pointer comparison. Fields whose text is new for almost
// every event (a line's text, a segment's payload, a message summary) stay std::string:
// interning them would keep each one forever.
//
// Interning takes a lock (serve records its trace on another thread than the window's);
// reading a Sym never does: the text it points to never changes or moves.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace sim {

class Sym {
 public:
  Sym() : s_(empty_text()) {}
  Sym(std::string_view s) : s_(intern(s)) {}    // NOLINT(google-explicit-constructor)
  Sym(const std::string& s) : s_(intern(s)) {}  // NOLINT(google-explicit-constructor)
  Sym(const char* s) : s_(intern(s)) {}         // NOLINT(google-explicit-constructor)

  const std::string& str() const { return *s_; }
  std::string_view view() const { return *s_; }
  operator const std::string&() const { return *s_; }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const { return *s_; }    // NOLINT(google-explicit-constructor)
  const char* c_str() const { return s_->c_str(); }
  const char* data() const { return s_->data(); }
  std::size_t size() const { return s_->size(); }
  bool empty() const { return s_->empty(); }
  char operator[](std::size_t i) const { return (*s_)[i]; }
  bool starts_with(std::string_view p) const { return view().starts_with(p); }
  std::size_t find(std::string_view p, std::size_t from = 0) const { return view().find(p, from); }
  std::size_t rfind(std::string_view p, std::size_t from = std::string::npos) const {
    return view().rfind(p, from);
  }
  std::size_t rfind(char c, std::size_t from = std::string::npos) const {
    return view().rfind(c, from);
  }
  friend std::ostream& operator<<(std::ostream& os, const Sym& s);
  std::string substr(std::size_t pos, std::size_t n = std::string::npos) const {
    return s_->substr(pos, n);
  }

  friend bool operator==(const Sym& a, const Sym& b) { return a.s_ == b.s_; }
  friend bool operator==(const Sym& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const Sym& a, const std::string& b) { return *a.s_ == b; }
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

  std::size_t hash() const { return std::hash<const void*>{}(s_); }

 private:
  static const std::string* empty_text();
  static const std::string* intern(std::string_view s);
  const std::string* s_;
};

}  // namespace sim

template <>
struct std::hash<sim::Sym> {
  std::size_t operator()(const sim::Sym& s) const noexcept { return s.hash(); }
};

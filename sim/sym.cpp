#include "sim/sym.hpp"

#include <mutex>
#include <ostream>
#include <unordered_set>

namespace sim {

namespace {

// The table holds the entries by pointer; it finds them by their text, without building a
// std::string for the lookup (transparent hash and equality). An entry keeps its hash:
// libstdc++ stores none for a hasher it deems fast and rehashed the next entry's text at
// every step of a bucket walk.
template <class Entry>
struct ByText {
  using is_transparent = void;
  static std::string_view text(std::string_view s) { return s; }
  static std::string_view text(const Entry* e) { return e->text; }
  static std::size_t hash(std::string_view s) noexcept { return std::hash<std::string_view>{}(s); }
  static std::size_t hash(const Entry* e) noexcept { return e->hash; }
  template <class T>
  std::size_t operator()(const T& v) const noexcept {
    return hash(v);
  }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return text(a) == text(b);
  }
};

template <class Entry>
struct Table {
  std::mutex mu;
  std::unordered_set<Entry*, ByText<Entry>, ByText<Entry>> entries;
};

// Never destroyed: Syms in static objects may be released after main returns.
template <class Entry>
Table<Entry>& table() {
  static auto* t = new Table<Entry>;
  return *t;
}

}  // namespace

const std::string& Sym::empty_text() {
  static const std::string* e = new std::string;
  return *e;
}

Sym::Entry* Sym::intern(std::string_view s) {
  if (s.empty()) return nullptr;
  auto& t = table<Entry>();
  std::lock_guard lock(t.mu);
  auto it = t.entries.find(s);
  if (it != t.entries.end()) {
    (*it)->refs.fetch_add(1, std::memory_order_relaxed);
    return *it;
  }
  auto* e = new Entry{{1}, std::string(s), ByText<Entry>::hash(s)};
  t.entries.insert(e);
  return e;
}

void Sym::release_last(Entry* e) {
  auto& t = table<Entry>();
  std::lock_guard lock(t.mu);
  if (e->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;  // interned again meanwhile
  t.entries.erase(e);
  delete e;
}

std::size_t Sym::interned_count() {
  auto& t = table<Entry>();
  std::lock_guard lock(t.mu);
  return t.entries.size();
}

std::ostream& operator<<(std::ostream& os, const Sym& s) {
  return os << s.view();
}

}  // namespace sim

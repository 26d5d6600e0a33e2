#include "sim/sym.hpp"

#include <mutex>
#include <ostream>
#include <unordered_set>

namespace sim {

namespace {

// Transparent hashing: look a string_view up without building a std::string first.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct Table {
  std::mutex mu;
  // A node-based set: an element never moves, so the pointers handed out stay valid.
  std::unordered_set<std::string, TextHash, std::equal_to<>> texts;
};

Table& table() {
  static auto* t = new Table;  // never destroyed: Syms in static objects outlive main
  return *t;
}

}  // namespace

const std::string* Sym::empty_text() {
  static const std::string* e = intern({});
  return e;
}

const std::string* Sym::intern(std::string_view s) {
  Table& t = table();
  std::lock_guard lock(t.mu);
  auto it = t.texts.find(s);
  if (it == t.texts.end()) it = t.texts.emplace(s).first;
  return &*it;
}

std::ostream& operator<<(std::ostream& os, const Sym& s) {
  return os << s.view();
}

}  // namespace sim

// A small cache in front of Sym's table for texts that recur in every recorded line: a
// label, its meaning and RFC, a state name. A hit costs a length check and a memcmp instead
// of hashing the whole text, taking the table's lock and probing it (issue 9: interning was
// 8 % of the simulator's instructions, most of it for the same few hundred texts).
//
// Direct-mapped: a text goes to one slot, picked from its length and its first and last
// bytes; a different text there simply replaces it. The memo holds its Syms, so at most
// kSlots texts live on because of it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sim/sym.hpp"

namespace sim {

class SymMemo {
 public:
  // Sym(text), through the memo.
  Sym get(std::string_view text) {
    if (text.empty()) return {};
    Sym& slot = slots_[slot_of(text)];
    if (slot.view() != text) slot = Sym(text);
    return slot;
  }

 private:
  static constexpr std::size_t kBits = 9;
  static constexpr std::size_t kSlots = std::size_t{1} << kBits;

  static std::uint64_t load8(const char* p, std::size_t n) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, n < 8 ? n : 8);
    return v;
  }
  // Not a general-purpose hash: texts that differ only in their middle share a slot, which
  // costs a re-intern, never a wrong answer.
  static std::size_t slot_of(std::string_view s) {
    const std::size_t n = s.size();
    const std::uint64_t head = load8(s.data(), n);
    const std::uint64_t tail = n > 8 ? load8(s.data() + n - 8, 8) : 0;
    std::uint64_t h = (head ^ (tail * 0x9E3779B97F4A7C15ULL) ^ n) * 0xFF51AFD7ED558CCDULL;
    return static_cast<std::size_t>(h >> (64 - kBits));
  }

  std::array<Sym, kSlots> slots_;
};

}  // namespace sim

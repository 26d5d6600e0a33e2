// Shared helper for the TLS tests: two sans-I/O sessions wired back to back in memory.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "net/tls/session.hpp"

namespace testutil {

// Moves bytes between the two ends until neither has anything to say (byte by byte when
// asked, to exercise partial records).
inline void shuttle(net::tls::Session& a, net::tls::Session& b, bool byte_by_byte = false) {
  for (int round = 0; round < 100; ++round) {
    std::string ab = a.take_wire(), ba = b.take_wire();
    if (ab.empty() && ba.empty()) return;
    auto deliver = [&](net::tls::Session& to, const std::string& bytes) {
      if (!byte_by_byte) return to.feed(bytes);
      for (char c : bytes) to.feed(std::string_view(&c, 1));
    };
    if (!ab.empty()) deliver(b, ab);
    if (!ba.empty()) deliver(a, ba);
  }
  FAIL("the TLS ends never went quiet");
}

}  // namespace testutil

// One direction of a TCP stream put back in order: sequence numbers that wrap around 2^32,
// overlapping retransmissions, segments held behind a gap until it is skipped.
#include <doctest/doctest.h>

#include "sim/tcp_reassembly.hpp"

TEST_CASE("in order after the SYN, across the 2^32 wrap of sequence numbers") {
  sim::TcpReassembly r;
  const std::uint32_t isn = 0xfffffff8u;
  CHECK(r.segment(isn, true, false, "").empty());
  CHECK(r.segment(isn + 1, false, false, "hello ") == "hello ");    // 0xfffffff9..0xfffffffe
  CHECK(r.segment(isn + 7, false, false, "wrapped") == "wrapped");  // crosses 0
  CHECK(r.segment(isn + 14, false, true, "!") == "!");
  CHECK(r.saw_syn());
  CHECK(r.finished());
}

TEST_CASE("out of order, overlapping and duplicate segments give each byte once") {
  sim::TcpReassembly r;
  r.segment(100, true, false, "");
  CHECK(r.segment(107, false, false, "world").empty());  // ahead: held back
  CHECK(r.held_back() == 5);
  CHECK(r.segment(104, false, false, "lo wor").empty());  // still a gap before it
  CHECK(r.segment(101, false, false, "hel") == "hello world");
  CHECK(r.held_back() == 0);
  CHECK(r.segment(101, false, false, "hello").empty());  // retransmission
  CHECK(r.segment(109, false, false, "rld and more") == " and more");
  CHECK(r.duplicate_bytes() == 3 + 5 + 3);  // "wor" held twice, "hello", "rld"
  CHECK(r.out_of_order_segments() == 2);
}

TEST_CASE("a gap that never fills is skipped, and counted") {
  sim::TcpReassembly r;
  r.segment(1000, false, false, "abc");  // no SYN: the capture started mid-stream
  CHECK_FALSE(r.saw_syn());
  CHECK(r.segment(1010, false, false, "xyz").empty());
  CHECK(r.segment(1020, false, false, "123").empty());
  std::uint64_t missing = 0;
  CHECK(r.skip_gap(missing) == "xyz");
  CHECK(missing == 7);
  CHECK(r.skip_gap(missing) == "123");
  CHECK(missing == 7);
  CHECK(r.skip_gap(missing).empty());
  CHECK(missing == 0);
  CHECK(r.segment(1023, false, false, "next") == "next");
}

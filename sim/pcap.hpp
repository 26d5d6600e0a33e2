// Exports the trace's segments as a libpcap capture that Wireshark and tshark decode:
// Ethernet II + IPv4 + TCP/UDP headers with correct checksums, built from the simulated
// segments (addresses, ports, seq/ack and flags are the simulator's own). Like a capture
// on a real wire, one link is watched; by default every segment is taken once, on the
// first link it crosses (as if captured at its sender).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "sim/lesson.hpp"
#include "sim/trace.hpp"

namespace sim {

struct PcapOptions {
  std::string link;  // a link id ("a<->b"): only what crosses it, both ways; empty: first hops
};

// Writes the capture; returns the number of packets written. Timestamps are the lesson's
// clock (start + simulated time).
std::size_t write_pcap(const Trace& trace, const Lesson& lesson, std::ostream& out,
                       const PcapOptions& opt = {});

}  // namespace sim

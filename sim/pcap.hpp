// Exports the trace's segments as a libpcap capture that Wireshark and tshark decode:
// Ethernet II + IPv4 (RFC 791) or IPv6 (RFC 8200) + TCP/UDP headers with correct checksums,
// built from the simulated segments (addresses, ports, seq/ack and flags are the simulator's
// own). Like a capture on a real wire, one link is watched; by default every segment is taken
// once, on the first link it crosses (as if captured at its sender).
#pragma once

#include <cstdint>
#include <ostream>
#include <set>
#include <string>

#include "sim/lesson.hpp"
#include "sim/trace.hpp"

namespace sim {

// SMTP ports: there a redacted credential ('*' run) is written as base64 (RFC 4954 AUTH).
inline std::set<std::uint16_t> default_smtp_ports() {
  return {25, 465, 587};
}

struct PcapOptions {
  std::string link;  // a link id ("a<->b"): only what crosses it, both ways; empty: first hops
  std::set<std::uint16_t> smtp_ports = default_smtp_ports();
};

// A capture written one packet at a time: the file header when constructed, then one record
// per segment, each handed to the stream in one write (a reader, or a process killed between
// two packets, sees whole records). An address with ':' is IPv6, otherwise IPv4.
class PcapWriter {
 public:
  explicit PcapWriter(std::ostream& out, std::set<std::uint16_t> smtp_ports = default_smtp_ports());
  // One record; `unix_us` is its timestamp in microseconds since the Unix epoch.
  void write(const SegmentEv& s, std::int64_t unix_us);
  std::size_t packets() const { return packets_; }

 private:
  std::ostream& out_;
  std::set<std::uint16_t> smtp_ports_;
  std::size_t packets_ = 0;
  std::uint16_t ip_id_ = 1;
};

// Writes the capture; returns the number of packets written. Timestamps are the lesson's
// clock (start + simulated time).
std::size_t write_pcap(const Trace& trace, const Lesson& lesson, std::ostream& out,
                       const PcapOptions& opt = {});

}  // namespace sim

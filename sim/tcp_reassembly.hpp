// One direction of a TCP connection put back in order from captured segments (RFC 9293
// §3.4, sequence numbers modulo 2^32): out-of-order segments wait until the bytes before
// them arrive, retransmitted and overlapping bytes are delivered once, and when bytes never
// arrive the stream can skip over the gap (which the caller reports).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace sim {

class TcpReassembly {
 public:
  // A segment of this direction: its sequence number, SYN and FIN flags and payload.
  // Returns the bytes that are now in order (possibly empty).
  std::string segment(std::uint32_t seq, bool syn, bool fin, std::string_view payload);
  // Gives up waiting for the missing bytes before the first held-back segment: returns the
  // bytes that follow the gap (up to the next gap); `missing` gets how many were never seen.
  std::string skip_gap(std::uint64_t& missing);

  std::size_t held_back() const { return held_bytes_; }  // bytes waiting behind a gap
  std::uint64_t duplicate_bytes() const { return duplicates_; }
  std::size_t out_of_order_segments() const { return out_of_order_; }
  bool saw_syn() const { return syn_; }
  bool finished() const { return fin_known_ && delivered_ >= fin_at_; }

 private:
  std::string drain();
  bool started_ = false, syn_ = false, fin_known_ = false;
  std::uint32_t isn_ = 0;        // sequence number of stream offset 0
  std::uint64_t delivered_ = 0;  // stream offset of the next byte expected
  std::uint64_t fin_at_ = 0;
  std::map<std::uint64_t, std::string> held_;  // stream offset -> bytes after a gap
  std::size_t held_bytes_ = 0;
  std::uint64_t duplicates_ = 0;
  std::size_t out_of_order_ = 0;
};

}  // namespace sim

#include "sim/tcp_reassembly.hpp"

namespace sim {

std::string TcpReassembly::segment(std::uint32_t seq, bool syn, bool fin,
                                   std::string_view payload) {
  if (!started_) {
    // The stream starts after the SYN (which takes one sequence number), or, for a
    // connection already open when the capture began, at the first segment seen.
    started_ = true;
    syn_ = syn;
    isn_ = syn ? seq + 1 : seq;
  }
  if (syn) ++seq;  // the payload of a SYN segment starts after the SYN
  // Offset relative to the next expected byte, within ±2^31 of it (RFC 9293 §3.4).
  const std::uint32_t expected32 = isn_ + static_cast<std::uint32_t>(delivered_);
  const auto rel = static_cast<std::int32_t>(seq - expected32);
  const std::int64_t off = static_cast<std::int64_t>(delivered_) + rel;
  if (fin) {
    const std::int64_t end = off + static_cast<std::int64_t>(payload.size());
    if (end >= 0 && !fin_known_) {
      fin_known_ = true;
      fin_at_ = static_cast<std::uint64_t>(end);
    }
  }
  if (payload.empty()) return {};
  const auto end = off + static_cast<std::int64_t>(payload.size());
  if (end <= static_cast<std::int64_t>(delivered_)) {
    duplicates_ += payload.size();  // a retransmission of bytes already delivered
    return {};
  }
  if (off < static_cast<std::int64_t>(delivered_)) {
    const auto dup = static_cast<std::size_t>(static_cast<std::int64_t>(delivered_) - off);
    duplicates_ += dup;
    payload.remove_prefix(dup);
  }
  const auto start = static_cast<std::uint64_t>(
      off < static_cast<std::int64_t>(delivered_) ? static_cast<std::int64_t>(delivered_) : off);
  if (start > delivered_) {
    ++out_of_order_;
    auto& slot = held_[start];
    if (payload.size() > slot.size()) {
      held_bytes_ += payload.size() - slot.size();
      slot.assign(payload);
    } else {
      duplicates_ += payload.size();
    }
    return {};
  }
  std::string out(payload);
  delivered_ += out.size();
  out += drain();
  return out;
}

// Held-back segments that now follow on, trimmed where they overlap what was delivered.
std::string TcpReassembly::drain() {
  std::string out;
  while (!held_.empty() && held_.begin()->first <= delivered_) {
    auto node = held_.extract(held_.begin());
    held_bytes_ -= node.mapped().size();
    const std::uint64_t end = node.key() + node.mapped().size();
    if (end <= delivered_) {
      duplicates_ += node.mapped().size();
      continue;
    }
    const auto skip = static_cast<std::size_t>(delivered_ - node.key());
    duplicates_ += skip;
    out.append(std::string_view(node.mapped()).substr(skip));
    delivered_ = end;
  }
  return out;
}

std::string TcpReassembly::skip_gap(std::uint64_t& missing) {
  missing = 0;
  if (held_.empty()) return {};
  const std::uint64_t next = held_.begin()->first;
  if (next > delivered_) {
    missing = next - delivered_;
    delivered_ = next;
  }
  return drain();
}

}  // namespace sim

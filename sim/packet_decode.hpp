// Decodes one captured frame down to its TCP segment: the link layer (Ethernet with VLAN
// tags, raw IP, BSD loopback, Linux cooked SLL and SLL2), IPv4 (RFC 791) or IPv6 (RFC 8200,
// skipping extension headers), and the TCP header (RFC 9293 §3.1). Anything else is a
// reason, never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

struct TcpPacket {
  std::string src_ip, dst_ip;  // text form (dotted quad or RFC 5952)
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::string_view payload;
};

// The TCP segment in `frame`, or nullopt with `why` set to a short, stable reason
// ("non-TCP packet", "unsupported link type 105", "bad IPv4 header", ...).
std::optional<TcpPacket> decode_tcp(std::uint32_t linktype, std::string_view frame,
                                    std::string& why);

}  // namespace sim

#include "sim/packet_decode.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace sim {

namespace {

constexpr std::uint16_t kIpv4 = 0x0800, kIpv6 = 0x86dd, kVlan = 0x8100, kQinQ = 0x88a8;
constexpr std::uint8_t kTcp = 6;

std::uint16_t be16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) << 8 |
                                    static_cast<unsigned char>(b[at + 1]));
}
std::uint32_t be32(std::string_view b, std::size_t at) {
  return std::uint32_t{be16(b, at)} << 16 | be16(b, at + 2);
}

std::string ip_text(int family, std::string_view bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  unsigned char raw[16] = {};
  std::memcpy(raw, bytes.data(), bytes.size() < sizeof raw ? bytes.size() : sizeof raw);
  return inet_ntop(family, raw, buf, sizeof buf) ? buf : "?";
}

std::optional<TcpPacket> tcp(std::string_view seg, std::string src, std::string dst,
                             std::string& why) {
  if (seg.size() < 20) {
    why = "bad TCP header";
    return std::nullopt;
  }
  const std::size_t off = (static_cast<unsigned char>(seg[12]) >> 4) * 4u;
  if (off < 20 || off > seg.size()) {
    why = "bad TCP header";
    return std::nullopt;
  }
  TcpPacket p;
  p.src_ip = std::move(src);
  p.dst_ip = std::move(dst);
  p.sport = be16(seg, 0);
  p.dport = be16(seg, 2);
  p.seq = be32(seg, 4);
  p.ack = be32(seg, 8);
  p.flags = static_cast<std::uint8_t>(seg[13]) & 0x3f;
  p.payload = seg.substr(off);
  return p;
}

std::optional<TcpPacket> ipv4(std::string_view b, std::string& why) {
  if (b.size() < 20 || (static_cast<unsigned char>(b[0]) >> 4) != 4) {
    why = "bad IPv4 header";
    return std::nullopt;
  }
  const std::size_t ihl = (static_cast<unsigned char>(b[0]) & 0x0f) * 4u;
  std::size_t total = be16(b, 2);
  if (total == 0) total = b.size();  // TSO on the capturing host leaves the length 0
  if (ihl < 20 || total < ihl || ihl > b.size()) {
    why = "bad IPv4 header";
    return std::nullopt;
  }
  if (total > b.size()) {
    why = "packet cut short by the capture's snapshot length";
    return std::nullopt;
  }
  if ((be16(b, 6) & 0x3fff) != 0) {  // more fragments, or a fragment offset
    why = "IP fragment";
    return std::nullopt;
  }
  if (static_cast<std::uint8_t>(b[9]) != kTcp) {
    why = "non-TCP packet";
    return std::nullopt;
  }
  return tcp(b.substr(ihl, total - ihl), ip_text(AF_INET, b.substr(12, 4)),
             ip_text(AF_INET, b.substr(16, 4)), why);
}

std::optional<TcpPacket> ipv6(std::string_view b, std::string& why) {
  if (b.size() < 40 || (static_cast<unsigned char>(b[0]) >> 4) != 6) {
    why = "bad IPv6 header";
    return std::nullopt;
  }
  const std::size_t payload = be16(b, 4);
  if (40 + payload > b.size()) {
    why = "packet cut short by the capture's snapshot length";
    return std::nullopt;
  }
  auto next = static_cast<std::uint8_t>(b[6]);
  std::size_t pos = 40;
  const std::size_t end = 40 + payload;
  // Hop-by-hop (0), routing (43) and destination options (60) are skipped; a fragment
  // header (44) means a fragment (RFC 8200 §4).
  for (int hops = 0; hops < 8 && (next == 0 || next == 43 || next == 60); ++hops) {
    if (end - pos < 8) {
      why = "bad IPv6 header";
      return std::nullopt;
    }
    const std::size_t len = (static_cast<unsigned char>(b[pos + 1]) + 1u) * 8u;
    if (len > end - pos) {
      why = "bad IPv6 header";
      return std::nullopt;
    }
    next = static_cast<std::uint8_t>(b[pos]);
    pos += len;
  }
  if (next == 44) {
    why = "IP fragment";
    return std::nullopt;
  }
  if (next != kTcp) {
    why = "non-TCP packet";
    return std::nullopt;
  }
  return tcp(b.substr(pos, end - pos), ip_text(AF_INET6, b.substr(8, 16)),
             ip_text(AF_INET6, b.substr(24, 16)), why);
}

std::optional<TcpPacket> by_ethertype(std::uint16_t type, std::string_view b, std::string& why) {
  if (type == kIpv4) return ipv4(b, why);
  if (type == kIpv6) return ipv6(b, why);
  why = "non-IP packet";
  return std::nullopt;
}

std::optional<TcpPacket> by_version(std::string_view b, std::string& why) {
  if (b.empty()) {
    why = "bad IP header";
    return std::nullopt;
  }
  const unsigned v = static_cast<unsigned char>(b[0]) >> 4;
  if (v == 4) return ipv4(b, why);
  if (v == 6) return ipv6(b, why);
  why = "non-IP packet";
  return std::nullopt;
}

}  // namespace

std::optional<TcpPacket> decode_tcp(std::uint32_t linktype, std::string_view f, std::string& why) {
  auto short_frame = [&] {
    why = "bad link-layer header";
    return std::nullopt;
  };
  switch (linktype) {
    case 1: {  // Ethernet II, possibly with 802.1Q / 802.1ad tags
      if (f.size() < 14) return short_frame();
      std::size_t pos = 12;
      std::uint16_t type = be16(f, pos);
      for (int tags = 0; tags < 2 && (type == kVlan || type == kQinQ); ++tags) {
        if (f.size() < pos + 6) return short_frame();
        pos += 4;
        type = be16(f, pos);
      }
      return by_ethertype(type, f.substr(pos + 2), why);
    }
    case 0: {  // BSD loopback: the address family in the capturing host's byte order
      if (f.size() < 4) return short_frame();
      const auto* p = reinterpret_cast<const unsigned char*>(f.data());
      const std::uint32_t le = p[0] | p[1] << 8 | p[2] << 16 | std::uint32_t{p[3]} << 24;
      const std::uint32_t fam = le > 0xffff ? be32(f, 0) : le;
      if (fam == 2) return ipv4(f.substr(4), why);
      if (fam == 24 || fam == 28 || fam == 30) return ipv6(f.substr(4), why);
      why = "non-IP packet";
      return std::nullopt;
    }
    case 101:  // LINKTYPE_RAW
    case 12:   // DLT_RAW on some systems
      return by_version(f, why);
    case 228:
      return ipv4(f, why);
    case 229:
      return ipv6(f, why);
    case 113:  // Linux cooked capture v1: protocol type at offset 14
      if (f.size() < 16) return short_frame();
      return by_ethertype(be16(f, 14), f.substr(16), why);
    case 276:  // Linux cooked capture v2: protocol type at offset 0, 20-byte header
      if (f.size() < 20) return short_frame();
      return by_ethertype(be16(f, 0), f.substr(20), why);
    default:
      why = "unsupported link type " + std::to_string(linktype);
      return std::nullopt;
  }
}

}  // namespace sim

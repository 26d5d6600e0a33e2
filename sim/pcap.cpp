#include "sim/pcap.hpp"

#include <arpa/inet.h>

#include <map>
#include <utility>

#include "net/base64.hpp"

namespace sim {

namespace {

// Big-endian (network order) and little-endian (pcap headers as we write them) helpers.
void be16(std::string& b, std::uint32_t v) {
  b += static_cast<char>((v >> 8) & 0xff);
  b += static_cast<char>(v & 0xff);
}
void be32(std::string& b, std::uint32_t v) {
  be16(b, v >> 16);
  be16(b, v & 0xffff);
}
void le32(std::string& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b += static_cast<char>((v >> (8 * i)) & 0xff);
}
void le16(std::string& b, std::uint32_t v) {
  b += static_cast<char>(v & 0xff);
  b += static_cast<char>((v >> 8) & 0xff);
}

// The address's bytes in network order: 16 for IPv6 (it has a ':'), else 4 (all zero when
// the text is not an address).
std::string ip_bytes(const std::string& ip) {
  const bool v6 = ip.find(':') != std::string::npos;
  std::string b(v6 ? 16 : 4, '\0');
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, ip.c_str(), b.data()) != 1) b.assign(b.size(), '\0');
  return b;
}

// RFC 1071 internet checksum over `data` (plus an initial partial sum).
std::uint16_t checksum(const std::string& data, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < data.size(); i += 2)
    sum += (static_cast<std::uint8_t>(data[i]) << 8) | static_cast<std::uint8_t>(data[i + 1]);
  if (data.size() % 2) sum += static_cast<std::uint8_t>(data.back()) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

// A locally administered MAC made from the host's address (its last four bytes):
// 02:00:a.b.c.d.
std::string mac_of(const std::string& ip) {
  return std::string{'\x02', '\x00'} + ip.substr(ip.size() - 4);
}

// n base64 characters (n a multiple of 4, as every base64 run is) decoding to an AUTH PLAIN
// response "\0redacted\0***" (RFC 4616), cut or padded to n*3/4 bytes.
std::string redacted_base64(std::size_t n) {
  std::string plain = std::string("\0redacted\0", 10);
  plain.resize(n / 4 * 3, '*');
  std::string b = net::base64_encode(plain);
  b.resize(n, 'A');
  return b;
}

// Credentials are redacted in the trace as '*' runs of the same length. Inside SMTP, where
// AUTH carries base64 (RFC 4954), such a run would make dissectors report a decode error,
// so there it becomes base64 of "\0redacted\0***" of the same length (sequence numbers stay
// right).
std::string wire_payload(const SegmentEv& s, const std::set<std::uint16_t>& smtp_ports) {
  std::string p = s.payload;
  if (s.udp || !(smtp_ports.count(s.sport) || smtp_ports.count(s.dport))) return p;
  for (std::size_t i = 0; i < p.size();) {
    std::size_t j = i;
    while (j < p.size() && p[j] == '*') ++j;
    if (j - i >= 4) p.replace(i, j - i, redacted_base64(j - i));
    i = j == i ? i + 1 : j;
  }
  return p;
}

// The IPv4 header (RFC 791) for `l4` bytes of protocol `proto`.
std::string ipv4_header(const std::string& src, const std::string& dst, std::uint8_t proto,
                        std::size_t l4, std::uint16_t ip_id) {
  std::string ip;
  ip += '\x45';
  ip += '\0';
  be16(ip, static_cast<std::uint32_t>(20 + l4));
  be16(ip, ip_id);
  be16(ip, 0x4000);  // don't fragment
  ip += static_cast<char>(64);
  ip += static_cast<char>(proto);
  be16(ip, 0);
  ip += src + dst;
  const std::uint16_t isum = checksum(ip);
  ip[10] = static_cast<char>(isum >> 8);
  ip[11] = static_cast<char>(isum & 0xff);
  return ip;
}

// The IPv6 header (RFC 8200 §3): no extension headers, flow label 0.
std::string ipv6_header(const std::string& src, const std::string& dst, std::uint8_t proto,
                        std::size_t l4) {
  std::string ip;
  be32(ip, 0x60000000);  // version 6, traffic class 0, flow label 0
  be16(ip, static_cast<std::uint32_t>(l4));
  ip += static_cast<char>(proto);  // next header
  ip += static_cast<char>(64);     // hop limit
  return ip + src + dst;
}

std::string frame(const SegmentEv& s, std::uint16_t ip_id,
                  const std::set<std::uint16_t>& smtp_ports) {
  std::string src = ip_bytes(s.src_ip), dst = ip_bytes(s.dst_ip);
  const bool v6 = src.size() == 16 || dst.size() == 16;
  if (v6 && src.size() == 4) src = std::string(10, '\0') + "\xff\xff" + src;  // v4-mapped
  if (v6 && dst.size() == 4) dst = std::string(10, '\0') + "\xff\xff" + dst;
  std::string l4;
  const std::uint8_t proto = s.udp ? 17 : 6;
  if (s.udp) {
    be16(l4, s.sport);
    be16(l4, s.dport);
    be16(l4, static_cast<std::uint32_t>(8 + s.payload.size()));
    be16(l4, 0);  // checksum, filled below
  } else {
    be16(l4, s.sport);
    be16(l4, s.dport);
    be32(l4, s.seq);
    be32(l4, s.ack);
    l4 += static_cast<char>(5 << 4);  // data offset: 5 words, no options
    l4 += static_cast<char>(s.flags);
    be16(l4, 65535);  // window
    be16(l4, 0);      // checksum, filled below
    be16(l4, 0);      // urgent pointer
  }
  l4 += wire_payload(s, smtp_ports);
  // Pseudo-header for the TCP/UDP checksum: RFC 9293 §3.1 and RFC 768 over IPv4 (16-bit
  // length), RFC 8200 §8.1 over IPv6 (32-bit length, then three zero bytes and the protocol).
  std::string pseudo = src + dst;
  if (v6) {
    be32(pseudo, static_cast<std::uint32_t>(l4.size()));
    pseudo += std::string(3, '\0');
    pseudo += static_cast<char>(proto);
  } else {
    pseudo += '\0';
    pseudo += static_cast<char>(proto);
    be16(pseudo, static_cast<std::uint32_t>(l4.size()));
  }
  std::uint16_t sum = checksum(pseudo + l4);
  if (s.udp && sum == 0) sum = 0xffff;  // RFC 768, RFC 8200 §8.1: 0 means "no checksum"
  const std::size_t at = s.udp ? 6 : 16;
  l4[at] = static_cast<char>(sum >> 8);
  l4[at + 1] = static_cast<char>(sum & 0xff);

  const std::string ip =
      v6 ? ipv6_header(src, dst, proto, l4.size()) : ipv4_header(src, dst, proto, l4.size(), ip_id);
  std::string eth = mac_of(dst) + mac_of(src);
  be16(eth, v6 ? 0x86dd : 0x0800);
  return eth + ip + l4;
}

}  // namespace

PcapWriter::PcapWriter(std::ostream& out, std::set<std::uint16_t> smtp_ports)
    : out_(out), smtp_ports_(std::move(smtp_ports)) {
  // Global header (libpcap format): magic, version 2.4, zone 0, sigfigs 0, snaplen,
  // link type 1 (Ethernet).
  std::string h;
  le32(h, 0xa1b2c3d4);
  le16(h, 2);
  le16(h, 4);
  le32(h, 0);
  le32(h, 0);
  le32(h, 262144);
  le32(h, 1);
  out_.write(h.data(), static_cast<std::streamsize>(h.size()));
}

void PcapWriter::write(const SegmentEv& s, std::int64_t unix_us) {
  const std::string f = frame(s, ip_id_++, smtp_ports_);
  std::string rec;
  rec.reserve(16 + f.size());
  le32(rec, static_cast<std::uint32_t>(unix_us / 1000000));
  le32(rec, static_cast<std::uint32_t>(unix_us % 1000000));
  le32(rec, static_cast<std::uint32_t>(f.size()));
  le32(rec, static_cast<std::uint32_t>(f.size()));
  rec += f;
  out_.write(rec.data(), static_cast<std::streamsize>(rec.size()));
  ++packets_;
}

std::size_t write_pcap(const Trace& trace, const Lesson& lesson, std::ostream& out,
                       const PcapOptions& opt) {
  std::map<std::string, std::string> ip_of;
  for (const auto& h : lesson.hosts) ip_of[h.name] = h.ip;
  PcapWriter w(out, opt.smtp_ports);
  for (const auto& ev : trace.events()) {
    const auto* s = std::get_if<SegmentEv>(&ev.p);
    if (!s) continue;
    if (opt.link.empty() ? ip_of[s->from] != s->src_ip : s->link != opt.link) continue;
    w.write(*s, lesson.start_unix * 1000000 + ev.t);  // Time is in µs
  }
  return w.packets();
}

}  // namespace sim

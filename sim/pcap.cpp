#include "sim/pcap.hpp"

#include <array>
#include <map>
#include <sstream>
#include <vector>

#include "net/base64.hpp"

namespace sim {

namespace {

// Big-endian (network order) and little-endian (pcap file header as we write it) helpers.
void be16(std::string& b, std::uint32_t v) {
  b += static_cast<char>((v >> 8) & 0xff);
  b += static_cast<char>(v & 0xff);
}
void be32(std::string& b, std::uint32_t v) {
  be16(b, v >> 16);
  be16(b, v & 0xffff);
}
void le32(std::ostream& o, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) o.put(static_cast<char>((v >> (8 * i)) & 0xff));
}
void le16(std::ostream& o, std::uint32_t v) {
  o.put(static_cast<char>(v & 0xff));
  o.put(static_cast<char>((v >> 8) & 0xff));
}

std::array<std::uint8_t, 4> parse_ip(const std::string& ip) {
  std::array<std::uint8_t, 4> a{};
  std::istringstream in(ip);
  std::string part;
  for (std::size_t i = 0; i < 4 && std::getline(in, part, '.'); ++i)
    a[i] = static_cast<std::uint8_t>(std::stoi(part));
  return a;
}

// RFC 1071 internet checksum over `data` (plus an initial partial sum).
std::uint16_t checksum(const std::string& data, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < data.size(); i += 2)
    sum += (static_cast<std::uint8_t>(data[i]) << 8) | static_cast<std::uint8_t>(data[i + 1]);
  if (data.size() % 2) sum += static_cast<std::uint8_t>(data.back()) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

// A locally administered MAC made from the host's IPv4 address: 02:00:a.b.c.d.
std::string mac_of(const std::array<std::uint8_t, 4>& ip) {
  std::string m = {'\x02', '\x00'};
  for (auto b : ip) m += static_cast<char>(b);
  return m;
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
std::string wire_payload(const SegmentEv& s) {
  std::string p = s.payload;
  auto smtp = [](std::uint16_t port) { return port == 25 || port == 587 || port == 465; };
  if (s.udp || !(smtp(s.sport) || smtp(s.dport))) return p;
  for (std::size_t i = 0; i < p.size();) {
    std::size_t j = i;
    while (j < p.size() && p[j] == '*') ++j;
    if (j - i >= 4) p.replace(i, j - i, redacted_base64(j - i));
    i = j == i ? i + 1 : j;
  }
  return p;
}

std::string frame(const SegmentEv& s, std::uint16_t ip_id) {
  const auto src = parse_ip(s.src_ip), dst = parse_ip(s.dst_ip);
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
  l4 += wire_payload(s);
  // Pseudo-header (RFC 9293 §3.1, RFC 768) for the TCP/UDP checksum.
  std::string pseudo;
  for (auto b : src) pseudo += static_cast<char>(b);
  for (auto b : dst) pseudo += static_cast<char>(b);
  pseudo += '\0';
  pseudo += static_cast<char>(proto);
  be16(pseudo, static_cast<std::uint32_t>(l4.size()));
  std::uint16_t sum = checksum(pseudo + l4);
  if (s.udp && sum == 0) sum = 0xffff;  // RFC 768: 0 means "no checksum"
  const std::size_t at = s.udp ? 6 : 16;
  l4[at] = static_cast<char>(sum >> 8);
  l4[at + 1] = static_cast<char>(sum & 0xff);

  std::string ip;  // IPv4 header, RFC 791
  ip += '\x45';
  ip += '\0';
  be16(ip, static_cast<std::uint32_t>(20 + l4.size()));
  be16(ip, ip_id);
  be16(ip, 0x4000);  // don't fragment
  ip += static_cast<char>(64);
  ip += static_cast<char>(proto);
  be16(ip, 0);
  for (auto b : src) ip += static_cast<char>(b);
  for (auto b : dst) ip += static_cast<char>(b);
  const std::uint16_t isum = checksum(ip);
  ip[10] = static_cast<char>(isum >> 8);
  ip[11] = static_cast<char>(isum & 0xff);

  std::string eth = mac_of(dst) + mac_of(src);
  be16(eth, 0x0800);
  return eth + ip + l4;
}

}  // namespace

std::size_t write_pcap(const Trace& trace, const Lesson& lesson, std::ostream& out,
                       const PcapOptions& opt) {
  std::map<std::string, std::string> ip_of;
  for (const auto& h : lesson.hosts) ip_of[h.name] = h.ip;
  // Global header (libpcap format): magic, version 2.4, zone 0, sigfigs 0, snaplen,
  // link type 1 (Ethernet).
  le32(out, 0xa1b2c3d4);
  le16(out, 2);
  le16(out, 4);
  le32(out, 0);
  le32(out, 0);
  le32(out, 262144);
  le32(out, 1);
  std::size_t n = 0;
  std::uint16_t ip_id = 1;
  for (const auto& ev : trace.events()) {
    const auto* s = std::get_if<SegmentEv>(&ev.p);
    if (!s) continue;
    if (opt.link.empty() ? ip_of[s->from] != s->src_ip : s->link != opt.link) continue;
    const std::string f = frame(*s, ip_id++);
    const std::int64_t usec = lesson.start_unix * 1000000 + ev.t;  // Time is in µs
    le32(out, static_cast<std::uint32_t>(usec / 1000000));
    le32(out, static_cast<std::uint32_t>(usec % 1000000));
    le32(out, static_cast<std::uint32_t>(f.size()));
    le32(out, static_cast<std::uint32_t>(f.size()));
    out.write(f.data(), static_cast<std::streamsize>(f.size()));
    ++n;
  }
  return n;
}

}  // namespace sim

// Builds small packet captures byte by byte for the pcap import tests: Ethernet, raw IP,
// Linux cooked and loopback frames around IPv4/IPv6 + TCP, in classic pcap (either byte
// order, micro or nano seconds) or pcapng files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace capture_test {

inline void put(std::string& b, std::uint64_t v, int n, bool big) {
  for (int i = 0; i < n; ++i) {
    const int shift = big ? 8 * (n - 1 - i) : 8 * i;
    b += static_cast<char>((v >> shift) & 0xff);
  }
}
inline void be(std::string& b, std::uint64_t v, int n) {
  put(b, v, n, true);
}

struct Seg {
  bool from_client = true;
  std::uint32_t seq = 0;
  std::uint8_t flags = 0x18;  // PSH|ACK
  std::string payload;
};

inline std::string tcp_header(std::uint16_t sport, std::uint16_t dport, const Seg& s) {
  std::string t;
  be(t, sport, 2);
  be(t, dport, 2);
  be(t, s.seq, 4);
  be(t, 1, 4);
  t += static_cast<char>(5 << 4);
  t += static_cast<char>(s.flags);
  be(t, 65535, 2);
  be(t, 0, 4);  // checksum (not checked), urgent pointer
  return t + s.payload;
}

inline std::string ipv4(const std::string& tcp, std::uint8_t a, std::uint8_t b,
                        std::uint8_t proto = 6) {
  std::string ip;
  ip += '\x45';
  ip += '\0';
  be(ip, 20 + tcp.size(), 2);
  be(ip, 0, 4);  // id, flags/fragment offset
  ip += '\x40';
  ip += static_cast<char>(proto);
  be(ip, 0, 2);
  for (std::uint8_t host : {a, b}) {
    ip += '\x0a';
    ip += '\0';
    ip += '\0';
    ip += static_cast<char>(host);
  }
  return ip + tcp;
}

inline std::string ipv6(const std::string& tcp, std::uint8_t a, std::uint8_t b) {
  std::string ip = {'\x60', '\0', '\0', '\0'};
  be(ip, tcp.size(), 2);
  ip += '\x06';
  ip += '\x40';
  for (std::uint8_t host : {a, b}) {
    ip += std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0');
    ip += static_cast<char>(host);
  }
  return ip + tcp;
}

enum class Link { Ethernet, Raw, Ipv6, Sll, Sll2, Null };

inline std::uint32_t linktype(Link l) {
  switch (l) {
    case Link::Ethernet:
      return 1;
    case Link::Raw:
      return 101;
    case Link::Ipv6:
      return 229;
    case Link::Sll:
      return 113;
    case Link::Sll2:
      return 276;
    case Link::Null:
      return 0;
  }
  return 1;
}

// One TCP segment of a connection 10.0.0.1:40000 <-> 10.0.0.2:port as a link-layer frame.
inline std::string frame(Link l, const Seg& s, std::uint16_t port = 25) {
  const std::uint16_t cport = 40000;
  const std::string tcp = s.from_client ? tcp_header(cport, port, s) : tcp_header(port, cport, s);
  const std::uint8_t a = s.from_client ? 1 : 2, b = s.from_client ? 2 : 1;
  switch (l) {
    case Link::Ethernet:
      return std::string(12, '\x02') + std::string("\x08\x00", 2) + ipv4(tcp, a, b);
    case Link::Raw:
      return ipv4(tcp, a, b);
    case Link::Ipv6:
      return ipv6(tcp, a, b);
    case Link::Sll:
      return std::string(14, '\0') + std::string("\x08\x00", 2) + ipv4(tcp, a, b);
    case Link::Sll2: {
      std::string h = "\x86\xdd";
      return h + std::string(18, '\0') + ipv6(tcp, a, b);
    }
    case Link::Null:
      return std::string("\x02\0\0\0", 4) + ipv4(tcp, a, b);
  }
  return {};
}

inline std::string pcap(std::uint32_t link, const std::vector<std::string>& frames,
                        bool big = false, bool nano = false) {
  std::string f;
  put(f, nano ? 0xa1b23c4d : 0xa1b2c3d4, 4, big);
  put(f, 2, 2, big);
  put(f, 4, 2, big);
  put(f, 0, 8, big);
  put(f, 65535, 4, big);
  put(f, link, 4, big);
  std::uint32_t t = 0;
  for (const auto& fr : frames) {
    put(f, 1700000000, 4, big);
    put(f, nano ? t * 1000 : t, 4, big);
    put(f, fr.size(), 4, big);
    put(f, fr.size(), 4, big);
    f += fr;
    t += 1000;  // 1 ms apart
  }
  return f;
}

inline std::string block(std::uint32_t type, const std::string& body, bool big = false) {
  std::string padded = body;
  while (padded.size() % 4) padded += '\0';
  std::string b;
  put(b, type, 4, big);
  put(b, 12 + padded.size(), 4, big);
  b += padded;
  put(b, 12 + padded.size(), 4, big);
  return b;
}

// pcapng: SHB, an IDB with if_tsresol = 10^-9, a custom block to skip, then EPBs (or SPBs).
inline std::string pcapng(std::uint32_t link, const std::vector<std::string>& frames,
                          bool simple = false, bool big = false) {
  std::string shb;
  put(shb, 0x1a2b3c4d, 4, big);
  put(shb, 1, 2, big);
  put(shb, 0, 2, big);
  put(shb, ~0ull, 8, big);
  std::string idb;
  put(idb, link, 2, big);
  put(idb, 0, 2, big);
  put(idb, 0, 4, big);
  put(idb, 9, 2, big);  // if_tsresol
  put(idb, 1, 2, big);
  idb += std::string("\x09\0\0\0", 4);
  put(idb, 0, 4, big);  // opt_endofopt
  std::string f =
      block(0x0a0d0d0a, shb, big) + block(1, idb, big) + block(0x00000bad, "custom", big);
  std::uint64_t ts = 1700000000ull * 1000000000ull;
  for (const auto& fr : frames) {
    std::string body;
    if (simple) {
      put(body, fr.size(), 4, big);
      f += block(3, body + fr, big);
      continue;
    }
    put(body, 0, 4, big);
    put(body, ts >> 32, 4, big);
    put(body, ts & 0xffffffff, 4, big);
    put(body, fr.size(), 4, big);
    put(body, fr.size(), 4, big);
    f += block(6, body + fr, big);
    ts += 1000000;
  }
  return f;
}

// A short SMTP session as segments: handshake, greeting, EHLO, QUIT, FIN.
inline std::vector<Seg> smtp_session() {
  const std::uint32_t c = 1000, s = 5000;
  std::vector<Seg> v;
  v.push_back({true, c, 0x02, ""});
  v.push_back({false, s, 0x12, ""});
  v.push_back({true, c + 1, 0x10, ""});
  std::string greet = "220 mx.example ESMTP\r\n";
  v.push_back({false, s + 1, 0x18, greet});
  std::string ehlo = "EHLO client.example\r\n";
  v.push_back({true, c + 1, 0x18, ehlo});
  std::string rep = "250-mx.example\r\n250 PIPELINING\r\n";
  v.push_back({false, s + 1 + static_cast<std::uint32_t>(greet.size()), 0x18, rep});
  v.push_back({true, c + 1 + static_cast<std::uint32_t>(ehlo.size()), 0x18, "QUIT\r\n"});
  v.push_back(
      {false, s + 1 + static_cast<std::uint32_t>(greet.size() + rep.size()), 0x19, "221 Bye\r\n"});
  return v;
}

inline std::vector<std::string> frames(Link l, const std::vector<Seg>& segs,
                                       std::uint16_t port = 25) {
  std::vector<std::string> v;
  v.reserve(segs.size());
  for (const auto& s : segs) v.push_back(frame(l, s, port));
  return v;
}

}  // namespace capture_test

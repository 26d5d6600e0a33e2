// The capture writer's frames checked field by field: IPv4 and IPv6 (RFC 8200) headers, and
// TCP checksums verified here with a sum of our own over the pseudo-header (RFC 9293 §3.1,
// RFC 8200 §8.1), not with the writer's code.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sim/capture_report.hpp"
#include "sim/live_wire.hpp"
#include "sim/pcap.hpp"
#include "sim/pcap_file.hpp"
#include "sim/pcap_import.hpp"
#include "sim/trace.hpp"

using namespace sim;

namespace {

std::uint32_t be(std::string_view b, std::size_t at, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(b[at + i]);
  return v;
}

// The one's complement sum of 16-bit words, folded; a valid checksum makes it 0xffff.
std::uint32_t ones_sum(std::string_view b) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < b.size(); i += 2) {
    sum += static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[i]) << 8);
    if (i + 1 < b.size()) sum += static_cast<std::uint8_t>(b[i + 1]);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

std::vector<std::string> frames_of(const std::string& pcap) {
  std::vector<std::string> out;
  CaptureReport rep;
  read_capture_frames(pcap, rep, [&](const CaptureFrame& f) { out.emplace_back(f.data); });
  return out;
}

std::string session_pcap(const std::string& client, const std::string& server) {
  Trace tr;
  LiveWire w(tr, 1, "c", "s");
  w.connected(10, client, server);
  w.chunk(20, false, "220 ready\r\n");
  w.chunk(30, true, "EHLO x\r\n");
  w.chunk(40, true, {});  // the client closes first
  w.close(50);
  std::ostringstream out;
  write_pcap(tr, w.lesson(1795683600), out);
  return out.str();
}

}  // namespace

TEST_CASE("pcap writer: IPv6 frames with the right header and TCP checksums") {
  const std::string pcap = session_pcap("[2001:db8::1]:40000", "[2001:db8::2]:2525");
  const auto frames = frames_of(pcap);
  REQUIRE(frames.size() == 3 + 2 + 3);  // handshake, two chunks, FIN / FIN / ACK
  const std::string src6("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
  const std::string dst6("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
  for (const auto& f : frames) {
    REQUIRE(f.size() >= 14 + 40 + 20);
    CHECK(be(f, 12, 2) == 0x86dd);                 // EtherType IPv6
    CHECK(be(f, 14, 4) == 0x60000000);             // version 6, no traffic class, no flow label
    CHECK(be(f, 18, 2) == f.size() - 54);          // payload length
    CHECK(static_cast<std::uint8_t>(f[20]) == 6);  // next header: TCP
    CHECK(static_cast<std::uint8_t>(f[21]) == 64);
    const std::string ip_src = f.substr(22, 16), ip_dst = f.substr(38, 16);
    const bool from_client = be(f, 54, 2) == 40000;
    CHECK(ip_src == (from_client ? src6 : dst6));
    CHECK(ip_dst == (from_client ? dst6 : src6));
    // RFC 8200 §8.1 pseudo-header: addresses, 32-bit length, three zeros, next header.
    const std::string tcp = f.substr(54);
    std::string pseudo = ip_src + ip_dst;
    pseudo += std::string("\0\0", 2) + static_cast<char>(tcp.size() >> 8) +
              static_cast<char>(tcp.size() & 0xff);
    pseudo += std::string("\0\0\0\x06", 4);
    CHECK(ones_sum(pseudo + tcp) == 0xffff);
  }
  CHECK(frames[3].substr(74) == "220 ready\r\n");
  // The client's FIN came first: the server's FIN follows, the client acknowledges it.
  CHECK(static_cast<std::uint8_t>(frames[5][54 + 13]) == (tcpflag::FIN | tcpflag::ACK));
  CHECK(be(frames[5], 54, 2) == 40000);
  CHECK(static_cast<std::uint8_t>(frames[6][54 + 13]) == (tcpflag::FIN | tcpflag::ACK));
  CHECK(be(frames[6], 54, 2) == 2525);
  CHECK(static_cast<std::uint8_t>(frames[7][54 + 13]) == tcpflag::ACK);
  CHECK(be(frames[7], 54, 2) == 40000);
  CHECK(be(frames[7], 54 + 8, 4) == be(frames[6], 54 + 4, 4) + 1);  // ack = server FIN + 1
}

TEST_CASE("pcap writer: IPv4 frames keep their header checksum and TCP checksum right") {
  const auto frames = frames_of(session_pcap("192.0.2.1:40000", "192.0.2.2:25"));
  REQUIRE(frames.size() == 8);
  for (const auto& f : frames) {
    CHECK(be(f, 12, 2) == 0x0800);
    CHECK(ones_sum(f.substr(14, 20)) == 0xffff);  // IPv4 header checksum
    const std::string tcp = f.substr(34);
    std::string pseudo = f.substr(26, 8);
    pseudo += std::string("\0\x06", 2) + static_cast<char>(tcp.size() >> 8) +
              static_cast<char>(tcp.size() & 0xff);
    CHECK(ones_sum(pseudo + tcp) == 0xffff);
  }
}

TEST_CASE("pcap writer: an IPv6 capture imports to the same lines") {
  CaptureImportOptions opt;
  opt.ports[2525] = MailPort{Proto::Smtp, false};
  Trace back;
  CaptureReport rep;
  import_capture(session_pcap("[::1]:40000", "[::1]:2525"), opt, back, rep);
  std::vector<std::string> lines;
  for (const auto& e : back.events())
    if (const auto* l = std::get_if<LineEv>(&e.p))
      lines.push_back((l->from_client ? "C: " : "S: ") + l->text);
  CHECK(lines == std::vector<std::string>{"S: 220 ready", "C: EHLO x"});
  CHECK(rep.total_skipped() == 0);
}

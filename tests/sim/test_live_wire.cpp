#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sim/live_wire.hpp"
#include "sim/pcap.hpp"
#include "sim/pcap_import.hpp"
#include "sim/trace.hpp"

using namespace sim;

namespace {

std::vector<SegmentEv> segments(const Trace& tr) {
  std::vector<SegmentEv> out;
  for (const auto& e : tr.events())
    if (const auto* s = std::get_if<SegmentEv>(&e.p)) out.push_back(*s);
  return out;
}

// A plaintext IMAP session as the socket saw it, password "hunter2hunter2".
void imap_session(LiveWire& w) {
  w.connected(10, "127.0.0.1:40000", "127.0.0.1:143");
  w.chunk(20, false, "* OK ready\r\n");
  w.chunk(30, true, "A1 LOGIN \"ana\" \"hunter2hunter2\"\r\n");
  w.chunk(40, false, "A1 OK logged in\r\n");
  w.chunk(50, true, "A2 LOGOUT\r\n");
  w.chunk(60, false, "* BYE\r\nA2 OK bye\r\n");
  w.chunk(70, false, {});  // the server closed first
  w.close(80);
}

}  // namespace

TEST_CASE("live wire: handshake, data and FIN segments with consistent seq/ack") {
  Trace tr;
  LiveWire w(tr, 1, "mailsim", "imap.example");
  imap_session(w);
  const auto s = segments(tr);
  REQUIRE(s.size() == 3 + 5 + 1 + 2);
  CHECK(s[0].flags == tcpflag::SYN);
  CHECK(s[0].seq == LiveWire::kClientIsn);
  CHECK(s[0].ack == 0);
  CHECK(s[1].flags == (tcpflag::SYN | tcpflag::ACK));
  CHECK(s[1].seq == LiveWire::kServerIsn);
  CHECK(s[1].ack == LiveWire::kClientIsn + 1);
  CHECK(s[2].flags == tcpflag::ACK);
  CHECK(s[2].ack == LiveWire::kServerIsn + 1);
  // Greeting from the server, then the client's LOGIN acknowledging it.
  CHECK(s[3].from == "imap.example");
  CHECK(s[3].src_ip == "127.0.0.1");
  CHECK(s[3].sport == 143);
  CHECK(s[3].dport == 40000);
  CHECK(s[3].seq == LiveWire::kServerIsn + 1);
  CHECK(s[3].flags == (tcpflag::PSH | tcpflag::ACK));
  CHECK(s[4].from == "mailsim");
  CHECK(s[4].seq == LiveWire::kClientIsn + 1);
  CHECK(s[4].ack == LiveWire::kServerIsn + 1 + 12);
  CHECK(s[4].link == "mailsim<->imap.example");
  // Every segment's seq continues where its sender's previous one ended.
  std::uint32_t cnext = LiveWire::kClientIsn, snext = LiveWire::kServerIsn;
  for (const auto& x : s) {
    auto& next = x.from == "mailsim" ? cnext : snext;
    CHECK(x.seq == next);
    next = x.seq + static_cast<std::uint32_t>(x.payload.size()) +
           ((x.flags & (tcpflag::SYN | tcpflag::FIN)) ? 1 : 0);
  }
  CHECK(s[8].flags == (tcpflag::FIN | tcpflag::ACK));  // server FIN
  CHECK(s[8].from == "imap.example");
  CHECK(s[9].flags == (tcpflag::FIN | tcpflag::ACK));  // our FIN
  CHECK(s[10].flags == tcpflag::ACK);                  // the server acknowledges it
  CHECK(s[10].ack == cnext);
}

TEST_CASE("live wire: chunks above the MSS are split; a secret cut by the split is masked") {
  Trace tr;
  tr.add_secret("hunter2hunter2");
  LiveWire w(tr, 1, "mailsim", "s");
  w.connected(0, "[::1]:40000", "[::1]:25");
  CHECK(w.ipv6());  // IPv6 stays IPv6, loopback included
  CHECK(w.server_ip() == "::1");
  std::string big(LiveWire::kMss - 5, 'x');
  big += "hunter2hunter2\r\n";
  w.chunk(1, true, big);
  w.close(2);
  const auto s = segments(tr);
  REQUIRE(s.size() == 3 + 2 + 3);
  CHECK(s[3].payload.size() == LiveWire::kMss);
  CHECK(s[3].flags == tcpflag::ACK);  // PSH only on the chunk's last segment
  CHECK(s[4].flags == (tcpflag::PSH | tcpflag::ACK));
  CHECK(s[4].seq == s[3].seq + LiveWire::kMss);
  const std::string joined = s[3].payload + s[4].payload;
  CHECK(joined.size() == big.size());
  CHECK(joined.find("hunter2") == std::string::npos);
  CHECK(joined.find("**************\r\n") != std::string::npos);
}

TEST_CASE("live wire: with secrets revealed the bytes stay as they crossed") {
  Trace tr;
  tr.add_secret("hunter2hunter2");
  tr.set_reveal_secrets(true);
  LiveWire w(tr, 1, "mailsim", "s");
  imap_session(w);
  CHECK(segments(tr)[4].payload == "A1 LOGIN \"ana\" \"hunter2hunter2\"\r\n");
}

TEST_CASE("live wire: IPv6 and v4-mapped addresses; without a connection nothing is recorded") {
  Trace tr;
  LiveWire w(tr, 1, "mailsim", "s");
  w.chunk(0, true, "EHLO x\r\n");
  w.close(1);
  CHECK(tr.size() == 0);
  CHECK_FALSE(w.up());
  w.connected(2, "[2001:db8::1]:40000", "[2001:db8::2]:25");
  CHECK(w.ipv6());
  CHECK(w.client_ip() == "2001:db8::1");
  LiveWire m(tr, 2, "mailsim", "s");
  m.connected(3, "[::ffff:192.0.2.7]:40000", "[::ffff:192.0.2.8]:25");
  CHECK_FALSE(m.ipv6());
  CHECK(m.server_ip() == "192.0.2.8");
}

TEST_CASE("live wire: the pcap written from it imports to the same lines, password masked") {
  Trace tr;
  tr.add_secret("hunter2hunter2");
  LiveWire w(tr, 1, "mailsim", "imap.example");
  imap_session(w);
  std::ostringstream out;
  CHECK(write_pcap(tr, w.lesson(1795683600), out) == segments(tr).size());
  const std::string pcap = out.str();
  CHECK(pcap.find("hunter2") == std::string::npos);
  CHECK(pcap.find("A1 LOGIN \"ana\" \"**************\"") != std::string::npos);
  Trace back;
  CaptureReport rep;
  import_capture(pcap, {}, back, rep);
  std::vector<std::string> lines;
  for (const auto& e : back.events())
    if (const auto* l = std::get_if<LineEv>(&e.p))
      lines.push_back((l->from_client ? "C: " : "S: ") + l->text);
  std::string all;
  for (const auto& l : lines) all += l + " | ";
  INFO("imported: " << all);
  // (the import masks the LOGIN password again, its quotes included)
  CHECK(lines == std::vector<std::string>{"S: * OK ready", "C: A1 LOGIN \"ana\" ****************",
                                          "S: A1 OK logged in", "C: A2 LOGOUT", "S: * BYE",
                                          "S: A2 OK bye"});
}

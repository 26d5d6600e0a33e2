// Importing packet captures: every container and link type, TCP put back in order,
// protocol lines as the simulator records them, and damaged files reported, not crashed on.
#include <doctest/doctest.h>

#include <sstream>

#include "capture_builder.hpp"
#include "sim/lesson.hpp"
#include "sim/pcap.hpp"
#include "sim/pcap_import.hpp"
#include "sim/world.hpp"

namespace {

using namespace capture_test;

struct Imported {
  sim::Trace trace;
  sim::CaptureReport report;
};

Imported import(const std::string& bytes, sim::CaptureImportOptions opt = {}) {
  Imported r;
  sim::import_capture(bytes, opt, r.trace, r.report);
  return r;
}

// "C: text" / "S: text" for every protocol line.
std::vector<std::string> lines(const sim::Trace& t) {
  std::vector<std::string> v;
  for (const auto& e : t.events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p))
      v.push_back((l->from_client ? "C: " : "S: ") + l->text);
  return v;
}

const std::vector<std::string> kSmtpLines = {"S: 220 mx.example ESMTP",
                                             "C: EHLO client.example",
                                             "S: 250-mx.example",
                                             "S: 250 PIPELINING",
                                             "C: QUIT",
                                             "S: 221 Bye"};

std::vector<std::string> conn_ops(const sim::Trace& t) {
  std::vector<std::string> v;
  for (const auto& e : t.events())
    if (const auto* c = std::get_if<sim::ConnEv>(&e.p)) v.push_back(c->op);
  return v;
}

}  // namespace

TEST_CASE("classic pcap, little-endian microseconds, Ethernet: the SMTP lines in order") {
  auto r = import(pcap(1, frames(Link::Ethernet, smtp_session())));
  INFO(r.report.summary("test.pcap"));
  REQUIRE(r.trace.size() > 0);
  CHECK(lines(r.trace) == kSmtpLines);
  CHECK(r.report.packets == 8);
  CHECK(r.report.tcp_packets == 8);
  CHECK(r.report.connections == 1);
  CHECK(r.report.skipped.empty());
  CHECK(conn_ops(r.trace) == std::vector<std::string>{"open", "established", "close"});
  // Hosts are named by address; the lines carry labels and meanings like the simulator's.
  const sim::LineEv* ehlo = nullptr;
  for (const auto& e : r.trace.events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p); l && l->text.starts_with("EHLO")) ehlo = l;
  REQUIRE(ehlo);
  CHECK(ehlo->from == "10.0.0.1");
  CHECK(ehlo->to == "10.0.0.2");
  CHECK(ehlo->proto == sim::Proto::Smtp);
  CHECK(ehlo->label == "EHLO");
  CHECK(!ehlo->meaning.empty());
  CHECK(ehlo->rfc.find("RFC 5321") == 0);
  // Times come from the capture, relative to its first packet (1 ms apart).
  CHECK(r.trace.events().back().t == 7000);
}

TEST_CASE("classic pcap, big-endian nanoseconds") {
  auto r = import(pcap(1, frames(Link::Ethernet, smtp_session()), true, true));
  REQUIRE(r.trace.size() > 0);
  CHECK(lines(r.trace) == kSmtpLines);
  CHECK(r.trace.events().back().t == 7000);
}

TEST_CASE("pcapng: enhanced packet blocks with if_tsresol, unknown blocks skipped") {
  auto r = import(pcapng(1, frames(Link::Ethernet, smtp_session())));
  REQUIRE(r.trace.size() > 0);
  CHECK(lines(r.trace) == kSmtpLines);
  CHECK(r.report.packets == 8);
  CHECK(r.report.skipped.empty());
  CHECK(r.trace.events().back().t == 7000);  // 1 ms at 10^-9 resolution
}

TEST_CASE("classic pcap: a microsecond field past one second carries over, reading goes on") {
  std::string f = pcap(1, frames(Link::Ethernet, smtp_session()));
  f[24 + 4 + 2] = '\x30';  // the first record's fraction becomes 0x300000 (3.1 s)
  auto r = import(f);
  CHECK(lines(r.trace) == kSmtpLines);
  CHECK(r.report.skipped.empty());
  // The later packets are earlier than that one: kept in file order, at its time, and said so.
  REQUIRE(r.report.details.size() == 1);
  CHECK(r.report.details[0].find("7 packets carry a capture time before") == 0);
}

TEST_CASE("pcapng: a big-endian section") {
  auto r = import(pcapng(1, frames(Link::Ethernet, smtp_session()), false, true));
  CHECK(lines(r.trace) == kSmtpLines);
  CHECK(r.report.skipped.empty());
  REQUIRE(r.trace.size() > 0);
  CHECK(r.trace.events().back().t == 7000);
}

TEST_CASE("pcapng: simple packet blocks") {
  auto r = import(pcapng(1, frames(Link::Ethernet, smtp_session()), true));
  CHECK(lines(r.trace) == kSmtpLines);
}

TEST_CASE("link types: raw IPv4, raw IPv6, Linux cooked v1 and v2, BSD loopback") {
  for (Link l : {Link::Raw, Link::Ipv6, Link::Sll, Link::Sll2, Link::Null}) {
    CAPTURE(linktype(l));
    auto r = import(pcap(linktype(l), frames(l, smtp_session())));
    CHECK(lines(r.trace) == kSmtpLines);
    CHECK(r.report.skipped.empty());
  }
  auto v6 = import(pcap(229, frames(Link::Ipv6, smtp_session())));
  const auto& first = std::get<sim::ConnEv>(v6.trace.events().front().p);
  CHECK(first.client == "2001:db8::1");
  CHECK(first.server == "2001:db8::2");
}

TEST_CASE("out-of-order and duplicate segments are put back in order, once") {
  auto segs = smtp_session();
  // The EHLO reply arrives before the greeting, the greeting twice, EHLO split in two
  // with the second half first and then the whole of it retransmitted.
  std::vector<Seg> v = {segs[0], segs[1], segs[2]};
  Seg ehlo_a = segs[4], ehlo_b = segs[4];
  ehlo_a.payload = "EHLO cli";
  ehlo_b.payload = "ent.example\r\n";
  ehlo_b.seq += 8;
  v.push_back(segs[5]);
  v.push_back(segs[3]);
  v.push_back(segs[3]);
  v.push_back(ehlo_b);
  v.push_back(ehlo_a);
  v.push_back(segs[4]);
  v.push_back(segs[6]);
  v.push_back(segs[7]);
  auto r = import(pcap(1, frames(Link::Ethernet, v)));
  CHECK(lines(r.trace) == std::vector<std::string>{"S: 220 mx.example ESMTP", "S: 250-mx.example",
                                                   "S: 250 PIPELINING", "C: EHLO client.example",
                                                   "C: QUIT", "S: 221 Bye"});
  CHECK(r.report.skipped.empty());
}

TEST_CASE("the same ports again after a close: a second connection") {
  auto segs = smtp_session();
  auto again = smtp_session();
  for (auto& s : again) s.seq += 77777;  // a new initial sequence number
  segs.insert(segs.end(), again.begin(), again.end());
  auto r = import(pcap(1, frames(Link::Ethernet, segs)));
  CHECK(r.report.connections == 2);
  CHECK(r.report.skipped.empty());
  auto l = lines(r.trace);
  REQUIRE(l.size() == 2 * kSmtpLines.size());
  CHECK(std::vector<std::string>(l.begin() + 6, l.end()) == kSmtpLines);
}

TEST_CASE("a segment never captured: the gap is reported and the stream goes on after it") {
  auto segs = smtp_session();
  segs.erase(segs.begin() + 4);  // EHLO lost
  auto r = import(pcap(1, frames(Link::Ethernet, segs)));
  CHECK(r.report.skipped.at("gap in a TCP stream") == 1);
  CHECK(r.report.details.front().find("21 bytes never captured") != std::string::npos);
  auto l = lines(r.trace);
  CHECK(std::find(l.begin(), l.end(), "C: QUIT") != l.end());
  CHECK(std::find(l.begin(), l.end(), "C: EHLO client.example") == l.end());
  bool noted = false;
  for (const auto& e : r.trace.events())
    if (const auto* n = std::get_if<sim::NoteEv>(&e.p))
      noted = noted || (n->kind == "error" && n->text.find("21 bytes") != std::string::npos);
  CHECK(noted);
}

TEST_CASE("non-TCP packets, other ports and unknown link types are counted with a reason") {
  auto f = frames(Link::Ethernet, smtp_session());
  f.push_back(std::string(12, '\x02') + std::string("\x08\x00", 2) +
              ipv4(std::string(8, '\0'), 1, 2, 17));
  f.push_back(std::string(12, '\x02') + std::string("\x08\x06", 2) + std::string(28, '\0'));  // ARP
  f.push_back(frame(Link::Ethernet, {true, 1, 0x02, ""}, 80));
  f.push_back(std::string(12, '\x02') + std::string("\x08\x00", 2) +
              std::string("\x45\x00", 2));  // cut-off IPv4 header
  auto r = import(pcap(1, f));
  CHECK(lines(r.trace) == kSmtpLines);
  CHECK(r.report.packets == 12);
  CHECK(r.report.skipped.at("non-TCP packet") == 1);
  CHECK(r.report.skipped.at("non-IP packet") == 1);
  CHECK(r.report.skipped.at("TCP on other ports") == 1);
  CHECK(r.report.skipped.at("bad IPv4 header") == 1);
  auto other = import(pcap(105, {std::string(40, '\0')}));  // 802.11
  CHECK(other.report.skipped.at("unsupported link type 105") == 1);
}

TEST_CASE("--port: a mail protocol on a port of the user's choice") {
  const auto f = pcap(1, frames(Link::Ethernet, smtp_session(), 10025));
  CHECK(lines(import(f).trace).empty());
  std::string why;
  auto m = sim::parse_port_mapping("10025=smtp", why);
  REQUIRE(m);
  sim::CaptureImportOptions opt;
  opt.ports.insert(*m);
  CHECK(lines(import(f, opt).trace) == kSmtpLines);
  CHECK_FALSE(sim::parse_port_mapping("10025", why));
  CHECK_FALSE(sim::parse_port_mapping("x=smtp", why));
  CHECK_FALSE(sim::parse_port_mapping("70000=smtp", why));
  CHECK_FALSE(sim::parse_port_mapping("25=http", why));
  CHECK(why.find("unknown protocol") != std::string::npos);
  auto imaps = sim::parse_port_mapping("10993=IMAPS", why);
  REQUIRE(imaps);
  CHECK(imaps->second.proto == sim::Proto::Imap);
  CHECK(imaps->second.tls);
}

TEST_CASE("a file that is not a capture: an error naming the offset") {
  for (const std::string& bad :
       {std::string("hello world, not a capture"), std::string("ab"),
        std::string("\xd4\xc3\xb2\xa1\x07\x00", 6) + std::string(18, '\0')}) {
    sim::Trace t;
    sim::CaptureReport rep;
    CHECK_THROWS_AS(sim::import_capture(bad, {}, t, rep), sim::CaptureError);
  }
  sim::Trace t;
  sim::CaptureReport rep;
  try {
    sim::import_capture(std::string("\xd4\xc3\xb2\xa1\x07\x00", 6) + std::string(18, '\0'), {}, t,
                        rep);
  } catch (const sim::CaptureError& e) {
    CHECK(e.offset() == 4);
    CHECK(std::string(e.what()).find("version 7") != std::string::npos);
  }
}

TEST_CASE("every prefix of a capture imports without a crash and says what was cut") {
  for (bool ng : {false, true}) {
    CAPTURE(ng);
    const std::string full = ng ? pcapng(1, frames(Link::Ethernet, smtp_session()))
                                : pcap(1, frames(Link::Ethernet, smtp_session()));
    std::size_t last_lines = 0;
    for (std::size_t n = 0; n <= full.size(); ++n) {
      sim::Trace t;
      sim::CaptureReport rep;
      try {
        sim::import_capture(std::string_view(full).substr(0, n), {}, t, rep);
      } catch (const sim::CaptureError&) {
        CHECK(n < 28);  // only a file without a whole first header is rejected
        continue;
      }
      CHECK(rep.packets <= 8);
      CHECK(rep.lines >= last_lines);  // more bytes never lose a line
      last_lines = rep.lines;
      if (n < full.size() && rep.packets < 8) {
        // Cut inside a record, or at a record boundary (then nothing is missing).
        CHECK((rep.stopped_early || rep.skipped.empty()));
      }
    }
    CHECK(last_lines == kSmtpLines.size());
  }
}

TEST_CASE("a simulated lesson exported with --pcap imports to the same protocol lines") {
  sim::World w(sim::without_tls(
      sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/smtp-basics.toml")));
  REQUIRE(w.run());
  std::ostringstream pcap_out;
  sim::write_pcap(w.trace(), w.lesson(), pcap_out);
  auto r = import(pcap_out.str());
  // The simulator's own lines of its TCP protocols, in the order they were written.
  std::map<std::uint32_t, std::vector<std::string>> want, got;
  for (const auto& e : w.trace().events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p); l && l->proto != sim::Proto::Dns)
      want[l->conn].push_back((l->from_client ? "C: " : "S: ") + l->text);
  for (const auto& e : r.trace.events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p))
      got[l->conn].push_back((l->from_client ? "C: " : "S: ") + l->text);
  CHECK(got.size() == want.size());
  for (const auto& entry : want) {
    const auto conn = entry.first;  // plain names: doctest's INFO captures them in a lambda
    const auto& w_lines = entry.second;
    CAPTURE(conn);
    const auto& g = got[conn];
    std::size_t i = 0;
    while (i < g.size() && i < w_lines.size() && g[i] == w_lines[i]) ++i;
    INFO("first difference at line " << i << ": got '" << (i < g.size() ? g[i] : "(end)")
                                     << "', want '" << (i < w_lines.size() ? w_lines[i] : "(end)")
                                     << "'");
    CHECK(g == w_lines);
  }
  CHECK(r.report.skipped.size() == 1);  // only DNS (UDP)
  CHECK(r.report.skipped.count("non-TCP packet") == 1);
  // Sampled prefixes of the real export: never a crash, never more than the whole.
  const std::string full = pcap_out.str();
  for (std::size_t n = 24; n < full.size(); n += 97) {
    sim::Trace t;
    sim::CaptureReport rep;
    sim::import_capture(std::string_view(full).substr(0, n), {}, t, rep);
    CHECK(rep.lines <= r.report.lines);
  }
}

TEST_CASE("STARTTLS: after the 220 only TLS records are named, no lines") {
  auto segs = smtp_session();
  segs.resize(4);  // handshake and greeting
  const std::uint32_t c = 1001, s = 5001 + 22;
  segs.push_back({true, c, 0x18, "STARTTLS\r\n"});
  segs.push_back({false, s, 0x18, "220 2.0.0 Ready\r\n"});
  // A TLS record holding a ClientHello (type 1, 2 bytes long), then application data.
  segs.push_back(
      {true, c + 10, 0x18, std::string("\x16\x03\x01\x00\x06\x01\x00\x00\x02\x03\x03", 11)});
  segs.push_back({true, c + 21, 0x18, std::string("\x17\x03\x03\x00\x03QUI", 8)});
  auto r = import(pcap(1, frames(Link::Ethernet, segs)));
  CHECK(lines(r.trace) ==
        std::vector<std::string>{"S: 220 mx.example ESMTP", "C: STARTTLS", "S: 220 2.0.0 Ready"});
  std::vector<std::string> tls;
  for (const auto& e : r.trace.events())
    if (const auto* t = std::get_if<sim::TlsEv>(&e.p)) tls.push_back(t->what);
  REQUIRE(tls.size() == 2);
  CHECK(tls[0] == "ClientHello");
  CHECK(tls[1].find("encrypted application data") == 0);
}

TEST_CASE("SMTP BDAT: the chunk is message data, not commands (RFC 3030)") {
  std::vector<Seg> segs = {{false, 900, 0x18, "220 mx\r\n"},
                           {true, 100, 0x18, "BDAT 12 LAST\r\nQUIT\r\nRSET\r\nQUIT\r\n"},
                           {false, 908, 0x18, "250 ok\r\n221 bye\r\n"}};
  auto r = import(pcap(1, frames(Link::Ethernet, segs)));
  CHECK(lines(r.trace) == std::vector<std::string>{"S: 220 mx", "C: BDAT 12 LAST", "C: QUIT",
                                                   "C: RSET", "C: ", "C: QUIT", "S: 250 ok",
                                                   "S: 221 bye"});
  std::vector<std::string> labels;
  for (const auto& e : r.trace.events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p); l && l->from_client)
      labels.push_back(l->label + (l->data ? "/data" : ""));
  CHECK(labels == std::vector<std::string>{"BDAT", "BDAT/data", "/data", "/data", "QUIT"});
}

TEST_CASE("implicit TLS (993): the ServerHello's version and cipher, then encrypted data") {
  // ServerHello: legacy version 1.2, random, empty session id, TLS_AES_256_GCM_SHA384,
  // no compression, supported_versions = TLS 1.3 (RFC 8446 §4.1.3, §4.2.1).
  std::string hello = std::string("\x03\x03", 2) + std::string(32, 'r') + '\0' +
                      std::string("\x13\x02\x00\x00\x06\x00\x2b\x00\x02\x03\x04", 11);
  std::string hs = std::string("\x02\x00\x00", 3) + static_cast<char>(hello.size()) + hello;
  std::string rec = std::string("\x16\x03\x03\x00", 4) + static_cast<char>(hs.size()) + hs;
  rec += std::string("\x14\x03\x03\x00\x01\x01", 6);      // ChangeCipherSpec
  rec += std::string("\x17\x03\x03\x00\x02\xab\xcd", 7);  // encrypted
  std::vector<Seg> segs = {{false, 900, 0x18, rec}};
  auto r = import(pcap(1, frames(Link::Ethernet, segs, 993)));
  std::vector<std::string> tls;
  for (const auto& e : r.trace.events())
    if (const auto* t = std::get_if<sim::TlsEv>(&e.p)) tls.push_back(t->what);
  CHECK(lines(r.trace).empty());
  CHECK(tls == std::vector<std::string>{"ServerHello", "ChangeCipherSpec",
                                        "encrypted application data (not readable)",
                                        "established TLSv1.3 TLS_AES_256_GCM_SHA384"});
}

TEST_CASE("IMAP literals and POP3 multi-line responses; passwords are masked") {
  std::string srv = "* OK ready\r\n* 1 FETCH (BODY[] {12}\r\nHi\r\nthere.\r\n FLAGS (\\Seen))\r\n";
  std::vector<Seg> imap = {{true, 100, 0x18, "a1 LOGIN ana secret1\r\n"}, {false, 900, 0x18, srv}};
  auto r = import(pcap(1, frames(Link::Ethernet, imap, 143)));
  CHECK(lines(r.trace) == std::vector<std::string>{"C: a1 LOGIN ana *******", "S: * OK ready",
                                                   "S: * 1 FETCH (BODY[] {12}", "S: Hi",
                                                   "S: there.", "S: ", "S:  FLAGS (\\Seen))"});
  std::vector<Seg> pop = {
      {false, 900, 0x18, "+OK hi\r\n"},
      {true, 100, 0x18, "USER ana\r\nPASS pw123\r\nRETR 1\r\nSTAT\r\n"},
      {false, 908, 0x18, "+OK\r\n+OK\r\n+OK 5 octets\r\nSubject: x\r\n..dot\r\n.\r\n+OK 1 5\r\n"}};
  auto p = import(pcap(1, frames(Link::Ethernet, pop, 110)));
  std::vector<bool> data;
  for (const auto& e : p.trace.events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p)) data.push_back(l->data);
  CHECK(lines(p.trace) == std::vector<std::string>{"S: +OK hi", "C: USER ana", "C: PASS *****",
                                                   "C: RETR 1", "C: STAT", "S: +OK", "S: +OK",
                                                   "S: +OK 5 octets", "S: Subject: x", "S: ..dot",
                                                   "S: .", "S: +OK 1 5"});
  CHECK(data == std::vector<bool>{false, false, false, false, false, false, false, false, true,
                                  true, true, false});
}

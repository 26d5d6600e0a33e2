#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/network.hpp"
#include "sim/trace_json.hpp"

using namespace sim;

namespace {

Trace every_kind() {
  Trace tr;
  SegmentEv seg;
  seg.link = "a<->b";
  seg.from = "a";
  seg.to = "b";
  seg.src_ip = "10.0.0.1";
  seg.dst_ip = "10.0.0.2";
  seg.sport = 49152;
  seg.dport = 25;
  seg.seq = 4000000000u;
  seg.ack = 17;
  seg.flags = tcpflag::PSH | tcpflag::ACK;
  seg.conn = 3;
  seg.arrive = 12345;
  seg.payload = std::string("EHLO a\r\n\x00\xff\xfe", 11);  // not UTF-8
  tr.append(100, seg);
  SegmentEv udp;
  udp.udp = true;
  udp.payload = "plain";
  tr.append(100, udp);
  tr.append(101, ConnEv{3, "established", "a", "b", 49152, 25, Proto::Smtp});
  tr.append(102, LineEv{3, Proto::Imap, "b", "a", false, true, "* OK ação ✓", "OK",
                        "the server is ready", "RFC 9051 §7.1"});
  tr.append(103, StateEv{"b", 3, Proto::Pop3, "server", "AUTHORIZATION", "TRANSACTION"});
  tr.append(104, MailboxEv{"b", "bruno@recipient.example", "flags", 7, 5000000000ull,
                           "From: Ana Subject: Olá", "Receipts/2026", "\\Seen \\Flagged", true});
  tr.append(105, QueueEv{"a", "Q0001", "defer", "421 try later"});
  tr.append(106, NoteEv{"", "step", std::string("bad byte \x80 here")});
  tr.append(107, TlsEv{3, "a", "b", "ClientHello", 517});
  return tr;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("JSONL round trip of every event type is exact") {
  Trace tr = every_kind();
  std::ostringstream out;
  write_jsonl(tr, out);
  const std::string text = out.str();
  std::istringstream in(text);
  auto back = read_jsonl(in);
  REQUIRE(back.size() == tr.size());
  std::ostringstream again;
  for (std::size_t i = 0; i < back.size(); ++i) {
    CHECK(back[i].t == tr.events()[i].t);
    CHECK(back[i].seq == tr.events()[i].seq);
    CHECK(back[i].p.index() == tr.events()[i].p.index());
    again << to_json_line(back[i]) << '\n';
  }
  CHECK(again.str() == text);

  const auto& seg = std::get<SegmentEv>(back[0].p);
  CHECK(seg.payload == std::string("EHLO a\r\n\x00\xff\xfe", 11));
  CHECK(seg.seq == 4000000000u);
  CHECK(back[0].seq == 0);
  CHECK(seg.flags == (tcpflag::PSH | tcpflag::ACK));
  CHECK(seg.arrive == 12345);
  CHECK(seg.link == "a<->b");
  CHECK(std::get<SegmentEv>(back[1].p).udp);
  CHECK(std::get<SegmentEv>(back[1].p).payload == "plain");
  const auto& conn = std::get<ConnEv>(back[2].p);
  CHECK(conn.proto == Proto::Smtp);
  CHECK(conn.op == "established");
  CHECK(conn.client_port == 49152);
  const auto& line = std::get<LineEv>(back[3].p);
  CHECK(line.text == "* OK ação ✓");
  CHECK_FALSE(line.from_client);
  CHECK(line.data);
  CHECK(line.proto == Proto::Imap);
  CHECK(line.rfc == "RFC 9051 §7.1");
  CHECK(std::get<StateEv>(back[4].p).to == "TRANSACTION");
  CHECK(std::get<MailboxEv>(back[5].p).size == 5000000000ull);
  CHECK(std::get<QueueEv>(back[6].p).op == "defer");
  CHECK(std::get<NoteEv>(back[7].p).text == std::string("bad byte \x80 here"));
}

TEST_CASE("JSON line shape") {
  Trace tr = every_kind();
  const std::string seg = to_json_line(tr.events()[0]);
  CHECK(seg.rfind(R"({"v":1,"t":100,"seq":0,"type":"segment",)", 0) == 0);
  CHECK(contains(seg, R"("tcp_seq":4000000000)"));
  CHECK(contains(seg, R"("flag_names":"PSH|ACK")"));
  CHECK(contains(seg, R"("payload_b64":")"));
  CHECK_FALSE(contains(seg, R"("payload":)"));
  CHECK_FALSE(contains(seg, "\n"));
  const std::string udp = to_json_line(tr.events()[1]);
  CHECK(contains(udp, R"("payload":"plain")"));
  CHECK_FALSE(contains(udp, "payload_b64"));
  const std::string line = to_json_line(tr.events()[3]);
  CHECK(contains(line, R"("type":"line")"));
  CHECK(contains(line, R"("proto":"IMAP")"));
  CHECK(contains(line, "ação"));  // UTF-8 kept as is
}

TEST_CASE("bad JSON lines throw runtime_error with a clear message") {
  auto throws = [](const std::string& s, const std::string& expect) {
    CAPTURE(s);
    try {
      from_json_line(s);
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      CHECK(contains(e.what(), "trace JSON"));
      CHECK(contains(e.what(), expect));
    }
  };
  throws("not json", "not valid JSON");
  throws("", "not valid JSON");
  throws("[1,2]", "object");
  throws(R"({"v":1,"t":0,"seq":0})", "type");
  throws(R"({"v":2,"t":0,"seq":0,"type":"note"})", "version");
  throws(R"({"t":0,"seq":0,"type":"note"})", "\"v\"");
  throws(R"({"v":1,"seq":0,"type":"note"})", "\"t\"");
  throws(R"({"v":1,"t":0,"seq":0,"type":"teleport"})", "teleport");
  throws(R"({"v":1,"t":0,"seq":0,"type":"segment","sport":"25"})", "sport");
  throws(R"({"v":1,"t":0,"seq":0,"type":"segment","sport":70000})", "out of range");
  throws(R"({"v":1,"t":0,"seq":-1,"type":"note"})", "seq");
  throws(R"({"v":1,"t":0,"seq":0,"type":"note","text":5})", "text");
  throws(R"({"v":1,"t":0,"seq":0,"type":"note","text_b64":"@@@@"})", "text_b64");
  throws(R"({"v":1,"t":0,"seq":0,"type":"line","proto":"HTTP"})", "HTTP");
  throws(R"({"v":1,"t":0,"seq":0,"type":"line","data":1})", "data");
  throws(R"({"v":1,"t":18446744073709551615,"seq":0,"type":"note"})", "out of range");

  std::istringstream in("{\"v\":1,\"t\":0,\"seq\":0,\"type\":\"note\"}\n\nbroken\n");
  try {
    read_jsonl(in);
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    CHECK(contains(e.what(), "line 3"));
  }
}

TEST_CASE("missing payload fields take defaults") {
  Event e = from_json_line(R"({"v":1,"t":5,"seq":9,"type":"line"})");
  CHECK(e.t == 5);
  CHECK(e.seq == 9);
  const auto& l = std::get<LineEv>(e.p);
  CHECK(l.from_client);
  CHECK(l.proto == Proto::None);
  CHECK(l.text.empty());
}

TEST_CASE("UTF-8 validation") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("ação ✓ 😀"));
  CHECK_FALSE(is_valid_utf8("\xc0\x80"));          // overlong NUL
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xe2\x9c"));          // truncated
  CHECK_FALSE(is_valid_utf8("\x80"));
  CHECK_FALSE(is_valid_utf8("\xff"));
}

namespace {

struct Echo : TcpApp {
  void on_data(TcpConn& c, std::string_view b) override { c.send(b); }
};
struct Hello : TcpApp {
  void on_open(TcpConn& c) override { c.send("AUTH PLAIN c2VjcmV0\r\n"); }
  void on_data(TcpConn& c, std::string_view) override { c.close(); }
};

std::string run_once(std::uint64_t seed, std::uint64_t* fp) {
  EventQueue q;
  Trace tr;
  tr.add_secret("c2VjcmV0");
  Rng rng(seed);
  Network net(q, tr, rng);
  net.add_host({"a", "10.0.0.1", "device"});
  net.add_host({"r", "10.0.0.254", "router"});
  net.add_host({"b", "10.0.0.2", "mx"});
  net.add_link("a", "r", 3 * kMillisecond);
  net.add_link("r", "b", 4 * kMillisecond);
  net.listen("b", 587, Proto::Smtp, [](TcpConn&) { return std::make_shared<Echo>(); });
  net.connect("a", "10.0.0.2", 587, Proto::Smtp, std::make_shared<Hello>());
  net.connect("a", "10.0.0.2", 9, Proto::Smtp, std::make_shared<Hello>());
  q.run();
  *fp = fingerprint(tr);
  std::ostringstream out;
  write_jsonl(tr, out);
  return out.str();
}

}  // namespace

TEST_CASE("two identical runs give the identical fingerprint") {
  std::uint64_t a = 0, b = 0, c = 0;
  const std::string ja = run_once(11, &a);
  const std::string jb = run_once(11, &b);
  run_once(12, &c);
  CHECK(ja == jb);
  CHECK(a == b);
  CHECK(a != c);  // other initial sequence numbers
  CHECK(fingerprint_hex(a).size() == 16);
  CHECK_FALSE(contains(ja, "c2VjcmV0"));  // secrets scrubbed before export
  CHECK(contains(ja, "AUTH PLAIN ********"));
  // The export reads back to the same text.
  std::istringstream in(ja);
  std::string again;
  for (const auto& e : read_jsonl(in)) again += to_json_line(e) + "\n";
  CHECK(again == ja);
}

TEST_CASE("fingerprint is FNV-1a 64 over the JSONL text") {
  Trace empty;
  CHECK(fingerprint(empty) == 0xcbf29ce484222325ULL);
  CHECK(fingerprint_hex(0xcbf29ce484222325ULL) == "cbf29ce484222325");
  Trace one;
  one.append(0, NoteEv{"", "info", "x"});
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : to_json_line(one.events()[0]) + "\n") {
    h ^= ch;
    h *= 0x100000001b3ULL;
  }
  CHECK(fingerprint(one) == h);
}

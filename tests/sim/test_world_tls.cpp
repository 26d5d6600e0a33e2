// TLS in the simulated world: STARTTLS and implicit TLS on submission, STLS / STARTTLS and
// implicit TLS (995 / 993) for POP3 and IMAP devices, opportunistic TLS between servers,
// refused certificates, plaintext on purpose, reproducible ciphertext.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "net/message/message.hpp"
#include "sim/device.hpp"
#include "sim/engine_trace.hpp"
#include "sim/lesson.hpp"
#include "sim/mail_server.hpp"
#include "sim/trace_json.hpp"
#include "sim/world.hpp"

namespace {

// Ana (pc) submits to smtp.a.example, which relays to mx.b.example. `device` and `servers`
// are inserted into the device's and both servers' [[host]] tables.
std::string lesson(const std::string& device = "", const std::string& mx = "",
                   const std::string& smtp = "", const std::string& more_steps = "") {
  return R"([lesson]
id = "tls"
title = "TLS test"

[[host]]
name = "pc.a.example"
ip = "10.1.0.2"
role = "device"
account = "ana@a.example"
server = "smtp.a.example"
)" + device +
         R"(
[[host]]
name = "smtp.a.example"
ip = "10.1.0.25"
role = "server"
domain = "a.example"
)" + smtp +
         R"(
[[host]]
name = "ns"
ip = "10.9.0.53"
role = "dns"

[[host]]
name = "mx.b.example"
ip = "10.2.0.25"
role = "server"
domain = "b.example"
)" + mx + R"(
[[link]]
a = "pc.a.example"
b = "smtp.a.example"

[[link]]
a = "smtp.a.example"
b = "ns"

[[link]]
a = "smtp.a.example"
b = "mx.b.example"

[[account]]
address = "ana@a.example"
password = "ana-pw"

[[account]]
address = "bruno@b.example"
password = "bruno-pw"

[[step]]
action = "send"
device = "pc.a.example"
to = "bruno@b.example"
subject = "Secret plans"
body = "Meet at noon."
)" + more_steps;
}

// Ana sends herself a message, then her device (POP3 or IMAP) downloads it.
std::string reader(const std::string& device, const std::string& smtp = "") {
  std::string text = lesson(device, "", smtp, R"(
[[step]]
action = "send"
device = "pc.a.example"
to = "ana@a.example"
subject = "Note to self"
body = "The safe code is 4711."

[[step]]
action = "wait"
seconds = 30

[[step]]
action = "check"
device = "pc.a.example"
)");
  return text;
}

struct Run {
  sim::World w;
  explicit Run(const std::string& text) : w(sim::parse_lesson(text, "tls.toml")) { w.run(); }
  std::size_t delivered() {
    const auto* m = w.server("mx.b.example")->store().messages("bruno@b.example");
    return m ? m->size() : 0;
  }
  // Payload bytes of every segment on a link (to or from `port` when given), concatenated.
  std::string wire(const std::string& link, std::uint16_t port = 0) const {
    std::string out;
    for (const auto& e : w.trace().events())
      if (const auto* s = std::get_if<sim::SegmentEv>(&e.p))
        if (s->link == link && (!port || s->sport == port || s->dport == port)) out += s->payload;
    return out;
  }
  bool tls_event(const std::string& prefix) const {
    for (const auto& e : w.trace().events())
      if (const auto* t = std::get_if<sim::TlsEv>(&e.p))
        if (t->what.rfind(prefix, 0) == 0) return true;
    return false;
  }
  bool line(const std::string& prefix) const {
    for (const auto& e : w.trace().events())
      if (const auto* l = std::get_if<sim::LineEv>(&e.p))
        if (l->text.rfind(prefix, 0) == 0) return true;
    return false;
  }
  bool note(const std::string& part) const {
    for (const auto& e : w.trace().events())
      if (const auto* n = std::get_if<sim::NoteEv>(&e.p))
        if (n->text.find(part) != std::string::npos) return true;
    return false;
  }
};

const char* kPcLink = "pc.a.example<->smtp.a.example";
const char* kRelayLink = "smtp.a.example<->mx.b.example";

bool connected_to(const Run& r, std::uint16_t port) {
  for (const auto& e : r.w.trace().events())
    if (const auto* c = std::get_if<sim::ConnEv>(&e.p))
      if (c->server_port == port) return true;
  return false;
}

// What the device downloaded (POP3: its local store; IMAP: also what it saw on the server).
bool device_has(Run& r, const std::string& subject) {
  for (const auto& m : r.w.device("pc.a.example")->store().messages())
    if (m.subject == subject) return true;
  return false;
}

}  // namespace

TEST_CASE("by default submission uses STARTTLS and the wire shows no secrets") {
  Run r(lesson());
  CHECK(r.delivered() == 1);
  CHECK(r.line("STARTTLS"));
  CHECK(r.line("220 2.0.0 Ready to start TLS"));
  CHECK(r.tls_event("ClientHello"));
  CHECK(r.tls_event("Certificate"));
  CHECK(r.tls_event("established TLSv1.3"));
  CHECK(r.line("AUTH PLAIN "));    // the endpoints' view: plaintext lines
  CHECK(r.line("A3 LOGIN ana "));  // the copy for Sent, over IMAP after STARTTLS
  // The whole device link: SMTP submission and the IMAP APPEND to Sent.
  const std::string wire = r.wire(kPcLink);
  CHECK(wire.find("STARTTLS") != std::string::npos);    // before TLS: readable
  CHECK(wire.find("AUTH PLAIN") == std::string::npos);  // after: ciphertext only
  CHECK(wire.find("LOGIN ana") == std::string::npos);
  CHECK(wire.find("ana-pw") == std::string::npos);
  CHECK(wire.find("APPEND") == std::string::npos);
  CHECK(wire.find("Secret plans") == std::string::npos);
  CHECK(wire.find("Meet at noon") == std::string::npos);
  CHECK(wire.find("smtp.a.example") != std::string::npos);  // greeting, and SNI
  CHECK(r.w.server("smtp.a.example")->store().folder("ana@a.example", "Sent")->messages.size() ==
        1);
  // The relay on 25 ran STARTTLS too (opportunistic), so the message is hidden there as well.
  CHECK(r.wire(kRelayLink).find("Meet at noon") == std::string::npos);
}

TEST_CASE("implicit TLS on 465: no STARTTLS, encrypted from the first byte") {
  Run r(lesson("security = \"tls\"\n"));
  CHECK(r.delivered() == 1);
  const std::string wire = r.wire(kPcLink, 465);
  CHECK(!wire.empty());
  CHECK(wire.find("STARTTLS") == std::string::npos);
  CHECK(wire.find("220 smtp.a.example") == std::string::npos);  // even the greeting
  bool port465 = false;
  for (const auto& e : r.w.trace().events())
    if (const auto* c = std::get_if<sim::ConnEv>(&e.p)) port465 |= c->server_port == 465;
  CHECK(port465);
}

TEST_CASE("a self-signed server certificate is refused and nothing is sent") {
  Run r(lesson("", "", "self_signed = true\n"));
  CHECK(r.delivered() == 0);
  CHECK(r.tls_event("failed: certificate verification failed: self-signed certificate"));
  CHECK(r.tls_event("Alert: "));
  CHECK_FALSE(r.line("AUTH PLAIN"));
  CHECK(r.note("sending failed: TLS failed: certificate verification failed"));
}

TEST_CASE("a device without TLS cannot log in to a server that requires it") {
  Run r(lesson("security = \"none\"\n"));
  CHECK(r.delivered() == 0);
  CHECK(r.note("the server does not offer AUTH"));
}

TEST_CASE("plaintext on purpose: the password crosses the link readable") {
  Run r(lesson("security = \"none\"\n", "", "plaintext_auth = true\n"));
  CHECK(r.delivered() == 1);
  const std::string wire = r.wire(kPcLink);
  CHECK(wire.find("AUTH PLAIN ") != std::string::npos);
  CHECK(wire.find("Secret plans") != std::string::npos);
}

TEST_CASE("a recipient server without TLS still gets the mail (opportunistic STARTTLS)") {
  Run r(lesson("", "tls = false\n"));
  CHECK(r.delivered() == 1);
  CHECK(r.wire(kRelayLink).find("Meet at noon.") != std::string::npos);
  const auto* m = r.w.server("mx.b.example")->store().messages("bruno@b.example");
  REQUIRE(m);
  auto received = net::message::Message::parse(m->front().data).get_all("Received");
  REQUIRE(received.size() == 2);
  CHECK(received[0].find("by mx.b.example with ESMTP id") != std::string::npos);
  CHECK(received[1].find("by smtp.a.example with ESMTPSA id") != std::string::npos);
}

TEST_CASE("the same seed gives the same ciphertext") {
  Run a(lesson()), b(lesson());
  CHECK(sim::fingerprint(a.w.trace()) == sim::fingerprint(b.w.trace()));
  auto text = lesson();
  text.replace(text.find("title = \"TLS test\""), 0, "seed = 9\n");
  Run c(text);
  CHECK(sim::fingerprint(a.w.trace()) != sim::fingerprint(c.w.trace()));
}

TEST_CASE("lesson keys for TLS are checked") {
  CHECK_THROWS_WITH_AS(sim::parse_lesson(lesson("security = \"maybe\"\n"), "x.toml"),
                       doctest::Contains("unknown security 'maybe'"), sim::LessonError);
  CHECK_THROWS_WITH_AS(sim::parse_lesson(lesson("tls = false\n"), "x.toml"),
                       doctest::Contains("'tls' is only for servers"), sim::LessonError);
}

TEST_CASE("POP3 device with STLS on 110: the password and the mail cross encrypted") {
  Run r(reader("protocol = \"pop3\"\n"));
  CHECK(r.line("STLS"));
  CHECK(r.line("+OK Begin TLS negotiation"));
  CHECK(r.line("USER ana"));  // the endpoints' view
  CHECK(device_has(r, "Note to self"));
  CHECK(connected_to(r, 110));
  const std::string wire = r.wire(kPcLink, 110);
  CHECK(wire.find("STLS") != std::string::npos);  // before TLS: readable
  CHECK(wire.find("USER") == std::string::npos);
  CHECK(wire.find("PASS") == std::string::npos);
  CHECK(wire.find("ana-pw") == std::string::npos);
  CHECK(wire.find("safe code") == std::string::npos);
  CHECK(r.wire(kPcLink).find("ana-pw") == std::string::npos);  // nowhere on the device link
}

TEST_CASE("IMAP device with STARTTLS on 143: LOGIN only after TLS") {
  Run r(reader(""));
  CHECK(r.line("A1 STARTTLS"));
  CHECK(r.line("A1 OK Begin TLS negotiation now"));
  CHECK(device_has(r, "Note to self"));
  const std::string wire = r.wire(kPcLink, 143);
  CHECK(wire.find("STARTTLS") != std::string::npos);
  CHECK(wire.find("LOGINDISABLED") != std::string::npos);  // the greeting, before TLS
  CHECK(wire.find("LOGIN ana") == std::string::npos);
  CHECK(wire.find("ana-pw") == std::string::npos);
  CHECK(wire.find("Note to self") == std::string::npos);
  CHECK(wire.find("safe code") == std::string::npos);
}

TEST_CASE("implicit TLS: POP3 on 995 and IMAP on 993, encrypted from the first byte") {
  for (const char* proto : {"pop3", "imap"}) {
    CAPTURE(proto);
    Run r(reader(std::string("security = \"tls\"\nprotocol = \"") + proto + "\"\n"));
    const std::uint16_t port = std::string(proto) == "pop3" ? 995 : 993;
    CHECK(connected_to(r, port));
    CHECK_FALSE(connected_to(r, std::string(proto) == "pop3" ? 110 : 143));
    CHECK(device_has(r, "Note to self"));
    CHECK_FALSE(r.line("STLS"));
    CHECK_FALSE(r.line("A1 STARTTLS"));
    const std::string wire = r.wire(kPcLink, port);
    CHECK(!wire.empty());
    CHECK(wire.find("+OK") == std::string::npos);  // not even the greeting
    CHECK(wire.find("* OK") == std::string::npos);
    CHECK(r.wire(kPcLink).find("ana-pw") == std::string::npos);
  }
}

TEST_CASE("POP3 and IMAP devices refuse a self-signed certificate and send no password") {
  for (const char* proto : {"pop3", "imap"}) {
    for (const char* security : {"starttls", "tls"}) {
      CAPTURE(proto);
      CAPTURE(security);
      Run r(reader(std::string("protocol = \"") + proto + "\"\nsecurity = \"" + security + "\"\n",
                   "self_signed = true\n"));
      CHECK(r.tls_event("failed: certificate verification failed: self-signed certificate"));
      CHECK_FALSE(device_has(r, "Note to self"));
      CHECK_FALSE(r.line("USER ana"));
      CHECK_FALSE(r.line("PASS"));
      CHECK_FALSE(r.line("A3 LOGIN"));
      CHECK(r.note(std::string(proto) == "pop3" ? "checking mail failed: TLS failed: certificate"
                                                : "IMAP session failed: TLS failed: certificate"));
      CHECK(r.wire(kPcLink).find("ana-pw") == std::string::npos);
    }
  }
}

TEST_CASE("POP3 and IMAP devices without TLS cannot log in to a server that requires it") {
  for (const char* proto : {"pop3", "imap"}) {
    CAPTURE(proto);
    Run r(reader(std::string("protocol = \"") + proto + "\"\nsecurity = \"none\"\n"));
    CHECK_FALSE(device_has(r, "Note to self"));
    CHECK(r.wire(kPcLink).find("ana-pw") == std::string::npos);
    if (std::string(proto) == "pop3") {
      CHECK(r.line("-ERR [AUTH] Plaintext authentication disallowed"));
      CHECK(r.note("checking mail failed"));
    } else {
      CHECK(r.note("LOGINDISABLED"));
    }
  }
}

TEST_CASE("POP3 and IMAP in plaintext on purpose: the password crosses the link readable") {
  for (const char* proto : {"pop3", "imap"}) {
    CAPTURE(proto);
    Run r(reader(std::string("protocol = \"") + proto + "\"\nsecurity = \"none\"\n",
                 "plaintext_auth = true\n"));
    CHECK(device_has(r, "Note to self"));
    const std::string wire = r.wire(kPcLink, std::string(proto) == "pop3" ? 110 : 143);
    // The trace redacts the password itself; the command carrying it is readable.
    CHECK(wire.find(std::string(proto) == "pop3" ? "PASS " : "LOGIN ana ") != std::string::npos);
    CHECK(wire.find("safe code") != std::string::npos);
  }
}

TEST_CASE("a mistyped password: 535 on submission, the typo masked in the trace") {
  std::string text = lesson();
  text.replace(text.find("subject = \"Secret plans\""), 0, "password = \"anna-pw\"\n");
  Run r(text);
  CHECK(r.delivered() == 0);
  CHECK(r.line("535 5.7.8"));
  CHECK(r.note("sending failed"));
  for (const auto& e : r.w.trace().events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p))
      CHECK(l->text.find("anna-pw") == std::string::npos);
}

namespace {

// Per TLS connection, in order of connection id: the server port, whether the server sent
// its Certificate, and whether the client noted a resumed session.
struct TlsConn {
  std::uint16_t port = 0;
  bool certificate = false, resumed = false;
};
std::map<std::uint32_t, TlsConn> tls_connections(const sim::Trace& trace) {
  std::map<std::uint32_t, std::uint16_t> ports;
  std::map<std::uint32_t, TlsConn> out;
  for (const auto& e : trace.events()) {
    if (const auto* c = std::get_if<sim::ConnEv>(&e.p)) ports[c->conn] = c->server_port;
    if (const auto* t = std::get_if<sim::TlsEv>(&e.p)) {
      auto& tc = out[t->conn];
      tc.port = ports[t->conn];
      if (t->what == "Certificate") tc.certificate = true;
      if (t->what == sim::kTlsResumedNote) tc.resumed = true;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("a device's next connection to the same service resumes its TLS session") {
  // Two submissions and two IMAP checks from one IMAP device; the server relays once.
  std::string text = reader("", "");
  text += R"(
[[step]]
action = "check"
device = "pc.a.example"
)";
  Run r(text);
  std::vector<std::pair<std::uint16_t, bool>> seen;  // port, resumed
  for (const auto& entry : tls_connections(r.w.trace())) {
    const std::uint32_t conn = entry.first;
    const TlsConn& tc = entry.second;
    CAPTURE(conn);
    CHECK(tc.certificate != tc.resumed);  // a resumed handshake sends no certificate
    seen.emplace_back(tc.port, tc.resumed);
  }
  // The first submission, the relay and the first IMAP session (the app saving the sent
  // message with APPEND) are full handshakes; every later one to the same service resumes.
  const std::vector<std::pair<std::uint16_t, bool>> want = {
      {587, false}, {25, false}, {143, false}, {587, true}, {143, true}, {143, true}, {143, true}};
  std::string got;
  for (const auto& [port, resumed] : seen) got += std::to_string(port) + (resumed ? "r " : " ");
  CAPTURE(got);
  CHECK(seen == want);
  CHECK(device_has(r, "Note to self"));
  // Reproducible: the tickets and the resumed ClientHellos carry nothing from the wall clock.
  Run again(text);
  CHECK(sim::fingerprint(r.w.trace()) == sim::fingerprint(again.w.trace()));
}

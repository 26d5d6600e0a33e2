// TLS in the simulated world: STARTTLS and implicit TLS on submission, opportunistic TLS
// between servers, refused certificates, plaintext on purpose, reproducible ciphertext.
#include <doctest/doctest.h>

#include <string>

#include "net/message/message.hpp"
#include "sim/lesson.hpp"
#include "sim/mail_server.hpp"
#include "sim/trace_json.hpp"
#include "sim/world.hpp"

namespace {

// Ana (pc) submits to smtp.a.example, which relays to mx.b.example. `device` and `servers`
// are inserted into the device's and both servers' [[host]] tables.
std::string lesson(const std::string& device = "", const std::string& mx = "",
                   const std::string& smtp = "") {
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
)";
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

}  // namespace

TEST_CASE("by default submission uses STARTTLS and the wire shows no secrets") {
  Run r(lesson());
  CHECK(r.delivered() == 1);
  CHECK(r.line("STARTTLS"));
  CHECK(r.line("220 2.0.0 Ready to start TLS"));
  CHECK(r.tls_event("ClientHello"));
  CHECK(r.tls_event("Certificate"));
  CHECK(r.tls_event("established TLSv1.3"));
  CHECK(r.line("AUTH PLAIN "));  // the endpoints' view: plaintext lines
  const std::string wire = r.wire(kPcLink, 587);
  CHECK(wire.find("STARTTLS") != std::string::npos);    // before TLS: readable
  CHECK(wire.find("AUTH PLAIN") == std::string::npos);  // after: ciphertext only
  CHECK(wire.find("Secret plans") == std::string::npos);
  CHECK(wire.find("smtp.a.example") != std::string::npos);  // greeting, and SNI
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

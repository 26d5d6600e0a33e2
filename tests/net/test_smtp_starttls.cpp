// STARTTLS in the SMTP server engine (RFC 3207): offered, refused, the session restarting
// after the handshake, AUTH held back until TLS, and the injection rule of §4.2.
#include <doctest/doctest.h>

#include "smtp_test_util.hpp"

using testutil::ServerRig;

namespace {

net::smtp::ServerConfig submission_tls() {
  net::smtp::ServerConfig c;
  c.hostname = "smtp.sender.example";
  c.submission = true;
  c.starttls = true;
  c.auth_needs_tls = true;
  return c;
}

}  // namespace

TEST_CASE("STARTTLS is offered before TLS and AUTH only after it") {
  ServerRig rig(submission_tls());
  std::string ehlo = rig.send("EHLO laptop\r\n");
  CHECK(ehlo.find("250-STARTTLS\r\n") != std::string::npos);
  CHECK(ehlo.find("AUTH") == std::string::npos);
  CHECK(rig.send("AUTH PLAIN AGFuYQBzM2NyZXQh\r\n") ==
        "538 5.7.11 Encryption required for requested authentication mechanism\r\n");
  CHECK(rig.send("MAIL FROM:<ana@sender.example>\r\n") ==
        "530 5.7.0 Must issue a STARTTLS command first\r\n");
  CHECK(rig.send("STARTTLS\r\n") == "220 2.0.0 Ready to start TLS\r\n");
  CHECK(rig.server.wants_tls());
  CHECK(rig.server.state() == net::smtp::ServerState::Tls);
  rig.server.on_tls_established();
  CHECK_FALSE(rig.server.wants_tls());
  CHECK(rig.server.envelope().tls);
  CHECK(rig.server.state() == net::smtp::ServerState::Connected);
  // The session starts over: EHLO again, now with AUTH and without STARTTLS.
  std::string again = rig.send("EHLO laptop\r\n");
  CHECK(again.find("STARTTLS") == std::string::npos);
  CHECK(again.find("250-AUTH PLAIN LOGIN\r\n") != std::string::npos);
  CHECK(rig.send("AUTH PLAIN AGFuYQBzM2NyZXQh\r\n").rfind("235 ", 0) == 0);
  CHECK(rig.send("MAIL FROM:<ana@sender.example>\r\n").rfind("250 ", 0) == 0);
}

TEST_CASE("commands pipelined after STARTTLS are discarded, not run under TLS") {
  ServerRig rig(submission_tls());
  rig.send("EHLO laptop\r\n");
  // One burst, as an attacker in the middle would inject it (CVE-2011-0411).
  std::string out = rig.send("STARTTLS\r\nRSET\r\nMAIL FROM:<evil@example>\r\n");
  CHECK(out == "220 2.0.0 Ready to start TLS\r\n");
  auto events = rig.server.take_events();
  bool reported = false;
  for (const auto& e : events)
    if (const auto* l = std::get_if<net::LineEvent>(&e))
      reported |= !l->sent && l->text == "RSET" && l->rfc == "RFC 3207 §4.2";
  CHECK(reported);
  // Bytes arriving before the handshake finished are not commands either.
  CHECK(rig.send("QUIT\r\n").empty());
  rig.server.on_tls_established();
  CHECK(rig.send("NOOP\r\n") == "250 2.0.0 Ok\r\n");  // nothing replayed: only NOOP's reply
}

TEST_CASE("STARTTLS refusals") {
  SUBCASE("not offered") {
    ServerRig rig;
    rig.send("EHLO laptop\r\n");
    CHECK(rig.send("STARTTLS\r\n") == "502 5.5.1 Error: command not implemented\r\n");
  }
  SUBCASE("with a parameter") {
    ServerRig rig(submission_tls());
    rig.send("EHLO laptop\r\n");
    CHECK(rig.send("STARTTLS now\r\n") == "501 5.5.4 Syntax: STARTTLS (no parameters allowed)\r\n");
  }
  SUBCASE("before EHLO") {
    ServerRig rig(submission_tls());
    CHECK(rig.send("STARTTLS\r\n").rfind("503 5.5.1", 0) == 0);
  }
  SUBCASE("twice") {
    ServerRig rig(submission_tls());
    rig.send("EHLO laptop\r\n");
    rig.send("STARTTLS\r\n");
    rig.server.on_tls_established();
    rig.send("EHLO laptop\r\n");
    CHECK(rig.send("STARTTLS\r\n") == "503 5.5.1 Error: TLS already active\r\n");
  }
}

TEST_CASE("implicit TLS (465): AUTH at once, no STARTTLS") {
  auto cfg = submission_tls();
  cfg.tls = true;
  ServerRig rig(cfg);
  std::string ehlo = rig.send("EHLO laptop\r\n", true);
  CHECK(ehlo.find("STARTTLS") == std::string::npos);
  CHECK(ehlo.find("AUTH PLAIN LOGIN") != std::string::npos);
  CHECK(rig.server.envelope().tls);
}

TEST_CASE("a lesson may allow plaintext AUTH on purpose") {
  auto cfg = submission_tls();
  cfg.auth_needs_tls = false;
  ServerRig rig(cfg);
  std::string ehlo = rig.send("EHLO laptop\r\n");
  CHECK(ehlo.find("250-STARTTLS") != std::string::npos);
  CHECK(ehlo.find("AUTH PLAIN LOGIN") != std::string::npos);
  CHECK(rig.send("AUTH PLAIN AGFuYQBzM2NyZXQh\r\n").rfind("235 ", 0) == 0);
}

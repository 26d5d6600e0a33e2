// The SMTP client's STARTTLS policy (RFC 3207) against the real server engine. The
// handshake itself is the driver's (tested with real TLS in tests/sim/test_world_tls.cpp);
// here both engines are told it succeeded or failed.
#include <doctest/doctest.h>

#include <string>

#include "net/smtp/client.hpp"
#include "smtp_test_util.hpp"

using namespace net::smtp;
using testutil::ServerRig;

namespace {

ServerConfig tls_server(bool offer = true) {
  ServerConfig c;
  c.hostname = "smtp.sender.example";
  c.submission = true;
  c.starttls = offer;
  c.auth_needs_tls = offer;
  c.offer_auth = true;
  return c;
}

ClientJob job(TlsMode mode) {
  ClientJob j;
  j.helo_name = "laptop";
  j.tls = mode;
  j.auth = Credentials{"ana", "s3cret!"};
  j.mail_from = "ana@sender.example";
  j.rcpt_to = {"bob@recipient.example"};
  j.message = "Subject: hi\r\n\r\nhello\r\n";
  return j;
}

// Runs both engines; `handshake` decides whether the (pretend) TLS handshake succeeds.
// Returns the client→server plaintext commands, one per line.
std::string run(ServerRig& rig, Client& c, bool handshake = true) {
  std::string commands;
  std::string from_server = "220 smtp.sender.example ESMTP mailsim\r\n";
  for (int round = 0; round < 50 && !c.done(); ++round) {
    c.feed(from_server);
    from_server.clear();
    if (c.wants_tls() && rig.server.wants_tls()) {
      if (!handshake) {
        c.on_tls_failed("certificate verification failed: self-signed certificate");
        break;
      }
      rig.server.on_tls_established();
      c.on_tls_established();
    }
    std::string out = c.take_output();
    commands += out;
    if (!out.empty()) from_server = rig.send(out);
    if (out.empty() && from_server.empty()) break;
  }
  return commands;
}

}  // namespace

TEST_CASE("Required: STARTTLS, EHLO again, then AUTH and the message") {
  ServerRig rig(tls_server());
  Client c(job(TlsMode::Required));
  std::string cmds = run(rig, c);
  CHECK(c.done());
  CHECK(c.outcome().delivered);
  CHECK(c.tls_active());
  auto first_ehlo = cmds.find("EHLO laptop\r\n");
  auto starttls = cmds.find("STARTTLS\r\n");
  auto second_ehlo = cmds.find("EHLO laptop\r\n", first_ehlo + 1);
  auto auth = cmds.find("AUTH PLAIN ");
  REQUIRE(starttls != std::string::npos);
  CHECK(first_ehlo < starttls);
  CHECK(starttls < second_ehlo);
  CHECK(second_ehlo < auth);
  CHECK(rig.stored("bob@recipient.example") == 1);
}

TEST_CASE("Required against a server without STARTTLS: gives up before any password") {
  ServerRig rig(tls_server(false));
  Client c(job(TlsMode::Required));
  std::string cmds = run(rig, c);
  CHECK(c.done());
  CHECK_FALSE(c.outcome().delivered);
  CHECK_FALSE(c.outcome().temporary);
  CHECK(c.outcome().error.find("does not offer STARTTLS") != std::string::npos);
  CHECK(cmds.find("AUTH") == std::string::npos);
  CHECK(cmds.find("QUIT") != std::string::npos);
}

TEST_CASE("Opportunistic without STARTTLS on offer: goes ahead in plaintext") {
  ServerConfig cfg;
  cfg.hostname = "mx.recipient.example";
  ServerRig rig(cfg);
  ClientJob j = job(TlsMode::Opportunistic);
  j.auth.reset();
  Client c(j);
  std::string cmds = run(rig, c);
  CHECK(c.outcome().delivered);
  CHECK_FALSE(c.tls_active());
  CHECK(cmds.find("STARTTLS") == std::string::npos);
}

TEST_CASE("Opportunistic with STARTTLS on offer: uses it") {
  ServerConfig cfg;
  cfg.hostname = "mx.recipient.example";
  cfg.starttls = true;
  ServerRig rig(cfg);
  ClientJob j = job(TlsMode::Opportunistic);
  j.auth.reset();
  Client c(j);
  std::string cmds = run(rig, c);
  CHECK(c.outcome().delivered);
  CHECK(c.tls_active());
  CHECK(rig.server.envelope().tls);
}

TEST_CASE("a failed handshake ends the session without QUIT and without a password") {
  ServerRig rig(tls_server());
  Client c(job(TlsMode::Required));
  std::string cmds = run(rig, c, false);
  CHECK(c.done());
  CHECK_FALSE(c.outcome().delivered);
  CHECK(c.outcome().error ==
        "TLS failed: certificate verification failed: self-signed certificate");
  CHECK(cmds.find("AUTH") == std::string::npos);
  CHECK(c.take_output().empty());
}

TEST_CASE("None ignores STARTTLS; Implicit never sends it") {
  ServerConfig cfg = tls_server();
  cfg.auth_needs_tls = false;
  ServerRig rig(cfg);
  Client plain(job(TlsMode::None));
  CHECK(run(rig, plain).find("STARTTLS") == std::string::npos);
  CHECK(plain.outcome().delivered);

  ServerConfig implicit = tls_server();
  implicit.tls = true;
  ServerRig rig2(implicit);
  Client c(job(TlsMode::Implicit));
  CHECK(c.tls_active());
  CHECK(run(rig2, c).find("STARTTLS") == std::string::npos);
  CHECK(c.outcome().delivered);
}

TEST_CASE("a 454 answer to STARTTLS: Required fails, temporary") {
  // A scripted server: offers STARTTLS, then cannot start it.
  Client c(job(TlsMode::Required));
  c.feed("220 x ESMTP\r\n");
  c.take_output();
  c.feed("250-x\r\n250 STARTTLS\r\n");
  CHECK(c.take_output() == "STARTTLS\r\n");
  c.feed("454 4.7.0 TLS not available due to temporary reason\r\n");
  CHECK(c.outcome().error.find("refused STARTTLS: 454") != std::string::npos);
  CHECK(c.outcome().temporary);
  CHECK(c.take_output() == "QUIT\r\n");
}

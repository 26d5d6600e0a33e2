// STLS in the POP3 engines (RFC 2595 §4, RFC 8314): the server offering it, refusing it in
// the wrong state, with arguments or twice, holding logins back until TLS, discarding input
// pipelined after STLS; the client's TLS modes against scripted servers and against the
// real server engine (the handshake itself is the driver's, tested in
// tests/sim/test_world_tls.cpp; here both engines are told it succeeded or failed).
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "net/pop3/client.hpp"
#include "pop3_test_util.hpp"

using namespace net::pop3;
using pop3test::Rig;

namespace {

ServerConfig tls_config(bool starttls = true, bool needs_tls = true) {
  ServerConfig c = pop3test::config();
  c.starttls = starttls;
  c.auth_needs_tls = needs_tls;
  return c;
}

bool has_line(const std::string& out, const std::string& line) {
  return out.find("\r\n" + line + "\r\n") != std::string::npos;
}

const std::string kRefusal =
    "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n";

}  // namespace

TEST_SUITE("pop3_stls_server") {
  TEST_CASE("CAPA lists STLS and no login method before TLS, the logins after it") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig(bw, tls_config());
      std::string capa = rig.send("CAPA\r\n");
      CHECK(has_line(capa, "STLS"));
      CHECK_FALSE(has_line(capa, "USER"));
      CHECK_FALSE(has_line(capa, "SASL PLAIN"));
      CHECK(has_line(capa, "UIDL"));
      CHECK(rig.send("STLS\r\n") == "+OK Begin TLS negotiation\r\n");
      CHECK(rig.server.wants_tls());
      CHECK_FALSE(rig.server.tls_active());
      rig.server.on_tls_established();
      CHECK_FALSE(rig.server.wants_tls());
      CHECK(rig.server.tls_active());
      capa = rig.send("CAPA\r\n");
      CHECK_FALSE(has_line(capa, "STLS"));
      CHECK(has_line(capa, "USER"));
      CHECK(has_line(capa, "SASL PLAIN"));
      CHECK(rig.login().rfind("+OK Send PASS\r\n+OK Logged in", 0) == 0);
      CHECK(rig.server.state() == ServerState::Transaction);
    }
  }

  TEST_CASE("without auth_needs_tls CAPA lists STLS and the logins together") {
    Rig rig(false, tls_config(true, false));
    std::string capa = rig.send("CAPA\r\n");
    CHECK(has_line(capa, "STLS"));
    CHECK(has_line(capa, "USER"));
    CHECK(rig.login().find("+OK Logged in") != std::string::npos);  // plaintext allowed
    CHECK_FALSE(has_line(rig.send("CAPA\r\n"), "STLS"));            // only before login
  }

  TEST_CASE("a server without TLS lists no STLS") {
    Rig rig(false, pop3test::config());
    std::string capa = rig.send("CAPA\r\n");
    CHECK_FALSE(has_line(capa, "STLS"));
    CHECK(has_line(capa, "USER"));
  }

  TEST_CASE("every login before TLS is refused with [AUTH]") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig(bw, tls_config());
      CHECK(rig.send("USER bob\r\n") == kRefusal);
      CHECK(rig.send("PASS bobpw\r\n") == kRefusal);
      CHECK(rig.send("APOP bob c4c9334bac560ecc979e58001b3e22fb\r\n") == kRefusal);
      CHECK(rig.send("AUTH PLAIN AGJvYgBib2Jwdw==\r\n") == kRefusal);
      CHECK(rig.send("AUTH\r\n") == kRefusal);
      CHECK(rig.server.state() == ServerState::Authorization);
    }
  }

  TEST_CASE("implicit TLS (995): logins at once, no STLS") {
    ServerConfig c = tls_config(false, true);
    c.tls = true;
    Rig rig(false, c);
    CHECK(rig.server.tls_active());
    std::string capa = rig.send("CAPA\r\n");
    CHECK_FALSE(has_line(capa, "STLS"));
    CHECK(has_line(capa, "USER"));
    CHECK(rig.send("STLS\r\n") == "-ERR Command not permitted when TLS active\r\n");
    CHECK(rig.login().find("+OK Logged in") != std::string::npos);
  }

  TEST_CASE("STLS refusals") {
    SUBCASE("not offered") {
      Rig rig(false, pop3test::config());
      CHECK(rig.send("STLS\r\n").rfind("-ERR STLS not available", 0) == 0);
      CHECK_FALSE(rig.server.wants_tls());
    }
    SUBCASE("with an argument") {
      Rig rig(false, tls_config());
      CHECK(rig.send("STLS now\r\n") == "-ERR Syntax: STLS (no arguments)\r\n");
      CHECK_FALSE(rig.server.wants_tls());
    }
    SUBCASE("twice") {
      Rig rig(false, tls_config());
      rig.send("STLS\r\n");
      rig.server.on_tls_established();
      CHECK(rig.send("STLS\r\n") == "-ERR Command not permitted when TLS active\r\n");
    }
    SUBCASE("after login (TRANSACTION state)") {
      Rig rig(false, tls_config(true, false));
      rig.login();
      CHECK(rig.send("STLS\r\n") == "-ERR STLS is only allowed before login\r\n");
      CHECK_FALSE(rig.server.wants_tls());
    }
    SUBCASE("lower case works") {
      Rig rig(false, tls_config());
      CHECK(rig.send("stls\r\n") == "+OK Begin TLS negotiation\r\n");
    }
  }

  TEST_CASE("commands pipelined after STLS are discarded, not run under TLS") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig(bw, tls_config(true, false));
      rig.server.take_events();
      // One burst, as someone in the middle would inject it (CVE-2011-0411).
      std::string out = rig.send("STLS\r\nUSER bob\r\nPASS bobpw\r\nSTAT");
      CHECK(out == "+OK Begin TLS negotiation\r\n");
      bool reported = false;
      for (const auto& e : rig.server.take_events())
        if (const auto* l = std::get_if<net::LineEvent>(&e))
          reported |= !l->sent && l->text == "USER bob" && l->rfc == "RFC 2595 §4";
      if (!bw) CHECK(reported);  // one byte at a time the burst never sits in the buffer
      // Bytes before the handshake finished are not commands either.
      CHECK(rig.send("PASS bobpw\r\n").empty());
      rig.server.on_tls_established();
      CHECK(rig.server.state() == ServerState::Authorization);
      // USER given before TLS is forgotten: PASS alone is out of sequence.
      CHECK(rig.send("PASS bobpw\r\n") == "-ERR USER first\r\n");
      CHECK(rig.login().find("+OK Logged in") != std::string::npos);
    }
  }

  TEST_CASE("USER before STLS does not carry over") {
    Rig rig(false, tls_config(true, false));
    CHECK(rig.send("USER bob\r\n") == "+OK Send PASS\r\n");
    rig.send("STLS\r\n");
    rig.server.on_tls_established();
    CHECK(rig.send("PASS bobpw\r\n") == "-ERR USER first\r\n");
  }

  TEST_CASE("the command table has STLS for AUTHORIZATION only") {
    bool found = false;
    for (const auto& c : Server::commands())
      if (std::string(c.verb) == "STLS") {
        found = true;
        REQUIRE(c.allowed.size() == 1);
        CHECK(c.allowed[0] == ServerState::Authorization);
      }
    CHECK(found);
  }
}

// ---- the client ----

namespace {

const std::string kGreet = "+OK POP3 ready <1.2@pop.example>\r\n";
const std::string kCapaTls = "+OK Capability list follows\r\nTOP\r\nUIDL\r\nSTLS\r\n.\r\n";
const std::string kCapaPlain =
    "+OK Capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\n.\r\n";

struct Script {
  Client client;
  bool bytewise;
  Script(ClientJob job, bool bw) : client(std::move(job)), bytewise(bw) {}
  std::string reply(const std::string& bytes) {
    if (!bytewise) {
      client.feed(bytes);
    } else {
      for (char c : bytes) client.feed(std::string_view(&c, 1));
    }
    return client.take_output();
  }
};

ClientJob job(TlsMode tls, AuthMethod m = AuthMethod::UserPass) {
  ClientJob j;
  j.login = "bob";
  j.password = "bobpw";
  j.auth = m;
  j.tls = tls;
  j.mode = Mode::Delete;
  return j;
}

// Both engines with a pretend handshake; returns every byte the client wrote.
std::string run(Rig& rig, Client& c, bool handshake = true) {
  std::string commands;
  std::string from_server = rig.greeting;
  for (int round = 0; round < 100 && !c.done(); ++round) {
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

TEST_SUITE("pop3_stls_client") {
  TEST_CASE("Required: CAPA, STLS, handshake, CAPA again, then the login") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Script s(job(TlsMode::Required), bw);
      CHECK(s.reply(kGreet) == "CAPA\r\n");
      CHECK(s.reply(kCapaTls) == "STLS\r\n");
      CHECK(s.client.state() == ClientState::Stls);
      CHECK(s.reply("+OK Begin TLS negotiation\r\n").empty());
      CHECK(s.client.wants_tls());
      s.client.on_tls_established();
      CHECK(s.client.tls_active());
      CHECK_FALSE(s.client.wants_tls());
      CHECK(s.client.take_output() == "CAPA\r\n");
      CHECK(s.reply(kCapaPlain) == "USER bob\r\n");
      CHECK(s.reply("+OK\r\n") == "PASS bobpw\r\n");
    }
  }

  TEST_CASE("Required: plaintext the server sends after +OK is dropped") {
    Script s(job(TlsMode::Required), false);
    s.reply(kGreet);
    s.reply(kCapaTls);
    CHECK(s.reply("+OK Begin TLS negotiation\r\n+OK Logged in (injected)\r\n").empty());
    s.client.on_tls_established();
    CHECK(s.client.take_output() == "CAPA\r\n");
    CHECK(s.reply(kCapaPlain) == "USER bob\r\n");  // the injected line did not count
  }

  TEST_CASE("Required but STLS not offered: QUIT, no password") {
    for (bool bw : {false, true}) {
      Script s(job(TlsMode::Required), bw);
      CHECK(s.reply(kGreet) == "CAPA\r\n");
      CHECK(s.reply(kCapaPlain) == "QUIT\r\n");
      s.reply("+OK bye\r\n");
      CHECK(s.client.done());
      CHECK_FALSE(s.client.outcome().ok);
      CHECK(s.client.outcome().error.find("does not offer STLS") != std::string::npos);
    }
  }

  TEST_CASE("Required and an old server without CAPA: QUIT, no password") {
    Script s(job(TlsMode::Required), false);
    s.reply(kGreet);
    CHECK(s.reply("-ERR unknown command\r\n") == "QUIT\r\n");
  }

  TEST_CASE("Required: STLS refused") {
    Script s(job(TlsMode::Required), false);
    s.reply(kGreet);
    s.reply(kCapaTls);
    CHECK(s.reply("-ERR not now\r\n") == "QUIT\r\n");
    s.reply("+OK\r\n");
    CHECK_FALSE(s.client.outcome().ok);
    CHECK(s.client.outcome().error == "The server refused STLS: not now");
  }

  TEST_CASE("the handshake fails: done, no QUIT, no password") {
    Script s(job(TlsMode::Required), false);
    s.reply(kGreet);
    s.reply(kCapaTls);
    s.reply("+OK Begin TLS negotiation\r\n");
    s.client.on_tls_failed("certificate verification failed: self-signed certificate");
    CHECK(s.client.done());
    CHECK(s.client.take_output().empty());
    CHECK(s.client.outcome().finished);
    CHECK_FALSE(s.client.outcome().ok);
    CHECK(s.client.outcome().error ==
          "TLS failed: certificate verification failed: self-signed certificate");
  }

  TEST_CASE("None ignores STLS; Implicit logs in at once") {
    Script none(job(TlsMode::None), false);
    none.reply(kGreet);
    CHECK(none.reply(kCapaTls) == "USER bob\r\n");
    CHECK_FALSE(none.client.tls_active());
    Script imp(job(TlsMode::Implicit), true);
    CHECK(imp.client.tls_active());
    imp.reply(kGreet);
    CHECK(imp.reply(kCapaTls) == "USER bob\r\n");
  }

  TEST_CASE("None against a server that needs TLS: the login is refused") {
    Rig rig(false, tls_config());
    Client c(job(TlsMode::None));
    std::string sent = run(rig, c);
    CHECK(sent.find("USER bob\r\n") != std::string::npos);
    CHECK(sent.find("PASS") == std::string::npos);
    CHECK(c.done());
    CHECK_FALSE(c.outcome().ok);
    CHECK(c.outcome().error.find("Plaintext authentication disallowed") != std::string::npos);
  }

  TEST_CASE("with the real server: STLS, then the password, then the mail") {
    for (auto auth : {AuthMethod::UserPass, AuthMethod::SaslPlain}) {
      Rig rig(false, tls_config());
      Client c(job(TlsMode::Required, auth));
      std::string sent = run(rig, c);
      CAPTURE(sent);
      std::size_t stls = sent.find("STLS\r\n");
      std::size_t pw = auth == AuthMethod::UserPass ? sent.find("PASS bobpw") : sent.find("AUTH");
      REQUIRE(stls != std::string::npos);
      REQUIRE(pw != std::string::npos);
      CHECK(stls < pw);
      CHECK(sent.find("CAPA\r\n", stls) != std::string::npos);  // asked again under TLS
      CHECK(c.outcome().ok);
      CHECK(c.outcome().messages.size() == 3);
      CHECK(rig.stored() == 0);
    }
  }

  TEST_CASE("with the real server: a failed handshake leaves the mailbox alone") {
    Rig rig(false, tls_config());
    Client c(job(TlsMode::Required));
    std::string sent = run(rig, c, false);
    CHECK(sent.find("bobpw") == std::string::npos);
    CHECK(c.done());
    CHECK_FALSE(c.outcome().ok);
    CHECK(rig.stored() == 3);
  }
}

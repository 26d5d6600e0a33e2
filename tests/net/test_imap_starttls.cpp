// STARTTLS in the IMAP engines (RFC 3501 §6.2.1, RFC 9051, RFC 8314, RFC 5530): the server
// announcing STARTTLS and LOGINDISABLED, refusing logins before TLS with PRIVACYREQUIRED,
// refusing STARTTLS in the wrong state, with arguments or twice, discarding input pipelined
// after it; the client's TLS modes against scripted servers and against the real server
// engine (the handshake itself is the driver's, tested in tests/sim/test_world_tls.cpp; here
// both engines are told it succeeded or failed).
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "imap_test_util.hpp"
#include "net/imap/client.hpp"

using namespace net::imap;
using imaptest::Rig;
using imaptest::Session;

namespace {

ServerConfig tls_config(bool starttls = true, bool needs_tls = true) {
  ServerConfig c;
  c.starttls = starttls;
  c.auth_needs_tls = needs_tls;
  return c;
}

const std::string kPrivacy =
    " NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) "
    "connections.\r\n";

bool has_word(const std::string& caps, const std::string& word) {
  return (" " + caps + " ").find(" " + word + " ") != std::string::npos ||
         caps.find(" " + word + "]") != std::string::npos ||
         caps.find(" " + word + "\r\n") != std::string::npos;
}

std::string greeting(const ServerConfig& cfg, Rig& rig) {
  Server s(cfg, rig.store, [] { return imaptest::kNow; });
  s.on_connect("10.0.0.2", "laptop");
  return s.take_output();
}

}  // namespace

TEST_SUITE("imap_starttls_server") {
  TEST_CASE("before TLS: STARTTLS and LOGINDISABLED, no AUTH=PLAIN; after TLS the opposite") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig;
      std::string greet = greeting(tls_config(), rig);
      CHECK(has_word(greet, "STARTTLS"));
      CHECK(has_word(greet, "LOGINDISABLED"));
      CHECK_FALSE(has_word(greet, "AUTH=PLAIN"));
      Session s(rig.store, tls_config());
      std::string caps = s.send("C1 CAPABILITY\r\n", bw);
      CHECK(caps.rfind("* CAPABILITY IMAP4rev1 ", 0) == 0);
      CHECK(has_word(caps, "STARTTLS"));
      CHECK(has_word(caps, "LOGINDISABLED"));
      CHECK_FALSE(has_word(caps, "AUTH=PLAIN"));
      CHECK(s.send("T1 STARTTLS\r\n", bw) == "T1 OK Begin TLS negotiation now\r\n");
      CHECK(s.server.wants_tls());
      s.server.on_tls_established();
      CHECK_FALSE(s.server.wants_tls());
      CHECK(s.server.tls_active());
      caps = s.send("C2 CAPABILITY\r\n", bw);
      CHECK_FALSE(has_word(caps, "STARTTLS"));
      CHECK_FALSE(has_word(caps, "LOGINDISABLED"));
      CHECK(has_word(caps, "AUTH=PLAIN"));
      CHECK(s.send("L1 LOGIN bob bobpw\r\n", bw).rfind("L1 OK [CAPABILITY ", 0) == 0);
      CHECK(s.server.state() == State::Authenticated);
    }
  }

  TEST_CASE("LOGIN and AUTHENTICATE before TLS: NO [PRIVACYREQUIRED]") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig;
      Session s(rig.store, tls_config());
      CHECK(s.send("L1 LOGIN bob bobpw\r\n", bw) == "L1" + kPrivacy);
      CHECK(s.send("A1 AUTHENTICATE PLAIN AGJvYgBib2Jwdw==\r\n", bw) == "A1" + kPrivacy);
      CHECK(s.send("A2 AUTHENTICATE PLAIN\r\n", bw) == "A2" + kPrivacy);  // no "+" first
      CHECK(s.server.state() == State::NotAuthenticated);
    }
  }

  TEST_CASE("STARTTLS offered but logins allowed in plaintext (a lesson on purpose)") {
    Rig rig;
    Session s(rig.store, tls_config(true, false));
    std::string caps = s.send("C1 CAPABILITY\r\n");
    CHECK(has_word(caps, "STARTTLS"));
    CHECK(has_word(caps, "AUTH=PLAIN"));
    CHECK_FALSE(has_word(caps, "LOGINDISABLED"));
    std::string ok = s.send("L1 LOGIN bob bobpw\r\n");
    CHECK(ok.rfind("L1 OK [CAPABILITY ", 0) == 0);
    CHECK_FALSE(has_word(ok, "STARTTLS"));  // no longer possible once logged in
  }

  TEST_CASE("without TLS configured the capabilities are as before") {
    Rig rig;
    Session s(rig.store);
    std::string caps = s.send("C1 CAPABILITY\r\n");
    CHECK_FALSE(has_word(caps, "STARTTLS"));
    CHECK_FALSE(has_word(caps, "LOGINDISABLED"));
    CHECK(has_word(caps, "AUTH=PLAIN"));
  }

  TEST_CASE("implicit TLS (993): AUTH=PLAIN at once, no STARTTLS") {
    Rig rig;
    ServerConfig c = tls_config(false, true);
    c.tls = true;
    std::string greet = greeting(c, rig);
    CHECK(has_word(greet, "AUTH=PLAIN"));
    CHECK_FALSE(has_word(greet, "STARTTLS"));
    CHECK_FALSE(has_word(greet, "LOGINDISABLED"));
    Session s(rig.store, c);
    CHECK(s.server.tls_active());
    CHECK(s.send("T1 STARTTLS\r\n") == "T1 BAD TLS is already active\r\n");
    CHECK(s.send("L1 LOGIN bob bobpw\r\n").rfind("L1 OK", 0) == 0);
  }

  TEST_CASE("STARTTLS refusals") {
    Rig rig;
    SUBCASE("not offered") {
      Session s(rig.store);
      CHECK(s.send("T1 STARTTLS\r\n").rfind("T1 BAD STARTTLS is not available", 0) == 0);
      CHECK_FALSE(s.server.wants_tls());
    }
    SUBCASE("with an argument") {
      Session s(rig.store, tls_config());
      CHECK(s.send("T1 STARTTLS now\r\n") == "T1 BAD STARTTLS takes no arguments\r\n");
      CHECK_FALSE(s.server.wants_tls());
    }
    SUBCASE("twice") {
      Session s(rig.store, tls_config());
      s.send("T1 STARTTLS\r\n");
      s.server.on_tls_established();
      CHECK(s.send("T2 STARTTLS\r\n") == "T2 BAD TLS is already active\r\n");
    }
    SUBCASE("after login") {
      Session s(rig.store, tls_config(true, false));
      s.login();
      CHECK(s.send("T1 STARTTLS\r\n") == "T1 BAD STARTTLS is only allowed before logging in\r\n");
      CHECK_FALSE(s.server.wants_tls());
    }
  }

  TEST_CASE("commands pipelined after STARTTLS are discarded, not run under TLS") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig;
      Session s(rig.store, tls_config(true, false));
      // One burst, as someone in the middle would inject it (CVE-2011-0411), with a literal.
      std::string out =
          s.send("T1 STARTTLS\r\nL1 LOGIN bob bobpw\r\nA1 APPEND INBOX {5+}\r\nhel", bw);
      CHECK(out == "T1 OK Begin TLS negotiation now\r\n");
      bool reported = false;
      for (const auto& l : imaptest::lines_of(s.server.take_events()))
        reported |= !l.sent && l.text == "L1 LOGIN bob bobpw" && l.rfc == "RFC 3501 §6.2.1";
      if (!bw) CHECK(reported);  // one byte at a time nothing sits in the buffer
      CHECK(s.send("lo\r\nN1 NOOP\r\n", bw).empty());  // before the handshake: not commands
      s.server.on_tls_established();
      CHECK(s.server.state() == State::NotAuthenticated);
      CHECK(s.send("N2 NOOP\r\n", bw) == "N2 OK NOOP completed\r\n");  // nothing replayed
      const auto* inbox = rig.store.messages("bob@recipient.example");
      CHECK((inbox == nullptr || inbox->empty()));
    }
  }

  TEST_CASE("the trace explains the STARTTLS OK and the PRIVACYREQUIRED refusal") {
    Rig rig;
    Session s(rig.store, tls_config());
    s.send("L1 LOGIN bob bobpw\r\n");
    s.send("T1 STARTTLS\r\n");
    std::string refused, agreed;
    for (const auto& l : imaptest::lines_of(s.server.take_events()))
      if (l.sent) (l.text.rfind("L1 ", 0) == 0 ? refused : agreed) = l.rfc;
    CHECK(refused == "RFC 5530 §3, RFC 8314 §5");
    CHECK(agreed == "RFC 3501 §6.2.1");
  }

  TEST_CASE("the command table has STARTTLS before login only") {
    bool found = false;
    for (const auto& c : Server::commands())
      if (std::string(c.verb) == "STARTTLS") {
        found = true;
        REQUIRE(c.allowed.size() == 1);
        CHECK(c.allowed[0] == State::NotAuthenticated);
      }
    CHECK(found);
  }

  TEST_CASE("CommandReader::discard returns a partial command with its literal") {
    CommandReader r;
    r.feed("A1 APPEND INBOX {5}\r\nhe");
    auto first = r.next();
    REQUIRE(first);
    CHECK(first->kind == ReadResult::Kind::NeedContinuation);
    CHECK_FALSE(r.next());
    CHECK(r.discard() == "A1 APPEND INBOX {5}\r\nhe");
    CHECK(r.buffered() == 0);
    r.feed("N1 NOOP\r\n");
    auto next = r.next();
    REQUIRE(next);
    CHECK(next->text == "N1 NOOP");
  }
}

// ---- the client ----

namespace {

ClientJob job(TlsMode tls, ClientAuth auth = ClientAuth::Login) {
  ClientJob j;
  j.login = "bob";
  j.password = "bobpw";
  j.auth = auth;
  j.tls = tls;
  return j;
}

struct Scripted {
  Client client;
  bool bytewise = false;
  explicit Scripted(ClientJob j, bool bw = false) : client(std::move(j)), bytewise(bw) {}
  std::string say(const std::string& bytes) {
    if (!bytewise) {
      client.feed(bytes);
    } else {
      for (char c : bytes) client.feed(std::string_view(&c, 1));
    }
    return client.take_output();
  }
};

const std::string kGreetTls = "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n";
const std::string kGreetPlain = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n";

// Both engines with a pretend handshake; returns every byte the client wrote.
std::string run(Server& server, Client& c, bool handshake = true) {
  server.on_connect("10.0.0.2", "laptop");
  std::string sent;
  for (int round = 0; round < 1000 && !c.done(); ++round) {
    std::string s = server.take_output();
    if (!s.empty()) c.feed(s);
    if (c.wants_tls() && server.wants_tls()) {
      if (!handshake) {
        c.on_tls_failed("certificate verification failed: self-signed certificate");
        break;
      }
      server.on_tls_established();
      c.on_tls_established();
    }
    std::string out = c.take_output();
    sent += out;
    if (!out.empty() && !server.wants_close()) server.feed(out);
    if (s.empty() && out.empty()) break;
  }
  if (server.wants_close() && !c.done()) c.on_disconnect();
  return sent;
}

}  // namespace

TEST_SUITE("imap_starttls_client") {
  TEST_CASE("Required: STARTTLS, handshake, CAPABILITY again, then LOGIN") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Scripted s(job(TlsMode::Required), bw);
      CHECK(s.say(kGreetTls) == "A1 STARTTLS\r\n");
      CHECK(s.client.state() == ClientState::StartTls);
      CHECK(s.say("A1 OK Begin TLS negotiation now\r\n").empty());
      CHECK(s.client.wants_tls());
      s.client.on_tls_established();
      CHECK(s.client.tls_active());
      CHECK(s.client.take_output() == "A2 CAPABILITY\r\n");
      CHECK(s.client.outcome().capabilities.empty());  // forgotten until the server says
      CHECK(s.say("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK done\r\n") ==
            "A3 LOGIN bob bobpw\r\n");
      CHECK(s.say("A3 OK in\r\n") == "A4 LOGOUT\r\n");
      s.say("* BYE\r\nA4 OK\r\n");
      CHECK(s.client.outcome().ok);
    }
  }

  TEST_CASE("Required: plaintext after STARTTLS's OK is dropped") {
    Scripted s(job(TlsMode::Required));
    s.say(kGreetTls);
    CHECK(s.say("A1 OK Begin TLS negotiation now\r\n* BYE injected\r\n").empty());
    CHECK_FALSE(s.client.done());
    s.client.on_tls_established();
    CHECK(s.client.take_output() == "A2 CAPABILITY\r\n");
  }

  TEST_CASE("Required but STARTTLS not offered: LOGOUT, no password") {
    for (bool bw : {false, true}) {
      Scripted s(job(TlsMode::Required, bw ? ClientAuth::SaslPlain : ClientAuth::Login), bw);
      CHECK(s.say(kGreetPlain) == "A1 LOGOUT\r\n");
      s.say("* BYE\r\nA1 OK\r\n");
      CHECK(s.client.done());
      CHECK_FALSE(s.client.outcome().ok);
      CHECK(s.client.outcome().error.find("does not offer STARTTLS") != std::string::npos);
    }
  }

  TEST_CASE("Required: STARTTLS refused") {
    Scripted s(job(TlsMode::Required));
    s.say(kGreetTls);
    CHECK(s.say("A1 NO not today\r\n") == "A2 LOGOUT\r\n");
    CHECK(s.client.outcome().error == "The server refused STARTTLS: NO not today");
  }

  TEST_CASE("Required: a PREAUTH greeting in plaintext ends the session") {
    Scripted s(job(TlsMode::Required));
    CHECK(s.say("* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n") == "A1 LOGOUT\r\n");
    CHECK(s.client.outcome().error.find("PREAUTH") != std::string::npos);
  }

  TEST_CASE("the handshake fails: done, nothing more sent") {
    Scripted s(job(TlsMode::Required));
    s.say(kGreetTls);
    s.say("A1 OK Begin TLS negotiation now\r\n");
    s.client.on_tls_failed("certificate verification failed: self-signed certificate");
    CHECK(s.client.done());
    CHECK(s.client.take_output().empty());
    CHECK(s.client.outcome().finished);
    CHECK_FALSE(s.client.outcome().ok);
    CHECK(s.client.outcome().error ==
          "TLS failed: certificate verification failed: self-signed certificate");
  }

  TEST_CASE("Opportunistic: STARTTLS when offered or when LOGINDISABLED, else LOGIN") {
    Scripted a(job(TlsMode::Opportunistic));
    CHECK(a.say("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n") == "A1 STARTTLS\r\n");
    Scripted b(job(TlsMode::Opportunistic));
    CHECK(b.say(kGreetTls) == "A1 STARTTLS\r\n");
    Scripted c(job(TlsMode::Opportunistic));
    CHECK(c.say(kGreetPlain) == "A1 LOGIN bob bobpw\r\n");
  }

  TEST_CASE("None ignores STARTTLS and gives up on LOGINDISABLED; Implicit logs in at once") {
    Scripted none(job(TlsMode::None));
    CHECK(none.say("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n") ==
          "A1 LOGIN bob bobpw\r\n");
    Scripted sasl(job(TlsMode::None, ClientAuth::SaslPlain));
    CHECK(sasl.say(kGreetTls) == "A1 LOGOUT\r\n");  // PLAIN would leak the password too
    Scripted imp(job(TlsMode::Implicit));
    CHECK(imp.client.tls_active());
    CHECK(imp.say("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n") ==
          "A1 LOGIN bob bobpw\r\n");
  }

  TEST_CASE("with the real server: STARTTLS before the password, the mailbox synced") {
    for (auto auth : {ClientAuth::Login, ClientAuth::SaslPlain}) {
      Rig rig;
      rig.two_messages();
      Server server(tls_config(), rig.store, [] { return imaptest::kNow; });
      ClientJob j = job(TlsMode::Required, auth);
      ClientOp sync;
      sync.kind = ClientOp::Kind::SyncAll;
      j.ops = {sync};
      Client c(std::move(j));
      std::string sent = run(server, c);
      CAPTURE(sent);
      std::size_t tls = sent.find("A1 STARTTLS\r\n");
      std::size_t pw = sent.find(auth == ClientAuth::Login ? "LOGIN bob" : "AUTHENTICATE");
      REQUIRE(tls != std::string::npos);
      REQUIRE(pw != std::string::npos);
      CHECK(tls < pw);
      CHECK(sent.find("A2 CAPABILITY\r\n") != std::string::npos);
      CHECK(c.outcome().ok);
      CHECK(c.outcome().folders.at("INBOX").messages.size() == 2);
    }
  }

  TEST_CASE("with the real server: None gets PRIVACYREQUIRED-free refusal via LOGINDISABLED") {
    Rig rig;
    Server server(tls_config(), rig.store, [] { return imaptest::kNow; });
    Client c(job(TlsMode::None));
    std::string sent = run(server, c);
    CHECK(sent.find("bobpw") == std::string::npos);
    CHECK(c.done());
    CHECK(c.outcome().error.find("LOGINDISABLED") != std::string::npos);
  }

  TEST_CASE("with the real server: a failed handshake sends no password") {
    Rig rig;
    Server server(tls_config(), rig.store, [] { return imaptest::kNow; });
    Client c(job(TlsMode::Required));
    std::string sent = run(server, c, false);
    CHECK(sent == "A1 STARTTLS\r\n");
    CHECK(c.done());
    CHECK_FALSE(c.outcome().ok);
  }
}

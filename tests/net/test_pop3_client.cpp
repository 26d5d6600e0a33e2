// POP3 client engine against scripted server responses, fed whole and one byte at a time.
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "net/pop3/apop.hpp"
#include "net/pop3/client.hpp"
#include "pop3_test_util.hpp"

using namespace net::pop3;

namespace {

const std::string kGreet = "+OK POP3 ready <1.2@pop.example>\r\n";
const std::string kCapa =
    "+OK Capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\n.\r\n";

struct Script {
  Client client;
  bool bytewise;
  Script(ClientJob job, bool bw) : client(std::move(job)), bytewise(bw) {}
  // Feeds a server response and returns what the client wrote in answer.
  std::string reply(const std::string& bytes) {
    if (!bytewise) {
      client.feed(bytes);
    } else {
      for (char c : bytes) client.feed(std::string_view(&c, 1));
    }
    return client.take_output();
  }
};

ClientJob job(AuthMethod m = AuthMethod::UserPass, Mode mode = Mode::Delete) {
  ClientJob j;
  j.login = "bob";
  j.password = "bobpw";
  j.auth = m;
  j.mode = mode;
  return j;
}

}  // namespace

TEST_SUITE("pop3_client") {
  TEST_CASE("USER/PASS, download and delete everything, dot-unstuffed") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Script s(job(), bw);
      CHECK(s.reply(kGreet) == "CAPA\r\n");
      CHECK(s.reply(kCapa) == "USER bob\r\n");
      CHECK(s.reply("+OK Send PASS\r\n") == "PASS bobpw\r\n");
      CHECK(s.reply("+OK Logged in\r\n") == "STAT\r\n");
      CHECK(s.reply("+OK 2 50\r\n") == "UIDL\r\n");
      CHECK(s.reply("+OK\r\n1 a1\r\n2 b2\r\n.\r\n") == "LIST\r\n");
      CHECK(s.reply("+OK\r\n1 30\r\n2 20\r\n.\r\n") == "RETR 1\r\n");
      CHECK(s.reply("+OK 30 octets\r\nSubject: x\r\n\r\n..dot\r\n..\r\nend\r\n.\r\n") ==
            "DELE 1\r\n");
      CHECK(s.reply("+OK deleted\r\n") == "RETR 2\r\n");
      CHECK(s.reply("+OK\r\nSubject: y\r\n\r\n.\r\n") == "DELE 2\r\n");
      CHECK(s.reply("+OK deleted\r\n") == "QUIT\r\n");
      CHECK_FALSE(s.client.done());
      CHECK(s.reply("+OK bye\r\n").empty());
      CHECK(s.client.done());
      const auto& o = s.client.outcome();
      CHECK(o.finished);
      CHECK(o.ok);
      CHECK(o.error.empty());
      CHECK(o.mailbox_messages == 2);
      CHECK(o.mailbox_octets == 50);
      REQUIRE(o.messages.size() == 2);
      CHECK(o.messages[0].number == 1);
      CHECK(o.messages[0].uidl == "a1");
      CHECK(o.messages[0].data == "Subject: x\r\n\r\n.dot\r\n.\r\nend\r\n");
      CHECK(o.messages[1].data == "Subject: y\r\n\r\n");
      CHECK(o.deleted_uidls == std::vector<std::string>{"a1", "b2"});
    }
  }

  TEST_CASE("events: meanings and rfc on every line; the password only as a secret") {
    Script s(job(), false);
    s.reply(kGreet);
    s.reply(kCapa);
    s.reply("+OK\r\n");
    s.reply("+OK\r\n");
    auto ev = s.client.take_events();
    bool saw_pass = false;
    for (const auto& e : ev) {
      if (auto* l = std::get_if<net::LineEvent>(&e)) {
        CAPTURE(l->text);
        CHECK_FALSE(l->meaning.empty());
        CHECK(l->rfc.rfind("RFC ", 0) == 0);
        if (l->label == "PASS") {
          saw_pass = true;
          CHECK(l->secret == "bobpw");
        } else {
          CHECK(l->secret.empty());
        }
      }
    }
    CHECK(saw_pass);
  }

  TEST_CASE("APOP sends the digest of the greeting's timestamp") {
    for (bool bw : {false, true}) {
      Script s(job(AuthMethod::Apop), bw);
      s.reply(kGreet);
      CHECK(s.reply(kCapa) == "APOP bob " + apop_digest("<1.2@pop.example>", "bobpw") + "\r\n");
      CHECK(s.reply("+OK\r\n") == "STAT\r\n");
      CHECK(s.reply("+OK 0 0\r\n") == "QUIT\r\n");
      s.reply("+OK\r\n");
      CHECK(s.client.outcome().ok);
      CHECK(s.client.outcome().messages.empty());
    }
  }

  TEST_CASE("APOP without a timestamp in the greeting fails and quits") {
    Script s(job(AuthMethod::Apop), false);
    s.reply("+OK hello\r\n");
    CHECK(s.reply(kCapa) == "QUIT\r\n");
    s.reply("+OK\r\n");
    CHECK_FALSE(s.client.outcome().ok);
    CHECK(s.client.outcome().error.find("APOP") != std::string::npos);
  }

  TEST_CASE("AUTH PLAIN with an initial response, and a +-continuation") {
    for (bool bw : {false, true}) {
      Script s(job(AuthMethod::SaslPlain), bw);
      s.reply(kGreet);
      CHECK(s.reply(kCapa) == "AUTH PLAIN AGJvYgBib2Jwdw==\r\n");
      // A server may still ask with "+ " (RFC 5034 §4); the client answers with the blob.
      CHECK(s.reply("+ \r\n") == "AGJvYgBib2Jwdw==\r\n");
      CHECK(s.reply("+OK\r\n") == "STAT\r\n");
    }
  }

  TEST_CASE("long credentials: AUTH PLAIN first, blob after the + challenge") {
    ClientJob j = job(AuthMethod::SaslPlain);
    j.password = std::string(300, 'p');
    Script s(j, false);
    s.reply(kGreet);
    CHECK(s.reply(kCapa) == "AUTH PLAIN\r\n");
    auto out = s.reply("+ \r\n");
    CHECK(out.size() > 300);
    CHECK(s.reply("+OK\r\n") == "STAT\r\n");
  }

  TEST_CASE("failed login: error with the server's text, QUIT, not ok") {
    for (const char* why : {"-ERR [AUTH] Authentication failed\r\n",
                            "-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n"}) {
      Script s(job(), true);
      s.reply(kGreet);
      s.reply(kCapa);
      CHECK(s.reply("+OK\r\n") == "PASS bobpw\r\n");
      CHECK(s.reply(why) == "QUIT\r\n");
      s.reply("+OK\r\n");
      const auto& o = s.client.outcome();
      CHECK(o.finished);
      CHECK_FALSE(o.ok);
      CHECK(o.error == "Login failed: " + std::string(why).substr(5, std::string(why).size() - 7));
    }
  }

  TEST_CASE("a server without CAPA: the client carries on with USER") {
    Script s(job(AuthMethod::UserPass, Mode::DownloadAll), false);
    s.reply(kGreet);
    CHECK(s.reply("-ERR unknown command\r\n") == "USER bob\r\n");
    s.reply("+OK\r\n");
    CHECK(s.reply("+OK\r\n") == "STAT\r\n");
    // No UIDL in CAPA and mode DownloadAll: straight to LIST.
    CHECK(s.reply("+OK 1 10\r\n") == "LIST\r\n");
    CHECK(s.reply("+OK\r\n1 10\r\n.\r\n") == "RETR 1\r\n");
    CHECK(s.reply("+OK\r\nx\r\n.\r\n") == "QUIT\r\n");  // DownloadAll: no DELE
    s.reply("+OK\r\n");
    CHECK(s.client.outcome().ok);
    CHECK(s.client.outcome().messages[0].data == "x\r\n");
    CHECK(s.client.outcome().messages[0].uidl.empty());
  }

  TEST_CASE("leave on server: known UIDLs are skipped, nothing deleted") {
    ClientJob j = job(AuthMethod::UserPass, Mode::LeaveOnServer);
    j.known_uidls = {"a1", "c3"};
    for (bool bw : {false, true}) {
      Script s(j, bw);
      s.reply(kGreet);
      s.reply(kCapa);
      s.reply("+OK\r\n");
      s.reply("+OK\r\n");
      CHECK(s.reply("+OK 3 30\r\n") == "UIDL\r\n");
      CHECK(s.reply("+OK\r\n1 a1\r\n2 b2\r\n3 c3\r\n.\r\n") == "LIST\r\n");
      CHECK(s.reply("+OK\r\n1 10\r\n2 10\r\n3 10\r\n.\r\n") == "RETR 2\r\n");
      CHECK(s.reply("+OK\r\nnew\r\n.\r\n") == "QUIT\r\n");
      s.reply("+OK\r\n");
      const auto& o = s.client.outcome();
      CHECK(o.ok);
      REQUIRE(o.messages.size() == 1);
      CHECK(o.messages[0].uidl == "b2");
      CHECK(o.deleted_uidls.empty());
    }
  }

  TEST_CASE("leave on server without UIDL support: an error is noted, all downloaded") {
    Script s(job(AuthMethod::UserPass, Mode::LeaveOnServer), false);
    s.reply(kGreet);
    s.reply("+OK\r\nUSER\r\n.\r\n");
    s.reply("+OK\r\n");
    s.reply("+OK\r\n");
    CHECK(s.reply("+OK 1 10\r\n") == "UIDL\r\n");
    CHECK(s.reply("-ERR unknown command\r\n") == "LIST\r\n");
    CHECK(s.reply("+OK\r\n1 10\r\n.\r\n") == "RETR 1\r\n");
    s.reply("+OK\r\nx\r\n.\r\n");
    s.reply("+OK\r\n");
    CHECK_FALSE(s.client.outcome().ok);
    CHECK(s.client.outcome().messages.size() == 1);
  }

  TEST_CASE("RETR and DELE errors are recorded and the client carries on") {
    Script s(job(), false);
    s.reply(kGreet);
    s.reply(kCapa);
    s.reply("+OK\r\n");
    s.reply("+OK\r\n");
    s.reply("+OK 2 20\r\n");
    s.reply("+OK\r\n1 a\r\n2 b\r\n.\r\n");
    CHECK(s.reply("+OK\r\n1 10\r\n2 10\r\n.\r\n") == "RETR 1\r\n");
    CHECK(s.reply("-ERR [SYS/TEMP] gone\r\n") == "RETR 2\r\n");
    CHECK(s.reply("+OK\r\ny\r\n.\r\n") == "DELE 2\r\n");
    CHECK(s.reply("-ERR nope\r\n") == "QUIT\r\n");
    s.reply("+OK\r\n");
    const auto& o = s.client.outcome();
    CHECK_FALSE(o.ok);
    CHECK(o.errors.size() == 2);
    CHECK(o.errors[0] == "RETR 1 failed: [SYS/TEMP] gone");
    CHECK(o.errors[1] == "DELE 2 failed: nope");
    CHECK(o.messages.size() == 1);
  }

  TEST_CASE("greeting -ERR, bad STAT, disconnect before QUIT") {
    {
      Script s(job(), false);
      CHECK(s.reply("-ERR go away\r\n").empty());
      CHECK(s.client.done());
      CHECK_FALSE(s.client.outcome().ok);
    }
    {
      Script s(job(), false);
      s.reply(kGreet);
      s.reply(kCapa);
      s.reply("+OK\r\n");
      s.reply("+OK\r\n");
      CHECK(s.reply("+OK what\r\n") == "QUIT\r\n");
      CHECK(s.client.outcome().error == "Cannot read the STAT answer: +OK what");
    }
    {
      Script s(job(), false);
      s.reply(kGreet);
      s.reply(kCapa);
      s.client.on_disconnect();
      CHECK(s.client.done());
      CHECK_FALSE(s.client.outcome().ok);
      CHECK(s.client.outcome().error.find("deleted nothing") != std::string::npos);
    }
  }
}

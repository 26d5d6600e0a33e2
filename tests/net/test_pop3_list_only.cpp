// POP3 client Mode::ListOnly: counts, sizes and UIDLs, and the header of the newest message
// with TOP n 0 (RFC 1939 §7); no RETR, no DELE, nothing downloaded.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/pop3/client.hpp"
#include "pop3_test_util.hpp"

using namespace net::pop3;

namespace {

const std::string kGreet = "+OK POP3 ready <1.2@pop.example>\r\n";
const std::string kCapaTop = "+OK\r\nTOP\r\nUIDL\r\nUSER\r\n.\r\n";
const std::string kCapaNoTop = "+OK\r\nUIDL\r\nUSER\r\n.\r\n";

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

ClientJob list_job() {
  ClientJob j;
  j.login = "bob";
  j.password = "bobpw";
  j.mode = Mode::ListOnly;
  return j;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("pop3_client_list_only") {
  TEST_CASE("ListOnly: STAT, UIDL, LIST, TOP n 0 of the newest, QUIT; nothing downloaded") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Script s(list_job(), bw);
      CHECK(s.reply(kGreet) == "CAPA\r\n");
      CHECK(s.reply(kCapaTop) == "USER bob\r\n");
      CHECK(s.reply("+OK\r\n") == "PASS bobpw\r\n");
      CHECK(s.reply("+OK\r\n") == "STAT\r\n");
      CHECK(s.reply("+OK 3 60\r\n") == "UIDL\r\n");
      CHECK(s.reply("+OK\r\n1 a1\r\n2 b2\r\n3 c3\r\n.\r\n") == "LIST\r\n");
      CHECK(s.reply("+OK\r\n1 10\r\n2 20\r\n3 30\r\n.\r\n") == "TOP 3 0\r\n");
      CHECK(s.client.state() == ClientState::Top);
      CHECK(s.reply("+OK\r\nSubject: newest\r\nFrom: a@b.example\r\n..hidden: x\r\n\r\n.\r\n") ==
            "QUIT\r\n");
      CHECK(s.reply("+OK bye\r\n").empty());
      const auto& o = s.client.outcome();
      CHECK(o.finished);
      CHECK(o.ok);
      CHECK(o.messages.empty());
      CHECK(o.deleted_uidls.empty());
      CHECK(o.mailbox_messages == 3);
      REQUIRE(o.listing.size() == 3);
      CHECK(o.listing[0].number == 1);
      CHECK(o.listing[0].octets == 10);
      CHECK(o.listing[0].uidl == "a1");
      CHECK(o.listing[2].octets == 30);
      CHECK(o.listing[2].uidl == "c3");
      CHECK(o.top_number == 3);
      CHECK(o.top_lines ==
            std::vector<std::string>{"Subject: newest", "From: a@b.example", ".hidden: x", ""});
    }
  }

  TEST_CASE("ListOnly without TOP in CAPA: no TOP, straight to QUIT") {
    Script s(list_job(), false);
    s.reply(kGreet);
    s.reply(kCapaNoTop);
    s.reply("+OK\r\n");
    s.reply("+OK\r\n");
    CHECK(s.reply("+OK 2 30\r\n") == "UIDL\r\n");
    CHECK(s.reply("+OK\r\n1 a1\r\n2 b2\r\n.\r\n") == "LIST\r\n");
    CHECK(s.reply("+OK\r\n1 10\r\n2 20\r\n.\r\n") == "QUIT\r\n");
    s.reply("+OK\r\n");
    const auto& o = s.client.outcome();
    CHECK(o.ok);
    CHECK(o.listing.size() == 2);
    CHECK(o.top_number == 0);
    CHECK(o.top_lines.empty());
    CHECK(o.messages.empty());
  }

  TEST_CASE("ListOnly: an empty mailbox quits after STAT; a TOP -ERR is noted") {
    {
      Script s(list_job(), false);
      s.reply(kGreet);
      s.reply(kCapaTop);
      s.reply("+OK\r\n");
      s.reply("+OK\r\n");
      CHECK(s.reply("+OK 0 0\r\n") == "QUIT\r\n");
      s.reply("+OK\r\n");
      CHECK(s.client.outcome().ok);
      CHECK(s.client.outcome().listing.empty());
    }
    {
      Script s(list_job(), false);
      s.reply(kGreet);
      s.reply(kCapaTop);
      s.reply("+OK\r\n");
      s.reply("+OK\r\n");
      s.reply("+OK 1 10\r\n");
      s.reply("-ERR no UIDL\r\n");  // UIDL is optional: LIST follows
      CHECK(s.reply("+OK\r\n1 10\r\n.\r\n") == "TOP 1 0\r\n");
      CHECK(s.reply("-ERR no such message\r\n") == "QUIT\r\n");
      s.reply("+OK\r\n");
      const auto& o = s.client.outcome();
      CHECK(o.finished);
      CHECK_FALSE(o.ok);
      CHECK(contains(o.error, "TOP 1 0 failed"));
      REQUIRE(o.listing.size() == 1);
      CHECK(o.listing[0].uidl.empty());
    }
  }

  TEST_CASE("ListOnly against the POP3 server: headers of the newest only, store untouched") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      net::store::Mailstore store;
      pop3test::fill(store);
      Server server(pop3test::config(), store);
      Client client(list_job());
      server.on_connect("10.0.0.2", "laptop.sender.example");
      std::string transcript;
      auto feed = [bw](auto& engine, const std::string& bytes) {
        if (!bw) {
          engine.feed(bytes);
        } else {
          for (char c : bytes) engine.feed(std::string_view(&c, 1));
        }
      };
      for (int guard = 0; guard < 10000; ++guard) {
        std::string sv = server.take_output();
        if (!sv.empty()) {
          transcript += "S: " + sv;
          feed(client, sv);
        }
        std::string c = client.take_output();
        if (!c.empty()) {
          transcript += "C: " + c;
          feed(server, c);
        }
        server.take_events();
        client.take_events();
        if (sv.empty() && c.empty()) break;
      }
      if (client.done() && !server.wants_close()) server.on_disconnect();
      CAPTURE(transcript);
      const auto& o = client.outcome();
      CHECK(o.ok);
      CHECK(o.messages.empty());
      CHECK_FALSE(contains(transcript, "RETR"));
      CHECK_FALSE(contains(transcript, "DELE"));
      CHECK(contains(transcript, "C: TOP 3 0\r\n"));
      REQUIRE(o.listing.size() == 3);
      CHECK(o.listing[2].octets == pop3test::kMsg3.size());
      CHECK(o.top_number == 3);
      CHECK(o.top_lines == std::vector<std::string>{"Subject: three", ""});
      CHECK(store.messages("bob@recipient.example")->size() == 3);
    }
  }
}

// A real pop3::Client talking to a real pop3::Server through an in-memory link.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "net/pop3/client.hpp"
#include "pop3_test_util.hpp"

using namespace net::pop3;
using namespace pop3test;

namespace {

struct Link {
  Server server;
  Client client;
  bool bytewise = false;
  std::size_t cut_after = SIZE_MAX;  // client→server bytes delivered before the line drops
  std::size_t c2s = 0;
  bool cut = false;
  std::string transcript;
  net::EngineEvents server_events, client_events;

  Link(net::store::Mailstore& st, ClientJob job, std::uint64_t owner = 1)
      : server(config(owner), st), client(std::move(job)) {}

  void feed(auto& engine, const std::string& bytes) {
    if (!bytewise) {
      engine.feed(bytes);
    } else {
      for (char c : bytes) engine.feed(std::string_view(&c, 1));
    }
  }

  void run() {
    server.on_connect("10.0.0.2", "laptop.sender.example");
    for (int guard = 0; guard < 10000; ++guard) {
      if (server.penalty_ms() > 0) server.end_penalty();  // a driver would wait first
      std::string s = server.take_output();
      if (!s.empty()) {
        transcript += "S: " + s;
        feed(client, s);
      }
      std::string c = client.take_output();
      if (!c.empty() && !cut) {
        if (c2s + c.size() > cut_after) {
          c.resize(cut_after - c2s);
          cut = true;
        }
        c2s += c.size();
        transcript += "C: " + c;
        feed(server, c);
      }
      for (auto& e : server.take_events()) server_events.push_back(std::move(e));
      for (auto& e : client.take_events()) client_events.push_back(std::move(e));
      if (cut) {
        server.on_disconnect();
        client.on_disconnect();
        break;
      }
      if (s.empty() && c.empty()) break;
    }
    if (server.wants_close() && !client.done()) client.on_disconnect();
    if (client.done() && !server.wants_close()) server.on_disconnect();
  }
};

ClientJob job(AuthMethod m, Mode mode) {
  ClientJob j;
  j.login = "bob";
  j.password = "bobpw";
  j.auth = m;
  j.mode = mode;
  return j;
}

std::size_t count(net::store::Mailstore& st) {
  return st.messages("bob@recipient.example")->size();
}

}  // namespace

TEST_SUITE("pop3_pair") {
  TEST_CASE("every auth method, every mode, whole and bytewise: byte-exact downloads") {
    for (auto m : {AuthMethod::UserPass, AuthMethod::Apop, AuthMethod::SaslPlain}) {
      for (auto mode : {Mode::DownloadAll, Mode::LeaveOnServer, Mode::Delete}) {
        for (bool bw : {false, true}) {
          CAPTURE(static_cast<int>(m));
          CAPTURE(static_cast<int>(mode));
          CAPTURE(bw);
          net::store::Mailstore st;
          fill(st);
          Link l(st, job(m, mode));
          l.bytewise = bw;
          l.run();
          CAPTURE(l.transcript);
          const auto& o = l.client.outcome();
          CHECK(o.ok);
          REQUIRE(o.messages.size() == 3);
          CHECK(o.messages[0].data == kMsg1);
          CHECK(o.messages[1].data == kMsg2);
          CHECK(o.messages[2].data == kMsg3);
          CHECK(o.messages[0].uidl == "7.1");
          CHECK(count(st) == (mode == Mode::Delete ? 0u : 3u));
          CHECK_FALSE(st.locked("bob@recipient.example"));
        }
      }
    }
  }

  TEST_CASE("dot-stuffing round trip: tricky lines come back byte-exact") {
    const std::string tricky =
        "Subject: dots\r\n\r\n.\r\n..\r\n...\r\n. \r\n.x\r\n\r\n.\r\nend.\r\n.\r\n";
    net::store::Mailstore st;
    st.add_account({"bob@recipient.example", "bob", "bobpw"});
    st.deliver("bob@recipient.example", tricky, 1);
    for (bool bw : {false, true}) {
      Link l(st, job(AuthMethod::UserPass, Mode::DownloadAll));
      l.bytewise = bw;
      l.run();
      REQUIRE(l.client.outcome().messages.size() == 1);
      CHECK(l.client.outcome().messages[0].data == tricky);
      CHECK(l.transcript.find("S: +OK") != std::string::npos);
    }
  }

  TEST_CASE("leave on server: a second run downloads only the new message") {
    net::store::Mailstore st;
    fill(st);
    Link first(st, job(AuthMethod::UserPass, Mode::LeaveOnServer));
    first.run();
    REQUIRE(first.client.outcome().messages.size() == 3);
    std::set<std::string> known;
    for (const auto& m : first.client.outcome().messages) known.insert(m.uidl);
    st.deliver("bob@recipient.example", "Subject: new\r\n\r\nhi\r\n", 9);
    ClientJob j = job(AuthMethod::UserPass, Mode::LeaveOnServer);
    j.known_uidls = known;
    Link second(st, j, 2);
    second.run();
    REQUIRE(second.client.outcome().messages.size() == 1);
    CHECK(second.client.outcome().messages[0].data == "Subject: new\r\n\r\nhi\r\n");
    CHECK(second.client.outcome().messages[0].uidl == "7.4");
    CHECK(count(st) == 4);
  }

  TEST_CASE("connection dropped before QUIT: nothing deleted, lock released") {
    net::store::Mailstore st;
    fill(st);
    Link l(st, job(AuthMethod::UserPass, Mode::Delete));
    // Everything up to the last DELE, but not QUIT: find the length by a full run first.
    {
      net::store::Mailstore probe;
      fill(probe);
      Link full(probe, job(AuthMethod::UserPass, Mode::Delete));
      full.run();
      l.cut_after = full.c2s - 6;  // "QUIT\r\n" never arrives
    }
    l.run();
    CHECK(l.cut);
    CHECK_FALSE(l.client.outcome().ok);
    CHECK(l.client.outcome().messages.size() == 3);
    CHECK(count(st) == 3);
    CHECK_FALSE(st.locked("bob@recipient.example"));
  }

  TEST_CASE("wrong password through the pair; penalty released by the pump") {
    net::store::Mailstore st;
    fill(st);
    ClientJob j = job(AuthMethod::SaslPlain, Mode::Delete);
    j.password = "wrong";
    Link l(st, j);
    l.run();
    CHECK_FALSE(l.client.outcome().ok);
    CHECK(l.client.outcome().error == "Login failed: [AUTH] Authentication failed");
    CHECK(count(st) == 3);
  }

  TEST_CASE("second client while the first holds the lock gets [IN-USE]") {
    net::store::Mailstore st;
    fill(st);
    Server holder(config(1), st);
    holder.on_connect("10.0.0.3", "");
    holder.feed("USER bob\r\nPASS bobpw\r\n");
    REQUIRE(holder.state() == ServerState::Transaction);
    Link l(st, job(AuthMethod::UserPass, Mode::Delete), 2);
    l.run();
    CHECK_FALSE(l.client.outcome().ok);
    CHECK(l.client.outcome().error ==
          "Login failed: [IN-USE] Mailbox is locked by another POP3 session");
    holder.on_disconnect();
    CHECK(count(st) == 3);
  }

  // The simulator turns off reporting what engines read (EngineIo::report_received): the
  // same bytes flow and the same messages arrive; of the lines read, only those carrying a
  // secret (the password) are reported.
  TEST_CASE("report_received off: same exchange, only secret-bearing reads reported") {
    for (auto m : {AuthMethod::UserPass, AuthMethod::SaslPlain}) {
      CAPTURE(static_cast<int>(m));
      std::string transcripts[2];
      std::vector<std::string> sent[2];
      std::size_t reads[2] = {0, 0}, secret_reads[2] = {0, 0};
      for (int quiet = 0; quiet < 2; ++quiet) {  // 0: reads not reported, 1: reported
        net::store::Mailstore st;
        fill(st);
        Link l(st, job(m, Mode::DownloadAll));
        l.server.report_received(quiet == 1);
        l.client.report_received(quiet == 1);
        l.run();
        REQUIRE(l.client.outcome().messages.size() == 3);
        CHECK(l.client.outcome().messages[1].data == kMsg2);
        transcripts[quiet] = l.transcript;
        for (const auto* ev : {&l.server_events, &l.client_events})
          for (const auto& e : *ev)
            if (const auto* line = std::get_if<net::LineEvent>(&e)) {
              if (line->sent) {
                sent[quiet].push_back(line->text + "|" + line->meaning);
              } else {
                ++reads[quiet];
                if (!line->secret.empty()) ++secret_reads[quiet];
              }
            }
      }
      CHECK(transcripts[0] == transcripts[1]);
      CHECK(sent[0] == sent[1]);
      CHECK(reads[1] > 10);
      CHECK(secret_reads[0] >= 1);
      CHECK(reads[0] == secret_reads[0]);
      CHECK(secret_reads[0] == secret_reads[1]);
    }
  }
}

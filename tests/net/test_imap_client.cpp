// The IMAP client engine: against our own IMAP server engine over one shared Mailstore
// (whole and one byte at a time), against scripted servers for the error paths, and the
// response value parser (ENVELOPE with NIL, literals and quoted escapes).
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "imap_test_util.hpp"
#include "net/base64.hpp"
#include "net/imap/client.hpp"
#include "net/imap/response_reader.hpp"
#include "net/imap/value.hpp"

using namespace net::imap;
using imaptest::kMsg1;
using imaptest::kMsg2;
using imaptest::Rig;

namespace {

const char* kBob = "bob@recipient.example";

void feed(auto& engine, const std::string& bytes, bool bytewise) {
  if (!bytewise) {
    engine.feed(bytes);
  } else {
    for (char c : bytes) engine.feed(std::string_view(&c, 1));
  }
}

// A Client and a Server shuttling bytes until both are quiet.
struct Pair {
  Server server;
  Client client;
  bool bytewise = false;
  std::string transcript;
  net::EngineEvents events;  // the client's

  Pair(net::store::Mailstore& st, ClientJob job)
      : server(ServerConfig{}, st, [] { return imaptest::kNow; }), client(std::move(job)) {
    server.on_connect("10.0.0.2", "laptop.recipient.example");
  }

  void run() {
    for (int guard = 0; guard < 100000; ++guard) {
      std::string s = server.take_output();
      if (!s.empty()) {
        transcript += "S: " + s;
        feed(client, s, bytewise);
      }
      std::string c = client.take_output();
      if (!c.empty() && !server.wants_close()) {
        transcript += "C: " + c;
        feed(server, c, bytewise);
      }
      server.take_events();
      for (auto& e : client.take_events()) events.push_back(std::move(e));
      if (s.empty() && c.empty()) break;
    }
    if (server.wants_close() && !client.done()) client.on_disconnect();
  }

  std::vector<std::string> sent() const {
    std::vector<std::string> out;
    for (const auto& l : imaptest::lines_of(events))
      if (l.sent && l.kind == net::LineKind::Command) out.push_back(l.text);
    return out;
  }
};

ClientJob job(std::vector<ClientOp> ops, ClientAuth auth = ClientAuth::Login) {
  ClientJob j;
  j.login = "bob";
  j.password = "bobpw";
  j.auth = auth;
  j.ops = std::move(ops);
  return j;
}

ClientOp op(ClientOp::Kind k, std::string mailbox = {}, std::vector<std::uint32_t> uids = {}) {
  ClientOp o;
  o.kind = k;
  o.mailbox = std::move(mailbox);
  o.uids = std::move(uids);
  return o;
}

bool has_flag(const MessageView& m, const std::string& f) {
  return std::find(m.flags.begin(), m.flags.end(), f) != m.flags.end();
}

using K = ClientOp::Kind;

}  // namespace

TEST_SUITE("imap_client") {
  TEST_CASE("SyncAll sees every folder and message; FetchBody is byte-exact and sets \\Seen") {
    for (auto auth : {ClientAuth::Login, ClientAuth::SaslPlain}) {
      for (bool bw : {false, true}) {
        CAPTURE(bw);
        CAPTURE(static_cast<int>(auth));
        Rig rig;
        rig.two_messages();
        ClientOp fetch = op(K::FetchBody, {}, {2});
        Pair p(rig.store, job({op(K::SyncAll), op(K::Select, "INBOX"), fetch}, auth));
        p.bytewise = bw;
        p.run();
        CAPTURE(p.transcript);
        const auto& o = p.client.outcome();
        CHECK(p.client.done());
        CHECK(o.ok);
        CHECK(o.errors.empty());
        CHECK(std::count(o.capabilities.begin(), o.capabilities.end(), "IDLE") == 1);
        for (const char* f : {"INBOX", "Sent", "Drafts", "Trash", "Junk"})
          CHECK(o.folders.count(f));
        const FolderView& inbox = o.folders.at("INBOX");
        CHECK(inbox.exists == 2);
        CHECK(inbox.uid_validity != 0);
        CHECK(inbox.uid_next == 3);
        REQUIRE(inbox.messages.size() == 2);
        const MessageView& m1 = inbox.messages.at(1);
        CHECK(m1.subject == "Lunch");
        CHECK(m1.from == "Ana <ana@sender.example>");
        CHECK(m1.size == std::string(kMsg1).size());
        CHECK(m1.internal_date == "26-Nov-2026 08:00:00 +0000");
        CHECK_FALSE(m1.data);
        const MessageView& m2 = inbox.messages.at(2);
        CHECK(m2.from == "Carol C. <carol@recipient.example>");
        REQUIRE(m2.data);
        CHECK(*m2.data == kMsg2);
        CHECK(has_flag(m2, "\\Seen"));
        CHECK(rig.store.folder(kBob, "INBOX")->find(2)->has_flag("\\Seen"));
        CHECK_FALSE(rig.store.folder(kBob, "INBOX")->find(1)->has_flag("\\Seen"));
        auto s = p.sent();
        CHECK(s.back() == std::string("A") + std::to_string(s.size()) + " LOGOUT");
        CHECK(s.front() == (auth == ClientAuth::Login
                                ? "A1 LOGIN bob bobpw"
                                : "A1 AUTHENTICATE PLAIN " +
                                      net::base64_encode(std::string("\0bob\0bobpw", 10))));
        // The password is marked secret so traces can redact it.
        auto lines = imaptest::lines_of(p.events);
        auto first_sent = std::find_if(lines.begin(), lines.end(), [](auto& l) { return l.sent; });
        REQUIRE(first_sent != lines.end());
        CHECK(first_sent->secret == (auth == ClientAuth::Login ? "bobpw" : s.front().substr(22)));
        // Every line has a meaning and an RFC section.
        for (const auto& l : lines) {
          CHECK_FALSE(l.meaning.empty());
          CHECK(l.rfc.rfind("RFC ", 0) == 0);
        }
        CHECK(p.client.state() == ClientState::Done);
      }
    }
  }

  TEST_CASE("SyncAll with fetch_bodies downloads every message (PEEK: nothing becomes \\Seen)") {
    for (bool bw : {false, true}) {
      Rig rig;
      rig.two_messages();
      ClientJob j = job({op(K::SyncAll)});
      j.fetch_bodies = true;
      Pair p(rig.store, j);
      p.bytewise = bw;
      p.run();
      CAPTURE(p.transcript);
      const auto& o = p.client.outcome();
      CHECK(o.ok);
      const auto& msgs = o.folders.at("INBOX").messages;
      REQUIRE(msgs.size() == 2);
      CHECK(msgs.at(1).data == std::string(kMsg1));
      CHECK(msgs.at(2).data == std::string(kMsg2));
      CHECK_FALSE(rig.store.folder(kBob, "INBOX")->find(1)->has_flag("\\Seen"));
    }
  }

  TEST_CASE("report_received(false): the same commands and outcome, no line read is an event") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig_full, rig_quiet;
      auto run = [bw](Rig& rig, bool describe) {
        rig.two_messages();
        ClientJob j = job({op(K::SyncAll), op(K::FetchBody, {}, {2})});
        j.fetch_bodies = true;  // literals too
        auto p = std::make_unique<Pair>(rig.store, j);
        p->client.report_received(describe);
        p->bytewise = bw;
        p->run();
        return p;
      };
      auto full = run(rig_full, true);
      auto quiet = run(rig_quiet, false);
      CHECK(quiet->transcript == full->transcript);
      CHECK(quiet->client.outcome().ok);
      CHECK(quiet->client.outcome().folders.at("INBOX").messages.at(2).data ==
            full->client.outcome().folders.at("INBOX").messages.at(2).data);
      auto sent_lines = [](const Pair& p) {
        std::vector<std::string> out;
        for (const auto& l : imaptest::lines_of(p.events))
          if (l.sent) out.push_back(l.text + "|" + l.label + "|" + l.meaning + "|" + l.rfc);
        return out;
      };
      CHECK(sent_lines(*quiet) == sent_lines(*full));
      auto lines = imaptest::lines_of(quiet->events);
      CHECK(std::none_of(lines.begin(), lines.end(), [](const auto& l) { return !l.sent; }));
      CHECK(lines.size() < imaptest::lines_of(full->events).size());
    }
  }

  TEST_CASE("Store, Create, Move, Append and Expunge change the store") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig;
      rig.two_messages();
      ClientOp flag = op(K::Store, {}, {1});
      flag.flags = {"\\Flagged", "$Work"};
      ClientOp del = op(K::Store, {}, {2});
      del.store_mode = "+FLAGS";
      del.flags = {"\\Deleted"};
      ClientOp app = op(K::Append, "Archive");
      app.flags = {"\\Seen"};
      app.data = "Subject: kept\r\n\r\nline one\r\n";
      Pair p(rig.store, job({op(K::Select, "INBOX"), flag, op(K::Create, "Archive"),
                             op(K::Move, "Archive", {1}), app, del, op(K::Expunge, {}, {2})}));
      p.bytewise = bw;
      p.run();
      CAPTURE(p.transcript);
      const auto& o = p.client.outcome();
      CHECK(o.ok);
      const auto* archive = rig.store.folder(kBob, "Archive");
      REQUIRE(archive);
      REQUIRE(archive->messages.size() == 2);
      CHECK(archive->messages[0].data == kMsg1);
      CHECK(archive->messages[0].has_flag("\\Flagged"));
      CHECK(archive->messages[0].has_flag("$Work"));
      CHECK(archive->messages[1].data == "Subject: kept\r\n\r\nline one\r\n");
      CHECK(archive->messages[1].has_flag("\\Seen"));
      CHECK(rig.store.folder(kBob, "INBOX")->messages.empty());
      REQUIRE(o.appended_uids.size() == 1);
      CHECK(o.appended_uids[0] == archive->messages[1].uid);
      const FolderView& inbox = o.folders.at("INBOX");
      CHECK(inbox.messages.empty());
      CHECK(inbox.exists == 0);
      CHECK(inbox.expunged == std::vector<std::uint32_t>{1, 2});
      CHECK(o.folders.count("Archive"));
      auto s = p.sent();
      CHECK(std::count(s.begin(), s.end(), "A4 UID STORE 1 +FLAGS (\\Flagged $Work)") == 1);
      CHECK(std::count(s.begin(), s.end(), "A6 UID MOVE 1 Archive") == 1);
      CHECK(std::count(s.begin(), s.end(), "A9 UID EXPUNGE 2") == 1);
      // LITERAL+ : the APPEND literal goes out without waiting.
      CHECK(p.transcript.find("APPEND Archive (\\Seen) {27+}\r\nSubject: kept") !=
            std::string::npos);
    }
  }

  TEST_CASE("another session's flags, expunge and delivery reach the client while it idles") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig;
      rig.two_messages();
      Pair p(rig.store,
             job({op(K::Select, "INBOX"), op(K::Idle), op(K::Idle), op(K::Idle), op(K::Noop)}));
      p.bytewise = bw;
      p.run();
      REQUIRE(p.client.idling());
      CHECK(p.client.state() == ClientState::Idling);
      imaptest::Session other(rig.store);
      other.select();
      other.send("s1 STORE 1 +FLAGS (\\Answered)\r\n");
      p.run();  // FETCH -> DONE -> second IDLE
      REQUIRE(p.client.idling());
      CHECK(has_flag(p.client.outcome().folders.at("INBOX").messages.at(1), "\\Answered"));
      other.send("s2 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
      other.send("s3 EXPUNGE\r\n");
      p.run();  // EXPUNGE -> DONE -> third IDLE
      REQUIRE(p.client.idling());
      CHECK(p.client.outcome().folders.at("INBOX").messages.count(2) == 0);
      rig.store.deliver(kBob, "From: dan@x.example\r\nSubject: fresh\r\n\r\nhi\r\n",
                        imaptest::kNow);
      p.run();  // EXISTS -> DONE -> UID FETCH of the new one -> NOOP -> LOGOUT
      CAPTURE(p.transcript);
      const auto& o = p.client.outcome();
      CHECK(p.client.done());
      CHECK(o.ok);
      const FolderView& inbox = o.folders.at("INBOX");
      CHECK(inbox.expunged == std::vector<std::uint32_t>{2});
      CHECK(inbox.exists == 2);
      REQUIRE(inbox.messages.count(3));
      CHECK(inbox.messages.at(3).subject == "fresh");
      CHECK(inbox.messages.at(3).from == "dan@x.example");
      auto s = p.sent();
      CHECK(std::count(s.begin(), s.end(), "DONE") == 3);
      CHECK(std::count(s.begin(), s.end(),
                       "A7 UID FETCH 2:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)") == 1);
    }
  }

  TEST_CASE("stop_idle() ends IDLE; a change outside IDLE arrives with the next command") {
    Rig rig;
    rig.two_messages();
    Pair p(rig.store, job({op(K::Select, "INBOX"), op(K::Idle), op(K::Noop)}));
    p.run();
    REQUIRE(p.client.idling());
    p.client.stop_idle();
    CHECK(p.client.state() == ClientState::Command);
    p.client.stop_idle();  // twice: still one DONE
    p.run();
    CHECK(p.client.outcome().ok);
    auto s = p.sent();
    CHECK(std::count(s.begin(), s.end(), "DONE") == 1);
  }

  TEST_CASE("untagged EXISTS after a command: the client fetches the new UIDs") {
    Rig rig2;
    rig2.two_messages();
    Pair q(rig2.store, job({op(K::Select, "INBOX"), op(K::Noop), op(K::Noop)}));
    // Run step by step until the first NOOP is written, then deliver.
    for (int i = 0; i < 50 && q.transcript.find("NOOP") == std::string::npos; ++i) {
      std::string s = q.server.take_output();
      q.transcript += s;
      q.client.feed(s);
      std::string c = q.client.take_output();
      q.transcript += c;
      if (c.find("NOOP") != std::string::npos)
        rig2.store.deliver(kBob, "Subject: late\r\n\r\nx\r\n", imaptest::kNow);
      q.server.feed(c);
    }
    q.run();
    const auto& o = q.client.outcome();
    CHECK(o.ok);
    REQUIRE(o.folders.at("INBOX").messages.count(3));
    CHECK(o.folders.at("INBOX").messages.at(3).subject == "late");
  }

  TEST_CASE("wrong password: login fails, LOGOUT, ok=false with the server's reason") {
    for (auto auth : {ClientAuth::Login, ClientAuth::SaslPlain}) {
      Rig rig;
      ClientJob j = job({op(K::SyncAll)}, auth);
      j.password = "wrong";
      Pair p(rig.store, j);
      p.run();
      const auto& o = p.client.outcome();
      CHECK(p.client.done());
      CHECK(o.finished);
      CHECK_FALSE(o.ok);
      CHECK(o.error.find("Login failed") != std::string::npos);
      CHECK(o.error.find("AUTHENTICATIONFAILED") != std::string::npos);
      CHECK(p.sent().back() == "A2 LOGOUT");
      CHECK(o.folders.empty());
    }
  }

  TEST_CASE("NO on SELECT of a missing folder: an error, and the next ops still run") {
    Rig rig;
    rig.two_messages();
    Pair p(rig.store,
           job({op(K::Select, "Nowhere"), op(K::FetchBody, {}, {1}), op(K::Create, "Made")}));
    p.run();
    const auto& o = p.client.outcome();
    CHECK(o.finished);
    CHECK_FALSE(o.ok);
    REQUIRE(o.errors.size() == 2);
    CHECK(o.errors[0].find("SELECT Nowhere failed: NO [NONEXISTENT]") == 0);
    CHECK(o.errors[1].find("needs a selected folder") != std::string::npos);
    CHECK(o.folders.count("Nowhere") == 0);
    CHECK(rig.store.folder(kBob, "Made"));  // the op after the failures ran
  }
}

// ---- scripted servers ----

namespace {

struct Scripted {
  Client client;
  bool bytewise = false;
  explicit Scripted(ClientJob j, bool bw = false) : client(std::move(j)), bytewise(bw) {}
  std::string say(const std::string& bytes) {
    feed(client, bytes, bytewise);
    return client.take_output();
  }
};

}  // namespace

TEST_SUITE("imap_client_scripted") {
  TEST_CASE("an absurd EXISTS ends the session instead of allocating gigabytes") {
    for (bool bw : {false, true}) {
      Scripted s(job({op(K::Select, "INBOX")}), bw);
      s.say("* OK [CAPABILITY IMAP4rev1] hi\r\n");
      CHECK(s.say("A1 OK in\r\n") == "A2 SELECT INBOX\r\n");
      s.say("* 2147483647 EXISTS\r\n");
      const auto& o = s.client.outcome();
      CHECK(s.client.done());
      CHECK_FALSE(o.ok);
      CHECK(o.error.find("claims 2147483647 messages") != std::string::npos);
    }
  }

  TEST_CASE("BAD for an op: an error, the session goes on and logs out") {
    for (bool bw : {false, true}) {
      Scripted s(job({op(K::Noop), op(K::Create, "Box")}), bw);
      CHECK(s.say("* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n") == "A1 LOGIN bob bobpw\r\n");
      CHECK(s.say("A1 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n") == "A2 NOOP\r\n");
      CHECK(s.say("A2 BAD what?\r\n") == "A3 CREATE Box\r\n");
      CHECK(s.say("A3 OK made\r\n") == "A4 LOGOUT\r\n");
      CHECK(s.client.state() == ClientState::Logout);
      CHECK(s.say("* BYE bye\r\nA4 OK done\r\n").empty());
      const auto& o = s.client.outcome();
      CHECK(s.client.done());
      CHECK_FALSE(o.ok);
      CHECK(o.errors == std::vector<std::string>{"NOOP failed: BAD what?"});
    }
  }

  TEST_CASE("capabilities: each new list replaces the last, whether longer, shorter or equal") {
    using V = std::vector<std::string>;
    Scripted s(job({op(K::Noop)}));
    s.say("* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] hi\r\n");
    CHECK(s.client.outcome().capabilities == V{"IMAP4REV1", "IDLE", "AUTH=PLAIN"});
    // The LOGIN OK's code: a prefix of the old list (AUTH=PLAIN gone) must not keep the rest.
    CHECK(s.say("A1 OK [CAPABILITY imap4rev1 idle] in\r\n") == "A2 NOOP\r\n");
    CHECK(s.client.outcome().capabilities == V{"IMAP4REV1", "IDLE"});
    // The same list in another case: kept as it is; a longer one and one reordered replace it.
    s.say("* CAPABILITY IMAP4REV1 Idle\r\n");
    CHECK(s.client.outcome().capabilities == V{"IMAP4REV1", "IDLE"});
    s.say("* CAPABILITY IMAP4rev1 IDLE MOVE\r\n");
    CHECK(s.client.outcome().capabilities == V{"IMAP4REV1", "IDLE", "MOVE"});
    s.say("* CAPABILITY MOVE IDLE IMAP4rev1\r\n");
    CHECK(s.client.outcome().capabilities == V{"MOVE", "IDLE", "IMAP4REV1"});
    // A list with nothing usable in it leaves the old one.
    s.say("* CAPABILITY (X) NIL\r\n");
    CHECK(s.client.outcome().capabilities == V{"MOVE", "IDLE", "IMAP4REV1"});
  }

  TEST_CASE("greeting without capabilities: CAPABILITY first; quoting of odd credentials") {
    ClientJob j = job({});
    j.login = "bob smith";
    j.password = "p\"w\\d";
    Scripted s(j);
    CHECK(s.say("* OK hi\r\n") == "A1 CAPABILITY\r\n");
    CHECK(s.client.state() == ClientState::Capability);
    CHECK(s.say("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA1 OK\r\n") ==
          "A2 LOGIN \"bob smith\" \"p\\\"w\\\\d\"\r\n");
    auto lines = imaptest::lines_of(s.client.take_events());
    CHECK(lines.back().secret == "\"p\\\"w\\\\d\"");
    CHECK(s.client.outcome().capabilities == std::vector<std::string>{"IMAP4REV1", "AUTH=PLAIN"});
    CHECK(s.say("A2 OK in\r\n") == "A3 LOGOUT\r\n");
    CHECK(s.say("* BYE\r\nA3 OK\r\n").empty());
    CHECK(s.client.outcome().ok);
  }

  TEST_CASE("PREAUTH greeting skips the login; AUTHENTICATE without SASL-IR waits for +") {
    Scripted pre(job({op(K::Noop)}));
    CHECK(pre.say("* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n") == "A1 NOOP\r\n");
    CHECK(pre.say("A1 OK\r\n") == "A2 LOGOUT\r\n");
    pre.say("* BYE\r\nA2 OK\r\n");
    CHECK(pre.client.outcome().ok);

    Scripted s(job({}, ClientAuth::SaslPlain));
    CHECK(s.say("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n") == "A1 AUTHENTICATE PLAIN\r\n");
    std::string blob = net::base64_encode(std::string("\0bob\0bobpw", 10));
    CHECK(s.say("+ \r\n") == blob + "\r\n");
    auto lines = imaptest::lines_of(s.client.take_events());
    CHECK(lines.back().secret == blob);
    CHECK(s.say("A1 OK in\r\n") == "A2 LOGOUT\r\n");
  }

  TEST_CASE("without LITERAL+ the APPEND literal waits for +; without MOVE: COPY, STORE, EXPUNGE") {
    for (bool bw : {false, true}) {
      ClientOp app = op(K::Append, "INBOX");
      app.data = "Subject: x\r\n\r\nbody\r\n";
      Scripted s(job({app, op(K::Select, "INBOX"), op(K::Move, "Old Stuff", {4, 5, 6, 9})}), bw);
      s.say("* OK [CAPABILITY IMAP4rev1 UIDPLUS] hi\r\n");
      CHECK(s.say("A1 OK in\r\n") == "A2 APPEND INBOX {20}\r\n");
      CHECK(s.client.state() == ClientState::Literal);
      CHECK(s.say("+ go ahead\r\n") == app.data + "\r\n");
      CHECK(s.client.state() == ClientState::Command);
      CHECK(s.say("A2 OK [APPENDUID 9 12] done\r\n") == "A3 SELECT INBOX\r\n");
      CHECK(s.client.outcome().appended_uids == std::vector<std::uint32_t>{12});
      CHECK(s.say("* 0 EXISTS\r\nA3 OK [READ-WRITE] ok\r\n") ==
            "A4 UID COPY 4:6,9 \"Old Stuff\"\r\n");
      CHECK(s.say("A4 OK [COPYUID 3 4:6,9 1:4] copied\r\n") ==
            "A5 UID STORE 4:6,9 +FLAGS.SILENT (\\Deleted)\r\n");
      CHECK(s.say("A5 OK\r\n") == "A6 UID EXPUNGE 4:6,9\r\n");
      CHECK(s.say("A6 OK\r\n") == "A7 LOGOUT\r\n");
    }
  }

  TEST_CASE("APPEND refused before +, IDLE without the capability, LOGINDISABLED") {
    ClientOp app = op(K::Append, "INBOX");
    app.data = std::string(100, 'x');
    Scripted s(job({app, op(K::Idle), op(K::Noop)}));
    s.say("* OK [CAPABILITY IMAP4rev1] hi\r\n");
    CHECK(s.say("A1 OK in\r\n") == "A2 APPEND INBOX {100}\r\n");
    CHECK(s.say("A2 NO [TOOBIG] too big\r\n") == "A3 NOOP\r\n");
    CHECK(s.client.outcome().appended_uids == std::vector<std::uint32_t>{0});
    CHECK(s.say("A3 OK\r\n") == "A4 NOOP\r\n");
    CHECK(s.say("A4 OK\r\n") == "A5 LOGOUT\r\n");
    CHECK(s.client.outcome().errors.size() == 2);
    CHECK(s.client.outcome().errors[0] == "APPEND failed: NO [TOOBIG] too big");
    CHECK(s.client.outcome().errors[1].find("does not offer IDLE") != std::string::npos);

    Scripted d(job({op(K::Noop)}));
    CHECK(d.say("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n") == "A1 LOGOUT\r\n");
    CHECK(d.client.outcome().error.find("LOGINDISABLED") != std::string::npos);
    // An unexpected "+" during LOGIN sends nothing (the password is never repeated).
    Scripted l(job({}));
    CHECK(l.say("* OK [CAPABILITY IMAP4rev1] hi\r\n") == "A1 LOGIN bob bobpw\r\n");
    CHECK(l.say("+ what\r\n").empty());
  }

  TEST_CASE("BYE in the middle of the session: ok=false at once") {
    Scripted s(job({op(K::Noop), op(K::Noop)}));
    s.say("* OK [CAPABILITY IMAP4rev1] hi\r\n");
    CHECK(s.say("A1 OK in\r\n") == "A2 NOOP\r\n");
    CHECK(s.say("* BYE Autologout; idle for too long\r\n").empty());
    CHECK(s.client.done());
    CHECK_FALSE(s.client.outcome().ok);
    CHECK(s.client.outcome().error ==
          "The server ended the session: Autologout; idle for too long");
    s.client.on_disconnect();  // nothing changes
    CHECK(s.client.outcome().errors.size() == 1);
  }

  TEST_CASE("disconnect in the middle of a literal") {
    Scripted s(job({op(K::Select, "INBOX"), op(K::FetchBody, {}, {1})}));
    s.say("* OK [CAPABILITY IMAP4rev1] hi\r\n");
    s.say("A1 OK in\r\n");
    CHECK(s.say("* 1 EXISTS\r\n* OK [UIDVALIDITY 5] v\r\nA2 OK sel\r\n") ==
          "A3 UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)\r\n");
    CHECK(s.say("* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 9 INTERNALDATE \"26-Nov-2026 08:00:00 "
                "+0000\" ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\nA3 OK\r\n") ==
          "A4 UID FETCH 1 BODY[]\r\n");
    CHECK(s.client.outcome().folders.at("INBOX").uid_validity == 5);
    s.say("* 1 FETCH (UID 1 BODY[] {9}\r\nSubj");
    CHECK_FALSE(s.client.done());
    s.client.on_disconnect();
    const auto& o = s.client.outcome();
    CHECK(s.client.done());
    CHECK_FALSE(o.ok);
    CHECK(o.error.find("middle of a literal") != std::string::npos);
    CHECK_FALSE(o.folders.at("INBOX").messages.at(1).data);
  }

  TEST_CASE("SyncAll: STATUS for folders besides INBOX, SELECT only where it must") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Scripted s(job({op(K::SyncAll)}), bw);
      s.say("* OK [CAPABILITY IMAP4rev1] hi\r\n");
      CHECK(s.say("A1 OK in\r\n") == "A2 LIST \"\" \"*\"\r\n");
      CHECK(s.say("* LIST () \"/\" Sent\r\n* LIST () \"/\" inbox\r\n"
                  "* LIST () \"/\" Trash\r\n* LIST () \"/\" Old\r\n"
                  "* LIST () \"/\" Gone\r\nA2 OK\r\n") ==
            "A3 STATUS Sent (MESSAGES UIDNEXT UIDVALIDITY)\r\n");
      // Sent holds messages: opened and fetched right after its STATUS, before the next folder.
      CHECK(s.say("* STATUS Sent (MESSAGES 1 UIDNEXT 8 UIDVALIDITY 3)\r\nA3 OK\r\n") ==
            "A4 SELECT Sent\r\n");
      CHECK(s.say("* 1 EXISTS\r\n* OK [UIDVALIDITY 3] v\r\nA4 OK sel\r\n") ==
            "A5 UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)\r\n");
      // INBOX (listed in any case) is always opened.
      CHECK(s.say("* 1 FETCH (UID 7 FLAGS ())\r\nA5 OK\r\n") == "A6 SELECT INBOX\r\n");
      CHECK(s.say("* 0 EXISTS\r\n* OK [UIDVALIDITY 1] v\r\nA6 OK sel\r\n") ==
            "A7 STATUS Trash (MESSAGES UIDNEXT UIDVALIDITY)\r\n");
      // Empty: its counters are its whole view; a STATUS for another folder is ignored.
      CHECK(s.say("* STATUS Sent (MESSAGES 9 UIDNEXT 99 UIDVALIDITY 99)\r\n"
                  "* STATUS Trash (MESSAGES 0 UIDNEXT 4 UIDVALIDITY 5)\r\nA7 OK\r\n") ==
            "A8 STATUS Old (MESSAGES UIDNEXT UIDVALIDITY)\r\n");
      // A server that leaves UIDVALIDITY out: the folder is opened to learn it.
      CHECK(s.say("* STATUS Old (MESSAGES 0)\r\nA8 OK\r\n") == "A9 SELECT Old\r\n");
      CHECK(s.say("* 0 EXISTS\r\n* OK [UIDVALIDITY 6] v\r\nA9 OK sel\r\n") ==
            "A10 STATUS Gone (MESSAGES UIDNEXT UIDVALIDITY)\r\n");
      // STATUS refused: SELECT says what is wrong (and is the one failure recorded).
      CHECK(s.say("A10 NO [NONEXISTENT] no such folder\r\n") == "A11 SELECT Gone\r\n");
      CHECK(s.say("A11 NO [NONEXISTENT] no such folder\r\n") == "A12 LOGOUT\r\n");
      s.say("* BYE bye\r\nA12 OK\r\n");
      const auto& o = s.client.outcome();
      CHECK(s.client.done());
      CHECK(o.errors ==
            std::vector<std::string>{"SELECT Gone failed: NO [NONEXISTENT] no such folder"});
      CHECK(o.folders.at("Sent").uid_validity == 3);
      CHECK(o.folders.at("Sent").messages.count(7) == 1);
      const FolderView& trash = o.folders.at("Trash");
      CHECK(trash.uid_validity == 5);
      CHECK(trash.uid_next == 4);
      CHECK(trash.exists == 0);
      CHECK(trash.messages.empty());
      CHECK(o.folders.at("Old").uid_validity == 6);
      CHECK(o.folders.at("Gone").uid_validity == 0);  // listed, never opened
    }
  }

  TEST_CASE("SyncAll skips SELECT only after a whole, well-formed STATUS answer") {
    struct Case {
      const char* answer;
      bool skips;
    };
    const Case cases[] = {
        {"* STATUS X (MESSAGES 0 UIDNEXT 4 UIDVALIDITY 5)\r\n", true},
        {"* STATUS X (UIDVALIDITY 5 MESSAGES 0)\r\n", true},  // any order
        {"* STATUS X (UIDNEXT 4 UIDVALIDITY 5)\r\n", false},  // MESSAGES missing
        {"* STATUS X (MESSAGES abc UIDVALIDITY 5)\r\n", false},
        {"* STATUS X (MESSAGES 99999999999999999999 UIDVALIDITY 5)\r\n", false},
        {"* STATUS X (MESSAGES 4294967296 UIDVALIDITY 5)\r\n", false},  // not 32-bit
        {"* STATUS X (MESSAGES 0 UIDVALIDITY 0)\r\n", false},
        {"* STATUS X (MESSAGES 0 UIDVALIDITY)\r\n", false},
        {"* 3 STATUS X (MESSAGES 0 UIDVALIDITY 5)\r\n", false},  // numbered: not STATUS
        {"* STATUS X MESSAGES 0\r\n", false},
        {"* STATUS Y (MESSAGES 0 UIDVALIDITY 5)\r\n", false},  // another folder
        {"", false},                                           // no answer at all
    };
    for (const auto& k : cases) {
      CAPTURE(k.answer);
      Scripted s(job({op(K::SyncAll)}));
      s.say("* OK [CAPABILITY IMAP4rev1] hi\r\n");
      s.say("A1 OK in\r\n");
      CHECK(s.say("* LIST () \"/\" X\r\nA2 OK\r\n") ==
            "A3 STATUS X (MESSAGES UIDNEXT UIDVALIDITY)\r\n");
      CHECK(s.say(std::string(k.answer) + "A3 OK\r\n") ==
            (k.skips ? "A4 LOGOUT\r\n" : "A4 SELECT X\r\n"));
      // The same answer given by LIST-STATUS, after the folder's LIST line.
      Scripted l(job({op(K::SyncAll)}));
      l.say("* OK [CAPABILITY IMAP4rev1 LIST-STATUS] hi\r\n");
      l.say("A1 OK in\r\n");
      CHECK(l.say("* LIST () \"/\" X\r\n" + std::string(k.answer) + "A2 OK\r\n") ==
            (k.skips ? "A3 LOGOUT\r\n" : "A3 SELECT X\r\n"));
      if (k.skips) CHECK(l.client.outcome().folders.at("X").uid_validity == 5);
      if (k.skips) {
        const FolderView& x = s.client.outcome().folders.at("X");
        CHECK(x.exists == 0);
        CHECK(x.uid_validity == 5);
        CHECK(x.messages.empty());
      }
    }
  }

  TEST_CASE("SyncAll with LIST-STATUS: the counters come with LIST, no STATUS commands") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Scripted s(job({op(K::Select, "Junk"), op(K::SyncAll)}), bw);
      s.say("* OK [CAPABILITY IMAP4rev1 LIST-EXTENDED LIST-STATUS] hi\r\n");
      CHECK(s.say("A1 OK in\r\n") == "A2 SELECT Junk\r\n");
      CHECK(s.say("* 0 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\nA2 OK sel\r\n") ==
            "A3 LIST \"\" \"*\" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY))\r\n");
      CHECK(s.say("* LIST () \"/\" Sent\r\n* STATUS Sent (MESSAGES 1 UIDNEXT 8 UIDVALIDITY 3)\r\n"
                  "* LIST () \"/\" inbox\r\n* STATUS inbox (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 1)\r\n"
                  "* LIST () \"/\" Trash\r\n* STATUS Trash (MESSAGES 0 UIDNEXT 4 UIDVALIDITY 5)\r\n"
                  "* LIST () \"/\" Old\r\n* STATUS Old (MESSAGES 0)\r\n"
                  "* LIST () \"/\" Gone\r\n"
                  "* LIST (\\Noselect) \"/\" Dir (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
                  "* STATUS Dir (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 2)\r\n"
                  "* STATUS Phantom (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 2)\r\n"
                  "* LIST () \"/\" Junk\r\n* STATUS Junk (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 9)\r\n"
                  "A3 OK\r\n") == "A4 SELECT Sent\r\n");
      // Sent holds mail; INBOX is always opened; Trash is empty and complete: skipped. Old
      // left UIDVALIDITY out, Gone got no STATUS, and Junk is the selected folder, whose
      // STATUS a client does not trust (RFC 5819 §2): all three are opened.
      CHECK(s.say("* 1 EXISTS\r\n* OK [UIDVALIDITY 3] v\r\nA4 OK sel\r\n") ==
            "A5 UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)\r\n");
      CHECK(s.say("* 1 FETCH (UID 7 FLAGS ())\r\nA5 OK\r\n") == "A6 SELECT INBOX\r\n");
      CHECK(s.say("* 0 EXISTS\r\n* OK [UIDVALIDITY 1] v\r\nA6 OK sel\r\n") == "A7 SELECT Old\r\n");
      CHECK(s.say("* 0 EXISTS\r\n* OK [UIDVALIDITY 6] v\r\nA7 OK sel\r\n") == "A8 SELECT Gone\r\n");
      CHECK(s.say("A8 NO [NONEXISTENT] no such folder\r\n") == "A9 SELECT Junk\r\n");
      CHECK(s.say("* 0 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\nA9 OK sel\r\n") == "A10 LOGOUT\r\n");
      s.say("* BYE bye\r\nA10 OK\r\n");
      const auto& o = s.client.outcome();
      CHECK(s.client.done());
      CHECK(o.errors ==
            std::vector<std::string>{"SELECT Gone failed: NO [NONEXISTENT] no such folder"});
      CHECK(o.folders.at("Sent").messages.count(7) == 1);
      const FolderView& trash = o.folders.at("Trash");
      CHECK(trash.uid_validity == 5);
      CHECK(trash.uid_next == 4);
      CHECK(trash.messages.empty());
      CHECK(o.folders.at("Old").uid_validity == 6);
      CHECK(o.folders.count("Phantom") == 0);        // a STATUS for a folder LIST did not name
      CHECK(o.folders.at("Dir").uid_validity == 0);  // \Noselect: never looked at
    }
  }

  TEST_CASE("SyncAll: LIST-STATUS offered but refused, a STATUS before its LIST, a name twice") {
    Scripted s(job({op(K::SyncAll)}));
    s.say("* OK [CAPABILITY IMAP4rev1 LIST-STATUS] hi\r\n");
    CHECK(s.say("A1 OK in\r\n") ==
          "A2 LIST \"\" \"*\" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY))\r\n");
    // BAD: the client asks again the plain way, then STATUS per folder (no error recorded).
    CHECK(s.say("A2 BAD unknown syntax\r\n") == "A3 LIST \"\" \"*\"\r\n");
    CHECK(s.say("* LIST () \"/\" X\r\nA3 OK\r\n") ==
          "A4 STATUS X (MESSAGES UIDNEXT UIDVALIDITY)\r\n");
    CHECK(s.say("* STATUS X (MESSAGES 0 UIDVALIDITY 5)\r\nA4 OK\r\n") == "A5 LOGOUT\r\n");
    s.say("* BYE\r\nA5 OK\r\n");
    CHECK(s.client.outcome().ok);
    CHECK(s.client.outcome().errors.empty());

    Scripted t(job({op(K::SyncAll)}));
    t.say("* OK [CAPABILITY IMAP4rev1 LIST-STATUS] hi\r\n");
    t.say("A1 OK in\r\n");
    // Y's STATUS comes before its LIST line and is not taken: Y is opened. X is listed twice
    // and opened once; its counters were given after its first line.
    CHECK(t.say("* STATUS Y (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 2)\r\n* LIST () \"/\" Y\r\n"
                "* LIST () \"/\" X\r\n* STATUS X (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 5)\r\n"
                "* LIST () \"/\" X\r\nA2 OK\r\n") == "A3 SELECT Y\r\n");
    CHECK(t.say("* 0 EXISTS\r\nA3 OK\r\n") == "A4 SELECT X\r\n");
    CHECK(t.say("* 0 EXISTS\r\nA4 OK\r\n") == "A5 LOGOUT\r\n");
    // A refusal of the plain LIST is an error, and nothing is retried.
    Scripted u(job({op(K::SyncAll)}));
    u.say("* OK [CAPABILITY IMAP4rev1] hi\r\n");
    u.say("A1 OK in\r\n");
    CHECK(u.say("A2 BAD no\r\n") == "A3 LOGOUT\r\n");
    CHECK(u.client.outcome().errors == std::vector<std::string>{"LIST failed: BAD no"});
  }

  TEST_CASE("LIST: INBOX in any case is the one INBOX, opened by SELECT") {
    Scripted s(job({op(K::SyncAll)}));
    s.say("* OK [CAPABILITY IMAP4rev1] hi\r\n");
    s.say("A1 OK in\r\n");
    // "&AGk-nbox" would be "inbox" with its "i" base64-encoded, which RFC 3501 §5.1.3
    // forbids for printable ASCII: it does not decode, so it is listed but never opened.
    CHECK(s.say("* LIST () \"/\" &AGk-nbox\r\n* LIST () \"/\" inbox\r\nA2 OK\r\n") ==
          "A3 SELECT INBOX\r\n");
    CHECK(s.say("* 0 EXISTS\r\n* OK [UIDVALIDITY 1] v\r\nA3 OK\r\n") == "A4 LOGOUT\r\n");
    CHECK(s.client.outcome().folders.count("INBOX") == 1);
    CHECK(s.client.outcome().folders.count("inbox") == 0);
  }

  TEST_CASE("greeting BYE: the session ends before it starts") {
    Scripted s(job({op(K::SyncAll)}));
    CHECK(s.say("* BYE Too many connections\r\n").empty());
    CHECK(s.client.done());
    CHECK_FALSE(s.client.outcome().ok);
    CHECK(s.client.outcome().error == "The server ended the session: Too many connections");
    auto lines = imaptest::lines_of(s.client.take_events());
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfc == "RFC 3501 §7.1.5");
  }

  TEST_CASE("disconnect before the greeting, and a garbage greeting") {
    Scripted s(job({}));
    s.client.on_disconnect();
    CHECK(s.client.done());
    CHECK_FALSE(s.client.outcome().ok);
    Scripted g(job({}));
    g.say("HTTP/1.1 400 Bad Request\r\n");
    CHECK(g.client.done());
    CHECK_FALSE(g.client.outcome().ok);
  }
}

// ---- the response parser ----

TEST_SUITE("imap_response_parser") {
  TEST_CASE("ENVELOPE with NIL, literals and quoted escapes") {
    std::string text =
        "(\"Thu, 26 Nov 2026 08:00:00 +0000\" {10}\r\nHi \"there\" "
        "((\"Ana \\\"A\\\" \\\\ B\" NIL \"ana\" \"sender.example\")) NIL NIL "
        "((NIL NIL \"bob\" \"recipient.example\")(\"Carol\" NIL \"carol\" \"x.example\")) "
        "NIL NIL NIL \"<1@sender.example>\")";
    std::size_t pos = 0;
    auto v = parse_value(text, pos);
    REQUIRE(v);
    CHECK(pos == text.size());
    auto e = parse_envelope(*v);
    REQUIRE(e);
    CHECK(e->date == "Thu, 26 Nov 2026 08:00:00 +0000");
    CHECK(e->subject == "Hi \"there\"");
    REQUIRE(e->from.size() == 1);
    CHECK(e->from[0].name == "Ana \"A\" \\ B");
    CHECK_FALSE(e->from[0].adl);
    CHECK(e->from[0].display() == "Ana \"A\" \\ B <ana@sender.example>");
    CHECK(e->sender.empty());
    REQUIRE(e->to.size() == 2);
    CHECK(e->to[0].display() == "bob@recipient.example");
    CHECK(e->to[1].display() == "Carol <carol@x.example>");
    CHECK_FALSE(e->in_reply_to);
    CHECK(e->message_id == "<1@sender.example>");
    CHECK_FALSE(parse_envelope(Value{}));
  }

  TEST_CASE("values: atoms with sections, flags, numbers, NIL, nested lists; bad input") {
    auto vs = parse_values("BODY[HEADER.FIELDS (SUBJECT FROM)]<0> \\Seen \\* 42 nil (a (b)) \"\"");
    REQUIRE(vs.size() == 7);
    CHECK(vs[0].text == "BODY[HEADER.FIELDS (SUBJECT FROM)]<0>");
    CHECK(vs[1].text == "\\Seen");
    CHECK(vs[2].text == "\\*");
    CHECK(vs[3].kind == Value::Kind::Number);
    CHECK(vs[3].number == 42);
    CHECK(vs[4].is_nil());
    REQUIRE(vs[5].items.size() == 2);
    CHECK(vs[5].items[1].items[0].text == "b");
    CHECK(vs[6].kind == Value::Kind::String);
    CHECK(vs[6].str() == "");
    for (const char* bad : {"(a b", "\"open", "{5}\r\nabc", "{x}\r\n", "\\", ")"}) {
      std::size_t pos = 0;
      CHECK_FALSE(parse_value(bad, pos));
      CHECK(pos == 0);
    }
  }

  TEST_CASE("responses: status with codes, data, continuation, tagged") {
    auto r = parse_response("* OK [UIDVALIDITY 3857529045] UIDs valid");
    REQUIRE(r);
    CHECK(r->kind == Response::Kind::Untagged);
    CHECK(r->status == "OK");
    CHECK(r->code == "UIDVALIDITY");
    REQUIRE(r->code_args.size() == 1);
    CHECK(r->code_args[0].number == 3857529045u);
    CHECK(r->text == "UIDs valid");
    r = parse_response("A3 ok [APPENDUID 38505 3955] APPEND completed");
    REQUIRE(r);
    CHECK(r->kind == Response::Kind::Tagged);
    CHECK(r->tag == "A3");
    CHECK(r->status == "OK");
    CHECK(r->code == "APPENDUID");
    CHECK(r->code_args[1].number == 3955);
    r = parse_response("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited");
    REQUIRE(r);
    CHECK(r->code_args[0].items.size() == 3);
    r = parse_response("* CAPABILITY IMAP4rev1 AUTH=PLAIN");
    REQUIRE(r);
    CHECK(r->name == "CAPABILITY");
    CHECK(r->data.size() == 2);
    r = parse_response("* 23 EXISTS");
    REQUIRE(r);
    CHECK(r->numbered);
    CHECK(r->number == 23);
    CHECK(r->name == "EXISTS");
    r = parse_response("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"");
    REQUIRE(r);
    REQUIRE(r->data.size() == 3);
    CHECK(r->data[2].str() == "Sent Items");
    r = parse_response("+ idling");
    REQUIRE(r);
    CHECK(r->kind == Response::Kind::Continuation);
    CHECK(r->text == "idling");
    CHECK_FALSE(parse_response("A1 MAYBE"));
    CHECK_FALSE(parse_response(""));
  }

  TEST_CASE("reader: a FETCH with two literals, whole or byte by byte") {
    std::string wire =
        "* 1 FETCH (UID 7 BODY[HEADER] {5}\r\nab\r\n\r BODY[TEXT] {3}\r\nxyz)\r\nA1 OK done\r\n";
    for (bool bw : {false, true}) {
      ResponseReader rd;
      std::vector<ReaderItem> items;
      auto drain = [&] {
        while (auto it = rd.next()) items.push_back(std::move(*it));
      };
      if (bw) {
        for (char c : wire) {
          rd.feed(std::string_view(&c, 1));
          drain();
        }
      } else {
        rd.feed(wire);
        drain();
      }
      REQUIRE(items.size() == 2);
      CHECK_FALSE(rd.partial());
      REQUIRE(items[0].response);
      CHECK(items[0].segments.size() == 5);
      const auto& list = items[0].response->data.at(0).items;
      REQUIRE(list.size() == 6);
      CHECK(list[3].text == "ab\r\n\r");
      CHECK(list[5].text == "xyz");
      CHECK(items[1].response->tag == "A1");
    }
  }
}

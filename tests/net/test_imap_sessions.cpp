#include <doctest/doctest.h>

#include <string>

#include "imap_test_util.hpp"

using namespace net::imap;
using imaptest::Rig;
using imaptest::Session;

namespace {
const char* kBob = "bob@recipient.example";
}

TEST_CASE("IMAP two sessions: new mail, flags and expunges reported after the next command") {
  Rig rig;
  rig.two_messages();
  Session a(rig.store), b(rig.store);
  a.select();
  b.select();
  // New mail by SMTP: reported on the next command, before its tagged OK.
  rig.store.deliver(kBob, "Subject: new\r\n\r\nx\r\n", imaptest::kNow);
  CHECK_FALSE(a.server.has_output());
  CHECK(a.send("n NOOP\r\n") == "* 3 EXISTS\r\n* 3 RECENT\r\nn OK NOOP completed\r\n");
  // B changes flags: A sees FETCH FLAGS; B sees its own STORE result only.
  CHECK(b.send("s STORE 1 +FLAGS (\\Seen)\r\n") ==
        "* 1 FETCH (FLAGS (\\Seen))\r\n* 3 EXISTS\r\n* 0 RECENT\r\ns OK STORE completed\r\n");
  CHECK(a.send("n NOOP\r\n") ==
        "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))\r\nn OK NOOP completed\r\n");
  // B expunges message 2: A hears of it on NOOP, but not while answering FETCH.
  b.send("s STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(b.send("e EXPUNGE\r\n") == "* 2 EXPUNGE\r\ne OK EXPUNGE completed\r\n");
  // Message 2 is gone from the store but not yet announced: FETCH leaves it out.
  CHECK(a.send("f FETCH 2 FLAGS\r\n") == "f OK FETCH completed\r\n");
  CHECK(a.send("f FETCH 1:* UID\r\n") ==
        "* 1 FETCH (UID 1)\r\n* 3 FETCH (UID 3)\r\nf OK FETCH completed\r\n");
  CHECK(a.send("s SEARCH ALL\r\n") == "* SEARCH 1 3\r\ns OK SEARCH completed\r\n");
  // A UID command may carry the EXPUNGE (RFC 3501 §7.4.1).
  CHECK(a.send("u UID FETCH 1 UID\r\n") ==
        "* 1 FETCH (UID 1)\r\n* 2 EXPUNGE\r\nu OK UID FETCH completed\r\n");
  CHECK(a.send("n NOOP\r\n") == "n OK NOOP completed\r\n");
}

TEST_CASE("IMAP two sessions: EXISTS before EXPUNGE keeps sequence numbers right") {
  Rig rig;
  rig.two_messages();
  Session a(rig.store), b(rig.store);
  a.select();
  b.select();
  rig.store.deliver(kBob, "Subject: 3\r\n\r\n3\r\n", 0);
  CHECK(b.send("n NOOP\r\n") == "* 3 EXISTS\r\n* 1 RECENT\r\nn OK NOOP completed\r\n");
  b.send("s UID STORE 3 +FLAGS.SILENT (\\Deleted)\r\n");
  b.send("e EXPUNGE\r\n");
  // A learns of message 3 and that it is gone.
  CHECK(a.send("n NOOP\r\n") ==
        "* 3 EXISTS\r\n* 2 RECENT\r\n* 3 EXPUNGE\r\nn OK NOOP completed\r\n");
}

TEST_CASE("IMAP two sessions: APPEND and COPY into the selected mailbox; other folders quiet") {
  Rig rig;
  Session a(rig.store), b(rig.store);
  a.select();
  b.login();
  CHECK(b.send("p APPEND INBOX {8+}\r\nSubject:\r\n") ==
        "p OK [APPENDUID 1 1] APPEND completed\r\n");
  CHECK(b.send("p APPEND Sent {8+}\r\nSubject:\r\n") ==
        "p OK [APPENDUID 4 1] APPEND completed\r\n");
  CHECK(a.send("n NOOP\r\n") == "* 1 EXISTS\r\n* 1 RECENT\r\nn OK NOOP completed\r\n");
  // The session's own APPEND to its selected mailbox is reported too.
  CHECK(a.send("q APPEND INBOX {8+}\r\nSubject:\r\n") ==
        "* 2 EXISTS\r\n* 2 RECENT\r\nq OK [APPENDUID 1 2] APPEND completed\r\n");
  // Another account's mail is none of A's business.
  rig.store.deliver("carol@recipient.example", "x\r\n", 0);
  CHECK(a.send("n NOOP\r\n") == "n OK NOOP completed\r\n");
}

TEST_CASE("IMAP IDLE: changes pushed at once, DONE ends it") {
  Rig rig;
  rig.two_messages();
  Session a(rig.store), b(rig.store);
  a.select();
  b.select();
  CHECK(a.send("i IDLE\r\n") == "+ idling\r\n");
  CHECK(a.server.idling());
  rig.store.deliver(kBob, "Subject: 3\r\n\r\n3\r\n", 0);
  CHECK(a.server.has_output());
  CHECK(a.server.take_output() == "* 3 EXISTS\r\n* 3 RECENT\r\n");
  b.send("s STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(a.server.take_output() == "* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))\r\n");
  b.send("e EXPUNGE\r\n");
  CHECK(a.server.take_output() == "* 1 EXPUNGE\r\n");
  CHECK(a.send("DO", true) == "");
  CHECK(a.send("NE\r\n", true) == "i OK IDLE terminated\r\n");
  CHECK_FALSE(a.server.idling());
  CHECK(a.send("n NOOP\r\n") == "n OK NOOP completed\r\n");
  // Anything but DONE ends IDLE with BAD.
  CHECK(a.send("j IDLE\r\n") == "+ idling\r\n");
  CHECK(a.send("k NOOP\r\n") == "j BAD Expected DONE\r\n");
  CHECK(a.send("j IDLE x\r\n") == "j BAD IDLE takes no arguments\r\n");
  // IDLE flushes what is pending before the continuation.
  rig.store.deliver(kBob, "Subject: 4\r\n\r\n4\r\n", 0);
  CHECK(a.send("l IDLE\r\n") == "* 3 EXISTS\r\n* 3 RECENT\r\n+ idling\r\n");
  // IDLE is allowed in the authenticated state too.
  Session c(rig.store);
  c.login();
  CHECK(c.send("m IDLE\r\n") == "+ idling\r\n");
  CHECK(c.send("DONE\r\n") == "m OK IDLE terminated\r\n");
}

TEST_CASE("IMAP sessions come and go: listeners are removed; deleted and renamed folders") {
  Rig rig;
  rig.two_messages();
  {
    Session gone(rig.store);
    gone.select();
  }
  rig.store.deliver(kBob, "x\r\n", 0);  // must not call into the destroyed session
  Session a(rig.store), b(rig.store);
  a.login();
  a.send("c CREATE Work\r\n");
  a.send("c APPEND Work {3+}\r\nx\r\n\r\n");
  a.send("s SELECT Work\r\n");
  b.login();
  CHECK(b.send("r RENAME Work Jobs\r\n") == "r OK RENAME completed\r\n");
  CHECK(a.server.mailbox() == "Jobs");
  CHECK(a.send("f FETCH 1 UID\r\n") == "* 1 FETCH (UID 1)\r\nf OK FETCH completed\r\n");
  CHECK(b.send("d DELETE Jobs\r\n") == "d OK DELETE completed\r\n");
  CHECK(a.send("n NOOP\r\n") == "* 1 EXPUNGE\r\nn OK NOOP completed\r\n");
}

TEST_CASE("IMAP POP3-style removal is seen as an EXPUNGE") {
  Rig rig;
  rig.two_messages();
  Session a(rig.store);
  a.select();
  CHECK(rig.store.remove(kBob, 1));
  CHECK(a.send("n NOOP\r\n") == "* 1 EXPUNGE\r\nn OK NOOP completed\r\n");
}

TEST_CASE("IMAP events: parsed and sent lines with meanings; state changes") {
  Rig rig;
  rig.two_messages();
  Session a(rig.store);
  a.send("L LOGIN bob bobpw\r\n");
  a.send("S SELECT INBOX\r\n");
  a.send("C CLOSE\r\n");
  a.send("O LOGOUT\r\n");
  auto ev = a.server.take_events();
  CHECK(imaptest::states_of(ev) ==
        std::vector<std::string>{"NotAuthenticated>Authenticated", "Authenticated>Selected",
                                 "Selected>Authenticated", "Authenticated>Logout"});
  auto lines = imaptest::lines_of(ev);
  REQUIRE(lines.size() > 4);
  CHECK_FALSE(lines[0].sent);
  CHECK(lines[0].label == "LOGIN");
  CHECK(lines[0].rfc == "RFC 3501 §6.2.3");
  CHECK_FALSE(lines[0].meaning.empty());
  CHECK(lines[1].sent);
  CHECK(lines[1].label == "OK");
  bool exists = false;
  for (const auto& l : lines)
    exists = exists || (l.sent && l.label == "EXISTS" && l.text == "* 2 EXISTS" &&
                        l.rfc == "RFC 3501 §7.3.1");
  CHECK(exists);
  for (const auto& c : Server::commands()) {
    CHECK(c.verb != nullptr);
    CHECK_FALSE(std::string(c.rfc).empty());
    CHECK_FALSE(c.allowed.empty());
  }
}

TEST_CASE("IMAP robustness: random and truncated input never crashes the engine") {
  Rig rig;
  rig.two_messages();
  const char* pieces[] = {"a1 ",
                          "LOGIN bob bobpw",
                          "SELECT INBOX",
                          "FETCH 1:* (BODY[",
                          "{5}",
                          "{3+}",
                          "\r\n",
                          "UID ",
                          "SEARCH OR (",
                          "STORE 1 +FLAGS (\\",
                          "\"quoted",
                          ")",
                          "]",
                          "<0.",
                          "*",
                          "IDLE",
                          "DONE",
                          "APPEND INBOX ",
                          "AUTHENTICATE PLAIN",
                          "COPY 1 Trash",
                          "MOVE 2:* Junk",
                          "EXPUNGE",
                          "LIST \"\" *",
                          "RENAME INBOX X",
                          "\x00",
                          "\xff",
                          " ",
                          "NIL"};
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fff;
  };
  for (int session = 0; session < 40; ++session) {
    Session s(rig.store);
    std::string input;
    for (int i = 0; i < 200; ++i) input += pieces[next() % (sizeof pieces / sizeof *pieces)];
    for (size_t pos = 0; pos < input.size();) {
      size_t n = 1 + next() % 17;
      s.server.feed(std::string_view(input).substr(pos, n));
      pos += n;
      s.server.take_output();
      s.server.take_events();
    }
    s.server.on_disconnect();
  }
  CHECK(rig.store.folder("bob@recipient.example", "INBOX") != nullptr);
}

TEST_CASE("IMAP robustness: mutated valid commands in two interleaved sessions") {
  Rig rig;
  rig.two_messages();
  const char* cmds[] = {"SELECT INBOX",
                        "EXAMINE Trash",
                        "FETCH 1:* (FLAGS UID BODY.PEEK[HEADER.FIELDS (FROM)])",
                        "FETCH * BODY[]<2.5>",
                        "UID FETCH 1:* (ENVELOPE BODYSTRUCTURE)",
                        "STORE 1:* +FLAGS (\\Deleted)",
                        "STORE 1 -FLAGS.SILENT (\\Seen $X)",
                        "UID EXPUNGE 1:*",
                        "EXPUNGE",
                        "SEARCH OR SEEN (UNSEEN FROM a) NOT 1:*",
                        "COPY 1:2 Trash",
                        "UID MOVE 1:* Junk",
                        "MOVE 1 INBOX",
                        "APPEND INBOX (\\Seen) {12+}\r\nSubject: x\r\n",
                        "CREATE A/B/C",
                        "RENAME A X/Y",
                        "DELETE X",
                        "DELETE X/Y/B",
                        "LIST \"\" *",
                        "LSUB \"\" %",
                        "STATUS INBOX (MESSAGES UNSEEN)",
                        "NOOP",
                        "CLOSE",
                        "UNSELECT",
                        "IDLE",
                        "DONE",
                        "SUBSCRIBE Junk",
                        "RENAME INBOX Old",
                        "CHECK"};
  uint32_t seed = 777;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fff;
  };
  ServerConfig cfg;
  cfg.max_bad_commands = 1000000;  // keep both sessions alive through the noise
  Session a(rig.store, cfg), b(rig.store, cfg);
  int oks = 0;
  a.send("l LOGIN bob bobpw\r\n");
  b.send("l LOGIN bob bobpw\r\n");
  for (int i = 0; i < 1500; ++i) {
    std::string c =
        std::string("t") + std::to_string(i) + " " + cmds[next() % (sizeof cmds / sizeof *cmds)];
    if (c.find(" DONE") != std::string::npos) c = "DONE";
    if (next() % 5 == 0 && !c.empty()) {
      size_t p = next() % c.size();
      if (next() % 2) {
        c.erase(p, 1 + next() % 4);
      } else {
        c.insert(p, 1, "(){}[]<>*%\" \\0"[next() % 14]);
      }
    }
    if (next() % 50 == 0) rig.store.deliver("bob@recipient.example", "Subject: n\r\n\r\nb\r\n", i);
    std::string out = (next() % 2 ? a : b).send(c + "\r\n", next() % 8 == 0);
    oks += out.find(" OK ") != std::string::npos;
  }
  CHECK(oks > 500);  // many commands ran
  CHECK(rig.store.folder("bob@recipient.example", "INBOX") != nullptr);
}

TEST_CASE("IMAP \\Recent: the first session to learn of a message gets it (RFC 3501 2.3.2)") {
  Rig rig;
  rig.two_messages();
  Session peek(rig.store), first(rig.store), second(rig.store);
  peek.login();
  CHECK(peek.send("s STATUS INBOX (RECENT)\r\n") ==
        "* STATUS INBOX (RECENT 2)\r\ns OK STATUS completed\r\n");
  // EXAMINE sees them as \Recent without taking that away from the next SELECT.
  CHECK(peek.send("e EXAMINE INBOX\r\n").find("* 2 RECENT\r\n") != std::string::npos);
  first.select();
  CHECK(first.send("f SEARCH RECENT\r\n") == "* SEARCH 1 2\r\nf OK SEARCH completed\r\n");
  first.send("s STORE 1 +FLAGS.SILENT (\\Seen)\r\n");
  CHECK(first.send("f SEARCH NEW\r\n") == "* SEARCH 2\r\nf OK SEARCH completed\r\n");
  CHECK(first.send("f SEARCH OLD\r\n") == "* SEARCH\r\nf OK SEARCH completed\r\n");
  CHECK(first.send("s STATUS INBOX (RECENT)\r\n") ==
        "* STATUS INBOX (RECENT 2)\r\ns OK STATUS completed\r\n");
  second.login();
  CHECK(second.send("s STATUS INBOX (RECENT)\r\n") ==
        "* STATUS INBOX (RECENT 0)\r\ns OK STATUS completed\r\n");
  CHECK(second.send("x SELECT INBOX\r\n").find("* 0 RECENT\r\n") != std::string::npos);
  CHECK(second.send("f FETCH 2 FLAGS\r\n") == "* 2 FETCH (FLAGS ())\r\nf OK FETCH completed\r\n");
  CHECK(second.send("f SEARCH OLD\r\n") == "* SEARCH 1 2\r\nf OK SEARCH completed\r\n");
}

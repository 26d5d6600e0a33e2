#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "imap_test_util.hpp"
#include "net/smtp/sasl.hpp"

using namespace net::imap;
using imaptest::Rig;
using imaptest::Session;

namespace {
const std::string kCaps =
    "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE MOVE UNSELECT UIDPLUS SPECIAL-USE "
    "CHILDREN LIST-EXTENDED LIST-STATUS AUTH=PLAIN";
}

TEST_CASE("IMAP greeting, CAPABILITY, NOOP, LOGOUT") {
  Server::commands();  // usable before any server exists
  Rig rig;
  Server s({}, rig.store, [] { return imaptest::kNow; });
  s.on_connect("10.0.0.2", "");
  CHECK(s.take_output() ==
        "* OK [CAPABILITY " + kCaps + "] imap.recipient.example IMAP4rev1 mailsim ready\r\n");
  CHECK(s.state() == State::NotAuthenticated);
  s.feed("a CAPABILITY\r\n");
  CHECK(s.take_output() == "* CAPABILITY " + kCaps + "\r\na OK CAPABILITY completed\r\n");
  s.feed("b NOOP\r\n");
  CHECK(s.take_output() == "b OK NOOP completed\r\n");
  s.feed("c NOOP extra\r\n");
  CHECK(s.take_output() == "c BAD NOOP takes no arguments\r\n");
  s.feed("d LOGOUT\r\n");
  CHECK(s.take_output() == "* BYE imap.recipient.example logging out\r\nd OK LOGOUT completed\r\n");
  CHECK(s.wants_close());
  CHECK(s.state() == State::Logout);
  s.feed("e NOOP\r\n");
  CHECK(s.take_output().empty());
}

TEST_CASE("IMAP bad input: unknown command, missing tag, wrong state, long line") {
  Rig rig;
  Session c(rig.store);
  CHECK(c.send("a FROB\r\n") == "a BAD Unknown command FROB\r\n");
  CHECK(c.send("\r\n") == "* BAD Missing or invalid tag\r\n");
  CHECK(c.send("a+ NOOP\r\n") == "* BAD Missing or invalid tag\r\n");
  CHECK(c.send("a\r\n") == "* BAD Missing or invalid tag\r\n");
  CHECK(c.send("a \r\n") == "a BAD Missing command\r\n");
  CHECK(c.send("a SELECT INBOX\r\n") == "a BAD SELECT needs a login first\r\n");
  CHECK(c.send("a FETCH 1 FLAGS\r\n") == "a BAD FETCH needs a login first\r\n");
  CHECK(c.send("t1 NOOP " + std::string(9000, 'x') + "\r\n") == "t1 BAD Command line too long\r\n");
  CHECK(c.send("t2 NOOP\r\n") == "t2 OK NOOP completed\r\n");
  c.login();
  CHECK(c.send("a LOGIN bob bobpw\r\n") == "a BAD LOGIN is only allowed before logging in\r\n");
  CHECK(c.send("a FETCH 1 FLAGS\r\n") ==
        "a BAD FETCH needs a selected mailbox (SELECT or EXAMINE first)\r\n");
}

TEST_CASE("IMAP line limit: 8192 octets with CRLF are read, one more gets BAD; session survives") {
  for (bool bytewise : {false, true}) {
    CAPTURE(bytewise);
    Rig rig;
    Session c(rig.store);
    const std::string head = "a NOOP ";
    std::string fits = head + std::string(8192 - 2 - head.size(), 'x') + "\r\n";
    REQUIRE(fits.size() == 8192);
    CHECK(c.send(fits, bytewise) == "a BAD NOOP takes no arguments\r\n");
    std::string over = "b NOOP " + std::string(8192 - 2 - head.size() + 1, 'x') + "\r\n";
    CHECK(c.send(over, bytewise) == "b BAD Command line too long\r\n");
    CHECK(c.send("c LOGIN bob bobpw\r\n", bytewise) ==
          "c OK [CAPABILITY " + kCaps + "] LOGIN completed\r\n");
  }
}

TEST_CASE("IMAP too many bad commands: BYE and close") {
  Rig rig;
  ServerConfig cfg;
  cfg.max_bad_commands = 3;
  Session c(rig.store, cfg);
  c.send("a X\r\n");
  c.send("a X\r\n");
  CHECK(c.send("a X\r\n") == "a BAD Unknown command X\r\n* BYE Too many invalid commands\r\n");
  CHECK(c.server.wants_close());
}

TEST_CASE("IMAP LOGIN: plain, quoted, literal; failures; secrets marked") {
  Rig rig;
  {
    Session c(rig.store);
    CHECK(c.send("a LOGIN bob wrong\r\n") == "a NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
    CHECK(c.send("a LOGIN bob\r\n") == "a BAD Syntax: LOGIN user password\r\n");
    CHECK(c.send("a LOGIN \"bob\" \"bobpw\"\r\n") ==
          "a OK [CAPABILITY " + kCaps + "] LOGIN completed\r\n");
    CHECK(c.server.state() == State::Authenticated);
    CHECK(c.server.user() == "bob@recipient.example");
    auto ev = c.server.take_events();
    auto lines = imaptest::lines_of(ev);
    bool marked = false;
    for (const auto& l : lines)
      if (!l.sent && l.label == "LOGIN" && l.text.find("bobpw") != std::string::npos)
        marked = l.secret == "\"bobpw\"";
    CHECK(marked);
    CHECK(imaptest::states_of(ev) == std::vector<std::string>{"NotAuthenticated>Authenticated"});
  }
  {
    Session c(rig.store);
    for (bool bytewise : {true}) {
      CHECK(c.send("a LOGIN {3}\r\n", bytewise) == "+ Ready for literal data\r\n");
      CHECK(c.send("bob {5}\r\n", bytewise) == "+ Ready for literal data\r\n");
      CHECK(c.send("bobpw\r\n", bytewise) == "a OK [CAPABILITY " + kCaps + "] LOGIN completed\r\n");
    }
    auto lines = imaptest::lines_of(c.server.take_events());
    bool marked = false;
    for (const auto& l : lines) marked = marked || (l.text == "bobpw" && l.secret == "bobpw");
    CHECK(marked);
  }
}

TEST_CASE("IMAP report_received(false): the same answers, only credentials reported") {
  Rig rig;
  const std::string password = "p\xc3\xa4ss";  // 8-bit: LOGIN sends it as a literal
  rig.store.add_account({"dan@recipient.example", "dan", password});
  std::string good = net::smtp::base64_encode(std::string("\0bob\0bobpw", 10));
  for (const std::string& in :
       {std::string("a LOGIN \"bob\" \"bobpw\"\r\nb SELECT INBOX\r\nc LOGOUT\r\n"),
        "a LOGIN dan {" + std::to_string(password.size()) + "+}\r\n" + password + "\r\n",
        "a AUTHENTICATE PLAIN\r\n" + good + "\r\n"}) {
    CAPTURE(in);
    Session f(rig.store), q(rig.store);
    q.server.report_received(false);
    CHECK(q.send(in) == f.send(in));
    auto fl = imaptest::lines_of(f.server.take_events());
    auto ql = imaptest::lines_of(q.server.take_events());
    std::vector<std::string> f_secrets, q_secrets;
    std::size_t f_sent = 0, q_sent = 0;
    for (const auto& l : fl) {
      if (l.sent) ++f_sent;
      if (!l.sent && !l.secret.empty()) f_secrets.push_back(l.secret);
    }
    for (const auto& l : ql) {
      if (l.sent) {
        ++q_sent;
        continue;
      }
      CHECK(l.text.empty());  // a received line is reported only for its secret
      q_secrets.push_back(l.secret);
    }
    CHECK(q_sent == f_sent);
    CHECK_FALSE(q_secrets.empty());
    CHECK(q_secrets == f_secrets);
  }
}

TEST_CASE("IMAP AUTHENTICATE PLAIN: SASL-IR, continuation, cancel, failures") {
  Rig rig;
  std::string good = net::smtp::base64_encode(std::string("\0bob\0bobpw", 10));
  std::string bad = net::smtp::base64_encode(std::string("\0bob\0nope", 9));
  {
    Session c(rig.store);
    CHECK(c.send("a AUTHENTICATE PLAIN " + good + "\r\n") ==
          "a OK [CAPABILITY " + kCaps + "] AUTHENTICATE PLAIN completed\r\n");
    CHECK(c.server.state() == State::Authenticated);
  }
  {
    Session c(rig.store);
    CHECK(c.send("a AUTHENTICATE PLAIN\r\n") == "+ \r\n");
    CHECK(c.send(bad + "\r\n") == "a NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
    CHECK(c.send("b AUTHENTICATE plain\r\n") == "+ \r\n");
    CHECK(c.send("*\r\n") == "b BAD AUTHENTICATE cancelled\r\n");
    CHECK(c.send("c AUTHENTICATE PLAIN\r\n") == "+ \r\n");
    CHECK(c.send("!!!\r\n") == "c BAD Invalid SASL PLAIN response\r\n");
    CHECK(c.send("d AUTHENTICATE LOGIN\r\n") ==
          "d NO Unsupported authentication mechanism LOGIN\r\n");
    CHECK(c.send("e AUTHENTICATE PLAIN =\r\n") == "e BAD Invalid SASL PLAIN response\r\n");
    std::string other = net::smtp::base64_encode(std::string("carol\0bob\0bobpw", 15));
    CHECK(c.send("f AUTHENTICATE PLAIN " + other + "\r\n") ==
          "f NO [AUTHORIZATIONFAILED] Cannot log in as another user\r\n");
    CHECK(c.send("g AUTHENTICATE PLAIN\r\n") == "+ \r\n");
    CHECK(c.send(good + "\r\n") ==
          "g OK [CAPABILITY " + kCaps + "] AUTHENTICATE PLAIN completed\r\n");
    auto lines = imaptest::lines_of(c.server.take_events());
    bool marked = false;
    for (const auto& l : lines) marked = marked || (l.text == good && l.secret == good);
    CHECK(marked);
  }
}

TEST_CASE("IMAP three failed logins: later replies wait for the driver's penalty") {
  const std::string kNo = "NO [AUTHENTICATIONFAILED] Invalid credentials\r\n";
  for (bool bytewise : {false, true}) {
    CAPTURE(bytewise);
    Rig rig;
    Session c(rig.store);
    for (int i = 0; i < 3; ++i) CHECK(c.send("a LOGIN bob wrong\r\n", bytewise) == "a " + kNo);
    CHECK(c.server.penalty_ms() == 0);
    c.server.take_events();
    // The 4th attempt: its reply is held; commands behind it wait too (no sleep: the
    // engine only reports the wait, the driver releases it).
    CHECK(c.send("b LOGIN bob wrong\r\nc NOOP\r\n", bytewise).empty());
    CHECK(c.server.penalty_ms() == 2000);
    CHECK_FALSE(c.server.has_output());
    CHECK(c.send("d CAPABILITY\r\n", bytewise).empty());
    auto held = imaptest::lines_of(c.server.take_events());
    REQUIRE(held.size() == 1);  // the LOGIN is traced, its reply is not yet
    CHECK_FALSE(held[0].sent);
    CHECK(held[0].label == "LOGIN");
    c.server.end_penalty();
    CHECK(c.server.penalty_ms() == 0);
    std::string want = "b " + kNo;
    want += "c OK NOOP completed\r\n* CAPABILITY ";
    want += kCaps;
    want += "\r\nd OK CAPABILITY completed\r\n";
    CHECK(c.server.take_output() == want);
    // Even the right password (AUTHENTICATE too) is answered only after the penalty.
    std::string good = net::smtp::base64_encode(std::string("\0bob\0bobpw", 10));
    CHECK(c.send("e AUTHENTICATE PLAIN " + good + "\r\n", bytewise).empty());
    CHECK(c.server.penalty_ms() == 2000);
    c.server.end_penalty();
    CHECK(c.server.take_output() ==
          "e OK [CAPABILITY " + kCaps + "] AUTHENTICATE PLAIN completed\r\n");
    CHECK(c.server.state() == State::Authenticated);
  }
}

TEST_CASE("IMAP penalty: continuation-style AUTHENTICATE, syntax errors, disconnect") {
  Rig rig;
  ServerConfig cfg;
  cfg.free_login_failures = 1;
  cfg.penalty_ms = 500;
  Session c(rig.store, cfg);
  std::string bad = net::smtp::base64_encode(std::string("\0bob\0nope", 9));
  CHECK(c.send("a AUTHENTICATE PLAIN\r\n") == "+ \r\n");
  CHECK(c.send(bad + "\r\n") == "a NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
  // A syntax error is no login attempt: answered at once, never held.
  CHECK(c.send("b LOGIN bob\r\n") == "b BAD Syntax: LOGIN user password\r\n");
  CHECK(c.server.penalty_ms() == 0);
  // The challenge "+ " is not held; the answer to the credentials is.
  CHECK(c.send("c AUTHENTICATE PLAIN\r\n") == "+ \r\n");
  CHECK(c.send(bad + "\r\n").empty());
  CHECK(c.server.penalty_ms() == 500);
  c.server.end_penalty();
  CHECK(c.server.take_output() == "c NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
  // The connection drops while a reply is held: nothing more is written.
  CHECK(c.send("d LOGIN bob bobpw\r\n").empty());
  c.server.on_disconnect();
  CHECK(c.server.penalty_ms() == 0);
  c.server.end_penalty();
  CHECK(c.server.take_output().empty());
  CHECK(c.server.state() == State::Logout);
}

TEST_CASE("IMAP ID and ENABLE") {
  Rig rig;
  Session c(rig.store);
  CHECK(c.send("a ID (\"name\" \"imaplib\" \"version\" NIL)\r\n") ==
        "* ID (\"name\" \"mailsim\" \"version\" \"0.1\")\r\na OK ID completed\r\n");
  CHECK(c.send("a ID NIL\r\n") ==
        "* ID (\"name\" \"mailsim\" \"version\" \"0.1\")\r\na OK ID completed\r\n");
  CHECK(c.send("a ID (\"name\")\r\n") == "a BAD ID needs name/value pairs\r\n");
  CHECK(c.send("a ID\r\n") == "a BAD Syntax: ID (\"name\" \"value\" ...) or ID NIL\r\n");
  CHECK(c.send("b ENABLE CONDSTORE\r\n") == "b BAD ENABLE needs a login first\r\n");
  c.login();
  CHECK(c.send("b ENABLE CONDSTORE UTF8=ACCEPT\r\n") == "* ENABLED\r\nb OK ENABLE completed\r\n");
  CHECK(c.send("b ENABLE\r\n") == "b BAD Syntax: ENABLE capability ...\r\n");
}

TEST_CASE("IMAP LIST, LSUB with SPECIAL-USE and CHILDREN") {
  Rig rig;
  Session c(rig.store);
  c.login();
  CHECK(c.send("n NAMESPACE\r\n") ==
        "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nn OK NAMESPACE completed\r\n");
  CHECK(c.send("n NAMESPACE x\r\n") == "n BAD NAMESPACE takes no arguments\r\n");
  CHECK(c.send("a LIST \"\" \"\"\r\n") ==
        "* LIST (\\Noselect) \"/\" \"\"\r\na OK LIST completed\r\n");
  CHECK(c.send("a LIST \"\" *\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
        "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
        "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
        "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
        "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
        "a OK LIST completed\r\n");
  CHECK(c.send("b CREATE Work/2026\r\n") == "b OK CREATE completed\r\n");
  CHECK(c.send("a LIST \"\" %\r\n").find("* LIST (\\HasChildren) \"/\" Work\r\n") !=
        std::string::npos);
  CHECK(c.send("a LIST Work/ %\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" Work/2026\r\na OK LIST completed\r\n");
  CHECK(c.send("a LIST \"\" inbox\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\na OK LIST completed\r\n");
  CHECK(c.send("a LIST (SPECIAL-USE) \"\" *\r\n") ==
        "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
        "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
        "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
        "* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
        "a OK LIST completed\r\n");
  CHECK(c.send("a LIST \"\" S* RETURN (SPECIAL-USE)\r\n") ==
        "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\na OK LIST completed\r\n");
  CHECK(c.send("a LIST \"\"\r\n") ==
        "a BAD Syntax: LIST [(SUBSCRIBED REMOTE RECURSIVEMATCH SPECIAL-USE)] reference "
        "pattern|(patterns) [RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS (items))]\r\n");
  CHECK(c.send("a LSUB \"\" *\r\n") ==
        "* LSUB () \"/\" Drafts\r\n* LSUB () \"/\" INBOX\r\n* LSUB () \"/\" Junk\r\n"
        "* LSUB () \"/\" Sent\r\n* LSUB () \"/\" Trash\r\na OK LSUB completed\r\n");
  CHECK(c.send("c SUBSCRIBE Work/2026\r\n") == "c OK SUBSCRIBE completed\r\n");
  CHECK(c.send("c SUBSCRIBE Nope\r\n") == "c NO [NONEXISTENT] Mailbox does not exist\r\n");
  CHECK(c.send("a LSUB \"\" Work/*\r\n") == "* LSUB () \"/\" Work/2026\r\na OK LSUB completed\r\n");
  CHECK(c.send("c UNSUBSCRIBE Work/2026\r\n") == "c OK UNSUBSCRIBE completed\r\n");
  CHECK(c.send("c UNSUBSCRIBE Work/2026\r\n") ==
        "c NO [NONEXISTENT] Not subscribed to that mailbox\r\n");
}

TEST_CASE("IMAP CREATE, DELETE, RENAME with RFC 5530 codes") {
  Rig rig;
  Session c(rig.store);
  c.login();
  CHECK(c.send("a CREATE Sent\r\n") == "a NO [ALREADYEXISTS] Mailbox already exists\r\n");
  CHECK(c.send("a CREATE inbox\r\n") == "a NO [ALREADYEXISTS] Mailbox already exists\r\n");
  CHECK(c.send("a CREATE \"My Stuff/\"\r\n") == "a OK CREATE completed\r\n");
  CHECK(c.send("a CREATE /bad\r\n") == "a NO [CANNOT] Invalid mailbox name\r\n");
  CHECK(c.send("b DELETE INBOX\r\n") == "b NO [CANNOT] INBOX cannot be deleted\r\n");
  CHECK(c.send("b DELETE Nope\r\n") == "b NO [NONEXISTENT] Mailbox does not exist\r\n");
  CHECK(c.send("c RENAME \"My Stuff\" Archive/Old\r\n") == "c OK RENAME completed\r\n");
  CHECK(rig.store.folder("bob@recipient.example", "Archive/Old"));
  CHECK(rig.store.folder("bob@recipient.example", "Archive"));
  CHECK_FALSE(rig.store.folder("bob@recipient.example", "My Stuff"));
  CHECK(c.send("c RENAME Nope X\r\n") == "c NO [NONEXISTENT] Mailbox does not exist\r\n");
  CHECK(c.send("c RENAME Sent Trash\r\n") == "c NO [ALREADYEXISTS] Mailbox already exists\r\n");
  // A parent with children becomes \Noselect; deleting it again is refused.
  CHECK(c.send("b DELETE Archive\r\n") == "b OK DELETE completed\r\n");
  CHECK(c.send("a LIST \"\" Archive\r\n") ==
        "* LIST (\\Noselect \\HasChildren) \"/\" Archive\r\na OK LIST completed\r\n");
  CHECK(c.send("b DELETE Archive\r\n") == "b NO [INUSE] Mailbox has inferior mailboxes\r\n");
  CHECK(c.send("b SELECT Archive\r\n") == "b NO [CANNOT] Mailbox cannot be selected\r\n");
  CHECK(c.send("b DELETE Archive/Old\r\n") == "b OK DELETE completed\r\n");
  CHECK(c.send("b DELETE Archive\r\n") == "b OK DELETE completed\r\n");
  // Renaming INBOX moves its messages and leaves it empty (RFC 3501 §6.3.5).
  rig.two_messages();
  CHECK(c.send("d RENAME INBOX Old\r\n") == "d OK RENAME completed\r\n");
  CHECK(rig.store.messages("bob@recipient.example")->empty());
  CHECK(rig.store.folder("bob@recipient.example", "Old")->messages.size() == 2);
}

TEST_CASE("IMAP SELECT, EXAMINE, STATUS, CLOSE, UNSELECT") {
  Rig rig;
  rig.store.set_uid_validity_base(1000);  // only folders created from now on
  rig.two_messages();
  Session c(rig.store);
  c.login();
  std::string v = std::to_string(rig.store.folder("bob@recipient.example", "INBOX")->uid_validity);
  CHECK(c.send("a SELECT inbox\r\n") ==
        "* 2 EXISTS\r\n* 2 RECENT\r\n* OK [UNSEEN 1] First unseen message\r\n"
        "* OK [UIDVALIDITY " +
            v +
            "] UIDs valid\r\n* OK [UIDNEXT 3] Predicted next UID\r\n"
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags "
            "permitted\r\n"
            "a OK [READ-WRITE] SELECT completed\r\n");
  CHECK(c.server.state() == State::Selected);
  CHECK(c.server.mailbox() == "INBOX");
  CHECK(c.send("b SELECT Nope\r\n") == "b NO [NONEXISTENT] Mailbox does not exist\r\n");
  CHECK(c.server.state() == State::Authenticated);  // a failed SELECT deselects
  CHECK(c.send("c EXAMINE INBOX\r\n").find("c OK [READ-ONLY] EXAMINE completed\r\n") !=
        std::string::npos);
  CHECK(c.send("d STORE 1 +FLAGS (\\Deleted)\r\n") == "d NO [READ-ONLY] Mailbox is read-only\r\n");
  CHECK(c.send("d FETCH 1 BODY[]\r\n").find("FLAGS") == std::string::npos);  // no \Seen
  CHECK(c.send("e CLOSE\r\n") == "e OK CLOSE completed\r\n");
  CHECK(c.send("f STATUS INBOX (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)\r\n") ==
        "* STATUS INBOX (MESSAGES 2 UNSEEN 2 UIDNEXT 3 UIDVALIDITY " + v +
            " RECENT 0)\r\nf OK STATUS completed\r\n");
  CHECK(c.send("f STATUS Nope (MESSAGES)\r\n") == "f NO [NONEXISTENT] Mailbox does not exist\r\n");
  CHECK(c.send("f STATUS INBOX (SIZE)\r\n") == "f BAD Unknown STATUS item SIZE\r\n");
  CHECK(c.send("f STATUS INBOX ()\r\n") ==
        "f BAD STATUS needs at least one item: MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT\r\n");
  CHECK(c.send("f STATUS INBOX MESSAGES\r\n") ==
        "f BAD Syntax: STATUS items are a list: (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)\r\n");
  CHECK(c.send("f STATUS INBOX (MESSAGES\r\n") ==
        "f BAD Syntax: STATUS items are a list: (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)\r\n");
  CHECK(c.send("f STATUS INBOX (MESSAGES) x\r\n") ==
        "f BAD Syntax: STATUS mailbox (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)\r\n");
  CHECK(c.send("f STATUS INBOX (uidnext messages)\r\n") ==
        "* STATUS INBOX (UIDNEXT 3 MESSAGES 2)\r\nf OK STATUS completed\r\n");
  // CLOSE expunges silently, UNSELECT does not.
  c.send("g SELECT INBOX\r\n");
  c.send("h STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(c.send("i UNSELECT\r\n") == "i OK UNSELECT completed\r\n");
  CHECK(rig.store.messages("bob@recipient.example")->size() == 2);
  c.send("g SELECT INBOX\r\n");
  CHECK(c.send("j CLOSE\r\n") == "j OK CLOSE completed\r\n");
  CHECK(rig.store.messages("bob@recipient.example")->size() == 1);
  CHECK(c.server.state() == State::Authenticated);
}

TEST_CASE("IMAP UIDVALIDITY is deterministic from the store's base") {
  net::store::Mailstore st;
  st.set_uid_validity_base(500);
  st.add_account({"x@y.example", "x", "p"});
  CHECK(st.folder("x@y.example", "INBOX")->uid_validity == 500);
  CHECK(st.folder("x@y.example", "Drafts")->uid_validity == 501);
  CHECK(st.create_folder("x@y.example", "New") == net::store::Status::Ok);
  CHECK(st.folder("x@y.example", "New")->uid_validity == 505);
}

TEST_CASE("IMAP APPEND: synchronising literal, LITERAL+, flags, date, errors") {
  Rig rig;
  Session c(rig.store);
  c.login();
  std::string v = std::to_string(rig.store.folder("bob@recipient.example", "Sent")->uid_validity);
  std::string msg = "Subject: hi\r\n\r\nhello\r\n";
  for (bool bytewise : {false, true}) {
    CAPTURE(bytewise);
    CHECK(c.send("a APPEND Sent (\\Seen) \"26-Nov-2026 10:00:00 +0100\" {22}\r\n", bytewise) ==
          "+ Ready for literal data\r\n");
    CHECK(c.send(msg + "\r\n", bytewise) ==
          "a OK [APPENDUID " + v + " " + (bytewise ? "2" : "1") + "] APPEND completed\r\n");
  }
  const auto* sent = rig.store.folder("bob@recipient.example", "Sent");
  REQUIRE(sent->messages.size() == 2);
  CHECK(sent->messages[0].data == msg);
  CHECK(sent->messages[0].flags == std::vector<std::string>{"\\Seen"});
  CHECK(sent->messages[0].internal_date == imaptest::kNow);
  CHECK(c.send("b APPEND Drafts {22+}\r\n" + msg + "\r\n") ==
        "b OK [APPENDUID 2 1] APPEND completed\r\n");
  CHECK(rig.store.folder("bob@recipient.example", "Drafts")->messages[0].internal_date ==
        imaptest::kNow);
  CHECK(c.send("c APPEND Nope {22+}\r\n" + msg + "\r\n") ==
        "c NO [TRYCREATE] Mailbox does not exist\r\n");
  CHECK(c.send("d APPEND Sent (\\Bogus) {1+}\r\nx\r\n") == "d BAD Invalid flag \\Bogus\r\n");
  CHECK(c.send("e APPEND Sent \"32-Nov-2026 10:00:00 +0100\" {1+}\r\nx\r\n") ==
        "e BAD Invalid date-time; expected \"dd-Mon-yyyy hh:mm:ss +zzzz\"\r\n");
  CHECK(c.send("f APPEND Sent\r\n") ==
        "f BAD Syntax: APPEND mailbox [(flags)] [\"date-time\"] literal\r\n");
}

TEST_CASE("IMAP literal limits: NO for synchronising, BAD for LITERAL+, session survives") {
  Rig rig;
  ServerConfig cfg;
  cfg.limits.max_literal = 100;
  Session c(rig.store, cfg);
  c.login();
  CHECK(c.send("a APPEND INBOX {101}\r\n") == "a NO [TOOBIG] Literal too big\r\n");
  CHECK(c.send("b APPEND INBOX {200+}\r\n" + std::string(200, 'x') + "\r\n") ==
        "b BAD [TOOBIG] Literal too big\r\n");
  CHECK(c.send("c NOOP\r\n") == "c OK NOOP completed\r\n");
}

TEST_CASE("IMAP shutdown and timeout say BYE") {
  Rig rig;
  Session a(rig.store), b(rig.store);
  a.server.shutdown();
  CHECK(a.server.take_output() == "* BYE Server shutting down\r\n");
  CHECK(a.server.wants_close());
  b.server.on_timeout();
  CHECK(b.server.take_output() == "* BYE Autologout; idle for too long\r\n");
  b.server.on_disconnect();
  CHECK(b.server.state() == State::Logout);
}

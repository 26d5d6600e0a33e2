// POP3 server engine: every command and error path, with exact replies; each test runs
// with whole writes and with one byte at a time.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/pop3/apop.hpp"
#include "pop3_test_util.hpp"

using namespace net::pop3;
using namespace pop3test;

namespace {

const std::string kGreeting = "+OK POP3 server ready <1896.697170952@pop.recipient.example>\r\n";
const std::string kLoggedIn = "+OK Logged in, 3 messages (217 octets)\r\n";
const std::string kFailed = "-ERR [AUTH] Authentication failed\r\n";

const std::string kRetr1 =
    "+OK 121 octets\r\n"
    "From: ana@sender.example\r\nTo: bob@recipient.example\r\nSubject: one\r\n\r\n"
    "Hello Bob,\r\n..a line with a leading dot\r\n..\r\n...\r\nbye\r\n.\r\n";

}  // namespace

TEST_SUITE("pop3_server") {
  TEST_CASE("greeting carries the APOP timestamp; state AUTHORIZATION") {
    CHECK(Server::commands().size() == 15);  // RFC 1939 + CAPA + STLS
    for (bool bw : {false, true}) {
      Rig r(bw);
      CHECK(r.greeting == kGreeting);
      CHECK(r.server.state() == ServerState::Authorization);
      CHECK(r.server.timestamp() == "<1896.697170952@pop.recipient.example>");
      auto lines = lines_of(r.server.take_events());
      REQUIRE(lines.size() == 1);
      CHECK(lines[0].sent);
      CHECK(lines[0].label == "+OK");
      CHECK(lines[0].rfc == "RFC 1939 §4, §7");
    }
  }

  TEST_CASE("APOP digest matches RFC 1939 §7's example") {
    CHECK(apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf") ==
          "c4c9334bac560ecc979e58001b3e22fb");
  }

  TEST_CASE("USER/PASS logs in, locks the mailbox and enters TRANSACTION") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig r(bw);
      r.server.take_events();
      CHECK(r.send("USER bob\r\n") == "+OK Send PASS\r\n");
      CHECK(r.send("PASS bobpw\r\n") == kLoggedIn);
      CHECK(r.server.state() == ServerState::Transaction);
      CHECK(r.server.user() == "bob@recipient.example");
      CHECK(r.store.locked("bob@recipient.example"));
      auto ev = r.server.take_events();
      CHECK(states_of(ev) == std::vector<std::string>{"AUTHORIZATION>TRANSACTION"});
      auto lines = lines_of(ev);
      REQUIRE(lines.size() == 4);
      CHECK(lines[2].text == "PASS bobpw");
      CHECK(lines[2].secret == "bobpw");
      CHECK(lines[2].label == "PASS");
      CHECK(lines[2].rfc == "RFC 1939 §7");
      CHECK_FALSE(lines[2].meaning.empty());
    }
  }

  TEST_CASE("case-insensitive verbs and the full address as login") {
    Rig r;
    CHECK(r.send("user bob@recipient.example\r\npass bobpw\r\n") ==
          "+OK Send PASS\r\n" + kLoggedIn);
  }

  TEST_CASE("wrong password, PASS without USER, empty arguments") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig r(bw);
      CHECK(r.send("PASS bobpw\r\n") == "-ERR USER first\r\n");
      CHECK(r.send("USER\r\n") == "-ERR Syntax: USER name\r\n");
      CHECK(r.send("USER bob\r\nPASS\r\n") == "+OK Send PASS\r\n-ERR Syntax: PASS password\r\n");
      CHECK(r.send("USER bob\r\nPASS nope\r\n") == "+OK Send PASS\r\n" + kFailed);
      CHECK(r.send("USER nobody\r\nPASS bobpw\r\n") == "+OK Send PASS\r\n" + kFailed);
      CHECK(r.server.state() == ServerState::Authorization);
      CHECK_FALSE(r.store.locked("bob@recipient.example"));
      // After a failure USER must be given again.
      CHECK(r.send("PASS bobpw\r\n") == "-ERR USER first\r\n");
    }
  }

  TEST_CASE("APOP: right digest logs in, wrong digest and bad syntax fail") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig r(bw);
      CHECK(r.send("APOP bob 0123456789abcdef0123456789abcdef\r\n") == kFailed);
      CHECK(r.send("APOP bob\r\n") == "-ERR Syntax: APOP name digest\r\n");
      CHECK(r.send("APOP bob short\r\n") == "-ERR Syntax: APOP name digest\r\n");
      CHECK(r.send("APOP carol 0123456789abcdef0123456789abcdef\r\n") == kFailed);
      CHECK(r.send("APOP bob 94B3750A4269CC2D50838DC93AC7380C\r\n") == kLoggedIn);
      CHECK(r.server.state() == ServerState::Transaction);
    }
  }

  TEST_CASE("APOP without a secret lookup always fails") {
    auto cfg = config();
    cfg.apop_secret = nullptr;
    Rig r(false, cfg);
    CHECK(r.send("APOP bob 94b3750a4269cc2d50838dc93ac7380c\r\n") == kFailed);
  }

  TEST_CASE("AUTH: list, PLAIN with and without initial response, cancel, errors") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      {
        Rig r(bw);
        CHECK(r.send("AUTH\r\n") == "+OK Supported SASL mechanisms follow\r\nPLAIN\r\n.\r\n");
        CHECK(r.send("AUTH CRAM-MD5\r\n") == "-ERR Unrecognized authentication type: CRAM-MD5\r\n");
        CHECK(r.send("AUTH PLAIN !!!!\r\n") == "-ERR Cannot decode base64 response\r\n");
        CHECK(r.send("AUTH PLAIN AGJvYgB3cm9uZw==\r\n") == kFailed);
        CHECK(r.send("AUTH PLAIN\r\n") == "+ \r\n");
        CHECK(r.send("*\r\n") == "-ERR Authentication cancelled\r\n");
        CHECK(r.send("AUTH PLAIN\r\n") == "+ \r\n");
        CHECK(r.send("not-base64\r\n") == "-ERR Cannot decode base64 response\r\n");
        r.server.take_events();
        CHECK(r.send("AUTH PLAIN\r\n") == "+ \r\n");
        CHECK(r.send("AGJvYgBib2Jwdw==\r\n") == kLoggedIn);
        auto lines = lines_of(r.server.take_events());
        REQUIRE(lines.size() == 4);
        CHECK(lines[2].secret == "AGJvYgBib2Jwdw==");
        CHECK(lines[2].rfc == "RFC 4616 §2");
      }
      {
        Rig r(bw);
        r.server.take_events();
        CHECK(r.send("AUTH PLAIN AGJvYgBib2Jwdw==\r\n") == kLoggedIn);
        auto lines = lines_of(r.server.take_events());
        CHECK(lines[0].secret == "AGJvYgBib2Jwdw==");
        CHECK(r.send("AUTH PLAIN AGJvYgBib2Jwdw==\r\n") ==
              "-ERR AUTH is only allowed before login\r\n");
      }
    }
  }

  TEST_CASE("CAPA lists the capabilities in both states") {
    const std::string capa =
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\nRESP-CODES\r\n"
        "AUTH-RESP-CODE\r\nPIPELINING\r\nIMPLEMENTATION mailsim\r\n.\r\n";
    for (bool bw : {false, true}) {
      Rig r(bw);
      CHECK(r.send("CAPA\r\n") == capa);
      r.login();
      CHECK(r.send("CAPA\r\n") == capa);
    }
  }

  TEST_CASE("TRANSACTION commands are refused before login and vice versa") {
    Rig r;
    for (const char* v : {"STAT", "LIST", "RETR 1", "DELE 1", "NOOP", "RSET", "TOP 1 0", "UIDL"}) {
      std::string verb = std::string(v).substr(0, std::string(v).find(' '));
      CHECK(r.send(std::string(v) + "\r\n") == "-ERR " + verb + " is not allowed before login\r\n");
    }
    r.login();
    CHECK(r.send("USER bob\r\n") == "-ERR USER is only allowed before login\r\n");
    CHECK(r.send("PASS x\r\n") == "-ERR PASS is only allowed before login\r\n");
    CHECK(r.send("APOP bob 94b3750a4269cc2d50838dc93ac7380c\r\n") ==
          "-ERR APOP is only allowed before login\r\n");
  }

  TEST_CASE("unknown command, empty line") {
    Rig r;
    CHECK(r.send("XYZZY\r\n") == "-ERR Unknown command: XYZZY\r\n");
    CHECK(r.send("\r\n") == "-ERR Unknown command: \r\n");
    CHECK(r.server.state() == ServerState::Authorization);
  }

  TEST_CASE("STAT, LIST, LIST n, UIDL, UIDL n") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig r(bw);
      r.login();
      CHECK(r.send("STAT\r\n") == "+OK 3 217\r\n");
      CHECK(r.send("STAT x\r\n") == "-ERR Syntax: STAT\r\n");
      CHECK(r.send("LIST\r\n") == "+OK 3 messages (217 octets)\r\n1 121\r\n2 71\r\n3 25\r\n.\r\n");
      CHECK(r.send("LIST 2\r\n") == "+OK 2 71\r\n");
      CHECK(r.send("LIST 4\r\n") == "-ERR No such message, only 3 messages in maildrop\r\n");
      CHECK(r.send("LIST 0\r\n") == "-ERR No such message, only 3 messages in maildrop\r\n");
      CHECK(r.send("LIST abc\r\n") == "-ERR Invalid message number: abc\r\n");
      CHECK(r.send("LIST -1\r\n") == "-ERR Invalid message number: -1\r\n");
      CHECK(r.send("LIST 1 2\r\n") == "-ERR Syntax: LIST [msg]\r\n");
      CHECK(r.send("UIDL\r\n") ==
            "+OK Unique-ID listing follows\r\n1 7.1\r\n2 7.2\r\n3 7.3\r\n.\r\n");
      CHECK(r.send("UIDL 3\r\n") == "+OK 3 7.3\r\n");
      CHECK(r.send("UIDL 9\r\n") == "-ERR No such message, only 3 messages in maildrop\r\n");
      CHECK(r.send("UIDL 1 2\r\n") == "-ERR Syntax: UIDL [msg]\r\n");
      CHECK(r.send("NOOP\r\n") == "+OK\r\n");
      CHECK(r.send("NOOP x\r\n") == "-ERR Syntax: NOOP\r\n");
    }
  }

  TEST_CASE("RETR is dot-stuffed and ends with a dot") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig r(bw);
      r.login();
      r.server.take_events();
      CHECK(r.send("RETR 1\r\n") == kRetr1);
      auto lines = lines_of(r.server.take_events());
      REQUIRE(lines.size() == 12);  // command, +OK, 9 message lines, "."
      CHECK(lines[1].kind == net::LineKind::Reply);
      CHECK(lines[6].kind == net::LineKind::Data);
      CHECK(lines[7].text == "..a line with a leading dot");
      CHECK(lines[7].rfc == "RFC 1939 §3");
      CHECK(lines[11].label == ".");
      CHECK(r.send("RETR\r\n") == "-ERR Syntax: RETR msg\r\n");
      CHECK(r.send("RETR 5\r\n") == "-ERR No such message, only 3 messages in maildrop\r\n");
    }
  }

  TEST_CASE("a message without a final CRLF still ends with CRLF.CRLF") {
    net::store::Mailstore st;
    st.add_account({"bob@recipient.example", "bob", "bobpw"});
    st.deliver("bob@recipient.example", "Subject: x\r\n\r\nno newline", 1);
    Rig r(st, false, config());
    r.login();
    CHECK(r.send("RETR 1\r\n") == "+OK 24 octets\r\nSubject: x\r\n\r\nno newline\r\n.\r\n");
  }

  TEST_CASE("TOP returns the header and n body lines") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig r(bw);
      r.login();
      CHECK(r.send("TOP 2 0\r\n") ==
            "+OK Top of message follows\r\nFrom: carol@recipient.example\r\nSubject: two\r\n"
            "\r\n.\r\n");
      CHECK(r.send("TOP 2 2\r\n") ==
            "+OK Top of message follows\r\nFrom: carol@recipient.example\r\nSubject: two\r\n"
            "\r\nline 1\r\nline 2\r\n.\r\n");
      CHECK(r.send("TOP 2 99\r\n") ==
            "+OK Top of message follows\r\nFrom: carol@recipient.example\r\nSubject: two\r\n"
            "\r\nline 1\r\nline 2\r\nline 3\r\n.\r\n");
      CHECK(r.send("TOP 1 2\r\n") ==
            "+OK Top of message follows\r\nFrom: ana@sender.example\r\n"
            "To: bob@recipient.example\r\nSubject: one\r\n\r\nHello Bob,\r\n"
            "..a line with a leading dot\r\n.\r\n");
      CHECK(r.send("TOP 2\r\n") == "-ERR Syntax: TOP msg lines\r\n");
      CHECK(r.send("TOP 2 x\r\n") == "-ERR Invalid number of lines: x\r\n");
      CHECK(r.send("TOP 7 1\r\n") == "-ERR No such message, only 3 messages in maildrop\r\n");
    }
  }

  TEST_CASE("DELE marks; deleted messages vanish from STAT/LIST/UIDL; QUIT removes") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig r(bw);
      r.login();
      CHECK(r.send("DELE 1\r\n") == "+OK Message 1 deleted\r\n");
      CHECK(r.send("DELE 1\r\n") == "-ERR Message 1 already deleted\r\n");
      CHECK(r.send("RETR 1\r\n") == "-ERR Message 1 already deleted\r\n");
      CHECK(r.send("TOP 1 0\r\n") == "-ERR Message 1 already deleted\r\n");
      CHECK(r.send("LIST 1\r\n") == "-ERR Message 1 already deleted\r\n");
      CHECK(r.send("UIDL 1\r\n") == "-ERR Message 1 already deleted\r\n");
      CHECK(r.send("DELE\r\n") == "-ERR Syntax: DELE msg\r\n");
      CHECK(r.send("STAT\r\n") == "+OK 2 96\r\n");
      CHECK(r.send("LIST\r\n") == "+OK 2 messages (96 octets)\r\n2 71\r\n3 25\r\n.\r\n");
      CHECK(r.send("UIDL\r\n") == "+OK Unique-ID listing follows\r\n2 7.2\r\n3 7.3\r\n.\r\n");
      CHECK(r.stored() == 3);  // nothing removed yet
      r.server.take_events();
      CHECK(r.send("QUIT\r\n") ==
            "+OK pop.recipient.example POP3 server signing off (1 messages deleted, 2 left)\r\n");
      CHECK(states_of(r.server.take_events()) ==
            std::vector<std::string>{"TRANSACTION>UPDATE", "UPDATE>CLOSED"});
      CHECK(r.server.wants_close());
      CHECK(r.stored() == 2);
      CHECK((*r.store.messages("bob@recipient.example"))[0].uid == 2);
      CHECK_FALSE(r.store.locked("bob@recipient.example"));
      CHECK(r.send("NOOP\r\n").empty());  // input after QUIT is ignored
    }
  }

  TEST_CASE("RSET undeletes") {
    for (bool bw : {false, true}) {
      Rig r(bw);
      r.login();
      r.send("DELE 1\r\nDELE 3\r\n");
      CHECK(r.send("RSET\r\n") == "+OK Maildrop has 3 messages (217 octets)\r\n");
      CHECK(r.send("RSET x\r\n") == "-ERR Syntax: RSET\r\n");
      CHECK(r.send("QUIT\r\n") ==
            "+OK pop.recipient.example POP3 server signing off (0 messages deleted, 3 left)\r\n");
      CHECK(r.stored() == 3);
    }
  }

  TEST_CASE("DELE then disconnect deletes nothing and releases the lock") {
    Rig r;
    r.login();
    r.send("DELE 1\r\nDELE 2\r\n");
    r.server.take_events();
    r.server.on_disconnect();
    CHECK(states_of(r.server.take_events()) == std::vector<std::string>{"TRANSACTION>CLOSED"});
    CHECK(r.stored() == 3);
    CHECK_FALSE(r.store.locked("bob@recipient.example"));
  }

  TEST_CASE("autologout timeout: -ERR, close, nothing deleted, lock released") {
    Rig r;
    r.login();
    r.send("DELE 1\r\n");
    r.server.on_timeout();
    CHECK(r.server.take_output() == "-ERR [SYS/TEMP] Autologout: idle for too long\r\n");
    CHECK(r.server.wants_close());
    CHECK(r.stored() == 3);
    CHECK_FALSE(r.store.locked("bob@recipient.example"));
  }

  TEST_CASE("QUIT in AUTHORIZATION closes without UPDATE") {
    Rig r;
    r.server.take_events();
    CHECK(r.send("QUIT\r\n") == "+OK pop.recipient.example POP3 server signing off\r\n");
    CHECK(states_of(r.server.take_events()) == std::vector<std::string>{"AUTHORIZATION>CLOSED"});
    CHECK(r.server.wants_close());
  }

  TEST_CASE("a second session gets [IN-USE] while the first holds the lock") {
    for (bool bw : {false, true}) {
      net::store::Mailstore st;
      fill(st);
      Rig a(st, bw, config(1));
      Rig b(st, bw, config(2));
      CHECK(a.login() == "+OK Send PASS\r\n" + kLoggedIn);
      CHECK(b.login() ==
            "+OK Send PASS\r\n-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n");
      CHECK(b.server.state() == ServerState::Authorization);
      CHECK(b.send("AUTH PLAIN AGJvYgBib2Jwdw==\r\n") ==
            "-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n");
      a.send("QUIT\r\n");
      CHECK(b.login() == "+OK Send PASS\r\n" + kLoggedIn);
    }
  }

  TEST_CASE("snapshot: mail delivered during the session is not visible") {
    Rig r;
    r.login();
    r.store.deliver("bob@recipient.example", "Subject: late\r\n\r\nx\r\n", 9);
    CHECK(r.send("STAT\r\n") == "+OK 3 217\r\n");
    CHECK(r.send("RETR 4\r\n") == "-ERR No such message, only 3 messages in maildrop\r\n");
    r.send("DELE 1\r\nQUIT\r\n");
    CHECK(r.stored() == 3);  // 2, 3 and the late one
    Rig again(r.store, false, config(5));
    again.login();
    CHECK(again.send("UIDL\r\n") ==
          "+OK Unique-ID listing follows\r\n1 7.2\r\n2 7.3\r\n3 7.4\r\n.\r\n");
  }

  TEST_CASE("a message removed by someone else meanwhile: RETR answers -ERR [SYS/TEMP]") {
    Rig r;
    r.login();
    r.store.remove("bob@recipient.example", 2);
    CHECK(r.send("RETR 2\r\n") == "-ERR [SYS/TEMP] Message 2 is no longer in the mailbox\r\n");
    CHECK(r.send("DELE 2\r\nQUIT\r\n") ==
          "+OK Message 2 deleted\r\n"
          "+OK pop.recipient.example POP3 server signing off (1 messages deleted, 2 left)\r\n");
  }

  TEST_CASE("command line over 512 octets: -ERR and the session survives") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig r(bw);
      r.server.take_events();
      CHECK(r.send("NOOP " + std::string(600, 'x') + "\r\n") ==
            "-ERR Command line too long (limit 512 octets)\r\n");
      auto lines = lines_of(r.server.take_events());
      REQUIRE(lines.size() == 2);
      CHECK(lines[0].rfc == "RFC 2449 §4");
      // 510 octets of text + CRLF = 512: accepted (as an unknown command here).
      CHECK(r.send(std::string(510, 'Y') + "\r\n").rfind("-ERR Unknown command", 0) == 0);
      CHECK(r.login() == "+OK Send PASS\r\n" + kLoggedIn);
    }
  }

  TEST_CASE("pipelined commands in one write are answered in order") {
    Rig r;
    CHECK(r.send("USER bob\r\nPASS bobpw\r\nSTAT\r\nUIDL 1\r\nQUIT\r\n") ==
          "+OK Send PASS\r\n" + kLoggedIn +
              "+OK 3 217\r\n+OK 1 7.1\r\n"
              "+OK pop.recipient.example POP3 server signing off (0 messages deleted, 3 left)\r\n");
  }

  TEST_CASE("bare LF line ends are tolerated") {
    Rig r;
    CHECK(r.send("USER bob\nPASS bobpw\n") == "+OK Send PASS\r\n" + kLoggedIn);
  }

  TEST_CASE("three failed logins: further replies wait for the driver's penalty") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig r(bw);
      for (int i = 0; i < 3; ++i)
        CHECK(r.send("USER bob\r\nPASS x\r\n") == "+OK Send PASS\r\n" + kFailed);
      CHECK(r.server.penalty_ms() == 0);
      // The 4th attempt: the reply is held; input behind it waits too.
      CHECK(r.send("USER bob\r\nPASS x\r\nCAPA\r\n") == "+OK Send PASS\r\n");
      CHECK(r.server.penalty_ms() == 2000);
      CHECK(r.send("NOOP\r\n").empty());
      r.server.end_penalty();
      CHECK(r.server.penalty_ms() == 0);
      std::string out = r.server.take_output();
      CHECK(out.rfind(kFailed, 0) == 0);
      CHECK(out.find("+OK Capability list follows") != std::string::npos);
      CHECK(out.find("-ERR NOOP is not allowed before login") != std::string::npos);
      // Even a right password is answered after the penalty.
      CHECK(r.send("USER bob\r\nPASS bobpw\r\n") == "+OK Send PASS\r\n");
      CHECK(r.server.penalty_ms() == 2000);
      r.server.end_penalty();
      CHECK(r.server.take_output() == kLoggedIn);
    }
  }

  TEST_CASE("too many bad commands close the session") {
    auto cfg = config();
    cfg.max_bad_commands = 3;
    Rig r(false, cfg);
    r.send("A\r\nB\r\n");
    CHECK_FALSE(r.server.wants_close());
    CHECK(r.send("C\r\n") ==
          "-ERR Unknown command: C\r\n-ERR [SYS/PERM] Too many errors, closing connection\r\n");
    CHECK(r.server.wants_close());
    CHECK(r.server.state() == ServerState::Closed);
  }

  TEST_CASE("UIDLs are printable 0x21-0x7E and stable") {
    auto u = Server::uidl_of(4294967295u, 4294967295u);
    CHECK(u == "4294967295.4294967295");
    CHECK(u.size() <= 70);  // RFC 1939 §7: 1 to 70 characters
    for (char c : u) CHECK((c >= 0x21 && c <= 0x7E));
  }

  TEST_CASE("every command in the table has help, rfc and allowed states") {
    for (const auto& c : Server::commands()) {
      CAPTURE(c.verb);
      CHECK(std::string(c.help).size() > 10);
      CHECK(std::string(c.rfc).rfind("RFC ", 0) == 0);
      CHECK_FALSE(c.allowed.empty());
    }
  }
}

TEST_SUITE("pop3_server") {
  TEST_CASE("UIDL validity 0 uses the store's INBOX UIDVALIDITY") {
    net::store::Mailstore st;
    st.set_uid_validity_base(4242);
    fill(st);
    auto cfg = config();
    cfg.uidl_validity = 0;
    Rig r(st, false, cfg);
    r.login();
    auto* inbox = st.folder("bob@recipient.example", "INBOX");
    REQUIRE(inbox != nullptr);
    CHECK(r.send("UIDL 1\r\n") == "+OK 1 " + std::to_string(inbox->uid_validity) + ".1\r\n");
  }
}

// The bytes of a multi-line body (RFC 1939 §3) from append_dot_stuffed, the one function
// RETR and TOP write them with, whatever events the engine reports.
TEST_SUITE("pop3_server") {
  TEST_CASE("append_dot_stuffed: exact bytes for dots, CRLF and LF, empty and unterminated") {
    auto stuffed = [](std::string_view data, std::optional<std::size_t> top = std::nullopt) {
      std::string out = "+OK\r\n";  // appends after what is already there
      append_dot_stuffed(out, data, top, {});
      return out;
    };
    CHECK(stuffed("") == "+OK\r\n.\r\n");  // an empty message: the terminator alone
    CHECK(stuffed("a\r\n") == "+OK\r\na\r\n.\r\n");
    CHECK(stuffed("a\n") == "+OK\r\na\r\n.\r\n");                  // LF becomes CRLF
    CHECK(stuffed("no newline") == "+OK\r\nno newline\r\n.\r\n");  // still a whole line
    CHECK(stuffed("x\r\n.") == "+OK\r\nx\r\n..\r\n.\r\n");         // a last lone dot
    CHECK(stuffed(".\r\n..\r\n.a\n a.\r\n") == "+OK\r\n..\r\n...\r\n..a\r\n a.\r\n.\r\n");
    CHECK(stuffed("\r\n\n") == "+OK\r\n\r\n\r\n.\r\n");  // empty lines stay empty
    CHECK(stuffed("H: v\n\nb1\n.b2\nb3\n", 2) == "+OK\r\nH: v\r\n\r\nb1\r\n..b2\r\n.\r\n");
    CHECK(stuffed("H: v\n\nb1\n", 0) == "+OK\r\nH: v\r\n\r\n.\r\n");

    std::vector<std::string> seen;
    std::size_t n = 0;
    std::string out;
    n = append_dot_stuffed(
        out, "A: 1\r\n\r\n.x\r\ny", std::nullopt,
        [&](std::string_view line, bool stuffed_line, bool in_body) {
          seen.push_back(std::string(line) + (stuffed_line ? " S" : "") + (in_body ? " B" : " H"));
        });
    CHECK(n == 4);
    CHECK(seen == std::vector<std::string>{"A: 1 H", " H", "..x S B", "y B"});
    CHECK(out == "A: 1\r\n\r\n..x\r\ny\r\n.\r\n");
  }

  TEST_CASE("body_line_events off: the same bytes, one event for the body and one for '.'") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      auto cfg = config();
      cfg.body_line_events = false;
      Rig r(bw, cfg);
      r.login();
      r.server.take_events();
      CHECK(r.send("RETR 1\r\n") == kRetr1);
      auto lines = lines_of(r.server.take_events());
      REQUIRE(lines.size() == 4);  // command, +OK, the body, "."
      CHECK(lines[2].kind == net::LineKind::Data);
      CHECK(lines[2].text ==
            "From: ana@sender.example\r\nTo: bob@recipient.example\r\nSubject: one\r\n\r\n"
            "Hello Bob,\r\n..a line with a leading dot\r\n..\r\n...\r\nbye");
      CHECK(lines[2].rfc == "RFC 1939 §3");
      CHECK(lines[3].text == ".");
      CHECK(lines[3].label == ".");
      CHECK(r.send("TOP 2 1\r\n") ==
            "+OK Top of message follows\r\nFrom: carol@recipient.example\r\nSubject: two\r\n"
            "\r\nline 1\r\n.\r\n");
    }
  }

  TEST_CASE("body_line_events off: an empty message is the '.' line alone") {
    net::store::Mailstore st;
    st.add_account({"bob@recipient.example", "bob", "bobpw"});
    st.deliver("bob@recipient.example", "", 1);
    auto cfg = config();
    cfg.body_line_events = false;
    Rig r(st, true, cfg);
    r.login();
    r.server.take_events();
    CHECK(r.send("RETR 1\r\n") == "+OK 0 octets\r\n.\r\n");
    auto lines = lines_of(r.server.take_events());
    REQUIRE(lines.size() == 3);  // command, +OK, "."
    CHECK(lines[2].text == ".");
  }
}

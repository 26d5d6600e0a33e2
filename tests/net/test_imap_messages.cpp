#include <doctest/doctest.h>

#include <string>

#include "imap_test_util.hpp"

using namespace net::imap;
using imaptest::kMsg1;
using imaptest::Rig;
using imaptest::Session;

namespace {
const char* kBob = "bob@recipient.example";
std::string lit(const std::string& s) {
  return "{" + std::to_string(s.size()) + "}\r\n" + s;
}
}  // namespace

TEST_CASE("IMAP FETCH: FLAGS UID INTERNALDATE RFC822.SIZE, macros, UID FETCH") {
  Rig rig;
  rig.two_messages();
  Session c(rig.store);
  c.select();
  std::string size1 = std::to_string(std::string(kMsg1).size());
  CHECK(
      c.send("a FETCH 1 (FLAGS UID INTERNALDATE RFC822.SIZE)\r\n") ==
      "* 1 FETCH (FLAGS (\\Recent) UID 1 INTERNALDATE \"26-Nov-2026 08:00:00 +0000\" RFC822.SIZE " +
          size1 + ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 FAST\r\n") ==
        "* 1 FETCH (FLAGS (\\Recent) INTERNALDATE \"26-Nov-2026 08:00:00 +0000\" RFC822.SIZE " +
            size1 + ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1:* UID\r\n") ==
        "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\na OK FETCH completed\r\n");
  CHECK(c.send("a UID FETCH 2:* FLAGS\r\n") ==
        "* 2 FETCH (UID 2 FLAGS (\\Recent))\r\na OK UID FETCH completed\r\n");
  CHECK(c.send("a UID FETCH 9 FLAGS\r\n") == "a OK UID FETCH completed\r\n");
  CHECK(c.send("a FETCH 3 FLAGS\r\n") == "a BAD Invalid message sequence number\r\n");
  CHECK(c.send("a FETCH 1 (FLAGS BOGUS)\r\n") == "a BAD Invalid FETCH data items\r\n");
  CHECK(c.send("a FETCH 1 BODY[FOO]\r\n") == "a BAD Invalid FETCH data items\r\n");
  CHECK(c.send("a FETCH x FLAGS\r\n") == "a BAD Syntax: FETCH sequence-set items\r\n");
}

TEST_CASE("IMAP FETCH: ENVELOPE and BODYSTRUCTURE") {
  Rig rig;
  rig.two_messages();
  Session c(rig.store);
  c.select();
  CHECK(c.send("a FETCH 1 ENVELOPE\r\n") ==
        "* 1 FETCH (ENVELOPE (\"Thu, 26 Nov 2026 08:00:00 +0000\" \"Lunch\" "
        "((\"Ana\" NIL \"ana\" \"sender.example\")) ((\"Ana\" NIL \"ana\" \"sender.example\")) "
        "((\"Ana\" NIL \"ana\" \"sender.example\")) ((NIL NIL \"bob\" \"recipient.example\")) "
        "NIL NIL NIL \"<1@sender.example>\"))\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 2 ENVELOPE\r\n") ==
        "* 2 FETCH (ENVELOPE (NIL \"Report\" ((\"Carol C.\" NIL \"carol\" \"recipient.example\")) "
        "((\"Carol C.\" NIL \"carol\" \"recipient.example\")) "
        "((\"Carol C.\" NIL \"carol\" \"recipient.example\")) "
        "((NIL NIL \"bob\" \"recipient.example\")(NIL NIL \"ana\" \"sender.example\")) "
        "NIL NIL NIL NIL))\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 2 BODYSTRUCTURE\r\n") ==
        "* 2 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" "
        "40 2 NIL NIL NIL NIL))\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 2 BODY\r\n") ==
        "* 2 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 40 "
        "2))\r\na OK FETCH completed\r\n");
  rig.store.deliver(kBob,
                    "Content-Type: text/html; charset=\"UTF-8\"\r\n"
                    "Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>x</p>\r\n",
                    0);
  c.send("n NOOP\r\n");
  CHECK(c.send("a FETCH 3 BODYSTRUCTURE\r\n") ==
        "* 3 FETCH (BODYSTRUCTURE (\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL "
        "\"QUOTED-PRINTABLE\" 10 1 NIL NIL NIL NIL))\r\na OK FETCH completed\r\n");
}

TEST_CASE("IMAP FETCH: body sections, partials, PEEK and the implicit \\Seen") {
  Rig rig;
  rig.two_messages();
  Session c(rig.store);
  c.select();
  std::string m1 = kMsg1;
  size_t split = m1.find("\r\n\r\n") + 4;
  std::string header = m1.substr(0, split), text = m1.substr(split);
  CHECK(c.send("a FETCH 1 BODY.PEEK[HEADER]\r\n") ==
        "* 1 FETCH (BODY[HEADER] " + lit(header) + ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[TEXT]\r\n") ==
        "* 1 FETCH (BODY[TEXT] " + lit(text) + ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[1]\r\n") ==
        "* 1 FETCH (BODY[1] " + lit(text) + ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 (BODY.PEEK[HEADER.FIELDS (subject FROM)])\r\n") ==
        "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] " +
            lit("From: Ana <ana@sender.example>\r\nSubject: Lunch\r\n\r\n") +
            ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (From To Subject Date)]\r\n") ==
        "* 1 FETCH (BODY[HEADER.FIELDS.NOT (FROM TO SUBJECT DATE)] " +
            lit("Message-ID: <1@sender.example>\r\n\r\n") + ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[]<0.4>\r\n") ==
        "* 1 FETCH (BODY[]<0> {4}\r\nFrom)\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[TEXT]<6.100>\r\n") ==
        "* 1 FETCH (BODY[TEXT]<6> " + lit(text.substr(6)) + ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[]<9999.4>\r\n") ==
        "* 1 FETCH (BODY[]<9999> {0}\r\n)\r\na OK FETCH completed\r\n");
  CHECK(rig.store.messages(kBob)->front().flags.empty());  // PEEK left \Seen alone
  // Non-PEEK sets \Seen and reports the flags.
  CHECK(c.send("b FETCH 1 BODY[]\r\n") ==
        "* 1 FETCH (BODY[] " + lit(m1) + " FLAGS (\\Seen \\Recent))\r\nb OK FETCH completed\r\n");
  CHECK(c.send("b FETCH 1 (FLAGS RFC822)\r\n") ==
        "* 1 FETCH (FLAGS (\\Seen \\Recent) RFC822 " + lit(m1) + ")\r\nb OK FETCH completed\r\n");
  CHECK(c.send("b FETCH 2 RFC822.HEADER\r\n").find("FLAGS") == std::string::npos);
  CHECK(c.send("b UID FETCH 2 RFC822.TEXT\r\n") ==
        "* 2 FETCH (UID 2 RFC822.TEXT " + lit("The quarterly report is attached.\r\nBye\r\n") +
            " FLAGS (\\Seen \\Recent))\r\nb OK UID FETCH completed\r\n");
  // The trace shows the literal as its own data line.
  auto lines = imaptest::lines_of(c.server.take_events());
  bool literal_line = false;
  for (const auto& l : lines) literal_line = literal_line || (l.sent && l.label == "literal");
  CHECK(literal_line);
}

TEST_CASE("IMAP STORE: +FLAGS -FLAGS FLAGS .SILENT keywords, UID STORE") {
  Rig rig;
  rig.two_messages();
  Session c(rig.store);
  c.select();
  CHECK(c.send("a STORE 1 +FLAGS (\\Flagged $Work)\r\n") ==
        "* 1 FETCH (FLAGS (\\Flagged $Work \\Recent))\r\na OK STORE completed\r\n");
  CHECK(c.send("a STORE 1:2 +FLAGS \\seen\r\n") ==
        "* 1 FETCH (FLAGS (\\Flagged $Work \\Seen \\Recent))\r\n"
        "* 2 FETCH (FLAGS (\\Seen \\Recent))\r\n"
        "a OK STORE completed\r\n");
  CHECK(c.send("a STORE 1 -FLAGS ($work)\r\n") ==
        "* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))\r\na OK STORE completed\r\n");
  CHECK(c.send("a STORE 2 FLAGS.SILENT (\\Answered)\r\n") == "a OK STORE completed\r\n");
  CHECK(rig.store.messages(kBob)->back().flags == std::vector<std::string>{"\\Answered"});
  CHECK(c.send("a UID STORE 2 FLAGS ()\r\n") ==
        "* 2 FETCH (UID 2 FLAGS (\\Recent))\r\na OK UID STORE completed\r\n");
  CHECK(c.send("a STORE 1 +FLAGS (\\Recent)\r\n") == "a BAD Invalid flag \\Recent\r\n");
  CHECK(c.send("a STORE 1 XFLAGS (\\Seen)\r\n") ==
        "a BAD Syntax: STORE sequence-set (+|-)FLAGS[.SILENT] (flags)\r\n");
  CHECK(c.send("a STORE 5 +FLAGS (\\Seen)\r\n") == "a BAD Invalid message sequence number\r\n");
}

TEST_CASE("IMAP SEARCH keys") {
  Rig rig;
  rig.two_messages();
  rig.store.set_flags(kBob, "INBOX", 1, {"\\Seen", "\\Flagged"});
  Session c(rig.store);
  c.select();
  auto search = [&](const std::string& q) {
    std::string out = c.send("s SEARCH " + q + "\r\n");
    std::string ok = "s OK SEARCH completed\r\n";
    if (out.size() < ok.size() || out.substr(out.size() - ok.size()) != ok) return out;
    return out.substr(0, out.size() - ok.size());
  };
  CHECK(search("ALL") == "* SEARCH 1 2\r\n");
  CHECK(search("SEEN") == "* SEARCH 1\r\n");
  CHECK(search("UNSEEN") == "* SEARCH 2\r\n");
  CHECK(search("FLAGGED") == "* SEARCH 1\r\n");
  CHECK(search("DELETED") == "* SEARCH\r\n");
  CHECK(search("FROM carol") == "* SEARCH 2\r\n");
  CHECK(search("FROM \"ANA@\"") == "* SEARCH 1\r\n");
  CHECK(search("TO ana") == "* SEARCH 2\r\n");
  CHECK(search("SUBJECT lunch") == "* SEARCH 1\r\n");
  CHECK(search("BODY quarterly") == "* SEARCH 2\r\n");
  CHECK(search("BODY Lunch") == "* SEARCH\r\n");
  CHECK(search("TEXT Lunch") == "* SEARCH 1\r\n");
  CHECK(search("NOT SEEN") == "* SEARCH 2\r\n");
  CHECK(search("OR SUBJECT lunch SUBJECT report") == "* SEARCH 1 2\r\n");
  CHECK(search("(SEEN FLAGGED) FROM ana") == "* SEARCH 1\r\n");
  CHECK(search("2") == "* SEARCH 2\r\n");
  CHECK(search("1:*") == "* SEARCH 1 2\r\n");
  CHECK(search("UID 2") == "* SEARCH 2\r\n");
  CHECK(search("SINCE 26-Nov-2026") == "* SEARCH 1 2\r\n");
  CHECK(search("SINCE 27-Nov-2026") == "* SEARCH\r\n");
  CHECK(search("BEFORE 26-Nov-2026") == "* SEARCH\r\n");
  CHECK(search("ON 26-Nov-2026") == "* SEARCH 1 2\r\n");
  CHECK(search("SENTON 26-Nov-2026") == "* SEARCH 1\r\n");
  CHECK(search("LARGER 10000") == "* SEARCH\r\n");
  CHECK(search("KEYWORD $Work") == "* SEARCH\r\n");
  CHECK(search("HEADER Message-ID sender") == "* SEARCH 1\r\n");
  CHECK(search("CHARSET UTF-8 SUBJECT report") == "* SEARCH 2\r\n");
  // Case-insensitive substring match (RFC 3501 §6.4.4), found without copying the text:
  // either case of the first letter, a near miss before the match, the last bytes.
  CHECK(search("BODY QUARTERLY") == "* SEARCH 2\r\n");
  CHECK(search("BODY qUaRtErLy") == "* SEARCH 2\r\n");
  CHECK(search("BODY \"the quarter\"") == "* SEARCH 2\r\n");
  CHECK(search("BODY \"the quartz\"") == "* SEARCH\r\n");
  CHECK(search("BODY bYE") == "* SEARCH 2\r\n");
  CHECK(search("BODY \"noon?\"") == "* SEARCH 1\r\n");
  CHECK(search("BODY \"noon?!\"") == "* SEARCH\r\n");
  CHECK(search("TEXT \"SUBJECT: LUNCH\"") == "* SEARCH 1\r\n");
  CHECK(search("SUBJECT \"\"") == "* SEARCH 1 2\r\n");
  CHECK(search("HEADER message-id \"<1@\"") == "* SEARCH 1\r\n");
  CHECK(search("HEADER X-Missing \"\"") == "* SEARCH\r\n");
  CHECK(c.send("s SEARCH CHARSET KOI8-R ALL\r\n") ==
        "s NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n");
  CHECK(c.send("s SEARCH BOGUS\r\n") == "s BAD Invalid search criteria\r\n");
  CHECK(c.send("s SEARCH SINCE 2026\r\n") == "s BAD Invalid search criteria\r\n");
  CHECK(c.send("s SEARCH\r\n") == "s BAD Syntax: SEARCH [CHARSET name] criteria\r\n");
  CHECK(c.send("u UID SEARCH UNSEEN\r\n") == "* SEARCH 2\r\nu OK UID SEARCH completed\r\n");
}

TEST_CASE("IMAP COPY, MOVE, EXPUNGE, UID EXPUNGE with UIDPLUS codes") {
  Rig rig;
  rig.two_messages();
  rig.store.deliver(kBob, "Subject: three\r\n\r\n3\r\n", imaptest::kNow);
  Session c(rig.store);
  c.select();
  std::string trash = std::to_string(rig.store.folder(kBob, "Trash")->uid_validity);
  CHECK(c.send("a COPY 1:2 Trash\r\n") ==
        "a OK [COPYUID " + trash + " 1:2 1:2] COPY completed\r\n");
  CHECK(rig.store.folder(kBob, "Trash")->messages.size() == 2);
  CHECK(c.send("a COPY 1 Nope\r\n") == "a NO [TRYCREATE] Mailbox does not exist\r\n");
  CHECK(c.send("a COPY 9 Trash\r\n") == "a BAD Invalid message sequence number\r\n");
  CHECK(c.send("b UID MOVE 2 Trash\r\n") ==
        "* OK [COPYUID " + trash + " 2 3] Moved\r\n* 2 EXPUNGE\r\nb OK UID MOVE completed\r\n");
  CHECK(c.send("b MOVE 2 Trash\r\n") ==
        "* OK [COPYUID " + trash + " 3 4] Moved\r\n* 2 EXPUNGE\r\nb OK MOVE completed\r\n");
  CHECK(rig.store.messages(kBob)->size() == 1);
  // EXPUNGE removes only \Deleted messages; UID EXPUNGE only the named ones.
  c.send("s SELECT Trash\r\n");
  c.send("d STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(c.send("e UID EXPUNGE 2\r\n") == "* 2 EXPUNGE\r\ne OK EXPUNGE completed\r\n");
  CHECK(c.send("f EXPUNGE\r\n") == "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\nf OK EXPUNGE completed\r\n");
  CHECK(c.send("g FETCH 1:* UID\r\n") == "* 1 FETCH (UID 4)\r\ng OK FETCH completed\r\n");
  CHECK(c.send("h EXPUNGE now\r\n") == "h BAD EXPUNGE takes no arguments\r\n");
  CHECK(c.send("h UID FROB 1\r\n") == "h BAD Unknown UID command FROB\r\n");
  c.send("i EXAMINE Trash\r\n");
  CHECK(c.send("j EXPUNGE\r\n") == "j NO [READ-ONLY] Mailbox is read-only\r\n");
  CHECK(c.send("j MOVE 1 INBOX\r\n") == "j NO [READ-ONLY] Mailbox is read-only\r\n");
}

TEST_CASE("IMAP FETCH: multipart BODYSTRUCTURE and part sections") {
  Rig rig;
  const std::string inner = "From: x@y.example\r\nSubject: Inner\r\n\r\ninner body\r\n";
  const std::string msg =
      "From: ana@sender.example\r\n"
      "Subject: Parts\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"XyZ\"\r\n"
      "\r\n"
      "preamble\r\n"
      "--XyZ\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "Hello\r\n"
      "--XyZ\r\n"
      "Content-Type: application/pdf; name=\"a.pdf\"\r\n"
      "Content-Disposition: attachment; filename=\"a.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "QUJD\r\n"
      "--XyZ\r\n"
      "Content-Type: message/rfc822\r\n"
      "\r\n" +
      inner +
      "--XyZ--\r\n"
      "epilogue\r\n";
  rig.store.deliver(kBob, msg, 0);
  Session c(rig.store);
  c.select();
  CHECK(
      c.send("a FETCH 1 BODYSTRUCTURE\r\n") ==
      "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 5 1 "
      "NIL NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 4 NIL "
      "(\"attachment\" (\"FILENAME\" \"a.pdf\")) NIL NIL)(\"MESSAGE\" \"RFC822\" NIL NIL NIL "
      "\"7BIT\" 47 (NIL \"Inner\" ((NIL NIL \"x\" "
      "\"y.example\")) ((NIL NIL \"x\" \"y.example\")) ((NIL NIL \"x\" \"y.example\")) NIL NIL "
      "NIL NIL NIL) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 1 NIL NIL "
      "NIL NIL) 4 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"XyZ\") NIL NIL NIL))\r\n"
      "a OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[1]\r\n") ==
        "* 1 FETCH (BODY[1] {5}\r\nHello)\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[2]\r\n") ==
        "* 1 FETCH (BODY[2] {4}\r\nQUJD)\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[2.MIME]\r\n") ==
        "* 1 FETCH (BODY[2.MIME] " +
            lit("Content-Type: application/pdf; name=\"a.pdf\"\r\n"
                "Content-Disposition: attachment; filename=\"a.pdf\"\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n") +
            ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[3]\r\n") == "* 1 FETCH (BODY[3] " +
                                                    lit(inner.substr(0, inner.size() - 2)) +
                                                    ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[3.HEADER.FIELDS (SUBJECT)]\r\n") ==
        "* 1 FETCH (BODY[3.HEADER.FIELDS (SUBJECT)] " + lit("Subject: Inner\r\n\r\n") +
            ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[3.1]\r\n") ==
        "* 1 FETCH (BODY[3.1] " + lit("inner body") + ")\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[4]\r\n") ==
        "* 1 FETCH (BODY[4] {0}\r\n)\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[1.HEADER]\r\n") ==
        "* 1 FETCH (BODY[1.HEADER] {0}\r\n)\r\na OK FETCH completed\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[MIME]\r\n") == "a BAD Invalid FETCH data items\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[1.]\r\n") == "a BAD Invalid FETCH data items\r\n");
  CHECK(c.send("a FETCH 1 BODY.PEEK[0]\r\n") == "a BAD Invalid FETCH data items\r\n");
}

namespace {
// A FETCH answered in parts (ServerConfig::fetch_chunk): what the engine writes until the
// answer is complete, resuming as a driver does once each part is written.
std::string fetch_all_parts(Session& c, std::string_view command, bool bytewise, int& parts) {
  std::string out = c.send(command, bytewise);
  parts = 1;
  while (c.server.fetch_paused()) {
    c.server.resume_fetch();
    out += c.server.take_output();
    ++parts;
  }
  return out;
}

void five_messages(Rig& rig) {
  rig.two_messages();
  rig.store.deliver(kBob, "Subject: three\r\n\r\n.a dot\r\n", imaptest::kNow);
  rig.store.deliver(kBob, "", imaptest::kNow);  // an empty message: a {0} literal
  rig.store.deliver(kBob, "Subject: five\r\n\r\nno final newline", imaptest::kNow);
}
}  // namespace

TEST_CASE("IMAP FETCH in parts: the same bytes as at once, later commands after its OK") {
  for (bool bytewise : {false, true}) {
    CAPTURE(bytewise);
    for (const char* items : {"(UID BODY.PEEK[])", "BODY[]", "(ENVELOPE RFC822.SIZE)"}) {
      CAPTURE(items);
      const std::string cmd = std::string("f FETCH 1:* ") + items + "\r\nn NOOP\r\n";
      Rig whole_rig, parts_rig;
      five_messages(whole_rig);
      five_messages(parts_rig);
      Session whole(whole_rig.store);
      ServerConfig cfg;
      cfg.fetch_chunk = 1;  // pause after every message
      Session parted(parts_rig.store, cfg);
      whole.select();
      parted.select();
      const std::string expected = whole.send(cmd, bytewise);
      CHECK(expected.find("f OK FETCH completed\r\nn OK NOOP completed\r\n") != std::string::npos);
      CHECK_FALSE(whole.server.fetch_paused());  // fetch_chunk 0: never in parts

      const std::string first = parted.send(cmd, bytewise);
      CHECK(first.rfind("* 1 FETCH (", 0) == 0);
      CHECK(first.find("* 2 FETCH") == std::string::npos);  // one message per part
      CHECK(first.find("f OK") == std::string::npos);
      CHECK(parted.server.fetch_paused());
      int parts = 0;
      std::string rest;
      while (parted.server.fetch_paused()) {
        parted.server.resume_fetch();
        rest += parted.server.take_output();
        ++parts;
      }
      CHECK(parts == 4);  // messages 2 to 5, one per resume_fetch()
      CHECK(first + rest == expected);
      // The store saw the same \Seen changes.
      CHECK(parts_rig.store.messages(kBob)->front().flags ==
            whole_rig.store.messages(kBob)->front().flags);
    }
  }
}

TEST_CASE("IMAP FETCH in parts: input during a pause waits; BYE ends the answer") {
  Rig rig;
  five_messages(rig);
  ServerConfig cfg;
  cfg.fetch_chunk = 1;
  Session c(rig.store, cfg);
  c.select();
  std::string out = c.send("u UID FETCH 2:4 (UID BODY.PEEK[HEADER])\r\n");
  CHECK(out.rfind("* 2 FETCH (UID 2 BODY[HEADER] {", 0) == 0);
  REQUIRE(c.server.fetch_paused());
  CHECK(c.send("n NOOP\r\n", true).empty());  // waits in the reader until the FETCH is done
  int parts = 0;
  out = fetch_all_parts(c, "", false, parts);
  CHECK(parts == 3);
  CHECK(out.find("* 3 FETCH (UID 3 ") != std::string::npos);
  CHECK(out.find("* 4 FETCH (UID 4 BODY[HEADER] {0}\r\n)\r\n") != std::string::npos);
  CHECK(out.find("u OK UID FETCH completed\r\nn OK NOOP completed\r\n") != std::string::npos);

  // An autologout while paused: BYE after a whole FETCH response, nothing after it.
  c.send("g FETCH 1:* BODY.PEEK[]\r\n");
  REQUIRE(c.server.fetch_paused());
  c.server.on_timeout();
  CHECK(c.server.take_output().rfind("* BYE Autologout", 0) == 0);
  c.server.resume_fetch();
  CHECK_FALSE(c.server.fetch_paused());
  CHECK(c.server.take_output().empty());
  CHECK(c.server.wants_close());
}

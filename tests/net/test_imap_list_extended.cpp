// LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC 5819) on the IMAP server: selection and
// return options, several patterns, CHILDINFO, \NonExistent, and the errors each option
// can meet. The expected answers follow the RFCs' rules, checked against Dovecot 2.3 by hand:
// it gives a parent CHILDINFO only when the chosen child is not matched itself, whether or not
// the parent is chosen too, and lists a missing parent \NonExistent.
#include <doctest/doctest.h>

#include <string>

#include "imap_test_util.hpp"

using imaptest::Rig;
using imaptest::Session;

namespace {
const char* const kBob = "bob@recipient.example";

std::string validity(Rig& rig, const char* folder) {
  return std::to_string(rig.store.folder(kBob, folder)->uid_validity);
}
}  // namespace

TEST_CASE("IMAP LIST RETURN (STATUS): counters follow each LIST line (RFC 5819)") {
  Rig rig;
  rig.two_messages();
  Session c(rig.store);
  c.login();
  const std::string want =
      "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
      "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY " +
      validity(rig, "INBOX") +
      ")\r\n"
      "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
      "* STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY " +
      validity(rig, "Sent") + ")\r\na OK LIST completed\r\n";
  const char* cmd = "a LIST \"\" (INBOX Sent) RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY))\r\n";
  CHECK(c.send(cmd) == want);
  CHECK(c.send(cmd, true) == want);  // the same when it arrives one byte at a time
  // Every status item; upper-cased in the answer; the selected folder is answered as well.
  c.send("s SELECT INBOX\r\n");
  CHECK(c.send("b list \"\" inbox return (status (unseen recent messages))\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
        "* STATUS INBOX (UNSEEN 2 RECENT 2 MESSAGES 2)\r\nb OK LIST completed\r\n");
  // A \Noselect parent is listed but gets no STATUS.
  CHECK(c.send("c CREATE Archive/Old\r\n") == "c OK CREATE completed\r\n");
  CHECK(c.send("c DELETE Archive\r\n") == "c OK DELETE completed\r\n");
  CHECK(c.send("d LIST \"\" Archive* RETURN (STATUS (MESSAGES))\r\n") ==
        "* LIST (\\Noselect \\HasChildren) \"/\" Archive\r\n"
        "* LIST (\\HasNoChildren) \"/\" Archive/Old\r\n"
        "* STATUS Archive/Old (MESSAGES 0)\r\nd OK LIST completed\r\n");
}

TEST_CASE("IMAP LIST with several patterns lists each mailbox once, with the reference") {
  Rig rig;
  Session c(rig.store);
  c.login();
  CHECK(c.send("a LIST \"\" (inbox \"S*\" INBOX %ent)\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
        "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\na OK LIST completed\r\n");
  c.send("b CREATE Work/2026\r\n");
  c.send("b CREATE Work/2025\r\n");
  CHECK(c.send("c LIST Work/ (2025 \"20%6\")\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" Work/2025\r\n"
        "* LIST (\\HasNoChildren) \"/\" Work/2026\r\nc OK LIST completed\r\n");
  // An empty selection or return list is an extended LIST that asks for nothing more.
  CHECK(c.send("d LIST () \"\" Work RETURN ()\r\n") ==
        "* LIST (\\HasChildren) \"/\" Work\r\nd OK LIST completed\r\n");
}

TEST_CASE("IMAP LIST (SUBSCRIBED), RETURN (SUBSCRIBED) and \\NonExistent (RFC 5258 §3)") {
  Rig rig;
  Session c(rig.store);
  c.login();
  c.send("a CREATE Work\r\n");
  CHECK(c.send("b UNSUBSCRIBE Junk\r\n") == "b OK UNSUBSCRIBE completed\r\n");
  // Work is not subscribed (CREATE does not subscribe), Junk no longer is.
  CHECK(c.send("c LIST (SUBSCRIBED) \"\" *\r\n") ==
        "* LIST (\\Subscribed \\HasNoChildren) \"/\" INBOX\r\n"
        "* LIST (\\Subscribed \\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
        "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent\r\n"
        "* LIST (\\Subscribed \\HasNoChildren \\Trash) \"/\" Trash\r\n"
        "c OK LIST completed\r\n");
  CHECK(c.send("d LIST \"\" (Junk Work Sent) RETURN (SUBSCRIBED CHILDREN)\r\n") ==
        "* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
        "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent\r\n"
        "* LIST (\\HasNoChildren) \"/\" Work\r\nd OK LIST completed\r\n");
  // A subscription outlives its mailbox (RFC 3501 §6.3.6): listed \NonExistent, no STATUS.
  c.send("e SUBSCRIBE Work\r\n");
  CHECK(c.send("f DELETE Work\r\n") == "f OK DELETE completed\r\n");
  CHECK(
      c.send("g LIST (SUBSCRIBED) \"\" W* RETURN (STATUS (MESSAGES))\r\n") ==
      "* LIST (\\NonExistent \\Subscribed \\HasNoChildren) \"/\" Work\r\ng OK LIST completed\r\n");
  CHECK(c.send("h LIST \"\" W*\r\n") == "h OK LIST completed\r\n");  // only with SUBSCRIBED
  // Both selection options: subscribed and with a special use.
  CHECK(c.send("i LIST (SPECIAL-USE SUBSCRIBED) \"\" *\r\n") ==
        "* LIST (\\Subscribed \\HasNoChildren \\Drafts) \"/\" Drafts\r\n"
        "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent\r\n"
        "* LIST (\\Subscribed \\HasNoChildren \\Trash) \"/\" Trash\r\n"
        "i OK LIST completed\r\n");
}

TEST_CASE("IMAP LIST (SUBSCRIBED RECURSIVEMATCH): CHILDINFO for a parent (RFC 5258 §3.5)") {
  Rig rig;
  Session c(rig.store);
  c.login();
  c.send("a CREATE Fruit/Banana\r\n");
  c.send("a CREATE Fruit/Apple\r\n");
  CHECK(c.send("b SUBSCRIBE Fruit/Banana\r\n") == "b OK SUBSCRIBE completed\r\n");
  // One level: Fruit itself is not subscribed, but Banana below it is and "%" misses it.
  CHECK(c.send("c LIST (SUBSCRIBED RECURSIVEMATCH) \"\" F%\r\n") ==
        "* LIST (\\HasChildren) \"/\" Fruit (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
        "c OK LIST completed\r\n");
  // "*" reaches Banana itself, so Fruit is not listed; Apple is not subscribed.
  CHECK(c.send("d LIST (SUBSCRIBED RECURSIVEMATCH) \"\" F*\r\n") ==
        "* LIST (\\Subscribed \\HasNoChildren) \"/\" Fruit/Banana\r\nd OK LIST completed\r\n");
  // Without RECURSIVEMATCH the parent stays out; a CHILDINFO entry gets no STATUS.
  CHECK(c.send("e LIST (SUBSCRIBED) \"\" F%\r\n") == "e OK LIST completed\r\n");
  CHECK(c.send("f LIST (SUBSCRIBED RECURSIVEMATCH) \"\" F% RETURN (STATUS (MESSAGES))\r\n") ==
        "* LIST (\\HasChildren) \"/\" Fruit (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
        "f OK LIST completed\r\n");
  // A parent chosen itself keeps its CHILDINFO: Banana below it is still out of reach.
  CHECK(c.send("h SUBSCRIBE Fruit\r\n") == "h OK SUBSCRIBE completed\r\n");
  CHECK(c.send("h LIST (SUBSCRIBED RECURSIVEMATCH) \"\" F%\r\n") ==
        "* LIST (\\Subscribed \\HasChildren) \"/\" Fruit (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
        "h OK LIST completed\r\n");
  CHECK(c.send("h UNSUBSCRIBE Fruit\r\n") == "h OK UNSUBSCRIBE completed\r\n");
  // A subscribed name whose superior is gone: the superior is listed \NonExistent.
  c.send("i CREATE Ghost/Child\r\n");
  c.send("i SUBSCRIBE Ghost/Child\r\n");
  CHECK(c.send("i DELETE Ghost/Child\r\n") == "i OK DELETE completed\r\n");
  CHECK(c.send("i DELETE Ghost\r\n") == "i OK DELETE completed\r\n");
  CHECK(c.send("j LIST (SUBSCRIBED RECURSIVEMATCH) \"\" G%\r\n") ==
        "* LIST (\\NonExistent \\HasNoChildren) \"/\" Ghost (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
        "j OK LIST completed\r\n");
  CHECK(c.send("j LIST (SUBSCRIBED RECURSIVEMATCH) \"\" G*\r\n") ==
        "* LIST (\\NonExistent \\Subscribed \\HasNoChildren) \"/\" Ghost/Child\r\n"
        "j OK LIST completed\r\n");
  // REMOTE is accepted and changes nothing here (there are no remote mailboxes).
  CHECK(c.send("g LIST (REMOTE SUBSCRIBED RECURSIVEMATCH) \"\" F%\r\n") ==
        "* LIST (\\HasChildren) \"/\" Fruit (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
        "g OK LIST completed\r\n");
}

TEST_CASE("IMAP extended LIST errors: BAD naming what is wrong") {
  Rig rig;
  Session c(rig.store);
  c.login();
  const std::string syntax =
      "BAD Syntax: LIST [(SUBSCRIBED REMOTE RECURSIVEMATCH SPECIAL-USE)] reference "
      "pattern|(patterns) [RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS (items))]\r\n";
  CHECK(c.send("a LIST (RECURSIVEMATCH) \"\" *\r\n") ==
        "a BAD RECURSIVEMATCH needs another selection option, such as SUBSCRIBED\r\n");
  CHECK(c.send("a LIST (REMOTE RECURSIVEMATCH) \"\" *\r\n") ==
        "a BAD RECURSIVEMATCH needs another selection option, such as SUBSCRIBED\r\n");
  CHECK(c.send("a LIST (FOO) \"\" *\r\n") == "a BAD Unknown LIST selection option FOO\r\n");
  CHECK(c.send("a LIST \"\" * RETURN (FOO)\r\n") == "a BAD Unknown LIST return option FOO\r\n");
  CHECK(c.send("a LIST \"\" * RETURN (STATUS (FOO))\r\n") == "a BAD Unknown STATUS item FOO\r\n");
  CHECK(c.send("a LIST \"\" * RETURN (STATUS ())\r\n") ==
        "a BAD STATUS needs at least one item: MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT\r\n");
  CHECK(c.send("a LIST \"\" * RETURN (STATUS)\r\n") == "a " + syntax);
  CHECK(c.send("a LIST \"\" ()\r\n") == "a " + syntax);             // a pattern list is not empty
  CHECK(c.send("a LIST \"\" (INBOX Sent\r\n") == "a " + syntax);    // unclosed
  CHECK(c.send("a LIST (SUBSCRIBED \"\" *\r\n") == "a " + syntax);  // unclosed
  CHECK(c.send("a LIST (SUBSCRIBED)\"\" *\r\n") == "a " + syntax);
  CHECK(c.send("a LIST \"\" * RETURN\r\n") == "a " + syntax);
  CHECK(c.send("a LIST \"\" * FETCH (STATUS (MESSAGES))\r\n") == "a " + syntax);
  CHECK(c.send("a LIST \"\" * RETURN (SUBSCRIBED) x\r\n") == "a " + syntax);
  CHECK(c.send("a LIST \"\" * RETURN (STATUS (MESSAGES) STATUS (UNSEEN))\r\n") ==
        "a BAD LIST RETURN names STATUS twice\r\n");
  // The session goes on.
  CHECK(c.send("b LIST \"\" Sent\r\n") ==
        "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\nb OK LIST completed\r\n");
}

TEST_CASE("IMAP LIST: the empty pattern in the extended syntax, and wildcard runs") {
  Rig rig;
  Session c(rig.store);
  c.login();
  c.send("a CREATE Work/2026\r\n");
  // Only the basic syntax answers "" with the delimiter (RFC 3501 §6.3.8); in the extended
  // one an empty pattern is the reference alone.
  CHECK(c.send("b LIST (SUBSCRIBED) \"\" \"\"\r\n") == "b OK LIST completed\r\n");
  CHECK(c.send("b LIST \"\" (\"\")\r\n") == "b OK LIST completed\r\n");
  CHECK(c.send("b LIST \"\" \"\" RETURN (CHILDREN)\r\n") == "b OK LIST completed\r\n");
  CHECK(c.send("b LIST Work (\"\" x)\r\n") ==
        "* LIST (\\HasChildren) \"/\" Work\r\nb OK LIST completed\r\n");
  // "%" stops at the delimiter, "*" does not, whatever runs of them a pattern holds.
  CHECK(c.send("c LIST \"\" W%%%\r\n") ==
        "* LIST (\\HasChildren) \"/\" Work\r\nc OK LIST completed\r\n");
  CHECK(c.send("c LIST \"\" W%*%6\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" Work/2026\r\nc OK LIST completed\r\n");
  CHECK(c.send("c LIST \"\" %/%%\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" Work/2026\r\nc OK LIST completed\r\n");
  CHECK(c.send("c LIST \"\" *o*k*\r\n") ==
        "* LIST (\\HasChildren) \"/\" Work\r\n"
        "* LIST (\\HasNoChildren) \"/\" Work/2026\r\nc OK LIST completed\r\n");
  // Patterns that make a backtracking matcher take exponential time: answered at once.
  c.send("d CREATE aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
  CHECK(c.send("d LIST \"\" \"" + std::string(200, '%') + "q\"\r\n") == "d OK LIST completed\r\n");
  std::string star_a;
  for (int i = 0; i < 30; ++i) star_a += "*a";
  CHECK(c.send("d LIST \"\" \"" + star_a + "*b\"\r\n") == "d OK LIST completed\r\n");
  CHECK(c.send("d LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"" + star_a + "\" \"" +
               std::string(100, '%') + "q%\")\r\n") == "d OK LIST completed\r\n");
  CHECK(c.send("d LIST \"\" \"" + star_a + "\"\r\n") ==
        "* LIST (\\HasNoChildren) \"/\" aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
        "d OK LIST completed\r\n");
}

// IMAP over a store whose persist hook refuses new messages (serve --maildir with a disk
// that cannot be written): APPEND, COPY and MOVE answer NO and change nothing.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "imap_test_util.hpp"

using imaptest::Rig;
using imaptest::Session;

TEST_CASE("IMAP: a refused write makes APPEND, COPY and MOVE fail with NO") {
  Rig rig;
  rig.two_messages();
  bool refuse = true;
  rig.store.set_persist(
      [&](const net::store::Change&, const net::store::StoredMessage&) { return !refuse; });
  Session s(rig.store);
  s.select();
  CHECK(s.send("A1 APPEND Drafts {3+}\r\nhi\n\r\n").find("A1 NO ") != std::string::npos);
  const std::string copy = s.send("C1 UID COPY 1:2 Trash\r\n");
  CHECK(copy.find("C1 NO [UNAVAILABLE] COPY stopped: the message with UID 1") != std::string::npos);
  const std::string move = s.send("M1 UID MOVE 2 Trash\r\n");
  CHECK(move.find("M1 NO [UNAVAILABLE] MOVE") != std::string::npos);
  CHECK(move.find("EXPUNGE") == std::string::npos);
  CHECK(rig.store.folder("bob@recipient.example", "Trash")->messages.empty());
  CHECK(rig.store.folder("bob@recipient.example", "Drafts")->messages.empty());
  CHECK(rig.store.folder("bob@recipient.example", "INBOX")->messages.size() == 2);
  // Writable again: the same commands succeed.
  refuse = false;
  CHECK(s.send("C2 UID COPY 1:2 Trash\r\n").find("C2 OK [COPYUID") != std::string::npos);
  CHECK(rig.store.folder("bob@recipient.example", "Trash")->messages.size() == 2);
}

// RFC 3501 §6.4.7: a COPY that fails leaves the destination as it was, so that a client that
// tries again does not end up with duplicates.
TEST_CASE("IMAP: a COPY whose second copy is refused takes the first back") {
  Rig rig;
  rig.two_messages();
  const char* bob = "bob@recipient.example";
  std::vector<std::string> announced;
  rig.store.on_change(
      [&](const net::store::Change& c) { announced.push_back(c.op + " " + c.folder); });
  bool refuse_removal = false;
  rig.store.set_persist([&](const net::store::Change& c, const net::store::StoredMessage& m) {
    if (c.op == "append") return m.data != imaptest::kMsg2;  // its copy cannot be written
    return !(c.op == "expunge" && refuse_removal);
  });
  Session s(rig.store);
  s.select();

  const std::string copy = s.send("C1 UID COPY 1:2 Trash\r\n");
  CHECK(copy.find("C1 NO [UNAVAILABLE] COPY stopped: the message with UID 2") != std::string::npos);
  CHECK(copy.find("nothing was copied") != std::string::npos);
  CHECK(rig.store.folder(bob, "Trash")->messages.empty());
  CHECK(announced.empty());  // nobody saw the first copy come and go

  // The first copy cannot be taken back either: it stays, is announced, and the NO says so.
  refuse_removal = true;
  const std::string again = s.send("C2 UID COPY 1:2 Trash\r\n");
  CHECK(again.find("C2 NO [UNAVAILABLE]") != std::string::npos);
  CHECK(again.find("1 message(s) copied before it could not be removed again and stay in Trash") !=
        std::string::npos);
  REQUIRE(rig.store.folder(bob, "Trash")->messages.size() == 1);
  CHECK(rig.store.folder(bob, "Trash")->messages[0].data == imaptest::kMsg1);
  CHECK(announced == std::vector<std::string>{"append Trash"});
}

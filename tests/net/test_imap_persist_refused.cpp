// IMAP over a store whose persist hook refuses new messages (serve --maildir with a disk
// that cannot be written): APPEND, COPY and MOVE answer NO and change nothing.
#include <doctest/doctest.h>

#include <string>

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

// serve --maildir when the disk refuses a change: a flag change whose rename fails (the file
// was removed under the server) or an expunge whose unlink fails (the file was replaced by a
// directory, which defeats root too) is answered NO [UNAVAILABLE] (RFC 5530) in IMAP and
// -ERR [SYS/TEMP] (RFC 2449) to POP3's QUIT, and the store keeps what is on disk. A MOVE whose
// source cannot be removed takes its copy back (RFC 6851 §3.3), and a CLOSE whose expunge
// fails answers NO and stays selected.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "mirrored_store.hpp"
#include "net/imap/server.hpp"
#include "net/pop3/server.hpp"
#include "net/store/maildir_mirror.hpp"
#include "net/store/mailstore.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using net::store::Mailstore;

namespace {

const char* kA = "bob@x.example";
constexpr std::int64_t kNow = 1700000000;

using nettest::TempDir;

struct Run : nettest::MirroredStore {
  explicit Run(const fs::path& root) : MirroredStore(root, {kA, "bob", "pw"}, 9, kNow) {
    for (int i = 0; i < 2; ++i)
      store.deliver(kA, "Subject: m" + std::to_string(i) + "\r\n\r\nbody\r\n", kNow);
  }
  const net::store::StoredMessage* msg(std::uint32_t uid) const {
    return store.folder(kA, "INBOX")->find(uid);
  }
};

struct Imap {
  net::imap::Server server;
  explicit Imap(Mailstore& s) : server({}, s, [] { return kNow; }) {
    server.on_connect("10.0.0.2", "c.example");
    (void)server.take_output();
    send("L LOGIN bob pw\r\nS SELECT INBOX\r\n");
  }
  std::string send(const std::string& s) {
    server.feed(s);
    return server.take_output();
  }
};

// The file's path, then the file replaced by a non-empty directory: unlink(2) fails (EISDIR)
// whoever runs the test.
void make_unremovable(const fs::path& file) {
  fs::remove(file);
  fs::create_directories(file / "x");
}

}  // namespace

TEST_CASE("maildir write failure: STORE whose rename fails is NO [UNAVAILABLE], flags unchanged") {
  TempDir t;
  Run r(t.path);
  Imap s(r.store);
  const fs::path gone = r.mirror->path_of(kA, "INBOX", 1);
  REQUIRE(fs::exists(gone));
  fs::remove(gone);  // removed under the server: the rename into cur/ fails

  const std::string out = s.send("A UID STORE 1:2 +FLAGS (\\Flagged)\r\n");
  CHECK(out.find("A NO [UNAVAILABLE]") != std::string::npos);
  CHECK_FALSE(r.msg(1)->has_flag("\\Flagged"));  // as on disk: unchanged
  CHECK(r.msg(2)->has_flag("\\Flagged"));        // the other one was written
  CHECK(r.mirror->path_of(kA, "INBOX", 2).parent_path().filename() == "cur");
  CHECK_FALSE(r.errors.empty());

  // The flag that did reach the disk comes back after a restart; the failed one does not.
  r.mirror.reset();
  Run again(t.path);
  CHECK(again.msg(2)->has_flag("\\Flagged"));
}

TEST_CASE(
    "maildir write failure: a new keyword whose uid list cannot be written is NO, list kept") {
  TempDir t;
  Run r(t.path);
  Imap s(r.store);
  const fs::path folder = r.mirror->path_of(kA, "INBOX", 1).parent_path().parent_path();
  const fs::path list = folder / "mailsim-uidlist";
  REQUIRE(fs::exists(list));
  make_unremovable(list);  // the new list cannot be renamed over a directory

  CHECK(s.send("A UID STORE 1 +FLAGS ($Work)\r\n").find("A NO [UNAVAILABLE]") != std::string::npos);
  CHECK_FALSE(r.msg(1)->has_flag("$Work"));

  // The letter the failed keyword would have had is free again: the next keyword gets 'a'.
  fs::remove_all(list);
  CHECK(s.send("B UID STORE 1 +FLAGS ($Other)\r\n").find("B OK") != std::string::npos);
  std::ifstream in(list);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("\na $Other\n") != std::string::npos);
  CHECK(text.find("$Work") == std::string::npos);
}

TEST_CASE("maildir write failure: EXPUNGE whose unlink fails is NO [UNAVAILABLE], message stays") {
  TempDir t;
  Run r(t.path);
  Imap s(r.store);
  REQUIRE(s.send("A STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n").find("A OK") != std::string::npos);
  make_unremovable(r.mirror->path_of(kA, "INBOX", 1));

  const std::string out = s.send("B EXPUNGE\r\n");
  CHECK(out.find("B NO [UNAVAILABLE]") != std::string::npos);
  CHECK(out.find("* 2 EXPUNGE") != std::string::npos);  // UID 2 went, and is reported
  CHECK(r.msg(1) != nullptr);                           // UID 1 stays, as on disk
  CHECK(r.msg(2) == nullptr);
  CHECK_FALSE(r.mirror->path_of(kA, "INBOX", 1).empty());
}

TEST_CASE("maildir write failure: POP3 QUIT whose unlink fails is -ERR [SYS/TEMP]") {
  TempDir t;
  Run r(t.path);
  make_unremovable(r.mirror->path_of(kA, "INBOX", 2));
  net::pop3::ServerConfig cfg;
  cfg.lock_owner = 7;
  net::pop3::Server pop(cfg, r.store);
  pop.on_connect("10.0.0.2", "c.example");
  pop.feed("USER bob\r\nPASS pw\r\nDELE 1\r\nDELE 2\r\n");
  (void)pop.take_output();
  pop.feed("QUIT\r\n");
  const std::string out = pop.take_output();
  CHECK(out.find("-ERR [SYS/TEMP]") != std::string::npos);
  CHECK(pop.wants_close());
  CHECK(r.msg(1) == nullptr);  // deleted on disk and here
  CHECK(r.msg(2) != nullptr);  // still on disk, so still here
  CHECK_FALSE(r.store.locked(kA));
}

TEST_CASE("persist hook refusing flags and removals: the store keeps its state") {
  Mailstore store;
  store.add_account({kA, "bob", "pw"});
  store.deliver(kA, "Subject: a\r\n\r\nx\r\n", kNow);
  REQUIRE(store.set_flags(kA, "INBOX", 1, {"\\Deleted"}) == net::store::Status::Ok);
  std::vector<std::string> seen;
  store.set_persist([&](const net::store::Change& c, const net::store::StoredMessage&) {
    seen.push_back(c.op);
    return false;
  });
  CHECK(store.set_flags(kA, "INBOX", 1, {"\\Seen"}) == net::store::Status::WriteFailed);
  CHECK(store.folder(kA, "INBOX")->find(1)->flags == std::vector<std::string>{"\\Deleted"});
  std::size_t failed = 0;
  CHECK(store.expunge(kA, "INBOX", nullptr, &failed).empty());
  CHECK(failed == 1);
  bool write_failed = false;
  CHECK_FALSE(store.remove(kA, 1, &write_failed));
  CHECK(write_failed);
  CHECK(store.messages(kA)->size() == 1);
  CHECK(seen == std::vector<std::string>{"flags", "expunge", "remove"});
}

namespace {

// Regular files in a Maildir folder's new/ and cur/ (the messages on disk).
std::size_t files_in(const fs::path& folder) {
  std::size_t n = 0;
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder / sub, ec))
      if (e.is_regular_file()) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("maildir write failure: MOVE whose source cannot be removed is NO, copy taken back") {
  TempDir t;
  Run r(t.path);
  Imap s(r.store);
  make_unremovable(r.mirror->path_of(kA, "INBOX", 2));

  const std::string out = s.send("A MOVE 1:2 Trash\r\n");
  const auto* trash = r.store.folder(kA, "Trash");
  // UID 1 moved (its COPYUID and EXPUNGE are reported); UID 2 stops the command unaffected.
  const std::string copyuid = "* OK [COPYUID " + std::to_string(trash->uid_validity) + " 1 1]";
  CHECK(out.find(copyuid) != std::string::npos);
  CHECK(out.find("* 1 EXPUNGE") != std::string::npos);
  CHECK(out.find("A NO [UNAVAILABLE]") != std::string::npos);
  CHECK(out.find("A OK") == std::string::npos);
  CHECK(r.msg(1) == nullptr);
  CHECK(r.msg(2) != nullptr);            // still in INBOX ...
  REQUIRE(trash->messages.size() == 1);  // ... and not in Trash: only UID 1's copy is there
  CHECK(trash->messages[0].data.find("Subject: m0") == 0);
  CHECK(files_in(t.path / kA / ".Trash") == 1);  // as on disk
  // The taken-back copy's UID is not handed out again (RFC 3501 §2.3.1.1).
  CHECK(trash->uid_next == 3);
}

TEST_CASE("MOVE whose source removal is refused: unaffected, or in both when the copy stays") {
  Mailstore store;
  store.add_account({kA, "bob", "pw"});
  store.deliver(kA, "Subject: a\r\n\r\nx\r\n", kNow);
  std::vector<std::string> announced;
  store.on_change([&](const net::store::Change& c) { announced.push_back(c.op + " " + c.folder); });
  bool refuse_trash_too = false;
  store.set_persist([&](const net::store::Change& c, const net::store::StoredMessage&) {
    return c.op != "expunge" || (c.folder == "Trash" && !refuse_trash_too);
  });

  bool kept = false;
  CHECK(store.move(kA, "INBOX", 1, "Trash", &kept) == 0);  // copy taken back
  CHECK(kept);
  CHECK(store.folder(kA, "INBOX")->messages.size() == 1);
  CHECK(store.folder(kA, "Trash")->messages.empty());
  CHECK(announced.empty());  // nobody saw the copy come and go (RFC 6851 §3.3)

  refuse_trash_too = true;  // the copy cannot be removed either: it stays, and is announced
  kept = false;
  CHECK(store.move(kA, "INBOX", 1, "Trash", &kept) == 2);
  CHECK(kept);
  CHECK(store.folder(kA, "INBOX")->messages.size() == 1);
  CHECK(store.folder(kA, "Trash")->messages.size() == 1);
  CHECK(announced == std::vector<std::string>{"append Trash"});

  store.set_persist(nullptr);  // a move that works announces the copy, then the removal
  announced.clear();
  kept = true;
  CHECK(store.move(kA, "INBOX", 1, "Junk", &kept) != 0);
  CHECK(announced == std::vector<std::string>{"append Junk", "expunge INBOX"});
}

TEST_CASE("maildir write failure: CLOSE whose expunge fails is NO [UNAVAILABLE], stays selected") {
  TempDir t;
  Run r(t.path);
  Imap s(r.store);
  REQUIRE(s.send("A STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n").find("A OK") != std::string::npos);
  make_unremovable(r.mirror->path_of(kA, "INBOX", 1));

  const std::string out = s.send("B CLOSE\r\n");
  CHECK(out.find("B NO [UNAVAILABLE]") != std::string::npos);
  CHECK(out.find("* 2 EXPUNGE") != std::string::npos);  // the view follows what did go
  CHECK(s.server.state() == net::imap::State::Selected);
  CHECK(r.msg(1) != nullptr);  // still \Deleted, for a later EXPUNGE
  CHECK(r.msg(1)->has_flag("\\Deleted"));
  CHECK(r.msg(2) == nullptr);
  const std::string fetch = s.send("C FETCH 1 (UID)\r\n");
  CHECK(fetch.find("* 1 FETCH (UID 1)") != std::string::npos);

  // A CLOSE that works leaves the mailbox (authenticated state).
  fs::remove_all(r.mirror->path_of(kA, "INBOX", 1));
  CHECK(s.send("D CLOSE\r\n").find("D OK") != std::string::npos);
  CHECK(s.server.state() == net::imap::State::Authenticated);
}

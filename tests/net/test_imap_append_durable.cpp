// IMAP APPEND in serve --maildir with group commit (net/store/group_commit.hpp): the message
// is written by the worker as SMTP's are; the tagged OK (and everything the client pipelined
// after the APPEND) waits until the file and its directory are fsync'd, a failed write is
// answered NO [UNAVAILABLE] (RFC 5530 §3) and stores nothing, and a session that ends first is
// never touched by the late completion.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mirrored_store.hpp"
#include "net/imap/server.hpp"
#include "net/store/maildir_mirror.hpp"
#include "net/store/mailstore.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using net::store::Mailstore;

namespace {

const char* kA = "dora@x.example";
constexpr std::int64_t kNow = 1700000000;

using nettest::TempDir;

// The loop's post is not run: the tests take the completions with flush_commits().
struct Run : nettest::MirroredStore {
  explicit Run(const fs::path& root) : MirroredStore(root, {kA, "dora", "pw"}, 5, kNow) {
    mirror->start_group_commit([](const std::function<void()>&) {});
  }
  const net::store::Folder* folder(const char* name) const { return store.folder(kA, name); }
};

struct Imap {
  net::imap::Server server;
  int wakes = 0;
  explicit Imap(Mailstore& s) : server({}, s, [] { return kNow; }) {
    server.on_wake([this] { ++wakes; });
    server.on_connect("10.0.0.2", "c.example");
    (void)server.take_output();
    send("L LOGIN dora pw\r\n");
  }
  std::string send(const std::string& s) {
    server.feed(s);
    return server.take_output();
  }
};

// APPEND with a non-synchronizing literal (RFC 7888), then `after` pipelined behind it.
std::string append(const std::string& folder, const std::string& flags, const std::string& text,
                   const std::string& after) {
  return "A APPEND " + folder + " " + flags + " {" + std::to_string(text.size()) + "+}\r\n" + text +
         "\r\n" + after;
}

std::size_t files_in(const fs::path& d) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(d, ec)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

const std::string kText = "Subject: draft\r\n\r\nbody\r\n";

}  // namespace

TEST_CASE("APPEND durable: the OK and the commands after it wait until the file is on disk") {
  TempDir t;
  Run r(t.path);
  Imap s(r.store);
  REQUIRE(s.send("S SELECT Sent\r\n").find("S OK") != std::string::npos);

  const std::string before = s.send(append("Sent", "(\\Seen)", kText, "B NOOP\r\n"));
  CHECK(before.find("A OK") == std::string::npos);  // not durable yet: no OK
  CHECK(before.find("B OK") == std::string::npos);  // NOOP waits behind it
  CHECK(s.server.waiting());
  CHECK(r.folder("Sent")->messages.empty());  // not visible before it is on disk
  CHECK(s.wakes == 0);

  r.mirror->flush_commits();
  CHECK(s.wakes == 1);
  CHECK_FALSE(s.server.waiting());
  const std::string after = s.server.take_output();
  const auto exists = after.find("* 1 EXISTS");
  const auto ok = after.find("A OK [APPENDUID " + std::to_string(r.folder("Sent")->uid_validity) +
                             " 1] APPEND completed");
  const auto noop = after.find("B OK");
  REQUIRE(exists != std::string::npos);
  REQUIRE(ok != std::string::npos);
  REQUIRE(noop != std::string::npos);
  CHECK(exists < ok);
  CHECK(ok < noop);
  REQUIRE(r.folder("Sent")->messages.size() == 1);
  CHECK(r.folder("Sent")->messages[0].has_flag("\\Seen"));
  CHECK(files_in(t.path / kA / ".Sent" / "cur") == 1);  // \Seen: in cur/ with its flag
  CHECK(r.errors.empty());

  // What was acknowledged comes back after a restart, flag included.
  r.mirror.reset();
  Run again(t.path);
  REQUIRE(again.folder("Sent")->messages.size() == 1);
  CHECK(again.folder("Sent")->messages[0].has_flag("\\Seen"));
  CHECK(again.folder("Sent")->messages[0].data == kText);
}

TEST_CASE("APPEND durable: a write that fails is NO [UNAVAILABLE] and stores nothing") {
  TempDir t;
  Run r(t.path);
  Imap s(r.store);
  // A first APPEND makes the account's directories; then Drafts' new/ becomes a file, so the
  // rename into it fails (whoever runs the test).
  s.send(append("Drafts", "()", kText, ""));
  r.mirror->flush_commits();
  REQUIRE(s.server.take_output().find("A OK") != std::string::npos);
  const fs::path newdir = t.path / kA / ".Drafts" / "new";
  fs::remove_all(newdir);
  { std::ofstream(newdir) << "not a directory"; }

  const std::string before = s.send(append("Drafts", "()", kText, "B NOOP\r\n"));
  CHECK(before.find("A NO") == std::string::npos);  // the answer waits for the worker
  r.mirror->flush_commits();
  const std::string after = s.server.take_output();
  // No store change announces a failure: the engine itself wakes the driver to send the NO.
  CHECK(s.wakes == 2);
  const auto no = after.find("A NO [UNAVAILABLE]");
  REQUIRE(no != std::string::npos);
  CHECK(after.find("A OK") == std::string::npos);
  const auto noop = after.find("B OK");
  REQUIRE(noop != std::string::npos);
  CHECK(no < noop);
  CHECK(r.folder("Drafts")->messages.size() == 1);  // only the first one
  CHECK(r.mirror->refused() == 1);
  CHECK(files_in(t.path / kA / ".Drafts" / "tmp") == 0);

  // The refused message's UID is not handed out again (RFC 3501 §2.3.1.1).
  fs::remove(newdir);
  fs::create_directory(newdir);
  s.send(append("Drafts", "()", kText, ""));
  r.mirror->flush_commits();
  CHECK(s.server.take_output().find("[APPENDUID " +
                                    std::to_string(r.folder("Drafts")->uid_validity) + " 3]") !=
        std::string::npos);
}

TEST_CASE("APPEND durable: a session that ends before its message is durable is not answered") {
  TempDir t;
  Run r(t.path);
  {
    Imap s(r.store);
    s.send(append("INBOX", "()", kText, ""));
    CHECK(s.server.waiting());
    s.server.on_disconnect();
  }  // the engine is gone; its completion must not touch it (ASan would see it)
  r.mirror->flush_commits();
  CHECK(r.folder("INBOX")->messages.size() == 1);  // written (the client may send it again)
}

TEST_CASE("APPEND durable: commands run by a completion see every message committed before") {
  TempDir t;
  Run r(t.path);
  std::vector<std::string> announced;
  r.store.on_change([&](const net::store::Change& c) {
    announced.push_back(c.op + " " + std::to_string(c.uid));
  });
  Imap one(r.store), two(r.store);
  REQUIRE(one.send("S SELECT Drafts\r\n").find("S OK") != std::string::npos);
  // Session one's STORE runs from inside its APPEND's completion; its barrier must first let
  // session two's APPEND (committed in the same batch, after one's) into the store.
  one.send(append("Drafts", "()", kText, "B STORE 1 +FLAGS (\\Flagged)\r\n"));
  two.send(append("Drafts", "()", kText, ""));
  r.mirror->flush_commits();
  CHECK(announced == std::vector<std::string>{"append 1", "append 2", "flags 1"});
  CHECK(one.server.take_output().find("B OK") != std::string::npos);
  CHECK(two.server.take_output().find("A OK") != std::string::npos);
}

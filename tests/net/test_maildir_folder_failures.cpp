// serve --maildir when the disk refuses a folder change: CREATE, DELETE, RENAME (RFC 3501
// §6.3.3-§6.3.5) and SUBSCRIBE/UNSUBSCRIBE (§6.3.6, §6.3.7) answer NO [UNAVAILABLE] (RFC 5530
// §3), and the store, the Maildir and what a restart loads from it stay as they were. The
// refusals are made with obstacles that defeat root too: a file where a directory must go, a
// directory where a file must go.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "mirrored_store.hpp"
#include "net/imap/server.hpp"
#include "net/store/maildir_mirror.hpp"
#include "net/store/mailstore.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using net::store::Mailstore;
using net::store::Status;

namespace {

const char* kA = "bob@x.example";
constexpr std::int64_t kNow = 1700000000;

using nettest::TempDir;

// A store mirrored to `root`, loaded from what is there (a restart when it is not empty).
struct Run : nettest::MirroredStore {
  explicit Run(const fs::path& root) : MirroredStore(root, {kA, "bob", "pw"}, 9, kNow) {}
};

// INBOX with two messages, Projects and Projects/2026 with one each.
void fill(Mailstore& store) {
  for (int i = 0; i < 2; ++i)
    store.deliver(kA, "Subject: m" + std::to_string(i) + "\r\n\r\nbody\r\n", kNow);
  REQUIRE(store.create_folder(kA, "Projects/2026") == Status::Ok);
  REQUIRE(store.append(kA, "Projects", "Subject: p\r\n\r\nx\r\n", {}, kNow) == 1);
  REQUIRE(store.append(kA, "Projects/2026", "Subject: q\r\n\r\ny\r\n", {}, kNow) == 1);
}

// Everything a client can see of the account's folders, one line each.
std::string state(const Mailstore& store) {
  std::ostringstream out;
  for (const auto* f : store.folders(kA)) {
    out << f->name << (f->noselect ? " noselect" : "") << " v=" << f->uid_validity
        << " next=" << f->uid_next << ":";
    for (const auto& m : f->messages) {
      out << " " << m.uid << "(";
      for (const auto& fl : m.flags) out << fl << " ";
      out << m.data.size() << ")";
    }
    out << "\n";
  }
  for (const auto& s : store.subscriptions(kA)) out << "subscribed " << s << "\n";
  return out.str();
}

struct Imap {
  net::imap::Server server;
  explicit Imap(Mailstore& s) : server({}, s, [] { return kNow; }) {
    server.on_connect("10.0.0.2", "c.example");
    (void)server.take_output();
    send("L LOGIN bob pw\r\n");
  }
  std::string send(const std::string& s) {
    server.feed(s);
    return server.take_output();
  }
};

bool has(const std::string& out, const std::string& what) {
  return out.find(what) != std::string::npos;
}

// A regular file where the server needs a directory: mkdir(2) and rename(2) onto it fail.
void block_with_file(const fs::path& p) {
  std::ofstream(p) << "in the way\n";
}

// The state a restart loads from the Maildir, once the obstacle is gone.
std::string after_restart(Run& r, const fs::path& root, const fs::path& obstacle) {
  r.mirror.reset();
  fs::remove_all(obstacle);
  if (obstacle.filename() == "tmp") fs::create_directories(obstacle);  // INBOX's tmp/ again
  Run again(root);
  return state(again.store);
}

}  // namespace

TEST_CASE("maildir folder failure: CREATE the disk refuses is NO [UNAVAILABLE], nothing made") {
  TempDir t;
  Run r(t.path);
  fill(r.store);
  const std::string before = state(r.store);
  const fs::path home = t.path / kA;
  const fs::path obstacle = home / ".New.Sub";
  block_with_file(obstacle);
  Imap s(r.store);

  // "New" could be made, "New/Sub" not: the superior goes again too (RFC 3501 §6.3.3).
  const std::string out = s.send("A CREATE New/Sub\r\n");
  CHECK(has(out, "A NO [UNAVAILABLE]"));
  CHECK_FALSE(has(out, "A OK"));
  CHECK(r.store.folder(kA, "New") == nullptr);
  CHECK(r.store.folder(kA, "New/Sub") == nullptr);
  CHECK_FALSE(fs::exists(home / ".New"));
  CHECK(fs::is_regular_file(obstacle));  // not ours: left as it was
  CHECK(state(r.store) == before);
  CHECK_FALSE(r.errors.empty());
  CHECK(after_restart(r, t.path, obstacle) == before);
}

TEST_CASE("maildir folder failure: DELETE the disk refuses is NO [UNAVAILABLE], folder kept") {
  TempDir t;
  Run r(t.path);
  fill(r.store);
  const std::string before = state(r.store);
  const fs::path home = t.path / kA;
  // The folder is moved into INBOX's tmp/ before it is removed: a file there stops it.
  fs::remove_all(home / "tmp");
  block_with_file(home / "tmp");
  Imap s(r.store);

  CHECK(has(s.send("A SELECT Projects/2026\r\n"), "A OK"));
  const std::string out = s.send("B DELETE Projects/2026\r\nC DELETE Projects\r\n");
  CHECK(has(out, "B NO [UNAVAILABLE]"));
  CHECK(has(out, "C NO [UNAVAILABLE]"));  // the \Noselect case (it has an inferior)
  CHECK(state(r.store) == before);
  CHECK(fs::is_directory(home / ".Projects.2026" / "new"));
  // Still selected (a failed DELETE leaves the session as it was): its messages are there.
  CHECK(has(s.send("D FETCH 1 FLAGS\r\n"), "D OK"));
  CHECK(after_restart(r, t.path, home / "tmp") == before);
}

TEST_CASE("maildir folder failure: RENAME the disk refuses is NO, and the folder stays durable") {
  TempDir t;
  Run r(t.path);
  fill(r.store);
  REQUIRE(r.store.set_subscribed(kA, "Projects", true) == Status::Ok);
  const std::string before = state(r.store);
  const fs::path home = t.path / kA;
  // Projects itself can be renamed, its inferior not: the first rename is undone.
  const fs::path obstacle = home / ".Archive.2026";
  block_with_file(obstacle);
  Imap s(r.store);

  const std::string out = s.send("A RENAME Projects Archive\r\n");
  CHECK(has(out, "A NO [UNAVAILABLE]"));
  CHECK(state(r.store) == before);
  CHECK(fs::is_directory(home / ".Projects" / "cur"));
  CHECK(fs::is_directory(home / ".Projects.2026" / "cur"));
  CHECK_FALSE(fs::exists(home / ".Archive"));

  // The store still writes both folders: their flag changes reach the disk.
  CHECK(has(s.send("B SELECT Projects\r\nC STORE 1 +FLAGS (\\Flagged)\r\n"), "C OK"));
  CHECK(has(s.send("D SELECT Projects/2026\r\nE STORE 1 +FLAGS (\\Seen)\r\n"), "E OK"));
  const std::string flagged = state(r.store);
  CHECK(flagged != before);
  const std::string restarted = after_restart(r, t.path, obstacle);
  CHECK(restarted == flagged);
  CHECK(has(restarted, "next=2: 1(\\Flagged "));  // Projects' message
  CHECK(has(restarted, "next=2: 1(\\Seen "));     // Projects/2026's
}

TEST_CASE("maildir folder failure: RENAME INBOX the disk refuses is NO, messages stay") {
  TempDir t;
  Run r(t.path);
  fill(r.store);
  const std::string before = state(r.store);
  const fs::path home = t.path / kA;
  const fs::path obstacle = home / ".Old.Mail";
  block_with_file(obstacle);
  Imap s(r.store);

  // RFC 3501 §6.3.5: INBOX's messages would move to Old/Mail (its superior Old made first).
  CHECK(has(s.send("A RENAME INBOX Old/Mail\r\n"), "A NO [UNAVAILABLE]"));
  CHECK(state(r.store) == before);
  CHECK(r.store.messages(kA)->size() == 2);
  CHECK_FALSE(fs::exists(home / ".Old"));
  CHECK(after_restart(r, t.path, obstacle) == before);
}

TEST_CASE("maildir folder failure: SUBSCRIBE and UNSUBSCRIBE the disk refuses are NO") {
  TempDir t;
  Run r(t.path);
  fill(r.store);
  const std::string before = state(r.store);
  // The list is written to mailsim-subscriptions.tmp first: a directory there stops it.
  const fs::path obstacle = t.path / kA / "mailsim-subscriptions.tmp";
  fs::create_directories(obstacle / "x");
  Imap s(r.store);

  const std::string out =
      s.send("A SUBSCRIBE Projects\r\nB UNSUBSCRIBE Trash\r\nC LSUB \"\" *\r\n");
  CHECK(has(out, "A NO [UNAVAILABLE]"));
  CHECK(has(out, "B NO [UNAVAILABLE]"));
  CHECK_FALSE(has(out, "Projects"));  // not listed by LSUB
  CHECK(has(out, "Trash"));
  CHECK(state(r.store) == before);
  CHECK(after_restart(r, t.path, obstacle) == before);
}

TEST_CASE("persist hook refusing folder changes: nothing changes and nothing is announced") {
  Mailstore store;
  store.add_account({kA, "bob", "pw"});
  REQUIRE(store.create_folder(kA, "Projects/2026") == Status::Ok);
  store.deliver(kA, "Subject: a\r\n\r\nx\r\n", kNow);
  const std::string before = state(store);
  std::vector<std::string> asked, announced;
  store.set_persist([&](const net::store::Change& c, const net::store::StoredMessage&) {
    asked.push_back(c.op + " " + c.folder);
    return false;
  });
  store.on_change([&](const net::store::Change& c) { announced.push_back(c.op); });

  CHECK(store.create_folder(kA, "A/B") == Status::WriteFailed);
  CHECK(store.delete_folder(kA, "Projects") == Status::WriteFailed);
  CHECK(store.rename_folder(kA, "Projects", "Archive") == Status::WriteFailed);
  CHECK(store.rename_folder(kA, "INBOX", "Old") == Status::WriteFailed);
  CHECK(store.set_subscribed(kA, "Projects", true) == Status::WriteFailed);
  CHECK(store.set_subscribed(kA, "Trash", false) == Status::WriteFailed);
  CHECK(state(store) == before);
  CHECK(announced.empty());
  CHECK(asked == std::vector<std::string>{"create A", "delete Projects", "rename Projects",
                                          "create Old", "subscribe Projects", "unsubscribe Trash"});
}

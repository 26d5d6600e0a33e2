// MaildirMirror and the loader: what `serve --maildir` writes comes back after a restart,
// and a damaged Maildir (corrupt uid list, missing directories, foreign files, leftovers in
// tmp/) is repaired on load.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "net/store/maildir_load.hpp"
#include "net/store/maildir_mirror.hpp"
#include "net/store/mailstore.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using net::store::MaildirMirror;
using net::store::Mailstore;
using Strings = std::vector<std::string>;

namespace {

const char* kA = "bruno@x.example";

using nettest::TempDir;

// One serve process: a store with bruno's account, loaded from and mirrored to `root`.
struct Run {
  Mailstore store;
  std::unique_ptr<MaildirMirror> mirror;
  Strings warnings, errors;
  Run(const fs::path& root, uint32_t validity_base) {
    store.set_uid_validity_base(validity_base);
    store.add_account({kA, "bruno", "pw"});
    mirror = std::make_unique<MaildirMirror>(store, root, "mx", 77, [] { return 1700000000; });
    warnings = mirror->load();
    mirror->on_error([this](const std::string& e) { errors.push_back(e); });
    mirror->attach();
  }
};

Strings list_dir(const fs::path& d) {
  Strings out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(d, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool contains(const Strings& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("maildir mirror: messages, flags, folders, UIDs and UIDVALIDITY survive a restart") {
  TempDir d;
  uint32_t inbox_validity = 0, projects_validity = 0;
  {
    Run r(d.path, 500);
    CHECK(r.warnings.empty());
    // Nothing on disk until the account changes.
    CHECK_FALSE(fs::exists(d.path / kA));
    CHECK(r.store.deliver(kA, "Subject: one\r\n\r\n1\r\n", 1600000000) == 1);
    CHECK(r.store.deliver(kA, "Subject: two\r\n\r\n2\r\n", 1600000001) == 2);
    CHECK(r.store.deliver(kA, "Subject: three\r\n\r\n3\r\n", 1600000002) == 3);
    REQUIRE(r.store.create_folder(kA, "Projects/2026") == net::store::Status::Ok);
    CHECK(r.store.set_flags(kA, "INBOX", 1, {"\\Seen", "todo"}) == net::store::Status::Ok);
    CHECK(r.store.move(kA, "INBOX", 2, "Projects/2026") == 1);
    CHECK(r.store.append(kA, "Drafts", "Subject: d\r\n\r\nd\r\n", {"\\Draft"}, 1600000003) == 1);
    CHECK(r.store.set_flags(kA, "INBOX", 3, {"\\Deleted"}) == net::store::Status::Ok);
    CHECK(r.store.expunge(kA, "INBOX") == std::vector<uint32_t>{3});
    CHECK(r.store.delete_folder(kA, "Junk") == net::store::Status::Ok);
    CHECK(r.store.set_subscribed(kA, "Projects/2026", true) == net::store::Status::Ok);
    CHECK(r.errors.empty());
    inbox_validity = r.store.folder(kA, "INBOX")->uid_validity;
    projects_validity = r.store.folder(kA, "Projects/2026")->uid_validity;
    CHECK(inbox_validity == 500);
    // On disk: the file of uid 1 carries its UID and flags; new/ holds nothing unread.
    const fs::path home = d.path / kA;
    CHECK(list_dir(home / "cur") == Strings{"1700000000.P77Q1.mx,U=1:2,Sa"});
    CHECK(list_dir(home / "new").empty());
    CHECK(slurp(home / "cur" / "1700000000.P77Q1.mx,U=1:2,Sa") == "Subject: one\n\n1\n");
    CHECK(slurp(home / "mailsim-uidlist") == "mailsim-uidlist 1 V500 N4\na todo\n");
    CHECK_FALSE(fs::exists(home / ".Junk"));
    CHECK(fs::is_directory(home / ".Projects.2026" / "cur"));
    struct stat st {};
    REQUIRE(::stat((home / "cur" / "1700000000.P77Q1.mx,U=1:2,Sa").c_str(), &st) == 0);
    CHECK(st.st_mtime == 1600000000);  // the internal date
  }
  Run r(d.path, 900);  // a later process: new folders would get 900 and up
  CHECK(r.warnings.empty());
  const auto* inbox = r.store.folder(kA, "INBOX");
  REQUIRE(inbox);
  CHECK(inbox->uid_validity == inbox_validity);
  CHECK(inbox->uid_next == 4);  // uid 3 was expunged: never handed out again
  REQUIRE(inbox->messages.size() == 1);
  CHECK(inbox->messages[0].uid == 1);
  CHECK(inbox->messages[0].data == "Subject: one\r\n\r\n1\r\n");
  CHECK(inbox->messages[0].flags == Strings{"\\Seen", "todo"});
  CHECK(inbox->messages[0].internal_date == 1600000000);
  const auto* p = r.store.folder(kA, "Projects/2026");
  REQUIRE(p);
  CHECK(p->uid_validity == projects_validity);
  REQUIRE(p->messages.size() == 1);
  CHECK(p->messages[0].data == "Subject: two\r\n\r\n2\r\n");
  const auto* drafts = r.store.folder(kA, "Drafts");
  REQUIRE(drafts);
  REQUIRE(drafts->messages.size() == 1);
  CHECK(drafts->messages[0].flags == Strings{"\\Draft"});
  CHECK_FALSE(r.store.folder(kA, "Junk"));
  CHECK(contains(r.store.subscriptions(kA), "Projects/2026"));
  CHECK(r.store.deliver(kA, "Subject: four\r\n\r\n4\r\n", 0) == 4);
}

TEST_CASE("maildir mirror: a write failure refuses the message (250/OK never lies)") {
  TempDir d;
  Run r(d.path, 1);
  put(d.path / kA, "a regular file where the account's directory should be");
  CHECK(r.store.deliver(kA, "Subject: x\r\n\r\nx\r\n", 0) == 0);
  CHECK(r.store.append(kA, "INBOX", "Subject: y\r\n\r\ny\r\n", {}, 0) == 0);
  CHECK(r.store.folder(kA, "INBOX")->messages.empty());
  CHECK(r.mirror->refused() == 2);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].find("cannot write Maildir file for bruno@x.example uid 1") == 0);
  // Once the disk is usable again, mail is stored; the refused UIDs stay used.
  fs::remove(d.path / kA);
  CHECK(r.store.deliver(kA, "Subject: z\r\n\r\nz\r\n", 0) == 3);
}

TEST_CASE("maildir load: corrupt uid list, missing directories, foreign files, tmp/ leftovers") {
  TempDir d;
  const fs::path home = d.path / kA;
  // A Maildir written by something else: no uid list, files without ",U=", a leftover in
  // tmp/, a folder without cur/, a directory that is no folder name, a sub-directory in new/.
  put(home / "new" / "1000.A.host", "Subject: old\n\nold\n");
  put(home / "cur" / "1001.B.host:2,RS", "Subject: read\n\nread\n");
  put(home / "cur" / "1002.C.host,U=7:2,", "Subject: seven\n\nseven\n");
  put(home / "cur" / "1003.D.host,U=7:2,F", "Subject: also seven\n\n7\n");
  put(home / "tmp" / "1004.E.host", "Subject: interrupt");
  put(home / ".Lists" / "new" / "1005.F.host,U=3", "Subject: list\n\nlist\n");
  put(home / ".Bad..name" / "new" / "x", "x");
  fs::create_directories(home / "new" / "not-a-message");
  Run r(d.path, 100);
  CHECK(list_dir(home / "tmp").empty());
  CHECK(fs::is_directory(home / ".Lists" / "cur"));
  CHECK(fs::is_directory(home / ".Lists" / "tmp"));
  const auto* inbox = r.store.folder(kA, "INBOX");
  REQUIRE(inbox);
  REQUIRE(inbox->messages.size() == 4);
  // The one ",U=7" kept first (by name) keeps it; the others get 8, 9, 10.
  CHECK(inbox->messages[0].uid == 7);
  CHECK(inbox->messages[0].data == "Subject: seven\r\n\r\nseven\r\n");
  CHECK(inbox->uid_next == 11);
  Strings uids_on_disk;
  for (const auto& n : list_dir(home / "cur")) uids_on_disk.push_back(n.substr(n.find(",U=")));
  for (const auto& n : list_dir(home / "new"))
    if (n != "not-a-message") uids_on_disk.push_back(n.substr(n.find(",U=")));
  CHECK(uids_on_disk.size() == 4);
  // The read message kept its flags through the rename.
  bool read_ok = false;
  for (const auto& m : inbox->messages)
    if (m.data == "Subject: read\r\n\r\nread\r\n")
      read_ok = m.flags == Strings{"\\Answered", "\\Seen"};
  CHECK(read_ok);
  const auto* lists = r.store.folder(kA, "Lists");
  REQUIRE(lists);
  REQUIRE(lists->messages.size() == 1);
  CHECK(lists->messages[0].uid == 3);
  CHECK_FALSE(r.store.folder(kA, "Bad..name"));
  // An older layout (INBOX had no uid list): the standard folders are made on disk.
  CHECK(fs::is_directory(home / ".Sent" / "cur"));
  CHECK(fs::exists(home / "mailsim-uidlist"));
  auto warned = [&](const std::string& s) {
    for (const auto& w : r.warnings)
      if (w.find(s) != std::string::npos) return true;
    return false;
  };
  CHECK(warned("removed unfinished"));
  CHECK(warned(".Bad..name (not a folder name)"));
  CHECK(warned("not-a-message (not a message file)"));
  CHECK(warned("gave UID 8"));
  const uint32_t validity = inbox->uid_validity;

  SUBCASE("a corrupt uid list: a new UIDVALIDITY, the UIDs in file names stay") {
    put(home / "mailsim-uidlist", "mailsim-uidlist 1 V");
    Run again(d.path, 5000);
    const auto* in2 = again.store.folder(kA, "INBOX");
    REQUIRE(in2);
    CHECK(in2->uid_validity == 5000);
    CHECK(in2->uid_validity != validity);
    CHECK(in2->messages.size() == 4);
    CHECK(in2->uid_next == 11);
    bool warned_corrupt = false;
    for (const auto& w : again.warnings)
      warned_corrupt = warned_corrupt || w.find("malformed") != std::string::npos;
    CHECK(warned_corrupt);
    CHECK(net::store::parse_uid_list(slurp(home / "mailsim-uidlist")));  // rewritten
  }
  SUBCASE("missing new/ and cur/: made again, nothing lost elsewhere") {
    fs::remove_all(home / ".Lists" / "new");
    fs::remove_all(home / ".Lists" / "cur");
    Run again(d.path, 5000);
    CHECK(again.store.folder(kA, "INBOX")->uid_validity == validity);
    REQUIRE(again.store.folder(kA, "Lists"));
    CHECK(again.store.folder(kA, "Lists")->messages.empty());
    CHECK(fs::is_directory(home / ".Lists" / "new"));
  }
}

TEST_CASE("maildir mirror: rename and delete move whole folders; a noselect superior stays") {
  TempDir d;
  {
    Run r(d.path, 10);
    REQUIRE(r.store.create_folder(kA, "A/B") == net::store::Status::Ok);
    CHECK(r.store.append(kA, "A/B", "Subject: b\r\n\r\nb\r\n", {}, 0) == 1);
    CHECK(r.store.delete_folder(kA, "A") == net::store::Status::Ok);  // \Noselect: has A/B
    CHECK(r.store.rename_folder(kA, "A/B", "C.D") == net::store::Status::Ok);
    CHECK(r.errors.empty());
    CHECK(fs::is_directory(d.path / kA / ".C%2ED"));
    CHECK_FALSE(fs::exists(d.path / kA / ".A"));
    CHECK_FALSE(fs::exists(d.path / kA / ".A.B"));
  }
  Run r(d.path, 20);
  CHECK_FALSE(r.store.folder(kA, "A"));
  REQUIRE(r.store.folder(kA, "C.D"));
  CHECK(r.store.folder(kA, "C.D")->messages.size() == 1);
  CHECK(r.store.folder(kA, "C.D")->uid_validity < 20);
}

TEST_CASE("maildir mirror: a noselect superior comes back as \\Noselect") {
  TempDir d;
  {
    Run r(d.path, 10);
    REQUIRE(r.store.create_folder(kA, "A/B") == net::store::Status::Ok);
    CHECK(r.store.delete_folder(kA, "A") == net::store::Status::Ok);
    CHECK(r.store.folder(kA, "A")->noselect);
  }
  Run r(d.path, 20);
  REQUIRE(r.store.folder(kA, "A"));
  CHECK(r.store.folder(kA, "A")->noselect);
  REQUIRE(r.store.folder(kA, "A/B"));
}

TEST_CASE("maildir mirror: RENAME INBOX moves its messages to the new folder on disk") {
  TempDir d;
  {
    Run r(d.path, 10);
    CHECK(r.store.deliver(kA, "Subject: one\r\n\r\n1\r\n", 0) == 1);
    CHECK(r.store.set_flags(kA, "INBOX", 1, {"\\Seen"}) == net::store::Status::Ok);
    CHECK(r.store.rename_folder(kA, "INBOX", "Old") == net::store::Status::Ok);
    CHECK(r.errors.empty());
    CHECK(list_dir(d.path / kA / "cur").empty());
    CHECK(list_dir(d.path / kA / ".Old" / "cur").size() == 1);
  }
  Run r(d.path, 20);
  CHECK(r.store.folder(kA, "INBOX")->messages.empty());
  REQUIRE(r.store.folder(kA, "Old"));
  REQUIRE(r.store.folder(kA, "Old")->messages.size() == 1);
  CHECK(r.store.folder(kA, "Old")->messages[0].flags == Strings{"\\Seen"});
  CHECK(r.store.folder(kA, "Old")->messages[0].uid == 1);
}

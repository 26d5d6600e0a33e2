#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "net/store/mailstore.hpp"

using net::store::canonical_flag;
using net::store::canonical_folder;
using net::store::Change;
using net::store::Mailstore;
using net::store::Status;

namespace {
const char* kA = "a@x.example";
std::vector<std::string> names(const Mailstore& s) {
  std::vector<std::string> out;
  for (const auto* f : s.folders(kA)) out.push_back(f->name);
  return out;
}
}  // namespace

TEST_CASE(
    "Mailstore folders: defaults with SPECIAL-USE, subscriptions, deterministic UIDVALIDITY") {
  Mailstore s;
  s.set_uid_validity_base(100);
  s.add_account({kA, "a", "p"});
  CHECK(names(s) == std::vector<std::string>{"INBOX", "Drafts", "Junk", "Sent", "Trash"});
  CHECK(s.folder(kA, "Sent")->special_use == "\\Sent");
  CHECK(s.folder(kA, "Trash")->special_use == "\\Trash");
  CHECK(s.folder(kA, "INBOX")->special_use.empty());
  CHECK(s.folder(kA, "inbox") == s.folder(kA, "INBOX"));
  CHECK(s.folder(kA, "INBOX")->uid_validity == 100);
  CHECK(s.folder(kA, "Trash")->uid_validity == 104);
  CHECK(s.subscriptions(kA) ==
        std::vector<std::string>{"Drafts", "INBOX", "Junk", "Sent", "Trash"});
  // Re-adding the account keeps folders and their UIDVALIDITY.
  s.add_account({kA, "a", "q"});
  CHECK(s.folder(kA, "INBOX")->uid_validity == 100);
  CHECK(s.folders("nobody@x.example").empty());
  CHECK(s.folder("nobody@x.example", "INBOX") == nullptr);
}

TEST_CASE("Mailstore append, flags, copy, move, expunge and their change events") {
  Mailstore s;
  s.add_account({kA, "a", "p"});
  std::vector<Change> ch;
  auto id = s.subscribe([&](const Change& c) { ch.push_back(c); });
  CHECK(s.append(kA, "Sent", "m1", {"\\SEEN", "$Work", "\\seen", "\\Bogus"}, 5) == 1);
  CHECK(s.append(kA, "Nope", "m", {}, 0) == 0);
  CHECK(s.append("b@x.example", "INBOX", "m", {}, 0) == 0);
  const auto& m = s.folder(kA, "Sent")->messages.front();
  CHECK(m.flags == std::vector<std::string>{"\\Seen", "$Work"});
  CHECK(m.internal_date == 5);
  CHECK(m.has_flag("\\seen"));
  CHECK(s.set_flags(kA, "Sent", 1, {"\\Deleted"}) == Status::Ok);
  CHECK(s.set_flags(kA, "Sent", 1, {"\\Deleted"}) == Status::Ok);  // no change, no event
  CHECK(s.set_flags(kA, "Sent", 9, {}) == Status::NoMessage);
  CHECK(s.set_flags(kA, "Nope", 1, {}) == Status::NoFolder);
  CHECK(s.copy(kA, "Sent", 1, "Trash") == 1);
  CHECK(s.folder(kA, "Trash")->messages[0].flags == std::vector<std::string>{"\\Deleted"});
  CHECK(s.copy(kA, "Sent", 7, "Trash") == 0);
  CHECK(s.move(kA, "Trash", 1, "INBOX") == 1);
  CHECK(s.folder(kA, "Trash")->messages.empty());
  CHECK(s.messages(kA)->size() == 1);
  std::set<uint32_t> only{2};
  CHECK(s.expunge(kA, "INBOX", &only).empty());
  CHECK(s.expunge(kA, "INBOX") == std::vector<uint32_t>{1});
  CHECK(s.folder(kA, "INBOX")->uid_next == 2);
  s.unsubscribe(id);
  s.deliver(kA, "late", 0);
  std::vector<std::string> ops;
  ops.reserve(ch.size());
  for (const auto& c : ch) {
    std::string op = c.op;
    op += ":";
    op += c.folder;
    op += ":";
    op += std::to_string(c.uid);
    ops.push_back(op);
  }
  CHECK(ops == std::vector<std::string>{"append:Sent:1", "flags:Sent:1", "append:Trash:1",
                                        "append:INBOX:1", "expunge:Trash:1", "expunge:INBOX:1"});
}

TEST_CASE("Mailstore create, delete, rename (RFC 3501 section 6.3.3-6.3.5)") {
  Mailstore s;
  s.add_account({kA, "a", "p"});
  std::vector<Change> ch;
  s.on_change([&](const Change& c) { ch.push_back(c); });
  CHECK(s.create_folder(kA, "Work/2026/Q4") == Status::Ok);
  CHECK(s.folder(kA, "Work"));
  CHECK(s.folder(kA, "Work/2026"));
  CHECK(s.create_folder(kA, "Work/") == Status::AlreadyExists);
  CHECK(s.create_folder(kA, "INBOX") == Status::AlreadyExists);
  CHECK(s.create_folder(kA, "") == Status::BadName);
  CHECK(s.create_folder(kA, "a//b") == Status::BadName);
  CHECK(s.create_folder("b@x.example", "X") == Status::NoAccount);
  CHECK(s.delete_folder(kA, "INBOX") == Status::BadName);
  CHECK(s.delete_folder(kA, "Nope") == Status::NoFolder);
  CHECK(s.rename_folder(kA, "Work", "Jobs") == Status::Ok);
  CHECK(s.folder(kA, "Jobs/2026/Q4"));
  CHECK_FALSE(s.folder(kA, "Work/2026"));
  CHECK(s.rename_folder(kA, "Jobs", "Jobs/Sub") == Status::BadName);
  CHECK(s.rename_folder(kA, "Jobs", "Sent") == Status::AlreadyExists);
  CHECK(s.rename_folder(kA, "Jobs", "INBOX") == Status::BadName);
  // Delete with inferiors: \Noselect, messages gone; again: refused.
  s.append(kA, "Jobs", "m", {}, 0);
  CHECK(s.delete_folder(kA, "Jobs") == Status::Ok);
  CHECK(s.folder(kA, "Jobs")->noselect);
  CHECK(s.folder(kA, "Jobs")->messages.empty());
  CHECK(s.append(kA, "Jobs", "m", {}, 0) == 0);
  CHECK(s.delete_folder(kA, "Jobs") == Status::HasChildren);
  // Re-creating a \Noselect name makes it selectable with a new UIDVALIDITY.
  uint32_t v = s.folder(kA, "Jobs")->uid_validity;
  CHECK(s.create_folder(kA, "Jobs") == Status::Ok);
  CHECK_FALSE(s.folder(kA, "Jobs")->noselect);
  CHECK(s.folder(kA, "Jobs")->uid_validity > v);
  // Renaming INBOX.
  s.deliver(kA, "one", 0);
  s.deliver(kA, "two", 0);
  CHECK(s.rename_folder(kA, "inbox", "Old/Inbox") == Status::Ok);
  CHECK(s.messages(kA)->empty());
  CHECK(s.folder(kA, "Old/Inbox")->messages.size() == 2);
  CHECK(s.deliver(kA, "three", 0) == 3);  // INBOX keeps counting UIDs
  // Subscriptions follow renames.
  CHECK(s.set_subscribed(kA, "Jobs/2026", true) == Status::Ok);
  CHECK(s.rename_folder(kA, "Jobs", "Tasks") == Status::Ok);
  auto subs = s.subscriptions(kA);
  CHECK(std::find(subs.begin(), subs.end(), "Tasks/2026") != subs.end());
  CHECK(s.set_subscribed(kA, "Nope", true) == Status::NoFolder);
  bool renamed = false;
  for (const auto& c : ch) renamed = renamed || (c.op == "rename" && c.new_name == "Tasks/2026");
  CHECK(renamed);
}

TEST_CASE("Mailstore names and flags are canonicalised") {
  CHECK(canonical_folder("iNbOx") == "INBOX");
  CHECK(canonical_folder("inbox/Sub") == "INBOX/Sub");
  CHECK(canonical_folder("Inboxes") == "Inboxes");
  CHECK(canonical_flag("\\answered") == "\\Answered");
  CHECK(canonical_flag("\\Recent").empty());
  CHECK(canonical_flag("$Label1") == "$Label1");
  CHECK(canonical_flag("bad flag").empty());
  CHECK(canonical_flag("").empty());
}

TEST_CASE("Mailstore listeners may unsubscribe while being notified") {
  Mailstore s;
  s.add_account({kA, "a", "p"});
  int first = 0, second = 0;
  Mailstore::ListenerId id1 = 0;
  id1 = s.subscribe([&](const Change&) {
    ++first;
    s.unsubscribe(id1);
  });
  s.subscribe([&](const Change&) { ++second; });
  s.deliver(kA, "x", 0);
  s.deliver(kA, "y", 0);
  CHECK(first == 1);
  CHECK(second == 2);
}

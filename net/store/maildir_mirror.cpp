#include "net/store/maildir_mirror.hpp"

#include "net/ascii.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

#include "net/store/maildir.hpp"
#include "net/store/maildir_load.hpp"
#include "net/store/maildir_names.hpp"

namespace net::store {
namespace fs = std::filesystem;

namespace {

bool usable_as_directory(std::string_view s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string_view::npos &&
         s.find('\0') == std::string_view::npos;
}

}  // namespace

MaildirMirror::MaildirMirror(Mailstore& store, fs::path root, std::string hostname,
                             std::uint64_t pid, std::function<std::int64_t()> now)
    : store_(store),
      root_(std::move(root)),
      hostname_(std::move(hostname)),
      pid_(pid),
      now_(std::move(now)) {}

MaildirMirror::~MaildirMirror() {
  stop_group_commit();
  if (!attached_) return;
  store_.unsubscribe(listener_);
  store_.set_persist(nullptr);
  store_.set_batch_hook(nullptr);
}

void MaildirMirror::start_group_commit(std::function<void(std::function<void()>)> post) {
  if (group_ || !attached_) return;
  group_ = std::make_unique<GroupCommit>(std::move(post));
  store_.set_commit([this](const Change& c, const StoredMessage& m,
                           std::function<void(bool)> done) { commit(c, m, std::move(done)); });
  store_.set_barrier([this] {
    if (group_ && group_->busy()) group_->wait_idle();
  });
}

void MaildirMirror::stop_group_commit() {
  if (!group_) return;
  store_.set_commit(nullptr);
  store_.set_barrier(nullptr);
  group_->stop();
  group_.reset();
}

void MaildirMirror::flush_commits() {
  if (group_) group_->wait_idle();
}

std::uint64_t MaildirMirror::commit_batches() const {
  return group_ ? group_->batches() : 0;
}

// The bookkeeping (account, folder, keywords, the file's name) happens here on the loop
// thread; the worker only writes, flushes and renames.
void MaildirMirror::commit(const Change& c, const StoredMessage& m,
                           std::function<void(bool)> done) {
  auto refuse = [&](const std::string& why) {
    ++refused_;
    report("cannot write Maildir file for " + c.address + " uid " + std::to_string(c.uid) + ": " +
           why);
  };
  GroupCommit::Job job;
  std::string key;
  try {
    AccountDisk& a = account(c.address);
    materialize(c.address, a);
    FolderDisk& f = ensure_folder(c.address, a, c.folder);
    job.info = info_for(f, m.flags);
    job.folder = f.dir;
    job.name = maildir_unique_name(now_ ? now_() : 0, pid_, ++seq_, hostname_) +
               ",U=" + std::to_string(m.uid);
    job.data = m.data;
    job.mtime = m.internal_date;
  } catch (const std::exception& e) {
    refuse(e.what());
    done(false);
    return;
  }
  const bool cur = !job.info.empty();
  FileRef ref{cur ? job.name + ":2," + job.info : job.name, cur};
  job.done = [this, c, ref, done = std::move(done)](bool ok, const std::string& error) {
    if (!ok) {
      ++refused_;
      report("cannot write Maildir file for " + c.address + " uid " + std::to_string(c.uid) + ": " +
             error);
      done(false);
      return;
    }
    auto a = accounts_.find(ascii_lower(c.address));
    if (a != accounts_.end()) {
      auto f = a->second.folders.find(c.folder);
      if (f != a->second.folders.end()) f->second.files[c.uid] = ref;
    }
    done(true);
  };
  group_->submit(std::move(job));
}

void MaildirMirror::report(const std::string& what) {
  if (on_error_) on_error_(what);
}

MaildirMirror::AccountDisk& MaildirMirror::account(std::string_view address) {
  auto& a = accounts_[ascii_lower(address)];
  if (a.home.empty()) {
    if (!usable_as_directory(address))
      throw MaildirError("mailbox name '" + std::string(address) + "' cannot be a folder name");
    a.home = root_ / std::string(address);
  }
  return a;
}

std::vector<std::string> MaildirMirror::load() {
  std::vector<std::string> warnings;
  make_dir_durable(root_);
  for (const auto& address : store_.addresses()) {
    AccountDisk& a = account(address);
    AccountOnDisk d = load_maildir_account(root_, address);
    for (auto& w : d.warnings) warnings.push_back(std::move(w));
    if (!d.exists) continue;
    // INBOX without a uid list: a Maildir from before uid lists (or someone else's); its
    // missing folders are made. With one, a folder missing on disk was deleted.
    const bool known_layout = !d.folders.empty() && d.folders.front().list.has_value();
    std::set<std::string> on_disk;
    for (auto& df : d.folders) {
      df.name = canonical_folder(df.name);  // ".inbox.x" is INBOX/x
      if (!on_disk.insert(df.name).second) {
        warnings.push_back("skipped folder " + df.dir.string() + ": a second " + df.name);
        continue;
      }
      if (!store_.folder(address, df.name)) {
        const Status s = store_.create_folder(address, df.name);
        if (s != Status::Ok) {
          warnings.push_back("skipped folder " + df.dir.string() + ": " + to_string(s));
          continue;
        }
      }
      FolderDisk f;
      f.dir = df.dir;
      f.list = df.list.value_or(UidList{store_.folder(address, df.name)->uid_validity, 1, {}});
      std::vector<StoredMessage> msgs;
      for (auto& m : df.messages) {
        StoredMessage s;
        s.uid = m.uid;
        s.data = std::move(m.data);
        s.internal_date = m.mtime;
        s.flags = maildir_flags(m.info, f.list.keywords);
        msgs.push_back(std::move(s));
        f.files[m.uid] = {m.file, m.in_cur};
      }
      store_.restore_folder(address, df.name, f.list.uid_validity, df.uid_next, std::move(msgs));
      const UidList want{f.list.uid_validity, store_.folder(address, df.name)->uid_next,
                         f.list.keywords};
      const bool last = df.name == "INBOX" && !known_layout;  // see materialize()
      if ((!df.list || *df.list != want) && !last) write_uid_list(f.dir, want);
      f.list = want;
      a.folders[df.name] = std::move(f);
    }
    std::vector<std::string> missing;
    for (const Folder* f : store_.folders(address))
      if (!on_disk.count(f->name)) missing.push_back(f->name);
    if (known_layout) {
      // Deepest first, so that a superior whose inferiors are all gone goes too.
      std::sort(missing.rbegin(), missing.rend());
      for (const auto& name : missing) store_.delete_folder(address, name);
    }
    if (d.subscriptions) {
      for (const auto& s : store_.subscriptions(address))
        if (std::find(d.subscriptions->begin(), d.subscriptions->end(), s) ==
            d.subscriptions->end())
          store_.set_subscribed(address, s, false);
      for (const auto& s : *d.subscriptions) store_.set_subscribed(address, s, true);
    }
    materialize(address, a);  // the folders an older layout lacked, and the subscriptions
    if (!known_layout) write_uid_list(a.home, a.folders["INBOX"].list);
  }
  return warnings;
}

void MaildirMirror::attach() {
  if (attached_) return;
  attached_ = true;
  store_.set_persist([this](const Change& c, const StoredMessage& m) { return persist(c, m); });
  listener_ = store_.on_change([this](const Change& c) { apply(c); });
  store_.set_batch_hook([this](bool begin) { batch(begin); });
}

void MaildirMirror::batch(bool begin) {
  if (begin) {
    ++batch_depth_;
    return;
  }
  if (batch_depth_ > 0 && --batch_depth_ > 0) return;
  std::set<std::string> dirs;
  dirs.swap(unsynced_);
  for (const auto& d : dirs) {
    try {
      sync_dir(d);
    } catch (const std::exception& e) {
      report(std::string("cannot flush flag changes: ") + e.what());
    }
  }
}

void MaildirMirror::materialize(const std::string& address, AccountDisk& a) {
  if (a.materialized) return;
  make_dir_durable(a.home);
  // INBOX's uid list last: load() takes a Maildir that has it as complete, and a folder
  // missing there as deleted.
  for (const Folder* f : store_.folders(address))
    if (!f->noselect && f->name != "INBOX") ensure_folder(address, a, f->name);
  write_subscriptions(address, a);
  ensure_folder(address, a, "INBOX");
  a.materialized = true;
}

MaildirMirror::FolderDisk& MaildirMirror::ensure_folder(const std::string& address, AccountDisk& a,
                                                        const std::string& name) {
  auto it = a.folders.find(name);
  if (it != a.folders.end()) return it->second;
  const Folder* sf = store_.folder(address, name);
  if (!sf) throw MaildirError("no folder " + name + " in " + address);
  auto sub = maildir_folder_dir(name);
  if (!sub) throw MaildirError("folder name '" + name + "' cannot be stored");
  FolderDisk f;
  f.dir = sub->empty() ? a.home : a.home / *sub;
  for (const char* d : {"tmp", "new", "cur"}) make_dir_durable(f.dir / d);
  f.list = {sf->uid_validity, sf->uid_next, {}};
  write_uid_list(f.dir, f.list);
  return a.folders[name] = std::move(f);
}

// The info letters of flags in folder f. A keyword new to the folder gets its letter in the
// folder's list, written before any file uses it; if that write fails the list is as it was.
// maildir_info only appends to the list, so nothing is copied when no keyword is new.
std::string MaildirMirror::info_for(FolderDisk& f, const std::vector<std::string>& flags) {
  const std::size_t known = f.list.keywords.size();
  std::vector<std::string> dropped;
  std::string info = maildir_info(flags, f.list.keywords, &dropped);
  for (const auto& k : dropped) report("keyword " + k + " not stored: 26 keywords per folder");
  if (f.list.keywords.size() != known) {
    try {
      write_uid_list(f.dir, f.list);
    } catch (...) {
      f.list.keywords.resize(known);
      throw;
    }
  }
  return info;
}

void MaildirMirror::write_message(FolderDisk& f, const StoredMessage& m) {
  const std::string info = info_for(f, m.flags);
  const std::string base = maildir_unique_name(now_ ? now_() : 0, pid_, ++seq_, hostname_) +
                           ",U=" + std::to_string(m.uid);
  const bool cur = !m.flags.empty();
  write_maildir_file(f.dir, base, cur ? info : std::string(), m.data, m.internal_date);
  // An empty info with flags (e.g. only unstorable keywords) still goes to cur/ as ":2,".
  if (cur && info.empty()) {
    rename_durable(f.dir / "new" / base, f.dir / "cur" / (base + ":2,"));
  }
  f.files[m.uid] = {cur ? base + ":2," + info : base, cur};
}

bool MaildirMirror::persist(const Change& c, const StoredMessage& m) {
  if (c.op == "flags" || c.op == "remove" || c.op == "expunge") return update(c);
  if (is_folder_change(c)) return change_folders(c);
  try {
    AccountDisk& a = account(c.address);
    materialize(c.address, a);
    write_message(ensure_folder(c.address, a, c.folder), m);
    return true;
  } catch (const std::exception& e) {
    ++refused_;
    report("cannot write Maildir file for " + c.address + " uid " + std::to_string(c.uid) + ": " +
           e.what());
    return false;
  }
}

// A flag change or removal, before the store makes it: false (reported) keeps the store as
// it was. apply() sees the change again afterwards and finds nothing left to do.
bool MaildirMirror::update(const Change& c) {
  try {
    AccountDisk& a = account(c.address);
    auto folder = a.folders.find(c.folder);
    if (folder == a.folders.end()) return true;  // nothing of it on disk yet
    if (c.op == "flags") {
      set_flags(c.address, folder->second, c.uid, c.folder);
    } else {
      const Folder* sf = store_.folder(c.address, c.folder);
      remove_file(folder->second, c.uid, sf ? sf->uid_next : c.uid + 1);
    }
    return true;
  } catch (const std::exception& e) {
    report("cannot update Maildir for " + c.address + " (" + c.op + " " + c.folder + " uid " +
           std::to_string(c.uid) + "): " + e.what());
    return false;
  }
}

void MaildirMirror::set_flags(const std::string& address, FolderDisk& f, std::uint32_t uid,
                              const std::string& folder) {
  auto it = f.files.find(uid);
  const Folder* sf = store_.folder(address, folder);
  const StoredMessage* m = sf ? sf->find(uid) : nullptr;
  if (it == f.files.end() || !m) return;
  const std::string info = info_for(f, m->flags);
  const std::string name = parse_maildir_file_name(it->second.name).base + ":2," + info;
  if (it->second.cur && name == it->second.name) return;
  // Plain strings, not fs::path: a STORE on every message of a large folder builds these
  // 10,000s of times, and path's component splitting showed in its profile.
  const std::string& dir = f.dir.native();
  const std::string from = dir + (it->second.cur ? "/cur/" : "/new/") + it->second.name;
  const std::string to = dir + "/cur/" + name;
  if (batch_depth_ == 0) {
    rename_durable(from, to);
  } else {  // the directories are fsync'd once, at the batch's end (batch())
    if (::rename(from.c_str(), to.c_str()) != 0)
      throw MaildirError("cannot rename to " + to + ": " + std::strerror(errno));
    unsynced_.insert(dir + "/cur");
    if (!it->second.cur) unsynced_.insert(dir + "/new");
  }
  it->second = {name, true};
}

void MaildirMirror::remove_file(FolderDisk& f, std::uint32_t uid, std::uint32_t uid_next) {
  auto it = f.files.find(uid);
  if (it == f.files.end()) return;
  // The list must say this UID was used before the last file carrying it goes.
  if (uid >= f.list.uid_next) {
    UidList l = f.list;
    l.uid_next = std::max(uid + 1, uid_next);
    write_uid_list(f.dir, l);
    f.list = l;
  }
  const fs::path p = f.dir / (it->second.cur ? "cur" : "new") / it->second.name;
  if (::unlink(p.c_str()) != 0 && errno != ENOENT)
    throw MaildirError("cannot remove " + p.string() + ": " + std::strerror(errno));
  f.files.erase(it);
  // The file is gone from the folder now, whatever the flush says: report, do not refuse.
  try {
    sync_dir(p.parent_path());
  } catch (const std::exception& e) {
    report(e.what());
  }
}

void MaildirMirror::write_subscriptions(const std::string& address, AccountDisk& a) {
  std::string text;
  for (const auto& s : store_.subscriptions(address)) text += s + "\n";
  write_file_durable(a.home / kSubscriptionsFile, text);
}

void MaildirMirror::apply(const Change& c) {
  // Written by persist() before the store made them.
  if (c.op == "deliver" || c.op == "append" || is_folder_change(c)) return;
  try {
    AccountDisk& a = account(c.address);
    materialize(c.address, a);
    auto folder = a.folders.find(c.folder);
    const Folder* sf = store_.folder(c.address, c.folder);
    // "flags" never reaches here undone: every flag change goes through persist() first.
    if (c.op == "remove" || c.op == "expunge") {
      if (folder != a.folders.end())
        remove_file(folder->second, c.uid, sf ? sf->uid_next : c.uid + 1);
    }
  } catch (const std::exception& e) {
    report("cannot update Maildir for " + c.address + " (" + c.op + " " + c.folder +
           (c.uid ? " uid " + std::to_string(c.uid) : std::string()) + "): " + e.what());
  }
}

fs::path MaildirMirror::path_of(std::string_view address, std::string_view folder,
                                std::uint32_t uid) const {
  auto a = accounts_.find(ascii_lower(address));
  if (a == accounts_.end()) return {};
  auto f = a->second.folders.find(std::string(folder));
  if (f == a->second.folders.end()) return {};
  auto m = f->second.files.find(uid);
  if (m == f->second.files.end()) return {};
  return f->second.dir / (m->second.cur ? "cur" : "new") / m->second.name;
}

}  // namespace net::store

// MaildirMirror: folder changes (IMAP CREATE, DELETE, RENAME, RFC 3501 §6.3.3-§6.3.5) and the
// subscription list (§6.3.6, §6.3.7), written through the store's persist hook before the
// store announces them. Each is made on disk as one atomic step (a rename, a file replaced)
// or, when a later step fails, undone there, so that a refusal (answered NO [UNAVAILABLE],
// RFC 5530 §3) leaves the disk as the store still has it.
#include "net/store/maildir_mirror.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "net/store/maildir.hpp"
#include "net/store/maildir_names.hpp"

namespace net::store {
namespace fs = std::filesystem;

namespace {

bool same_or_inferior(const std::string& name, const std::string& of) {
  return name == of || (name.size() > of.size() && name.compare(0, of.size(), of) == 0 &&
                        name[of.size()] == Mailstore::kDelimiter);
}

fs::path folder_dir(const fs::path& home, const std::string& name) {
  auto sub = maildir_folder_dir(name);
  if (!sub || sub->empty()) {
    std::string what = "folder name '";
    what.append(name).append("' cannot be stored");
    throw MaildirError(what);
  }
  return home / *sub;
}

}  // namespace

bool MaildirMirror::is_folder_change(const Change& c) {
  return c.op == "create" || c.op == "delete" || c.op == "rename" || c.op == "subscribe" ||
         c.op == "unsubscribe";
}

bool MaildirMirror::change_folders(const Change& c) {
  try {
    AccountDisk& a = account(c.address);
    materialize(c.address, a);
    if (c.op == "create") {
      create_on_disk(c.address, a, c.folder);
    } else if (c.op == "delete") {
      delete_on_disk(a, c.folder);
    } else if (c.op == "rename") {
      rename_on_disk(c.address, a, c.folder, c.new_name);
    } else {
      write_subscriptions(c.address, a);  // atomic: a new file renamed over the old one
    }
    return true;
  } catch (const std::exception& e) {
    std::string what = "cannot update Maildir for ";
    what.append(c.address).append(" (").append(c.op).append(" ").append(c.folder);
    what.append("): ").append(e.what());
    report(what);
    return false;
  }
}

void MaildirMirror::create_on_disk(const std::string& address, AccountDisk& a,
                                   const std::string& name) {
  const fs::path dir = folder_dir(a.home, name);
  std::error_code ec;
  // Only a directory this call makes is removed again when it fails.
  const bool fresh = !a.folders.count(name) && !fs::exists(fs::symlink_status(dir, ec));
  try {
    FolderDisk& f = ensure_folder(address, a, name);
    // A renamed INBOX: the new folder starts with INBOX's messages (copies: INBOX's files go
    // only after this succeeded, so a crash in between leaves them twice, never nowhere).
    if (const Folder* sf = store_.folder(address, name)) {
      for (const auto& m : sf->messages)
        if (!f.files.count(m.uid)) write_message(f, m);
    }
  } catch (const std::exception&) {
    if (fresh) {
      a.folders.erase(name);
      fs::remove_all(dir, ec);
      if (ec) report("cannot remove the unfinished folder " + dir.string() + ": " + ec.message());
    }
    throw;
  }
}

void MaildirMirror::delete_on_disk(AccountDisk& a, const std::string& name) {
  auto it = a.folders.find(name);
  if (it == a.folders.end()) return;  // nothing of it on disk (a \Noselect level)
  // One rename takes the whole folder out of the Maildir; a refusal changes nothing. It goes
  // into INBOX's tmp/, which the next start empties if the removal below does not finish.
  std::string parked = maildir_unique_name(now_ ? now_() : 0, pid_, ++seq_, hostname_);
  parked += ".deleted";
  const fs::path to = a.home / "tmp" / parked;
  const fs::path from = it->second.dir;
  if (::rename(from.c_str(), to.c_str()) != 0) {
    const int err = errno;
    std::error_code ec;
    // Already gone from the disk (not INBOX's tmp/ missing): what DELETE asks for.
    if (err == ENOENT && !fs::exists(fs::symlink_status(from, ec))) {
      a.folders.erase(it);
      return;
    }
    throw MaildirError("cannot move " + from.string() + " away: " + std::strerror(err));
  }
  a.folders.erase(it);
  // Gone from the folder list now, whatever the flush and the removal say: report only.
  try {
    sync_dir(a.home);
    sync_dir(to.parent_path());
  } catch (const std::exception& e) {
    report(e.what());
  }
  std::error_code ec;
  fs::remove_all(to, ec);
  if (ec) report("cannot remove " + to.string() + ": " + ec.message());
}

// The folder's directory renamed (one rename(2)); the flush failing is reported, since the
// rename has happened.
void MaildirMirror::move_folder(AccountDisk& a, const std::string& from, const std::string& to,
                                const fs::path& dir) {
  auto node = a.folders.extract(from);
  if (::rename(node.mapped().dir.c_str(), dir.c_str()) != 0) {
    const int err = errno;
    a.folders.insert(std::move(node));
    throw MaildirError("cannot rename to " + dir.string() + ": " + std::strerror(err));
  }
  node.key() = to;
  node.mapped().dir = dir;
  a.folders.insert(std::move(node));
  try {
    sync_dir(a.home);
  } catch (const std::exception& e) {
    report(e.what());
  }
}

void MaildirMirror::rename_on_disk(const std::string& address, AccountDisk& a,
                                   const std::string& from, const std::string& to) {
  // Maildir++ keeps each level in its own directory: the folder and every inferior on disk
  // are renamed one by one, and back again when one of them (or the subscriptions) fails.
  struct Done {
    std::string from, to;
    fs::path dir;
  };
  std::vector<std::string> names;
  for (const auto& entry : a.folders)
    if (same_or_inferior(entry.first, from)) names.push_back(entry.first);
  std::vector<Done> done;
  done.reserve(names.size());
  try {
    for (const auto& n : names) {
      std::string nn = to;
      nn.append(n, from.size());
      const fs::path old_dir = a.folders.at(n).dir;
      move_folder(a, n, nn, folder_dir(a.home, nn));
      done.push_back({n, nn, old_dir});
    }
    write_subscriptions(address, a);  // the store has the new names already
  } catch (const std::exception&) {
    for (auto it = done.rbegin(); it != done.rend(); ++it) {
      try {
        move_folder(a, it->to, it->from, it->dir);
      } catch (const std::exception& e) {
        report(std::string("RENAME not undone on disk: ") + e.what());
      }
    }
    throw;
  }
}

}  // namespace net::store

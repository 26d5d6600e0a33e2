// `serve --maildir DIR`: keeps a Maildir copy of the in-memory Mailstore, loaded at start-up
// and written through on every change, so that mail, flags, folders, UIDs and UIDVALIDITY
// survive a restart or a crash (layout: maildir_names.hpp; uid list: maildir_uidlist.hpp).
//
// Durability rule: a message is added through Mailstore's persist hook, which returns only
// after the file was fsync'd, renamed into new/ or cur/ and that directory fsync'd; when the
// write fails the store drops the message and the caller answers 451 / NO. Flag changes and
// removals go through the same hook before the store makes them: a failed rename or unlink
// undoes the change and the client is answered NO / -ERR. Folder changes (create, delete,
// rename) and subscriptions go through the hook too (maildir_mirror_folders.cpp): each is one
// atomic step on disk or is undone there, and refused, the store keeps its folders.
// Each step is atomic on disk (rename, unlink); a MOVE (and RENAME INBOX) writes the new
// copy before it removes the old one, so a crash in between leaves the message twice, never
// nowhere. A folder's uid list is rewritten before a file whose UID is not below its
// recorded UIDNEXT is removed, so no UID is handed out twice under one UIDVALIDITY.
//
// An account's directory is made on its first change, not at start-up, so an account that
// never had mail leaves nothing on disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "net/store/group_commit.hpp"
#include "net/store/maildir_uidlist.hpp"
#include "net/store/mailstore.hpp"

namespace net::store {

class MaildirMirror {
 public:
  // `now` gives unix seconds for new file names; `pid` and `hostname` make them unique
  // (maildir_unique_name).
  MaildirMirror(Mailstore& store, std::filesystem::path root, std::string hostname,
                std::uint64_t pid, std::function<std::int64_t()> now);
  ~MaildirMirror();
  MaildirMirror(const MaildirMirror&) = delete;
  MaildirMirror& operator=(const MaildirMirror&) = delete;

  // Loads every account of the store from DIR (call before attach() and before other
  // listeners subscribe: the folders it creates are announced). Returns what was repaired
  // or skipped. Throws MaildirError when a Maildir cannot be read.
  std::vector<std::string> load();
  // From now on every store change is written to DIR.
  void attach();

  // From now on SMTP deliveries and IMAP APPENDs (Mailstore::deliver_later, append_later) are
  // written by a GroupCommit worker (net/store/group_commit.hpp) instead of on the calling
  // thread; `post` runs its argument on the loop thread (thread-safe). Every other change
  // first waits for the deliveries before it. Call after attach().
  void start_group_commit(std::function<void(std::function<void()>)> post);
  // Finishes the queued writes and ends the worker (before the loop that `post` uses goes).
  void stop_group_commit();
  std::uint64_t commit_batches() const;  // batches the worker flushed so far
  // Loop thread: waits until every delivery handed to the worker is written, then runs their
  // completions (what a barrier before any other change does).
  void flush_commits();

  void on_error(std::function<void(const std::string&)> cb) { on_error_ = std::move(cb); }
  // Messages the persist hook refused so far (the write failed).
  std::uint64_t refused() const { return refused_; }
  // The message's file (for the log); empty if unknown.
  std::filesystem::path path_of(std::string_view address, std::string_view folder,
                                std::uint32_t uid) const;

 private:
  struct FileRef {
    std::string name;  // in new/ or cur/
    bool cur = false;
  };
  struct FolderDisk {
    std::filesystem::path dir;
    UidList list;
    std::map<std::uint32_t, FileRef> files;
  };
  struct AccountDisk {
    std::filesystem::path home;
    bool materialized = false;                  // the directory and every folder exist on disk
    std::map<std::string, FolderDisk> folders;  // key: folder name
  };

  std::string info_for(FolderDisk& f, const std::vector<std::string>& flags);
  bool persist(const Change& c, const StoredMessage& m);
  bool update(const Change& c);
  static bool is_folder_change(const Change& c);
  bool change_folders(const Change& c);
  void create_on_disk(const std::string& address, AccountDisk& a, const std::string& name);
  void delete_on_disk(AccountDisk& a, const std::string& name);
  void rename_on_disk(const std::string& address, AccountDisk& a, const std::string& from,
                      const std::string& to);
  void move_folder(AccountDisk& a, const std::string& from, const std::string& to,
                   const std::filesystem::path& dir);
  void commit(const Change& c, const StoredMessage& m, std::function<void(bool)> done);
  void apply(const Change& c);
  AccountDisk& account(std::string_view address);
  void materialize(const std::string& address, AccountDisk& a);
  FolderDisk& ensure_folder(const std::string& address, AccountDisk& a, const std::string& name);
  void write_message(FolderDisk& f, const StoredMessage& m);
  void set_flags(const std::string& address, FolderDisk& f, std::uint32_t uid,
                 const std::string& folder);
  void remove_file(FolderDisk& f, std::uint32_t uid, std::uint32_t uid_next);
  void write_subscriptions(const std::string& address, AccountDisk& a);
  void report(const std::string& what);
  void batch(bool begin);

  Mailstore& store_;
  std::filesystem::path root_;
  std::string hostname_;
  std::uint64_t pid_;
  std::function<std::int64_t()> now_;
  std::uint64_t seq_ = 0;
  std::uint64_t refused_ = 0;
  std::map<std::string, AccountDisk> accounts_;  // key: lowercased address
  Mailstore::ListenerId listener_ = 0;
  bool attached_ = false;
  // Inside a store batch, flag renames leave their directories here, each fsync'd once at
  // the batch's end (a file is in exactly one place at any moment, before or after).
  int batch_depth_ = 0;
  std::set<std::string> unsynced_;
  std::function<void(const std::string&)> on_error_;
  std::unique_ptr<GroupCommit> group_;
};

}  // namespace net::store

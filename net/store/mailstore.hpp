// In-memory mailboxes: written by SMTP delivery, read by POP3 and IMAP.
// Addresses are compared case-insensitively (local part and domain).
// Not thread-safe: drivers are single-threaded.
//
// Every account has folders (IMAP "mailboxes", RFC 3501 §5.1): INBOX always, plus Sent,
// Drafts, Trash and Junk carrying SPECIAL-USE attributes (RFC 6154). The hierarchy
// delimiter is "/". Each folder has a UIDVALIDITY taken from one store-wide counter (no
// clock: the driver may set its base) and a UIDNEXT (RFC 3501 §2.3.1.1). The folder-less
// calls deliver()/messages()/remove() mean INBOX. Every change is announced to the
// listeners (IMAP sessions, the trace) after the store is consistent again.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace net::store {

struct StoredMessage {
  uint32_t uid = 0;
  std::string data;           // CRLF RFC 5322 text
  int64_t internal_date = 0;  // unix seconds
  // System flags in canonical case ("\Seen" "\Answered" "\Flagged" "\Deleted" "\Draft")
  // and keywords; no duplicates (compared case-insensitively), in insertion order.
  std::vector<std::string> flags;
  bool has_flag(std::string_view flag) const;
  // What IMAP FETCH derives from `data` (ENVELOPE, BODYSTRUCTURE, BODY; net/imap/fetch.cpp),
  // made on first use and kept: a message's text never changes. Copies share it.
  struct Derived {
    std::string envelope, body_structure, body;
  };
  mutable std::shared_ptr<Derived> derived;
};

struct Folder {
  std::string name;         // "INBOX", "Sent", "Projects/2026"
  std::string special_use;  // "\Sent", "\Drafts", "\Trash", "\Junk" or ""
  uint32_t uid_validity = 0;
  uint32_t uid_next = 1;
  bool noselect = false;     // deleted but still has inferiors (RFC 3501 §6.3.4)
  uint32_t recent_from = 1;  // UIDs from here on are \Recent for the next session to claim
  std::vector<StoredMessage> messages;  // ascending UIDs
  const StoredMessage* find(uint32_t uid) const;
};

struct Account {
  std::string address, login, password;
};

struct Change {
  std::string address;
  // "deliver" (SMTP into INBOX), "remove" (POP3 deletion from INBOX), "append", "expunge",
  // "flags", "create", "delete", "rename", "subscribe", "unsubscribe"
  std::string op;
  uint32_t uid = 0;
  size_t size = 0;
  std::string folder = "INBOX";
  std::string new_name;  // rename: the folder's new name
};

// Why a folder operation failed (RFC 5530 response codes map onto these).
enum class Status {
  Ok,
  NoAccount,
  NoFolder,       // [NONEXISTENT]
  AlreadyExists,  // [ALREADYEXISTS]
  BadName,        // empty, bad delimiter use, or the reserved INBOX
  HasChildren,    // delete of a \Noselect name with inferiors
  NoMessage,      // the UID is not in the folder
  WriteFailed,    // the copy on disk could not be changed; the store kept its state
};
const char* to_string(Status s);

// "INBOX" for any case of inbox, else the name unchanged.
std::string canonical_folder(std::string_view name);
// "\Seen" for "\SEEN"; keywords unchanged. Empty if not a valid flag name.
std::string canonical_flag(std::string_view flag);

class Mailstore {
 public:
  using Listener = std::function<void(const Change&)>;
  using ListenerId = std::uint64_t;
  static constexpr char kDelimiter = '/';

  // Creates the mailbox; the address's domain becomes a local domain. Adding an
  // existing address replaces its login and password and keeps its messages.
  void add_account(Account a);
  // The account's address when login (or the full address) and password match.
  std::optional<std::string> authenticate(std::string_view login_or_address,
                                          std::string_view password) const;
  bool has_mailbox(std::string_view address) const;
  // Appends a message to INBOX; returns its UID (ascending from 1 per folder), 0 if no
  // mailbox.
  uint32_t deliver(std::string_view address, std::string data, int64_t internal_date);
  const std::vector<StoredMessage>* messages(std::string_view address) const;  // INBOX
  // INBOX; false if not there, or (then *write_failed is set) when the persist hook refused.
  bool remove(std::string_view address, uint32_t uid, bool* write_failed = nullptr);
  std::vector<std::string> addresses() const;  // as given to add_account, sorted
  bool is_local_domain(std::string_view domain) const;
  void add_domain(std::string_view domain);
  // Called after every change (see Change::op). Returns an id for unsubscribe().
  ListenerId on_change(Listener callback);
  ListenerId subscribe(Listener callback) { return on_change(std::move(callback)); }
  void unsubscribe(ListenerId id);

  // Exclusive access for a POP3 session in TRANSACTION state (RFC 1939 §8): lock() fails
  // while another owner holds the mailbox; unlock() by a non-owner does nothing.
  bool lock(std::string_view address, std::uint64_t owner);
  void unlock(std::string_view address, std::uint64_t owner);
  bool locked(std::string_view address) const;

  // ---- folders (IMAP) ----
  // UIDVALIDITY of the next folder created; each new folder takes the next value.
  void set_uid_validity_base(uint32_t base) { next_validity_ = base == 0 ? 1 : base; }
  const Folder* folder(std::string_view address, std::string_view name) const;
  // All folders of the account sorted by name with INBOX first; empty if no account.
  std::vector<const Folder*> folders(std::string_view address) const;
  // RFC 3501 §6.3.3: superior names are created as needed; a trailing "/" is dropped.
  Status create_folder(std::string_view address, std::string_view name);
  // RFC 3501 §6.3.4: INBOX cannot be deleted; a folder with inferiors becomes \Noselect.
  Status delete_folder(std::string_view address, std::string_view name);
  // RFC 3501 §6.3.5: inferiors move too; renaming INBOX moves its messages into a new
  // folder and leaves INBOX empty. The folder calls return WriteFailed, with nothing
  // changed, when the persist hook refuses.
  Status rename_folder(std::string_view address, std::string_view from, std::string_view to);
  Status set_subscribed(std::string_view address, std::string_view name, bool on);
  std::vector<std::string> subscriptions(std::string_view address) const;  // sorted

  // \Recent (RFC 3501 §2.3.2): the UIDs no session has been told about yet. claim_recent()
  // hands them to the calling session (they are \Recent there and nowhere else).
  std::vector<uint32_t> claim_recent(std::string_view address, std::string_view folder);
  std::vector<uint32_t> unclaimed_recent(std::string_view address, std::string_view folder) const;

  // Adds a message with these flags; returns its UID or 0 (no account or folder).
  uint32_t append(std::string_view address, std::string_view folder, std::string data,
                  std::vector<std::string> flags, int64_t internal_date);
  // Replaces the message's flags (canonicalised); "flags" change only if they differ.
  // WriteFailed: the persist hook refused; the old flags stay.
  Status set_flags(std::string_view address, std::string_view folder, uint32_t uid,
                   std::vector<std::string> flags);
  // Copies a message (data, date, flags) to another folder; returns the new UID or 0.
  uint32_t copy(std::string_view address, std::string_view from, uint32_t uid, std::string_view to);
  // COPY of several messages as one step (RFC 3501 §6.4.7: a COPY that fails leaves the
  // destination as it was). Each copy goes through the persist hook; they are announced
  // together once all are written. When one cannot be written, *failed_uid is set, the copies
  // before it are removed again (their UIDs stay used, nothing is announced) and the result
  // is empty; a copy whose removal is refused too stays, is announced and counted in *left.
  // Otherwise the new UIDs in the order of `uids`, 0 for a message no longer in `from`.
  std::vector<uint32_t> copy_all(std::string_view address, std::string_view from,
                                 const std::vector<uint32_t>& uids, std::string_view to,
                                 uint32_t* failed_uid = nullptr, std::size_t* left = nullptr);
  // copy() then removal from the source (RFC 6851); returns the new UID or 0. When the
  // source cannot be removed (the persist hook refused) *source_kept is set and the copy is
  // taken back (returns 0: the message is only in `from`, nothing announced); if that is
  // refused too, the message is in both folders and the new UID is returned.
  uint32_t move(std::string_view address, std::string_view from, uint32_t uid, std::string_view to,
                bool* source_kept = nullptr);
  // Removes messages flagged \Deleted (only those in `only` when given); returns their
  // UIDs in ascending order, one "expunge" change each. A message whose removal the persist
  // hook refuses stays, counted in *write_failed.
  std::vector<uint32_t> expunge(std::string_view address, std::string_view folder,
                                const std::set<uint32_t>* only = nullptr,
                                std::size_t* write_failed = nullptr);

  // ---- persistence (serve --maildir) ----
  // Runs when a message is added (deliver, append, copy, move) before the change is
  // announced: returning false takes the message out again (its UID stays used) and the
  // call returns 0, so a client is never told OK for mail that is not on disk. It runs too
  // before a flag change ("flags"; the message already has its new flags) and before a
  // removal ("remove", "expunge"): returning false undoes the change, and the call reports
  // it (Status::WriteFailed, write_failed), so a failed rename or unlink is never answered OK.
  // Folder changes ("create", "delete", "rename", "subscribe", "unsubscribe"; the message is
  // empty) run it too, before they are announced: "create" and "delete" while the folder is
  // still as it was, "rename" (once for the folder and all its inferiors) and the
  // subscriptions with the store already changed. Refused, the call returns WriteFailed with
  // the store as it was.
  using Persist = std::function<bool(const Change&, const StoredMessage&)>;
  void set_persist(Persist p) { persist_ = std::move(p); }
  // Many changes in a row (one IMAP STORE over a range): between begin_batch() and
  // end_batch() the persistence layer may defer its directory flushes; end_batch() returns
  // once every change of the batch is durable, so the client is answered after it.
  using BatchHook = std::function<void(bool begin)>;
  void set_batch_hook(BatchHook h) { batch_ = std::move(h); }
  void begin_batch() {
    if (batch_) batch_(true);
  }
  void end_batch() {
    if (batch_) batch_(false);
  }
  // Group commit (serve --maildir, net/store/group_commit.hpp): a hook that makes the message
  // durable later and then calls done(true) on this thread, or done(false) when it cannot.
  using Commit =
      std::function<void(const Change&, const StoredMessage&, std::function<void(bool)> done)>;
  void set_commit(Commit c) { commit_ = std::move(c); }
  // Called before every other change: returns once every commit handed out is finished, so
  // that changes reach the disk in the order the store made them.
  void set_barrier(std::function<void()> b) { barrier_ = std::move(b); }
  // deliver() through the commit hook: the UID is taken now; the message enters INBOX (and
  // is announced) only once it is durable, then then(uid) runs; then(0) when it cannot be
  // stored (no mailbox, or the write failed: the UID stays used). Without a commit hook this
  // is deliver() followed by then().
  void deliver_later(std::string_view address, std::string data, int64_t internal_date,
                     std::function<void(uint32_t uid)> then);
  // append() through the commit hook, as deliver_later() does for INBOX (IMAP APPEND, so
  // that its OK waits for the disk without stalling the loop): then(uid) once the message is
  // durable and in the folder, then(0) when there is no such folder or the write failed.
  void append_later(std::string_view address, std::string_view folder, std::string data,
                    std::vector<std::string> flags, int64_t internal_date,
                    std::function<void(uint32_t uid)> then);
  // Restores a saved folder without announcing anything: its UIDVALIDITY, its messages
  // (sorted by UID here) and a UIDNEXT above every UID. Nothing is \Recent afterwards.
  Status restore_folder(std::string_view address, std::string_view name, uint32_t uid_validity,
                        uint32_t uid_next, std::vector<StoredMessage> messages);

 private:
  struct Mailbox {
    Account account;
    std::map<std::string, Folder> folders;  // key: canonical name
    std::set<std::string> subscribed;
    std::uint64_t lock_owner = 0;  // 0: unlocked
  };
  void notify(const Change& c);
  bool persisted(Folder& f, const Change& c);
  // Puts m into f under f's next UID and writes it through the persist hook (APPEND, COPY,
  // MOVE). Returns its "append" change, not yet announced; uid 0 when refused (nothing kept).
  // m is a value: a message of another folder is copied before f's vector may reallocate.
  Change add_written(Folder& f, const std::string& address, StoredMessage m);
  // Takes back a message add_written kept (a COPY or MOVE that failed later): true when it
  // is gone here and on disk, false when the disk refused and it stays.
  bool remove_written(Folder& f, const std::string& address, uint32_t uid);
  // Hands m to the commit hook; once durable it enters c.folder, c is announced, then(uid).
  void commit_later(Change c, StoredMessage m, std::function<void(uint32_t uid)> then);
  bool written(const Change& c, const StoredMessage& m) { return !persist_ || persist_(c, m); }
  bool folder_written(const Change& c);
  bool make_written(Mailbox& b, const std::string& n, std::vector<std::string>& made);
  void take_back(Mailbox& b, const std::vector<std::string>& made);
  std::vector<std::string> missing_superiors(Mailbox& b, const std::string& name);
  Mailbox* box(std::string_view address);
  const Mailbox* box(std::string_view address) const;
  Folder* find_folder(Mailbox& b, std::string_view name);
  Folder& make_folder(Mailbox& b, const std::string& name, std::string special_use = {});

  std::map<std::string, Mailbox> boxes_;  // key: lowercased address
  std::set<std::string> domains_;         // lowercased
  std::map<ListenerId, Listener> listeners_;
  ListenerId next_listener_ = 1;
  uint32_t next_validity_ = 1;
  void barrier() {
    if (barrier_) barrier_();
  }

  Persist persist_;
  BatchHook batch_;
  Commit commit_;
  std::function<void()> barrier_;
};

}  // namespace net::store

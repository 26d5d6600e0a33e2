#include "net/store/mailstore.hpp"

#include "net/ascii.hpp"

#include <algorithm>
#include <memory>
#include <utility>

namespace net::store {

namespace {

constexpr const char* kInbox = "INBOX";

// The folders every account starts with (RFC 6154 §2 attributes).
struct SpecialFolder {
  const char* name;
  const char* use;
};
constexpr SpecialFolder kSpecial[] = {
    {"Drafts", "\\Drafts"}, {"Junk", "\\Junk"}, {"Sent", "\\Sent"}, {"Trash", "\\Trash"}};

std::vector<std::string> normalise_flags(std::vector<std::string> in) {
  std::vector<std::string> out;
  for (auto& f : in) {
    std::string c = canonical_flag(f);
    if (c.empty()) continue;
    bool dup = false;
    for (const auto& o : out) dup = dup || ascii_iequals(o, c);
    if (!dup) out.push_back(std::move(c));
  }
  return out;
}

bool is_inferior(std::string_view name, std::string_view parent) {
  return name.size() > parent.size() + 1 && name.substr(0, parent.size()) == parent &&
         name[parent.size()] == Mailstore::kDelimiter;
}

// Names: non-empty, no empty hierarchy levels, no CR/LF/NUL.
bool valid_name(std::string_view n) {
  if (n.empty() || n.front() == Mailstore::kDelimiter || n.back() == Mailstore::kDelimiter)
    return false;
  if (n.find("//") != std::string_view::npos) return false;
  for (char c : n)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

}  // namespace

const char* to_string(Status s) {
  switch (s) {
    case Status::Ok:
      return "ok";
    case Status::NoAccount:
      return "no such account";
    case Status::NoFolder:
      return "no such mailbox";
    case Status::AlreadyExists:
      return "mailbox already exists";
    case Status::BadName:
      return "invalid mailbox name";
    case Status::HasChildren:
      return "mailbox has inferior hierarchical names";
    case Status::NoMessage:
      return "no such message";
    case Status::WriteFailed:
      return "the change could not be written to disk";
  }
  return "?";
}

std::string canonical_folder(std::string_view name) {
  if (ascii_iequals(name, kInbox)) return kInbox;
  // "inbox/child" keeps its child part; the INBOX prefix is case-insensitive (RFC 3501 §5.1).
  if (name.size() > 6 && ascii_iequals(name.substr(0, 5), kInbox) &&
      name[5] == Mailstore::kDelimiter)
    return std::string(kInbox) + std::string(name.substr(5));
  return std::string(name);
}

std::string canonical_flag(std::string_view flag) {
  if (flag.empty()) return {};
  static const char* const kSystem[] = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted",
                                        "\\Draft"};
  if (flag.front() == '\\') {
    for (const char* s : kSystem)
      if (ascii_iequals(flag, s)) return s;
    return {};  // unknown system flag: not settable (RFC 3501 §2.3.2)
  }
  for (char c : flag) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' ||
        c == '"' || c == ']')
      return {};
  }
  return std::string(flag);
}

bool StoredMessage::has_flag(std::string_view flag) const {
  for (const auto& f : flags)
    if (ascii_iequals(f, flag)) return true;
  return false;
}

const StoredMessage* Folder::find(uint32_t uid) const {
  auto it = std::lower_bound(messages.begin(), messages.end(), uid,
                             [](const StoredMessage& m, uint32_t u) { return m.uid < u; });
  return it != messages.end() && it->uid == uid ? &*it : nullptr;
}

Mailstore::Mailbox* Mailstore::box(std::string_view address) {
  auto it = boxes_.find(ascii_lower(address));
  return it == boxes_.end() ? nullptr : &it->second;
}

const Mailstore::Mailbox* Mailstore::box(std::string_view address) const {
  auto it = boxes_.find(ascii_lower(address));
  return it == boxes_.end() ? nullptr : &it->second;
}

Folder* Mailstore::find_folder(Mailbox& b, std::string_view name) {
  auto it = b.folders.find(canonical_folder(name));
  return it == b.folders.end() ? nullptr : &it->second;
}

Folder& Mailstore::make_folder(Mailbox& b, const std::string& name, std::string special_use) {
  Folder& f = b.folders[name];
  f.name = name;
  f.special_use = std::move(special_use);
  f.uid_validity = next_validity_++;
  f.uid_next = 1;
  f.recent_from = 1;
  f.noselect = false;
  f.messages.clear();
  return f;
}

void Mailstore::add_account(Account a) {
  std::string key = ascii_lower(a.address);
  size_t at = key.rfind('@');
  if (at != std::string::npos) domains_.insert(key.substr(at + 1));
  bool fresh = boxes_.count(key) == 0;
  auto& b = boxes_[key];
  b.account = std::move(a);
  if (fresh) {
    make_folder(b, kInbox);
    b.subscribed.insert(kInbox);
    for (const auto& s : kSpecial) {
      make_folder(b, s.name, s.use);
      b.subscribed.insert(s.name);
    }
  }
}

std::optional<std::string> Mailstore::authenticate(std::string_view login_or_address,
                                                   std::string_view password) const {
  std::string key = ascii_lower(login_or_address);
  for (const auto& [addr, b] : boxes_) {
    bool who = b.account.login == login_or_address || addr == key;
    if (who && b.account.password == password) return b.account.address;
  }
  return std::nullopt;
}

bool Mailstore::has_mailbox(std::string_view address) const {
  return boxes_.count(ascii_lower(address)) != 0;
}

uint32_t Mailstore::deliver(std::string_view address, std::string data, int64_t internal_date) {
  barrier();
  Mailbox* b = box(address);
  if (!b) return 0;
  Folder& f = b->folders[kInbox];
  StoredMessage m;
  m.uid = f.uid_next++;
  m.internal_date = internal_date;
  size_t size = data.size();
  m.data = std::move(data);
  f.messages.push_back(std::move(m));
  uint32_t uid = f.messages.back().uid;
  Change c{b->account.address, "deliver", uid, size, kInbox, {}};
  if (!persisted(f, c)) return 0;
  notify(c);
  return uid;
}

void Mailstore::deliver_later(std::string_view address, std::string data, int64_t internal_date,
                              std::function<void(uint32_t uid)> then) {
  if (!commit_) {
    const uint32_t uid = deliver(address, std::move(data), internal_date);
    if (then) then(uid);
    return;
  }
  Mailbox* b = box(address);
  if (!b) {
    if (then) then(0);
    return;
  }
  Folder& f = b->folders[kInbox];
  StoredMessage m;
  m.uid = f.uid_next++;
  m.internal_date = internal_date;
  m.data = std::move(data);
  Change c{b->account.address, "deliver", m.uid, m.data.size(), kInbox, {}};
  commit_later(std::move(c), std::move(m), std::move(then));
}

void Mailstore::append_later(std::string_view address, std::string_view folder_name,
                             std::string data, std::vector<std::string> flags,
                             int64_t internal_date, std::function<void(uint32_t uid)> then) {
  if (!commit_) {
    const uint32_t uid =
        append(address, folder_name, std::move(data), std::move(flags), internal_date);
    if (then) then(uid);
    return;
  }
  Mailbox* b = box(address);
  Folder* f = b ? find_folder(*b, folder_name) : nullptr;
  if (!f || f->noselect) {
    if (then) then(0);
    return;
  }
  StoredMessage m;
  m.uid = f->uid_next++;
  m.internal_date = internal_date;
  m.flags = normalise_flags(std::move(flags));
  m.data = std::move(data);
  Change c{b->account.address, "append", m.uid, m.data.size(), f->name, {}};
  commit_later(std::move(c), std::move(m), std::move(then));
}

void Mailstore::commit_later(Change c, StoredMessage m, std::function<void(uint32_t uid)> then) {
  // The message waits in the closure until it is on disk; the hook reads it meanwhile.
  auto held = std::make_shared<StoredMessage>(std::move(m));
  commit_(c, *held, [this, c, held, then = std::move(then)](bool ok) {
    Mailbox* mb = ok ? box(c.address) : nullptr;
    // Deleting or renaming a folder waits for the commits first (barrier), so it is there.
    Folder* f = mb ? find_folder(*mb, c.folder) : nullptr;
    if (!f) {
      if (then) then(0);
      return;
    }
    // Every other change waits for the commits before it (barrier), so the UID is above
    // every message in the folder; keep the order anyway.
    auto& msgs = f->messages;
    auto at = std::lower_bound(msgs.begin(), msgs.end(), c.uid,
                               [](const StoredMessage& x, uint32_t u) { return x.uid < u; });
    msgs.insert(at, std::move(*held));
    notify(c);
    if (then) then(c.uid);
  });
}

const std::vector<StoredMessage>* Mailstore::messages(std::string_view address) const {
  const Mailbox* b = box(address);
  if (!b) return nullptr;
  auto it = b->folders.find(kInbox);
  return it == b->folders.end() ? nullptr : &it->second.messages;
}

bool Mailstore::remove(std::string_view address, uint32_t uid, bool* write_failed) {
  barrier();
  Mailbox* b = box(address);
  if (!b) return false;
  auto& msgs = b->folders[kInbox].messages;
  auto m = std::find_if(msgs.begin(), msgs.end(), [uid](const auto& x) { return x.uid == uid; });
  if (m == msgs.end()) return false;
  size_t size = m->data.size();
  Change c{b->account.address, "remove", uid, size, kInbox, {}};
  if (!written(c, *m)) {
    if (write_failed) *write_failed = true;
    return false;
  }
  msgs.erase(m);
  notify(c);
  return true;
}

std::vector<std::string> Mailstore::addresses() const {
  std::vector<std::string> out;
  for (const auto& [key, b] : boxes_) out.push_back(b.account.address);
  return out;
}

bool Mailstore::is_local_domain(std::string_view domain) const {
  return domains_.count(ascii_lower(domain)) != 0;
}

void Mailstore::add_domain(std::string_view domain) {
  domains_.insert(ascii_lower(domain));
}

Mailstore::ListenerId Mailstore::on_change(Listener callback) {
  ListenerId id = next_listener_++;
  listeners_.emplace(id, std::move(callback));
  return id;
}

void Mailstore::unsubscribe(ListenerId id) {
  listeners_.erase(id);
}

bool Mailstore::lock(std::string_view address, std::uint64_t owner) {
  Mailbox* b = box(address);
  if (!b || owner == 0) return false;
  if (b->lock_owner != 0 && b->lock_owner != owner) return false;
  b->lock_owner = owner;
  return true;
}

void Mailstore::unlock(std::string_view address, std::uint64_t owner) {
  Mailbox* b = box(address);
  if (b && b->lock_owner == owner) b->lock_owner = 0;
}

bool Mailstore::locked(std::string_view address) const {
  const Mailbox* b = box(address);
  return b && b->lock_owner != 0;
}

void Mailstore::notify(const Change& c) {
  // A listener may unsubscribe itself or others while being called: walk a snapshot of
  // the ids and look each one up again.
  std::vector<ListenerId> ids;
  ids.reserve(listeners_.size());
  for (const auto& [id, l] : listeners_) ids.push_back(id);
  for (ListenerId id : ids) {
    auto it = listeners_.find(id);
    if (it != listeners_.end()) {
      Listener l = it->second;  // a copy: the callback may erase itself
      l(c);
    }
  }
}

// The new message is the folder's last; a refusing hook takes it out again.
bool Mailstore::persisted(Folder& f, const Change& c) {
  if (!persist_ || persist_(c, f.messages.back())) return true;
  f.messages.pop_back();
  return false;
}

Change Mailstore::add_written(Folder& f, const std::string& address, StoredMessage m) {
  m.uid = f.uid_next++;
  Change c{address, "append", m.uid, m.data.size(), f.name, {}};
  f.messages.push_back(std::move(m));
  if (!persisted(f, c)) c.uid = 0;
  return c;
}

bool Mailstore::remove_written(Folder& f, const std::string& address, uint32_t uid) {
  auto it = std::find_if(f.messages.begin(), f.messages.end(),
                         [uid](const StoredMessage& x) { return x.uid == uid; });
  if (!written({address, "expunge", uid, it->data.size(), f.name, {}}, *it)) return false;
  f.messages.erase(it);  // its UID stays used: never announced, never given again
  return true;
}

Status Mailstore::restore_folder(std::string_view address, std::string_view name,
                                 uint32_t uid_validity, uint32_t uid_next,
                                 std::vector<StoredMessage> messages) {
  Mailbox* b = box(address);
  if (!b) return Status::NoAccount;
  Folder* f = find_folder(*b, name);
  if (!f) return Status::NoFolder;
  std::sort(messages.begin(), messages.end(),
            [](const StoredMessage& x, const StoredMessage& y) { return x.uid < y.uid; });
  if (!messages.empty()) uid_next = std::max(uid_next, messages.back().uid + 1);
  f->uid_validity = uid_validity == 0 ? f->uid_validity : uid_validity;
  f->uid_next = std::max<uint32_t>(uid_next, 1);
  f->recent_from = f->uid_next;
  f->messages = std::move(messages);
  return Status::Ok;
}

// ---- folders ----

const Folder* Mailstore::folder(std::string_view address, std::string_view name) const {
  const Mailbox* b = box(address);
  if (!b) return nullptr;
  auto it = b->folders.find(canonical_folder(name));
  return it == b->folders.end() ? nullptr : &it->second;
}

std::vector<const Folder*> Mailstore::folders(std::string_view address) const {
  std::vector<const Folder*> out;
  const Mailbox* b = box(address);
  if (!b) return out;
  auto inbox = b->folders.find(kInbox);
  if (inbox != b->folders.end()) out.push_back(&inbox->second);
  for (const auto& [name, f] : b->folders)
    if (name != kInbox) out.push_back(&f);
  return out;
}

// A folder change (no message) through the persist hook: false when the disk refused it.
bool Mailstore::folder_written(const Change& c) {
  return !persist_ || persist_(c, StoredMessage{});
}

// Makes folder n here and on disk (RFC 3501 §6.3.3's superiors too); when the disk refuses,
// the store is as it was (a \Noselect level stays one). Announced later by the caller.
bool Mailstore::make_written(Mailbox& b, const std::string& n, std::vector<std::string>& made) {
  std::optional<Folder> before;
  if (Folder* old = find_folder(b, n)) before = *old;
  make_folder(b, n);
  if (folder_written({b.account.address, "create", 0, 0, n, {}})) {
    made.push_back(n);
    return true;
  }
  if (before) {
    b.folders[n] = std::move(*before);
  } else {
    b.folders.erase(n);
  }
  return false;
}

// The folders a failed CREATE or RENAME made go again, newest first, on disk and here. One
// whose removal the disk refuses too stays (it is on disk) and is announced.
void Mailstore::take_back(Mailbox& b, const std::vector<std::string>& made) {
  for (auto it = made.rbegin(); it != made.rend(); ++it) {
    if (folder_written({b.account.address, "delete", 0, 0, *it, {}})) {
      b.folders.erase(*it);
    } else {
      notify({b.account.address, "create", 0, 0, *it, {}});
    }
  }
}

// Superiors of `name` that do not exist yet (RFC 3501 §6.3.3, §6.3.5), outermost first.
std::vector<std::string> Mailstore::missing_superiors(Mailbox& b, const std::string& name) {
  std::vector<std::string> out;
  for (size_t pos = name.find(kDelimiter); pos != std::string::npos;
       pos = name.find(kDelimiter, pos + 1)) {
    std::string sup = name.substr(0, pos);
    if (!find_folder(b, sup)) out.push_back(std::move(sup));
  }
  return out;
}

Status Mailstore::create_folder(std::string_view address, std::string_view name_in) {
  barrier();
  Mailbox* b = box(address);
  if (!b) return Status::NoAccount;
  std::string name = canonical_folder(name_in);
  while (!name.empty() && name.back() == kDelimiter) name.pop_back();
  if (!valid_name(name)) return Status::BadName;
  if (Folder* f = find_folder(*b, name)) {
    if (!f->noselect) return Status::AlreadyExists;
  }
  // Superiors first (RFC 3501 §6.3.3); each is on disk before the next is made.
  std::vector<std::string> made;
  std::vector<std::string> todo = missing_superiors(*b, name);
  todo.push_back(name);
  for (const auto& n : todo) {
    if (!make_written(*b, n, made)) {
      take_back(*b, made);
      return Status::WriteFailed;
    }
  }
  for (const auto& n : made) notify({b->account.address, "create", 0, 0, n, {}});
  return Status::Ok;
}

Status Mailstore::delete_folder(std::string_view address, std::string_view name_in) {
  barrier();
  Mailbox* b = box(address);
  if (!b) return Status::NoAccount;
  std::string name = canonical_folder(name_in);
  if (name == kInbox) return Status::BadName;
  Folder* f = find_folder(*b, name);
  if (!f) return Status::NoFolder;
  bool inferiors = false;
  for (const auto& [n, x] : b->folders) inferiors = inferiors || is_inferior(n, name);
  if (inferiors && f->noselect) return Status::HasChildren;
  // Off the disk first: a refusal leaves the folder and its messages as they were.
  if (!folder_written({b->account.address, "delete", 0, 0, name, {}})) return Status::WriteFailed;
  if (inferiors) {
    // The name stays as a \Noselect level; its messages are gone (RFC 3501 §6.3.4).
    std::vector<uint32_t> uids;
    for (const auto& m : f->messages) uids.push_back(m.uid);
    f->messages.clear();
    f->noselect = true;
    for (uint32_t u : uids) notify({b->account.address, "expunge", u, 0, name, {}});
  } else {
    b->folders.erase(name);
  }
  notify({b->account.address, "delete", 0, 0, name, {}});
  return Status::Ok;
}

Status Mailstore::rename_folder(std::string_view address, std::string_view from_in,
                                std::string_view to_in) {
  barrier();
  Mailbox* b = box(address);
  if (!b) return Status::NoAccount;
  std::string from = canonical_folder(from_in);
  std::string to = canonical_folder(to_in);
  while (!to.empty() && to.back() == kDelimiter) to.pop_back();
  Folder* src = find_folder(*b, from);
  if (!src) return Status::NoFolder;
  if (!valid_name(to) || to == kInbox || is_inferior(to, from)) return Status::BadName;
  if (find_folder(*b, to)) return Status::AlreadyExists;
  // Superiors of the new name (RFC 3501 §6.3.5), on disk before the rename.
  std::vector<std::string> made;
  for (const auto& sup : missing_superiors(*b, to)) {
    if (!make_written(*b, sup, made)) {
      take_back(*b, made);
      return Status::WriteFailed;
    }
  }
  if (from == kInbox) {
    // INBOX: the messages move to a new folder; INBOX stays, empty (RFC 3501 §6.3.5).
    Folder& dst = make_folder(*b, to);
    Folder& inbox = b->folders[kInbox];
    dst.messages = std::move(inbox.messages);
    dst.uid_next = inbox.uid_next;
    inbox.messages.clear();
    // The new folder is written with the messages before INBOX's files go: refused, the
    // messages are back in INBOX and nothing is announced.
    if (!folder_written({b->account.address, "create", 0, 0, to, {}})) {
      inbox.messages = std::move(b->folders[to].messages);
      b->folders.erase(to);
      take_back(*b, made);
      return Status::WriteFailed;
    }
    std::vector<uint32_t> uids;
    uids.reserve(b->folders[to].messages.size());
    for (const auto& m : b->folders[to].messages) uids.push_back(m.uid);
    // The new folder first: a listener that keeps a copy (serve --maildir) has the messages
    // in their new place before it is told they left INBOX.
    for (const auto& n : made) notify({b->account.address, "create", 0, 0, n, {}});
    notify({b->account.address, "create", 0, 0, to, {}});
    for (uint32_t u : uids) notify({b->account.address, "expunge", u, 0, kInbox, {}});
    return Status::Ok;
  }
  std::vector<std::string> names;
  for (const auto& [n, f] : b->folders)
    if (n == from || is_inferior(n, from)) names.push_back(n);
  auto rename_here = [b](const std::string& a, const std::string& z) {
    auto node = b->folders.extract(a);
    node.key() = z;
    node.mapped().name = z;
    b->folders.insert(std::move(node));
    if (b->subscribed.erase(a)) b->subscribed.insert(z);
  };
  for (const auto& n : names) rename_here(n, to + n.substr(from.size()));
  // One persist call for the folder and its inferiors: the disk has all of them renamed (and
  // the subscriptions) or none, and then the store takes its names back.
  if (!folder_written({b->account.address, "rename", 0, 0, from, to})) {
    for (const auto& n : names) rename_here(to + n.substr(from.size()), n);
    take_back(*b, made);
    return Status::WriteFailed;
  }
  for (const auto& n : made) notify({b->account.address, "create", 0, 0, n, {}});
  for (const auto& n : names)
    notify({b->account.address, "rename", 0, 0, n, to + n.substr(from.size())});
  return Status::Ok;
}

Status Mailstore::set_subscribed(std::string_view address, std::string_view name_in, bool on) {
  barrier();
  Mailbox* b = box(address);
  if (!b) return Status::NoAccount;
  std::string name = canonical_folder(name_in);
  if (!valid_name(name)) return Status::BadName;
  bool changed = true;
  if (on) {
    // Only existing names may be subscribed here (RFC 3501 §6.3.6 lets servers refuse).
    if (!find_folder(*b, name)) return Status::NoFolder;
    changed = b->subscribed.insert(name).second;
  } else {
    if (!b->subscribed.erase(name)) return Status::NoFolder;
  }
  const Change c{b->account.address, on ? "subscribe" : "unsubscribe", 0, 0, name, {}};
  // The list on disk is rewritten from the store's: refused, the store takes the change back.
  if (changed && !folder_written(c)) {
    if (on) {
      b->subscribed.erase(name);
    } else {
      b->subscribed.insert(name);
    }
    return Status::WriteFailed;
  }
  notify(c);
  return Status::Ok;
}

std::vector<std::string> Mailstore::subscriptions(std::string_view address) const {
  const Mailbox* b = box(address);
  if (!b) return {};
  return {b->subscribed.begin(), b->subscribed.end()};
}

std::vector<uint32_t> Mailstore::unclaimed_recent(std::string_view address,
                                                  std::string_view folder_name) const {
  std::vector<uint32_t> out;
  const Folder* f = folder(address, folder_name);
  if (!f) return out;
  for (const auto& m : f->messages)
    if (m.uid >= f->recent_from) out.push_back(m.uid);
  return out;
}

std::vector<uint32_t> Mailstore::claim_recent(std::string_view address,
                                              std::string_view folder_name) {
  auto out = unclaimed_recent(address, folder_name);
  Mailbox* b = box(address);
  if (Folder* f = b ? find_folder(*b, folder_name) : nullptr) f->recent_from = f->uid_next;
  return out;
}

uint32_t Mailstore::append(std::string_view address, std::string_view folder_name, std::string data,
                           std::vector<std::string> flags, int64_t internal_date) {
  barrier();
  Mailbox* b = box(address);
  if (!b) return 0;
  Folder* f = find_folder(*b, folder_name);
  if (!f || f->noselect) return 0;
  StoredMessage m;
  m.internal_date = internal_date;
  m.flags = normalise_flags(std::move(flags));
  m.data = std::move(data);
  const Change c = add_written(*f, b->account.address, std::move(m));
  if (c.uid != 0) notify(c);
  return c.uid;
}

Status Mailstore::set_flags(std::string_view address, std::string_view folder_name, uint32_t uid,
                            std::vector<std::string> flags) {
  barrier();
  Mailbox* b = box(address);
  if (!b) return Status::NoAccount;
  Folder* f = find_folder(*b, folder_name);
  if (!f) return Status::NoFolder;
  auto* m = const_cast<StoredMessage*>(f->find(uid));
  if (!m) return Status::NoMessage;
  auto n = normalise_flags(std::move(flags));
  if (n == m->flags) return Status::Ok;
  std::vector<std::string> old = std::exchange(m->flags, std::move(n));
  Change c{b->account.address, "flags", uid, m->data.size(), f->name, {}};
  if (!written(c, *m)) {
    m->flags = std::move(old);
    return Status::WriteFailed;
  }
  notify(c);
  return Status::Ok;
}

uint32_t Mailstore::copy(std::string_view address, std::string_view from, uint32_t uid,
                         std::string_view to) {
  Mailbox* b = box(address);
  if (!b) return 0;
  Folder* src = find_folder(*b, from);
  if (!src) return 0;
  const StoredMessage* m = src->find(uid);
  if (!m) return 0;
  StoredMessage c = *m;  // a copy first: append may reallocate the source's vector
  return append(address, to, std::move(c.data), std::move(c.flags), c.internal_date);
}

std::vector<uint32_t> Mailstore::copy_all(std::string_view address, std::string_view from,
                                          const std::vector<uint32_t>& uids, std::string_view to,
                                          uint32_t* failed_uid, std::size_t* left) {
  barrier();
  Mailbox* b = box(address);
  Folder* src = b ? find_folder(*b, from) : nullptr;
  Folder* dst = b ? find_folder(*b, to) : nullptr;
  if (!src || !dst || dst->noselect) return {};
  const std::string who = b->account.address;
  std::vector<uint32_t> out;
  std::vector<Change> made;  // written, not yet announced
  for (uint32_t uid : uids) {
    const StoredMessage* m = src->find(uid);
    if (!m) {
      out.push_back(0);  // expunged meanwhile: nothing to copy
      continue;
    }
    const Change c = add_written(*dst, who, *m);
    if (c.uid != 0) {
      out.push_back(c.uid);
      made.push_back(c);
      continue;
    }
    if (failed_uid) *failed_uid = uid;
    std::size_t stayed = 0;
    for (const Change& a : made) {
      if (!remove_written(*dst, who, a.uid)) {
        ++stayed;
        notify(a);  // on disk and here: announced like any copy
      }
    }
    if (left) *left = stayed;
    return {};
  }
  for (const Change& a : made) notify(a);
  return out;
}

uint32_t Mailstore::move(std::string_view address, std::string_view from, uint32_t uid,
                         std::string_view to, bool* source_kept) {
  barrier();
  Mailbox* b = box(address);
  if (!b) return 0;
  Folder* src = find_folder(*b, from);
  Folder* dst = find_folder(*b, to);
  if (!src || !dst || dst->noselect) return 0;
  const StoredMessage* m = src->find(uid);
  if (!m) return 0;
  const std::string who = b->account.address;
  const Change added = add_written(*dst, who, *m);
  if (added.uid == 0) return 0;
  // RFC 6851 §3.3: each message is either moved or unaffected, never lost and not silently
  // in both mailboxes, and nobody sees an intermediate state: the changes are announced only
  // once both halves are on disk, or once the copy has been taken back.
  auto it = std::find_if(src->messages.begin(), src->messages.end(),
                         [uid](const StoredMessage& x) { return x.uid == uid; });
  // (found again: when from == to the push moved it)
  const Change removed{who, "expunge", uid, added.size, src->name, {}};
  if (!written(removed, *it)) {
    if (source_kept) *source_kept = true;
    if (remove_written(*dst, who, added.uid)) return 0;  // unaffected
    notify(added);  // the copy could not be taken back either: in both, and said so
    return added.uid;
  }
  src->messages.erase(it);
  notify(added);
  notify(removed);
  return added.uid;
}

std::vector<uint32_t> Mailstore::expunge(std::string_view address, std::string_view folder_name,
                                         const std::set<uint32_t>* only,
                                         std::size_t* write_failed) {
  barrier();
  std::vector<uint32_t> gone;
  Mailbox* b = box(address);
  if (!b) return gone;
  Folder* f = find_folder(*b, folder_name);
  if (!f) return gone;
  std::string name = f->name;
  std::string who = b->account.address;
  // One message at a time, each announced once the folder is consistent again.
  std::set<uint32_t> kept;  // removal refused by the persist hook
  while (true) {
    auto it = std::find_if(f->messages.begin(), f->messages.end(), [&](const StoredMessage& m) {
      return m.has_flag("\\Deleted") && (!only || only->count(m.uid)) && !kept.count(m.uid);
    });
    if (it == f->messages.end()) break;
    uint32_t uid = it->uid;
    size_t size = it->data.size();
    if (!written({who, "expunge", uid, size, name, {}}, *it)) {
      kept.insert(uid);
      if (write_failed) ++*write_failed;
      continue;
    }
    f->messages.erase(it);
    gone.push_back(uid);
    notify({who, "expunge", uid, size, name, {}});
    f = find_folder(*box(who), name);  // a listener cannot remove it, but stay safe
    if (!f) break;
  }
  return gone;
}

}  // namespace net::store

#include "sim/local_store.hpp"

#include <algorithm>

#include "sim/mail_summary.hpp"

namespace sim {

std::string LocalMessage::flags() const {
  std::string f;
  if (seen) f = "\\Seen";
  if (flagged) f += std::string(f.empty() ? "" : " ") + "\\Flagged";
  return f;
}

LocalStore::LocalStore(std::string host, std::string account, Record record)
    : host_(std::move(host)), account_(std::move(account)), record_(std::move(record)) {}

std::vector<std::string> LocalStore::folders() const {
  std::vector<std::string> out = folders_;
  std::sort(out.begin() + 1, out.end());
  return out;
}

void LocalStore::add_folder(const std::string& name) {
  if (std::find(folders_.begin(), folders_.end(), name) == folders_.end()) folders_.push_back(name);
}

int LocalStore::find(const std::string& subject) const {
  int other = -1;
  for (std::size_t i = 0; i < msgs_.size(); ++i) {
    if (msgs_[i].subject != subject) continue;
    if (msgs_[i].folder == "INBOX") return static_cast<int>(i);
    if (other < 0) other = static_cast<int>(i);
  }
  return other;
}

int LocalStore::find_uid(const std::string& folder, std::uint32_t uid) const {
  for (std::size_t i = 0; i < msgs_.size(); ++i)
    if (msgs_[i].folder == folder && msgs_[i].uid == uid) return static_cast<int>(i);
  return -1;
}

void LocalStore::emit(const std::string& op, const LocalMessage& m) {
  MailboxEv ev;
  ev.host = host_;
  ev.mailbox = account_;
  ev.op = op;
  ev.uid = m.uid;
  ev.size = m.size;
  ev.summary = summary_line(m.from, m.subject);
  ev.folder = m.folder;
  ev.flags = m.flags();
  ev.cached = m.data.has_value();
  record_(std::move(ev));
}

void LocalStore::add(LocalMessage m) {
  if (m.uid == 0 && !m.uidl.empty()) m.uid = next_local_uid_++;
  add_folder(m.folder);
  msgs_.push_back(std::move(m));
  emit("add", msgs_.back());
}

void LocalStore::remove(int i) {
  LocalMessage m = msgs_[static_cast<std::size_t>(i)];
  msgs_.erase(msgs_.begin() + i);
  emit("remove", m);
}

void LocalStore::set_flags(int i, bool seen, bool flagged) {
  auto& m = msgs_[static_cast<std::size_t>(i)];
  if (m.seen == seen && m.flagged == flagged) return;
  m.seen = seen;
  m.flagged = flagged;
  emit("flags", m);
}

void LocalStore::cache(int i, std::string data) {
  auto& m = msgs_[static_cast<std::size_t>(i)];
  if (m.data) return;
  m.data = std::move(data);
  emit("cache", m);
}

void LocalStore::move(int i, const std::string& folder, std::uint32_t new_uid) {
  LocalMessage m = msgs_[static_cast<std::size_t>(i)];
  remove(i);
  m.folder = folder;
  m.uid = new_uid;
  add(std::move(m));
}

void LocalStore::set_uid(int i, std::uint32_t uid) {
  msgs_[static_cast<std::size_t>(i)].uid = uid;
}

}  // namespace sim

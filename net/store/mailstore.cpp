#include "net/store/mailstore.hpp"

#include <algorithm>

namespace net::store {

namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

}  // namespace

void Mailstore::add_account(Account a) {
  std::string key = lower(a.address);
  size_t at = key.rfind('@');
  if (at != std::string::npos) domains_.insert(key.substr(at + 1));
  auto& box = boxes_[key];
  box.account = std::move(a);
}

std::optional<std::string> Mailstore::authenticate(std::string_view login_or_address,
                                                   std::string_view password) const {
  std::string key = lower(login_or_address);
  for (const auto& [addr, box] : boxes_) {
    bool who = box.account.login == login_or_address || addr == key;
    if (who && box.account.password == password) return box.account.address;
  }
  return std::nullopt;
}

bool Mailstore::has_mailbox(std::string_view address) const {
  return boxes_.count(lower(address)) != 0;
}

uint32_t Mailstore::deliver(std::string_view address, std::string data, int64_t internal_date) {
  auto it = boxes_.find(lower(address));
  if (it == boxes_.end()) return 0;
  Mailbox& box = it->second;
  StoredMessage m;
  m.uid = box.next_uid++;
  m.internal_date = internal_date;
  size_t size = data.size();
  m.data = std::move(data);
  box.messages.push_back(std::move(m));
  notify({box.account.address, "deliver", box.messages.back().uid, size});
  return box.messages.back().uid;
}

const std::vector<StoredMessage>* Mailstore::messages(std::string_view address) const {
  auto it = boxes_.find(lower(address));
  return it == boxes_.end() ? nullptr : &it->second.messages;
}

bool Mailstore::remove(std::string_view address, uint32_t uid) {
  auto it = boxes_.find(lower(address));
  if (it == boxes_.end()) return false;
  auto& msgs = it->second.messages;
  auto m = std::find_if(msgs.begin(), msgs.end(), [uid](const auto& x) { return x.uid == uid; });
  if (m == msgs.end()) return false;
  size_t size = m->data.size();
  msgs.erase(m);
  notify({it->second.account.address, "remove", uid, size});
  return true;
}

std::vector<std::string> Mailstore::addresses() const {
  std::vector<std::string> out;
  for (const auto& [key, box] : boxes_) out.push_back(box.account.address);
  return out;
}

bool Mailstore::is_local_domain(std::string_view domain) const {
  return domains_.count(lower(domain)) != 0;
}

void Mailstore::add_domain(std::string domain) {
  domains_.insert(lower(domain));
}

void Mailstore::on_change(std::function<void(const Change&)> callback) {
  listeners_.push_back(std::move(callback));
}

bool Mailstore::lock(std::string_view address, std::uint64_t owner) {
  auto it = boxes_.find(lower(address));
  if (it == boxes_.end() || owner == 0) return false;
  if (it->second.lock_owner != 0 && it->second.lock_owner != owner) return false;
  it->second.lock_owner = owner;
  return true;
}

void Mailstore::unlock(std::string_view address, std::uint64_t owner) {
  auto it = boxes_.find(lower(address));
  if (it != boxes_.end() && it->second.lock_owner == owner) it->second.lock_owner = 0;
}

bool Mailstore::locked(std::string_view address) const {
  auto it = boxes_.find(lower(address));
  return it != boxes_.end() && it->second.lock_owner != 0;
}

void Mailstore::notify(const Change& c) {
  for (const auto& l : listeners_) l(c);
}

}  // namespace net::store

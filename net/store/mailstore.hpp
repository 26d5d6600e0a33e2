// In-memory mailboxes: written by SMTP delivery, read by POP3 and IMAP.
// Addresses are compared case-insensitively (local part and domain).
// Not thread-safe: drivers are single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
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
  std::vector<std::string> flags;
};

struct Account {
  std::string address, login, password;
};

struct Change {
  std::string address;
  std::string op;  // "deliver", "remove"
  uint32_t uid = 0;
  size_t size = 0;
};

class Mailstore {
 public:
  // Creates the mailbox; the address's domain becomes a local domain. Adding an
  // existing address replaces its login and password and keeps its messages.
  void add_account(Account a);
  // The account's address when login (or the full address) and password match.
  std::optional<std::string> authenticate(std::string_view login_or_address,
                                          std::string_view password) const;
  bool has_mailbox(std::string_view address) const;
  // Appends a message; returns its UID (ascending from 1 per mailbox), 0 if no mailbox.
  uint32_t deliver(std::string_view address, std::string data, int64_t internal_date);
  const std::vector<StoredMessage>* messages(std::string_view address) const;
  bool remove(std::string_view address, uint32_t uid);
  std::vector<std::string> addresses() const;  // as given to add_account, sorted
  bool is_local_domain(std::string_view domain) const;
  void add_domain(std::string domain);
  // Called after every delivery and removal.
  void on_change(std::function<void(const Change&)> callback);

  // Exclusive access for a POP3 session in TRANSACTION state (RFC 1939 §8): lock() fails
  // while another owner holds the mailbox; unlock() by a non-owner does nothing.
  bool lock(std::string_view address, std::uint64_t owner);
  void unlock(std::string_view address, std::uint64_t owner);
  bool locked(std::string_view address) const;

 private:
  struct Mailbox {
    Account account;
    std::vector<StoredMessage> messages;
    uint32_t next_uid = 1;
    std::uint64_t lock_owner = 0;  // 0: unlocked
  };
  void notify(const Change& c);

  std::map<std::string, Mailbox> boxes_;  // key: lowercased address
  std::set<std::string> domains_;         // lowercased
  std::vector<std::function<void(const Change&)>> listeners_;
};

}  // namespace net::store

// What a person sees on one device: the mail app's own copy of the messages, by folder.
// With POP3 it is the only copy once the server deleted it; with IMAP it mirrors the
// server (bodies only when downloaded). Every change is recorded in the trace as a
// MailboxEv whose host is the device, so the views can show devices like servers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/trace.hpp"

namespace sim {

struct LocalMessage {
  std::string folder = "INBOX";
  std::uint32_t uid = 0;  // IMAP: the UID on the server (0 until known); POP3: local number
  std::string uidl;       // POP3: the server's unique id
  std::string subject, from;
  std::size_t size = 0;
  bool seen = false, flagged = false;
  std::optional<std::string> data;  // the whole message, when it is on the device

  std::string flags() const;  // "\Seen \Flagged" as IMAP writes them
};

class LocalStore {
 public:
  using Record = std::function<void(MailboxEv)>;
  LocalStore(std::string host, std::string account, Record record);

  const std::vector<LocalMessage>& messages() const { return msgs_; }
  std::vector<std::string> folders() const;  // INBOX first, then every folder in use, sorted
  void add_folder(const std::string& name);

  // The message a lesson means by its subject: INBOX first, then other folders. -1 if none.
  int find(const std::string& subject) const;
  int find_uid(const std::string& folder, std::uint32_t uid) const;
  const LocalMessage& at(int i) const { return msgs_[static_cast<std::size_t>(i)]; }

  void add(LocalMessage m);
  void remove(int i);
  void set_flags(int i, bool seen, bool flagged);
  void cache(int i, std::string data);  // the body is now on the device
  void move(int i, const std::string& folder, std::uint32_t new_uid);
  // The server's UID of a message moved with uid 0, learned at the next sync ("renumber").
  void set_uid(int i, std::uint32_t uid);

 private:
  void emit(const std::string& op, const LocalMessage& m);
  std::string host_, account_;
  Record record_;
  std::vector<LocalMessage> msgs_;
  std::vector<std::string> folders_ = {"INBOX"};
  std::uint32_t next_local_uid_ = 1;
};

}  // namespace sim

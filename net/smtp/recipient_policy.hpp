// The recipient's mail server on port 25 (and `mailsim serve`): accepts mail for its own
// mailboxes only (no open relay), adds the trace fields and stores a copy per recipient.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "net/smtp/server.hpp"

namespace net::store {
class Mailstore;
}

namespace net::smtp {

class RecipientPolicy : public ServerPolicy {
 public:
  RecipientPolicy(store::Mailstore& store, std::string hostname, std::function<int64_t()> unix_now);

  std::optional<std::string> authenticate(const std::string& login,
                                          const std::string& password) override;
  // Not local → 554 5.7.1 relay denied; local without mailbox → 550 5.1.1; else 250 2.1.5.
  Reply check_recipient(const Envelope& env, const std::string& addr) override;
  // Prepends Return-Path and Received (RFC 5321 §4.4), delivers one copy per local
  // recipient and answers "250 2.0.0 Ok: queued as <ID>".
  Reply accept_message(const Envelope& env, std::string message) override;
  // The same through Mailstore::deliver_later: 250 once every copy is stored, 451 4.3.0 when
  // one could not be (serve --maildir: written by the group commit worker).
  void accept_message_later(const Envelope& env, std::string message, Done done) override;

  // The id the next accepted message will get (deterministic counter).
  std::string next_id() const;

 private:
  struct Prepared {
    std::string id, text;  // text: trace fields + message
    int64_t now = 0;
    std::vector<std::string> rcpts;  // local mailboxes, each once
  };
  Prepared prepare(const Envelope& env, const std::string& message);

  store::Mailstore& store_;
  std::string hostname_;
  std::function<int64_t()> unix_now_;
  uint32_t counter_ = 1;
};

}  // namespace net::smtp

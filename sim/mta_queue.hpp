// The sender's MTA: a queue of messages for remote domains. Each attempt resolves the
// domain's MX through the simulated DNS, relays on port 25, and on a temporary failure
// retries on the lesson's schedule; permanent failures and the last retry end in a bounce
// (a delivery status notification, RFC 3464) to the sender.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "net/smtp/client.hpp"

namespace sim {

class World;
class MailServer;
class Resolver;

class MtaQueue {
 public:
  MtaQueue(World& world, MailServer& server);
  ~MtaQueue();

  // Queues one message; recipients are grouped by domain, one queue entry per domain.
  void enqueue(const std::string& mail_from, const std::vector<std::string>& rcpts,
               const std::string& message);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string id;
    std::string mail_from;
    std::string domain;
    std::vector<std::string> rcpts;
    std::string message;
    int attempts = 0;
    std::string last_error;
  };
  using EntryPtr = std::shared_ptr<Entry>;

  void attempt(const EntryPtr& e);
  void try_exchange(const EntryPtr& e, std::vector<std::string> ips, std::size_t idx);
  void on_outcome(const EntryPtr& e, const net::smtp::ClientOutcome& o);
  void defer(const EntryPtr& e, const std::string& why);
  void bounce(const EntryPtr& e, const std::vector<std::pair<std::string, std::string>>& failed);
  void finish(const EntryPtr& e);
  void event(const Entry& e, const std::string& op, const std::string& detail);

  World& world_;
  MailServer& server_;
  std::unique_ptr<Resolver> resolver_;
  std::map<std::string, EntryPtr> entries_;
  std::uint32_t next_id_ = 1;
};

}  // namespace sim

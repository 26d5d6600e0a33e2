// A mail server host: the recipient role on port 25 (mail for its own domains), the
// submission role on port 587 (authenticated users, relayed through its MTA queue) and
// mail access for its users: POP3 on 110 and IMAP on 143, all on one store.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "net/smtp/recipient_policy.hpp"
#include "net/store/mailstore.hpp"
#include "sim/lesson.hpp"

namespace sim {

class World;
class MtaQueue;
class SubmissionPolicy;

class MailServer {
 public:
  const LessonHost& host() const { return host_; }
  MailServer(World& world, const LessonHost& host);
  ~MailServer();

  const std::string& name() const { return name_; }
  net::store::Mailstore& store() { return store_; }
  MtaQueue& queue() { return *queue_; }

  // Starts or stops listening on a port (25, 587, 465, 110, 995, 143 or 993); a stopped port
  // refuses connections.
  void set_port(std::uint16_t port, bool up);

  // A fault a lesson injects: the mailbox is over its quota. Temporarily full: RCPT gets
  // 452 4.2.2 (RFC 5321 §4.2.2, RFC 3463 X.2.2), so the sending MTA keeps the message queued
  // and retries. Permanently full: on port 25 the message gets 552 5.2.2 after DATA ("exceeded
  // storage allocation"; a 552 to RCPT may be taken as temporary, RFC 5321 §4.5.3.1.10) and
  // the sender bounces it; on submission RCPT gets it. full = false makes room again.
  void set_mailbox_full(const std::string& address, bool full, bool permanent);
  // 452 4.2.2 (temporarily full) or 552 5.2.2 (permanently full); nullopt: it has room.
  std::optional<net::smtp::Reply> full_reply(const std::string& address) const;

  // Local delivery with Return-Path and Received added by this server.
  void deliver_local(const std::string& rcpt, const std::string& mail_from,
                     const std::string& message);

 private:
  World& world_;
  LessonHost host_;
  std::string name_;
  net::store::Mailstore store_;
  std::map<std::string, bool> full_;  // lower-case address → permanently full
  std::unique_ptr<net::smtp::RecipientPolicy> recipient_;
  std::unique_ptr<net::smtp::ServerPolicy> inbound_;  // recipient_ behind the quota check
  std::unique_ptr<SubmissionPolicy> submission_;
  std::unique_ptr<MtaQueue> queue_;
};

}  // namespace sim

// A mail server host: the recipient role on port 25 (mail for its own domains), the
// submission role on port 587 (authenticated users, relayed through its MTA queue) and
// mail access for its users: POP3 on 110 and IMAP on 143, all on one store.
#pragma once

#include <memory>
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

  // Local delivery with Return-Path and Received added by this server.
  void deliver_local(const std::string& rcpt, const std::string& mail_from,
                     const std::string& message);

 private:
  World& world_;
  LessonHost host_;
  std::string name_;
  net::store::Mailstore store_;
  std::unique_ptr<net::smtp::RecipientPolicy> inbound_;
  std::unique_ptr<SubmissionPolicy> submission_;
  std::unique_ptr<MtaQueue> queue_;
};

}  // namespace sim

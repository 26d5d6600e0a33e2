#include "net/smtp/recipient_policy.hpp"

#include <cstdio>
#include <memory>
#include <set>

#include "net/message/message.hpp"
#include "net/store/mailstore.hpp"

namespace net::smtp {

RecipientPolicy::RecipientPolicy(store::Mailstore& store, std::string hostname,
                                 std::function<int64_t()> unix_now)
    : store_(store), hostname_(std::move(hostname)), unix_now_(std::move(unix_now)) {}

std::optional<std::string> RecipientPolicy::authenticate(const std::string& login,
                                                         const std::string& password) {
  return store_.authenticate(login, password);
}

Reply RecipientPolicy::check_recipient(const Envelope&, const std::string& addr) {
  std::string domain = message::domain_of(addr);
  if (domain.empty()) {  // <postmaster> (RFC 5321 §4.5.1)
    return {550, "5.1.1", {"<" + addr + ">: Recipient address rejected: User unknown"}};
  }
  if (!store_.is_local_domain(domain)) {
    // Only the sender's own server relays, and only for logged-in users (RFC 5321 §3.6).
    return {554, "5.7.1", {"<" + addr + ">: Relay access denied"}};
  }
  if (!store_.has_mailbox(addr)) {
    return {550, "5.1.1", {"<" + addr + ">: Recipient address rejected: User unknown"}};
  }
  return {250, "2.1.5", {"Ok"}};
}

std::string RecipientPolicy::next_id() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08X", counter_);
  return buf;
}

RecipientPolicy::Prepared RecipientPolicy::prepare(const Envelope& env,
                                                   const std::string& message) {
  Prepared p;
  p.id = next_id();
  ++counter_;
  p.now = unix_now_ ? unix_now_() : 0;
  message::ReceivedInfo info;
  info.from_helo = env.helo;
  info.from_host = env.peer_host;
  info.from_ip = env.peer_ip;
  info.by_host = hostname_;
  // RFC 3848: ESMTP / ESMTPA (authenticated); plain SMTP after HELO.
  // RFC 3848: "S" for TLS, "A" for AUTH.
  info.with =
      !env.esmtp ? "SMTP"
                 : std::string("ESMTP") + (env.tls ? "S" : "") + (env.auth_user.empty() ? "" : "A");
  info.id = p.id;
  if (env.rcpt_to.size() == 1) info.for_addr = env.rcpt_to.front();
  info.date = message::format_date(p.now);
  // Return-Path records the envelope sender at final delivery (RFC 5321 §4.4).
  p.text = message::fold("Return-Path", "<" + env.mail_from + ">") + "\r\n" +
           message::fold("Received", message::make_received(info)) + "\r\n" + message;
  std::set<std::string> done;
  for (const auto& rcpt : env.rcpt_to) {
    std::string key = rcpt;
    for (char& c : key)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!done.insert(key).second) continue;  // one copy per mailbox
    if (!store_.has_mailbox(rcpt)) continue;
    p.rcpts.push_back(rcpt);
  }
  return p;
}

Reply RecipientPolicy::accept_message(const Envelope& env, std::string message) {
  Prepared p = prepare(env, message);
  for (const auto& rcpt : p.rcpts) store_.deliver(rcpt, p.text, p.now);
  return {250, "2.0.0", {"Ok: queued as " + p.id}};
}

void RecipientPolicy::accept_message_later(const Envelope& env, std::string message, Done done) {
  Prepared p = prepare(env, message);
  if (p.rcpts.empty()) {
    done({250, "2.0.0", {"Ok: queued as " + p.id}});
    return;
  }
  // One answer once every copy is stored: 250 if all are, else 451 (RFC 5321 §4.2.2) and the
  // client tries again later.
  struct Pending {
    std::size_t left;
    bool failed = false;
    std::string id;
    Done done;
  };
  auto pending = std::make_shared<Pending>(Pending{p.rcpts.size(), false, p.id, std::move(done)});
  auto on_stored = [pending](uint32_t uid) {
    if (uid == 0) pending->failed = true;
    if (--pending->left != 0) return;
    if (pending->failed) {
      pending->done({451, "4.3.0", {"Error: cannot store the message; try later"}});
    } else {
      pending->done({250, "2.0.0", {"Ok: queued as " + pending->id}});
    }
  };
  // Every recipient but the last gets a copy; the last takes the text itself.
  const std::size_t last = p.rcpts.size() - 1;
  for (std::size_t i = 0; i < last; ++i) store_.deliver_later(p.rcpts[i], p.text, p.now, on_stored);
  store_.deliver_later(p.rcpts[last], std::move(p.text), p.now, on_stored);
}

}  // namespace net::smtp

#include "sim/mail_server.hpp"

#include <cctype>
#include <cstdio>

#include "net/ascii.hpp"
#include "net/message/message.hpp"
#include "sim/imap_session.hpp"
#include "sim/mail_summary.hpp"
#include "sim/mta_queue.hpp"
#include "sim/pop3_session.hpp"
#include "sim/sim_tls.hpp"
#include "sim/smtp_session.hpp"
#include "sim/world.hpp"

namespace sim {

// Port 587 (RFC 6409): only authenticated users, who may send as their own address to any
// domain; local recipients are delivered at once, the rest go to the MTA queue.
class SubmissionPolicy : public net::smtp::ServerPolicy {
 public:
  SubmissionPolicy(World& w, MailServer& s) : world_(w), server_(s) {}

  std::optional<std::string> authenticate(const std::string& login,
                                          const std::string& password) override {
    return server_.store().authenticate(login, password);
  }

  net::smtp::Reply check_sender(const net::smtp::Envelope& env, const std::string& addr) override {
    // Like Postfix's reject_sender_login_mismatch: no sending as somebody else.
    if (!env.auth_user.empty() && !net::ascii_iequals(addr, env.auth_user))
      return {
          553, "5.7.1", {"Sender address <" + addr + "> is not owned by user " + env.auth_user}};
    return {250, "2.1.0", {"Sender <" + addr + "> OK"}};
  }

  net::smtp::Reply check_recipient(const net::smtp::Envelope&, const std::string& addr) override {
    std::string domain = net::message::domain_of(addr);
    if (server_.store().is_local_domain(domain)) {
      if (!server_.store().has_mailbox(addr))
        return {550, "5.1.1", {"<" + addr + ">: Recipient address rejected: User unknown"}};
      if (auto full = server_.full_reply(addr)) return *full;
      return {250, "2.1.5", {"Recipient <" + addr + "> OK (local)"}};
    }
    return {250, "2.1.5", {"Recipient <" + addr + "> OK (will relay)"}};
  }

  net::smtp::Reply accept_message(const net::smtp::Envelope& env, std::string message) override {
    char id[16];
    std::snprintf(id, sizeof id, "S%04X", next_id_++);
    auto msg = net::message::Message::parse(message);
    std::string date = net::message::format_date(world_.unix_now());
    // RFC 6409 §8: the submission server may complete a message that lacks these fields.
    if (!msg.get("Date")) msg.append("Date", date);
    if (!msg.get("Message-ID"))
      msg.append("Message-ID", std::string("<") + id + "@" + server_.name() + ">");
    net::message::ReceivedInfo ri;
    ri.from_helo = env.helo;
    ri.from_host = env.peer_host;
    ri.from_ip = env.peer_ip;
    ri.by_host = server_.name();
    ri.with = env.tls ? "ESMTPSA" : "ESMTPA";  // RFC 3848
    ri.id = id;
    if (env.rcpt_to.size() == 1) ri.for_addr = env.rcpt_to.front();
    ri.date = date;
    msg.prepend("Received", net::message::make_received(ri));
    std::string data = msg.serialize();

    std::vector<std::string> remote;
    for (const auto& r : env.rcpt_to) {
      if (server_.store().is_local_domain(net::message::domain_of(r)))
        server_.deliver_local(r, env.mail_from, data);
      else
        remote.push_back(r);
    }
    if (!remote.empty()) server_.queue().enqueue(env.mail_from, remote, data);
    return {250, "2.0.0", {std::string("Ok: queued as ") + id}};
  }

 private:
  World& world_;
  MailServer& server_;
  unsigned next_id_ = 1;
};

// Port 25: the recipient policy behind the lesson's "mailbox full" faults.
class QuotaPolicy : public net::smtp::ServerPolicy {
 public:
  QuotaPolicy(MailServer& s, net::smtp::ServerPolicy& inner) : server_(s), inner_(inner) {}

  std::optional<std::string> authenticate(const std::string& login,
                                          const std::string& password) override {
    return inner_.authenticate(login, password);
  }
  net::smtp::Reply check_sender(const net::smtp::Envelope& env, const std::string& addr) override {
    return inner_.check_sender(env, addr);
  }
  net::smtp::Reply check_recipient(const net::smtp::Envelope& env,
                                   const std::string& addr) override {
    net::smtp::Reply r = inner_.check_recipient(env, addr);
    if (r.code / 100 != 2) return r;  // unknown users and relaying are refused first
    if (auto full = server_.full_reply(addr); full && full->code == 452) return *full;
    return r;
  }
  net::smtp::Reply accept_message(const net::smtp::Envelope& env, std::string message) override {
    // SMTP has one reply to the message for every recipient (RFC 5321 §4.1.1.4).
    for (const auto& rcpt : env.rcpt_to)
      if (auto full = server_.full_reply(rcpt); full && full->code == 552) return *full;
    return inner_.accept_message(env, std::move(message));
  }

 private:
  MailServer& server_;
  net::smtp::ServerPolicy& inner_;
};

MailServer::MailServer(World& world, const LessonHost& host)
    : world_(world), host_(host), name_(host.name) {
  for (const auto& d : host.domains) store_.add_domain(d);
  for (const auto& a : world.lesson().accounts) {
    if (store_.is_local_domain(net::message::domain_of(a.address)))
      store_.add_account({a.address, a.login, a.password});
  }
  store_.on_change([this](const net::store::Change& c) {
    if (c.op == "subscribe" || c.op == "unsubscribe") return;
    MailboxEv ev;
    ev.host = name_;
    ev.mailbox = c.address;
    ev.op = c.op;
    ev.uid = c.uid;
    ev.size = c.size;
    ev.folder = c.op == "rename" ? c.folder + " -> " + c.new_name : c.folder;
    if (const auto* f = store_.folder(c.address, c.folder); f && c.uid)
      if (const auto* m = f->find(c.uid)) {
        ev.summary = mail_summary(m->data);
        ev.flags = join_flags(m->flags);
      }
    world_.trace().append(world_.queue().now(), std::move(ev));
  });
  recipient_ = std::make_unique<net::smtp::RecipientPolicy>(store_, name_,
                                                            [&world] { return world.unix_now(); });
  inbound_ = std::make_unique<QuotaPolicy>(*this, *recipient_);
  submission_ = std::make_unique<SubmissionPolicy>(world, *this);
  queue_ = std::make_unique<MtaQueue>(world, *this);
  set_port(25, true);
  set_port(587, true);
  if (host.tls) set_port(465, true);
  set_port(110, true);
  set_port(143, true);
  if (host.tls) set_port(995, true);
  if (host.tls) set_port(993, true);
}

MailServer::~MailServer() = default;

void MailServer::set_port(std::uint16_t port, bool up) {
  auto& net = world_.network();
  if (!up) {
    net.unlisten(name_, port);
    return;
  }
  World* w = &world_;
  // TLS as for SMTP: STLS / STARTTLS on 110 and 143 (RFC 2595), implicit TLS on 995 and 993
  // (RFC 8314); logins wait for TLS unless the lesson shows plaintext on purpose.
  const bool tls = host_.tls, self_signed = host_.self_signed;
  const bool implicit = port == 995 || port == 993;
  const bool auth_needs_tls = host_.tls && !host_.plaintext_auth;
  const std::string name = name_;
  if (port == 110 || port == 995) {
    // POP3 (RFC 1939): one lock owner per connection so a second session sees the lock.
    net::pop3::ServerConfig cfg;
    cfg.hostname = name_;
    cfg.starttls = tls && !implicit;
    cfg.tls = implicit;
    cfg.auth_needs_tls = auth_needs_tls;
    net::store::Mailstore* store = &store_;
    net.listen(name_, port, Proto::Pop3,
               [w, cfg, store, tls, self_signed, name](TcpConn& c) -> std::shared_ptr<TcpApp> {
                 auto s = cfg;
                 s.lock_owner = 1000 + c.id();
                 s.apop_clock = c.id();
                 auto session =
                     std::make_shared<Pop3ServerSession>(w->trace(), w->queue(), s, *store);
                 if (tls) session->set_tls({w->pki().server(name, self_signed), s.tls, "", ""});
                 return session;
               });
    return;
  }
  if (port == 143 || port == 993) {
    // IMAP (RFC 3501): every session shares the store, so devices see each other's changes.
    net::imap::ServerConfig cfg;
    cfg.hostname = name_;
    cfg.starttls = tls && !implicit;
    cfg.tls = implicit;
    cfg.auth_needs_tls = auth_needs_tls;
    net::store::Mailstore* store = &store_;
    net.listen(name_, port, Proto::Imap,
               [w, cfg, store, tls, self_signed, name](TcpConn&) -> std::shared_ptr<TcpApp> {
                 auto session = std::make_shared<ImapServerSession>(
                     w->trace(), w->queue(), cfg, *store, [w] { return w->unix_now(); });
                 if (tls) session->set_tls({w->pki().server(name, self_signed), cfg.tls, "", ""});
                 return session;
               });
    return;
  }
  net::smtp::ServerConfig cfg;
  cfg.hostname = name_;
  cfg.submission = port == 587 || port == 465;
  // RFC 3207 STARTTLS on 25 and 587; RFC 8314 implicit TLS on 465. AUTH waits for TLS
  // unless the lesson shows plaintext on purpose.
  cfg.starttls = host_.tls && port != 465;
  cfg.tls = port == 465;
  cfg.auth_needs_tls = auth_needs_tls;
  net::smtp::ServerPolicy* policy =
      cfg.submission ? static_cast<net::smtp::ServerPolicy*>(submission_.get()) : inbound_.get();
  net.listen(name_, port, Proto::Smtp,
             [w, cfg, policy, tls, self_signed, name](TcpConn&) -> std::shared_ptr<TcpApp> {
               auto s = std::make_shared<SmtpServerSession>(w->trace(), w->queue(), cfg, *policy);
               if (tls) s->set_tls({w->pki().server(name, self_signed), cfg.tls, "", ""});
               return s;
             });
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void MailServer::set_mailbox_full(const std::string& address, bool full, bool permanent) {
  if (full)
    full_[lower(address)] = permanent;
  else
    full_.erase(lower(address));
}

std::optional<net::smtp::Reply> MailServer::full_reply(const std::string& address) const {
  auto it = full_.find(lower(address));
  if (it == full_.end()) return std::nullopt;
  if (it->second)
    return net::smtp::Reply{552, "5.2.2", {"<" + address + ">: Mailbox full, over quota"}};
  return net::smtp::Reply{
      452, "4.2.2", {"<" + address + ">: Mailbox full, over quota; try again later"}};
}

void MailServer::deliver_local(const std::string& rcpt, const std::string& mail_from,
                               const std::string& message) {
  // RFC 5321 §4.4: the final delivery records the envelope sender as Return-Path.
  std::string data = "Return-Path: <" + mail_from + ">\r\n" + message;
  store_.deliver(rcpt, std::move(data), world_.unix_now());
}

}  // namespace sim

#include "sim/mta_queue.hpp"

#include <cstdio>

#include "net/message/dsn.hpp"
#include "net/message/message.hpp"
#include "sim/mail_server.hpp"
#include "sim/resolver.hpp"
#include "sim/sim_tls.hpp"
#include "sim/smtp_session.hpp"
#include "sim/world.hpp"

namespace sim {

namespace {

std::string status_of(const net::smtp::Reply& r, const char* fallback) {
  return r.enhanced.empty() ? fallback : r.enhanced;
}

}  // namespace

MtaQueue::MtaQueue(World& world, MailServer& server)
    : world_(world),
      server_(server),
      resolver_(std::make_unique<Resolver>(world.network(), world.queue(), world.trace(),
                                           server.name(), world.dns_ip())) {}

MtaQueue::~MtaQueue() = default;

void MtaQueue::event(const Entry& e, const std::string& op, const std::string& detail) {
  QueueEv ev;
  ev.host = server_.name();
  ev.id = e.id;
  ev.op = op;
  ev.detail = detail;
  world_.trace().append(world_.queue().now(), std::move(ev));
}

void MtaQueue::enqueue(const std::string& mail_from, const std::vector<std::string>& rcpts,
                       const std::string& message) {
  std::map<std::string, std::vector<std::string>> by_domain;
  for (const auto& r : rcpts) by_domain[net::message::domain_of(r)].push_back(r);
  for (auto& [domain, list] : by_domain) {
    auto e = std::make_shared<Entry>();
    char id[16];
    std::snprintf(id, sizeof id, "Q%04X", next_id_++);
    e->id = id;
    e->mail_from = mail_from;
    e->domain = domain;
    e->rcpts = list;
    e->message = message;
    entries_[e->id] = e;
    std::string who;
    for (const auto& r : list) {
      if (!who.empty()) who += ", ";
      who += r;
    }
    std::string what = "from <" + mail_from + "> to ";
    what += who;
    what += " (" + std::to_string(message.size()) + " bytes)";
    event(*e, "enqueue", what);
    world_.queue().after(0, [this, e] { attempt(e); });
  }
}

void MtaQueue::attempt(const EntryPtr& e) {
  ++e->attempts;
  event(*e, "attempt",
        "attempt " + std::to_string(e->attempts) + ": looking up the MX of " + e->domain);
  resolver_->resolve_mx(e->domain, [this, e](Resolver::MxResult r) {
    if (!r.ok) {
      if (r.error == "NXDOMAIN") {
        std::vector<std::pair<std::string, std::string>> failed;
        for (const auto& rc : e->rcpts)
          failed.push_back({rc, "5.1.2|domain " + e->domain + " does not exist (DNS NXDOMAIN)"});
        bounce(e, failed);
        return;
      }
      defer(e, "DNS lookup of " + e->domain + " failed: " + r.error);
      return;
    }
    std::vector<std::string> ips;
    for (const auto& [pref, host] : r.mx) {
      auto it = r.addresses.find(host);
      if (it != r.addresses.end()) ips.push_back(it->second);
    }
    if (ips.empty()) {
      defer(e, "no address found for the mail servers of " + e->domain);
      return;
    }
    try_exchange(e, std::move(ips), 0);
  });
}

void MtaQueue::try_exchange(const EntryPtr& e, std::vector<std::string> ips, std::size_t idx) {
  net::smtp::ClientJob job;
  job.helo_name = server_.name();
  job.mail_from = e->mail_from;
  job.rcpt_to = e->rcpts;
  job.message = e->message;
  // Server to server: STARTTLS when offered, without certificate checks (RFC 7435
  // opportunistic security, what most MTAs do on port 25).
  job.tls = net::smtp::TlsMode::Opportunistic;
  event(*e, "connect", "relaying to " + ips[idx] + " port 25");
  auto done = [this, e, ips, idx](const net::smtp::ClientOutcome& o) {
    // No SMTP reply at all (refused, unreachable): RFC 5321 §5.1 says try the next MX.
    if (!o.delivered && o.temporary && o.last.code == 0 && idx + 1 < ips.size()) {
      event(*e, "next-mx", o.error + "; trying the next mail server");
      world_.queue().after(0, [this, e, ips, idx] { try_exchange(e, ips, idx + 1); });
      return;
    }
    on_outcome(e, o);
  };
  auto session =
      std::make_shared<SmtpClientSession>(world_.trace(), world_.queue(), std::move(job), done);
  // Like Postfix's TLS session cache: the next relay to that address resumes (RFC 8446 §2.2).
  session->set_tls(
      {world_.pki().relay_client(), false, "", server_.name() + " " + ips[idx] + ":25"});
  world_.network().connect(server_.name(), ips[idx], 25, Proto::Smtp, session);
}

void MtaQueue::on_outcome(const EntryPtr& e, const net::smtp::ClientOutcome& o) {
  std::vector<std::pair<std::string, std::string>> failed;  // addr, "status|diagnostic"
  std::vector<std::string> retry;
  std::string retry_why;  // the 4xx replies to RCPT, "addr: 452 4.2.2 ..."
  for (const auto& rr : o.rcpts)
    if (rr.reply.code >= 400 && rr.reply.code < 500)
      retry_why += (retry_why.empty() ? "" : "; ") + rr.addr + ": " + rr.reply.summary();
  if (o.delivered) {
    for (const auto& rr : o.rcpts) {
      if (rr.reply.code >= 500)
        failed.push_back({rr.addr, status_of(rr.reply, "5.0.0") + "|" + rr.reply.summary()});
      else if (rr.reply.code >= 400)
        retry.push_back(rr.addr);
    }
    event(*e, "sent", "accepted by the recipient's server: " + o.last.summary());
  } else if (o.temporary) {
    // Every recipient refused, some for good (550) and some for now (452): bounce the first,
    // keep the others queued (RFC 5321 §4.2.1, §4.5.4.1). A recipient the session never got
    // a reply for is retried.
    for (const auto& rc : e->rcpts) {
      bool refused_for_good = false;
      for (const auto& rr : o.rcpts)
        if (rr.addr == rc && rr.reply.code >= 500) {
          failed.push_back({rc, status_of(rr.reply, "5.0.0") + "|" + rr.reply.summary()});
          refused_for_good = true;
        }
      if (!refused_for_good) retry.push_back(rc);
    }
    if (failed.empty()) {
      if (!retry_why.empty())
        defer(e, retry_why);
      else
        defer(e, o.error.empty() ? o.last.summary() : o.error);
      return;
    }
  } else {
    for (const auto& rc : e->rcpts) {
      net::smtp::Reply why = o.last;
      for (const auto& rr : o.rcpts)
        if (rr.addr == rc && rr.reply.code >= 400) why = rr.reply;
      failed.push_back({rc, status_of(why, "5.0.0") + "|" + why.summary()});
    }
  }
  if (!failed.empty()) bounce(e, failed);
  if (!retry.empty()) {
    e->rcpts = retry;
    defer(e, retry_why.empty() ? "some recipients were deferred" : retry_why);
    return;
  }
  finish(e);
}

void MtaQueue::defer(const EntryPtr& e, const std::string& why) {
  e->last_error = why;
  const auto& schedule = world_.lesson().retry_schedule;
  if (static_cast<std::size_t>(e->attempts) > schedule.size()) {
    std::vector<std::pair<std::string, std::string>> failed;
    for (const auto& rc : e->rcpts)
      failed.push_back({rc, "4.4.7|gave up after " + std::to_string(e->attempts) +
                                " attempts; last error: " + why});
    bounce(e, failed);
    finish(e);
    return;
  }
  Time wait = schedule[static_cast<std::size_t>(e->attempts) - 1];
  event(*e, "defer", why + "; next attempt in " + std::to_string(wait / kSecond) + " s");
  world_.queue().after(wait, [this, e] { attempt(e); });
}

void MtaQueue::bounce(const EntryPtr& e,
                      const std::vector<std::pair<std::string, std::string>>& failed) {
  std::string who;
  for (const auto& f : failed) who += (who.empty() ? "" : ", ") + f.first;
  if (e->mail_from.empty()) {
    // RFC 5321 §4.5.5: a bounce is never sent for a message with a null sender.
    event(*e, "drop", "undeliverable bounce for " + who + " dropped (null sender)");
    finish(e);
    return;
  }
  net::message::DsnInfo d;
  d.reporting_mta = server_.name();
  d.postmaster = "MAILER-DAEMON@" + server_.name();
  d.to = e->mail_from;
  d.date = net::message::format_date(world_.unix_now());
  d.message_id = e->id + ".bounce@" + server_.name();
  d.boundary = e->id + "/" + server_.name();
  d.original = e->message;
  for (const auto& [addr, sd] : failed) {
    auto bar = sd.find('|');
    d.failed.push_back({addr, sd.substr(0, bar), sd.substr(bar + 1)});
  }
  event(*e, "bounce", "returning the message to <" + e->mail_from + ">: " + who + " failed");
  std::string dsn = net::message::make_dsn(d);
  if (server_.store().is_local_domain(net::message::domain_of(e->mail_from)))
    server_.deliver_local(e->mail_from, "", dsn);
  else
    enqueue("", {e->mail_from}, dsn);
  if (failed.size() == e->rcpts.size()) finish(e);
}

void MtaQueue::finish(const EntryPtr& e) {
  if (entries_.erase(e->id)) event(*e, "done", "removed from the queue");
}

}  // namespace sim

#include "sim/world.hpp"

#include <map>
#include <set>
#include <stdexcept>

#include "sim/device.hpp"
#include "sim/dns_server.hpp"
#include "sim/mail_server.hpp"
#include "sim/sim_tls.hpp"

namespace sim {

World::World(Lesson lesson)
    : lesson_(std::move(lesson)),
      rng_(lesson_.seed),
      net_(q_, trace_, rng_),
      pki_(std::make_unique<SimPki>(lesson_.start_unix)) {
  for (const auto& a : lesson_.accounts) trace_.add_secret(a.password);
  for (const auto& s : lesson_.steps) trace_.add_secret(s.password);  // typos are secrets too
  for (const auto& h : lesson_.hosts) net_.add_host({h.name, h.ip, h.role});
  for (const auto& l : lesson_.links) net_.add_link(l.a, l.b, l.latency);

  const LessonHost* dns_host = nullptr;
  for (const auto& h : lesson_.hosts)
    if (h.role == "dns") dns_host = &h;
  // load_lesson insists on one; a Lesson built in code might not have it.
  if (!dns_host) throw std::invalid_argument("sim::World: the lesson has no DNS host");
  dns_ip_ = dns_host->ip;
  dns_ = std::make_unique<DnsServer>(net_, trace_, dns_host->name);
  // Every host gets an A record; each server is the MX of its domains unless the lesson
  // writes the MX records of that domain itself.
  std::set<std::string> explicit_mx;
  for (const auto& m : lesson_.mx) {
    if (!m.none) dns_->add_mx(m.domain, m.preference, m.exchange);
    explicit_mx.insert(m.domain);
  }
  for (const auto& h : lesson_.hosts) {
    dns_->add_a(h.name, h.ip);
    for (const auto& d : h.domains)
      if (!explicit_mx.count(d)) dns_->add_mx(d, 10, h.name);
  }

  for (const auto& h : lesson_.hosts) {
    if (h.role == "server") servers_[h.name] = std::make_unique<MailServer>(*this, h);
    if (h.role == "device") devices_[h.name] = std::make_unique<Device>(*this, h);
  }
}

World::~World() = default;

MailServer* World::server(const std::string& host) {
  auto it = servers_.find(host);
  return it == servers_.end() ? nullptr : it->second.get();
}

MailServer* World::server_for_domain(const std::string& domain) {
  for (auto& [name, s] : servers_)
    if (s->store().is_local_domain(domain)) return s.get();
  return nullptr;
}

Device* World::device(const std::string& host) {
  auto it = devices_.find(host);
  return it == devices_.end() ? nullptr : it->second.get();
}

std::vector<const Device*> World::devices() const {
  std::vector<const Device*> out;
  for (const auto& h : lesson_.hosts)
    if (auto it = devices_.find(h.name); it != devices_.end()) out.push_back(it->second.get());
  return out;
}

void World::note(const std::string& kind, const std::string& text, const std::string& host) {
  trace_.append(q_.now(), NoteEv{host, kind, text});
}

void World::start_step(std::size_t i) {
  if (i >= lesson_.steps.size()) {
    steps_done_ = true;
    return;
  }
  const LessonStep& s = lesson_.steps[i];
  std::string head = "step " + std::to_string(i + 1) + "/" + std::to_string(lesson_.steps.size());
  note("step", head + ": " + s.narration.get("en"));
  auto next = [this, i] {
    q_.after(0, [this, i] {
      // The last step's snapshot waits until the run is over (see run()).
      if (on_step_done && i + 1 < lesson_.steps.size()) on_step_done(i);
      start_step(i + 1);
    });
  };

  if (s.action == "send") {
    std::string to;
    for (const auto& a : s.to) to += (to.empty() ? "" : ", ") + a;
    note("action", s.device + " sends \"" + s.subject + "\" to " + to, s.device);
    device(s.device)->send(s, [this, next, dev = s.device](const net::smtp::ClientOutcome& o) {
      if (o.delivered) {
        note("info", "the server accepted the message: " + o.last.summary(), dev);
      } else {
        note("error", "sending failed: " + (o.error.empty() ? std::string("rejected") : o.error),
             dev);
      }
      next();
    });
  } else if (s.action == "wait") {
    note("action", "waiting " + std::to_string(s.duration / kSecond) + " s");
    q_.after(s.duration, next);
  } else if (s.action == "link") {
    note("action", "link " + s.target + (s.up ? " comes back up" : " goes down"));
    net_.set_link_up(s.target, s.up);
    next();
  } else if (s.action == "check" || s.action == "read" || s.action == "delete" ||
             s.action == "move" || s.action == "flag" || s.action == "offline" ||
             s.action == "online") {
    static const std::map<std::string, std::string> verbs = {
        {"check", "checks mail"}, {"offline", "goes offline"}, {"online", "comes online"},
        {"read", "opens"},        {"delete", "deletes"},       {"flag", "flags"},
        {"move", "moves"}};
    std::string what = verbs.at(s.action);
    if (!s.subject.empty()) what += " \"" + s.subject + "\"";
    if (s.action == "move") what += " to " + s.folder;
    note("action", s.device + " " + what, s.device);
    device(s.device)->act(s, next);
  } else if (s.action == "server") {
    note("action",
         s.target + (s.up ? " starts listening on port " : " stops listening on port ") +
             std::to_string(s.port),
         s.target);
    server(s.target)->set_port(s.port, s.up);
    next();
  } else if (s.action == "dns") {
    const std::string what = s.target.empty() ? "every name" : s.target;
    note("action",
         s.up ? "the DNS server answers for " + what + " again"
              : "the DNS server fails for " + what +
                    (s.mode == "timeout" ? " (no answer)" : " (SERVFAIL)"),
         dns_->host());
    dns_->set_failure(s.target, s.up                  ? DnsServer::Failure::None
                                : s.mode == "timeout" ? DnsServer::Failure::NoAnswer
                                                      : DnsServer::Failure::ServFail);
    next();
  } else if (s.action == "mailbox") {
    MailServer* home = server_for_domain(s.target.substr(s.target.find('@') + 1));
    note("action",
         s.up ? "the mailbox " + s.target + " has room again"
              : "the mailbox " + s.target + " is full (" + s.mode + ")",
         home->name());
    home->set_mailbox_full(s.target, !s.up, s.mode == "permanent");
    next();
  }
}

bool World::run(const RunLimits& limits) {
  // Keys, certificates and TLS randoms come from the seed: same lesson, same bytes.
  SimRandom random(lesson_.seed);
  q_.at(0, [this] { start_step(0); });
  std::size_t n = 0;
  while (!q_.empty()) {
    auto t = q_.next_time();
    if (n >= limits.max_events || (t && *t > limits.max_time)) {
      note("error", "the run was stopped by a limit (" + std::to_string(n) + " events)");
      return false;
    }
    q_.step();
    ++n;
  }
  if (on_step_done && !lesson_.steps.empty()) on_step_done(lesson_.steps.size() - 1);
  return steps_done_;
}

}  // namespace sim

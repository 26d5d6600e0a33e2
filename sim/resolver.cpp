#include "sim/resolver.hpp"

#include <algorithm>

#include "net/dns/message.hpp"
#include "sim/dns_line.hpp"

namespace sim {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  if (!a.empty() && a.back() == '.') a.remove_suffix(1);
  if (!b.empty() && b.back() == '.') b.remove_suffix(1);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

struct Resolver::Pending {
  std::uint16_t port = 0;
  net::dns::Message query;
  std::string wire;
  int sent = 0;
  EventId timer = 0;
  QueryDone done;
};

Resolver::Resolver(Network& net, EventQueue& q, Trace& trace, std::string host, std::string dns_ip)
    : net_(net), q_(q), trace_(trace), host_(std::move(host)), dns_ip_(std::move(dns_ip)) {}

Resolver::~Resolver() {
  for (auto& [port, p] : pending_) {
    net_.unbind_udp(host_, port);
    if (p->timer) q_.cancel(p->timer);
  }
}

void Resolver::set_timeout(Time per_try, int tries) {
  per_try_ = per_try;
  tries_ = std::max(1, tries);
}

void Resolver::query(const std::string& name, std::uint16_t type, QueryDone done) {
  auto p = std::make_shared<Pending>();
  p->port = net_.ephemeral_port(host_);
  // RFC 5452 §9.2: an unpredictable id (and source port) guards against forged answers.
  p->query.id = static_cast<std::uint16_t>(net_.rng().uniform(65536));
  p->query.rd = true;
  p->query.questions.push_back({name, static_cast<net::dns::Type>(type)});
  p->done = std::move(done);
  try {
    p->wire = net::dns::encode(p->query);
  } catch (const std::invalid_argument& e) {
    // Not a name DNS can carry: fail from an event, like every other outcome.
    std::weak_ptr<int> guard = alive_;
    q_.after(0, [guard, p, msg = std::string(e.what())] {
      if (!guard.expired()) p->done(nullptr, msg);
    });
    return;
  }
  const std::uint16_t port = p->port;
  pending_[port] = p;
  net_.bind_udp(host_, port,
                [this, port](const std::string& ip, std::uint16_t, std::string_view payload) {
                  on_answer(port, ip, payload);
                });
  send(*p);
}

void Resolver::send(Pending& p) {
  ++p.sent;
  const HostInfo* dns = net_.host_by_ip(dns_ip_);
  trace_.append(q_.now(), dns_line(p.query, host_, dns ? dns->name : dns_ip_));
  net_.send_udp(host_, p.port, dns_ip_, 53, p.wire);
  std::weak_ptr<int> guard = alive_;
  const std::uint16_t port = p.port;
  p.timer = q_.after(per_try_, [this, guard, port] {
    if (!guard.expired()) on_timeout(port);
  });
}

void Resolver::on_timeout(std::uint16_t port) {
  auto it = pending_.find(port);
  if (it == pending_.end()) return;
  auto p = it->second;
  p->timer = 0;
  if (p->sent < tries_) {  // same id, same port: a retransmission (RFC 1035 §4.2.1)
    send(*p);
    return;
  }
  pending_.erase(it);
  net_.unbind_udp(host_, port);
  p->done(nullptr, "timed out");
}

void Resolver::on_answer(std::uint16_t port, const std::string& from_ip, std::string_view payload) {
  auto it = pending_.find(port);
  if (it == pending_.end()) return;
  auto p = it->second;
  auto m = net::dns::decode(payload);
  // Accept only the answer to our question from our server (RFC 5452 §3).
  if (!m || !m->response || m->id != p->query.id || from_ip != dns_ip_) return;
  if (m->questions.size() != 1 || m->questions[0].type != p->query.questions[0].type ||
      !same_name(m->questions[0].name, p->query.questions[0].name)) {
    return;
  }
  if (p->timer) q_.cancel(p->timer);
  pending_.erase(it);
  net_.unbind_udp(host_, port);
  p->done(&*m, "");
}

void Resolver::resolve_a(const std::string& name, ADone done) {
  query(name, static_cast<std::uint16_t>(net::dns::Type::A),
        [name, done = std::move(done)](const net::dns::Message* m, const std::string& error) {
          if (!m) return done(std::nullopt, error);
          if (m->rcode != net::dns::kNoError)
            return done(std::nullopt, net::dns::rcode_name(m->rcode));
          for (const auto& r : m->answers)
            if (r.type == net::dns::Type::A && same_name(r.name, name)) return done(r.a, "");
          done(std::nullopt, "no A record");
        });
}

void Resolver::resolve_mx(const std::string& domain, MxDone done) {
  query(domain, static_cast<std::uint16_t>(net::dns::Type::MX),
        [this, domain, done = std::move(done)](const net::dns::Message* m,
                                               const std::string& error) mutable {
          auto r = std::make_shared<MxResult>();
          if (!m) {
            r->error = error;
            return done(std::move(*r));
          }
          if (m->rcode != net::dns::kNoError) {
            r->error = net::dns::rcode_name(m->rcode);
            return done(std::move(*r));
          }
          for (const auto& rec : m->answers) {
            // A "." exchange is a null MX (RFC 7505): the domain takes no mail.
            if (rec.type == net::dns::Type::MX && !rec.exchange.empty())
              r->mx.emplace_back(rec.preference, rec.exchange);
          }
          std::stable_sort(r->mx.begin(), r->mx.end(),
                           [](const auto& a, const auto& b) { return a.first < b.first; });
          if (r->mx.empty()) {
            // RFC 5321 §5.1: no MX records → the domain itself is the implicit MX.
            resolve_a(domain, [r, domain, done = std::move(done)](std::optional<std::string> ip,
                                                                  std::string err) mutable {
              if (ip) {
                r->ok = true;
                r->mx = {{0, domain}};
                r->addresses[domain] = *ip;
              } else {
                r->error = err == "no A record" ? "no MX or A records" : err;
              }
              done(std::move(*r));
            });
            return;
          }
          std::vector<std::string> missing;
          for (const auto& [pref, exchange] : r->mx) {
            if (r->addresses.count(exchange)) continue;
            for (const auto& add : m->additionals) {
              if (add.type == net::dns::Type::A && same_name(add.name, exchange)) {
                r->addresses[exchange] = add.a;
                break;
              }
            }
            if (!r->addresses.count(exchange) &&
                std::find(missing.begin(), missing.end(), exchange) == missing.end())
              missing.push_back(exchange);
          }
          r->ok = true;
          complete_mx(r, std::move(missing), std::move(done));
        });
}

// Looks up the exchanges the answer gave no address for, one after the other (so the
// trace reads in a fixed order); an exchange whose lookup fails stays without address.
void Resolver::complete_mx(std::shared_ptr<MxResult> r, std::vector<std::string> missing,
                           MxDone done) {
  if (missing.empty()) return done(std::move(*r));
  const std::string next = missing.front();
  missing.erase(missing.begin());
  resolve_a(next, [this, r, next, missing = std::move(missing), done = std::move(done)](
                      std::optional<std::string> ip, std::string) mutable {
    if (ip) r->addresses[next] = *ip;
    complete_mx(r, std::move(missing), std::move(done));
  });
}

}  // namespace sim

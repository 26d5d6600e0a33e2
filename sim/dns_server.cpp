#include "sim/dns_server.hpp"

#include <algorithm>
#include <stdexcept>

#include "net/dns/message.hpp"
#include "sim/dns_line.hpp"

namespace sim {
namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string join_mx(const net::dns::Message& m) {
  std::string out;
  for (const auto& r : m.answers) {
    if (r.type != net::dns::Type::MX) continue;
    if (!out.empty()) out += ", ";
    out += r.exchange + " (preference " + std::to_string(r.preference) + ")";
  }
  return out;
}

}  // namespace

LineEv dns_line(const net::dns::Message& m, const std::string& from, const std::string& to) {
  using net::dns::Type;
  LineEv ev;
  ev.conn = 0;
  ev.proto = Proto::Dns;
  ev.from = from;
  ev.to = to;
  ev.from_client = !m.response;
  ev.text = net::dns::describe(m);
  ev.rfc = "RFC 1035 §4.1";
  const std::string name = m.questions.empty() ? std::string() : m.questions[0].name;
  const bool mx = !m.questions.empty() && m.questions[0].type == Type::MX;
  if (!m.response) {
    ev.label =
        std::string(m.questions.empty() ? "?" : net::dns::to_string(m.questions[0].type)) + "?";
    ev.meaning = mx ? "Which servers accept mail for " + name + "? (asks DNS for its MX records)"
                    : "What is the IP address of " + name + "? (asks DNS for its A record)";
    return ev;
  }
  ev.label = net::dns::rcode_name(m.rcode);
  if (m.rcode == net::dns::kNxDomain) {
    ev.meaning = "No such domain: " + name + " does not exist in DNS.";
  } else if (m.rcode != net::dns::kNoError) {
    ev.meaning = "The DNS server could not answer the question about " + name + ".";
  } else if (m.answers.empty()) {
    ev.meaning = name + " exists but has no " + (mx ? "MX" : "A") + " records.";
  } else if (mx) {
    ev.meaning = "Mail for " + name + " goes to " + join_mx(m) +
                 "; the lowest preference is tried first (RFC 5321 §5.1).";
  } else {
    ev.meaning = name + " is at " + m.answers[0].a + ".";
  }
  return ev;
}

DnsServer::DnsServer(Network& net, Trace& trace, std::string host)
    : net_(net), trace_(trace), host_(std::move(host)) {
  net_.bind_udp(host_, 53, [this](const std::string& ip, std::uint16_t port, std::string_view p) {
    on_query(ip, port, p);
  });
}

DnsServer::~DnsServer() {
  net_.unbind_udp(host_, 53);
}

void DnsServer::add_mx(const std::string& domain, std::uint16_t preference,
                       const std::string& exchange) {
  auto& list = mx_[lower(domain)];
  const std::pair<std::uint16_t, std::string> rec{preference, exchange};
  if (std::find(list.begin(), list.end(), rec) == list.end()) list.push_back(rec);
  std::stable_sort(list.begin(), list.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

void DnsServer::add_a(const std::string& name, const std::string& ip) {
  auto& list = a_[lower(name)];
  if (std::find(list.begin(), list.end(), ip) == list.end()) list.push_back(ip);
}

void DnsServer::set_failure(const std::string& domain, Failure f) {
  if (f == Failure::None) {
    if (domain.empty())
      failures_.clear();  // the whole server is back: every fault is cleared
    else
      failures_.erase(lower(domain));
    return;
  }
  failures_[lower(domain)] = f;
}

DnsServer::Failure DnsServer::failure_for(const std::string& name) const {
  if (failures_.empty()) return Failure::None;
  std::string n = lower(name);
  for (;;) {
    if (auto it = failures_.find(n); it != failures_.end()) return it->second;
    if (n.empty()) return Failure::None;
    auto dot = n.find('.');
    n = dot == std::string::npos ? std::string() : n.substr(dot + 1);
  }
}

void DnsServer::on_query(const std::string& from_ip, std::uint16_t from_port,
                         std::string_view payload) {
  using namespace net::dns;
  auto q = decode(payload);
  if (!q || q->response) return;  // not a query: ignore, as servers do with garbage
  const Failure failure =
      q->questions.size() == 1 ? failure_for(q->questions[0].name) : Failure::None;
  if (failure == Failure::NoAnswer) {
    const HostInfo* to = net_.host_by_ip(from_ip);
    trace_.append(net_.queue().now(),
                  NoteEv{host_, "error",
                         "the DNS server does not answer " + (to ? to->name : from_ip) +
                             "'s question about " + q->questions[0].name +
                             " (DNS failure: the query goes unanswered)"});
    return;
  }

  Message r;
  r.id = q->id;
  r.response = true;
  r.aa = true;  // authoritative for everything it knows (RFC 1035 §4.1.1)
  r.rd = q->rd;
  r.ra = false;
  if (q->questions.size() != 1) {
    r.rcode = kFormErr;
  } else {
    const Question& question = q->questions[0];
    r.questions.push_back(question);
    const std::string key = lower(question.name);
    auto mx = mx_.find(key);
    auto a = a_.find(key);
    if (failure == Failure::ServFail) {
      r.rcode = kServFail;  // "unable to process this query" (RFC 1035 §4.1.1)
    } else if (mx == mx_.end() && a == a_.end()) {
      r.rcode = kNxDomain;
    } else if (question.type == Type::MX && mx != mx_.end()) {
      for (const auto& [pref, exchange] : mx->second) {
        r.answers.push_back({question.name, Type::MX, ttl_, "", pref, exchange});
        // Addresses of the exchanges ride along in the additional section (RFC 1035 §3.3.9).
        if (auto ea = a_.find(lower(exchange)); ea != a_.end()) {
          for (const auto& ip : ea->second)
            r.additionals.push_back({exchange, Type::A, ttl_, ip, 0, ""});
        }
      }
    } else if (question.type == Type::A && a != a_.end()) {
      for (const auto& ip : a->second)
        r.answers.push_back({question.name, Type::A, ttl_, ip, 0, ""});
    }  // else: the name exists but has no data of this type (NOERROR, empty answer)
  }

  std::string wire;
  try {
    wire = encode(r);
  } catch (const std::invalid_argument&) {  // a name we cannot put on the wire
    r.answers.clear();
    r.additionals.clear();
    r.rcode = kServFail;
    wire = encode(r);
  }
  const HostInfo* to = net_.host_by_ip(from_ip);
  trace_.append(net_.queue().now(), dns_line(r, host_, to ? to->name : from_ip));
  net_.send_udp(host_, 53, from_ip, from_port, std::move(wire));
}

}  // namespace sim

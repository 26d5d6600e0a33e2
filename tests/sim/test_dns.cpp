#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "net/dns/message.hpp"
#include "sim/dns_server.hpp"
#include "sim/resolver.hpp"

using namespace sim;

namespace {

struct DnsWorld {
  EventQueue q;
  Trace tr;
  Rng rng{99};
  Network net{q, tr, rng};
  std::optional<DnsServer> dns;
  std::optional<Resolver> resolver;
  DnsWorld() {
    net.add_host({"mta", "10.0.1.25", "mta"});
    net.add_host({"router", "10.0.0.1", "router"});
    net.add_host({"dns", "10.0.0.53", "dns"});
    net.add_host({"mx.recipient.example", "10.0.2.25", "mx"});
    net.add_link("mta", "router", 5 * kMillisecond);
    net.add_link("router", "dns", 5 * kMillisecond);
    net.add_link("router", "mx.recipient.example", 5 * kMillisecond);
    dns.emplace(net, tr, "dns");
    dns->add_mx("recipient.example", 20, "backup.recipient.example");
    dns->add_mx("recipient.example", 10, "mx.recipient.example");
    dns->add_a("mx.recipient.example", "10.0.2.25");
    dns->add_a("backup.recipient.example", "10.0.3.25");
    dns->add_a("plain.example", "10.0.4.4");
    resolver.emplace(net, q, tr, "mta", "10.0.0.53");
  }
  std::vector<LineEv> lines() const {
    std::vector<LineEv> out;
    for (const auto& e : tr.events())
      if (auto* l = std::get_if<LineEv>(&e.p)) out.push_back(*l);
    return out;
  }
  std::vector<SegmentEv> segments() const {
    std::vector<SegmentEv> out;
    for (const auto& e : tr.events())
      if (auto* s = std::get_if<SegmentEv>(&e.p)) out.push_back(*s);
    return out;
  }
};

}  // namespace

TEST_CASE("MX lookup over simulated UDP, addresses from the additional section") {
  DnsWorld w;
  std::optional<Resolver::MxResult> got;
  Time at = -1;
  w.resolver->resolve_mx("recipient.example", [&](Resolver::MxResult r) {
    got = std::move(r);
    at = w.q.now();
  });
  CHECK_FALSE(got);  // asynchronous
  w.q.run();
  REQUIRE(got);
  CHECK(got->ok);
  CHECK(got->error.empty());
  REQUIRE(got->mx.size() == 2);
  CHECK(got->mx[0] == std::pair<std::uint16_t, std::string>{10, "mx.recipient.example"});
  CHECK(got->mx[1] == std::pair<std::uint16_t, std::string>{20, "backup.recipient.example"});
  CHECK(got->addresses.at("mx.recipient.example") == "10.0.2.25");
  CHECK(got->addresses.at("backup.recipient.example") == "10.0.3.25");
  CHECK(at == 20 * kMillisecond);  // two hops each way

  auto lines = w.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].proto == Proto::Dns);
  CHECK(lines[0].from == "mta");
  CHECK(lines[0].to == "dns");
  CHECK(lines[0].from_client);
  CHECK(lines[0].label == "MX?");
  CHECK(lines[0].text == "query MX recipient.example?");
  CHECK(lines[0].rfc == "RFC 1035 §4.1");
  CHECK(lines[0].conn == 0);
  CHECK_FALSE(lines[0].meaning.empty());
  CHECK(lines[1].from == "dns");
  CHECK(lines[1].to == "mta");
  CHECK_FALSE(lines[1].from_client);
  CHECK(lines[1].label == "NOERROR");
  CHECK(lines[1].text ==
        "answer: recipient.example MX 10 mx.recipient.example; recipient.example MX 20 "
        "backup.recipient.example; mx.recipient.example A 10.0.2.25; backup.recipient.example "
        "A 10.0.3.25");

  // Real DNS bytes on the wire: port 53, an authoritative response with the query's id.
  auto segs = w.segments();
  REQUIRE(segs.size() == 4);
  CHECK(segs[0].udp);
  CHECK(segs[0].dport == 53);
  CHECK(segs[0].sport >= 49152);
  auto query = net::dns::decode(segs[0].payload);
  auto answer = net::dns::decode(segs[3].payload);
  REQUIRE(query);
  REQUIRE(answer);
  CHECK(query->rd);
  CHECK(answer->response);
  CHECK(answer->aa);
  CHECK(answer->id == query->id);
  CHECK(segs[3].dport == segs[0].sport);
}

TEST_CASE("NXDOMAIN") {
  DnsWorld w;
  std::optional<Resolver::MxResult> got;
  w.resolver->resolve_mx("nowhere.example", [&](Resolver::MxResult r) { got = std::move(r); });
  std::optional<std::string> ip = "unset";
  std::string err;
  w.resolver->resolve_a("nothing.example", [&](std::optional<std::string> i, std::string e) {
    ip = std::move(i);
    err = std::move(e);
  });
  w.q.run();
  REQUIRE(got);
  CHECK_FALSE(got->ok);
  CHECK(got->error == "NXDOMAIN");
  CHECK(got->mx.empty());
  CHECK_FALSE(ip);
  CHECK(err == "NXDOMAIN");
  int nx = 0;
  for (const auto& l : w.lines())
    if (l.label == "NXDOMAIN") ++nx;
  CHECK(nx == 2);
}

TEST_CASE("A lookup and case-insensitive names") {
  DnsWorld w;
  std::optional<std::string> ip;
  w.resolver->resolve_a("MX.Recipient.Example",
                        [&](std::optional<std::string> i, std::string) { ip = std::move(i); });
  std::optional<Resolver::MxResult> mx;
  w.resolver->resolve_mx("RECIPIENT.example", [&](Resolver::MxResult r) { mx = std::move(r); });
  w.q.run();
  CHECK(ip == "10.0.2.25");
  REQUIRE(mx);
  CHECK(mx->ok);
  CHECK(mx->mx.size() == 2);
  CHECK(mx->addresses.size() == 2);
}

TEST_CASE("no MX records: the domain's own A record is the implicit MX (RFC 5321 §5.1)") {
  DnsWorld w;
  std::optional<Resolver::MxResult> got;
  w.resolver->resolve_mx("plain.example", [&](Resolver::MxResult r) { got = std::move(r); });
  w.q.run();
  REQUIRE(got);
  CHECK(got->ok);
  REQUIRE(got->mx.size() == 1);
  CHECK(got->mx[0].second == "plain.example");
  CHECK(got->addresses.at("plain.example") == "10.0.4.4");
  auto lines = w.lines();
  REQUIRE(lines.size() == 4);  // MX?, NOERROR (empty), A?, NOERROR
  CHECK(lines[1].text == "answer: no MX plain.example records");
  CHECK(lines[2].label == "A?");
}

TEST_CASE("a down link: each query is tried twice, then 'timed out'") {
  DnsWorld w;
  w.net.set_link_up("router<->dns", false);
  std::optional<Resolver::MxResult> got;
  Time at = -1;
  w.resolver->resolve_mx("recipient.example", [&](Resolver::MxResult r) {
    got = std::move(r);
    at = w.q.now();
  });
  w.q.run();
  REQUIRE(got);
  CHECK_FALSE(got->ok);
  CHECK(got->error == "timed out");
  CHECK(at == 4 * kSecond);
  auto lines = w.lines();
  REQUIRE(lines.size() == 2);  // the query, sent twice; no answer
  CHECK(lines[0].label == "MX?");
  CHECK(lines[1].label == "MX?");
  int drops = 0;
  for (const auto& e : w.tr.events())
    if (auto* n = std::get_if<NoteEv>(&e.p); n && n->kind == "drop") ++drops;
  CHECK(drops == 2);
  // Both tries used the same id and source port.
  auto segs = w.segments();
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].sport == segs[1].sport);
  CHECK(net::dns::decode(segs[0].payload)->id == net::dns::decode(segs[1].payload)->id);

  // The link comes back: the next lookup works, from a new port.
  w.net.set_link_up("router<->dns", true);
  got.reset();
  w.resolver->resolve_mx("recipient.example", [&](Resolver::MxResult r) { got = std::move(r); });
  w.q.run();
  REQUIRE(got);
  CHECK(got->ok);
}

TEST_CASE("exchanges without additional addresses are looked up with A queries") {
  // A hand-made DNS server that answers MX without additionals, and a wrong id first.
  EventQueue q;
  Trace tr;
  Rng rng(3);
  Network net(q, tr, rng);
  net.add_host({"mta", "10.0.1.25", "mta"});
  net.add_host({"dns", "10.0.0.53", "dns"});
  net.add_link("mta", "dns", kMillisecond);
  int queries = 0;
  net.bind_udp("dns", 53, [&](const std::string& ip, std::uint16_t port, std::string_view p) {
    ++queries;
    auto m = net::dns::decode(p);
    REQUIRE(m);
    net::dns::Message r;
    r.id = m->id;
    r.response = true;
    r.questions = m->questions;
    const auto& question = m->questions.at(0);
    if (question.type == net::dns::Type::MX) {
      r.answers.push_back({question.name, net::dns::Type::MX, 60, "", 10, "a.mail.example"});
      r.answers.push_back({question.name, net::dns::Type::MX, 60, "", 5, "b.mail.example"});
    } else if (question.name == "a.mail.example") {
      r.answers.push_back({question.name, net::dns::Type::A, 60, "192.0.2.1", 0, ""});
    } else {
      r.rcode = net::dns::kNxDomain;
    }
    net::dns::Message forged = r;
    forged.id = static_cast<std::uint16_t>(r.id + 1);
    net.send_udp("dns", 53, ip, port, net::dns::encode(forged));  // ignored: wrong id
    net.send_udp("dns", 53, ip, port, net::dns::encode(r));
  });
  Resolver res(net, q, tr, "mta", "10.0.0.53");
  std::optional<Resolver::MxResult> got;
  res.resolve_mx("mail.example", [&](Resolver::MxResult r) { got = std::move(r); });
  q.run();
  REQUIRE(got);
  CHECK(got->ok);
  REQUIRE(got->mx.size() == 2);
  CHECK(got->mx[0].second == "b.mail.example");  // preference 5 first
  CHECK(got->mx[1].second == "a.mail.example");
  CHECK(got->addresses.size() == 1);  // b has no address (NXDOMAIN)
  CHECK(got->addresses.at("a.mail.example") == "192.0.2.1");
  CHECK(queries == 3);  // MX, then A for b, then A for a (preference order)
}

TEST_CASE("the server ignores garbage and answers FORMERR to a question-less query") {
  DnsWorld w;
  std::vector<std::string> replies;
  w.net.bind_udp("mta", 5353, [&](const std::string&, std::uint16_t, std::string_view p) {
    replies.emplace_back(p);
  });
  w.net.send_udp("mta", 5353, "10.0.0.53", 53, "\x01\x02garbage");
  net::dns::Message empty;
  empty.id = 77;
  w.net.send_udp("mta", 5353, "10.0.0.53", 53, net::dns::encode(empty));
  w.q.run();
  REQUIRE(replies.size() == 1);
  auto r = net::dns::decode(replies[0]);
  REQUIRE(r);
  CHECK(r->id == 77);
  CHECK(r->rcode == net::dns::kFormErr);
}

TEST_CASE("a resolver destroyed with queries in flight never calls back") {
  DnsWorld w;
  bool called = false;
  w.resolver->resolve_mx("recipient.example", [&](Resolver::MxResult) { called = true; });
  w.resolver.reset();
  w.q.run();
  CHECK_FALSE(called);
}

// POP3 engines over the simulated TCP network (sim/pop3_session).
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>

#include "net/store/mailstore.hpp"
#include "sim/network.hpp"
#include "sim/pop3_session.hpp"

using namespace sim;

namespace {

const std::string kMsg = "Subject: hi\r\n\r\n.dot line\r\nbody\r\n";

struct Fixture {
  EventQueue q;
  Trace tr;
  Rng rng{7};
  Network net{q, tr, rng};
  net::store::Mailstore store;
  net::pop3::ServerConfig cfg;
  Fixture() {
    net.add_host({"laptop", "10.0.0.1", "device"});
    net.add_host({"mx", "10.0.0.2", "mx"});
    net.add_link("laptop", "mx", 10 * kMillisecond);
    store.add_account({"bob@recipient.example", "bob", "bobpw"});
    store.deliver("bob@recipient.example", kMsg, 1);
    cfg.hostname = "mx.recipient.example";
    net.listen("mx", 110, Proto::Pop3, [this](TcpConn& c) {
      auto s = cfg;
      s.lock_owner = 1000 + c.id();
      return std::make_shared<Pop3ServerSession>(tr, q, s, store);
    });
  }
  std::optional<net::pop3::ClientOutcome> fetch(net::pop3::ClientJob job, Time* done_at = nullptr) {
    std::optional<net::pop3::ClientOutcome> out;
    auto app = std::make_shared<Pop3ClientSession>(tr, q, std::move(job),
                                                   [&](const net::pop3::ClientOutcome& o) {
                                                     out = o;
                                                     if (done_at) *done_at = q.now();
                                                   });
    net.connect("laptop", "10.0.0.2", 110, Proto::Pop3, app);
    app.reset();
    q.run();
    return out;
  }
  std::size_t pop3_lines() const {
    std::size_t n = 0;
    for (const auto& e : tr.events())
      if (auto* l = std::get_if<LineEv>(&e.p); l && l->proto == Proto::Pop3) ++n;
    return n;
  }
};

net::pop3::ClientJob job(std::string password = "bobpw") {
  net::pop3::ClientJob j;
  j.login = "bob";
  j.password = std::move(password);
  j.mode = net::pop3::Mode::Delete;
  return j;
}

}  // namespace

TEST_SUITE("pop3_sim") {
  TEST_CASE("a device downloads and deletes over the simulated network") {
    Fixture f;
    auto o = f.fetch(job());
    REQUIRE(o);
    CHECK(o->ok);
    REQUIRE(o->messages.size() == 1);
    CHECK(o->messages[0].data == kMsg);
    CHECK(f.store.messages("bob@recipient.example")->empty());
    CHECK_FALSE(f.store.locked("bob@recipient.example"));
    CHECK(f.pop3_lines() > 10);
  }

  TEST_CASE("the failed-login penalty is simulated time") {
    Fixture f;
    f.cfg.free_login_failures = 0;
    f.cfg.penalty_ms = 2000;
    Time at = 0;
    auto o = f.fetch(job("wrong"), &at);
    REQUIRE(o);
    CHECK_FALSE(o->ok);
    CHECK(o->error == "Login failed: [AUTH] Authentication failed");
    CHECK(at >= 2 * kSecond);
    CHECK(f.store.messages("bob@recipient.example")->size() == 1);
  }

  TEST_CASE("refused connection reports an error") {
    Fixture f;
    f.net.unlisten("mx", 110);
    auto o = f.fetch(job());
    REQUIRE(o);
    CHECK_FALSE(o->ok);
    CHECK_FALSE(o->error.empty());
  }
}

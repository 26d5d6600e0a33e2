// IMAP engines over the simulated TCP network (sim/imap_session): a device syncs, idles and
// hears of other sessions' changes; the server logs out silent clients; the trace records
// every line with its meaning and the password scrubbed.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/store/mailstore.hpp"
#include "sim/imap_session.hpp"
#include "sim/network.hpp"

using namespace sim;
using K = net::imap::ClientOp::Kind;

namespace {

const char* kBob = "bob@recipient.example";
const std::string kMsg = "From: Ana <ana@sender.example>\r\nSubject: hi\r\n\r\nbody\r\n";

struct Fixture {
  EventQueue q;
  Trace tr;
  Rng rng{7};
  Network net{q, tr, rng};
  net::store::Mailstore store;
  Fixture() {
    net.add_host({"laptop", "10.0.0.1", "device"});
    net.add_host({"phone", "10.0.0.3", "device"});
    net.add_host({"mx", "10.0.0.2", "mx"});
    net.add_link("laptop", "mx", 10 * kMillisecond);
    net.add_link("phone", "mx", 30 * kMillisecond);
    store.add_account({kBob, "bob", "bobpw"});
    store.deliver(kBob, kMsg, 1);
    net.listen("mx", 143, Proto::Imap, [this](TcpConn&) {
      net::imap::ServerConfig cfg;
      cfg.hostname = "mx.recipient.example";
      return std::make_shared<ImapServerSession>(tr, q, cfg, store,
                                                 [this] { return 1795683600 + q.now() / kSecond; });
    });
  }
  // Starts a session; the outcome lands in `out` when it is done.
  void start(const std::string& host, net::imap::ClientJob job,
             std::optional<net::imap::ClientOutcome>& out, Time* done_at = nullptr,
             Time idle_limit = 5 * kMinute) {
    auto app = std::make_shared<ImapClientSession>(
        tr, q, std::move(job),
        [&out, done_at, this](const net::imap::ClientOutcome& o) {
          out = o;
          if (done_at) *done_at = q.now();
        },
        10 * kMinute, idle_limit);
    net.connect(host, "10.0.0.2", 143, Proto::Imap, app);
  }
  std::vector<LineEv> lines() const {
    std::vector<LineEv> v;
    for (const auto& e : tr.events())
      if (auto* l = std::get_if<LineEv>(&e.p); l && l->proto == Proto::Imap) v.push_back(*l);
    return v;
  }
  bool has_line(const std::string& text, bool from_client) const {
    for (const auto& l : lines())
      if (l.text == text && l.from_client == from_client) return true;
    return false;
  }
};

net::imap::ClientJob job(std::vector<K> kinds) {
  net::imap::ClientJob j;
  j.login = "bob";
  j.password = "bobpw";
  for (K k : kinds) {
    net::imap::ClientOp o;
    o.kind = k;
    o.mailbox = "INBOX";
    j.ops.push_back(o);
  }
  return j;
}

}  // namespace

TEST_SUITE("imap_sim") {
  TEST_CASE("a device syncs and downloads over the simulated network") {
    Fixture f;
    auto j = job({K::SyncAll, K::Select, K::FetchBody});
    j.ops[2].uids = {1};
    std::optional<net::imap::ClientOutcome> out;
    f.start("laptop", j, out);
    f.q.run();
    REQUIRE(out);
    CHECK(out->ok);
    const auto& m = out->folders.at("INBOX").messages.at(1);
    CHECK(m.subject == "hi");
    CHECK(m.data == kMsg);
    CHECK(f.store.folder(kBob, "INBOX")->messages[0].has_flag("\\Seen"));
    // The trace holds both ends' lines with meanings; the password is scrubbed.
    auto ls = f.lines();
    CHECK(ls.size() > 20);
    for (const auto& l : ls) {
      CHECK(l.text.find("bobpw") == std::string::npos);
      if (!l.data) CHECK_FALSE(l.meaning.empty());
    }
    // The server has LIST-STATUS: the client asks every folder's counters with the list.
    CHECK(f.has_line("A2 LIST \"\" \"*\" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY))", true));
    bool sent_status = false;
    for (const auto& l : ls)
      sent_status =
          sent_status || (!l.from_client &&
                          l.text.rfind("* STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ", 0) == 0);
    CHECK(sent_status);
    CHECK(f.has_line("* BYE mx.recipient.example logging out", false));
    bool login = false;
    for (const auto& l : ls)
      if (l.label == "LOGIN" && l.from_client) login = l.rfc == "RFC 3501 §6.2.3";
    CHECK(login);
  }

  TEST_CASE("IDLE ends when mail is delivered; another device's flag change is pushed") {
    Fixture f;
    std::optional<net::imap::ClientOutcome> laptop, phone;
    Time laptop_done = 0;
    f.start("laptop", job({K::Select, K::Idle, K::Idle}), laptop, &laptop_done);
    // At 5 s the phone flags the message: the laptop's first IDLE hears of it at once.
    f.q.at(5 * kSecond, [&] {
      auto j = job({K::Select, K::Store});
      j.ops[1].uids = {1};
      j.ops[1].flags = {"\\Flagged"};
      f.start("phone", j, phone);
    });
    // At 1 minute new mail arrives over SMTP (straight into the store here).
    f.q.at(kMinute, [&] { f.store.deliver(kBob, "Subject: later\r\n\r\nx\r\n", 2); });
    f.q.run();
    REQUIRE(laptop);
    REQUIRE(phone);
    CHECK(phone->ok);
    CHECK(laptop->ok);
    CHECK(laptop_done >= kMinute);
    const auto& inbox = laptop->folders.at("INBOX");
    const auto& flags = inbox.messages.at(1).flags;
    CHECK(std::find(flags.begin(), flags.end(), "\\Flagged") != flags.end());
    REQUIRE(inbox.messages.count(2));
    CHECK(inbox.messages.at(2).subject == "later");
    CHECK(f.has_line("* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))", false));
    CHECK(f.has_line("* 2 EXISTS", false));
    std::size_t dones = 0;
    for (const auto& l : f.lines()) dones += l.text == "DONE" && l.from_client;
    CHECK(dones == 2);
  }

  TEST_CASE("the client's idle limit sends DONE after simulated time") {
    Fixture f;
    std::optional<net::imap::ClientOutcome> out;
    Time at = 0;
    f.start("laptop", job({K::Select, K::Idle}), out, &at, 2 * kMinute);
    f.q.run();
    REQUIRE(out);
    CHECK(out->ok);
    CHECK(at >= 2 * kMinute);
    CHECK(at < 3 * kMinute);
    CHECK(f.has_line("DONE", true));
  }

  TEST_CASE("wrong password and refused connection") {
    Fixture f;
    auto j = job({K::SyncAll});
    j.password = "nope";
    std::optional<net::imap::ClientOutcome> out;
    f.start("laptop", j, out);
    f.q.run();
    REQUIRE(out);
    CHECK_FALSE(out->ok);
    CHECK(out->error.find("Login failed: NO [AUTHENTICATIONFAILED]") == 0);
    f.net.unlisten("mx", 143);
    std::optional<net::imap::ClientOutcome> refused;
    f.start("laptop", job({K::Noop}), refused);
    f.q.run();
    REQUIRE(refused);
    CHECK_FALSE(refused->ok);
    CHECK_FALSE(refused->error.empty());
  }
}

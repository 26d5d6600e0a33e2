// TLS session resumption (RFC 8446 §2.2): a client context keeps the session a server's
// ticket gave under the caller's key, offers it once on the next connection with that key,
// and never resumes across keys or after a failed handshake.
#include <doctest/doctest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/tls/cert_authority.hpp"
#include "net/tls/context.hpp"
#include "net/tls/session.hpp"
#include "tls_test_util.hpp"

using namespace net::tls;
using testutil::shuttle;

namespace {

std::vector<std::string> sent_by(Session& s) {
  std::vector<std::string> out;
  for (const auto& e : s.take_events())
    if (e.sent) out.push_back(e.what);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& what) {
  return std::find(v.begin(), v.end(), what) != v.end();
}

// One server context (certificate from `ca`) and one client context that trusts it.
struct World {
  CertAuthority ca{"Resume CA"};
  std::shared_ptr<Context> server_ctx = Context::server(ca.issue({"imap.example"}));
  std::shared_ptr<Context> client_ctx;
  explicit World(bool stateful = false) {
    ClientTrust t;
    t.ca_pems = {ca.cert_pem()};
    client_ctx = Context::client(t);
    if (stateful) server_ctx->use_stateful_tickets();  // as the simulator's servers
  }
  // A whole connection: handshake, one line each way (so the client reads the ticket), then
  // close_notify.
  struct Result {
    bool established = false, resumed = false;
    std::vector<std::string> server_sent;
    std::string verify, error;
    std::size_t chain = 0;
  };
  Result connect(const std::string& key, bool byte_by_byte = false,
                 const std::string& name = "imap.example") {
    Session server(server_ctx, Role::Server);
    Session client(client_ctx, Role::Client, name, key);
    client.start();
    shuttle(client, server, byte_by_byte);
    Result r;
    r.established = client.established() && server.established();
    r.error = client.error();
    if (!r.established) return r;
    server.write("* OK ready\r\n");
    shuttle(client, server, byte_by_byte);
    CHECK(client.take_plain() == "* OK ready\r\n");
    client.write("a LOGOUT\r\n");
    shuttle(client, server, byte_by_byte);
    CHECK(server.take_plain() == "a LOGOUT\r\n");
    // close_notify both ways, as the simulator's engines end: a server frees a session
    // whose connection ends without one from its cache (OpenSSL's ssl_clear_bad_session).
    server.close();
    client.close();
    shuttle(client, server, byte_by_byte);
    auto info = client.info();
    r.resumed = info.resumed;
    r.verify = info.verify;
    r.chain = info.peer_chain.size();
    r.server_sent = sent_by(server);
    return r;
  }
};

}  // namespace

TEST_CASE("the second connection with the same key resumes without a certificate") {
  for (bool stateful : {false, true}) {
    CAPTURE(stateful);
    World w(stateful);
    auto first = w.connect("phone imap.example:993");
    REQUIRE(first.established);
    CHECK_FALSE(first.resumed);
    CHECK(contains(first.server_sent, "Certificate"));
    CHECK(contains(first.server_sent, "NewSessionTicket"));
    CHECK(w.client_ctx->kept_sessions() == 1);  // a newer ticket replaces an older one

    auto second = w.connect("phone imap.example:993");
    REQUIRE(second.established);
    CHECK(second.resumed);
    CHECK_FALSE(contains(second.server_sent, "Certificate"));
    CHECK_FALSE(contains(second.server_sent, "CertificateVerify"));
    CHECK(contains(second.server_sent, "NewSessionTicket"));  // for the connection after
    CHECK(second.verify == "ok");  // checked on the first connection, remembered
    CHECK(second.chain == 2);

    auto third = w.connect("phone imap.example:993", true);  // byte by byte
    REQUIRE(third.established);
    CHECK(third.resumed);
  }
}

TEST_CASE("no resumption across keys or without a key") {
  World w;
  REQUIRE(w.connect("").established);
  CHECK(w.client_ctx->kept_sessions() == 0);  // nothing kept without a key
  REQUIRE(w.connect("laptop imap.example:993").established);
  auto other = w.connect("phone imap.example:993");
  REQUIRE(other.established);
  CHECK_FALSE(other.resumed);
  CHECK(contains(other.server_sent, "Certificate"));
  auto unkeyed = w.connect("");
  CHECK_FALSE(unkeyed.resumed);
  CHECK(w.client_ctx->kept_sessions() == 2);
}

TEST_CASE("a kept session is offered once") {
  World w(true);
  REQUIRE(w.connect("k").established);
  {
    // Takes the session and never finishes: the ticket is spent (RFC 8446 §C.4).
    Session abandoned(w.client_ctx, Role::Client, "imap.example", "k");
    abandoned.start();
  }
  CHECK(w.client_ctx->kept_sessions() == 0);
  auto next = w.connect("k");
  REQUIRE(next.established);
  CHECK_FALSE(next.resumed);
}

TEST_CASE("a handshake that fails verification leaves nothing to resume") {
  CertAuthority ca;
  auto untrusted = Context::server(self_signed({"imap.example"}));
  ClientTrust t;
  t.ca_pems = {ca.cert_pem()};
  auto client_ctx = Context::client(t);
  for (int attempt = 0; attempt < 2; ++attempt) {
    Session server(untrusted, Role::Server);
    Session client(client_ctx, Role::Client, "imap.example", "k");
    client.start();
    shuttle(client, server);
    CHECK_FALSE(client.established());
    CHECK(client.error().find("certificate verification failed") != std::string::npos);
  }
  CHECK(client_ctx->kept_sessions() == 0);
}

TEST_CASE("a session kept from the real server does not let an impostor skip verification") {
  World w(true);
  REQUIRE(w.connect("k").established);
  REQUIRE(w.client_ctx->kept_sessions() == 1);
  // Same name, same key, another server with a certificate nobody trusts: it cannot accept
  // the ticket (it never issued it), so the handshake is full and verification refuses it.
  auto impostor = Context::server(self_signed({"imap.example"}));
  impostor->use_stateful_tickets();
  Session server(impostor, Role::Server);
  Session client(w.client_ctx, Role::Client, "imap.example", "k");
  client.start();
  shuttle(client, server);
  CHECK_FALSE(client.established());
  CHECK(client.error().find("certificate verification failed") != std::string::npos);
}

TEST_CASE("a session is offered only to the server name it was kept for") {
  World w(true);
  REQUIRE(w.connect("k").established);
  // The caller's key leaves the name out; the session must not carry the old verification
  // over to a name the certificate does not hold.
  auto other = w.connect("k", false, "other.example");
  CHECK_FALSE(other.established);
  CHECK(other.error.find("hostname mismatch") != std::string::npos);
  CHECK(w.client_ctx->kept_sessions() == 1);  // still there for imap.example
  CHECK(w.connect("k").resumed);
}

TEST_CASE("a stateful ticket is accepted once; a refused one falls back to a full handshake") {
  World w(true);
  REQUIRE(w.connect("k").established);
  SSL_SESSION* ticket = w.client_ctx->take_session("k", "imap.example");
  REQUIRE(ticket);
  w.client_ctx->keep_session("k", SSL_SESSION_dup(ticket), "imap.example");
  auto first = w.connect("k");
  REQUIRE(first.established);
  CHECK(first.resumed);
  w.client_ctx->keep_session("k", ticket, "imap.example");  // the same ticket again: a replay
  auto replay = w.connect("k");
  REQUIRE(replay.established);
  CHECK_FALSE(replay.resumed);
  CHECK(contains(replay.server_sent, "Certificate"));
  CHECK(replay.verify == "ok");
}

TEST_CASE("a resumed session of a non-verifying client does not blame the certificate") {
  CertAuthority ca;
  auto server_ctx = Context::server(self_signed({"mx.example"}));
  ClientTrust t;
  t.verify = false;  // like an MTA relaying on port 25 (RFC 7435)
  auto client_ctx = Context::client(t);
  {
    Session server(server_ctx, Role::Server);
    Session client(client_ctx, Role::Client, "mx.example", "relay");
    client.start();
    shuttle(client, server);
    server.write("220 ok\r\n");
    shuttle(client, server);
    REQUIRE(client.established());
    CHECK(client.info().verify != "ok");  // self-signed: known, and not checked
  }
  REQUIRE(client_ctx->kept_sessions() == 1);
  Session client(client_ctx, Role::Client, "mx.example", "relay");
  client.start();
  client.feed("500 this is not TLS\r\n");
  REQUIRE(client.failed());
  CHECK(client.error().find("certificate") == std::string::npos);
  CHECK(client.error().find("TLS handshake failed") != std::string::npos);
}

namespace {

// The obfuscated_ticket_age of the first PSK identity in a ClientHello record (RFC 8446
// §4.2.11), or -1 when it offers none.
long long ticket_age(const std::string& wire) {
  auto u8 = [&](std::size_t i) { return static_cast<unsigned char>(wire.at(i)); };
  auto u16 = [&](std::size_t i) { return static_cast<std::size_t>(u8(i) << 8 | u8(i + 1)); };
  std::size_t p = 5 + 4 + 2 + 32;  // record header, handshake header, legacy_version, random
  p += 1 + u8(p);                  // legacy_session_id
  p += 2 + u16(p);                 // cipher_suites
  p += 1 + u8(p);                  // legacy_compression_methods
  const std::size_t end = p + 2 + u16(p);
  for (p += 2; p + 4 <= end; p += 4 + u16(p + 2)) {
    if (u16(p) != 41) continue;  // pre_shared_key
    std::size_t q = p + 4 + 2;   // identities' length
    q += 2 + u16(q);             // the identity
    return static_cast<long long>(static_cast<std::uint32_t>(u8(q)) << 24 | u8(q + 1) << 16 |
                                  u8(q + 2) << 8 | u8(q + 3));
  }
  return -1;
}

// The ticket ages two ClientHellos report for the same session, one kept 100 s ago.
std::pair<long long, long long> ages(bool zero_age) {
  World w(true);
  if (zero_age) w.client_ctx->report_zero_ticket_age();
  REQUIRE(w.connect("k").established);
  SSL_SESSION* fresh = w.client_ctx->take_session("k", "imap.example");
  REQUIRE(fresh);
  SSL_SESSION* old = SSL_SESSION_dup(fresh);
  SSL_SESSION_set_time(old, SSL_SESSION_get_time(fresh) - 100);
  std::pair<long long, long long> out;
  for (auto [s, age] : {std::pair{old, &out.first}, std::pair{fresh, &out.second}}) {
    w.client_ctx->keep_session("k", s, "imap.example");
    Session client(w.client_ctx, Role::Client, "imap.example", "k");
    client.start();
    *age = ticket_age(client.take_wire());
  }
  return out;
}

}  // namespace

TEST_CASE("a simulated client reports a ticket age of 0, so the wall clock stays off the wire") {
  auto [old_age, fresh_age] = ages(true);
  REQUIRE(old_age >= 0);
  CHECK(old_age == fresh_age);
  // Without it, the real age shows: about 99 s more, in milliseconds (RFC 8446 §4.2.11.1).
  auto [real_old, real_fresh] = ages(false);
  REQUIRE(real_old >= 0);
  const long long diff = (real_old - real_fresh + (1LL << 32)) % (1LL << 32);
  CHECK(diff >= 98000);
  CHECK(diff <= 101000);
}

TEST_CASE("the cache keeps a bounded number of sessions") {
  ClientTrust t;
  t.verify = false;
  auto ctx = Context::client(t);
  for (int i = 0; i < 5000; ++i) ctx->keep_session("key " + std::to_string(i), SSL_SESSION_new());
  // 5,000 kept, 4,096 held: "key 0" … "key 903" were evicted, oldest first.
  CHECK(ctx->kept_sessions() == 4096);
  SSL_SESSION* newest = ctx->take_session("key 4999");
  CHECK(newest != nullptr);  // the newest is kept
  SSL_SESSION_free(newest);
  CHECK(ctx->take_session("key 4999") == nullptr);  // taken means forgotten
  CHECK(ctx->take_session("key 903") == nullptr);   // the oldest went first
  SSL_SESSION* kept = ctx->take_session("key 904");
  CHECK(kept != nullptr);
  SSL_SESSION_free(kept);
}

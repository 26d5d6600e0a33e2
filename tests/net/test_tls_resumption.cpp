// TLS session resumption (RFC 8446 §2.2): a client context keeps the session a server's
// ticket gave under the caller's key, offers it once on the next connection with that key,
// and never resumes across keys or after a failed handshake.
#include <doctest/doctest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "net/tls/cert_authority.hpp"
#include "net/tls/context.hpp"
#include "net/tls/session.hpp"

using namespace net::tls;

namespace {

void shuttle(Session& a, Session& b, bool byte_by_byte = false) {
  for (int round = 0; round < 100; ++round) {
    std::string ab = a.take_wire(), ba = b.take_wire();
    if (ab.empty() && ba.empty()) return;
    auto deliver = [&](Session& to, const std::string& bytes) {
      if (!byte_by_byte) return to.feed(bytes);
      for (char c : bytes) to.feed(std::string_view(&c, 1));
    };
    if (!ab.empty()) deliver(b, ab);
    if (!ba.empty()) deliver(a, ba);
  }
  FAIL("the TLS ends never went quiet");
}

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
    if (stateful) {  // what the simulator's servers do (sim/sim_tls.cpp)
      SSL_CTX_set_options(server_ctx->get(), SSL_OP_NO_TICKET);
      SSL_CTX_set_num_tickets(server_ctx->get(), 1);
    }
  }
  // A whole connection: handshake, one line each way (so the client reads the ticket), then
  // close_notify.
  struct Result {
    bool established = false, resumed = false;
    std::vector<std::string> server_sent;
    std::string verify, error;
    std::size_t chain = 0;
  };
  Result connect(const std::string& key, bool byte_by_byte = false) {
    Session server(server_ctx, Role::Server);
    Session client(client_ctx, Role::Client, "imap.example", key);
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

TEST_CASE("the cache keeps a bounded number of sessions") {
  ClientTrust t;
  t.verify = false;
  auto ctx = Context::client(t);
  for (int i = 0; i < 5000; ++i) ctx->keep_session("key " + std::to_string(i), SSL_SESSION_new());
  CHECK(ctx->kept_sessions() == 4096);
  SSL_SESSION* newest = ctx->take_session("key 4999");
  CHECK(newest != nullptr);  // the newest is kept
  SSL_SESSION_free(newest);
  CHECK(ctx->take_session("key 4999") == nullptr);  // taken means forgotten
}

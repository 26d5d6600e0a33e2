// TLS over memory BIOs: a run-time CA, verification outcomes, handshake message names,
// data both ways, byte-by-byte delivery.
#include <doctest/doctest.h>

#include <algorithm>

#include "net/tls/cert_authority.hpp"
#include "net/tls/context.hpp"
#include "net/tls/session.hpp"
#include "tls_test_util.hpp"

using namespace net::tls;
using testutil::shuttle;

namespace {

bool has(const std::vector<HandshakeEvent>& ev, const std::string& what, bool sent) {
  return std::any_of(ev.begin(), ev.end(),
                     [&](const HandshakeEvent& e) { return e.what == what && e.sent == sent; });
}

struct Pair {
  std::shared_ptr<Context> server_ctx, client_ctx;
  Session server, client;
  Pair(const Pem& id, const ClientTrust& trust, const std::string& name)
      : server_ctx(Context::server(id)),
        client_ctx(Context::client(trust)),
        server(server_ctx, Role::Server),
        client(client_ctx, Role::Client, name) {}
  void run(bool byte_by_byte = false) {
    client.start();
    shuttle(client, server, byte_by_byte);
  }
};

}  // namespace

TEST_CASE("a client that trusts the run-time CA completes the handshake and talks") {
  for (auto type : {KeyType::EcP256, KeyType::Ed25519}) {
    CertAuthority ca("Test CA", type);
    ClientTrust trust;
    trust.ca_pems = {ca.cert_pem()};
    Pair p(ca.issue({"mx.recipient.example"}), trust, "mx.recipient.example");
    p.run();
    REQUIRE(p.client.established());
    REQUIRE(p.server.established());
    CHECK_FALSE(p.client.failed());
    auto ce = p.client.take_events(), se = p.server.take_events();
    CHECK(has(ce, "ClientHello", true));
    CHECK(has(se, "ClientHello", false));
    CHECK(has(ce, "ServerHello", false));
    CHECK(has(ce, "Certificate", false));
    CHECK(has(ce, "CertificateVerify", false));
    CHECK(has(ce, "Finished", true));
    CHECK(has(se, "Finished", true));
    auto info = p.client.info();
    CHECK(info.version == "TLSv1.3");
    CHECK(info.verify == "ok");
    CHECK(info.peer_chain.size() == 2);
    CHECK(info.peer_chain[0].find("CN=mx.recipient.example") != std::string::npos);
    CHECK(info.peer_issuer.find("CN=Test CA") != std::string::npos);
    CHECK(p.server.info().server_name == "mx.recipient.example");  // SNI

    p.client.write("A1 CAPABILITY\r\n");
    shuttle(p.client, p.server);
    CHECK(p.server.take_plain() == "A1 CAPABILITY\r\n");
    p.server.write("* OK ready\r\n");
    shuttle(p.client, p.server);
    CHECK(p.client.take_plain() == "* OK ready\r\n");

    p.client.close();
    shuttle(p.client, p.server);
    CHECK(p.server.peer_closed());
  }
}

TEST_CASE("ciphertext on the wire does not contain the plaintext") {
  CertAuthority ca;
  ClientTrust trust;
  trust.ca_pems = {ca.cert_pem()};
  Pair p(ca.issue({"imap.example"}), trust, "imap.example");
  p.run();
  p.client.write("a LOGIN bruno bruno-secret\r\n");
  std::string wire = p.client.take_wire();
  CHECK(!wire.empty());
  CHECK(wire.find("bruno-secret") == std::string::npos);
  p.server.feed(wire);
  CHECK(p.server.take_plain() == "a LOGIN bruno bruno-secret\r\n");
}

TEST_CASE("data written before the handshake ends is sent once it is done") {
  CertAuthority ca;
  ClientTrust trust;
  trust.ca_pems = {ca.cert_pem()};
  Pair p(ca.issue({"smtp.example"}), trust, "smtp.example");
  p.client.write("EHLO me\r\n");
  p.run();
  CHECK(p.server.take_plain() == "EHLO me\r\n");
}

TEST_CASE("the handshake works with every byte delivered alone") {
  CertAuthority ca;
  ClientTrust trust;
  trust.ca_pems = {ca.cert_pem()};
  Pair p(ca.issue({"pop.example"}), trust, "pop.example");
  p.run(true);
  CHECK(p.client.established());
  CHECK(p.server.established());
}

TEST_CASE("verification failures are reported with the reason") {
  CertAuthority ca;
  ClientTrust trust;
  trust.ca_pems = {ca.cert_pem()};
  SUBCASE("self-signed: trusted by nobody") {
    Pair p(self_signed({"mx.example"}), trust, "mx.example");
    p.run();
    CHECK_FALSE(p.client.established());
    CHECK(p.client.error().find("certificate verification failed: self") != std::string::npos);
    CHECK(p.server.failed());  // the client's alert ends it there too
  }
  SUBCASE("a name the certificate does not carry") {
    Pair p(ca.issue({"other.example"}), trust, "mx.example");
    p.run();
    CHECK_FALSE(p.client.established());
    CHECK(p.client.error().find("hostname mismatch") != std::string::npos);
  }
  SUBCASE("expired") {
    Pair p(ca.issue({"mx.example"}, 30, true), trust, "mx.example");
    p.run();
    CHECK(p.client.error().find("expired") != std::string::npos);
  }
  SUBCASE("another CA") {
    CertAuthority other("Other CA");
    Pair p(other.issue({"mx.example"}), trust, "mx.example");
    p.run();
    INFO(p.client.error());
    // The server sends its CA too, a root this client does not trust.
    CHECK(p.client.error().find("self-signed certificate in certificate chain") !=
          std::string::npos);
  }
  SUBCASE("--insecure: the user opted out, so it connects but still knows") {
    ClientTrust insecure;
    insecure.verify = false;
    Pair p(self_signed({"mx.example"}), insecure, "mx.example");
    p.run();
    CHECK(p.client.established());
    CHECK(p.client.info().verify != "ok");
  }
}

TEST_CASE("bad PEM input is an error, not a crash") {
  Pem junk{"not a cert", "not a key", "not a cert"};
  CHECK_THROWS_WITH_AS(Context::server(junk), doctest::Contains("bad server certificate"),
                       std::runtime_error);
  ClientTrust t;
  t.ca_pems = {"garbage"};
  CHECK_THROWS_AS(Context::client(t), std::runtime_error);
  ClientTrust f;
  f.ca_file = "/nonexistent/ca.pem";
  CHECK_THROWS_WITH_AS(Context::client(f), doctest::Contains("cannot read CA file"),
                       std::runtime_error);
}

TEST_CASE("garbage from the wire fails the session cleanly") {
  CertAuthority ca;
  auto ctx = Context::server(ca.issue({"x.example"}));
  Session s(ctx, Role::Server);
  s.feed("EHLO this is not TLS\r\n");
  CHECK(s.failed());
  CHECK_FALSE(s.established());
  s.feed("more");  // stays failed, no crash
  CHECK(s.failed());
}

TEST_CASE("key log lines in SSLKEYLOGFILE format") {
  CertAuthority ca;
  ClientTrust trust;
  trust.ca_pems = {ca.cert_pem()};
  Pair p(ca.issue({"k.example"}), trust, "k.example");
  std::vector<std::string> lines;
  p.client_ctx->set_keylog([&](const std::string& l) { lines.push_back(l); });
  p.run();
  REQUIRE(!lines.empty());
  CHECK(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return l.rfind("CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 0) == 0;
  }));
}

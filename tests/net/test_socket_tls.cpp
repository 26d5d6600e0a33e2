// TLS in the socket drivers: a serve-mode Listener with a certificate (STARTTLS on the SMTP
// port, implicit TLS on another) and run_client with the SMTP client engine, over real
// loopback TCP in one process (the listener's loop on a thread). Checks the handshake events
// both ends report, verification against the CA, and a refused untrusted certificate.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "net/smtp/client.hpp"
#include "net/smtp/recipient_policy.hpp"
#include "net/socket/client_runner.hpp"
#include "net/socket/engines.hpp"
#include "net/socket/listener.hpp"
#include "net/store/mailstore.hpp"
#include "net/tls/cert_authority.hpp"
#include "net/tls/context.hpp"

namespace {

struct TlsServer {
  explicit TlsServer(bool implicit) {
    store.add_domain("recipient.example");
    store.add_account({"bruno@recipient.example", "bruno", "pw-bruno"});
    net::smtp::ServerConfig cfg;
    cfg.hostname = "mx.recipient.example";
    cfg.offer_auth = true;
    cfg.starttls = !implicit;
    cfg.tls = implicit;
    cfg.auth_needs_tls = true;
    cfg.submission = implicit;
    net::socket::ListenerOptions lo;
    lo.port = 0;
    auto ctx = net::tls::Context::server(ca.issue({"localhost", "127.0.0.1"}));
    listener = std::make_unique<net::socket::Listener>(
        loop, lo, net::socket::smtp_protocol(cfg, policy, {ctx, implicit}));
    listener->on_tls([this](const net::socket::ConnectionInfo&, const net::socket::TlsNote& n) {
      std::lock_guard<std::mutex> g(m);
      notes.push_back(n.what);
    });
    thread = std::thread([this] { loop.run(); });
  }
  ~TlsServer() {
    loop.stop();
    thread.join();
  }
  std::vector<std::string> server_notes() {
    std::lock_guard<std::mutex> g(m);
    return notes;
  }

  net::tls::CertAuthority ca{"test CA", net::tls::KeyType::EcP256};
  net::store::Mailstore store;
  net::smtp::RecipientPolicy policy{store, "mx.recipient.example", [] { return 1800000000; }};
  net::socket::EventLoop loop;
  std::unique_ptr<net::socket::Listener> listener;
  std::thread thread;
  std::mutex m;
  std::vector<std::string> notes;
};

struct ClientRun {
  net::socket::ClientRunResult res;
  net::smtp::ClientOutcome outcome;
  std::vector<std::string> tls_events, sent;
  std::string version;
};

ClientRun send_one(TlsServer& s, net::smtp::TlsMode mode, std::shared_ptr<net::tls::Context> ctx,
                   bool implicit) {
  net::smtp::ClientJob job;
  job.helo_name = "client.example";
  job.tls = mode;
  job.auth = net::smtp::Credentials{"bruno", "pw-bruno"};
  job.mail_from = "ana@sender.example";
  job.rcpt_to = {"bruno@recipient.example"};
  job.message = "Subject: hi\r\n\r\nhello\r\n";
  net::smtp::Client client(job);
  net::socket::SmtpClientEngine engine(client);
  ClientRun run;
  net::socket::ClientRunOptions o;
  o.port = s.listener->port();
  o.timeout_s = 10;
  o.tls = std::move(ctx);
  o.tls_implicit = implicit;
  o.server_name = "localhost";
  o.on_tls_event = [&](const net::tls::HandshakeEvent& e) { run.tls_events.push_back(e.what); };
  o.on_tls_established = [&](const net::tls::Info& i) { run.version = i.version; };
  o.on_event = [&](const net::EngineEvent& e) {
    if (const auto* l = std::get_if<net::LineEvent>(&e); l && l->sent) run.sent.push_back(l->text);
  };
  run.res = net::socket::run_client(engine, o);
  run.outcome = client.outcome();
  return run;
}

bool has(const std::vector<std::string>& v, const std::string& prefix) {
  for (const auto& s : v)
    if (s.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("socket TLS: STARTTLS between run_client and a serve listener, verified by the CA") {
  TlsServer s(false);
  net::tls::ClientTrust trust;
  trust.ca_pems = {s.ca.cert_pem()};
  auto run = send_one(s, net::smtp::TlsMode::Required, net::tls::Context::client(trust), false);
  CHECK(run.res.completed);
  CHECK(run.res.tls_error.empty());
  CHECK(run.outcome.delivered);
  CHECK(run.version.rfind("TLSv1.", 0) == 0);
  CHECK(has(run.tls_events, "ClientHello"));
  CHECK(has(run.tls_events, "Certificate"));
  CHECK(has(run.sent, "STARTTLS"));
  CHECK(has(run.sent, "AUTH PLAIN"));
  // The server saw the handshake too; its outcome note names the version.
  for (int i = 0; i < 100 && !has(s.server_notes(), "established"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(has(s.server_notes(), "established TLSv1."));
  CHECK(s.store.messages("bruno@recipient.example")->size() == 1);
}

TEST_CASE("socket TLS: implicit TLS (465 role) from the first byte") {
  TlsServer s(true);
  net::tls::ClientTrust trust;
  trust.ca_pems = {s.ca.cert_pem()};
  auto run = send_one(s, net::smtp::TlsMode::Implicit, net::tls::Context::client(trust), true);
  CHECK(run.res.completed);
  CHECK(run.outcome.delivered);
  CHECK_FALSE(has(run.sent, "STARTTLS"));
  CHECK(run.version.rfind("TLSv1.", 0) == 0);
}

TEST_CASE("socket TLS: an untrusted certificate ends the session before AUTH") {
  TlsServer s(false);
  net::tls::ClientTrust trust;  // trusts nothing: the test CA is unknown
  auto run = send_one(s, net::smtp::TlsMode::Required, net::tls::Context::client(trust), false);
  CHECK_FALSE(run.outcome.delivered);
  CHECK(run.res.tls_error.find("certificate verification failed") != std::string::npos);
  CHECK_FALSE(has(run.sent, "AUTH"));
}

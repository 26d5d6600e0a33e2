// The socket driver for client engines: runs one sans-I/O client engine (SMTP today; POP3,
// IMAP and `mailsim live` later) over one real TCP connection, blocking the caller until the
// engine is done, the server closes, or a total timeout expires. Every event the engine
// reports is handed to a callback as it happens. asio stays in the .cpp; this header shows
// only plain types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <memory>
#include <vector>

#include "net/engine_event.hpp"
#include "net/tls/session.hpp"

namespace net::smtp {
class Client;
}
namespace net::tls {
class Context;
}

namespace net::socket {

// What the runner needs from a client engine. Engines need not derive from it: a small
// adapter (like SmtpClientEngine below) forwards to the engine's own methods.
class ClientEngine {
 public:
  virtual ~ClientEngine() = default;
  virtual void feed(std::string_view bytes) = 0;  // bytes the server sent
  virtual std::string take_output() = 0;          // bytes to write to the server
  virtual EngineEvents take_events() = 0;         // lines and state changes so far
  virtual bool done() const = 0;                  // the engine is finished; the runner closes
  virtual void on_disconnect() = 0;               // the connection ended before done()
  // STARTTLS / STLS (engines that speak it): the engine's last plaintext command is written
  // and the server said yes; the runner then runs the handshake and reports the result.
  virtual bool wants_tls() const { return false; }
  virtual void on_tls_established() {}
  virtual void on_tls_failed(const std::string& why) {
    (void)why;
    on_disconnect();
  }
  // The user asked to stop (Ctrl-C): the engine should say goodbye (QUIT, LOGOUT) and finish.
  virtual void interrupt() {}
  // Milliseconds until the engine wants on_timer() (e.g. to end an IMAP IDLE), or -1.
  virtual int timer_ms() const { return -1; }
  virtual void on_timer() {}
};

// Adapter for any client engine with feed/take_output/take_events/done/on_disconnect, and
// STARTTLS when it has wants_tls()/on_tls_established()/on_tls_failed(); the engine must
// outlive the adapter.
template <class E>
class ClientEngineFor : public ClientEngine {
 public:
  explicit ClientEngineFor(E& e) : e_(e) {}
  void feed(std::string_view bytes) override { e_.feed(bytes); }
  std::string take_output() override { return e_.take_output(); }
  EngineEvents take_events() override { return e_.take_events(); }
  bool done() const override { return e_.done(); }
  void on_disconnect() override { e_.on_disconnect(); }
  bool wants_tls() const override {
    if constexpr (requires(const E& e) { e.wants_tls(); }) {
      return e_.wants_tls();
    } else {
      return false;
    }
  }
  void on_tls_established() override {
    if constexpr (requires(E & e) { e.on_tls_established(); }) e_.on_tls_established();
  }
  void on_tls_failed(const std::string& why) override {
    if constexpr (requires(E & e) { e.on_tls_failed(why); }) {
      e_.on_tls_failed(why);
    } else {
      e_.on_disconnect();
    }
  }

 protected:
  E& e_;
};

// Adapter for net::smtp::Client; the client must outlive the adapter.
class SmtpClientEngine final : public ClientEngine {
 public:
  explicit SmtpClientEngine(smtp::Client& client) : client_(client) {}
  void feed(std::string_view bytes) override;
  std::string take_output() override;
  EngineEvents take_events() override;
  bool done() const override;
  void on_disconnect() override;
  bool wants_tls() const override;
  void on_tls_established() override;
  void on_tls_failed(const std::string& why) override;

 private:
  smtp::Client& client_;
};

struct ClientRunOptions {
  std::string host = "127.0.0.1";  // a name or an IP address
  std::uint16_t port = 25;
  int timeout_s = 30;  // for the whole run: resolve, connect, and the session itself
  // Every engine event, in order, as it happens.
  std::function<void(const EngineEvent&)> on_event;
  // The TCP connection is established ("127.0.0.1:25" local and peer).
  std::function<void(const std::string& local, const std::string& peer)> on_connected;

  // TLS: with a context, implicit (from the first byte: 465, 993, 995) or when the engine
  // asks (wants_tls()). `server_name` is sent as SNI and checked against the certificate
  // when the context verifies; empty means `host`.
  std::shared_ptr<tls::Context> tls;
  bool tls_implicit = false;
  std::string server_name;
  // Every handshake message and alert, in order (sent = written by us).
  std::function<void(const tls::HandshakeEvent&)> on_tls_event;
  // The handshake finished: version, cipher, the server's chain.
  std::function<void(const tls::Info&)> on_tls_established;
  // SIGINT/SIGTERM call ClientEngine::interrupt() (and a second one ends the run at once).
  bool handle_signals = false;
  // The wire tap: every chunk handed to the TCP socket (sent) and every chunk read from it,
  // as it crosses the socket (TLS records once TLS is on). An empty received chunk: the
  // server closed its side (FIN). The endpoints come through on_connected. Unset: no copies.
  std::function<void(bool sent, std::string_view bytes)> on_wire;
};

struct ClientRunResult {
  bool connected = false;  // the TCP handshake completed
  bool completed = false;  // the engine reached done() (whatever its own outcome)
  bool timed_out = false;
  std::string peer;   // "127.0.0.1:25" once connected
  std::string error;  // empty when completed; else e.g. "connection refused by 127.0.0.1:25",
                      // "timed out after 30 s", "the server closed the connection"
  std::size_t bytes_sent = 0, bytes_received = 0;
  std::string tls_error;     // why the TLS handshake failed (e.g. "certificate verification
                             // failed: unable to get local issuer certificate"), else empty
  bool interrupted = false;  // a signal asked the run to stop
};

// Connects, moves bytes between the socket and the engine until the engine is done, then
// closes. When the run ends before done() (refused, EOF, reset, timeout) the engine is told
// through on_disconnect(), so its own outcome reflects the failure too. Never throws for network
// errors; exceptions from the engine or the callbacks propagate after the socket is closed.
ClientRunResult run_client(ClientEngine& engine, const ClientRunOptions& options);

}  // namespace net::socket

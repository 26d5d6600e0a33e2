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

#include "net/engine_event.hpp"

namespace net::smtp {
class Client;
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
};

struct ClientRunResult {
  bool connected = false;  // the TCP handshake completed
  bool completed = false;  // the engine reached done() (whatever its own outcome)
  bool timed_out = false;
  std::string peer;   // "127.0.0.1:25" once connected
  std::string error;  // empty when completed; else e.g. "connection refused by 127.0.0.1:25",
                      // "timed out after 30 s", "the server closed the connection"
  std::size_t bytes_sent = 0, bytes_received = 0;
};

// Connects, moves bytes between the socket and the engine until the engine is done, then
// closes. When the run ends before done() (refused, EOF, reset, timeout) the engine is told
// through on_disconnect(), so its own outcome reflects the failure too. Never throws for network
// errors; exceptions from the engine or the callbacks propagate after the socket is closed.
ClientRunResult run_client(ClientEngine& engine, const ClientRunOptions& options);

}  // namespace net::socket

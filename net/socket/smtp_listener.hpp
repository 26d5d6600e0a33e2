// The socket driver for serve mode: a single-threaded TCP listener that runs one sans-I/O
// net::smtp::Server engine per accepted connection and moves bytes between the socket and
// the engine. asio stays in the .cpp; this header shows only plain types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "net/engine_event.hpp"
#include "net/smtp/server.hpp"

namespace net::smtp {
class ServerPolicy;
}

namespace net::socket {

struct ListenerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 25;  // 0 → an ephemeral port; see SmtpListener::port()
  smtp::ServerConfig server;
  std::size_t max_connections = 50;  // more get "421 4.7.0 Too many connections"
  int idle_timeout_s = 300;  // RFC 5321 §4.5.3.2.7: at least 5 minutes waiting for a command
};

// One TCP connection as the listener saw it.
struct ConnectionInfo {
  std::uint32_t id = 0;  // 1, 2, … in accept order
  std::string peer_ip;
  std::uint16_t peer_port = 0;
  std::string local_ip;
  std::uint16_t local_port = 0;
  bool refused = false;  // over max_connections: answered 421 without an engine
};

// Binding failed; what() reads like "cannot listen on 127.0.0.1:25: Permission denied".
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SmtpListener {
 public:
  // Every line the engine parsed (sent=false, C:) or wrote (sent=true, S:) and every state
  // change, in order, as it happens.
  using EventHandler = std::function<void(const ConnectionInfo&, const EngineEvent&)>;
  // A connection was accepted (opened=true) or is gone (opened=false).
  using ConnectionHandler = std::function<void(const ConnectionInfo&, bool opened)>;
  // Something threw while serving a connection (the connection is then closed).
  using ErrorHandler = std::function<void(const ConnectionInfo&, const std::string& what)>;

  // Binds and listens at once; throws ListenError. `policy` must outlive the listener and
  // is shared by all connections (all on the thread that calls run()).
  SmtpListener(ListenerOptions options, smtp::ServerPolicy& policy);
  ~SmtpListener();
  SmtpListener(const SmtpListener&) = delete;
  SmtpListener& operator=(const SmtpListener&) = delete;

  std::uint16_t port() const;         // the actual port (useful after binding port 0)
  std::string local_address() const;  // "127.0.0.1:2525", "[::1]:2525"

  void on_event(EventHandler cb);
  void on_connection(ConnectionHandler cb);
  void on_error(ErrorHandler cb);

  // Serves until stop() or SIGINT/SIGTERM; open sessions get "421 … shutting down"
  // (RFC 5321 §3.8) and are closed before run() returns.
  void run();
  // Thread-safe; may be called before run() (run() then returns at once).
  void stop();

  std::size_t open_connections() const;  // engine connections currently open

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace net::socket

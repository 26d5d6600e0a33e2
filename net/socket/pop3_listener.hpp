// The socket driver for POP3 in serve mode: a single-threaded TCP listener that runs one
// sans-I/O net::pop3::Server engine per accepted connection (same design as SmtpListener).
// The driver supplies what the engine may not compute itself: the APOP timestamp parts
// (process id and the wall clock at connect), a lock owner id per connection, and the
// failed-login penalty wait (pop3::Server::penalty_ms). asio stays in the .cpp.
//
// Sharing the store with an SmtpListener running on another thread: give both sides the
// same mutex; every engine call that can touch the store runs under store_mutex here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "net/engine_event.hpp"
#include "net/pop3/server.hpp"
#include "net/socket/smtp_listener.hpp"  // ConnectionInfo, ListenError

namespace net::store {
class Mailstore;
}

namespace net::socket {

struct Pop3ListenerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 110;           // 0 → an ephemeral port; see Pop3Listener::port()
  pop3::ServerConfig server;          // lock_owner and apop_* are set per connection
  std::size_t max_connections = 50;   // more get "-ERR [SYS/TEMP] Too many connections"
  int idle_timeout_s = 600;           // RFC 1939 §3: the autologout timer is at least 10 minutes
  std::mutex* store_mutex = nullptr;  // held around engine calls when not null
};

class Pop3Listener {
 public:
  using EventHandler = std::function<void(const ConnectionInfo&, const EngineEvent&)>;
  using ConnectionHandler = std::function<void(const ConnectionInfo&, bool opened)>;
  using ErrorHandler = std::function<void(const ConnectionInfo&, const std::string& what)>;

  // Binds and listens at once; throws ListenError. `store` must outlive the listener.
  Pop3Listener(Pop3ListenerOptions options, store::Mailstore& store);
  ~Pop3Listener();
  Pop3Listener(const Pop3Listener&) = delete;
  Pop3Listener& operator=(const Pop3Listener&) = delete;

  std::uint16_t port() const;
  std::string local_address() const;  // "127.0.0.1:1110"

  void on_event(EventHandler cb);
  void on_connection(ConnectionHandler cb);
  void on_error(ErrorHandler cb);

  // Serves until stop() or SIGINT/SIGTERM; open sessions get "-ERR [SYS/TEMP] … shutting
  // down", are closed without UPDATE (nothing deleted) before run() returns.
  void run();
  void stop();  // thread-safe

  std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace net::socket

// The socket driver for IMAP in serve mode: a single-threaded TCP listener that runs one
// sans-I/O net::imap::Server engine per accepted connection (same design as SmtpListener
// and Pop3Listener). IMAP sessions hear of each other's changes through the store; while a
// client idles (RFC 2177) a change made on any thread is pushed to it at once: the
// listener subscribes to the store and schedules a write on its own thread.
//
// Sharing the store with listeners on other threads: give all of them the same mutex;
// every engine call (and the store subscription) runs under store_mutex here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "net/engine_event.hpp"
#include "net/imap/server.hpp"
#include "net/socket/smtp_listener.hpp"  // ConnectionInfo, ListenError

namespace net::store {
class Mailstore;
}

namespace net::socket {

struct ImapListenerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 143;  // 0 → an ephemeral port; see ImapListener::port()
  imap::ServerConfig server;
  std::size_t max_connections = 50;   // more get "* BYE Too many connections"
  int idle_timeout_s = 1800;          // RFC 3501 §5.4: the autologout timer is at least 30 min
  std::mutex* store_mutex = nullptr;  // held around engine calls when not null
};

class ImapListener {
 public:
  using EventHandler = std::function<void(const ConnectionInfo&, const EngineEvent&)>;
  using ConnectionHandler = std::function<void(const ConnectionInfo&, bool opened)>;
  using ErrorHandler = std::function<void(const ConnectionInfo&, const std::string& what)>;

  // Binds and listens at once; throws ListenError. `store` must outlive the listener.
  ImapListener(ImapListenerOptions options, store::Mailstore& store);
  ~ImapListener();
  ImapListener(const ImapListener&) = delete;
  ImapListener& operator=(const ImapListener&) = delete;

  std::uint16_t port() const;
  std::string local_address() const;  // "127.0.0.1:1143"

  void on_event(EventHandler cb);
  void on_connection(ConnectionHandler cb);
  void on_error(ErrorHandler cb);

  // Serves until stop() or SIGINT/SIGTERM; open sessions get "* BYE … shutting down"
  // (RFC 3501 §7.1.5) and are closed before run() returns.
  void run();
  void stop();  // thread-safe

  std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace net::socket

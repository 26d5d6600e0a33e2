// The socket driver for serve mode: TCP listeners that run one sans-I/O protocol engine per
// accepted connection and move bytes between the socket and the engine. Several listeners
// (SMTP, POP3, IMAP) share one EventLoop, so all engines and the store they share run on the
// thread that calls EventLoop::run(). The protocol-specific parts (which engine, the refusal
// and shutdown lines) come from a Protocol; see net/socket/engines.hpp. asio stays in the
// .cpp; this header shows only plain types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "net/engine_event.hpp"

namespace net::socket {

struct ListenerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;            // 0 → an ephemeral port; see Listener::port()
  std::size_t max_connections = 50;  // more get Protocol::refusal() and are closed
  // Sessions from one client address, counted over every listener of the EventLoop; more get
  // Protocol::ip_refusal and are closed. 0: no limit.
  std::size_t max_per_ip = 0;
  int idle_timeout_s = 300;  // then Session::on_timeout()
  // Deadlines that partial input does not extend (RFC 5321 §4.5.3.2, RFC 3501 §5.4), each
  // from the first byte it covers, then Session::on_timeout(): a whole command line (or TLS
  // handshake), and a whole SMTP DATA transfer or IMAP literal. Silence within them still
  // ends the session after idle_timeout_s.
  int line_timeout_s = 300;
  int data_timeout_s = 600;
};

// What a session waits for from its client (Session::awaiting).
enum class Awaiting : std::uint8_t {
  Command,  // the next command: the idle timer runs
  Line,     // the rest of a command line, or of a TLS handshake
  Bulk,     // the rest of an SMTP DATA transfer or an IMAP literal
};

// One TCP connection as the listener saw it.
struct ConnectionInfo {
  std::uint32_t id = 0;  // 1, 2, … in accept order, per listener
  std::string peer_ip;
  std::uint16_t peer_port = 0;
  std::string local_ip;
  std::uint16_t local_port = 0;
  bool refused = false;  // over max_connections or max_per_ip: refused without an engine
};

// Binding failed; what() reads like "cannot listen on 127.0.0.1:25: Permission denied".
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A TLS handshake message, alert or outcome on a connection (serve mode with TLS): `what` is
// "ClientHello", "Alert: bad certificate", "established TLSv1.3 TLS_AES_256_GCM_SHA384",
// "failed: <why>"; sent=true when this server wrote it.
struct TlsNote {
  bool sent = false;
  std::string what;
  std::size_t bytes = 0;
};

// One connection's engine, as the listener drives it (see e.g. net::smtp::Server).
class Session {
 public:
  virtual ~Session() = default;
  virtual void on_connect(const std::string& peer_ip) = 0;  // queues the greeting
  virtual void feed(std::string_view bytes) = 0;
  virtual std::string take_output() = 0;
  virtual EngineEvents take_events() = 0;
  virtual bool wants_close() const = 0;  // close after flushing output
  virtual void on_disconnect() = 0;      // the peer vanished or the server closed first
  virtual void on_timeout() = 0;         // a timer fired: the engine says goodbye
  virtual Awaiting awaiting() const { return Awaiting::Command; }  // after feed()
  virtual void shutdown() {}  // server stops (when Protocol::shutdown_reply is empty)
  virtual int penalty_ms() const { return 0; }  // > 0: hold output and input that long
  virtual void end_penalty() {}
  virtual bool has_output() const { return false; }  // output queued outside feed()
  // The answer to a command is given in parts (an IMAP FETCH over a big mailbox): once the
  // output taken so far is written, resume() makes the next part.
  virtual bool paused() const { return false; }
  virtual void resume() {}
  // TLS events since the last call (none without TLS); drained with the engine's events.
  virtual std::vector<TlsNote> take_tls() { return {}; }
  // A line the listener itself writes (the shutdown reply) as it goes on the wire: encrypted
  // when the session runs TLS.
  virtual std::string wrap(std::string plain) { return plain; }
};

// A line the listener writes itself (not the engine), with its trace explanation.
struct ListenerReply {
  std::string text;  // without CRLF
  std::string meaning;
  std::string rfc;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual std::unique_ptr<Session> open(const ConnectionInfo& conn) = 0;
  // Called once the listener exists: `wake` (loop thread only) makes it write whatever
  // sessions have queued outside feed() (Session::has_output).
  virtual void attach(std::function<void()> wake) { (void)wake; }

  // Sent instead of a greeting to a connection over max_connections.
  ListenerReply refusal;
  // Sent instead of a greeting to a connection over max_per_ip.
  ListenerReply ip_refusal;
  // The last line for open sessions when the server stops; nullopt: Session::shutdown()
  // queues it.
  std::optional<ListenerReply> shutdown_reply;
};

// One thread's asio event loop, shared by listeners; it also handles SIGINT/SIGTERM.
class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Serves until stop() or SIGINT/SIGTERM; open sessions get their protocol's shutdown
  // reply and are closed before run() returns. A second signal closes them at once.
  void run();
  // Thread-safe; may be called before run() (run() then returns at once).
  void stop();
  // Thread-safe: runs `fn` on the loop's thread (serve --maildir's group commit hands its
  // finished writes back this way).
  void post(std::function<void()> fn);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend class Listener;
};

class Listener {
 public:
  // Every line the engine parsed (sent=false, C:) or wrote (sent=true, S:) and every state
  // change, in order, as it happens.
  using EventHandler = std::function<void(const ConnectionInfo&, const EngineEvent&)>;
  // A connection was accepted (opened=true) or is gone (opened=false).
  using ConnectionHandler = std::function<void(const ConnectionInfo&, bool opened)>;
  // A TLS handshake message or outcome (only on listeners whose protocol has TLS).
  using TlsHandler = std::function<void(const ConnectionInfo&, const TlsNote&)>;
  // The wire tap: every chunk as it crosses the socket (TLS records once TLS is on). sent:
  // written by this server; else read from the client, reported once the engine has taken
  // it (so a credential in that chunk's lines is already marked in on_event). Empty: that
  // side's FIN (this server shut down its sending side, or the client's end of stream).
  // Opening and closing come through on_connection.
  using WireHandler = std::function<void(const ConnectionInfo&, bool sent, std::string_view bytes)>;
  // Something threw while serving a connection (the connection is then closed).
  using ErrorHandler = std::function<void(const ConnectionInfo&, const std::string& what)>;

  // Binds and listens at once; throws ListenError. `loop` must outlive the listener;
  // connections are accepted while loop.run() runs.
  Listener(EventLoop& loop, ListenerOptions options, std::unique_ptr<Protocol> protocol);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  std::uint16_t port() const;         // the actual port (useful after binding port 0)
  std::string local_address() const;  // "127.0.0.1:2525", "[::1]:2525"

  void on_event(EventHandler cb);
  void on_connection(ConnectionHandler cb);
  void on_error(ErrorHandler cb);
  void on_tls(TlsHandler cb);
  void on_wire(WireHandler cb);

  std::size_t open_connections() const;  // engine connections currently open

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace net::socket

// POP3 engines attached to simulated TCP connections (the "sim driver" of net::pop3), the
// same shape as sim/smtp_session.hpp. The server session honours the engine's failed-login
// penalty with a simulated-time timer.
#pragma once

#include <functional>
#include <memory>

#include "net/pop3/client.hpp"
#include "net/pop3/server.hpp"
#include "sim/engine_trace.hpp"
#include "sim/event_queue.hpp"
#include "sim/tcp.hpp"

namespace net::store {
class Mailstore;
}

namespace sim {

class Pop3ServerSession : public TcpApp, public std::enable_shared_from_this<Pop3ServerSession> {
 public:
  // cfg.lock_owner must be unique per session (e.g. derived from the connection id).
  Pop3ServerSession(Trace& trace, EventQueue& q, net::pop3::ServerConfig cfg,
                    net::store::Mailstore& store);
  void on_open(TcpConn& c) override;
  void on_data(TcpConn& c, std::string_view bytes) override;
  void on_close(TcpConn& c, bool reset) override;

 private:
  void pump(TcpConn& c);
  Trace& trace_;
  EventQueue& q_;
  net::pop3::Server engine_;
  EngineContext ctx_;
  EventId penalty_ = 0;
  bool closing_ = false;
};

// Runs one download job; `done` is called exactly once with the outcome (also when the
// connection is refused, lost, or the server stops answering for `timeout`).
class Pop3ClientSession : public TcpApp, public std::enable_shared_from_this<Pop3ClientSession> {
 public:
  using Done = std::function<void(const net::pop3::ClientOutcome&)>;
  Pop3ClientSession(Trace& trace, EventQueue& q, net::pop3::ClientJob job, Done done,
                    Time timeout = 10 * kMinute);
  void on_open(TcpConn& c) override;
  void on_data(TcpConn& c, std::string_view bytes) override;
  void on_close(TcpConn& c, bool reset) override;
  void on_refused(const std::string& why) override;

 private:
  void pump(TcpConn& c);
  void finish(const net::pop3::ClientOutcome& o);
  void arm_timer(TcpConn& c);
  Trace& trace_;
  EventQueue& q_;
  net::pop3::Client engine_;
  Done done_;
  Time timeout_;
  EngineContext ctx_;
  EventId timer_ = 0;
  bool finished_ = false;
  bool closing_ = false;
};

}  // namespace sim

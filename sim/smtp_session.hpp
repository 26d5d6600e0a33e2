// SMTP engines attached to simulated TCP connections (the "sim driver" of net::smtp).
#pragma once

#include <functional>
#include <memory>

#include "net/smtp/client.hpp"
#include "net/smtp/server.hpp"
#include "sim/engine_trace.hpp"
#include "sim/event_queue.hpp"
#include "sim/network.hpp"

namespace sim {

class SmtpServerSession : public TcpApp {
 public:
  SmtpServerSession(Trace& trace, EventQueue& q, net::smtp::ServerConfig cfg,
                    net::smtp::ServerPolicy& policy);
  void on_open(TcpConn& c) override;
  void on_data(TcpConn& c, std::string_view bytes) override;
  void on_close(TcpConn& c, bool reset) override;

 private:
  void pump(TcpConn& c);
  Trace& trace_;
  EventQueue& q_;
  net::smtp::Server engine_;
  EngineContext ctx_;
  bool closing_ = false;
};

// Runs one client job; `done` is called exactly once with the outcome (also when the
// connection is refused, lost, or the server stops answering for `timeout`).
class SmtpClientSession : public TcpApp, public std::enable_shared_from_this<SmtpClientSession> {
 public:
  using Done = std::function<void(const net::smtp::ClientOutcome&)>;
  SmtpClientSession(Trace& trace, EventQueue& q, net::smtp::ClientJob job, Done done,
                    Time timeout = 5 * kMinute);
  void on_open(TcpConn& c) override;
  void on_data(TcpConn& c, std::string_view bytes) override;
  void on_close(TcpConn& c, bool reset) override;
  void on_refused(const std::string& why) override;

 private:
  void pump(TcpConn& c);
  void finish(const net::smtp::ClientOutcome& o);
  void arm_timer(TcpConn& c);
  Trace& trace_;
  EventQueue& q_;
  net::smtp::Client engine_;
  Done done_;
  Time timeout_;
  EngineContext ctx_;
  EventId timer_ = 0;
  bool finished_ = false;
  bool closing_ = false;
};

}  // namespace sim

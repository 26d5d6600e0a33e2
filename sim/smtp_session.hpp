// SMTP engines attached to simulated TCP connections (the "sim driver" of net::smtp), on
// the shared driver in sim/engine_session.hpp.
#pragma once

#include <string>

#include "net/smtp/client.hpp"
#include "net/smtp/server.hpp"
#include "sim/engine_session.hpp"
#include "sim/network.hpp"

namespace sim {

class SmtpServerSession : public EngineServerSession<net::smtp::Server> {
 public:
  SmtpServerSession(Trace& trace, EventQueue& q, net::smtp::ServerConfig cfg,
                    net::smtp::ServerPolicy& policy);
};

// Runs one client job; `done` is called exactly once with the outcome (also when the
// connection is refused, lost, or the server stops answering for `timeout`).
class SmtpClientSession : public EngineClientSession<net::smtp::Client> {
 public:
  SmtpClientSession(Trace& trace, EventQueue& q, net::smtp::ClientJob job, Done done,
                    Time timeout = 5 * kMinute);

 private:
  net::smtp::ClientOutcome refused_outcome(const std::string& why) const override;
  net::smtp::ClientOutcome timed_out_outcome(net::smtp::ClientOutcome o) const override;
};

}  // namespace sim

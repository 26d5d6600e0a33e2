#include "sim/smtp_session.hpp"

namespace sim {

SmtpServerSession::SmtpServerSession(Trace& trace, EventQueue& q, net::smtp::ServerConfig cfg,
                                     net::smtp::ServerPolicy& policy)
    : EngineServerSession(trace, q, Proto::Smtp, std::move(cfg), policy) {}
// On close the engine drops a half-received message: it is never delivered.

SmtpClientSession::SmtpClientSession(Trace& trace, EventQueue& q, net::smtp::ClientJob job,
                                     Done done, Time timeout)
    : EngineClientSession(trace, q, Proto::Smtp, std::move(job), std::move(done), timeout) {}

net::smtp::ClientOutcome SmtpClientSession::refused_outcome(const std::string& why) const {
  net::smtp::ClientOutcome o;
  o.finished = true;
  o.temporary = true;
  o.error = why;
  return o;
}

net::smtp::ClientOutcome SmtpClientSession::timed_out_outcome(net::smtp::ClientOutcome o) const {
  o.finished = true;
  o.temporary = true;
  o.error = "the server stopped answering (timed out)";
  return o;
}

}  // namespace sim

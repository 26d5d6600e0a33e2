#include "sim/pop3_session.hpp"

namespace sim {

Pop3ServerSession::Pop3ServerSession(Trace& trace, EventQueue& q, net::pop3::ServerConfig cfg,
                                     net::store::Mailstore& store)
    : EngineServerSession(trace, q, Proto::Pop3, std::move(cfg), store) {}

// On close the engine does no UPDATE: nothing is deleted, the lock is released.
void Pop3ServerSession::before_disconnect() {
  if (penalty_) q_.cancel(penalty_);
  penalty_ = 0;
}

void Pop3ServerSession::after_pump(TcpConn& c) {
  // RFC 1939 §13: a failed-login reply is held back; release it after the penalty.
  if (engine_.penalty_ms() > 0 && !penalty_) {
    TcpConn* conn = &c;  // valid while open; the timer is cancelled on close
    std::weak_ptr<Pop3ServerSession> self = weak_from_this();
    penalty_ = q_.after(engine_.penalty_ms() * kMillisecond, [self, conn] {
      auto s = self.lock();
      if (!s || s->closing_) return;
      s->penalty_ = 0;
      s->engine_.end_penalty();
      s->pump(*conn);
    });
  }
}

Pop3ClientSession::Pop3ClientSession(Trace& trace, EventQueue& q, net::pop3::ClientJob job,
                                     Done done, Time timeout)
    : EngineClientSession(trace, q, Proto::Pop3, std::move(job), std::move(done), timeout) {}

net::pop3::ClientOutcome Pop3ClientSession::refused_outcome(const std::string& why) const {
  net::pop3::ClientOutcome o;
  o.finished = true;
  o.error = why;
  o.errors.push_back(why);
  return o;
}

net::pop3::ClientOutcome Pop3ClientSession::timed_out_outcome(net::pop3::ClientOutcome o) const {
  o.finished = true;
  o.ok = false;
  o.errors.push_back("the server stopped answering (timed out)");
  if (o.error.empty()) o.error = o.errors.back();
  return o;
}

}  // namespace sim

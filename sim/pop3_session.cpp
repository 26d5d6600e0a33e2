#include "sim/pop3_session.hpp"

namespace sim {

static EngineContext pop3_context(const TcpConn& c) {
  EngineContext ctx;
  ctx.conn = c.id();
  ctx.proto = Proto::Pop3;
  ctx.host = c.local_host();
  ctx.peer = c.peer_host();
  ctx.client = c.is_client();
  return ctx;
}

Pop3ServerSession::Pop3ServerSession(Trace& trace, EventQueue& q, net::pop3::ServerConfig cfg,
                                     net::store::Mailstore& store)
    : trace_(trace), q_(q), engine_(std::move(cfg), store) {}

void Pop3ServerSession::on_open(TcpConn& c) {
  ctx_ = pop3_context(c);
  engine_.on_connect(c.peer_ip(), c.peer_host());
  pump(c);
}

void Pop3ServerSession::on_data(TcpConn& c, std::string_view bytes) {
  if (closing_) return;
  engine_.feed(bytes);
  pump(c);
}

void Pop3ServerSession::on_close(TcpConn&, bool) {
  if (closing_) return;
  closing_ = true;
  if (penalty_) q_.cancel(penalty_);
  penalty_ = 0;
  engine_.on_disconnect();  // no UPDATE: nothing is deleted, the lock is released
  record_engine_events(trace_, q_.now(), ctx_, engine_.take_events());
}

void Pop3ServerSession::pump(TcpConn& c) {
  record_engine_events(trace_, q_.now(), ctx_, engine_.take_events());
  std::string out = engine_.take_output();
  if (!out.empty()) c.send(out);
  if (engine_.wants_close() && !closing_) {
    closing_ = true;
    c.close();
    return;
  }
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
    : trace_(trace), q_(q), engine_(std::move(job)), done_(std::move(done)), timeout_(timeout) {}

void Pop3ClientSession::arm_timer(TcpConn& c) {
  if (timer_) q_.cancel(timer_);
  TcpConn* conn = &c;
  std::weak_ptr<Pop3ClientSession> self = weak_from_this();
  timer_ = q_.after(timeout_, [self, conn] {
    auto s = self.lock();
    if (!s || s->finished_) return;
    s->timer_ = 0;
    net::pop3::ClientOutcome o = s->engine_.outcome();
    o.finished = true;
    o.ok = false;
    o.errors.push_back("the server stopped answering (timed out)");
    if (o.error.empty()) o.error = o.errors.back();
    s->closing_ = true;
    s->finish(o);
    conn->abort();
  });
}

void Pop3ClientSession::on_open(TcpConn& c) {
  ctx_ = pop3_context(c);
  arm_timer(c);
  pump(c);
}

void Pop3ClientSession::on_data(TcpConn& c, std::string_view bytes) {
  if (closing_) return;
  engine_.feed(bytes);
  arm_timer(c);
  pump(c);
}

void Pop3ClientSession::pump(TcpConn& c) {
  record_engine_events(trace_, q_.now(), ctx_, engine_.take_events());
  std::string out = engine_.take_output();
  if (!out.empty()) c.send(out);
  if (engine_.done() && !closing_) {
    closing_ = true;
    c.close();
    finish(engine_.outcome());
  }
}

void Pop3ClientSession::on_close(TcpConn&, bool) {
  if (!finished_) {
    engine_.on_disconnect();
    record_engine_events(trace_, q_.now(), ctx_, engine_.take_events());
    finish(engine_.outcome());
  }
}

void Pop3ClientSession::on_refused(const std::string& why) {
  net::pop3::ClientOutcome o;
  o.finished = true;
  o.error = why;
  o.errors.push_back(why);
  finish(o);
}

void Pop3ClientSession::finish(const net::pop3::ClientOutcome& o) {
  if (finished_) return;
  finished_ = true;
  if (timer_) q_.cancel(timer_);
  timer_ = 0;
  if (done_) done_(o);
}

}  // namespace sim

#include "sim/smtp_session.hpp"

namespace sim {

static EngineContext context_of(const TcpConn& c, Proto proto) {
  EngineContext ctx;
  ctx.conn = c.id();
  ctx.proto = proto;
  ctx.host = c.local_host();
  ctx.peer = c.peer_host();
  ctx.client = c.is_client();
  return ctx;
}

SmtpServerSession::SmtpServerSession(Trace& trace, EventQueue& q, net::smtp::ServerConfig cfg,
                                     net::smtp::ServerPolicy& policy)
    : trace_(trace), q_(q), engine_(std::move(cfg), policy) {}

void SmtpServerSession::on_open(TcpConn& c) {
  ctx_ = context_of(c, Proto::Smtp);
  engine_.on_connect(c.peer_ip(), c.peer_host());
  pump(c);
}

void SmtpServerSession::on_data(TcpConn& c, std::string_view bytes) {
  if (closing_) return;
  engine_.feed(bytes);
  pump(c);
}

void SmtpServerSession::on_close(TcpConn&, bool) {
  if (closing_) return;
  closing_ = true;
  engine_.on_disconnect();  // a half-received message is dropped, never delivered
  record_engine_events(trace_, q_.now(), ctx_, engine_.take_events());
}

void SmtpServerSession::pump(TcpConn& c) {
  record_engine_events(trace_, q_.now(), ctx_, engine_.take_events());
  std::string out = engine_.take_output();
  if (!out.empty()) c.send(out);
  if (engine_.wants_close() && !closing_) {
    closing_ = true;
    c.close();
  }
}

SmtpClientSession::SmtpClientSession(Trace& trace, EventQueue& q, net::smtp::ClientJob job,
                                     Done done, Time timeout)
    : trace_(trace), q_(q), engine_(std::move(job)), done_(std::move(done)), timeout_(timeout) {}

void SmtpClientSession::arm_timer(TcpConn& c) {
  if (timer_) q_.cancel(timer_);
  // The connection handle stays valid while it is open; the timer is cancelled on close.
  TcpConn* conn = &c;
  std::weak_ptr<SmtpClientSession> self = weak_from_this();
  timer_ = q_.after(timeout_, [self, conn] {
    auto s = self.lock();
    if (!s || s->finished_) return;
    s->timer_ = 0;
    net::smtp::ClientOutcome o = s->engine_.outcome();
    o.finished = true;
    o.temporary = true;
    o.error = "the server stopped answering (timed out)";
    s->closing_ = true;
    s->finish(o);
    conn->abort();
  });
}

void SmtpClientSession::on_open(TcpConn& c) {
  ctx_ = context_of(c, Proto::Smtp);
  arm_timer(c);
  pump(c);
}

void SmtpClientSession::on_data(TcpConn& c, std::string_view bytes) {
  if (closing_) return;
  engine_.feed(bytes);
  arm_timer(c);
  pump(c);
}

void SmtpClientSession::pump(TcpConn& c) {
  record_engine_events(trace_, q_.now(), ctx_, engine_.take_events());
  std::string out = engine_.take_output();
  if (!out.empty()) c.send(out);
  if (engine_.done() && !closing_) {
    closing_ = true;
    c.close();
    finish(engine_.outcome());
  }
}

void SmtpClientSession::on_close(TcpConn&, bool) {
  if (!finished_) {
    engine_.on_disconnect();
    record_engine_events(trace_, q_.now(), ctx_, engine_.take_events());
    finish(engine_.outcome());
  }
}

void SmtpClientSession::on_refused(const std::string& why) {
  net::smtp::ClientOutcome o;
  o.finished = true;
  o.temporary = true;
  o.error = why;
  finish(o);
}

void SmtpClientSession::finish(const net::smtp::ClientOutcome& o) {
  if (finished_) return;
  finished_ = true;
  if (timer_) q_.cancel(timer_);
  timer_ = 0;
  if (done_) done_(o);
}

}  // namespace sim

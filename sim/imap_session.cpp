#include "sim/imap_session.hpp"

#include "net/store/mailstore.hpp"

namespace sim {

ImapServerSession::ImapServerSession(Trace& trace, EventQueue& q, net::imap::ServerConfig cfg,
                                     net::store::Mailstore& store,
                                     std::function<std::int64_t()> unix_now)
    : EngineServerSession(trace, q, Proto::Imap, std::move(cfg), store, std::move(unix_now)),
      store_(store) {}

ImapServerSession::~ImapServerSession() {
  if (listener_) store_.unsubscribe(listener_);
}

void ImapServerSession::on_open(TcpConn& c) {
  EngineServerSession::on_open(c);
  // Another session's change may give this one something to say (IDLE, RFC 2177 §3); the
  // engine queues it from its own store listener, this one only wakes the driver.
  TcpConn* conn = &c;  // valid while open; the listener is removed on close
  std::weak_ptr<ImapServerSession> self = weak_from_this();
  listener_ = store_.on_change([self, conn](const net::store::Change&) {
    auto s = self.lock();
    if (!s || s->closing_ || s->wake_) return;
    s->wake_ = s->q_.after(0, [self, conn] {
      auto t = self.lock();
      if (!t) return;
      t->wake_ = 0;
      if (!t->closing_ && t->engine_.has_output()) t->pump(*conn);
    });
  });
}

void ImapServerSession::before_disconnect() {
  if (listener_) store_.unsubscribe(listener_);
  listener_ = 0;
  for (EventId* t : {&penalty_, &wake_})
    if (*t) q_.cancel(*t), *t = 0;
}

void ImapServerSession::after_pump(TcpConn& c) {
  // Failed logins past the free ones: the reply is held back for the penalty time.
  if (engine_.penalty_ms() > 0 && !penalty_) {
    TcpConn* conn = &c;
    std::weak_ptr<ImapServerSession> self = weak_from_this();
    penalty_ = q_.after(engine_.penalty_ms() * kMillisecond, [self, conn] {
      auto s = self.lock();
      if (!s || s->closing_) return;
      s->penalty_ = 0;
      s->engine_.end_penalty();
      s->pump(*conn);
    });
  }
}

ImapClientSession::ImapClientSession(Trace& trace, EventQueue& q, net::imap::ClientJob job,
                                     Done done, Time timeout, Time idle_limit)
    : EngineClientSession(trace, q, Proto::Imap, std::move(job), std::move(done), timeout),
      idle_limit_(idle_limit) {}

void ImapClientSession::on_close(TcpConn& c, bool reset) {
  if (idle_timer_) q_.cancel(idle_timer_);
  idle_timer_ = 0;
  EngineClientSession::on_close(c, reset);
}

void ImapClientSession::on_data(TcpConn& c, std::string_view bytes) {
  EngineClientSession::on_data(c, bytes);
  watch_idle(c);
}

// An IDLE the server never interrupts ends after idle_limit_ (the client's own choice; RFC
// 2177 §3 asks clients to re-issue IDLE at least every 29 minutes).
void ImapClientSession::watch_idle(TcpConn& c) {
  if (!engine_.idling()) {
    if (idle_timer_) q_.cancel(idle_timer_);
    idle_timer_ = 0;
    return;
  }
  if (idle_timer_) return;
  TcpConn* conn = &c;
  std::weak_ptr<EngineClientSession> self = weak_from_this();
  idle_timer_ = q_.after(idle_limit_, [this, self, conn] {
    auto s = self.lock();
    if (!s || closing_) return;
    idle_timer_ = 0;
    engine_.stop_idle();
    pump(*conn);
  });
}

net::imap::ClientOutcome ImapClientSession::refused_outcome(const std::string& why) const {
  net::imap::ClientOutcome o;
  o.finished = true;
  o.error = why;
  o.errors.push_back(why);
  return o;
}

net::imap::ClientOutcome ImapClientSession::timed_out_outcome(net::imap::ClientOutcome o) const {
  o.finished = true;
  o.ok = false;
  o.errors.push_back("the server stopped answering (timed out)");
  if (o.error.empty()) o.error = o.errors.back();
  return o;
}

}  // namespace sim

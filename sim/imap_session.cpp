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
  std::weak_ptr<EngineServerSession> weak = weak_from_this();
  listener_ = store_.on_change([this, weak, conn](const net::store::Change&) {
    if (!weak.lock() || closing_ || wake_) return;
    wake_ = q_.after(0, [this, weak, conn] {
      if (!weak.lock()) return;
      wake_ = 0;
      if (!closing_ && engine_.has_output()) pump(*conn);
    });
  });
}

void ImapServerSession::before_disconnect() {
  if (listener_) store_.unsubscribe(listener_);
  listener_ = 0;
  if (wake_) q_.cancel(wake_);
  wake_ = 0;
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

}  // namespace sim

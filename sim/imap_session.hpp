// IMAP engines attached to simulated TCP connections (the "sim driver" of net::imap), on
// the shared driver in sim/engine_session.hpp.
//
// The server session also writes when nothing arrived on its own connection: another
// session's STORE/EXPUNGE or a delivery makes the engine queue untagged responses for an
// idling client (RFC 2177), so the session listens to the store and pumps on change.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/imap/client.hpp"
#include "net/imap/server.hpp"
#include "sim/engine_session.hpp"

namespace net::store {
class Mailstore;
}

namespace sim {

class ImapServerSession : public EngineServerSession<net::imap::Server> {
 public:
  ImapServerSession(Trace& trace, EventQueue& q, net::imap::ServerConfig cfg,
                    net::store::Mailstore& store, std::function<std::int64_t()> unix_now);
  ~ImapServerSession() override;
  void on_open(TcpConn& c) override;

 private:
  void before_disconnect() override;
  net::store::Mailstore& store_;
  std::uint64_t listener_ = 0;
  EventId wake_ = 0;  // a pump scheduled because the store changed
};

// Runs one job; `done` is called exactly once with the outcome (also when the connection
// is refused, lost, or the server stops answering for `timeout`). An IDLE op ends with
// DONE after `idle_limit` of simulated time if the server reported nothing.
class ImapClientSession : public EngineClientSession<net::imap::Client> {
 public:
  ImapClientSession(Trace& trace, EventQueue& q, net::imap::ClientJob job, Done done,
                    Time timeout = 10 * kMinute, Time idle_limit = 5 * kMinute);
  void on_data(TcpConn& c, std::string_view bytes) override;
  void on_close(TcpConn& c, bool reset) override;

  void watch_idle(TcpConn& c);
  Time idle_limit_;
  EventId idle_timer_ = 0;
};

}  // namespace sim

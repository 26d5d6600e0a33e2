// POP3 engines attached to simulated TCP connections (the "sim driver" of net::pop3), on
// the shared driver in sim/engine_session.hpp (which also honours the engine's failed-login
// penalty with a simulated-time timer).
#pragma once

#include <memory>
#include <string>

#include "net/pop3/client.hpp"
#include "net/pop3/server.hpp"
#include "sim/engine_session.hpp"

namespace net::store {
class Mailstore;
}

namespace sim {

class Pop3ServerSession : public EngineServerSession<net::pop3::Server> {
 public:
  // cfg.lock_owner must be unique per session (e.g. derived from the connection id).
  Pop3ServerSession(Trace& trace, EventQueue& q, net::pop3::ServerConfig cfg,
                    net::store::Mailstore& store);
};

// Runs one download job; `done` is called exactly once with the outcome (also when the
// connection is refused, lost, or the server stops answering for `timeout`).
class Pop3ClientSession : public EngineClientSession<net::pop3::Client> {
 public:
  Pop3ClientSession(Trace& trace, EventQueue& q, net::pop3::ClientJob job, Done done,
                    Time timeout = 10 * kMinute);
};

}  // namespace sim

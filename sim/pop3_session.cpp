#include "sim/pop3_session.hpp"

namespace sim {

Pop3ServerSession::Pop3ServerSession(Trace& trace, EventQueue& q, net::pop3::ServerConfig cfg,
                                     net::store::Mailstore& store)
    : EngineServerSession(trace, q, Proto::Pop3, std::move(cfg), store) {}

Pop3ClientSession::Pop3ClientSession(Trace& trace, EventQueue& q, net::pop3::ClientJob job,
                                     Done done, Time timeout)
    : EngineClientSession(trace, q, Proto::Pop3, std::move(job), std::move(done), timeout) {}

}  // namespace sim

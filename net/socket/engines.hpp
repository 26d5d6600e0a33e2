// The per-protocol parts of serve mode's Listener (net/socket/listener.hpp): which engine
// each connection gets, what the listener itself answers when over the connection limit,
// and how open sessions hear that the server stops.
#pragma once

#include <memory>

#include "net/imap/server.hpp"
#include "net/pop3/server.hpp"
#include "net/smtp/server.hpp"
#include "net/socket/listener.hpp"

namespace net::store {
class Mailstore;
}

namespace net::socket {

// net::smtp::Server; over the limit "421 4.7.0 Too many connections", on shutdown
// "421 4.3.2 … Service shutting down" (RFC 5321 §3.8). `policy` must outlive the listener.
std::unique_ptr<Protocol> smtp_protocol(smtp::ServerConfig cfg, smtp::ServerPolicy& policy);

// net::pop3::Server; lock_owner and apop_* are set per connection, and a failed login's
// penalty is waited out. Over the limit and on shutdown "-ERR [SYS/TEMP] …" (RFC 2449 §8.1.2);
// shutdown deletes nothing. `store` must outlive the listener.
std::unique_ptr<Protocol> pop3_protocol(pop3::ServerConfig cfg, store::Mailstore& store);

// net::imap::Server; over the limit and on shutdown "* BYE …" (RFC 3501 §7.1.5). A store
// change is pushed at once to idling clients (RFC 2177). `store` must outlive the listener.
std::unique_ptr<Protocol> imap_protocol(imap::ServerConfig cfg, store::Mailstore& store);

}  // namespace net::socket

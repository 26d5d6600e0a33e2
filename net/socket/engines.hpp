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
namespace net::tls {
class Context;
}

namespace net::socket {

// TLS under the engine, as sim/engine_session.hpp does it in the simulator: ciphertext on the
// socket, plaintext to the engine. `implicit`: the handshake starts with the connection (465,
// 993, 995, RFC 8314); else, with a context, the handshake runs when an engine that speaks
// STARTTLS/STLS asks for it (wants_tls(), then on_tls_established()). Engines without that
// API still work with implicit TLS: the driver encrypts from the first byte.
struct TlsConfig {
  std::shared_ptr<tls::Context> ctx;  // null: plaintext only
  bool implicit = false;
};

// net::smtp::Server; over the limit "421 4.7.0 Too many connections" (over max_per_ip "… from
// your address"), on shutdown "421 4.3.2 … Service shutting down" (RFC 5321 §3.8). `policy`
// must outlive the listener.
std::unique_ptr<Protocol> smtp_protocol(smtp::ServerConfig cfg, smtp::ServerPolicy& policy,
                                        TlsConfig tls = {});

// net::pop3::Server; lock_owner and apop_* are set per connection, and a failed login's
// penalty is waited out. Over the limit and on shutdown "-ERR [SYS/TEMP] …" (RFC 2449 §8.1.2);
// shutdown deletes nothing. `store` must outlive the listener.
std::unique_ptr<Protocol> pop3_protocol(pop3::ServerConfig cfg, store::Mailstore& store,
                                        TlsConfig tls = {});

// net::imap::Server; over the limit and on shutdown "* BYE …" (RFC 3501 §7.1.5). A store
// change is pushed at once to idling clients (RFC 2177). `store` must outlive the listener.
std::unique_ptr<Protocol> imap_protocol(imap::ServerConfig cfg, store::Mailstore& store,
                                        TlsConfig tls = {});

}  // namespace net::socket

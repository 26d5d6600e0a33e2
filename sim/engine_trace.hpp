// Turns what a protocol engine reports (net::EngineEvents) into trace events. The simulator
// records only the lines an engine SENDS: both ends are simulated, so recording received
// lines too would show every line twice.
#pragma once

#include <string>
#include <string_view>

#include "net/engine_event.hpp"
#include "sim/trace.hpp"

namespace net::tls {
struct Info;
}

namespace sim {

struct EngineContext {
  std::uint32_t conn = 0;
  Proto proto = Proto::None;
  Sym host, peer;      // this engine's host and the other end
  bool client = true;  // this engine is the client side
};

// Records the events in the trace (their text moved, the rest interned); `events` is left with
// moved-from elements for the caller to clear (net::EngineIo::drain_events keeps the buffer for the
// next batch).
void record_engine_events(Trace& trace, Time now, const EngineContext& ctx,
                          net::EngineEvents& events, bool include_received = false);
inline void record_engine_events(Trace& trace, Time now, const EngineContext& ctx,
                                 net::EngineEvents&& events, bool include_received = false) {
  record_engine_events(trace, now, ctx, events, include_received);
}

// What a client learnt about the server once TLS is up, as TlsEv notes from the server (0
// bytes: nothing on the wire): kTlsResumedNote when an earlier session was resumed,
// "certificate 0: <leaf subject>", one per certificate of the chain, "issuer: <issuer of
// the last>" and "verify: ok" (or why not). The inspector shows them as the certificate
// chain; the simulator and `mailsim live` write the same notes.
inline constexpr std::string_view kTlsResumedNote =
    "resumed: no certificate sent, the client knows it from an earlier connection (RFC 8446 2.2)";
void record_tls_peer(Trace& trace, Time now, const EngineContext& ctx, const net::tls::Info& info);

}  // namespace sim

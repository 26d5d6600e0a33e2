#include "sim/engine_trace.hpp"

#include <string>
#include <type_traits>

#include "net/tls/session.hpp"

namespace sim {

void record_engine_events(Trace& trace, Time now, const EngineContext& ctx,
                          net::EngineEvents events, bool include_received) {
  for (auto& ev : events) {
    std::visit(
        [&](auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, net::LineEvent>) {
            // Register credentials before anything carrying them reaches the trace.
            if (!e.secret.empty()) trace.add_secret(e.secret);
            if (!e.sent && !include_received) return;
            LineEv l;
            l.conn = ctx.conn;
            l.proto = ctx.proto;
            l.from = e.sent ? ctx.host : ctx.peer;
            l.to = e.sent ? ctx.peer : ctx.host;
            l.from_client = (e.sent == ctx.client);
            l.data = e.kind == net::LineKind::Data;
            l.label = std::move(e.label);
            l.meaning = std::move(e.meaning);
            l.rfc = std::move(e.rfc);
            // An IMAP line carrying a literal ("{724}" then the message) is one event for
            // the engine; every view shows one line per event, so the literal's lines
            // follow as data lines.
            std::size_t start = 0;
            for (bool first = true;; first = false) {
              std::size_t nl = e.text.find('\n', start);
              std::string piece = e.text.substr(start, nl == std::string::npos ? nl : nl - start);
              if (nl != std::string::npos && !piece.empty() && piece.back() == '\r')
                piece.pop_back();
              LineEv part = l;
              if (!first) {
                part.data = true;
                part.label.clear();
                part.meaning.clear();
                part.rfc.clear();
              }
              part.text = std::move(piece);
              trace.append(now, std::move(part));
              if (nl == std::string::npos) break;
              start = nl + 1;
            }
          } else {
            StateEv s;
            s.host = ctx.host;
            s.conn = ctx.conn;
            s.proto = ctx.proto;
            s.role = ctx.client ? "client" : "server";
            s.from = std::move(e.from);
            s.to = std::move(e.to);
            trace.append(now, std::move(s));
          }
        },
        ev);
  }
}

void record_tls_peer(Trace& trace, Time now, const EngineContext& ctx, const net::tls::Info& info) {
  auto note = [&](std::string what) {
    trace.append(now, TlsEv{ctx.conn, ctx.peer, ctx.host, std::move(what), 0});
  };
  for (std::size_t k = 0; k < info.peer_chain.size(); ++k)
    note("certificate " + std::to_string(k) + ": " + info.peer_chain[k]);
  if (!info.peer_issuer.empty()) note("issuer: " + info.peer_issuer);
  note("verify: " + info.verify);
}

}  // namespace sim

#include "sim/engine_trace.hpp"

#include <string>
#include <string_view>
#include <type_traits>

#include "net/tls/session.hpp"

namespace sim {

void record_engine_events(Trace& trace, Time now, const EngineContext& ctx,
                          net::EngineEvents& events, bool include_received) {
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
            l.label = trace.sym(e.label);
            l.meaning = trace.sym(e.meaning);
            l.rfc = trace.sym(e.rfc);
            // An IMAP line carrying a literal ("{724}" then the message) is one event for
            // the engine; every view shows one line per event, so the literal's lines
            // follow as data lines.
            std::string_view text = e.text;
            std::size_t nl = text.find('\n');
            if (nl == std::string_view::npos) {  // the usual case: one line, moved whole
              l.text = std::move(e.text);
              trace.append(now, std::move(l));
              return;
            }
            for (std::size_t start = 0;;) {
              std::string_view piece =
                  text.substr(start, nl == std::string_view::npos ? nl : nl - start);
              if (nl != std::string_view::npos && !piece.empty() && piece.back() == '\r')
                piece.remove_suffix(1);
              LineEv part;
              part.conn = l.conn;
              part.proto = l.proto;
              part.from = l.from;
              part.to = l.to;
              part.from_client = l.from_client;
              if (start == 0) {
                part.data = l.data;
                part.label = std::move(l.label);
                part.meaning = std::move(l.meaning);
                part.rfc = std::move(l.rfc);
              } else {
                part.data = true;
              }
              part.text = std::string(piece);
              trace.append(now, std::move(part));
              if (nl == std::string_view::npos) break;
              start = nl + 1;
              nl = text.find('\n', start);
            }
          } else {
            StateEv s;
            s.host = ctx.host;
            s.conn = ctx.conn;
            s.proto = ctx.proto;
            s.role = trace.sym(ctx.client ? "client" : "server");
            s.from = trace.sym(e.from);
            s.to = trace.sym(e.to);
            trace.append(now, std::move(s));
          }
        },
        ev);
  }
}

void record_tls_peer(Trace& trace, Time now, const EngineContext& ctx, const net::tls::Info& info) {
  auto note = [&](const std::string& what) {
    trace.append(now, TlsEv{ctx.conn, ctx.peer, ctx.host, what, 0});
  };
  if (info.resumed) note(std::string(kTlsResumedNote));
  for (std::size_t k = 0; k < info.peer_chain.size(); ++k)
    note("certificate " + std::to_string(k) + ": " + info.peer_chain[k]);
  if (!info.peer_issuer.empty()) note("issuer: " + info.peer_issuer);
  note("verify: " + info.verify);
}

}  // namespace sim

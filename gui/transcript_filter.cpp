#include "gui/transcript_filter.hpp"

namespace mailsim {

namespace {

bool shown(sim::Proto p, const TranscriptFilter& f) {
  switch (p) {
    case sim::Proto::Smtp:
      return f.smtp;
    case sim::Proto::Pop3:
      return f.pop3;
    case sim::Proto::Imap:
      return f.imap;
    case sim::Proto::Dns:
      return f.dns;
    default:
      return f.other;
  }
}

}  // namespace

std::map<std::uint32_t, sim::Proto> connection_protocols(const sim::Trace& trace) {
  std::map<std::uint32_t, sim::Proto> out;
  for (const auto& e : trace.events()) {
    if (const auto* c = std::get_if<sim::ConnEv>(&e.p)) {
      out.try_emplace(c->conn, c->proto);
    } else if (const auto* l = std::get_if<sim::LineEv>(&e.p)) {
      // A line names its protocol for sure; the port only suggests one.
      auto [it, fresh] = out.try_emplace(l->conn, l->proto);
      if (!fresh && l->proto != sim::Proto::Dns && l->proto != sim::Proto::None)
        it->second = l->proto;
    }
  }
  return out;
}

std::vector<ConnChoice> connection_choices(const sim::Trace& trace) {
  const auto protos = connection_protocols(trace);
  std::vector<ConnChoice> out;
  std::map<std::uint32_t, bool> seen;
  for (const auto& e : trace.events()) {
    const auto* c = std::get_if<sim::ConnEv>(&e.p);
    if (!c || seen[c->conn]) continue;
    seen[c->conn] = true;
    ConnChoice ch;
    ch.conn = c->conn;
    ch.proto = protos.at(c->conn);
    ch.label = "#" + std::to_string(c->conn) + " " + c->client + " > " + c->server + ":" +
               std::to_string(c->server_port) + " " + sim::to_string(ch.proto);
    out.push_back(std::move(ch));
  }
  return out;
}

bool passes(const sim::Event& e, const TranscriptFilter& f,
            const std::map<std::uint32_t, sim::Proto>& conn_proto) {
  auto proto_of = [&](std::uint32_t conn) {
    auto it = conn_proto.find(conn);
    return it == conn_proto.end() ? sim::Proto::Tcp : it->second;
  };
  if (const auto* l = std::get_if<sim::LineEv>(&e.p)) {
    // DNS lines belong to no TCP connection: the connection filter hides them.
    if (l->proto == sim::Proto::Dns) return !f.conn && f.dns;
    if (f.conn && *f.conn != l->conn) return false;
    return shown(l->proto, f);
  }
  if (const auto* c = std::get_if<sim::ConnEv>(&e.p)) {
    if (f.conn && *f.conn != c->conn) return false;
    return shown(proto_of(c->conn), f);
  }
  if (const auto* t = std::get_if<sim::TlsEv>(&e.p)) {
    if (f.conn && *f.conn != t->conn) return false;
    return shown(proto_of(t->conn), f);
  }
  return !f.conn && f.other;
}

}  // namespace mailsim

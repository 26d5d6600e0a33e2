#include "sim/live_wire.hpp"

#include <algorithm>

namespace sim {

namespace {

// "1.2.3.4:25" / "[::1]:25" -> address and port; v4-mapped IPv6 becomes IPv4.
void split_endpoint(const std::string& ep, std::string& ip, std::uint16_t& port) {
  const auto colon = ep.rfind(':');
  ip = ep.substr(0, colon);
  port = 0;
  if (colon != std::string::npos) {
    try {
      port = static_cast<std::uint16_t>(std::stoi(ep.substr(colon + 1)));
    } catch (const std::exception&) {
      port = 0;
    }
  }
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (ip.rfind("::ffff:", 0) == 0 && ip.find('.') != std::string::npos) ip = ip.substr(7);
}

}  // namespace

LiveWire::LiveWire(Trace& trace, std::uint32_t conn, std::string client, std::string server)
    : LiveWire([&trace](Time t, SegmentEv s) { trace.append(t, std::move(s)); },
               [&trace](std::string s) { return trace.scrubbed(std::move(s)); }, conn,
               std::move(client), std::move(server)) {}

LiveWire::LiveWire(Sink sink, Scrub scrub, std::uint32_t conn, std::string client,
                   std::string server)
    : sink_(std::move(sink)),
      scrub_(std::move(scrub)),
      conn_(conn),
      client_(std::move(client)),
      server_(std::move(server)) {}

void LiveWire::set_isn(std::uint32_t client, std::uint32_t server) {
  if (up_) return;
  cnext_ = client;
  snext_ = server;
}

void LiveWire::connected(Time t, const std::string& client_ep, const std::string& server_ep) {
  if (up_) return;
  split_endpoint(client_ep, cip_, cport_);
  split_endpoint(server_ep, sip_, sport_);
  up_ = true;
  // RFC 9293 §3.5: SYN, SYN-ACK, ACK; the SYN and the FIN each take one sequence number.
  seg(t, true, tcpflag::SYN);
  ++cnext_;
  seg(t, false, tcpflag::SYN | tcpflag::ACK);
  ++snext_;
  seg(t, true, tcpflag::ACK);
}

void LiveWire::chunk(Time t, bool from_client, std::string_view bytes) {
  if (!up_ || closed_) return;
  if (bytes.empty()) {
    fin(t, from_client);
    return;
  }
  // Mask the secrets in the whole chunk first: a password cut in two by the split would
  // otherwise escape the per-segment scrubbing.
  const std::string p = scrub_ ? scrub_(std::string(bytes)) : std::string(bytes);
  for (std::size_t at = 0; at < p.size(); at += kMss) {
    const std::size_t n = std::min(kMss, p.size() - at);
    const bool last = at + n == p.size();
    seg(t, from_client, static_cast<std::uint8_t>(tcpflag::ACK | (last ? tcpflag::PSH : 0)),
        p.substr(at, n));
    (from_client ? cnext_ : snext_) += static_cast<std::uint32_t>(n);
  }
}

void LiveWire::fin(Time t, bool from_client) {
  bool& done = from_client ? client_fin_ : server_fin_;
  if (done) return;
  if (from_client && !server_fin_) client_fin_first_ = true;
  seg(t, from_client, tcpflag::FIN | tcpflag::ACK);
  ++(from_client ? cnext_ : snext_);
  done = true;
}

void LiveWire::close(Time t) {
  if (!up_ || closed_) return;
  // Whoever closed first is answered by the other's FIN (client first when neither did);
  // the first closer then acknowledges that last FIN.
  const bool client_first = client_fin_first_ || !server_fin_;
  fin(t, client_first);
  fin(t, !client_first);
  seg(t, client_first, tcpflag::ACK);
  closed_ = true;
}

bool LiveWire::ipv6() const {
  return cip_.find(':') != std::string::npos || sip_.find(':') != std::string::npos;
}

Lesson LiveWire::lesson(std::int64_t start_unix) const {
  Lesson l;
  l.start_unix = start_unix;
  LessonHost c;
  c.name = client_;
  c.ip = cip_;
  c.role = "device";
  LessonHost s;
  s.name = server_;
  s.ip = sip_;
  s.role = "server";
  l.hosts = {c, s};
  LessonLink link;
  link.a = client_;
  link.b = server_;
  link.latency = 0;
  l.links = {link};
  return l;
}

void LiveWire::seg(Time t, bool from_client, std::uint8_t flags, std::string payload) {
  SegmentEv s;
  s.link = client_ + "<->" + server_;
  s.from = from_client ? client_ : server_;
  s.to = from_client ? server_ : client_;
  s.src_ip = from_client ? cip_ : sip_;
  s.dst_ip = from_client ? sip_ : cip_;
  s.sport = from_client ? cport_ : sport_;
  s.dport = from_client ? sport_ : cport_;
  s.seq = from_client ? cnext_ : snext_;
  // The SYN carries no acknowledgment; everything after it acknowledges all it has seen.
  s.ack = flags == tcpflag::SYN ? 0 : (from_client ? snext_ : cnext_);
  s.flags = flags;
  s.conn = conn_;
  s.arrive = t;
  s.payload = std::move(payload);
  sink_(t, std::move(s));
}

}  // namespace sim

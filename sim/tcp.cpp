// The TCP model (RFC 9293, simplified): handshake, data, ACKs, FIN close, RST.
#include <stdexcept>

#include "sim/network_core.hpp"

namespace sim {

void TcpConn::send(std::string_view bytes) {
  core_->tcp_send(*this, bytes);
}
void TcpConn::close() {
  core_->tcp_close(*this);
}
void TcpConn::abort() {
  core_->tcp_abort(*this);
}

namespace detail {
namespace {

// Sequence-number comparison modulo 2^32 (RFC 9293 §3.4).
bool seq_ge(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) >= 0;
}

ConnKey key_of(const TcpConn& c) {
  return ConnKey{c.local_ip(), c.local_port(), c.peer_ip(), c.peer_port()};
}

}  // namespace

void NetCore::conn_event(std::uint32_t id, const char* op) {
  auto& r = records[id];
  const std::string_view o = op;
  const bool terminal = o == "refused" || o == "reset" || o == "close";
  if (terminal) {
    if (r.ended) return;
    r.ended = true;
  }
  tr.append(now(),
            ConnEv{id, tr.sym(o), r.client, r.server, r.client_port, r.server_port, r.proto});
}

void NetCore::emit(TcpConn& c, std::uint8_t flags, std::uint32_t seq, std::string payload,
                   std::string shown, std::size_t masked_epoch) {
  Packet p;
  p.src_ip = c.local_ip_;
  p.dst_ip = c.peer_ip_;
  p.sport = c.local_port_;
  p.dport = c.peer_port_;
  p.seq = seq;
  p.ack = (flags & tcpflag::ACK) ? c.rcv_nxt_ : 0;
  p.flags = flags;
  p.conn = c.id_;
  p.payload = std::move(payload);
  if (!shown.empty() && shown != p.payload) {
    p.shown = std::move(shown);
    p.has_shown = true;
  }
  p.masked_epoch = masked_epoch;
  transmit(c.local_index_, std::move(p));
}

// RFC 9293 §3.10.7.1: a segment for no connection is answered with a reset.
void NetCore::send_rst_for(std::size_t host, const Packet& in) {
  Packet p;
  p.src_ip = in.dst_ip;
  p.dst_ip = in.src_ip;
  p.sport = in.dport;
  p.dport = in.sport;
  p.conn = in.conn;
  if (in.flags & tcpflag::ACK) {
    p.seq = in.ack;
    p.flags = tcpflag::RST;
  } else {
    const auto len = static_cast<std::uint32_t>(in.payload.size()) +
                     ((in.flags & tcpflag::SYN) ? 1u : 0u) + ((in.flags & tcpflag::FIN) ? 1u : 0u);
    p.seq = 0;
    p.ack = in.seq + len;
    p.flags = tcpflag::RST | tcpflag::ACK;
  }
  transmit(host, std::move(p));
}

std::uint32_t NetCore::connect(const std::string& from_host, const std::string& dst_ip,
                               std::uint16_t port, Proto proto, std::shared_ptr<TcpApp> app) {
  const std::size_t from = host_index(from_host);
  const std::uint32_t id = next_conn++;
  const std::size_t dst_index = ip_index(dst_ip);
  const HostInfo* dst = dst_index == std::string::npos ? nullptr : &hosts[dst_index];
  const bool path = dst && cached_route(from, dst_index);

  auto& rec = records[id];
  rec.client = from_host;
  rec.server = dst ? dst->name : dst_ip;
  rec.server_port = port;
  rec.proto = proto;
  if (!path) {
    schedule(now(), [this, id, app] {
      conn_event(id, "refused");
      if (app) app->on_refused("no route to host");
    });
    return id;
  }

  auto owned = std::unique_ptr<TcpConn>(new TcpConn());
  TcpConn& c = *owned;
  c.core_ = this;
  c.id_ = id;
  c.local_host_ = from_host;
  c.local_index_ = from;
  c.local_ip_ = hosts[from].ip;
  c.peer_host_ = dst->name;
  c.peer_ip_ = dst_ip;
  c.local_port_ = ephemeral(from_host);
  c.peer_port_ = port;
  c.client_ = true;
  c.proto_ = proto;
  c.state_ = TcpConn::State::SynSent;
  c.iss_ = static_cast<std::uint32_t>(rng.next());  // RFC 9293 §3.4.1: unpredictable ISN
  c.app_ = std::move(app);
  rec.client_port = c.local_port_;
  rec.live = 1;
  const ConnKey key = key_of(c);
  conns.emplace(key, std::move(owned));

  conn_event(id, "open");
  emit(c, tcpflag::SYN, c.iss_);
  c.snd_nxt_ = c.iss_ + 1;
  c.connect_timer_ = schedule(now() + connect_timeout, [this, key] {
    auto it = conns.find(key);
    if (it == conns.end()) return;
    TcpConn& t = *it->second;
    if (t.dead_ || t.state_ != TcpConn::State::SynSent) return;
    t.connect_timer_ = 0;
    conn_event(t.id_, "refused");
    auto a = t.app_;
    retire(t);
    if (a) a->on_refused("timed out");
  });
  return id;
}

void NetCore::tcp_send(TcpConn& c, std::string_view bytes) {
  if (c.dead_ || c.fin_sent_ || c.close_requested_ || bytes.empty()) return;
  if (c.state_ != TcpConn::State::Established) {
    c.unsent_.append(bytes);
    return;
  }
  // Masked as a whole first (equal-length masks), so a secret split across two segments
  // is still hidden in the trace. Usually there is none: then no masked copy is made, and
  // each segment is recorded as sent.
  const std::size_t epoch = tr.mask_epoch();
  const bool masked = tr.has_secret(bytes);
  const std::string shown = masked ? tr.scrubbed(std::string(bytes)) : std::string();
  // Segments carry at most MSS bytes; each advances the sequence number by its length.
  for (std::size_t off = 0; off < bytes.size(); off += mss) {
    std::string chunk(bytes.substr(off, mss));
    const auto len = static_cast<std::uint32_t>(chunk.size());
    emit(c, tcpflag::PSH | tcpflag::ACK, c.snd_nxt_, std::move(chunk),
         masked ? shown.substr(off, mss) : std::string(), epoch);
    c.snd_nxt_ += len;
  }
}

void NetCore::send_fin(TcpConn& c) {
  c.close_requested_ = false;
  c.fin_sent_ = true;
  c.fin_seq_ = c.snd_nxt_;
  emit(c, tcpflag::FIN | tcpflag::ACK, c.snd_nxt_);
  c.snd_nxt_ += 1;  // FIN occupies one sequence number
}

void NetCore::tcp_close(TcpConn& c) {
  if (c.dead_ || c.fin_sent_ || c.close_requested_) return;
  if (c.state_ != TcpConn::State::Established) {
    c.close_requested_ = true;
    return;
  }
  send_fin(c);
}

void NetCore::tcp_abort(TcpConn& c) {
  if (c.dead_) return;
  // In SYN-SENT there is nothing to reset yet (RFC 9293 §3.10.4): just forget it.
  if (c.state_ != TcpConn::State::SynSent) emit(c, tcpflag::RST | tcpflag::ACK, c.snd_nxt_);
  conn_event(c.id_, "reset");
  retire(c);
}

void NetCore::retire(TcpConn& c) {
  if (c.dead_) return;
  c.dead_ = true;
  if (c.connect_timer_) q.cancel(c.connect_timer_);
  c.connect_timer_ = 0;
  auto& rec = records[c.id_];
  if (--rec.live <= 0 && !rec.ended) conn_event(c.id_, "close");
  // Erase later: the caller (often the app itself) may still be using the handle.
  schedule(now(), [this, key = key_of(c)] {
    auto it = conns.find(key);
    if (it != conns.end() && it->second->dead_) conns.erase(it);
  });
}

void NetCore::established(TcpConn& c) {
  c.state_ = TcpConn::State::Established;
  c.opened_ = true;
  if (c.client_) conn_event(c.id_, "established");
  if (!c.unsent_.empty()) {
    std::string data = std::move(c.unsent_);
    c.unsent_.clear();
    tcp_send(c, data);
  }
  if (c.close_requested_) send_fin(c);
  if (auto app = c.app_) app->on_open(c);
}

void NetCore::tcp_input(std::size_t host, const Packet& p) {
  auto it = conns.find(ConnKey{p.dst_ip, p.dport, p.src_ip, p.sport});
  if (it != conns.end()) {
    if (!it->second->dead_) segment_arrives(*it->second, p);
    return;
  }
  if (p.flags & tcpflag::RST) return;  // never answer a reset
  const bool syn = (p.flags & tcpflag::SYN) && !(p.flags & tcpflag::ACK);
  auto l = syn ? listeners.find({hosts[host].name, p.dport}) : listeners.end();
  if (l == listeners.end()) {
    send_rst_for(host, p);  // "connection refused" when it answers a SYN
    return;
  }

  // A SYN for a listening port: SYN-RECEIVED, answer SYN|ACK (RFC 9293 §3.5).
  auto owned = std::unique_ptr<TcpConn>(new TcpConn());
  TcpConn& c = *owned;
  c.core_ = this;
  c.id_ = p.conn;
  c.local_host_ = host_syms[host];
  c.local_index_ = host;
  c.local_ip_ = p.dst_ip;
  const HostInfo* peer = find_ip(p.src_ip);
  c.peer_host_ = peer ? Sym(peer->name) : p.src_ip;
  c.peer_ip_ = p.src_ip;
  c.local_port_ = p.dport;
  c.peer_port_ = p.sport;
  c.client_ = false;
  c.proto_ = l->second.proto;
  c.state_ = TcpConn::State::SynReceived;
  c.rcv_nxt_ = p.seq + 1;
  c.iss_ = static_cast<std::uint32_t>(rng.next());
  c.snd_nxt_ = c.iss_;
  records[c.id_].live += 1;
  conns.emplace(key_of(c), std::move(owned));

  auto accept = l->second.accept;  // a copy: accept may unlisten
  std::shared_ptr<TcpApp> app = accept ? accept(c) : nullptr;
  if (c.dead_) return;  // the accept callback aborted it
  if (!app) {
    retire(c);
    send_rst_for(host, p);
    return;
  }
  c.app_ = std::move(app);
  emit(c, tcpflag::SYN | tcpflag::ACK, c.iss_);
  c.snd_nxt_ = c.iss_ + 1;
}

void NetCore::segment_arrives(TcpConn& c, const Packet& p) {
  using State = TcpConn::State;
  if (p.flags & tcpflag::RST) {
    if (c.state_ == State::SynSent) {
      // RFC 9293 §3.10.7.3: a reset acknowledging our SYN means "connection refused".
      if (!(p.flags & tcpflag::ACK) || p.ack != c.iss_ + 1) return;
      conn_event(c.id_, "refused");
      auto app = c.app_;
      retire(c);
      if (app) app->on_refused("connection refused");
      return;
    }
    const bool was_open = c.opened_;
    conn_event(c.id_, "reset");
    auto app = c.app_;
    retire(c);
    if (app && was_open) app->on_close(c, true);
    return;
  }

  if (c.state_ == State::SynSent) {
    if ((p.flags & tcpflag::SYN) && (p.flags & tcpflag::ACK) && p.ack == c.iss_ + 1) {
      c.rcv_nxt_ = p.seq + 1;
      c.snd_nxt_ = c.iss_ + 1;
      if (c.connect_timer_) q.cancel(c.connect_timer_);
      c.connect_timer_ = 0;
      emit(c, tcpflag::ACK, c.snd_nxt_);  // third segment of the handshake
      established(c);
    }
    return;
  }
  if (c.state_ == State::SynReceived) {
    if (!(p.flags & tcpflag::ACK) || p.ack != c.iss_ + 1) return;  // e.g. a repeated SYN
    established(c);
    if (c.dead_) return;
  }

  if ((p.flags & tcpflag::ACK) && c.fin_sent_ && seq_ge(p.ack, c.fin_seq_ + 1)) {
    c.fin_acked_ = true;
  }
  if (!p.payload.empty() || (p.flags & tcpflag::FIN)) {
    if (p.seq == c.rcv_nxt_ && c.reorder_.empty() && !c.dead_ && !c.fin_rcvd_) {
      // The usual case: in order, nothing held back. The bytes go to the application from the
      // packet itself, with no copy through reorder_.
      accept_in_order(c, p.payload, (p.flags & tcpflag::FIN) != 0);
      receive_in_order(c);
    } else {
      if (p.seq == c.rcv_nxt_ || (seq_ge(p.seq, c.rcv_nxt_) && !c.reorder_.count(p.seq)))
        c.reorder_[p.seq] = TcpConn::Pending{p.payload, (p.flags & tcpflag::FIN) != 0};
      if (p.seq != c.rcv_nxt_) {
        emit(c, tcpflag::ACK, c.snd_nxt_);  // out of order or duplicate: repeat our ACK
      } else {
        receive_in_order(c);
      }
    }
  }
  if (!c.dead_ && c.fin_sent_ && c.fin_acked_ && c.fin_rcvd_) retire(c);
}

// Delivers every contiguous segment; each one is acknowledged by a pure ACK, sent before the
// application sees the bytes (so the ACK precedes any reply on the wire).
void NetCore::receive_in_order(TcpConn& c) {
  while (!c.dead_ && !c.fin_rcvd_) {
    auto it = c.reorder_.find(c.rcv_nxt_);
    if (it == c.reorder_.end()) break;
    TcpConn::Pending seg = std::move(it->second);
    c.reorder_.erase(it);
    accept_in_order(c, seg.data, seg.fin);
  }
}

void NetCore::accept_in_order(TcpConn& c, std::string_view data, bool fin) {
  c.rcv_nxt_ += static_cast<std::uint32_t>(data.size()) + (fin ? 1u : 0u);
  emit(c, tcpflag::ACK, c.snd_nxt_);
  if (!data.empty()) {
    if (auto app = c.app_) app->on_data(c, data);
  }
  if (fin && !c.dead_) {
    // RFC 9293 §3.10.7.4: FIN received → CLOSE-WAIT (or on towards TIME-WAIT if we closed).
    c.fin_rcvd_ = true;
    c.reorder_.clear();
    if (auto app = c.app_) app->on_close(c, false);
    // No half-close for apps: once the peer is done, we close too.
    if (!c.dead_ && !c.fin_sent_) send_fin(c);
  }
}

}  // namespace detail
}  // namespace sim

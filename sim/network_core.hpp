// Internal state of sim::Network, shared by network.cpp (hosts, links, routing, UDP) and
// tcp.cpp (the TCP model). Not part of the public API: include sim/network.hpp instead.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "sim/network.hpp"

namespace sim::detail {

// One IP packet: a TCP segment or a UDP datagram, end to end.
struct Packet {
  Sym src_ip, dst_ip;  // interned: every hop records them
  std::uint16_t sport = 0, dport = 0;
  bool udp = false;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::uint32_t conn = 0;
  std::string payload;
  std::string shown;  // payload as recorded in the trace (secrets masked), if set
  bool has_shown = false;
  // Trace::mask_epoch() when the recorded payload was masked (or found clean) as a whole
  // before being cut into segments: each hop need not scan it again.
  std::size_t masked_epoch = Trace::kNoEpoch;
};

struct Path {
  std::vector<std::size_t> links;  // link indices, in order
  std::vector<std::size_t> hosts;  // hosts.size() == links.size() + 1
};

// (local ip, local port, peer ip, peer port)
using ConnKey = std::tuple<Sym, std::uint16_t, Sym, std::uint16_t>;
// Orders the interned ips by identity, not text: every segment looks its connection up, and
// this compares pointers. Nothing walks the map in order; ephemeral()'s lower_bound on a
// (local ip, local port) prefix works with any lexicographic order (the empty Sym is least).
struct ConnKeyLess {
  static auto fields(const ConnKey& k) {
    return std::tuple(std::get<0>(k).hash(), std::get<1>(k), std::get<2>(k).hash(), std::get<3>(k));
  }
  bool operator()(const ConnKey& a, const ConnKey& b) const { return fields(a) < fields(b); }
};

struct ConnRecord {  // per connection id, for the ConnEv records
  Sym client, server;
  std::uint16_t client_port = 0, server_port = 0;
  Proto proto = Proto::Tcp;
  int live = 0;        // endpoints not yet retired
  bool ended = false;  // "refused", "reset" or "close" recorded
};

struct Listener {
  Proto proto = Proto::Tcp;
  Network::AcceptFn accept;
};

struct NetCore {
  NetCore(EventQueue& q_, Trace& tr_, Rng& rng_) : q(q_), tr(tr_), rng(rng_) {}

  EventQueue& q;
  Trace& tr;
  Rng& rng;
  std::vector<HostInfo> hosts;
  std::vector<Sym> host_syms;  // hosts[i].name interned: every hop records two of them
  std::unordered_map<std::string, std::size_t> host_by_name, host_by_ip;
  std::unordered_map<Sym, std::size_t> host_by_ip_sym;  // the same, found by identity
  std::vector<Network::LinkInfo> links;
  std::vector<Sym> link_syms;  // links[i].id interned
  std::unordered_map<std::string, std::size_t> link_by_id;
  std::vector<std::vector<std::size_t>> adj;  // host → link indices, insertion order
  // route() results by from * hosts.size() + to, computed on first use; emptied when a
  // host or a link is added (a link going down does not change routes).
  struct CachedRoute {
    bool known = false;
    std::shared_ptr<const Path> path;  // nullptr: unreachable
  };
  std::vector<CachedRoute> route_cache;
  std::uint16_t mss = 1460;
  Time connect_timeout = 30 * kSecond;
  std::map<std::pair<std::string, std::uint16_t>, Listener> listeners;  // (host, port)
  std::map<std::pair<std::string, std::uint16_t>, Network::UdpHandler> udp;
  std::map<ConnKey, std::unique_ptr<TcpConn>, ConnKeyLess> conns;
  std::map<std::uint32_t, ConnRecord> records;
  std::unordered_map<std::string, std::uint16_t> next_port;
  std::uint32_t next_conn = 1;
  // Scheduled callbacks hold a weak reference: they do nothing once the Network is gone.
  std::shared_ptr<int> alive = std::make_shared<int>(0);

  template <class F>
  EventId schedule(Time t, F f) {
    std::weak_ptr<int> guard = alive;
    return q.at(t, [guard, f = std::move(f)]() mutable {
      if (!guard.expired()) f();
    });
  }
  Time now() const { return q.now(); }

  // network.cpp
  std::size_t host_index(const std::string& name) const;  // throws invalid_argument
  const HostInfo* find_ip(std::string_view ip) const;
  std::optional<Path> route(std::size_t from, std::size_t to) const;
  // route(from, to), remembered; nullptr when unreachable.
  const std::shared_ptr<const Path>& cached_route(std::size_t from, std::size_t to);
  // Index of the host with this ip, or npos.
  std::size_t ip_index(std::string_view ip) const;
  std::size_t packet_ip_index(const Sym& ip) const;  // ip_index for every packet: no hashing
  void transmit(std::size_t from_host, Packet p);
  void hop(std::shared_ptr<const Path> path, std::size_t i, std::shared_ptr<const Packet> p);
  void deliver(std::size_t host, const Packet& p);
  void drop(const std::string& host, const Packet& p, const std::string& why);
  std::uint16_t ephemeral(const std::string& host);

  // tcp.cpp
  std::uint32_t connect(const std::string& from_host, const std::string& dst_ip, std::uint16_t port,
                        Proto proto, std::shared_ptr<TcpApp> app);
  void tcp_input(std::size_t host, const Packet& p);
  void tcp_send(TcpConn& c, std::string_view bytes);
  void tcp_close(TcpConn& c);
  void tcp_abort(TcpConn& c);

  void emit(TcpConn& c, std::uint8_t flags, std::uint32_t seq, std::string payload = {},
            std::string shown = {}, std::size_t masked_epoch = Trace::kNoEpoch);
  void send_rst_for(std::size_t host, const Packet& in);
  void established(TcpConn& c);
  void send_fin(TcpConn& c);
  void segment_arrives(TcpConn& c, const Packet& p);
  void receive_in_order(TcpConn& c);
  // Takes the next segment in order: ACKs it, hands its bytes to the application, handles FIN.
  void accept_in_order(TcpConn& c, std::string_view data, bool fin);
  void retire(TcpConn& c);
  void conn_event(std::uint32_t id, const char* op);
};

std::string describe_packet(const Packet& p);

}  // namespace sim::detail

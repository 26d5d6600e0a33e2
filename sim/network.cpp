#include "sim/network.hpp"

#include <algorithm>
#include <deque>
#include <stdexcept>

#include "sim/network_core.hpp"

namespace sim {
namespace detail {

std::string describe_packet(const Packet& p) {
  std::string s = p.udp ? "UDP " : "TCP ";
  s += p.src_ip + ":" + std::to_string(p.sport) + " -> " + p.dst_ip + ":" + std::to_string(p.dport);
  if (!p.udp) s += " [" + flags_to_string(p.flags) + "]";
  if (!p.payload.empty()) s += " " + std::to_string(p.payload.size()) + " bytes";
  return s;
}

std::size_t NetCore::host_index(const std::string& name) const {
  auto it = host_by_name.find(name);
  if (it == host_by_name.end()) throw std::invalid_argument("unknown host: " + name);
  return it->second;
}

std::size_t NetCore::ip_index(std::string_view ip) const {
  auto it = host_by_ip.find(std::string(ip));
  return it == host_by_ip.end() ? std::string::npos : it->second;
}

std::size_t NetCore::packet_ip_index(const Sym& ip) const {
  auto it = host_by_ip_sym.find(ip);
  return it == host_by_ip_sym.end() ? std::string::npos : it->second;
}

const HostInfo* NetCore::find_ip(std::string_view ip) const {
  const std::size_t i = ip_index(ip);
  return i == std::string::npos ? nullptr : &hosts[i];
}

const std::shared_ptr<const Path>& NetCore::cached_route(std::size_t from, std::size_t to) {
  const std::size_t n = hosts.size();
  if (route_cache.size() != n * n) route_cache.assign(n * n, CachedRoute{});
  CachedRoute& c = route_cache[from * n + to];
  if (!c.known) {
    c.known = true;
    if (auto p = route(from, to)) c.path = std::make_shared<const Path>(std::move(*p));
  }
  return c.path;
}

// Breadth-first search by hop count; neighbours are explored in link insertion order, so
// among equally short paths the one using earlier links wins. Down links are still routed
// over (there is no routing protocol): segments entering them are dropped.
std::optional<Path> NetCore::route(std::size_t from, std::size_t to) const {
  Path path;
  if (from == to) {
    path.hosts.push_back(from);
    return path;
  }
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> via(hosts.size(), kNone);  // link used to reach the host
  std::vector<bool> seen(hosts.size(), false);
  std::deque<std::size_t> frontier{from};
  seen[from] = true;
  while (!frontier.empty() && !seen[to]) {
    const std::size_t h = frontier.front();
    frontier.pop_front();
    for (std::size_t li : adj[h]) {
      const auto& l = links[li];
      const std::size_t other =
          host_by_name.at(l.a) == h ? host_by_name.at(l.b) : host_by_name.at(l.a);
      if (seen[other]) continue;
      seen[other] = true;
      via[other] = li;
      frontier.push_back(other);
    }
  }
  if (!seen[to]) return std::nullopt;
  for (std::size_t h = to; h != from;) {
    const auto& l = links[via[h]];
    path.links.push_back(via[h]);
    path.hosts.push_back(h);
    h = host_by_name.at(l.a) == h ? host_by_name.at(l.b) : host_by_name.at(l.a);
  }
  path.hosts.push_back(from);
  std::reverse(path.links.begin(), path.links.end());
  std::reverse(path.hosts.begin(), path.hosts.end());
  return path;
}

void NetCore::drop(const std::string& host, const Packet& p, const std::string& why) {
  tr.append(now(), NoteEv{host, "drop", why + ": dropped " + describe_packet(p)});
}

void NetCore::transmit(std::size_t from_host, Packet p) {
  const std::size_t dst = packet_ip_index(p.dst_ip);
  std::shared_ptr<const Path> path;
  if (dst != std::string::npos) path = cached_route(from_host, dst);
  if (!path) {
    drop(hosts[from_host].name, p, "no route to host " + p.dst_ip);
    return;
  }
  auto pkt = std::make_shared<const Packet>(std::move(p));
  if (path->links.empty()) {  // to ourselves: no link to cross
    schedule(now(), [this, from_host, pkt] { deliver(from_host, *pkt); });
    return;
  }
  hop(std::move(path), 0, std::move(pkt));
}

// The packet enters link i of its path now and reaches the far end after the latency
// (ns-3 PointToPointChannel style; no transmission delay or queueing is modelled).
void NetCore::hop(std::shared_ptr<const Path> path, std::size_t i,
                  std::shared_ptr<const Packet> p) {
  const auto& link = links[path->links[i]];
  const std::string& from = hosts[path->hosts[i]].name;
  if (!link.up) {
    drop(from, *p, "link " + link.id + " is down");
    return;
  }
  SegmentEv ev;
  ev.link = link_syms[path->links[i]];
  ev.from = host_syms[path->hosts[i]];
  ev.to = host_syms[path->hosts[i + 1]];
  ev.src_ip = p->src_ip;
  ev.dst_ip = p->dst_ip;
  ev.sport = p->sport;
  ev.dport = p->dport;
  ev.udp = p->udp;
  ev.seq = p->seq;
  ev.ack = p->ack;
  ev.flags = p->flags;
  ev.conn = p->conn;
  ev.arrive = now() + link.latency;
  ev.payload = p->has_shown ? p->shown : p->payload;
  const Time arrive = ev.arrive;
  tr.append_masked(now(), std::move(ev), p->masked_epoch);
  schedule(arrive, [this, path = std::move(path), i, p = std::move(p)]() mutable {
    if (i + 1 < path->links.size()) {
      hop(std::move(path), i + 1, std::move(p));
    } else {
      deliver(path->hosts.back(), *p);
    }
  });
}

void NetCore::deliver(std::size_t host, const Packet& p) {
  if (!p.udp) {
    tcp_input(host, p);
    return;
  }
  auto it = udp.find({hosts[host].name, p.dport});
  if (it == udp.end()) {
    drop(hosts[host].name, p, "nothing listens on UDP port " + std::to_string(p.dport));
    return;
  }
  auto handler = it->second;  // a copy: the handler may unbind itself
  handler(p.src_ip, p.sport, p.payload);
}

std::uint16_t NetCore::ephemeral(const std::string& host) {
  auto [it, inserted] = next_port.try_emplace(host, std::uint16_t{49152});
  (void)inserted;
  const std::string& ip = hosts[host_index(host)].ip;
  auto in_use = [&](std::uint16_t port) {
    if (udp.count({host, port}) || listeners.count({host, port})) return true;
    auto c = conns.lower_bound(ConnKey{ip, port, std::string(), 0});
    return c != conns.end() && std::get<0>(c->first) == ip && std::get<1>(c->first) == port;
  };
  for (int tries = 0; tries < 16384; ++tries) {
    const std::uint16_t port = it->second;
    it->second = port == 65535 ? std::uint16_t{49152} : static_cast<std::uint16_t>(port + 1);
    if (!in_use(port)) return port;
  }
  throw std::runtime_error("no free ephemeral port on " + host);
}

}  // namespace detail

Network::Network(EventQueue& q, Trace& trace, Rng& rng)
    : core_(std::make_unique<detail::NetCore>(q, trace, rng)) {}

Network::~Network() = default;

void Network::add_host(HostInfo h) {
  auto& c = *core_;
  if (c.host_by_name.count(h.name)) throw std::invalid_argument("duplicate host name: " + h.name);
  if (c.host_by_ip.count(h.ip)) throw std::invalid_argument("duplicate host ip: " + h.ip);
  c.host_by_name.emplace(h.name, c.hosts.size());
  c.host_by_ip.emplace(h.ip, c.hosts.size());
  c.host_by_ip_sym.emplace(Sym(h.ip), c.hosts.size());
  c.host_syms.emplace_back(h.name);
  c.hosts.push_back(std::move(h));
  c.adj.emplace_back();
  c.route_cache.clear();
}

void Network::add_link(const std::string& a, const std::string& b, Time latency, std::string id) {
  auto& c = *core_;
  const std::size_t ia = c.host_index(a), ib = c.host_index(b);
  if (ia == ib) throw std::invalid_argument("a link needs two different hosts: " + a);
  if (id.empty()) id = a + "<->" + b;
  if (c.link_by_id.count(id)) throw std::invalid_argument("duplicate link id: " + id);
  if (latency < 0) throw std::invalid_argument("negative latency on link " + id);
  c.link_by_id.emplace(id, c.links.size());
  c.adj[ia].push_back(c.links.size());
  c.adj[ib].push_back(c.links.size());
  c.link_syms.emplace_back(id);
  c.links.push_back(LinkInfo{std::move(id), a, b, latency, true});
  c.route_cache.clear();
}

void Network::set_link_up(const std::string& id, bool up) {
  auto& c = *core_;
  auto it = c.link_by_id.find(id);
  if (it == c.link_by_id.end()) throw std::invalid_argument("unknown link: " + id);
  auto& link = c.links[it->second];
  if (link.up == up) return;
  link.up = up;
  c.tr.append(c.now(), NoteEv{"", "link", id + (up ? " up" : " down")});
}

const std::vector<HostInfo>& Network::hosts() const {
  return core_->hosts;
}
const HostInfo* Network::host_by_ip(std::string_view ip) const {
  return core_->find_ip(ip);
}
const HostInfo* Network::host(std::string_view name) const {
  auto it = core_->host_by_name.find(std::string(name));
  return it == core_->host_by_name.end() ? nullptr : &core_->hosts[it->second];
}
const std::vector<Network::LinkInfo>& Network::links() const {
  return core_->links;
}

std::vector<std::string> Network::route(const std::string& from_host,
                                        const std::string& dst_ip) const {
  std::vector<std::string> ids;
  auto& c = *core_;
  auto from = c.host_by_name.find(from_host);
  auto to = c.host_by_ip.find(dst_ip);
  if (from == c.host_by_name.end() || to == c.host_by_ip.end()) return ids;
  if (auto path = c.route(from->second, to->second)) {
    for (std::size_t li : path->links) ids.push_back(c.links[li].id);
  }
  return ids;
}

void Network::set_mss(std::uint16_t mss) {
  if (mss == 0) throw std::invalid_argument("MSS must be positive");
  core_->mss = mss;
}
void Network::set_connect_timeout(Time t) {
  core_->connect_timeout = t;
}
std::uint16_t Network::mss() const {
  return core_->mss;
}

void Network::listen(const std::string& host, std::uint16_t port, Proto proto, AcceptFn accept) {
  core_->host_index(host);
  core_->listeners[{host, port}] = detail::Listener{proto, std::move(accept)};
}

void Network::unlisten(const std::string& host, std::uint16_t port) {
  core_->listeners.erase({host, port});
}

std::uint32_t Network::connect(const std::string& from_host, const std::string& dst_ip,
                               std::uint16_t port, Proto proto, std::shared_ptr<TcpApp> app) {
  return core_->connect(from_host, dst_ip, port, proto, std::move(app));
}

void Network::bind_udp(const std::string& host, std::uint16_t port, UdpHandler handler) {
  core_->host_index(host);
  core_->udp[{host, port}] = std::move(handler);
}

void Network::unbind_udp(const std::string& host, std::uint16_t port) {
  core_->udp.erase({host, port});
}

void Network::send_udp(const std::string& from_host, std::uint16_t sport, const std::string& dst_ip,
                       std::uint16_t dport, std::string payload) {
  auto& c = *core_;
  const std::size_t from = c.host_index(from_host);
  detail::Packet p;
  p.src_ip = c.hosts[from].ip;
  p.dst_ip = dst_ip;
  p.sport = sport;
  p.dport = dport;
  p.udp = true;
  p.payload = std::move(payload);
  c.transmit(from, std::move(p));
}

std::uint16_t Network::ephemeral_port(const std::string& host) {
  return core_->ephemeral(host);
}

EventQueue& Network::queue() {
  return core_->q;
}
Trace& Network::trace() {
  return core_->tr;
}
Rng& Network::rng() {
  return core_->rng;
}

}  // namespace sim

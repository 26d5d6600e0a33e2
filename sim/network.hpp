// The simulated internet: hosts, links with latency, shortest-path routing, UDP datagrams
// and the TCP stream model. Every segment crossing a link is appended to the trace.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/rng.hpp"
#include "sim/tcp.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace sim {

struct HostInfo {
  std::string name;
  std::string ip;    // dotted IPv4, e.g. "10.0.1.10"
  std::string role;  // "device", "mta", "mx", "dns", "router" — free text for views
};

class Network {
 public:
  struct LinkInfo {
    std::string id, a, b;
    Time latency = 0;
    bool up = true;
  };
  using AcceptFn = std::function<std::shared_ptr<TcpApp>(TcpConn&)>;
  using UdpHandler = std::function<void(const std::string& from_ip, std::uint16_t from_port,
                                        std::string_view payload)>;

  Network(EventQueue& q, Trace& trace, Rng& rng);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Throws std::invalid_argument on a duplicate name or ip.
  void add_host(HostInfo h);
  // Id defaults to "a<->b". Throws std::invalid_argument on unknown hosts or duplicate ids.
  void add_link(const std::string& a, const std::string& b, Time latency, std::string id = "");
  // A down link drops every segment entering it (NoteEv kind "drop"); the change itself is
  // recorded as NoteEv kind "link", text "<id> up" / "<id> down".
  void set_link_up(const std::string& id, bool up);

  const std::vector<HostInfo>& hosts() const;
  const HostInfo* host_by_ip(std::string_view ip) const;
  const HostInfo* host(std::string_view name) const;
  const std::vector<LinkInfo>& links() const;
  // Link ids a packet from `from_host` to `dst_ip` would cross now (BFS by hop count, ties
  // by link insertion order); empty if same host or unreachable.
  std::vector<std::string> route(const std::string& from_host, const std::string& dst_ip) const;

  void set_mss(std::uint16_t mss);   // default 1460
  void set_connect_timeout(Time t);  // default 30 s
  std::uint16_t mss() const;

  // Accepts connections to host:port; `accept` is called when the SYN arrives and returns
  // the app for the new connection (nullptr → the SYN is answered with RST).
  void listen(const std::string& host, std::uint16_t port, Proto proto, AcceptFn accept);
  void unlisten(const std::string& host, std::uint16_t port);  // later SYNs get RST
  // Opens a connection (SYN now) from an ephemeral port; returns the connection id.
  std::uint32_t connect(const std::string& from_host, const std::string& dst_ip, std::uint16_t port,
                        Proto proto, std::shared_ptr<TcpApp> app);

  void bind_udp(const std::string& host, std::uint16_t port, UdpHandler handler);
  void unbind_udp(const std::string& host, std::uint16_t port);
  void send_udp(const std::string& from_host, std::uint16_t sport, const std::string& dst_ip,
                std::uint16_t dport, std::string payload);

  // Next free ephemeral port of a host: 49152 upward, wrapping, deterministic.
  std::uint16_t ephemeral_port(const std::string& host);

  EventQueue& queue();
  Trace& trace();
  Rng& rng();

 private:
  std::unique_ptr<detail::NetCore> core_;
};

}  // namespace sim

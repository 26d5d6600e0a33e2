// An authoritative DNS server node: answers A and MX queries over simulated UDP port 53.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace sim {

class DnsServer {
 public:
  DnsServer(Network& net, Trace& trace, std::string host);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  void add_mx(const std::string& domain, std::uint16_t preference, const std::string& exchange);
  void add_a(const std::string& name, const std::string& ip);
  const std::string& host() const { return host_; }

 private:
  void on_query(const std::string& from_ip, std::uint16_t from_port, std::string_view payload);

  Network& net_;
  Trace& trace_;
  std::string host_;
  // Keys are lower-case names (DNS names compare case-insensitively, RFC 4343).
  std::map<std::string, std::vector<std::pair<std::uint16_t, std::string>>> mx_;
  std::map<std::string, std::vector<std::string>> a_;
  std::uint32_t ttl_ = 3600;
};

}  // namespace sim

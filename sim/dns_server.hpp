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

  // A fault a lesson injects: queries about `domain` and the names under it ("" = every
  // name) get SERVFAIL (RFC 1035 §4.1.1 rcode 2) or no answer at all (the resolver times
  // out). Both are temporary failures for a mail server (RFC 5321 §5.1: queue and retry).
  enum class Failure : std::uint8_t { None, ServFail, NoAnswer };
  void set_failure(const std::string& domain, Failure f);

 private:
  void on_query(const std::string& from_ip, std::uint16_t from_port, std::string_view payload);
  // The failure that applies to a name: the closest failed domain above it, or "" (every
  // name); None when nothing fails.
  Failure failure_for(const std::string& name) const;

  Network& net_;
  Trace& trace_;
  std::string host_;
  // Keys are lower-case names (DNS names compare case-insensitively, RFC 4343).
  std::map<std::string, std::vector<std::pair<std::uint16_t, std::string>>> mx_;
  std::map<std::string, std::vector<std::string>> a_;
  std::map<std::string, Failure> failures_;  // by lower-case domain; "" = every name
  std::uint32_t ttl_ = 3600;
};

}  // namespace sim

// A stub resolver on a host: real DNS queries over simulated UDP to one DNS server.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/network.hpp"
#include "sim/trace.hpp"

namespace net::dns {
struct Message;
}

namespace sim {

class Resolver {
 public:
  struct MxResult {
    bool ok = false;
    std::string error;  // "NXDOMAIN", "timed out", "SERVFAIL", "no MX or A records"
    std::vector<std::pair<std::uint16_t, std::string>> mx;  // sorted by preference
    std::map<std::string, std::string> addresses;           // exchange → ip
  };
  using MxDone = std::function<void(MxResult)>;
  using ADone = std::function<void(std::optional<std::string> ip, std::string error)>;

  Resolver(Network& net, EventQueue& q, Trace& trace, std::string host, std::string dns_ip);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // MX lookup; exchanges missing from the additional section are looked up with A queries.
  // No MX records: the domain's own A record is the implicit MX (RFC 5321 §5.1), reported
  // as mx = {{0, domain}}. `done` is always called, later, from an event.
  void resolve_mx(const std::string& domain, MxDone done);
  void resolve_a(const std::string& name, ADone done);

  // Each query waits `per_try` for an answer and is sent `tries` times (default 2 s, 2).
  void set_timeout(Time per_try, int tries);

 private:
  struct Pending;
  // answer == nullptr: error says why ("timed out").
  using QueryDone = std::function<void(const net::dns::Message* answer, const std::string& error)>;
  void query(const std::string& name, std::uint16_t type, QueryDone done);
  void send(Pending& p);
  void on_answer(std::uint16_t port, const std::string& from_ip, std::string_view payload);
  void on_timeout(std::uint16_t port);
  void complete_mx(std::shared_ptr<MxResult> r, std::vector<std::string> missing, MxDone done);

  Network& net_;
  EventQueue& q_;
  Trace& trace_;
  std::string host_, dns_ip_;
  Time per_try_ = 2 * kSecond;
  int tries_ = 2;
  std::map<std::uint16_t, std::shared_ptr<Pending>> pending_;  // by local UDP port
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace sim

// The simulated world built from a lesson: the clock, the network, DNS, mail servers and
// devices. Running it fills the trace; nothing else is kept for the views.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/lesson.hpp"
#include "sim/network.hpp"
#include "sim/rng.hpp"
#include "sim/trace.hpp"

namespace sim {

class DnsServer;
class SimPki;
class MailServer;
class Device;

struct RunLimits {
  Time max_time = 7 * 24 * 3600 * kSecond;  // retries of a bounced message end well before
  std::size_t max_events = 5'000'000;
};

class World {
 public:
  explicit World(Lesson lesson);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Runs every step in order (each starts when the previous one finished), then lets the
  // servers finish their work. Returns false if a limit stopped the run.
  bool run(const RunLimits& limits = {});

  const Lesson& lesson() const { return lesson_; }
  EventQueue& queue() { return q_; }
  Trace& trace() { return trace_; }
  const Trace& trace() const { return trace_; }
  Network& network() { return net_; }
  Rng& rng() { return rng_; }
  SimPki& pki() { return *pki_; }  // the world's CA and TLS contexts
  std::int64_t unix_now() const { return lesson_.start_unix + q_.now() / kSecond; }
  const std::string& dns_ip() const { return dns_ip_; }

  MailServer* server(const std::string& host);
  // The server that receives mail for this domain (by lesson configuration, not DNS).
  MailServer* server_for_domain(const std::string& domain);
  Device* device(const std::string& host);
  std::vector<const Device*> devices() const;  // in lesson order

  // Called when step i (0-based) has finished, before the next one starts; after the last
  // step it runs once the servers have no more work. For `mailsim compare`.
  std::function<void(std::size_t)> on_step_done;

  void note(const std::string& kind, const std::string& text, const std::string& host = {});

 private:
  void start_step(std::size_t i);

  Lesson lesson_;
  EventQueue q_;
  Trace trace_;
  Rng rng_;
  Network net_;
  std::string dns_ip_;
  std::unique_ptr<DnsServer> dns_;
  std::unique_ptr<SimPki> pki_;
  std::map<std::string, std::unique_ptr<MailServer>> servers_;
  std::map<std::string, std::unique_ptr<Device>> devices_;
  bool steps_done_ = false;
};

}  // namespace sim

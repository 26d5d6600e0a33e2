#include "sim/sim_tls.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "net/tls/cert_authority.hpp"
#include "net/tls/context.hpp"

// RAND_METHOD is deprecated in OpenSSL 3, and still the one documented way to make every
// random byte (libssl's randoms, key generation) come from our generator.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace sim {

namespace {

std::uint64_t g_state = 0;
const RAND_METHOD* g_previous = nullptr;
bool g_active = false;

std::uint64_t next() {
  std::uint64_t z = (g_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int fill(unsigned char* buf, int num) {
  for (int i = 0; i < num; i += 8) {
    std::uint64_t v = next();
    for (int k = 0; k < 8 && i + k < num; ++k)
      buf[i + k] = static_cast<unsigned char>(v >> (8 * k));
  }
  return 1;
}
int seed(const void*, int) {
  return 1;
}
int add(const void*, int, double) {
  return 1;
}
int status() {
  return 1;
}

const RAND_METHOD kMethod = {seed, fill, nullptr, add, fill, status};

}  // namespace

SimRandom::SimRandom(std::uint64_t s) {
  if (g_active) throw std::logic_error("SimRandom is already active");
  g_active = true;
  g_state = s ^ 0x7a1e5eed5eed7a1eULL;
  g_previous = RAND_get_rand_method();
  RAND_set_rand_method(&kMethod);
}

SimRandom::~SimRandom() {
  RAND_set_rand_method(g_previous);
  g_active = false;
}

SimPki::SimPki(std::int64_t now) : now_(now) {}
SimPki::~SimPki() = default;

net::tls::CertAuthority& SimPki::ca() {
  if (!ca_)
    ca_ = std::make_unique<net::tls::CertAuthority>("mailsim Simulated CA",
                                                    net::tls::KeyType::Ed25519, now_);
  return *ca_;
}

const std::string& SimPki::ca_pem() {
  return ca().cert_pem();
}

std::shared_ptr<net::tls::Context> SimPki::server(const std::string& host, bool untrusted) {
  const std::string key = (untrusted ? "!" : "") + host;
  auto& c = servers_[key];
  if (!c) {
    c = net::tls::Context::server(
        untrusted ? net::tls::self_signed({host}, net::tls::KeyType::Ed25519, now_)
                  : ca().issue({host}, 365));
    // One TLS 1.3 ticket per handshake (RFC 8446 §4.6.1) so a device's next connection
    // resumes (§2.2), as mail clients do. Stateful tickets, each accepted once: a stateless
    // ticket would seal the wall clock's time, so its ciphertext would differ between two
    // runs of one seed (net::tls::Context::use_stateful_tickets).
    c->use_stateful_tickets();
  }
  return c;
}

// Client contexts report their tickets' ages as 0 (the wall clock must not reach the wire)
// and, when asked, log every session's secrets (both directions' traffic keys).
void SimPki::prepare_client(net::tls::Context& c) {
  c.report_zero_ticket_age();
  if (keep_keys_) c.set_keylog([this](const std::string& line) { keys_.push_back(line); });
}

void SimPki::keep_key_log(bool on) {
  keep_keys_ = on;
  for (auto* c : {device_.get(), relay_.get()})
    if (c) {
      if (on)
        prepare_client(*c);
      else
        c->set_keylog(nullptr);
    }
}

std::shared_ptr<net::tls::Context> SimPki::device_client() {
  if (!device_) {
    net::tls::ClientTrust t;
    t.ca_pems = {ca_pem()};
    t.verify_time = now_;
    device_ = net::tls::Context::client(t);
    prepare_client(*device_);
  }
  return device_;
}

std::shared_ptr<net::tls::Context> SimPki::relay_client() {
  if (!relay_) {
    net::tls::ClientTrust t;
    t.verify = false;
    relay_ = net::tls::Context::client(t);
    prepare_client(*relay_);
  }
  return relay_;
}

}  // namespace sim

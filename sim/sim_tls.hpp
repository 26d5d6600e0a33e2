// TLS inside the simulator: one certificate authority per world that every device trusts,
// a certificate per mail server, and reproducible randomness.
//
// A simulation must give the same trace for the same seed, ciphertext included, so while a
// world runs OpenSSL draws its random bytes from a generator seeded by the lesson
// (SimRandom). Keys made that way are predictable: that is fine for a classroom simulation
// and never used for real traffic — live and serve mode never run inside that scope.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace net::tls {
class CertAuthority;
class Context;
}  // namespace net::tls

namespace sim {

// While alive, OpenSSL's random bytes come from splitmix64(seed). Not nestable.
class SimRandom {
 public:
  explicit SimRandom(std::uint64_t seed);
  ~SimRandom();
  SimRandom(const SimRandom&) = delete;
  SimRandom& operator=(const SimRandom&) = delete;
};

class SimPki {
 public:
  // Certificates are valid around `now` (the lesson's clock, unix seconds).
  explicit SimPki(std::int64_t now);
  ~SimPki();
  // The server context of a host: a certificate for its name from the world's CA, or, when
  // `untrusted`, a self-signed one (a lesson shows clients refusing it).
  std::shared_ptr<net::tls::Context> server(const std::string& host, bool untrusted = false);
  // Devices: trust the world's CA and verify names. MTAs relaying on 25 use
  // opportunistic TLS without verification (RFC 7435), like most of the Internet.
  std::shared_ptr<net::tls::Context> device_client();
  std::shared_ptr<net::tls::Context> relay_client();
  const std::string& ca_pem();
  // The TLS secrets of every session, in the SSLKEYLOGFILE format Wireshark reads, kept when
  // asked for before the run (`mailsim run --pcap … --keylog FILE`). Simulated keys only.
  void keep_key_log(bool on);
  const std::vector<std::string>& key_log() const { return keys_; }

 private:
  void prepare_client(net::tls::Context& c);
  net::tls::CertAuthority& ca();
  std::int64_t now_;
  std::unique_ptr<net::tls::CertAuthority> ca_;
  std::map<std::string, std::shared_ptr<net::tls::Context>> servers_;
  std::shared_ptr<net::tls::Context> device_, relay_;
  bool keep_keys_ = false;
  std::vector<std::string> keys_;
};

}  // namespace sim

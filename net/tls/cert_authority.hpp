// A certificate authority made at run time (RFC 5280 X.509 v3), so no private key is ever
// committed: the simulator's devices trust it, `mailsim serve` can present a certificate
// from it, and tests hand its PEM to real clients as their CA file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace net::tls {

// Ed25519 signatures have a fixed size, so simulated handshakes always take the same
// bytes; P-256 is what every real client (NSS included) accepts.
enum class KeyType { Ed25519, EcP256 };

struct Pem {
  std::string cert;   // PEM certificate (for an issued one: leaf only)
  std::string key;    // PEM PKCS#8 private key
  std::string chain;  // leaf followed by the issuer's certificate
};

class CertAuthority {
 public:
  // Validity periods count from `now` (unix seconds; default: the real clock), so a
  // simulation can issue the same certificates every run.
  explicit CertAuthority(const std::string& common_name = "mailsim Teaching CA",
                         KeyType type = KeyType::EcP256,
                         std::optional<std::int64_t> now = std::nullopt);
  ~CertAuthority();
  CertAuthority(CertAuthority&&) noexcept;
  CertAuthority& operator=(CertAuthority&&) noexcept;

  const std::string& cert_pem() const;
  // A server certificate for these DNS names (and IPv4/IPv6 addresses written as such),
  // valid from an hour ago for `days` days; with `expired`, its validity ended yesterday.
  Pem issue(const std::vector<std::string>& names, int days = 30, bool expired = false) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A certificate that signs itself (trusted by nobody): what a lesson presents to show a
// client refusing an untrusted server.
Pem self_signed(const std::vector<std::string>& names, KeyType type = KeyType::EcP256,
                std::optional<std::int64_t> now = std::nullopt);

}  // namespace net::tls

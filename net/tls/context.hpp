// TLS configuration shared by many connections (an SSL_CTX): a server's certificate and
// key, or what a client trusts and whether it verifies at all.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;

namespace net::tls {

struct Pem;

struct ClientTrust {
  std::vector<std::string> ca_pems;  // extra trusted CAs (PEM); e.g. the simulated CA
  std::string ca_file;               // a PEM file of trusted CAs (--ca-file)
  bool system_store = false;         // also the system's CAs (/etc/ssl/certs)
  bool verify = true;                // false only when the user explicitly opts out (--insecure)
  std::optional<std::int64_t> verify_time;  // check validity at this unix time (simulations)
};

class Context {
 public:
  // Throws std::runtime_error with OpenSSL's reason when the PEM or the file is unusable.
  static std::shared_ptr<Context> server(const Pem& identity);
  static std::shared_ptr<Context> client(const ClientTrust& trust);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  SSL_CTX* get() const { return ctx_; }
  bool verifies() const { return verify_; }
  // Receives "CLIENT_RANDOM …"-style lines (the SSLKEYLOGFILE format) for every session.
  void set_keylog(std::function<void(const std::string&)> sink);
  const std::function<void(const std::string&)>& keylog() const { return keylog_; }

 private:
  explicit Context(SSL_CTX* ctx, bool verify) : ctx_(ctx), verify_(verify) {}
  SSL_CTX* ctx_;
  bool verify_;
  std::function<void(const std::string&)> keylog_;
};

}  // namespace net::tls

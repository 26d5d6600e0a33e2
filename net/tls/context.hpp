// TLS configuration shared by many connections (an SSL_CTX): a server's certificate and
// key, or what a client trusts and whether it verifies at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_session_st SSL_SESSION;

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

  // Client session cache for resumption (RFC 8446 §2.2): the session a server's last ticket
  // (NewSessionTicket, §4.6.1) gave, per key the caller chooses (the simulator: device,
  // server and port, so a phone never resumes the laptop's session), with the server name
  // it was verified for. take_session() hands it over and forgets it, a TLS 1.3 ticket
  // being used once (§C.4), and only for that same name: resuming skips the certificate
  // and its name check. Sessions of connections without a key are not kept.
  void keep_session(const std::string& key, SSL_SESSION* s,
                    std::string server_name = {});  // takes ownership
  SSL_SESSION* take_session(const std::string& key,
                            const std::string& server_name = {});  // the caller frees it
  std::size_t kept_sessions() const { return sessions_.size(); }
  // Servers: one TLS 1.3 ticket per handshake, stateful (SSL_OP_NO_TICKET: the ticket is a
  // random id naming a session kept here, not the sealed session with the wall clock's time
  // in it), and each accepted once (RFC 8446 §C.4, §8). Kept with keep_session() under the
  // id, so the same bound applies; OpenSSL's own server cache is not used.
  void use_stateful_tickets();
  // A resumed ClientHello carries the ticket's age in wall-clock time (§4.2.11.1); a
  // simulation reports 0 instead, or two runs of one seed would differ on the wire.
  void report_zero_ticket_age() { zero_ticket_age_ = true; }
  bool zero_ticket_age() const { return zero_ticket_age_; }

 private:
  explicit Context(SSL_CTX* ctx, bool verify) : ctx_(ctx), verify_(verify) {}
  SSL_CTX* ctx_;
  bool verify_;
  bool zero_ticket_age_ = false;
  std::function<void(const std::string&)> keylog_;
  struct Kept {
    SSL_SESSION* session;
    std::uint64_t order;  // when it was kept, for evicting the oldest
    std::string server_name;
  };
  std::map<std::string, Kept> sessions_;
  std::uint64_t kept_count_ = 0;
};

}  // namespace net::tls

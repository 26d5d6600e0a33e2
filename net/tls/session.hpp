// One TLS connection, sans-I/O: OpenSSL runs over two memory BIOs, so the driver moves
// ciphertext between the wire and feed()/take_wire() and plaintext between the protocol
// engine and write()/take_plain(). The same code serves the simulator (the trace then
// holds the ciphertext on the wire and the plaintext each end sees) and real sockets.
//
// The handshake's messages are reported by name (ClientHello, ServerHello, Certificate,
// Finished, …, RFC 8446 §4 and RFC 5246 §7.4) so the views can show them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

typedef struct ssl_st SSL;

namespace net::tls {

class Context;

enum class Role { Client, Server };

// The name of a TLS handshake message type ("ClientHello", "Finished"; RFC 8446 §4,
// RFC 5246 §7.4), nullptr for a type it does not know.
const char* handshake_type_name(unsigned type);

struct HandshakeEvent {
  bool sent = false;  // written by this end (else received)
  std::string what;   // "ClientHello", "Finished", "Alert: bad certificate", …
  std::size_t bytes = 0;
};

struct Info {
  std::string version;  // "TLSv1.3"
  std::string cipher;   // "TLS_AES_256_GCM_SHA384"
  std::string server_name;
  std::vector<std::string> peer_chain;  // subjects, leaf first
  std::string peer_issuer;
  std::string verify;    // "ok" or why verification failed
  bool resumed = false;  // an earlier connection's session (RFC 8446 §2.2): no certificate sent
};

class Session {
 public:
  // Clients send `server_name` as SNI (RFC 6066 §3) and, when their context verifies, check
  // the certificate against it (RFC 6125). A client with a `resume_key` offers the session
  // its context kept under that key and keeps the next one there (Context::keep_session).
  Session(std::shared_ptr<Context> ctx, Role role, std::string server_name = {},
          std::string resume_key = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();                        // a client writes its ClientHello
  void feed(std::string_view cipher);  // bytes from the wire
  std::string take_wire();             // bytes for the wire
  void write(std::string_view plain);  // application data (kept until established)
  std::string take_plain();            // application data received
  void close();                        // close_notify alert (RFC 8446 §6.1)

  bool established() const { return established_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  bool peer_closed() const { return peer_closed_; }
  std::vector<HandshakeEvent> take_events();
  Info info() const;

 private:
  static void on_message(int write_p, int version, int content_type, const void* buf, size_t len,
                         SSL* ssl, void* arg);
  void pump();
  void fail(std::string why);

  std::shared_ptr<Context> ctx_;
  SSL* ssl_ = nullptr;
  Role role_;
  std::string server_name_;
  std::string resume_key_;  // read by the context's new-session callback
  bool established_ = false, peer_closed_ = false;
  std::string error_;
  std::string pending_;  // plaintext written before the handshake finished
  std::string plain_;
  std::vector<HandshakeEvent> events_;
};

}  // namespace net::tls

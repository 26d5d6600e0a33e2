// TLS seen from the wire (RFC 8446 §5.1, RFC 5246 §6.2): record headers, and the handshake
// messages that travel in clear (ClientHello, ServerHello, and in TLS 1.2 the certificate).
// Everything after ChangeCipherSpec, and application data, is only counted: a capture
// without keys cannot read it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

struct TlsNote {
  std::string what;  // "ClientHello", "ChangeCipherSpec", "encrypted application data", ...
  std::uint64_t bytes = 0;
};

// One direction of a TLS connection.
class TlsRecordReader {
 public:
  // In-order bytes; appends what they complete to `out`.
  void feed(std::string_view bytes, std::vector<TlsNote>& out);
  // Bytes are missing: the record boundary is lost, so nothing more is read.
  void gap() { lost_ = true; }
  std::uint64_t application_bytes() const { return app_bytes_; }

 private:
  std::string buf_;
  bool encrypted_ = false;  // after ChangeCipherSpec (TLS 1.2) or the first encrypted record
  bool lost_ = false;       // not TLS, or a gap: the rest is skipped
  bool app_seen_ = false;
  std::string negotiated_;  // "TLSv1.3 TLS_AES_256_GCM_SHA384", from the ServerHello
  std::uint64_t app_bytes_ = 0;
};

}  // namespace sim

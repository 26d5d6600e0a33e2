#include "sim/capture_tls.hpp"

#include <algorithm>
#include <cstdio>

#include "net/tls/session.hpp"

namespace sim {

namespace {

constexpr std::size_t kMaxRecord = (1u << 14) + 2048;  // TLSCiphertext limit (RFC 8446 §5.2)

std::string alert_name(unsigned desc) {
  switch (desc) {
    case 0:
      return "close notify";
    case 40:
      return "handshake failure";
    case 42:
      return "bad certificate";
    case 46:
      return "certificate unknown";
    case 48:
      return "unknown CA";
    case 70:
      return "protocol version";
    case 80:
      return "internal error";
    case 112:
      return "unrecognized name";
    default:
      return "code " + std::to_string(desc);
  }
}

const char* version_name(unsigned v) {
  switch (v) {
    case 0x0304:
      return "TLSv1.3";
    case 0x0303:
      return "TLSv1.2";
    case 0x0302:
      return "TLSv1.1";
    case 0x0301:
      return "TLSv1";
    default:
      return nullptr;
  }
}

std::string cipher_name(unsigned c) {
  switch (c) {
    case 0x1301:
      return "TLS_AES_128_GCM_SHA256";
    case 0x1302:
      return "TLS_AES_256_GCM_SHA384";
    case 0x1303:
      return "TLS_CHACHA20_POLY1305_SHA256";
    case 0xc02b:
      return "ECDHE-ECDSA-AES128-GCM-SHA256";
    case 0xc02c:
      return "ECDHE-ECDSA-AES256-GCM-SHA384";
    case 0xc02f:
      return "ECDHE-RSA-AES128-GCM-SHA256";
    case 0xc030:
      return "ECDHE-RSA-AES256-GCM-SHA384";
    case 0xcca8:
      return "ECDHE-RSA-CHACHA20-POLY1305";
    case 0xcca9:
      return "ECDHE-ECDSA-CHACHA20-POLY1305";
    default: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%04X", c);
      return buf;
    }
  }
}

// "TLSv1.3 TLS_AES_256_GCM_SHA384" from a ServerHello's body (RFC 8446 §4.1.3: the
// version is in supported_versions when present), or "" when it is cut short.
std::string server_hello(const unsigned char* b, std::size_t n) {
  if (n < 35) return {};
  unsigned version = static_cast<unsigned>(b[0]) << 8 | b[1];
  std::size_t pos = 35 + b[34];  // after the legacy session id
  if (n < pos + 3) return {};
  const unsigned cipher = static_cast<unsigned>(b[pos]) << 8 | b[pos + 1];
  pos += 3;
  if (n >= pos + 2) {
    const std::size_t end =
        std::min(n, pos + 2 + (static_cast<std::size_t>(b[pos]) << 8 | b[pos + 1]));
    for (pos += 2; pos + 4 <= end;) {
      const unsigned type = static_cast<unsigned>(b[pos]) << 8 | b[pos + 1];
      const std::size_t len = static_cast<std::size_t>(b[pos + 2]) << 8 | b[pos + 3];
      if (type == 43 && len == 2 && pos + 6 <= end)
        version = static_cast<unsigned>(b[pos + 4]) << 8 | b[pos + 5];
      pos += 4 + len;
    }
  }
  const char* v = version_name(version);
  return std::string(v ? v : "TLS") + " " + cipher_name(cipher);
}

}  // namespace

void TlsRecordReader::feed(std::string_view bytes, std::vector<TlsNote>& out) {
  if (lost_) return;
  buf_.append(bytes);
  std::size_t pos = 0;
  while (buf_.size() - pos >= 5) {
    const auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + pos);
    const unsigned type = p[0];
    const std::size_t len = static_cast<std::size_t>(p[3]) << 8 | p[4];
    if (type < 20 || type > 24 || p[1] != 3 || len > kMaxRecord) {
      out.push_back(
          {"not a TLS record: the rest of this direction is unreadable", buf_.size() - pos});
      lost_ = true;
      buf_.clear();
      return;
    }
    if (buf_.size() - pos - 5 < len) break;
    const unsigned char* body = p + 5;
    if (type == 22 && !encrypted_) {
      // Handshake messages: type (1 byte) and length (3 bytes) each (RFC 8446 §4).
      for (std::size_t h = 0; h + 4 <= len;) {
        const std::size_t mlen = static_cast<std::size_t>(body[h + 1]) << 16 |
                                 static_cast<std::size_t>(body[h + 2]) << 8 | body[h + 3];
        const char* name = net::tls::handshake_type_name(body[h]);
        out.push_back({name ? name : "handshake message " + std::to_string(body[h]), mlen});
        if (body[h] == 2 && negotiated_.empty())
          negotiated_ = server_hello(body + h + 4, std::min(mlen, len - h - 4));
        h += 4 + mlen;
      }
    } else if (type == 22) {
      out.push_back({"encrypted handshake message", len});
    } else if (type == 20) {
      out.push_back({"ChangeCipherSpec", len});
      encrypted_ = true;
    } else if (type == 21) {
      out.push_back({encrypted_ || len != 2 ? std::string("encrypted Alert")
                                            : "Alert: " + alert_name(body[1]),
                     len});
    } else if (type == 23) {
      // TLS 1.3 encrypts the rest of the handshake in application-data records too.
      encrypted_ = true;
      app_bytes_ += len;
      if (!app_seen_) {
        out.push_back({"encrypted application data (not readable)", len});
        // The server encrypts from here on: name what its ServerHello chose, as the
        // simulator and `live` do when the handshake completes.
        if (!negotiated_.empty()) out.push_back({"established " + negotiated_, 0});
      }
      app_seen_ = true;
    }
    pos += 5 + len;
  }
  buf_.erase(0, pos);
}

}  // namespace sim

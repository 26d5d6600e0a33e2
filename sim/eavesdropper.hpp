// What someone tapping one link learns (an eavesdropper on the café Wi-Fi, a curious ISP):
// every byte of plaintext sessions, including AUTH PLAIN decoded to the user name and
// password and the messages' subjects; for TLS only the ClientHello's server name (SNI),
// who talks to whom, when, and how many bytes. Computed from the segments the trace
// recorded on that link, exactly as a capture there would show them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/trace.hpp"

namespace sim {

struct Overheard {
  std::uint32_t conn = 0;
  std::string client_ip, server_ip;
  std::uint16_t server_port = 0;
  bool tls = false;       // the session switched to (or started with) TLS
  bool starttls = false;  // ... after a plaintext start
  std::string sni;        // the server name in the ClientHello, when TLS
  std::uint64_t plain_bytes = 0, tls_bytes = 0;
  std::vector<std::string> lines;        // readable lines ("C: EHLO …"), in order
  std::vector<std::string> credentials;  // "AUTH PLAIN: user ana, password a**********"
  std::vector<std::string> subjects;     // Subject: header fields read in message content
};

// The link is a link id ("a<->b"); an unknown link yields nothing.
std::vector<Overheard> eavesdrop(const Trace& trace, const std::string& link);

// The ClientHello's server_name (RFC 6066 §3) in a TLS record, or "" (RFC 8446 §4.1.2).
std::string client_hello_sni(const std::string& record);

}  // namespace sim

// `mailsim serve --pcap`: the bytes that crossed every accepted socket, streamed to a libpcap
// file while the server runs. Each connection gets a LiveWire (synthesized TCP handshake,
// sequence numbers and FINs around the real bytes; ciphertext under TLS), and every segment
// is appended and flushed at once, so a server stopped in any way (SIGTERM, SIGKILL, a
// crash) leaves a capture that Wireshark reads up to its last packet.
//
// Credentials are masked (same length, so sequence numbers stay right) unless revealed: the
// passwords known at start and every credential the engines mark in a command. What a client
// sends is held back to its line end while the connection is in plaintext, so a password
// split over two reads is masked whole. Inside TLS nothing can be masked: the records are
// ciphertext, and whoever has the session keys reads the password.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/live_wire.hpp"
#include "sim/pcap.hpp"
#include "sim/secret_mask.hpp"
#include "sim/time.hpp"

namespace sim {

class ServeCapture {
 public:
  struct Options {
    bool reveal_secrets = false;
    std::vector<std::string> secrets;  // masked from the start (the users' passwords)
    std::set<std::uint16_t> smtp_ports = default_smtp_ports();  // see PcapOptions
  };

  // Creates (truncates) `path` and writes the file header; throws std::runtime_error when the
  // file cannot be written. Packet times are `start_unix_us` + the Time given to each call.
  ServeCapture(const std::string& path, std::int64_t start_unix_us, Options opt);

  // Connection `conn` (an id unique in this capture) was accepted; endpoints as
  // "127.0.0.1:40000" or "[::1]:2525".
  void opened(std::uint32_t conn, Time t, const std::string& client_ep,
              const std::string& server_ep);
  // A credential an engine marked: masked in every later chunk.
  void add_secret(const std::string& secret);
  // From now on the connection carries TLS records (nothing to hold back or mask).
  void tls_started(std::uint32_t conn);
  // A chunk read from the client (from_client) or written by the server; empty: that side's
  // FIN.
  void bytes(std::uint32_t conn, Time t, bool from_client, std::string_view data);
  // The socket is closed: the FINs not yet seen, then the connection is forgotten.
  void closed(std::uint32_t conn, Time t);

  std::size_t packets() const { return writer_.packets(); }
  std::size_t open_connections() const { return conns_.size(); }

 private:
  struct Conn {
    std::unique_ptr<LiveWire> wire;
    std::string held;  // client bytes after the last line end, while in plaintext
    bool tls = false;
  };
  void release_held(Conn& c, Time t);

  std::ofstream file_;
  std::int64_t start_us_;
  PcapWriter writer_;
  SecretMask mask_;
  std::map<std::uint32_t, Conn> conns_;
  std::uint32_t opened_ = 0;
};

}  // namespace sim

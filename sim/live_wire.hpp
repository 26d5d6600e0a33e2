// TCP segments for a live session (`mailsim live`): the socket shows us byte chunks, not
// packets, so the segments around them are synthesized the way a capture on the client
// would show them: a three-way handshake at connect, one segment per 1460 bytes of each
// chunk with consistent sequence and acknowledgment numbers (fixed initial sequence
// numbers, so two runs of the same session compare equal), and a FIN exchange at the end
// (RFC 9293 §3.5). The payloads are the real bytes (TLS records once TLS is on), with the
// trace's secrets masked before a chunk is split. They go into the trace like a simulated
// run's, so the network and eavesdropper views and `--pcap` work on live traces too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "sim/lesson.hpp"
#include "sim/trace.hpp"

namespace sim {

class LiveWire {
 public:
  static constexpr std::uint32_t kClientIsn = 1000, kServerIsn = 5000;
  static constexpr std::size_t kMss = 1460;

  LiveWire(Trace& trace, std::uint32_t conn, std::string client, std::string server)
      : trace_(trace), conn_(conn), client_(std::move(client)), server_(std::move(server)) {}

  // The connection is up; endpoints as "192.0.2.1:143" or "[::1]:143". IPv6 loopback is
  // recorded as 127.0.0.1 and v4-mapped addresses as IPv4 (the capture writer speaks IPv4).
  void connected(Time t, const std::string& local, const std::string& peer);
  // A chunk written to the socket (sent) or read from it; empty and received: the server's FIN.
  void chunk(Time t, bool sent, std::string_view bytes);
  // Our side closes (after the session, whoever closed first).
  void close(Time t);

  bool up() const { return up_; }
  // Both ends have IPv4 addresses (write_pcap needs them).
  bool ipv4() const;
  const std::string& client_ip() const { return cip_; }
  const std::string& server_ip() const { return sip_; }
  // The two hosts and their link, for write_pcap and the views; `start_unix` is the clock
  // at trace time 0.
  Lesson lesson(std::int64_t start_unix) const;

 private:
  void seg(Time t, bool from_client, std::uint8_t flags, std::string payload = {});

  Trace& trace_;
  std::uint32_t conn_;
  std::string client_, server_;
  std::string cip_, sip_;
  std::uint16_t cport_ = 0, sport_ = 0;
  std::uint32_t cnext_ = kClientIsn, snext_ = kServerIsn;
  bool up_ = false, server_fin_ = false, closed_ = false;
};

}  // namespace sim

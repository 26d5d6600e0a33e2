// TCP segments for a session on a real socket (`mailsim live`, `mailsim serve --pcap`): the
// socket shows us byte chunks, not packets, so the segments around them are synthesized the
// way a capture on the wire would show them: a three-way handshake at connect, one segment
// per 1460 bytes of each chunk with consistent sequence and acknowledgment numbers (fixed
// initial sequence numbers by default, so two runs of the same session compare equal), and a
// FIN exchange at the end (RFC 9293 §3.5). The payloads are the real bytes (TLS records once
// TLS is on), with secrets masked before a chunk is split. `live` appends them to its trace,
// so the network and eavesdropper views and `--pcap` work on live traces too; `serve`
// streams them to a capture file (sim/serve_capture.hpp).
#pragma once

#include <cstdint>
#include <functional>
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
  // Where each segment goes, and how a chunk's secrets are masked before it is split.
  using Sink = std::function<void(Time, SegmentEv)>;
  using Scrub = std::function<std::string(std::string)>;

  // Segments appended to `trace`, masked with the trace's secrets.
  LiveWire(Trace& trace, std::uint32_t conn, std::string client, std::string server);
  // Segments handed to `sink`, each chunk masked by `scrub` first.
  LiveWire(Sink sink, Scrub scrub, std::uint32_t conn, std::string client, std::string server);

  // Initial sequence numbers, before connected(): a capture of many connections gives each
  // its own, so a client port used again later does not look like a retransmission.
  void set_isn(std::uint32_t client, std::uint32_t server);

  // The connection is up; the client's and the server's endpoints as "192.0.2.1:143" or
  // "[2001:db8::1]:143" (IPv4-mapped IPv6 addresses are recorded as IPv4).
  void connected(Time t, const std::string& client_ep, const std::string& server_ep);
  // A chunk the client (from_client) or the server wrote to the connection; empty: that
  // side's FIN (it closed its sending side; once per side).
  void chunk(Time t, bool from_client, std::string_view bytes);
  // The connection is gone: the FINs not yet sent (the client's first when neither side has
  // closed) and the ACK of the last one.
  void close(Time t);

  bool up() const { return up_; }
  // Either end has an IPv6 address (the capture is IPv6 then).
  bool ipv6() const;
  const std::string& client_ip() const { return cip_; }
  const std::string& server_ip() const { return sip_; }
  // The two hosts and their link, for write_pcap and the views; `start_unix` is the clock
  // at trace time 0.
  Lesson lesson(std::int64_t start_unix) const;

 private:
  void seg(Time t, bool from_client, std::uint8_t flags, std::string payload = {});
  void fin(Time t, bool from_client);

  Sink sink_;
  Scrub scrub_;
  std::uint32_t conn_;
  std::string client_, server_;
  std::string cip_, sip_;
  std::uint16_t cport_ = 0, sport_ = 0;
  std::uint32_t cnext_ = kClientIsn, snext_ = kServerIsn;
  bool up_ = false, client_fin_ = false, server_fin_ = false, closed_ = false;
  bool client_fin_first_ = false;  // the client closed before the server did
};

}  // namespace sim

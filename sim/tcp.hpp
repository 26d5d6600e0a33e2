// The TCP stream model seen by applications: a TcpApp receives callbacks, a TcpConn is the
// handle it sends through. Simplified RFC 9293: three-way handshake, segments <= MSS,
// a pure ACK per data segment, FIN/ACK close in both directions, RST; no loss recovery.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "sim/event_queue.hpp"
#include "sim/trace.hpp"

namespace sim {

class TcpConn;
namespace detail {
struct NetCore;
}

// Callbacks always come from event-queue callbacks, never re-entrantly from send()/close().
class TcpApp {
 public:
  virtual ~TcpApp() = default;
  virtual void on_open(TcpConn&) {}                            // established (both sides)
  virtual void on_data(TcpConn&, std::string_view bytes) = 0;  // in order
  virtual void on_close(TcpConn&, bool /*reset*/) {}           // peer sent FIN, or RST
  // Client only: "connection refused" (RST to our SYN), "timed out", "no route to host".
  virtual void on_refused(const std::string& /*why*/) {}
};

// One end of a connection. Owned by the Network; the address stays valid until on_close
// returns (after a graceful close or a reset received) or, after abort(), until the event
// being processed returns.
class TcpConn {
 public:
  TcpConn(const TcpConn&) = delete;
  TcpConn& operator=(const TcpConn&) = delete;

  std::uint32_t id() const { return id_; }
  // Interned (sim/sym.hpp): copied into every segment and line recorded for this connection.
  const Sym& local_host() const { return local_host_; }
  const Sym& local_ip() const { return local_ip_; }
  const Sym& peer_host() const { return peer_host_; }
  const Sym& peer_ip() const { return peer_ip_; }
  std::uint16_t local_port() const { return local_port_; }
  std::uint16_t peer_port() const { return peer_port_; }
  bool is_client() const { return client_; }
  Proto proto() const { return proto_; }
  bool is_open() const { return state_ == State::Established && !fin_sent_ && !dead_; }

  // Queues bytes; sent as PSH|ACK segments of at most MSS bytes once established.
  // Ignored after close() or abort().
  void send(std::string_view bytes);
  // Sends FIN after the queued data (RFC 9293 §3.10.4).
  void close();
  // Sends RST and forgets the connection at once; the app gets no further callbacks.
  void abort();

 private:
  friend struct detail::NetCore;
  enum class State : std::uint8_t { SynSent, SynReceived, Established };
  struct Pending {  // a received segment waiting for the bytes before it
    std::string data;
    bool fin = false;
  };
  TcpConn() = default;

  detail::NetCore* core_ = nullptr;
  std::uint32_t id_ = 0;
  Sym local_host_, local_ip_, peer_host_, peer_ip_;
  std::uint16_t local_port_ = 0, peer_port_ = 0;
  std::size_t local_index_ = 0;  // the local host's index in the network
  bool client_ = false;
  Proto proto_ = Proto::Tcp;

  State state_ = State::SynSent;
  std::uint32_t iss_ = 0, snd_nxt_ = 0, rcv_nxt_ = 0, fin_seq_ = 0;
  bool opened_ = false;           // on_open was called
  bool close_requested_ = false;  // close() called, FIN not yet sent
  bool fin_sent_ = false, fin_acked_ = false, fin_rcvd_ = false;
  bool dead_ = false;   // retired; erased by a scheduled event
  std::string unsent_;  // data queued before establishment
  std::map<std::uint32_t, Pending> reorder_;
  std::shared_ptr<TcpApp> app_;
  EventId connect_timer_ = 0;
};

}  // namespace sim

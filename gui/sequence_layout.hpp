// The ladder (sequence) diagram as data, without ImGui: one lifeline per host that takes
// part, one arrow per protocol line (message content folded into one arrow per DATA), TCP
// handshakes folded into one "connect" arrow and TLS handshakes into one "TLS" arrow. The
// window's Sequence view draws it; sequence_svg.hpp writes it as SVG.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gui/scene.hpp"
#include "sim/trace.hpp"

namespace mailsim {

struct SeqArrow {
  enum class Kind : std::uint8_t {
    Line,     // a command (client -> server) or a reply (server -> client)
    Content,  // message content lines after DATA / APPEND, folded into one arrow
    Connect,  // TCP three-way handshake (SYN, SYN-ACK, ACK)
    Refused,  // connection refused (RST)
    Close,    // FIN
    Reset,    // RST
    Tls,      // TLS handshake, folded (ClientHello ... Finished)
  };
  std::size_t index = 0;  // trace index of the event that ends the row
  int from = 0, to = 0;   // lifeline columns
  Kind kind = Kind::Line;
  std::string label;
  std::string proto;      // "SMTP", "POP3", "IMAP", "DNS" for lines; "" otherwise
  bool locked = false;    // the bytes crossed inside TLS (encrypted on the wire)
  std::size_t lines = 1;  // protocol lines it stands for (Content: the message's lines)
  std::uint32_t conn = 0;
  bool failed = false;  // refused, or a TLS handshake that failed
  bool dashed() const { return kind != Kind::Line && kind != Kind::Content; }
};

struct SequenceLayout {
  std::vector<int> columns;      // host index (into Scene::hosts) of each lifeline, left to right
  std::vector<SeqArrow> arrows;  // in trace order
  int column_of(const Scene& s, const std::string& host) const;
};

// Labels use tr() (the current interface language). Lifelines are in the network's
// left-to-right order (SceneHost::x, then y), only for hosts that send or receive a line.
SequenceLayout layout_sequence(const Scene& s);

// For each trace event, whether it is a protocol line that crossed inside TLS: its
// connection's TLS handshake had been established (a TlsEv "established …") before it.
std::vector<bool> lines_inside_tls(const sim::Trace& trace);

}  // namespace mailsim

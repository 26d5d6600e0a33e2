// The two byte streams of one captured mail connection turned back into protocol lines:
// CRLF-terminated lines, SMTP message data between 354 and ".", POP3 multi-line responses,
// IMAP literals ({N}), credentials marked as secrets, and the switch to TLS (implicit
// TLS ports, or STARTTLS/STLS accepted) after which only TLS records are named.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/engine_event.hpp"
#include "sim/capture_tls.hpp"
#include "sim/trace.hpp"

namespace sim {

// One thing a side said, in order: a protocol line (LineEvent::sent is true for the client
// side) or a TLS record note.
struct CapturedItem {
  bool from_client = true;
  std::variant<net::LineEvent, TlsNote> what;
};

class CaptureProtocol {
 public:
  CaptureProtocol(Proto proto, bool implicit_tls);
  // In-order bytes from one side; appends the lines and TLS notes they complete.
  void feed(bool from_client, std::string_view bytes, std::vector<CapturedItem>& out);
  // Bytes of one side are missing: a partial line is dropped, a literal or data block
  // ends. Returns the number of bytes dropped.
  std::size_t gap(bool from_client);
  // Bytes left at the end that never made a whole line.
  std::size_t unfinished(bool from_client) const;
  bool encrypted() const { return client_.tls; }

 private:
  struct Side {
    std::string buf;
    bool tls = false;
    TlsRecordReader records;
    std::uint64_t literal_left = 0;  // IMAP literal octets still to come
    std::uint64_t literal_size = 0;
    std::string literal, literal_label;
    bool multi = false;  // POP3 multi-line response / SMTP data in progress
  };
  void line(bool from_client, std::string text, std::vector<CapturedItem>& out);
  void client_line(std::string text, std::vector<CapturedItem>& out);
  void server_line(std::string text, std::vector<CapturedItem>& out);
  void start_literal(Side& s, const std::string& text, const std::string& label);
  void start_tls();

  Proto proto_;
  Side client_, server_;
  bool greeted_ = false;
  bool in_auth_ = false;             // a SASL exchange: client lines are credentials
  bool data_asked_ = false;          // SMTP DATA sent, 354 not yet seen
  std::string starttls_tag_;         // STARTTLS / STLS asked ("" for SMTP/POP3: "-")
  std::deque<std::string> pending_;  // POP3 commands awaiting their status line
};

}  // namespace sim

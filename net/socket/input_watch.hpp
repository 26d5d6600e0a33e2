// What a server session is waiting for from its client, judged from the plaintext the engine
// was fed: the next command, the rest of a command line, or the rest of a literal (RFC 3501
// §4.3: "{N}" or "{N+}" (RFC 7888) at a line's end announces N octets that may hold any bytes,
// line ends included). The listener's deadlines use it (see ListenerOptions): a partial line
// or literal must not restart the idle timer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace net::socket {

class InputWatch {
 public:
  // `literals`: the protocol has IMAP literals.
  explicit InputWatch(bool literals) : literals_(literals) {}
  void fed(std::string_view plain);
  bool mid_line() const { return mid_line_; }            // bytes since the last line end
  bool in_literal() const { return literal_left_ > 0; }  // announced octets still to come

 private:
  bool literals_;
  bool mid_line_ = false;
  std::uint64_t literal_left_ = 0;
  std::string tail_;  // the end of the current line, to find "{N}" before its CRLF
};

}  // namespace net::socket

// Incremental line splitter shared by the SMTP, POP3 and IMAP engines.
// Lenient receiver: accepts CRLF and bare LF as terminators (RFC 5321 §2.3.8 asks
// senders for CRLF; receivers here tolerate LF so real-world clients still work).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace net {

struct Line {
  std::string text;       // without the terminator
  bool too_long = false;  // over the limit: text is truncated, the rest was skipped
};

class LineBuffer {
 public:
  // max_line counts octets including the CRLF (RFC 5321 §4.5.3.1.4, §4.5.3.1.6).
  explicit LineBuffer(size_t max_line);

  void feed(std::string_view bytes);
  // The next complete line, or nullopt until more bytes arrive.
  std::optional<Line> next();
  // Bytes held that do not yet form a complete line.
  size_t buffered() const { return buf_.size() - pos_; }
  // Drops everything held (complete lines too) and returns it: STARTTLS discards what the
  // client sent before the handshake (RFC 3207 §4.2).
  std::string discard();

 private:
  void compact();

  size_t max_line_;
  std::string buf_;
  size_t pos_ = 0;
  bool skipping_ = false;  // inside an over-long line already reported
};

}  // namespace net

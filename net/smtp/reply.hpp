// SMTP replies as values (RFC 5321 §4.2) with optional enhanced status codes
// (RFC 2034, RFC 3463), and an incremental reply parser for the client side.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net {
class LineBuffer;
}

namespace net::smtp {

struct Reply {
  int code = 0;
  std::string enhanced;  // "2.1.0" or empty
  std::vector<std::string> lines;

  // "250-first" ... "250 last", each line with the enhanced code when present, CRLF.
  std::string wire() const;
  // The wire lines without CRLF (what wire() writes).
  std::vector<std::string> wire_lines() const;
  // All text lines joined with a space (handy for error messages).
  std::string text() const;
  // "550 5.1.1 text": code, enhanced code and text on one line (logs, bounces, notes).
  std::string summary() const;

  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
};

class ReplyParser {
 public:
  ReplyParser();
  ~ReplyParser();
  ReplyParser(ReplyParser&&) noexcept;
  ReplyParser& operator=(ReplyParser&&) noexcept;

  void feed(std::string_view bytes);
  // The next complete reply; nullopt while incomplete or after an error.
  std::optional<Reply> next();
  // The peer sent something that is not an SMTP reply; the parser stops.
  bool error() const { return error_; }
  const std::string& error_text() const { return error_text_; }
  // The raw lines (without CRLF) of the reply last returned by next().
  const std::vector<std::string>& last_lines() const { return last_lines_; }

 private:
  void fail(std::string why);

  std::unique_ptr<LineBuffer> lines_;
  Reply partial_;
  std::vector<std::string> raw_;
  std::vector<std::string> last_lines_;
  bool error_ = false;
  std::string error_text_;
};

// Plain-language sentence for a reply code, for students.
std::string describe_reply_code(int code);
// Plain-language sentence for one EHLO keyword line ("PIPELINING", "SIZE 1000", ...).
std::string describe_capability(std::string_view line);

}  // namespace net::smtp

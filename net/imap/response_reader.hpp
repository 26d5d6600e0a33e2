// Reading IMAP server responses (RFC 3501 §7) off the wire for the client engine: whole
// responses with their literals, split into status responses (OK/NO/BAD/PREAUTH/BYE with
// an optional [response code]), data responses ("* 3 EXISTS", "* 1 FETCH (...)",
// "* LIST ...") and continuation requests ("+ ..."). Works the same whether the bytes
// arrive all at once or one at a time; built on CommandReader, which already splits lines
// with "{n}" literals (a server sends literal octets without waiting for a "+").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/imap/parser.hpp"
#include "net/imap/value.hpp"

namespace net::imap {

struct Response {
  enum class Kind { Untagged, Tagged, Continuation };
  Kind kind = Kind::Untagged;
  std::string tag;               // Tagged: the command's tag
  std::string status;            // "OK" "NO" "BAD" "PREAUTH" "BYE" (upper case), empty for data
  std::string code;              // response code name, upper case ("UIDVALIDITY"), or empty
  std::vector<Value> code_args;  // the values after the code name ("[APPENDUID 7 3]": 7 3)
  std::string text;              // human-readable text (status and continuation responses)
  std::string resp_text;     // status responses: code as sent and text ("[NONEXISTENT] No such")
  std::uint32_t number = 0;  // "* 3 EXISTS": 3
  bool numbered = false;     // the response started with a number
  std::string name;          // data response name, upper case ("EXISTS", "FETCH", "LIST")
  std::vector<Value> data;   // the values after the name
};

// Parses one whole response (literals inline); nullopt when it is not a response at all.
std::optional<Response> parse_response(std::string_view s);

struct ReaderItem {
  bool too_long = false;             // a line or literal beyond the limits: the response is lost
  std::string raw;                   // the response, literals inline, no final CRLF
  std::vector<Segment> segments;     // the lines and literals as they came, for the trace
  std::optional<Response> response;  // nullopt: unreadable
};

class ResponseReader {
 public:
  // Responses carry whole messages in literals; lines are long with big ENVELOPEs.
  explicit ResponseReader(ReaderLimits limits = {1024 * 1024, 64 * 1024 * 1024});
  void feed(std::string_view bytes);
  std::optional<ReaderItem> next();
  // Part of a response (a line or a literal's octets) has arrived but not all of it.
  bool partial() const { return in_literal_ || reader_.buffered() > 0; }
  bool in_literal() const { return in_literal_; }
  // Off: ReaderItem::segments stays empty (for a client that describes no response).
  void keep_segments(bool on) { reader_.keep_segments(on); }
  // Drops everything held (after STARTTLS: plaintext the server must not have sent).
  std::string discard() {
    in_literal_ = false;
    return reader_.discard();
  }

 private:
  CommandReader reader_;
  bool in_literal_ = false;
};

}  // namespace net::imap
